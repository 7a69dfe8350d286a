"""`ext.others`: any other extension handler whose latest status is an error.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import CheckContext, Finding, file_not_in_bundle, m, step
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.ext.common import (
    LINUX_AGENT_PREFIX,
    LINUX_HANDLER,
    LINUX_LIB,
    MAX_OTHER_HANDLERS,
    PROVISIONING_CODES,
    WIN_HANDLER,
    WIN_PLUGINS,
    _entries,
    _join,
    _looked,
    _newest_status,
    _not_checked,
    _too_large,
)
from wizard.checks.ext.status import _version_dirs
from wizard.model import Status, listed
from wizard.parsers.extstatus import MAX_STATUS_BYTES, excerpt, parse_status_file, split_handler_dir, version_key

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
        names_text = listed(f"{i['handler']} {i['version']}" for i in failing)
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
