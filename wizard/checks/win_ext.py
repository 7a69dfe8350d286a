"""What `ext.backup` reads on Windows beside the status file: the extension's own log, its
`SeqNumber.txt`, and the newest `aggregatestatus*.json`.

Locations are the ones Microsoft's own disk-inspection service collects from Windows VMs
(Azure/azure-diskinspect-service `manifests/windows/agents`):
- `C:\\WindowsAzure\\Logs\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot\\<ver>\\IaaSBcdrExtension*.log`
- `C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot\\<ver>\\SeqNumber.txt`
- `C:\\WindowsAzure\\Logs\\AggregateStatus\\aggregatestatus*.json`

The lines of `IaaSBcdrExtension*.log` are not documented: the log is scanned for words only (VSS,
COM+/MSDTC, time-outs, errors, portal error codes named verbatim) and shown as evidence; its
layout is UNCONFIRMED until a real log is seen. `SeqNumber.txt` is read as the first whole number
in it (its format is UNCONFIRMED as well).
"""

from __future__ import annotations

import re
from typing import Any

from wizard.checks.base import CheckContext
from wizard.parsers.excerpts import log_excerpt
from wizard.parsers.extstatus import MAX_STATUS_BYTES, find_portal_codes, parse_aggregate_status, version_key
from wizard.probes.base import Answer, is_unavailable

WIN_LOG_PLUGINS = "C:\\WindowsAzure\\Logs\\Plugins"
AGGREGATE_DIR = "C:\\WindowsAzure\\Logs\\AggregateStatus"
LOG_PREFIX = "iaasbcdrextension"
AGGREGATE_PREFIX = "aggregatestatus"
MAX_LOG_BYTES = 256 * 1024
MAX_CANDIDATES = 20
MAX_LINES = 12
UNCONFIRMED_LOG = ("The lines of IaaSBcdrExtension*.log are not documented publicly; the wizard only looks for words "
                   "in them (not confirmed by public documentation).")
UNCONFIRMED_SEQ = "The format of SeqNumber.txt is not documented publicly; its first whole number is used."

_CATEGORIES: dict[str, re.Pattern[str]] = {
    "vss": re.compile(r"(?i)\bvss\b|volume shadow|shadow copy|\bwriter\b"),
    "com": re.compile(r"(?i)com\+|\bmsdtc\b|comsysapp|distributed transaction"),
    "timeout": re.compile(r"(?i)timed out|time[- ]?out"),
    "error": re.compile(r"(?i)\berror\b|exception|\bfailed\b|failure"),
}


def _join(*parts: str) -> str:
    return "\\".join(p.rstrip("\\") for p in parts)


def _entries(ans: Answer) -> list[dict[str, Any]]:
    raw = ans.get("entries")
    return [e for e in raw if isinstance(e, dict) and isinstance(e.get("name"), str)] if isinstance(raw, list) else []


def _newest(ctx: CheckContext, folder: str, names: list[str]) -> tuple[str | None, dict[str, Any]]:
    """The name of the most recently modified file among `names` (by `stat`), with what was seen."""
    seen: dict[str, Any] = {}
    best: tuple[float, str] | None = None
    for name in sorted(names)[:MAX_CANDIDATES]:
        st = ctx.call("stat", path=_join(folder, name))
        mtime = st.get("mtime")
        seen[name] = mtime
        if isinstance(mtime, int | float) and not isinstance(mtime, bool) and (best is None or (mtime, name) > best):
            best = (float(mtime), name)
    if best is None and names:
        return sorted(names)[-1], seen
    return (best[1] if best else None), seen


def scan_extension_log(text: str) -> dict[str, Any]:
    """Counts of the categories of lines in an IaaSBcdrExtension log tail, the last matching lines, and the
    portal error codes it names verbatim."""
    counts = {name: 0 for name in _CATEGORIES}
    lines: list[str] = []
    for line in (text or "").splitlines():
        if len(line) > 4000:
            line = line[:4000]
        hit = [name for name, pattern in _CATEGORIES.items() if pattern.search(line)]
        for name in hit:
            counts[name] += 1
        if hit:
            lines.append(line.strip()[:300])
    return {"counts": counts, "lines": lines[-MAX_LINES:], "portal_codes": find_portal_codes(text or "")}


def extension_log(ctx: CheckContext, handler: str, version: str) -> dict[str, Any]:
    """The newest `IaaSBcdrExtension*.log` of the extension's log folder for `version` (else the newest
    version folder there), scanned."""
    root = _join(WIN_LOG_PLUGINS, handler)
    out: dict[str, Any] = {"folder": root, "note": UNCONFIRMED_LOG}
    versions = ctx.call("list_dir", path=root)
    if is_unavailable(versions) or not versions.get("exists"):
        out["state"] = "unavailable" if is_unavailable(versions) else "absent"
        return out
    folders = [e["name"] for e in _entries(versions) if e.get("is_dir")]
    folder_name = version if version in folders else (max(folders, key=version_key) if folders else None)
    if folder_name is None:
        out["state"] = "absent"
        return out
    folder = _join(root, folder_name)
    out["folder"] = folder
    listing = ctx.call("list_dir", path=folder)
    names = [e["name"] for e in _entries(listing) if not e.get("is_dir")
             and e["name"].lower().startswith(LOG_PREFIX) and e["name"].lower().endswith(".log")]
    if not names:
        out["state"] = "absent"
        return out
    name, seen = _newest(ctx, folder, names)
    out["files"] = seen
    path = _join(folder, str(name))
    ans = ctx.call("read_file", path=path, max_bytes=MAX_LOG_BYTES)
    out["path"] = path
    if is_unavailable(ans) or not ans.get("readable"):
        out["state"] = "unreadable"
        out["error"] = str(ans.get("error") or "")[:300]
        return out
    out["state"] = "read"
    out["truncated"] = bool(ans.get("truncated"))
    out.update(scan_extension_log(str(ans.get("text") or "")))
    out["log_excerpt"] = log_excerpt(str(ans.get("text") or ""), path)
    return out


def sequence_number(ctx: CheckContext, package_dir: str) -> dict[str, Any]:
    """What `<package>\\SeqNumber.txt` says: {path, state, seq (int or None), text}."""
    path = _join(package_dir, "SeqNumber.txt")
    ans = ctx.call("read_file", path=path, max_bytes=4096)
    out: dict[str, Any] = {"path": path, "seq": None, "note": UNCONFIRMED_SEQ}
    if is_unavailable(ans) or not ans.get("exists"):
        out["state"] = "unavailable" if is_unavailable(ans) else "absent"
        return out
    if not ans.get("readable"):
        out["state"] = "unreadable"
        out["error"] = str(ans.get("error") or "")[:300]
        return out
    text = str(ans.get("text") or "").replace("\x00", "")
    out["text"] = text.strip()[:100]
    found = re.search(r"\d{1,9}", text)
    out["state"] = "read"
    out["seq"] = int(found.group(0)) if found else None
    return out


def aggregate_status(ctx: CheckContext, handler: str) -> dict[str, Any]:
    """The newest `aggregatestatus*.json`: the guest agent's status and the backup handler's entries."""
    listing = ctx.call("list_dir", path=AGGREGATE_DIR)
    out: dict[str, Any] = {"folder": AGGREGATE_DIR}
    if is_unavailable(listing) or not listing.get("exists"):
        out["state"] = "unavailable" if is_unavailable(listing) else "absent"
        out["error"] = str(listing.get("error") or "")[:300]
        return out
    names = [e["name"] for e in _entries(listing) if not e.get("is_dir")
             and e["name"].lower().startswith(AGGREGATE_PREFIX) and e["name"].lower().endswith(".json")]
    if not names:
        out["state"] = "absent"
        return out
    name, seen = _newest(ctx, AGGREGATE_DIR, names)
    out["files"] = seen
    path = _join(AGGREGATE_DIR, str(name))
    out["path"] = path
    ans = ctx.call("read_file", path=path, max_bytes=MAX_STATUS_BYTES)
    if is_unavailable(ans) or not ans.get("readable"):
        out["state"] = "unreadable"
        out["error"] = str(ans.get("error") or "")[:300]
        return out
    parsed = parse_aggregate_status(str(ans.get("text") or ""))
    if not parsed["ok"]:
        out["state"] = "malformed"
        out["error"] = parsed["error"]
        return out
    out["state"] = "read"
    out["guest_agent"] = parsed["guest_agent"]
    out["vmsnapshot"] = [h for h in parsed["handlers"]
                         if str(h.get("handler_name") or "").lower() == handler.lower()][:3]
    return out
