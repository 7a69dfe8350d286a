"""`res.disk`: free space on the Windows system drive and on the Linux file systems the agent and the
extension use (and whether the agent's mount is `noexec` or read-only).
"""

from __future__ import annotations

import shlex
from typing import Any

from wizard.checks.base import CheckContext, Finding, m, step
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.res.common import (
    CODE_VSS_WRITER,
    LINUX_FREE_PROBLEM,
    LINUX_FULL_WARN,
    MOUNTS_MAX_BYTES,
    PROC_MOUNTS,
    WAAGENT_DIR,
    WINDOWS_FREE_PROBLEM,
    WINDOWS_FREE_WARN,
    WINDOWS_SYSTEM_DRIVE,
    _combine,
    _gb,
    _Issue,
    _mb,
    _num,
)
from wizard.model import Status, listed
from wizard.parsers import mounts as mounts_parser
from wizard.probes.base import Answer, is_unavailable

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
                         paths=listed(unreadable) or "/"),
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
