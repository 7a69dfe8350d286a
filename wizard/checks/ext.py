"""Backup extension checks (`ext.*`): the backup extension's last status, other extensions, pre/post scripts.

- `ext.backup`: VMSnapshotLinux (`/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-<ver>/
  status/<seq>.status`, whose real report is the JSON inside `substatus[0].name`) or VMSnapshot
  (`C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot\\<ver>\\Status\\<seq>.status`).
- `ext.others`: any other extension handler whose latest status is an error.
- `ext.prepost`: `/etc/azure` pre/post script configuration and `vmbackup.conf`.

The agent's folders are readable only by root (WALinuxAgent creates /var/lib/waagent with mode
0700) or Administrators, so these checks say `not_checked` when they cannot look.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

from wizard.checks import win_ext
from wizard.checks.base import (
    BOTH,
    LINUX,
    Check,
    CheckContext,
    Finding,
    doc_link,
    error_msg,
    file_not_in_bundle,
    m,
    step,
)
from wizard.checks.commands import sh
from wizard.checks.docs import LINUX_APP as DOC_LINUX_APP
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.win_files import read_with_retry, unreadable_reason
from wizard.i18n import N_
from wizard.knowledge import commands
from wizard.model import Component, DocLink, FixStep, Msg, Status, worst
from wizard.parsers.extstatus import (
    MAX_STATUS_BYTES,
    ExtCode,
    excerpt,
    ext_code,
    find_portal_codes,
    latest_status_file,
    parse_status_file,
    parse_vmsnapshot_status,
    scan_extension_log,
    split_handler_dir,
    version_key,
)
from wizard.parsers.prepost import (
    MAX_CONFIG_BYTES,
    MAX_TIMEOUT_S,
    mode_text,
    parse_plugin_config,
    parse_pluginhost_conf,
    parse_vmbackup_conf,
    plugin_config_mode_ok,
    pluginhost_mode_ok,
    script_mode_ok,
)
from wizard.probes.base import Answer, error_fields, is_unavailable

LINUX_LIB = "/var/lib/waagent"
LINUX_HANDLER = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
LINUX_AGENT_PREFIX = "WALinuxAgent"
LINUX_EXT_LOG = "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"
WIN_PLUGINS = "C:\\Packages\\Plugins"
WIN_HANDLER = "Microsoft.Azure.RecoveryServices.VMSnapshot"
WIN_AGGREGATE_STATUS = win_ext.AGGREGATE_DIR + "\\aggregatestatus.json"
WIN_HANDLER_STATE_KEYS = (
    "HKLM\\SOFTWARE\\Microsoft\\Windows Azure\\HandlerState",
    "HKLM\\SOFTWARE\\Microsoft\\WindowsAzure\\HandlerState",
)
ETC_AZURE = "/etc/azure"
PLUGIN_CONFIG = "/etc/azure/VMSnapshotScriptPluginConfig.json"
PLUGIN_CONFIG_OLD = "/etc/azure/VMSnapshotPluginConfig.json"
PLUGINHOST_CONF = "/etc/azure/VMSnapshotPluginHost.conf"
VMBACKUP_CONF = "/etc/azure/vmbackup.conf"

MAX_LOG_BYTES = 256 * 1024
MAX_OTHER_HANDLERS = 40
MAX_HANDLER_STATE_SUBKEYS = 3
PROVISIONING_CODES = ["UserErrorVmProvisioningStateFailed", "UserErrorVmNotInDesirableState"]
DERIVED_NOTE = ("The mapping of the extension's numeric codes to portal error codes is worked out from their names; "
                "no Microsoft source states it.")
HOST_STATUS_NOTES = {
    "555": "synthetic: the dosnapshot HTTP call failed (wrong WireServer IP)",
    "556": "synthetic: HTTP 500 without an error body",
    "557": "synthetic: HTTP 200/201 with an empty body",
    "558": "synthetic: exception during the dosnapshot call",
}

DOC_SNAPSHOT_LINUX = doc_link("VM Snapshot Linux extension for Azure Backup",
                         "https://learn.microsoft.com/azure/virtual-machines/extensions/vmsnapshot-linux")
DOC_SNAPSHOT_WINDOWS = doc_link("VM Snapshot Windows extension for Azure Backup",
                           "https://learn.microsoft.com/azure/virtual-machines/extensions/vmsnapshot-windows")


# -- reading the probe answers ---------------------------------------------------------------

def _looked(ans: Answer) -> str:
    """'unavailable', 'absent', 'failed' (exists but could not be read/listed) or 'present'."""
    if is_unavailable(ans):
        return "unavailable"
    error = str(ans.get("error") or "")
    if ans.get("exists"):
        if "readable" in ans and not ans.get("readable"):
            return "failed"
        if "entries" in ans and error:
            return "failed"
        return "present"
    if error and not re.search(r"no such file|not found|cannot find", error, re.IGNORECASE):
        return "failed"
    return "absent"


def _join(ctx: CheckContext, *parts: str) -> str:
    sep = "\\" if ctx.system == "windows" else "/"
    return sep.join(p.rstrip("\\/") for p in parts)


def _not_checked(ctx: CheckContext, path: str, ans: Answer, evidence: dict[str, Any]) -> Finding:
    """`not_checked` for a path we could not look at: probe missing, or not elevated, or another error."""
    evidence = {**evidence, "path": path, "error": str(ans.get("error") or "")}
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not look at {path} ({error}).",
                                             path=path, error=error_msg(ans)), evidence=evidence)
    if ctx.system == "windows" and unreadable_reason(ans) == "in_use":
        return Finding(Status.NOT_CHECKED, m("Not checked: {path} is in use by another program and could not be "
                                             "read, even after a second try (a sharing violation, not missing "
                                             "rights); run the wizard again in a moment.", path=path),
                       evidence={**evidence, "winerror": ans.get("winerror")})
    if ctx.is_admin is False and (ctx.system != "windows" or unreadable_reason(ans) != "other"):
        if ctx.system == "windows":
            return Finding(Status.NOT_CHECKED, m("Not checked: {path} can only be read by Administrators; run "
                                                 "the wizard as Administrator.", path=path), evidence=evidence)
        return Finding(Status.NOT_CHECKED, m("Not checked: {path} can only be read by root; run the wizard "
                                             "with sudo.", path=path), evidence=evidence)
    return Finding(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).", path=path,
                                         error=error_msg(ans)), evidence=evidence)


def _too_large(limit: int) -> dict[str, Any]:
    """The error of a file cut at the read limit, in the form `error_msg` reads."""
    return error_fields(N_("larger than {limit} bytes"), limit=limit)


def _entries(ans: Answer) -> list[dict[str, Any]]:
    raw = ans.get("entries")
    return [e for e in raw if isinstance(e, dict) and isinstance(e.get("name"), str)] if isinstance(raw, list) else []


def _iso(epoch: Any) -> str | None:
    if not isinstance(epoch, (int, float)) or isinstance(epoch, bool):
        return None
    try:
        return _dt.datetime.fromtimestamp(epoch, tz=_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


@dataclass
class _StatusFile:
    """The newest status file of a handler: where it is and what reading it gave."""

    path: str
    seq: int
    answer: Answer
    evidence: dict[str, Any] = field(default_factory=dict)


def _newest_status(ctx: CheckContext, status_dir: str, prefer_seq: int | None = None
                   ) -> tuple[_StatusFile | None, Answer]:
    """List a handler's status folder and read its highest-numbered `.status` file (or, when the
    handler names its current sequence number and that file is there, that one)."""
    listing = ctx.call("list_dir", path=status_dir)
    if _looked(listing) != "present":
        return None, listing
    names = [e["name"] for e in _entries(listing) if not e.get("is_dir")]
    latest = latest_status_file(names)
    if latest is None:
        return None, listing
    if prefer_seq is not None and prefer_seq != latest[1]:
        wanted = f"{prefer_seq}.status"
        match = next((n for n in names if n.lower() == wanted), None)
        if match is not None:
            latest = (match, prefer_seq)
    path = _join(ctx, status_dir, latest[0])
    answer = read_with_retry(ctx, path, MAX_STATUS_BYTES) if ctx.system == "windows" else ctx.call(
        "read_file", path=path, max_bytes=MAX_STATUS_BYTES)
    evidence = {"status_file": path, "sequence_number": latest[1], "size": answer.get("size"),
                "mtime": _iso(answer.get("mtime")), "status_files_in_folder": len(names)}
    return _StatusFile(path, latest[1], answer, evidence), listing


# -- ext.backup -------------------------------------------------------------------------------

def _cause(code: ExtCode, log_mounts: list[str]) -> tuple[Msg, list[FixStep], list[DocLink]]:
    """Why a Linux backup extension code breaks the backup, and what to do (one entry per category)."""
    cat = code.category
    if cat == "fsfreeze":
        return (
            m("The backup extension could not freeze one or more file systems (fsfreeze) for a file-system "
              "consistent snapshot, so the Take Snapshot phase failed. Typical causes are an unclean file "
              "system, a mount that cannot be frozen, or the same mount point mounted twice."),
            [step("Find the mount points that failed to freeze in the extension log (lines such as "
                  "\"Failed to FITHAW\"; the evidence lists those found: {mounts}).",
                  command="sudo grep -E 'Failed to (FITHAW|FIFREEZE|open)' " + LINUX_EXT_LOG,
                  mounts=", ".join(log_mounts) or "-"),
             step("Check whether a failing mount point is mounted more than once and remove the duplicate "
                  "entry.", command="findmnt --list"),
             step("Repair an unclean file system: unmount it, check it and mount it again.",
                  command="sudo umount <mount point> && sudo fsck <device> && sudo mount <mount point>"),
             step("If a mount point cannot be frozen, skip it in /etc/azure/vmbackup.conf, section "
                  "[SnapshotThread].", command="MountsToSkip = /mnt/resource")],
            [DOC_TS_VM],
        )
    if cat == "mount":
        return (
            m("The backup extension could not open one or more mount points (for example a stale network "
              "mount), so the Take Snapshot phase failed."),
            [step("List the mount points and look for ones that hang or fail, such as stale NFS or CIFS "
                  "mounts.", command="findmnt --list"),
             step("Unmount or repair the mount points that cannot be opened, then start an on-demand backup.",
                  command="sudo umount <mount point>")],
            [DOC_TS_VM],
        )
    if cat == "network":
        return (
            m("The backup extension could not reach the Wire Server (168.63.129.16) to take or report the "
              "snapshot; an in-guest firewall rule or a proxy usually blocks it."),
            [step("As root, check that the Wire Server answers without a proxy.",
                  command=commands.LINUX_WIRESERVER_TEST),
             step("Make sure no in-guest firewall rule or proxy blocks 168.63.129.16 on ports 80 and 32526 "
                  "(see the network results of this report).")],
            [DOC_TS_AGENT],
        )
    if cat == "snapshot_limit":
        return (
            m("A disk of this VM already has too many blob snapshots (for example because of soft delete or "
              "Azure Site Recovery), so no new snapshot could be taken."),
            [step("Delete disk blob snapshots that are not needed (only snapshot blobs, never the disk blob)."),
             step("If soft delete is enabled on the disks' storage accounts, shorten its retention so fewer "
                  "snapshots are kept."),
             step("If Azure Site Recovery protects this VM, set isanysnapshotfailed to False in "
                  "/etc/azure/vmbackup.conf and schedule replication away from the backup time.",
                  command="isanysnapshotfailed = False")],
            [DOC_TS_VM],
        )
    if cat == "safefreeze":
        return (
            m("The backup extension's freeze helper (main/safefreeze/bin/safefreeze) is missing from its "
              "folder, so it cannot freeze the file systems: the extension's installation is incomplete."),
            [step("Uninstall the backup extension; the next backup installs a fresh copy.",
                  command="Remove-AzVMExtension -ResourceGroupName <resource group> -VMName <VM name> "
                          "-Name VMSnapshotLinux"),
             step("Start an on-demand backup.")],
            [DOC_TS_VM],
        )
    if cat == "prepost":
        return (
            m("A pre- or post-script step of the application-consistent backup failed ({error_name}); the "
              "backup then falls back to file-system consistency or fails, depending on "
              "continueBackupOnFailure.", error_name=code.prepost_name or code.name),
            [step("Check the pre/post script configuration (see the pre/post script result of this report)."),
             step("Run the pre-script by hand as root to see its error.", command="sudo sh <pre-script path>")],
            [DOC_LINUX_APP],
        )
    if cat == "too_late":
        return (
            m("The VM agent started the backup command too late, after Azure Backup had stopped waiting; "
              "usually the VM agent was delayed or the VM was too busy (high CPU or memory use)."),
            [step("Check CPU and memory use and the VM agent's health (see the other results of this report), "
                  "then start an on-demand backup.")],
            [DOC_TS_AGENT],
        )
    if cat == "workload":
        return (
            m("A database workload step of the backup extension (configured in /etc/azure/workload.conf) "
              "failed."),
            [step("Check /etc/azure/workload.conf and that the database is running, then start an on-demand "
                  "backup.", command="sudo cat /etc/azure/workload.conf")],
            [DOC_TS_VM],
        )
    if cat == "certificate":
        return (
            m("The backup extension could not find the VM agent's certificate that it needs to read its "
              "protected settings."),
            [step("Restart the VM agent so that it fetches its certificates again, then start an on-demand "
                  "backup.", command="sudo systemctl restart walinuxagent || sudo systemctl restart waagent")],
            [DOC_TS_AGENT],
        )
    if cat == "host":
        return (
            m("The host-side snapshot failed with a server error; the cause is on the Azure side, not inside "
              "the VM."),
            [step("Start an on-demand backup; if it fails again, contact Azure support with this report.")],
            [DOC_TS_VM],
        )
    if cat == "rate":
        return (
            m("Snapshot requests were throttled because there were too many in a short time; the next attempt "
              "usually succeeds."),
            [step("Start an on-demand backup; if it fails again, contact Azure support with this report.")],
            [DOC_TS_VM],
        )
    return (
        m("The backup extension reported an error that this wizard has no specific explanation for."),
        [step("Start an on-demand backup; if it fails again, contact Azure support with this report.")],
        [DOC_TS_VM],
    )


def _success(consistency: str | None, time: str, version: str) -> Finding:
    if consistency == "applicationConsistent":
        return Finding(Status.OK, m("The last backup snapshot ({time}) succeeded and is application-consistent "
                                    "(backup extension {version}).", time=time, version=version))
    if consistency == "fileSystemConsistent":
        return Finding(Status.OK, m("The last backup snapshot ({time}) succeeded and is file-system consistent "
                                    "(backup extension {version}).", time=time, version=version))
    if consistency == "crashConsistent":
        return Finding(
            Status.INFO,
            m("The last backup snapshot ({time}) succeeded but is only crash-consistent (backup extension "
              "{version}).", time=time, version=version),
            why=m("A crash-consistent snapshot holds only what was on disk at that moment; on a running VM this "
                  "usually means the file systems or applications could not be quiesced."),
            docs=[DOC_TS_VM],
        )
    return Finding(Status.OK, m("The last backup snapshot ({time}) succeeded (backup extension {version}).",
                                time=time, version=version))


def _malformed(path: str, parsed: dict[str, Any], answer: Answer, windows: bool,
               evidence: dict[str, Any]) -> Finding:
    evidence = {**evidence, "parse_error": parsed.get("error"), "excerpt": excerpt(answer.get("text") or ""),
                "agent_error_text": "The extension status must be an array"}
    return Finding(
        Status.WARNING,
        m("Could not read the backup extension's status file {path}: {error}.", path=path,
          error=error_msg(parsed)),
        why=m("The VM agent cannot use a malformed status file and reports the extension as failed, which "
              "can fail the Take Snapshot phase."),
        fix=[step("Start an on-demand backup; the extension then writes a new status file."),
             step("If the file stays malformed, uninstall the backup extension so that the next backup "
                  "installs a fresh copy.",
                  command="Remove-AzVMExtension -ResourceGroupName <resource group> -VMName <VM name> -Name "
                          + ("VMSnapshot" if windows else "VMSnapshotLinux"))],
        docs=[DOC_TS_VM],
        evidence=evidence,
    )


def _not_installed(handler: str, windows: bool, evidence: dict[str, Any]) -> Finding:
    return Finding(
        Status.INFO,
        m("The backup extension {handler} is not installed yet; Azure Backup installs it with the first backup "
          "of this VM.", handler=handler),
        why=m("This is normal before the first backup. If backups have already run and failed, the VM agent "
              "could not install the extension: see the VM agent and Wire Server results."),
        docs=[DOC_SNAPSHOT_WINDOWS if windows else DOC_SNAPSHOT_LINUX, DOC_TS_AGENT],
        evidence=evidence,
    )


def _installed_no_status(handler: str, version: str, evidence: dict[str, Any]) -> Finding:
    return Finding(Status.INFO, m("The backup extension {handler} {version} is installed but has not written a "
                                  "status yet.", handler=handler, version=version), evidence=evidence)


def _report_evidence(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("status", "status_raw", "code", "operation", "timestamp", "message", "task_id", "health_code",
            "health_state", "ext_error_code", "consistency", "consistency_source", "snapshots",
            "host_status_code_do_snapshot", "extension_version", "telemetry")
    return {k: report[k] for k in keys if k in report}


WINDOWS_HEALTH_NOTE = ("The Windows backup extension's vmHealthInfo is read as the Linux extension's (green 0, "
                       "yellow 128, red 256); that the two share it is not confirmed by public documentation.")


def _windows_health(report: dict[str, Any]) -> tuple[str, int | str] | None:
    """(colour, code) when a Windows status carries a yellow or red vmHealthInfo, else None."""
    state = report.get("health_state")
    if not isinstance(state, int) or isinstance(state, bool) or state == 0:
        return None
    colour = {128: "yellow", 256: "red"}.get(state, str(state))
    code = report.get("health_code")
    return colour, code if isinstance(code, int) and not isinstance(code, bool) else "-"


def _judge(report: dict[str, Any], linux: bool, version: str, time: str,
           log: dict[str, Any], evidence: dict[str, Any]) -> Finding:
    """Turn the (inner) report into a finding."""
    status = report.get("status")
    message = str(report.get("message") or "")[:300]
    code = report.get("health_code") if linux else None
    info = ext_code(code) if isinstance(code, int) else None
    windows_health = _windows_health(report) if not linux else None
    if windows_health is not None:
        evidence["health_note"] = WINDOWS_HEALTH_NOTE
        if status == "success":
            return Finding(
                Status.WARNING,
                m("The last backup snapshot ({time}) succeeded, but the backup extension reported health state "
                  "{colour} (code {code}).", time=time, colour=windows_health[0], code=windows_health[1]),
                why=m("The backup extension reports a health state besides its result; yellow or red means the "
                      "snapshot was taken with problems (for example without application consistency) or the next "
                      "one may fail."),
                fix=[step("Look the code up in the evidence and in the backup job's details in the portal, and check "
                          "the other results of this report (VSS, agent, network)."),
                     step("Start an on-demand backup; if the health stays yellow or red, contact Azure support with "
                          "this report.")],
                docs=[DOC_TS_VM, DOC_SNAPSHOT_WINDOWS], evidence=evidence)
    if info is not None:
        evidence["health_code_name"] = info.name
        evidence["health_colour"] = info.health
        if info.portal_codes:
            evidence["portal_code_note"] = DERIVED_NOTE
    if status == "transitioning":
        return Finding(Status.INFO, m("The backup extension {version} is running right now (status: "
                                      "transitioning, since {time}).", version=version, time=time),
                       evidence=evidence)
    if status == "success":
        if info is None or info.is_success:
            found = _success(report.get("consistency"), time, version)
            found.evidence = evidence
            return found
        why, fix, docs = _cause(info, log.get("mounts") or [])
        return Finding(
            Status.WARNING,
            m("The last backup snapshot ({time}) succeeded, but the backup extension reported code {code} "
              "({name}).", time=time, code=info.number, name=info.name),
            why=why, fix=fix, docs=docs, error_codes=list(info.portal_codes), evidence=evidence,
        )
    if status == "warning":
        why_w, fix_w, docs_w = _cause(info, log.get("mounts") or []) if info and not info.is_success else (
            None, [], [DOC_TS_VM])
        return Finding(
            Status.WARNING,
            m("The backup extension's last run ({time}) reported a warning: {message}", time=time,
              message=message or "-"),
            why=why_w, fix=fix_w, docs=docs_w,
            error_codes=list(info.portal_codes) if info else find_portal_codes(message),
            evidence=evidence,
        )
    if info is not None and not info.is_success:
        why, fix, docs = _cause(info, log.get("mounts") or [])
        return Finding(
            Status.PROBLEM,
            m("The backup extension's last run ({time}) failed with code {code} ({name}).", time=time,
              code=info.number, name=info.name),
            why=why, fix=fix, docs=docs, error_codes=list(info.portal_codes), evidence=evidence,
        )
    codes = find_portal_codes(message)
    evidence["portal_codes_in_message"] = codes
    return Finding(
        Status.PROBLEM,
        m("The backup extension's last run ({time}) failed: {message}", time=time, message=message or "-"),
        why=m("The backup extension reported an error, so the Take Snapshot phase of that backup failed."),
        fix=[step("Look the error code or message up in the troubleshooting article, or in the evidence below."),
             step("Start an on-demand backup; if it fails again, contact Azure support with this report.")],
        docs=[DOC_TS_VM, DOC_TS_AGENT],
        error_codes=codes,
        evidence=evidence,
    )


def _evaluate_status(ctx: CheckContext, handler: str, version: str, status: _StatusFile,
                     evidence: dict[str, Any], log: dict[str, Any]) -> Finding:
    linux = ctx.system != "windows"
    evidence.update(status.evidence)
    ans = status.answer
    state = _looked(ans)
    if state != "present":
        return _not_checked(ctx, status.path, ans, evidence)
    if ans.get("truncated"):
        return _malformed(status.path, _too_large(MAX_STATUS_BYTES), ans, not linux, evidence)
    parsed = parse_vmsnapshot_status(str(ans.get("text") or ""))
    outer = parsed["outer"]
    if parsed["error"]:
        return _malformed(status.path, parsed, ans, not linux, evidence)
    if outer.get("empty"):
        evidence["note"] = "the status file holds an empty array"
        return _installed_no_status(handler, version, evidence)
    inner = parsed["inner"]
    evidence["outer_status"] = {k: outer.get(k) for k in ("status", "code", "operation", "timestamp", "message",
                                                          "health_code", "health_state", "substatus_name")
                                if k in outer}
    if inner is not None:
        evidence["inner_report"] = _report_evidence(inner)
        report = inner
    else:
        evidence["inner_report"] = None
        if linux:
            evidence["note"] = ("no inner report in substatus[0].name; the outer status is used (it is only "
                                "forced to success when the inner report is written)")
        else:
            evidence["layout_note"] = ("read as a plain handler status (no JSON report inside substatus[0].name); "
                                       "the layout of a real Windows VMSnapshot status file is not confirmed by "
                                       "public documentation")
        report = outer
    host_code = str(report.get("host_status_code_do_snapshot") or "")
    if host_code in HOST_STATUS_NOTES:
        evidence["host_status_code_note"] = HOST_STATUS_NOTES[host_code]
    time = report.get("timestamp") or outer.get("timestamp") or status.evidence.get("mtime") or "-"
    shown_version = str(report.get("extension_version") or version)
    return _judge(report, linux, shown_version, str(time), log, evidence)


def _version_dirs(entries: list[dict[str, Any]], handler: str, windows: bool) -> list[tuple[str, str]]:
    """(version, folder name) of the handler's installed versions, newest first."""
    found: list[tuple[str, str]] = []
    for e in entries:
        if not e.get("is_dir"):
            continue
        name = e["name"]
        if windows:
            if re.fullmatch(r"\d+(?:\.\d+){0,5}", name):
                found.append((name, name))
            continue
        split = split_handler_dir(name)
        if split and split[0] == handler:
            found.append((split[1], name))
    return sorted(found, key=lambda v: version_key(v[0]), reverse=True)


def _linux_log(ctx: CheckContext) -> dict[str, Any]:
    ans = ctx.call("read_file", path=LINUX_EXT_LOG, max_bytes=MAX_LOG_BYTES)
    out: dict[str, Any] = {"path": LINUX_EXT_LOG, "state": _looked(ans)}
    if out["state"] == "present":
        out.update(scan_extension_log(str(ans.get("text") or "")))
        out["read_bytes_max"] = MAX_LOG_BYTES
    elif ans.get("error"):
        out["error"] = str(ans.get("error"))[:300]
    return out


def _backup_linux(ctx: CheckContext) -> Finding:
    listing = ctx.call("list_dir", path=LINUX_LIB)
    evidence: dict[str, Any] = {"handler": LINUX_HANDLER, "lib_dir": LINUX_LIB}
    state = _looked(listing)
    if state in ("unavailable", "failed"):
        return _not_checked(ctx, LINUX_LIB, listing, evidence)
    if ctx.absent_from_bundle(listing):
        return file_not_in_bundle(LINUX_LIB, evidence)
    if state == "absent":
        return Finding(Status.INFO, m("The extension folder {path} does not exist, so no backup extension is "
                                      "installed; the VM agent results tell whether the agent itself is there.",
                                      path=LINUX_LIB), evidence=evidence)
    versions = _version_dirs(_entries(listing), LINUX_HANDLER, windows=False)
    evidence["installed_versions"] = [v for v, _ in versions][:10]
    if not versions:
        return _not_installed(LINUX_HANDLER, False, evidence)
    version, folder = versions[0]
    handler_dir = _join(ctx, LINUX_LIB, folder)
    evidence["handler_dir"] = handler_dir
    log = _linux_log(ctx)
    evidence["extension_log"] = log
    status_dir = _join(ctx, handler_dir, "status")
    status, dir_answer = _newest_status(ctx, status_dir)
    if status is None:
        if _looked(dir_answer) in ("unavailable", "failed"):
            return _not_checked(ctx, status_dir, dir_answer, evidence)
        return _installed_no_status(LINUX_HANDLER, version, evidence)
    return _evaluate_status(ctx, LINUX_HANDLER, version, status, evidence, log)


def _handler_state_evidence(ctx: CheckContext, handler: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in WIN_HANDLER_STATE_KEYS:
        ans = ctx.call("registry", key=key, value=None)
        entry: dict[str, Any] = {"key": key, "exists": ans.get("exists"), "unavailable": is_unavailable(ans)}
        raw_subkeys = ans.get("subkeys")
        subkeys: list[Any] = raw_subkeys if isinstance(raw_subkeys, list) else []
        mine = [s for s in subkeys if isinstance(s, str) and s.lower().startswith(handler.lower() + "_")]
        entry["subkeys"] = []
        for sub in mine[:MAX_HANDLER_STATE_SUBKEYS]:
            values = ctx.call("registry", key=key + "\\" + sub, value=None)
            raw_values = values.get("values")
            raw: dict[str, Any] = raw_values if isinstance(raw_values, dict) else {}
            entry["subkeys"].append({"name": sub, "values": {str(k)[:100]: excerpt(str(v), 300)
                                                             for k, v in list(raw.items())[:30]}})
        out.append(entry)
    return out


def _backup_windows(ctx: CheckContext) -> Finding:
    base = _join(ctx, WIN_PLUGINS, WIN_HANDLER)
    listing = ctx.call("list_dir", path=base)
    evidence: dict[str, Any] = {"handler": WIN_HANDLER, "handler_root": base}
    state = _looked(listing)
    if state in ("unavailable", "failed"):
        return _not_checked(ctx, base, listing, evidence)
    if ctx.absent_from_bundle(listing):
        return file_not_in_bundle(base, evidence)
    evidence["aggregate_status"] = win_ext.aggregate_status(ctx, WIN_HANDLER)
    evidence["handler_state"] = _handler_state_evidence(ctx, WIN_HANDLER)
    evidence["handler_state_note"] = ("which HandlerState key is authoritative (\"Windows Azure\" or "
                                      "\"WindowsAzure\") is not confirmed by public documentation; both are read")
    versions = _version_dirs(_entries(listing), WIN_HANDLER, windows=True) if state == "present" else []
    evidence["installed_versions"] = [v for v, _ in versions][:10]
    if not versions:
        return _not_installed(WIN_HANDLER, True, evidence)
    version, folder = versions[0]
    package_dir = _join(ctx, base, folder)
    seq = win_ext.sequence_number(ctx, package_dir)
    evidence["seq_number_file"] = seq
    log = win_ext.extension_log(ctx, WIN_HANDLER, version)
    evidence["extension_log"] = log
    status_dir = _join(ctx, package_dir, "Status")
    status, dir_answer = _newest_status(ctx, status_dir, prefer_seq=seq.get("seq"))
    if status is None:
        if _looked(dir_answer) in ("unavailable", "failed"):
            return _not_checked(ctx, status_dir, dir_answer, evidence)
        return _installed_no_status(WIN_HANDLER, version, evidence)
    found = _evaluate_status(ctx, WIN_HANDLER, version, status, evidence, {})
    if found.status in (Status.PROBLEM, Status.WARNING) and log.get("portal_codes"):
        found.error_codes = list(dict.fromkeys([*found.error_codes, *log["portal_codes"]]))
    return found


def check_backup(ctx: CheckContext) -> Finding:
    if ctx.system == "windows":
        return _backup_windows(ctx)
    return _backup_linux(ctx)


# -- ext.others -------------------------------------------------------------------------------

def _other_handlers(ctx: CheckContext, entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(handler name, version, handler folder) of the newest version of each other Linux handler."""
    newest: dict[str, tuple[str, str]] = {}
    for e in entries:
        if not e.get("is_dir"):
            continue
        split = split_handler_dir(e["name"])
        if not split or split[0] == LINUX_HANDLER or split[0].startswith(LINUX_AGENT_PREFIX):
            continue
        name, version = split
        if name not in newest or version_key(version) > version_key(newest[name][0]):
            newest[name] = (version, e["name"])
    return [(n, v, _join(ctx, LINUX_LIB, folder)) for n, (v, folder) in sorted(newest.items())]


def _one_other(ctx: CheckContext, name: str, version: str, status_dir: str) -> dict[str, Any]:
    """What the newest status file of one handler says."""
    item: dict[str, Any] = {"handler": name, "version": version}
    status, dir_answer = _newest_status(ctx, status_dir)
    if status is None:
        looked = _looked(dir_answer)
        item["state"] = "unreadable" if looked in ("unavailable", "failed") else "no_status"
        if looked in ("unavailable", "failed"):
            item["error"] = str(dir_answer.get("error") or "")[:200]
        return item
    item["status_file"] = status.path
    item["mtime"] = status.evidence.get("mtime")
    if _looked(status.answer) != "present":
        item["state"] = "unreadable"
        item["error"] = str(status.answer.get("error") or "")[:200]
        return item
    if status.answer.get("truncated"):
        item.update(state="malformed", error=_too_large(MAX_STATUS_BYTES)["error"])
        return item
    parsed = parse_status_file(str(status.answer.get("text") or ""))
    if not parsed["ok"]:
        item.update(state="malformed", error=parsed["error"], excerpt=excerpt(status.answer.get("text") or "", 500))
        return item
    if parsed.get("empty"):
        item["state"] = "no_status"
        return item
    item.update(state=parsed["status"], code=parsed.get("code"), operation=parsed.get("operation"),
                message=parsed.get("message"), timestamp=parsed.get("timestamp"))
    return item


def check_others(ctx: CheckContext) -> Finding:
    windows = ctx.system == "windows"
    root = WIN_PLUGINS if windows else LINUX_LIB
    listing = ctx.call("list_dir", path=root)
    evidence: dict[str, Any] = {"root": root}
    state = _looked(listing)
    if state in ("unavailable", "failed"):
        return _not_checked(ctx, root, listing, evidence)
    if ctx.absent_from_bundle(listing):
        return file_not_in_bundle(root, evidence)
    if state == "absent":
        return Finding(Status.OK, m("No other VM extensions are installed ({path} does not exist).", path=root),
                       evidence=evidence)
    handlers: list[tuple[str, str, str]] = []
    if windows:
        names = sorted(e["name"] for e in _entries(listing)
                       if e.get("is_dir") and e["name"].lower() != WIN_HANDLER.lower())
        for name in names[:MAX_OTHER_HANDLERS]:
            versions_answer = ctx.call("list_dir", path=_join(ctx, root, name))
            versions = _version_dirs(_entries(versions_answer), name, windows=True)
            if versions:
                handlers.append((name, versions[0][0], _join(ctx, root, name, versions[0][1])))
        evidence["skipped"] = max(0, len(names) - MAX_OTHER_HANDLERS)
    else:
        found = _other_handlers(ctx, _entries(listing))
        handlers = found[:MAX_OTHER_HANDLERS]
        evidence["skipped"] = max(0, len(found) - MAX_OTHER_HANDLERS)
    items = [_one_other(ctx, name, version, _join(ctx, folder, "Status" if windows else "status"))
             for name, version, folder in handlers]
    evidence["extensions"] = items
    if not items:
        return Finding(Status.OK, m("No other VM extensions are installed."), evidence=evidence)
    failing = [i for i in items if i["state"] in ("error", "malformed")]
    unreadable = [i for i in items if i["state"] == "unreadable"]
    if failing:
        if any(i["state"] == "malformed" for i in failing):
            evidence["note"] = ("a malformed status file is reported by the Linux agent as an extension error "
                                "(\"The extension status must be an array\"); the Windows agent's handling is "
                                "not confirmed by public documentation")
        names_text = ", ".join(f"{i['handler']} {i['version']}" for i in failing)
        return Finding(
            Status.WARNING,
            m("Other VM extensions in an error state ({count}): {names}.", count=len(failing), names=names_text),
            why=m("An extension in an error state puts the VM in a failed provisioning state, and Azure Backup "
                  "can then fail with UserErrorVmProvisioningStateFailed."),
            fix=[step("Read each extension's message in the evidence to find its cause."),
                 step("In the Azure portal, open the VM's \"Extensions + applications\" page, repair or uninstall "
                      "the failed extensions, and check that the VM's provisioning state is Succeeded.")],
            docs=[DOC_TS_VM],
            error_codes=list(PROVISIONING_CODES),
            evidence=evidence,
        )
    if len(unreadable) == len(items):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not read the status of any of the {count} other "
                                             "VM extensions.", count=len(items)), evidence=evidence)
    return Finding(Status.OK, m("No other VM extension reports an error ({count} checked).",
                                count=len(items) - len(unreadable)), evidence=evidence)


# -- ext.prepost ------------------------------------------------------------------------------

@dataclass
class _Issue:
    """One finding about the pre/post configuration; the check reports the worst and lists all."""

    status: Status
    summary: Msg
    why: Msg | None = None
    fix: list[FixStep] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    escalates: bool = False  # becomes a problem when continueBackupOnFailure is false


def _owner_mode_issue(kind: str, path: str, st: Answer) -> _Issue | None:
    uid, mode = st.get("uid"), st.get("mode")
    if not isinstance(mode, int) or isinstance(mode, bool) or not isinstance(uid, int):
        return None
    mode_s = mode_text(mode)
    if kind == "config":
        if uid == 0 and plugin_config_mode_ok(mode):
            return None
        return _Issue(
            Status.WARNING,
            m("{path} has owner uid {uid} and mode {mode}; the backup extension requires owner root and mode 600 "
              "(no access for group and others, not executable).", path=path, uid=uid, mode=mode_s),
            why=m("The backup extension refuses a configuration file with other owners or permissions, so the "
                  "pre/post scripts do not run and the backup is not application-consistent."),
            fix=[step("Make root the owner of the configuration file and set mode 600.",
                      command=f"sudo chown root:root {sh(path)} && sudo chmod 600 {sh(path)}")],
            codes=["IncorrectJSONConfigFile"], escalates=True)
    if kind == "pluginhost":
        if uid == 0 and pluginhost_mode_ok(mode):
            return None
        return _Issue(
            Status.WARNING,
            m("{path} has owner uid {uid} and mode {mode}; the backup extension requires owner root and at most "
              "read permission for group and others.", path=path, uid=uid, mode=mode_s),
            why=m("The backup extension refuses a plug-in host file with other owners or permissions, so the "
                  "pre/post scripts do not run and the backup is not application-consistent."),
            fix=[step("Make root the owner of the plug-in host file and set mode 644 or stricter.",
                      command=f"sudo chown root:root {sh(path)} && sudo chmod 644 {sh(path)}")],
            codes=["IncorrectPluginhostFile"])
    if uid == 0 and script_mode_ok(mode):
        return None
    pre = kind == "pre"
    return _Issue(
        Status.WARNING,
        m("The pre-script {path} has owner uid {uid} and mode {mode}; the backup extension requires owner root "
          "and no permissions for group and others (the documentation asks for 700).", path=path, uid=uid,
          mode=mode_s) if pre else
        m("The post-script {path} has owner uid {uid} and mode {mode}; the backup extension requires owner root "
          "and no permissions for group and others (the documentation asks for 700).", path=path, uid=uid,
          mode=mode_s),
        why=m("The backup extension does not run a script with other owners or permissions, so the backup is "
              "not application-consistent."),
        fix=[step("Make root the owner of the script and set mode 700.",
                  command=f"sudo chown root:root {sh(path)} && sudo chmod 700 {sh(path)}")],
        codes=["InsufficientPermissionforPre-Script" if pre else "InsufficientPermissionforPost-Script"],
        escalates=True)


def _script_issues(ctx: CheckContext, which: str, path: str | None, config: str,
                   evidence: dict[str, Any]) -> list[_Issue]:
    pre = which == "pre"
    code = "Pre-ScriptNotFound" if pre else "Post-ScriptNotFound"
    entry: dict[str, Any] = {"path": path}
    evidence[which + "_script"] = entry
    fix = [step("Put the script's absolute path into the configuration file, or create the script there.")]
    why = m("The backup extension cannot run a script it cannot find, so the backup is not application-"
            "consistent.")
    if not path:
        summary = (m("The configuration {config} names no pre-script (preScriptLocation is empty).", config=config)
                   if pre else
                   m("The configuration {config} names no post-script (postScriptLocation is empty).",
                     config=config))
        return [_Issue(Status.WARNING, summary, why, fix, [code], escalates=True)]
    if not path.startswith("/"):
        return [_Issue(Status.WARNING,
                       m("The script path {path} in {config} is not absolute; the backup extension looks it up "
                         "from its own folder, so it is most likely not found.", path=path, config=config),
                       why, fix, [code], escalates=True)]
    st = ctx.call("stat", path=path)
    state = _looked(st)
    entry.update(state=state, uid=st.get("uid"), mode=mode_text(st.get("mode")), is_file=st.get("is_file"))
    if state in ("unavailable", "failed"):
        entry["error"] = str(st.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not look at the script {path} ({error}).",
                                             path=path, error=error_msg(st)))]
    if state == "absent" or not st.get("is_file"):
        summary = (m("The pre-script named in {config} does not exist: {path}.", config=config, path=path) if pre
                   else m("The post-script named in {config} does not exist: {path}.", config=config, path=path))
        return [_Issue(Status.WARNING, summary, why, fix, [code], escalates=True)]
    issue = _owner_mode_issue(which, path, st)
    return [issue] if issue else []


def _config_issues(ctx: CheckContext, path: str, expected_by_host: bool,
                   evidence: dict[str, Any]) -> tuple[list[_Issue], dict[str, Any] | None]:
    """Issues of one plug-in config file, and its parsed content (None when absent or unreadable)."""
    entry: dict[str, Any] = {"path": path}
    evidence.setdefault("plugin_configs", []).append(entry)
    st = ctx.call("stat", path=path)
    state = _looked(st)
    entry.update(state=state, uid=st.get("uid"), mode=mode_text(st.get("mode")))
    if state in ("unavailable", "failed"):
        entry["error"] = str(st.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not look at {path} ({error}).", path=path,
                                             error=error_msg(st)))], None
    if state == "absent":
        if not expected_by_host:
            return [], None
        return [_Issue(Status.WARNING,
                       m("The plug-in host file {host} names the configuration {path}, which does not exist.",
                         host=PLUGINHOST_CONF, path=path),
                       m("Without its configuration file the backup extension runs no pre/post scripts, so the "
                         "backup is not application-consistent."),
                       [step("Create the configuration file from the documentation's template, or correct "
                             "pluginConfigPath0 in the plug-in host file.")],
                       ["IncorrectJSONConfigFile"])], None
    issues: list[_Issue] = []
    owner = _owner_mode_issue("config", path, st)
    if owner:
        issues.append(owner)
    ans = ctx.call("read_file", path=path, max_bytes=MAX_CONFIG_BYTES)
    if _looked(ans) != "present":
        entry["read_error"] = str(ans.get("error") or "")[:200]
        issues.append(_Issue(Status.NOT_CHECKED,
                             m("Not checked: {path} exists but could not be read ({error}); run the wizard as "
                               "root.", path=path, error=error_msg(ans)) if ctx.is_admin is False else
                             m("Not checked: could not read {path} ({error}).", path=path,
                               error=error_msg(ans))))
        return issues, None
    parsed = parse_plugin_config(str(ans.get("text") or ""))
    broken_fix = [step("Replace the file with the template from the documentation and fill it in again.")]
    broken_why = m("The backup extension cannot load this configuration, so the pre/post scripts do not run and "
                   "the backup is not application-consistent.")
    if ans.get("truncated") or not parsed["ok"]:
        problem = _too_large(MAX_CONFIG_BYTES) if ans.get("truncated") else parsed
        entry["parse_error"] = problem["error"]
        entry["excerpt"] = excerpt(ans.get("text") or "", 300)
        issues.append(_Issue(Status.WARNING, m("The pre/post script configuration {path} is not valid JSON "
                                               "({error}).", path=path, error=error_msg(problem)),
                             broken_why, broken_fix, ["IncorrectJSONConfigFile"]))
        return issues, None
    entry.update({k: parsed[k] for k in ("keys", "pre_script", "post_script", "timeout", "continue_on_failure",
                                         "fs_freeze_enabled", "plugin_name", "pre_params_count",
                                         "post_params_count", "missing", "invalid")})
    for key in parsed["missing"]:
        issues.append(_Issue(Status.WARNING, m("The pre/post script configuration {path} lacks the required key "
                                               "{key}.", path=path, key=key),
                             broken_why, broken_fix, ["IncorrectJSONConfigFile"]))
    for key, value in parsed["invalid"].items():
        issues.append(_Issue(Status.WARNING, m("The value of {key} in {path} is not valid: {value}.", key=key,
                                               path=path, value=str(value)),
                             broken_why, broken_fix, ["IncorrectJSONConfigFile"]))
    if parsed["missing"]:
        return issues, parsed
    issues += _script_issues(ctx, "pre", parsed["pre_script"], path, entry)
    issues += _script_issues(ctx, "post", parsed["post_script"], path, entry)
    timeout = parsed["timeout"]
    if isinstance(timeout, int) and timeout > MAX_TIMEOUT_S:
        issues.append(_Issue(
            Status.WARNING,
            m("timeoutInSeconds in {path} is {timeout}; the backup extension caps it at 1800 seconds, so a script "
              "that runs longer times out.", path=path, timeout=timeout),
            m("A script that is stopped by the timeout fails the application-consistent part of the backup."),
            [step("Make the scripts finish within 1800 seconds and set timeoutInSeconds to 1800 or less.")],
            ["Pre-ScriptTimeout", "Post-ScriptTimeout"]))
    if parsed["fs_freeze_enabled"] is False:
        issues.append(_Issue(
            Status.INFO,
            m("fsFreezeEnabled is false in {path}: the backup extension does not freeze the file systems around "
              "the snapshot.", path=path),
            m("Without the freeze, the snapshot's consistency depends on your pre-script alone; Microsoft "
              "recommends keeping fsFreezeEnabled true.")))
    return issues, parsed


def _pluginhost(ctx: CheckContext, evidence: dict[str, Any]) -> tuple[list[_Issue], list[str], bool]:
    """Issues of the plug-in host file, the config paths it names, and whether it exists."""
    entry: dict[str, Any] = {"path": PLUGINHOST_CONF}
    evidence["pluginhost"] = entry
    st = ctx.call("stat", path=PLUGINHOST_CONF)
    state = _looked(st)
    entry.update(state=state, uid=st.get("uid"), mode=mode_text(st.get("mode")))
    if state in ("unavailable", "failed"):
        entry["error"] = str(st.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not look at {path} ({error}).",
                                             path=PLUGINHOST_CONF, error=error_msg(st)))], [PLUGIN_CONFIG], False
    if state == "absent":
        entry["note"] = ("absent: the extension then uses its own main/VMSnapshotPluginHost.conf, which names "
                         + PLUGIN_CONFIG)
        return [], [PLUGIN_CONFIG], False
    issues: list[_Issue] = []
    owner = _owner_mode_issue("pluginhost", PLUGINHOST_CONF, st)
    if owner:
        issues.append(owner)
    ans = ctx.call("read_file", path=PLUGINHOST_CONF, max_bytes=MAX_CONFIG_BYTES)
    if _looked(ans) != "present":
        entry["read_error"] = str(ans.get("error") or "")[:200]
        issues.append(_Issue(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).",
                                                   path=PLUGINHOST_CONF, error=error_msg(ans))))
        return issues, [PLUGIN_CONFIG], True
    parsed = parse_pluginhost_conf(str(ans.get("text") or ""))
    if not parsed["ok"]:
        entry["parse_error"] = parsed["error"]
        entry["excerpt"] = excerpt(ans.get("text") or "", 300)
        issues.append(_Issue(
            Status.WARNING,
            m("{path} cannot be read as the plug-in host configuration ({error}).", path=PLUGINHOST_CONF,
              error=error_msg(parsed)),
            m("The backup extension cannot load its plug-in host file, so the pre/post scripts do not run and the "
              "backup is not application-consistent."),
            [step("Restore the plug-in host file from the documentation (section [pre_post] with "
                  "timeoutInSeconds, numberOfPlugins, pluginName0, pluginPath0 and pluginConfigPath0).")],
            ["IncorrectPluginhostFile"]))
        return issues, [], True
    entry.update(timeout=parsed["timeout"], number_of_plugins=parsed["number_of_plugins"], plugins=parsed["plugins"])
    paths = [p["config_path"] for p in parsed["plugins"] if p["config_path"].startswith("/")]
    return issues, paths, True


def _vmbackup_issues(ctx: CheckContext, evidence: dict[str, Any]) -> list[_Issue]:
    ans = ctx.call("read_file", path=VMBACKUP_CONF, max_bytes=MAX_CONFIG_BYTES)
    entry: dict[str, Any] = {"path": VMBACKUP_CONF, "state": _looked(ans)}
    evidence["vmbackup_conf"] = entry
    if entry["state"] == "absent":
        return []
    if entry["state"] != "present":
        entry["error"] = str(ans.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).", path=VMBACKUP_CONF,
                                             error=error_msg(ans)))]
    parsed = parse_vmbackup_conf(str(ans.get("text") or ""))
    if not parsed["ok"]:
        entry["parse_error"] = parsed["error"]
        return [_Issue(Status.INFO, m("{path} cannot be parsed ({error}); the backup extension then uses its "
                                      "default settings.", path=VMBACKUP_CONF, error=error_msg(parsed)))]
    entry.update(settings=parsed["settings"], mounts_to_skip=parsed["mounts_to_skip"])
    issues: list[_Issue] = []
    if parsed["fsfreeze"] is False:
        entry["fsfreeze_note"] = "the effect of fsfreeze False on consistency is worked out from the setting's name"
        issues.append(_Issue(
            Status.INFO,
            m("File-system freeze is turned off in {path} (fsfreeze: {value}).", path=VMBACKUP_CONF,
              value=str(parsed["fsfreeze_raw"])),
            m("Without fsfreeze the backup extension does not freeze the file systems during the snapshot, so the "
              "snapshots may not be file-system consistent."),
            [step("Unless you turned it off on purpose, set fsfreeze back to True in the [SnapshotThread] section.",
                  command="fsfreeze: True")]))
    if parsed["isanysnapshotfailed"] is True:
        issues.append(_Issue(
            Status.INFO,
            m("isanysnapshotfailed is {value} in {path}.", value=str(parsed["isanysnapshotfailed_raw"]),
              path=VMBACKUP_CONF),
            m("The documentation asks for this value to be False when Azure Site Recovery protects the VM and "
              "backups fail with ExtensionFailedSnapshotLimitReachedError."),
            [step("If Azure Site Recovery protects this VM, set isanysnapshotfailed to False in "
                  "/etc/azure/vmbackup.conf and schedule replication away from the backup time.",
                  command="isanysnapshotfailed = False")]))
    return issues


def check_prepost(ctx: CheckContext) -> Finding:
    evidence: dict[str, Any] = {}
    if ctx.in_bundle and ctx.absent_from_bundle(ctx.call("stat", path=ETC_AZURE)):
        return file_not_in_bundle(ETC_AZURE, evidence)
    issues, config_paths, host_exists = _pluginhost(ctx, evidence)
    configs: list[tuple[str, dict[str, Any] | None]] = []
    for path in config_paths[:4]:
        found, parsed = _config_issues(ctx, path, expected_by_host=host_exists, evidence=evidence)
        if parsed is not None and parsed.get("continue_on_failure") is False:
            for issue in found:
                if issue.escalates and issue.status is Status.WARNING:
                    issue.status = Status.PROBLEM
                    issue.why = m("continueBackupOnFailure is false in {path}, so this makes the backup fail.",
                                  path=path)
        issues += found
        configs.append((path, parsed))
    if PLUGIN_CONFIG_OLD not in config_paths:
        old = ctx.call("stat", path=PLUGIN_CONFIG_OLD)
        evidence["old_config_name"] = {"path": PLUGIN_CONFIG_OLD, "state": _looked(old)}
        if _looked(old) == "present":
            issues.append(_Issue(
                Status.INFO,
                m("{path} uses an older file name; the current backup extension reads {expected}.",
                  path=PLUGIN_CONFIG_OLD, expected=", ".join(config_paths) or PLUGIN_CONFIG),
                m("Scripts configured only in the old file do not run, so the backup is not application-"
                  "consistent."),
                [step("Move the settings into the file the extension reads.",
                      command=f"sudo mv {PLUGIN_CONFIG_OLD} {PLUGIN_CONFIG}")]))
    issues += _vmbackup_issues(ctx, evidence)
    statuses = [i.status for i in issues]
    evidence["findings"] = [{"status": i.status.value, "message": i.summary.id, "params": i.summary.to_dict()["params"]}
                            for i in issues]
    configured = [(p, c) for p, c in configs if c is not None]
    if not issues or worst(statuses) in (Status.OK, None):
        if not configured:
            return Finding(Status.OK, m("No pre/post scripts are configured ({path} does not exist), so Linux "
                                        "backups are file-system consistent.", path=PLUGIN_CONFIG),
                           docs=[DOC_LINUX_APP], evidence=evidence)
        path, cfg = configured[0]
        return Finding(Status.OK, m("Pre/post scripts are configured correctly in {path} (pre-script {pre}, "
                                    "post-script {post}, timeout {timeout} s).", path=path,
                                    pre=str(cfg.get("pre_script")), post=str(cfg.get("post_script")),
                                    timeout=cfg.get("timeout") if cfg.get("timeout") is not None else "-"),
                       docs=[DOC_LINUX_APP], evidence=evidence)
    top = worst(statuses) or Status.OK
    lead = next(i for i in issues if i.status is top)
    fixes: list[FixStep] = []
    codes: list[str] = []
    for issue in sorted(issues, key=lambda i: i.status.rank):
        if issue.status in (Status.PROBLEM, Status.WARNING, Status.INFO):
            fixes += [f for f in issue.fix if f not in fixes]
        if issue.status in (Status.PROBLEM, Status.WARNING):
            codes += [c for c in issue.codes if c not in codes]
    if len(issues) > 1:
        evidence["note"] = "the summary shows the most serious finding; 'findings' lists all of them"
    return Finding(top, lead.summary, why=lead.why, fix=fixes[:10], docs=[DOC_LINUX_APP, DOC_TS_VM],
                   error_codes=codes, evidence=evidence)


CHECKS: list[Check] = [
    Check("ext.backup", BOTH, Component.EXTENSION, "Backup extension (VMSnapshot / VMSnapshotLinux)", check_backup,
          needs_admin=True, timeout_s=15.0),
    Check("ext.others", BOTH, Component.EXTENSION, "Other VM extensions", check_others, needs_admin=True,
          timeout_s=20.0),
    Check("ext.prepost", LINUX, Component.EXTENSION, "Pre/post script configuration (/etc/azure)", check_prepost,
          needs_admin=True),
]
