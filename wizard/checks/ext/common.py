"""What the `ext.*` checks share: the extension's locations, limits, documentation links and the helpers
that list folders and find the newest status file.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

from wizard.checks import win_ext
from wizard.checks.base import CheckContext, Finding, doc_link, error_msg, m
from wizard.checks.win_files import read_with_retry, unreadable_reason
from wizard.i18n import N_
from wizard.model import Status
from wizard.parsers.extstatus import MAX_STATUS_BYTES, latest_status_file, parse_vmsnapshot_status
from wizard.probes.base import Answer, error_fields, is_unavailable

LINUX_LIB = "/var/lib/waagent"
LINUX_HANDLER = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
LINUX_AGENT_PREFIX = "WALinuxAgent"
LINUX_EXT_LOG = "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"
LINUX_SHELL_LOG = "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/shell.log"
MAX_SHELL_LOG_BYTES = 64 * 1024
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
MAX_TIMELINE = 6
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
    evidence["status_files"] = _status_files(ctx, status_dir, names, latest, answer)
    return _StatusFile(path, latest[1], answer, evidence), listing


def _status_entry(path: str, seq: int, answer: Answer) -> dict[str, Any]:
    """One status file for the timeline: what it says and when it was written (both times kept: the
    time inside and the file's own time, so a stale or copied status shows)."""
    entry: dict[str, Any] = {"sequence_number": seq, "path": path, "file_time": _iso(answer.get("mtime")),
                             "state": _looked(answer)}
    if entry["state"] != "present" or answer.get("truncated"):
        return entry
    parsed = parse_vmsnapshot_status(str(answer.get("text") or ""))
    if parsed["error"]:
        entry["state"] = "malformed"
        return entry
    outer, inner = parsed["outer"], parsed["inner"] or {}
    for key in ("operation", "status", "code", "message", "timestamp"):
        value = inner.get(key) if inner.get(key) not in (None, "") else outer.get(key)
        entry[key] = value
    if inner.get("health_code") is not None or outer.get("health_code") is not None:
        entry["health_code"] = inner.get("health_code", outer.get("health_code"))
    return entry


def _status_files(ctx: CheckContext, status_dir: str, names: list[str], newest: tuple[str, int],
                  newest_answer: Answer) -> list[dict[str, Any]]:
    """Every `.status` file of the folder (the `MAX_TIMELINE` highest sequence numbers), newest first;
    the newest is the file already read."""
    found = []
    for name in names:
        one = latest_status_file([name])
        if one is not None:
            found.append(one)
    found.sort(key=lambda x: x[1], reverse=True)
    out = []
    for name, seq in found[:MAX_TIMELINE]:
        path = _join(ctx, status_dir, name)
        if name == newest[0]:
            answer = newest_answer
        else:
            answer = read_with_retry(ctx, path, MAX_STATUS_BYTES) if ctx.system == "windows" else ctx.call(
                "read_file", path=path, max_bytes=MAX_STATUS_BYTES)
        out.append(_status_entry(path, seq, answer))
    return out
