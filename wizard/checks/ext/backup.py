"""`ext.backup`: the backup extension's last status, VMSnapshotLinux on Linux and VMSnapshot on Windows.
"""

from __future__ import annotations

from typing import Any

from wizard.checks import win_ext
from wizard.checks.base import CheckContext, Finding, file_not_in_bundle, m
from wizard.checks.ext.common import (
    LINUX_EXT_LOG,
    LINUX_HANDLER,
    LINUX_LIB,
    LINUX_SHELL_LOG,
    MAX_HANDLER_STATE_SUBKEYS,
    MAX_LOG_BYTES,
    MAX_SHELL_LOG_BYTES,
    WIN_HANDLER,
    WIN_HANDLER_STATE_KEYS,
    WIN_PLUGINS,
    _entries,
    _join,
    _looked,
    _newest_status,
    _not_checked,
)
from wizard.checks.ext.status import _evaluate_status, _installed_no_status, _not_installed, _version_dirs
from wizard.model import Status
from wizard.parsers.excerpts import log_excerpt
from wizard.parsers.extstatus import excerpt, scan_extension_log
from wizard.probes.base import is_unavailable


def _linux_log(ctx: CheckContext) -> dict[str, Any]:
    ans = ctx.call("read_file", path=LINUX_EXT_LOG, max_bytes=MAX_LOG_BYTES)
    out: dict[str, Any] = {"path": LINUX_EXT_LOG, "state": _looked(ans)}
    if out["state"] == "present":
        out.update(scan_extension_log(str(ans.get("text") or "")))
        out["read_bytes_max"] = MAX_LOG_BYTES
        out["log_excerpt"] = log_excerpt(str(ans.get("text") or ""), LINUX_EXT_LOG)
    elif ans.get("error"):
        out["error"] = str(ans.get("error"))[:300]
    shell = ctx.call("read_file", path=LINUX_SHELL_LOG, max_bytes=MAX_SHELL_LOG_BYTES)
    if _looked(shell) == "present":
        out["shell_log_excerpt"] = log_excerpt(str(shell.get("text") or ""), LINUX_SHELL_LOG)
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
