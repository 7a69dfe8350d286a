"""Guest resource checks (`res.*`): CPU, memory, disk space, VSS, mounts and the disk layout.

Thresholds and their sources (facts file §9, §8, §4.5, §3.5):
- CPU and memory: above 90 % the snapshot task "is queued and delayed. Eventually it times out"
  (backup-azure-vms-troubleshoot). CPU between 75 and 90 % is `info`, not `warning`: the
  documented limit is 90 %, and a two-second sample taken now says little about the load at the
  scheduled backup time; the busiest processes are in the evidence for the reader to judge.
- Minimum VM size: "at least two CPU cores and 1 GB of RAM" (support matrix). The OS reports
  less memory than the VM size (firmware, kernel and crash-kernel reservations), so the memory
  warning starts below `MIN_MEMORY_BYTES` (0.7 GiB), not at exactly 1 GiB.
- Windows system drive: < 1 GB free warning, < 100 MB problem (VMASSIST). Linux: a file system
  >= 90 % used is a warning (VMASSIST); < 100 MB free is a problem (DERIVED: the extension is
  unpacked and writes its status and logs there); `noexec` or read-only on the mount holding
  /var/lib/waagent is a problem (the agent runs the extension from there).
- Mounts: what VMSnapshotLinux freezes and how it measures disks comes from its source, see
  `wizard.parsers.mounts`.
- Disk layout (support matrix): up to 32 data disks, each up to 32 TB (32,767 GB), no shared
  disks, no ephemeral OS disk; ultra disks, Premium SSD v2, Trusted Launch and Confidential VMs
  need an Enhanced policy.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from wizard.checks.base import (
    BOTH,
    LINUX,
    WINDOWS,
    Check,
    CheckContext,
    Finding,
    doc_link,
    error_msg,
    file_not_in_bundle,
    m,
    not_applicable_off_azure,
    step,
)
from wizard.checks.commands import cmd, one_line
from wizard.checks.docs import LINUX_APP as DOC_LINUX_APP
from wizard.checks.docs import MATRIX as DOC_MATRIX
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.i18n import N_
from wizard.knowledge import values
from wizard.model import Component, DocLink, FixStep, Msg, Status
from wizard.parsers import mounts as mounts_parser
from wizard.parsers import vssadmin
from wizard.probes.base import Answer, is_unavailable

DOC_RESIZE = doc_link("Resize a virtual machine", "https://learn.microsoft.com/azure/virtual-machines/resize-vm")

CODE_TIMEOUT = "ExtensionFailedTimeoutVMNetworkUnresponsive"
CODE_VSS_WRITER = "ExtensionFailedVssWriterInBadState"
CODE_VSS_SERVICE = "ExtensionFailedVssServiceInBadState"
CODE_COM = "ExtensionSnapshotFailedCOM"
CODE_COM_INSTALL = "ExtensionInstallationFailedCOM"
CODE_MSDTC = "ExtensionInstallationFailedMDTC"
CODE_FREEZE = "UserErrorFsFreezeFailed"
CODE_DISK_SIZE = "UserErrorUnsupportedDiskSize"
CODE_SHARED_DISK = "UserErrorSharedDiskBackupNotSupported"

CPU_PROBLEM = 90.0
CPU_HIGH = 75.0
MEMORY_PROBLEM = 90.0
MIN_CORES = 2
MIN_MEMORY_BYTES = int(0.7 * 1024**3)
GB = 1024**3
MB = 1024**2
WINDOWS_SYSTEM_DRIVE = "C:\\"
WINDOWS_FREE_WARN = 1 * GB
WINDOWS_FREE_PROBLEM = 100 * MB
LINUX_FULL_WARN = 90.0
LINUX_FREE_PROBLEM = 100 * MB
WAAGENT_DIR = "/var/lib/waagent"
PROC_MOUNTS = "/proc/mounts"
VMBACKUP_CONF = "/etc/azure/vmbackup.conf"
MOUNTS_MAX_BYTES = 1024 * 1024
CONF_MAX_BYTES = 64 * 1024
VSSADMIN_ARGV = ["vssadmin", "list", "writers"]
VSSADMIN_TIMEOUT_S = 30.0
MAX_DATA_DISKS = 32
MAX_DISK_GB = 32767
EXCERPT = 2000


# -- combining several findings of one check ---------------------------------------------------

@dataclass
class _Issue:
    """One thing a check found; a check with several reports the worst and every fix."""

    status: Status
    summary: Msg
    why: Msg | None = None
    fix: list[FixStep] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def _combine(issues: list[_Issue], evidence: dict[str, Any], docs: list[DocLink]) -> Finding:
    ordered = sorted(issues, key=lambda i: i.status.rank)
    first = ordered[0]
    fix: list[FixStep] = []
    codes: list[str] = []
    for issue in ordered:
        for s in issue.fix:
            if s not in fix:
                fix.append(s)
        if issue.status in (Status.PROBLEM, Status.WARNING):
            codes += [c for c in issue.codes if c not in codes]
    if len(ordered) > 1:
        evidence = {**evidence, "findings": [
            {"status": i.status.value, "message": i.summary.id, "params": i.summary.to_dict()["params"]}
            for i in ordered]}
    return Finding(first.status, first.summary, why=first.why, fix=fix, docs=docs, error_codes=codes,
                   evidence=evidence)


def _gb(n: float) -> float:
    return round(float(n) / GB, 1)


def _mb(n: float) -> int:
    return int(float(n) // MB)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _excerpt(text: Any) -> str:
    return str(text or "")[:EXCERPT]


# -- res.cpu --------------------------------------------------------------------------------------

def _cpu_percent(ans: Answer) -> float | None:
    pct = _num(ans.get("percent_excluding_self"))
    if pct is not None:
        return pct
    total, own = _num(ans.get("percent")), _num(ans.get("self_percent"))
    if total is None:
        return None
    return round(max(0.0, total - (own or 0.0)), 1)


def _top(ans: Answer) -> list[dict[str, Any]]:
    top = ans.get("top")
    rows: list[Any] = top if isinstance(top, list) else []
    out = []
    for row in rows[:5]:
        if isinstance(row, dict):
            out.append({"pid": row.get("pid"), "name": str(row.get("name") or "")[:100],
                        "percent": row.get("percent")})
    return out


def _timeout_fix(windows: bool) -> list[FixStep]:
    steps = [
        step("Find what keeps the VM busy (the busiest processes are in the evidence) and reduce that load, "
             "or move the backup policy's schedule to a quieter time."),
        step("When the load is lower, start an on-demand backup (Backup now) from the portal."),
    ]
    if windows:
        steps.append(step(
            "If snapshots still time out, let the host take the snapshot: run these commands in an elevated "
            "command prompt, then retry the backup.",
            command='REG ADD "HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys" /v SnapshotMethod /t REG_SZ '
                    '/d firstHostThenGuest /f\nREG ADD "HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys" '
                    '/v CalculateSnapshotTimeFromHost /t REG_SZ /d True /f'))
    steps.append(step("If the VM is busy all the time, resize it to a size with more vCPUs and memory."))
    return steps


def _cores_issue(cores: int) -> _Issue:
    return _Issue(
        Status.INFO,
        m("The VM has {cores} CPU core; Azure Backup's support matrix names at least 2 cores and 1 GB of "
          "memory as the minimum VM size.", cores=cores),
        why=m("A VM this small is easily saturated while the backup extension works, which delays the "
              "snapshot in the Take Snapshot phase."),
        fix=[step("If backups time out, resize the VM to a size with at least 2 vCPUs.")],
    )


def check_cpu(ctx: CheckContext) -> Finding:
    ans = ctx.call("cpu_sample", seconds=ctx.settings.cpu_window_s)
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not sample the CPU use ({error}).",
                                             error=error_msg(ans)),
                       evidence={"error": ans.get("error")})
    pct = _cpu_percent(ans)
    cores_value = _num(ans.get("cores"))
    cores = int(cores_value) if cores_value is not None else None
    top = _top(ans)
    evidence: dict[str, Any] = {
        "percent_excluding_self": pct,
        "percent": ans.get("percent"),
        "self_percent": ans.get("self_percent"),
        "self_children": ans.get("children"),
        "seconds": ans.get("seconds"),
        "cores": cores,
        "top": top,
        "threshold_percent": CPU_PROBLEM,
    }
    if pct is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: the CPU sample held no usable percentage."),
                       evidence=evidence)
    windows = ctx.system == "windows"
    issues: list[_Issue] = []
    busiest = next((proc for proc in top if proc["name"]), None)
    if pct > CPU_PROBLEM:
        why = m("When CPU use is above 90 %, the Take Snapshot phase's snapshot task is queued and delayed, "
                "and it eventually times out.")
        if busiest is not None:
            summary = m("CPU use is {percent} % (not counting this wizard), above the 90 % at which snapshots are "
                        "delayed; the busiest process is {process} ({process_percent} %).",
                        percent=pct, process=busiest["name"], process_percent=busiest["percent"])
        else:
            summary = m("CPU use is {percent} % (not counting this wizard), above the 90 % at which snapshots are "
                        "delayed.", percent=pct)
        issues.append(_Issue(Status.PROBLEM, summary, why, _timeout_fix(windows), [CODE_TIMEOUT]))
    elif pct >= CPU_HIGH:
        issues.append(_Issue(
            Status.INFO,
            m("CPU use is {percent} % (not counting this wizard): below the 90 % at which snapshots are delayed, "
              "but close to it.", percent=pct),
            why=m("This is a short sample taken now. If the VM is this busy when the backup runs, CPU use can "
                  "pass 90 %, and then the snapshot task is queued and delayed."),
            fix=[step("If backups fail with a timeout, move the backup to a quieter time or reduce the load (the "
                      "busiest processes are in the evidence).")],
        ))
    if cores is not None and cores < MIN_CORES:
        issues.append(_cores_issue(cores))
    docs = [DOC_TS_VM, DOC_MATRIX, DOC_RESIZE]
    if issues:
        return _combine(issues, evidence, docs)
    return Finding(Status.OK,
                   m("CPU use was {percent} % (not counting this wizard) in a {seconds}-second sample, well below "
                     "90 %.", percent=pct, seconds=round(_num(ans.get("seconds")) or ctx.settings.cpu_window_s, 1)),
                   docs=[DOC_TS_VM], evidence=evidence)


# -- res.memory -----------------------------------------------------------------------------------

def check_memory(ctx: CheckContext) -> Finding:
    ans = ctx.call("memory")
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not read the memory use ({error}).",
                                             error=error_msg(ans)),
                       evidence={"error": ans.get("error")})
    pct, total, avail = _num(ans.get("percent")), _num(ans.get("total")), _num(ans.get("available"))
    evidence: dict[str, Any] = {"percent": pct, "total": total, "available": avail,
                                "swap_total": ans.get("swap_total"), "swap_percent": ans.get("swap_percent"),
                                "threshold_percent": MEMORY_PROBLEM, "min_total_bytes": MIN_MEMORY_BYTES}
    if pct is None or total is None or total <= 0:
        return Finding(Status.NOT_CHECKED, m("Not checked: the memory probe held no usable numbers."),
                       evidence=evidence)
    used = total - avail if avail is not None else total * pct / 100
    windows = ctx.system == "windows"
    issues: list[_Issue] = []
    if pct > MEMORY_PROBLEM:
        command = ('powershell -NoProfile -Command "Get-Process | Sort-Object WorkingSet64 -Descending | '
                   'Select-Object -First 10 Name,Id,WorkingSet64"' if windows else "ps aux --sort=-%mem | head -n 11")
        issues.append(_Issue(
            Status.PROBLEM,
            m("Memory use is {percent} % ({used_gb} GB of {total_gb} GB), above 90 %.",
              percent=pct, used_gb=_gb(used), total_gb=_gb(total)),
            why=m("When memory use is above 90 %, the Take Snapshot phase's snapshot task is queued and delayed, "
                  "and it eventually times out."),
            fix=[step("List the processes that use the most memory and reduce their load, or move the backup "
                      "policy's schedule to a quieter time.", command=command),
                 step("When the load is lower, start an on-demand backup (Backup now) from the portal."),
                 step("If memory is short all the time, resize the VM to a size with more memory.")],
            codes=[CODE_TIMEOUT],
        ))
    if total < MIN_MEMORY_BYTES:
        issues.append(_Issue(
            Status.WARNING,
            m("The VM has only {total_gb} GB of memory; Azure Backup's support matrix names 1 GB as the "
              "minimum.", total_gb=_gb(total)),
            why=m("With less memory than the minimum, the backup extension may not get what it needs during the "
                  "Take Snapshot phase, and the snapshot is delayed or fails."),
            fix=[step("Resize the VM to a size with at least 1 GB of memory.")],
        ))
    docs = [DOC_TS_VM, DOC_MATRIX, DOC_RESIZE]
    if issues:
        return _combine(issues, evidence, docs)
    return Finding(Status.OK, m("Memory use is {percent} % ({used_gb} GB of {total_gb} GB), below 90 %.",
                                percent=pct, used_gb=_gb(used), total_gb=_gb(total)),
                   docs=[DOC_TS_VM], evidence=evidence)


# -- res.disk -------------------------------------------------------------------------------------

def _usage_evidence(path: str, ans: Answer) -> dict[str, Any]:
    return {"path": path, "exists": ans.get("exists"), "total": ans.get("total"), "free": ans.get("free"),
            "percent": ans.get("percent"), "error": ans.get("error"),
            "unavailable": is_unavailable(ans) or None}


def _check_disk_windows(ctx: CheckContext) -> Finding:
    drive = WINDOWS_SYSTEM_DRIVE
    ans = ctx.call("disk_usage", path=drive)
    evidence: dict[str, Any] = {"system_drive": _usage_evidence(drive, ans),
                                "thresholds": {"warning_free_bytes": WINDOWS_FREE_WARN,
                                               "problem_free_bytes": WINDOWS_FREE_PROBLEM}}
    free, total = _num(ans.get("free")), _num(ans.get("total"))
    if is_unavailable(ans) or not ans.get("exists") or free is None or total is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: could not read the free space of {drive} ({error}).",
                                             drive=drive, error=str(ans.get("error") or "no answer")),
                       evidence=evidence)
    why = m("The VM agent and the backup extension are installed on the system drive and write their status and "
            "logs there, and VSS needs free space for its shadow copies; with almost no free space the Take "
            "Snapshot phase fails, often with VSS writers in a bad state.")
    fix = [step("Free up space on {drive}, for example with Disk Cleanup, or expand the OS disk in the portal and "
                "then extend the partition.", command="cleanmgr /d C:", drive=drive)]
    if free < WINDOWS_FREE_PROBLEM:
        return Finding(Status.PROBLEM, m("The system drive {drive} has only {free_mb} MB free ({total_gb} GB in "
                                         "total).", drive=drive, free_mb=_mb(free), total_gb=_gb(total)),
                       why=why, fix=fix, docs=[DOC_TS_VM], error_codes=[CODE_VSS_WRITER], evidence=evidence)
    if free < WINDOWS_FREE_WARN:
        return Finding(Status.WARNING, m("The system drive {drive} has only {free_gb} GB free ({total_gb} GB in "
                                         "total), less than 1 GB.", drive=drive, free_gb=_gb(free),
                                         total_gb=_gb(total)),
                       why=why, fix=fix, docs=[DOC_TS_VM], error_codes=[CODE_VSS_WRITER], evidence=evidence)
    return Finding(Status.OK, m("The system drive {drive} has {free_gb} GB free of {total_gb} GB.",
                                drive=drive, free_gb=_gb(free), total_gb=_gb(total)),
                   evidence=evidence)


def _read_mounts(ctx: CheckContext) -> tuple[list[dict[str, Any]] | None, dict[str, Any]]:
    """The parsed mounts (None when /proc/mounts could not be read) and evidence about the read."""
    ans = ctx.call("read_file", path=PROC_MOUNTS, max_bytes=MOUNTS_MAX_BYTES)
    info: dict[str, Any] = {"path": PROC_MOUNTS, "exists": ans.get("exists"), "readable": ans.get("readable"),
                            "truncated": ans.get("truncated"), "error": ans.get("error")}
    if is_unavailable(ans) or not ans.get("readable") or not isinstance(ans.get("text"), str):
        return None, info
    parsed = mounts_parser.parse_proc_mounts(ans["text"])
    info["entries"] = len(parsed["mounts"])
    info["skipped_lines"] = parsed["skipped_lines"]
    if not parsed["mounts"]:
        return None, info
    return parsed["mounts"], info


def _mount_brief(mount: dict[str, Any] | None) -> dict[str, Any] | None:
    if mount is None:
        return None
    return {"device": mount["device"], "target": mount["target"], "fstype": mount["fstype"],
            "options": ",".join(mount["options"])[:300]}


def _space_issue(path: str, target: str, free: float, total: float, pct: float) -> _Issue | None:
    why = m("The VM agent unpacks the backup extension below /var/lib/waagent, and the extension writes its "
            "status and logs under /var/lib/waagent and /var/log; when the file system is full, the extension "
            "cannot run and the Take Snapshot phase fails.")
    fix = [step("Find what fills the file system and free up space, or expand the disk.",
                command=f"sudo du -xh --max-depth=2 {shlex.quote(target)} | sort -rh | head -n 20")]
    if free < LINUX_FREE_PROBLEM:
        return _Issue(Status.PROBLEM,
                      m("The file system holding {path} ({mount}) has only {free_mb} MB free.",
                        path=path, mount=target, free_mb=_mb(free)),
                      why, fix)
    if pct >= LINUX_FULL_WARN:
        return _Issue(Status.WARNING,
                      m("The file system holding {path} ({mount}) has {free_gb} GB free of {total_gb} GB "
                        "(usage: {percent} %).", path=path, mount=target, free_gb=_gb(free),
                        total_gb=_gb(total), percent=pct),
                      why, fix)
    return None


def _check_disk_linux(ctx: CheckContext) -> Finding:
    mounts, mounts_info = _read_mounts(ctx)
    evidence: dict[str, Any] = {"mounts_file": mounts_info,
                                "thresholds": {"warning_percent": LINUX_FULL_WARN,
                                               "problem_free_bytes": LINUX_FREE_PROBLEM},
                                "note": "The 100 MB problem threshold on Linux is ours, taken from what Microsoft's VM "
                                        "assist uses for the Windows system drive; the 90 % warning is VM assist's."}
    issues: list[_Issue] = []
    seen_targets: set[str] = set()
    usages: list[dict[str, Any]] = []
    unreadable: list[str] = []
    least_free: float | None = None
    most_used: float | None = None
    for path in (WAAGENT_DIR, "/"):
        ans = ctx.call("disk_usage", path=path)
        mount = mounts_parser.mount_of(mounts, path) if mounts else None
        row = _usage_evidence(path, ans)
        row["mount"] = _mount_brief(mount)
        usages.append(row)
        free, total, pct = _num(ans.get("free")), _num(ans.get("total")), _num(ans.get("percent"))
        if is_unavailable(ans) or free is None or total is None or pct is None:
            if path == "/" or ans.get("exists") is not False:
                unreadable.append(path)
            continue
        if not ans.get("exists"):
            continue
        target = mount["target"] if mount else path
        if target in seen_targets:
            continue
        seen_targets.add(target)
        least_free = free if least_free is None else min(least_free, free)
        most_used = pct if most_used is None else max(most_used, pct)
        issue = _space_issue(path, target, free, total, pct)
        if issue:
            issues.append(issue)
    evidence["usage"] = usages
    waagent_mount = mounts_parser.mount_of(mounts, WAAGENT_DIR) if mounts else None
    evidence["waagent_mount"] = _mount_brief(waagent_mount)
    if waagent_mount is not None:
        target = waagent_mount["target"]
        if "noexec" in waagent_mount["options"]:
            issues.append(_Issue(
                Status.PROBLEM,
                m("The file system holding /var/lib/waagent ({mount}) is mounted with noexec.", mount=target),
                why=m("The VM agent runs the backup extension's programs (its handler scripts and the safefreeze "
                      "binary) from /var/lib/waagent; with noexec the kernel refuses to run them, so the extension "
                      "cannot take the snapshot."),
                fix=[step("Remove noexec from the options of {mount} in /etc/fstab, so the fix survives a reboot.",
                          command="sudo grep -n -v '^#' /etc/fstab", mount=target),
                     step("Remount {mount} without noexec, then retry the backup.",
                          command=f"sudo mount -o remount,exec {shlex.quote(target)}", mount=target)],
            ))
        if "ro" in waagent_mount["options"]:
            issues.append(_Issue(
                Status.PROBLEM,
                m("The file system holding /var/lib/waagent ({mount}) is mounted read-only.", mount=target),
                why=m("The VM agent and the backup extension write their settings, status and logs below "
                      "/var/lib/waagent; on a read-only file system they cannot, and the extension fails."),
                fix=[step("A file system that turned read-only by itself usually has errors: look for them in the "
                          "kernel log.", command="sudo dmesg | grep -i -E 'read-only|remount|error'"),
                     step("After fixing the cause (fsck if needed), mount {mount} read-write again.",
                          command=f"sudo mount -o remount,rw {shlex.quote(target)}", mount=target)],
            ))
    docs = [DOC_TS_VM, DOC_TS_AGENT]
    if issues:
        return _combine(issues, evidence, docs)
    if unreadable or least_free is None or most_used is None:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not read the free space of {paths}.",
                         paths=", ".join(unreadable) or "/"),
                       evidence=evidence)
    if mounts is None:
        return Finding(Status.NOT_CHECKED,
                       m("Free space is fine (at least {free_gb} GB free), but {path} could not be read, so "
                         "whether /var/lib/waagent may run programs (noexec) was not checked.",
                         free_gb=_gb(least_free), path=PROC_MOUNTS),
                       evidence=evidence)
    return Finding(Status.OK,
                   m("The file systems holding /var/lib/waagent and / have enough free space (at least {free_gb} "
                     "GB free, usage at most {percent} %), and /var/lib/waagent may run programs.",
                     free_gb=_gb(least_free), percent=most_used),
                   evidence=evidence)


def check_disk(ctx: CheckContext) -> Finding:
    if ctx.system == "windows":
        return _check_disk_windows(ctx)
    return _check_disk_linux(ctx)


# -- res.vss --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _VssService:
    name: str
    display: str
    codes: tuple[str, ...]


VSS_SERVICES = (
    _VssService("VSS", "Volume Shadow Copy", (CODE_VSS_SERVICE,)),
    _VssService("COMSysApp", "COM+ System Application", (CODE_COM, CODE_COM_INSTALL)),
    _VssService("MSDTC", "Distributed Transaction Coordinator", (CODE_MSDTC,)),
)


def _service_issues(ctx: CheckContext) -> tuple[list[_Issue], dict[str, Any], list[str]]:
    issues: list[_Issue] = []
    evidence: dict[str, Any] = {}
    unknown: list[str] = []
    for svc in VSS_SERVICES:
        ans = ctx.call("service", name=svc.name)
        evidence[svc.name] = {"exists": ans.get("exists"), "state": ans.get("state"),
                              "start_type": ans.get("start_type"), "error": ans.get("error"),
                              "unavailable": is_unavailable(ans) or None}
        if is_unavailable(ans):
            unknown.append(svc.name)
            continue
        if not ans.get("exists"):
            issues.append(_Issue(
                Status.WARNING,
                m("The {display} service ({service}) was not found on this VM.", display=svc.display,
                  service=svc.name),
                why=m("The backup extension needs the {service} service during the Take Snapshot phase; without "
                      "it, the application-consistent snapshot fails.", service=svc.name),
                fix=[step("Check the Windows installation (for example with the System File Checker) and contact "
                          "support if the service stays missing.", command="sfc /scannow")],
                codes=list(svc.codes),
            ))
            continue
        if ans.get("start_type") == "disabled":
            issues.append(_Issue(
                Status.PROBLEM,
                m("The {display} service ({service}) is disabled.", display=svc.display, service=svc.name),
                why=m("The backup extension needs the {service} service during the Take Snapshot phase; while it "
                      "is disabled, the snapshot fails.", service=svc.name),
                fix=[step("Set the {service} service back to start on demand (Manual), in an elevated command "
                          "prompt.", command=f"sc config {cmd(svc.name)} start= demand", service=svc.name),
                     step("Start the {service} service and retry the backup.", command=f"net start {cmd(svc.name)}",
                          service=svc.name)],
                codes=list(svc.codes),
            ))
            continue
        if ans.get("state") in ("start_pending", "stop_pending"):
            issues.append(_Issue(
                Status.WARNING,
                m("The {display} service ({service}) is stuck in state {state}.", display=svc.display,
                  service=svc.name, state=str(ans.get("state"))),
                why=m("A service that hangs while starting or stopping cannot serve the backup extension in the "
                      "Take Snapshot phase."),
                fix=[step("Restart the VM at a scheduled downtime; restarting the service may also clear it.",
                          command=f"net stop {cmd(svc.name)} && net start {cmd(svc.name)}")],
                codes=list(svc.codes),
            ))
    return issues, evidence, unknown


def _writers_fix() -> list[FixStep]:
    return [
        step("Check free disk space, memory and CPU use (see the other results of this report): VSS writers often "
             "fail when resources are short."),
        step("In an elevated command prompt, list the writers and note every one that is not [1] Stable or reports "
             "an error.", command="vssadmin list writers"),
        step("Restart the service behind each such writer (restarting services can affect production, so do it in a "
             "maintenance window), or restart the VM; then retry the backup.",
             command="net stop <service name> && net start <service name>"),
        step("If writers keep failing, let the backup extension take snapshots without extra threads.",
             command='REG ADD "HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys" /v SnapshotWithoutThreads '
                     '/t REG_SZ /d True /f'),
        step("Look in the System and Application event logs for \"The shadow copy provider timed out while holding "
             "writes\"; if it is there, spread the disk load or move the backup to off-peak hours."),
    ]


def _writer_issues(writers: list[dict[str, Any]]) -> list[_Issue]:
    kinds = {id(w): vssadmin.effective_state(w) for w in writers}
    failed = [w for w in writers if kinds[id(w)] == "failed"]
    erroring = [w for w in writers if kinds[id(w)] in ("stable", "waiting") and w["last_error_kind"] == "error"]
    waiting = [w for w in writers if kinds[id(w)] == "waiting" and w not in erroring]
    # [5] WAITING_FOR_BACKUP_COMPLETE with no error is commonly left behind after a backup and is not a
    # failure by itself (facts §9.2); a writer waiting at an earlier step (2-4) holds the next snapshot up.
    left_over = [w for w in waiting if w["state"] == 5 and w["last_error_kind"] in ("none", "missing")
                 and vssadmin.state_label_kind(w["state_text"]) != "failed"]
    waiting = [w for w in waiting if w not in left_over]
    unknown = [w for w in writers if kinds[id(w)] == "stable" and w["last_error_kind"] == "unknown"]
    why = m("In the Take Snapshot phase the backup extension asks every VSS writer for an application-consistent "
            "snapshot; a writer that failed or reports an error makes the snapshot fail.")
    issues: list[_Issue] = []
    bad = failed + erroring
    if len(bad) == 1:
        w = bad[0]
        if w["state_disagrees"]:
            summary = m("The VSS writer '{writer}' reports state number [{state}] but the state label \"{label}\", "
                        "with last error: {last_error}. The two disagree, so the writer is not taken as stable.",
                        writer=w["name"], state=w["state"], label=w["state_text"] or "?",
                        last_error=w["last_error"] or "?")
        else:
            summary = m("The VSS writer '{writer}' is in state [{state}] {state_name} with last error: {last_error}",
                        writer=w["name"], state=w["state"], state_name=values.vss_state(w["state"]),
                        last_error=w["last_error"] or "?")
        issues.append(_Issue(Status.PROBLEM, summary, why, _writers_fix(), [CODE_VSS_WRITER]))
    elif bad:
        issues.append(_Issue(
            Status.PROBLEM,
            m("{count} of {total} VSS writers failed or report an error: {writers}.", count=len(bad),
              total=len(writers), writers=", ".join(w["name"] for w in bad)[:500]),
            why, _writers_fix(), [CODE_VSS_WRITER]))
    if waiting:
        issues.append(_Issue(
            Status.WARNING,
            m("VSS writers are waiting for a shadow copy to finish: {writers}. A backup or shadow copy may be "
              "running right now.", writers=", ".join(w["name"] for w in waiting)[:500]),
            why=m("A writer still waiting from an earlier shadow copy that never finished keeps the next snapshot "
                  "from starting cleanly."),
            fix=[step("Run the wizard again when no backup or shadow copy is running; if the writers still wait, "
                      "restart their services or the VM.", command="vssadmin list writers")],
            codes=[CODE_VSS_WRITER]))
    if left_over:
        issues.append(_Issue(
            Status.INFO,
            m("VSS writers are in state [5] (waiting for the backup to complete) with no error: {writers}. This "
              "state is commonly left behind after a backup and is not a failure by itself.",
              writers=", ".join(w["name"] for w in left_over)[:500]),
            why=m("A writer reports [5] until the program that made the last shadow copy says the backup is "
                  "complete; many backup programs never do. Only if it stays so and backups fail with VSS errors "
                  "is it worth restarting the writer's service."),
            fix=[step("If backups fail with a VSS error, list the writers again after the failure; restart the service "
                      "of a writer that still waits, or restart the VM.", command="vssadmin list writers")]))
    if unknown:
        texts = sorted({str(w["last_error"]) for w in unknown})
        issues.append(_Issue(
            Status.INFO,
            m("All VSS writers are stable, but the last error of {count} of them is in a wording the wizard does "
              "not know: {texts}", count=len(unknown), texts=" / ".join(texts)[:300]),
            why=m("The state numbers are read without depending on the display language, but the last-error text "
                  "is only recognised in English and Japanese. Check that it means \"no error\"."),
            fix=[step("Read the last error of each writer in an elevated command prompt.",
                      command="vssadmin list writers")]))
    return issues


def _no_writers_issue() -> _Issue:
    return _Issue(
        Status.PROBLEM,
        m("vssadmin answered but listed no VSS writer at all: Windows' Volume Shadow Copy service cannot reach "
          "any of its writers."),
        why=m("Every Windows installation has VSS writers (System Writer, Registry Writer, WMI Writer and more); when "
              "none is listed, VSS cannot call them, which Microsoft's Windows support has traced to the COM+ Event "
              "System service they are called through. The backup extension then cannot take an "
              "application-consistent snapshot in the Take Snapshot phase."),
        fix=[step("Restart the VM at a scheduled downtime; this usually brings the writers back."),
             step("If you cannot restart now, list the services that share a process with the COM+ Event System "
                  "(EventSystem) and restart them.", command='tasklist /svc /fi "services eq EventSystem"'),
             step("If the writers disappear again, give the COM+ Event System a process of its own (elevated command "
                  "prompt), then restart it or the VM.", command="sc config EventSystem type= own"),
             step("Check that the writers are back.", command="vssadmin list writers")],
        codes=[CODE_VSS_WRITER, CODE_VSS_SERVICE])


def _run_vssadmin(ctx: CheckContext) -> tuple[list[_Issue], dict[str, Any], Msg | None]:
    """Issues from the writer list, evidence, and a not-checked reason when the list could not be read."""
    if ctx.is_admin is False:
        return [], {"skipped": "not elevated"}, m(
            "Not checked: listing the VSS writers needs Administrator rights; run the wizard with \"Run as "
            "administrator\".")
    ans = ctx.call("run", argv=VSSADMIN_ARGV, timeout=VSSADMIN_TIMEOUT_S)
    output = str(ans.get("stdout") or "") + "\n" + str(ans.get("stderr") or "")
    evidence: dict[str, Any] = {"argv": VSSADMIN_ARGV, "returncode": ans.get("returncode"),
                                "timed_out": ans.get("timed_out"), "error": ans.get("error"),
                                "output_excerpt": _excerpt(output.strip())}
    if is_unavailable(ans) or not ans.get("found"):
        return [], evidence, m("Not checked: vssadmin could not be run ({error}).",
                               error=str(ans.get("error") or "not found"))
    if ans.get("timed_out"):
        return [_Issue(
            Status.WARNING,
            m("vssadmin list writers did not answer within {seconds} seconds.", seconds=int(VSSADMIN_TIMEOUT_S)),
            why=m("A VSS that hangs when asked for its writers is likely in a bad state, and the backup extension's "
                  "snapshot in the Take Snapshot phase will hang or fail the same way."),
            fix=[step("Restart the Volume Shadow Copy service in an elevated command prompt, then retry.",
                      command="net stop VSS && net start VSS"),
                 step("If it still hangs, restart the VM at a scheduled downtime.")],
            codes=[CODE_VSS_SERVICE])], evidence, None
    if ans.get("returncode") not in (0, None):
        if vssadmin.mentions_permission(output) or ctx.is_admin is None:
            return [], evidence, m("Not checked: vssadmin refused to list the VSS writers (exit code {code}); it "
                                   "needs Administrator rights.", code=str(ans.get("returncode")))
        return [_Issue(
            Status.WARNING,
            m("vssadmin list writers failed with exit code {code} although the wizard runs as Administrator.",
              code=str(ans.get("returncode"))),
            why=m("When VSS cannot even list its writers, it is likely in a bad state, and the backup extension's "
                  "snapshot in the Take Snapshot phase fails the same way."),
            fix=[step("Restart the Volume Shadow Copy service in an elevated command prompt, then retry.",
                      command="net stop VSS && net start VSS"),
                 step("If it still fails, restart the VM at a scheduled downtime.")],
            codes=[CODE_VSS_SERVICE])], evidence, None
    parsed = vssadmin.parse_writers(str(ans.get("stdout") or ""))
    writers = parsed["writers"]
    evidence["writers"] = [
        {"name": w["name"], "state": w["state"], "state_name": w["state_name"], "state_text": w["state_text"],
         "state_label_kind": w["state_label_kind"], "state_disagrees": w["state_disagrees"],
         "last_error": w["last_error"], "last_error_kind": w["last_error_kind"], "writer_id": w["writer_id"]}
        for w in writers[:100]]
    evidence["writer_count"] = len(writers)
    if parsed["truncated"]:
        evidence["truncated"] = True
    if not writers:
        if vssadmin.listing_kind(str(ans.get("stdout") or ""), writers) == "none_listed":
            evidence["listing"] = "none_listed"
            return [_no_writers_issue()], evidence, None
        return [], evidence, m("Not checked: vssadmin answered, but no VSS writer could be read from its output.")
    no_state = [w["name"] for w in writers if w["state"] is None]
    issues = _writer_issues(writers)
    if no_state:
        evidence["writers_without_state"] = no_state[:50]
        if not any(i.status in (Status.PROBLEM, Status.WARNING) for i in issues):
            return [], evidence, m("Not checked: the state of these VSS writers could not be read from vssadmin's "
                                   "output: {writers}.", writers=", ".join(no_state)[:500])
    return issues, evidence, None


def check_vss(ctx: CheckContext) -> Finding:
    service_issues, service_evidence, services_unknown = _service_issues(ctx)
    writer_issues, writer_evidence, writers_not_checked = _run_vssadmin(ctx)
    evidence: dict[str, Any] = {"services": service_evidence, "vssadmin": writer_evidence}
    issues = service_issues + writer_issues
    docs = [DOC_TS_VM]
    if any(i.status in (Status.PROBLEM, Status.WARNING) for i in issues):
        return _combine(issues, evidence, docs)
    if writers_not_checked is not None:
        return Finding(Status.NOT_CHECKED, writers_not_checked, docs=docs, evidence=evidence)
    if services_unknown:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not read the state of the services {services}.",
                         services=", ".join(services_unknown)),
                       docs=docs, evidence=evidence)
    if issues:
        return _combine(issues, evidence, docs)
    count = int(writer_evidence.get("writer_count") or 0)
    return Finding(Status.OK,
                   m("All {count} VSS writers are stable with no error, and the VSS, COM+ System Application and "
                     "MSDTC services are not disabled.", count=count),
                   docs=docs, evidence=evidence)


# -- res.mounts -----------------------------------------------------------------------------------

def _read_vmbackup_conf(ctx: CheckContext) -> dict[str, Any]:
    ans = ctx.call("read_file", path=VMBACKUP_CONF, max_bytes=CONF_MAX_BYTES)
    if is_unavailable(ans) or not ans.get("readable"):
        return {"path": VMBACKUP_CONF, "exists": ans.get("exists"), "readable": ans.get("readable"),
                "only_local_filesystems": None, "mounts_to_skip": [], "fsfreeze": None}
    settings = mounts_parser.vmbackup_mount_settings(str(ans.get("text") or ""))
    return {"path": VMBACKUP_CONF, "exists": True, "readable": True, **settings}


def check_mounts(ctx: CheckContext) -> Finding:
    mounts, mounts_info = _read_mounts(ctx)
    if mounts is None and ctx.in_bundle and mounts_info.get("exists") is False:
        return file_not_in_bundle(PROC_MOUNTS, {"mounts_file": mounts_info})
    if mounts is None:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not read the mounted file systems from {path}.", path=PROC_MOUNTS),
                       evidence={"mounts_file": mounts_info})
    conf = _read_vmbackup_conf(ctx)
    skip = set(conf.get("mounts_to_skip") or [])
    freeze_off = conf.get("fsfreeze") is False
    real_kinds = {"freezable", "network", "fuse", "container", "other"}
    duplicates = {t: ms for t, ms in mounts_parser.duplicate_targets(mounts, only=real_kinds).items()
                  if any(mounts_parser.freezable(x) for x in ms)}
    remote = [x for x in mounts if x["kind"] in ("network", "fuse")]
    containers = [x for x in mounts if x["kind"] == "container"]
    read_only = [x for x in mounts if mounts_parser.freezable(x) and "ro" in x["options"]]
    evidence: dict[str, Any] = {
        "mounts_file": mounts_info,
        "vmbackup_conf": conf,
        "duplicate_targets": {t: [_mount_brief(x) for x in ms] for t, ms in list(duplicates.items())[:20]},
        "network_or_fuse": [_mount_brief(x) for x in remote[:30]],
        "container_mounts": len(containers),
        "read_only_local": [_mount_brief(x) for x in read_only[:30]],
        "freezable": [x["target"] for x in mounts if mounts_parser.freezable(x)][:60],
        "note": "What the extension freezes (ext3/ext4/xfs/btrfs, not loop devices, minus MountsToSkip) and its "
                "df-based size step come from VMSnapshotLinux's source (azure-linux-extensions VMBackup).",
    }
    issues: list[_Issue] = []
    active_dups = sorted(t for t in duplicates if t not in skip)
    if active_dups:
        listed = ", ".join(active_dups)[:500]
        status = Status.INFO if freeze_off else Status.PROBLEM
        issues.append(_Issue(
            status,
            m("Mount points mounted more than once: {targets}.", targets=listed),
            why=m("Before the snapshot the backup extension freezes every ext3/ext4/xfs/btrfs mount point; a file "
                  "system mounted twice cannot be frozen a second time, so the freeze fails and so does the "
                  "file-system-consistent snapshot."),
            fix=[step("See every entry of the duplicated mount points.",
                      command=f"findmnt {shlex.quote(active_dups[0])}"),
                 step("Unmount the extra entry and remove the duplicate line from /etc/fstab (or rename the mount "
                      "path), then retry the backup.", command=f"sudo umount {shlex.quote(active_dups[0])}"),
                 step("If a mount point cannot be unmounted, tell the backup extension to skip it: add a "
                      "MountsToSkip line under [SnapshotThread] in /etc/azure/vmbackup.conf.",
                      command=f"MountsToSkip = {one_line(','.join(active_dups))[:500]}")],
            codes=[CODE_FREEZE],
        ))
    if remote:
        listed = ", ".join(f"{x['target']} ({x['fstype']})" for x in remote[:10])
        only_local = conf.get("only_local_filesystems") is True
        if only_local:
            issues.append(_Issue(
                Status.INFO,
                m("Network or FUSE file systems are mounted: {mounts}. They are not part of the backup, and "
                  "onlyLocalFilesystems is already set in /etc/azure/vmbackup.conf.", mounts=listed),
                why=m("Azure VM Backup backs up only the disks attached to the VM; shares mounted from elsewhere "
                      "are not included."),
            ))
        else:
            issues.append(_Issue(
                Status.WARNING,
                m("Network or FUSE file systems are mounted: {mounts}.", mounts=listed),
                why=m("They are not part of the backup (only disks attached to the VM are). The backup extension "
                      "measures every mounted file system with df and waits up to 300 seconds for it, so an "
                      "unreachable share delays the Take Snapshot phase or makes it time out."),
                fix=[step("Check that every share answers (this command hangs on an unreachable one).",
                          command="timeout 30 df -h"),
                     step("Let the extension measure only local file systems: add this line under [SnapshotThread] "
                          "in /etc/azure/vmbackup.conf.", command="onlyLocalFilesystems = True")],
            ))
    if containers:
        issues.append(_Issue(
            Status.INFO,
            m("Container (overlay) file systems are mounted: {count}.", count=len(containers)),
            why=m("They are not frozen themselves; the files behind them live on the VM's disks and are backed up "
                  "with them. Excluding Docker mount points from the backup is not supported."),
        ))
    if read_only:
        issues.append(_Issue(
            Status.INFO,
            m("Local file systems mounted read-only: {mounts}.",
              mounts=", ".join(x["target"] for x in read_only[:10])),
            why=m("Read-only file systems need no freeze and do not block the backup; if one turned read-only by "
                  "itself, it may have errors worth checking."),
        ))
    docs = [DOC_TS_VM, DOC_LINUX_APP, DOC_MATRIX]
    if issues:
        return _combine(issues, evidence, docs)
    frozen = [x for x in mounts if mounts_parser.freezable(x)]
    return Finding(Status.OK,
                   m("No duplicate mount point and no network or FUSE mount was found (local file systems to "
                     "freeze: {count}).", count=len(frozen)),
                   evidence=evidence)


# -- res.disk_layout ------------------------------------------------------------------------------

def _disk_label(disk: dict[str, Any], fallback: str) -> str:
    name = str(disk.get("name") or "")
    lun = str(disk.get("lun") or "")
    if name and lun:
        return f"{name} (LUN {lun})"
    return name or (f"LUN {lun}" if lun else fallback)


def check_disk_layout(ctx: CheckContext) -> Finding:
    off = not_applicable_off_azure(ctx)
    if off is not None:
        return off
    imds = ctx.fact("imds") or {}
    compute = imds.get("compute") if isinstance(imds, dict) else None
    if not (isinstance(imds, dict) and imds.get("ok")) or not isinstance(compute, dict):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the Instance Metadata Service did not answer ({error}), so the VM's disks "
                         "are unknown.", error=error_msg(imds if isinstance(imds, dict) else None,
                                                          N_("no answer"))),
                       evidence={"imds_outcome": (imds or {}).get("outcome"), "imds_status": (imds or {}).get("status"),
                                 "imds_error": (imds or {}).get("error")})
    os_value, data_value = compute.get("os_disk"), compute.get("data_disks")
    os_disk: dict[str, Any] = os_value if isinstance(os_value, dict) else {}
    raw_data: list[Any] = data_value if isinstance(data_value, list) else []
    data_disks = [d for d in raw_data if isinstance(d, dict)]
    evidence: dict[str, Any] = {
        "os_disk": os_disk,
        "data_disk_count": len(data_disks),
        "data_disks": data_disks[:64],
        "security_type": compute.get("security_type"),
        "vm_size": compute.get("vm_size"),
        "limits": {"max_data_disks": MAX_DATA_DISKS, "max_disk_gb": MAX_DISK_GB},
    }
    if not os_disk:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the Instance Metadata Service answer does not describe the VM's disks."),
                       evidence=evidence)
    disks = [("OS disk", os_disk)] + [(f"data disk {i}", d) for i, d in enumerate(data_disks)]
    issues: list[_Issue] = []
    if len(data_disks) > MAX_DATA_DISKS:
        issues.append(_Issue(
            Status.PROBLEM,
            m("The VM has {count} data disks; Azure VM Backup supports up to 32.", count=len(data_disks)),
            why=m("Azure VM Backup protects VMs with up to 32 data disks; a VM with more cannot be backed up as a "
                  "whole."),
            fix=[step("Detach the data disks you do not need in the backup, so that at most 32 remain.")],
        ))
    big = [(label, d) for label, d in disks if isinstance(d.get("size_gb"), int) and d["size_gb"] > MAX_DISK_GB]
    if big:
        issues.append(_Issue(
            Status.PROBLEM,
            m("Disks larger than 32 TB (32,767 GB) are attached: {disks}.",
              disks=", ".join(f"{_disk_label(d, label)}: {d['size_gb']} GB" for label, d in big)[:500]),
            why=m("Azure VM Backup supports disks of up to 32 TB each; the backup of a VM with a larger disk fails."),
            fix=[step("Split the data across disks of at most 32 TB, or back up the large disk another way.")],
            codes=[CODE_DISK_SIZE],
        ))
    shared = [(label, d) for label, d in disks if d.get("is_shared")]
    if shared:
        issues.append(_Issue(
            Status.PROBLEM,
            m("Shared disks are attached: {disks}.",
              disks=", ".join(_disk_label(d, label) for label, d in shared)[:500]),
            why=m("Azure VM Backup does not support VMs with shared disks; the backup job fails (the Japanese support "
                  "blog reports about 30 minutes after it starts)."),
            fix=[step("Detach the shared disks from this VM before it is backed up with Azure VM Backup.")],
            codes=[CODE_SHARED_DISK],
        ))
    if str(os_disk.get("diff_disk_option") or "").lower() == "local":
        issues.append(_Issue(
            Status.PROBLEM,
            m("The OS disk is an ephemeral OS disk (diffDiskSettings option Local)."),
            why=m("Azure VM Backup does not support VMs with an ephemeral OS disk: the OS disk lives on the host's "
                  "local storage and cannot be snapshotted."),
            fix=[step("To protect this VM with Azure VM Backup, recreate it with a managed (persistent) OS disk; "
                      "an ephemeral OS disk cannot be converted in place.")],
        ))
    special = [(label, d) for label, d in disks
               if d.get("is_ultra") or str(d.get("storage_type") or "") in ("UltraSSD_LRS", "PremiumV2_LRS")]
    if special:
        issues.append(_Issue(
            Status.INFO,
            m("Ultra or Premium SSD v2 disks are attached: {disks}.",
              disks=", ".join(_disk_label(d, label) for label, d in special)[:500]),
            why=m("Azure VM Backup protects VMs with Ultra disks or Premium SSD v2 disks only with an Enhanced "
                  "backup policy."),
            fix=[step("Check that the VM's backup policy is an Enhanced policy.")],
        ))
    security = str(compute.get("security_type") or "")
    if security.lower() in ("trustedlaunch", "confidentialvm"):
        issues.append(_Issue(
            Status.INFO,
            m("The VM's security type is {security_type}.", security_type=values.security_type(security)),
            why=m("Azure VM Backup protects Trusted Launch and Confidential VMs only with an Enhanced backup "
                  "policy."),
            fix=[step("Check that the VM's backup policy is an Enhanced policy.")],
        ))
    docs = [DOC_MATRIX, DOC_TS_AGENT]
    if issues:
        return _combine(issues, evidence, docs)
    sizes = [d["size_gb"] for _, d in disks if isinstance(d.get("size_gb"), int)]
    return Finding(Status.OK,
                   m("Data disks: {count}, largest disk {max_gb} GB. No shared disk, no ephemeral OS disk and no "
                     "disk over 32 TB.", count=len(data_disks), max_gb=max(sizes) if sizes else 0),
                   docs=[DOC_MATRIX], evidence=evidence)


CHECKS: list[Check] = [
    Check("res.cpu", BOTH, Component.GUEST, "CPU load", check_cpu, timeout_s=10.0, live_only=True, quiet=True),
    Check("res.memory", BOTH, Component.GUEST, "Memory use", check_memory, live_only=True),
    Check("res.disk", BOTH, Component.GUEST, "Free disk space", check_disk, live_only=True),
    Check("res.vss", WINDOWS, Component.GUEST, "VSS writers and services", check_vss, needs_admin=True,
          timeout_s=VSSADMIN_TIMEOUT_S + 15.0, live_only=True),
    Check("res.mounts", LINUX, Component.GUEST, "Mount points and file system freeze", check_mounts),
    Check("res.disk_layout", BOTH, Component.GUEST, "Disk layout (from IMDS)", check_disk_layout, timeout_s=12.0,
          live_only=True),
]
