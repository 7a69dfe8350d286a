"""The backup extension's status file judged: the portal error code and cause behind each of the
extension's codes, success, malformed and missing status (used by `ext.backup`).
"""

from __future__ import annotations

import re
from typing import Any

from wizard.checks.base import CheckContext, Finding, error_msg, m, step
from wizard.checks.docs import LINUX_APP as DOC_LINUX_APP
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.ext.common import (
    DERIVED_NOTE,
    DOC_SNAPSHOT_LINUX,
    DOC_SNAPSHOT_WINDOWS,
    HOST_STATUS_NOTES,
    LINUX_EXT_LOG,
    _looked,
    _not_checked,
    _StatusFile,
    _too_large,
)
from wizard.knowledge import commands
from wizard.model import DocLink, FixStep, Msg, Status, listed
from wizard.parsers.extstatus import (
    MAX_STATUS_BYTES,
    ExtCode,
    excerpt,
    ext_code,
    find_portal_codes,
    parse_vmsnapshot_status,
    split_handler_dir,
    version_key,
)
from wizard.probes.base import Answer

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
                  mounts=listed(log_mounts) or "-"),
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
