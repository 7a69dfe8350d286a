"""Extension status files, the VMSnapshotLinux inner report, its error codes, and aggregatestatus.json.

A handler's `<seq>.status` file is read the way the Linux agent reads it (WALinuxAgent
`parse_ext_status`): a JSON array of which only element [0] counts; `status.status` must be one
of transitioning/warning/error/success (anything else counts as error). VMSnapshotLinux embeds
its real report as a JSON string in `status.substatus[0].name` and forces the outer status to
success, so `parse_vmsnapshot_status` reads the inner report.

The numeric codes are `ExtensionErrorCodeEnum` of the Linux backup extension
(azure-linux-extensions VMBackup/main/ExtensionErrorCodeHelper.py). Which portal error code a
number corresponds to is DERIVED from the names only (no source states it).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import error_fields

MAX_STATUS_BYTES = 1024 * 1024
EXCERPT_CHARS = 2000
VALID_STATUSES = ("transitioning", "warning", "error", "success")
MAX_TELEMETRY_KEYS = 60
MAX_VALUE_CHARS = 300
MAX_HANDLERS = 100

HEALTH_STATES = {0: "green", 128: "yellow", 256: "red"}
CONSISTENCY_BY_NUMBER = {0: "none", 1: "fileSystemConsistent", 2: "applicationConsistent", 3: "crashConsistent"}
CONSISTENCY_LABELS = frozenset(CONSISTENCY_BY_NUMBER.values())

# Portal error codes (facts §8) that may appear verbatim in an extension's message.
PORTAL_CODES: tuple[str, ...] = (
    "UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError", "UserErrorVmProvisioningStateFailed",
    "UserErrorRpCollectionLimitReached", "UserErrorKeyvaultPermissionsNotConfigured",
    "ExtensionSnapshotFailedNoNetwork", "ExtensionOperationFailedForManagedDisks",
    "ExtentionOperationFailedForManagedDisks", "BackUpOperationFailedV2", "BackUpOperationFailed",
    "UserErrorUnsupportedDiskSize", "UserErrorBackupOperationInProgress", "UserErrorCrpReportedUserError",
    "VMRestorePointInternalError", "UserErrorVmNotInDesirableState", "VmNotInDesirableState",
    "UserErrorFsFreezeFailed", "UserErrorUnableToOpenMount", "ExtensionSnapshotFailedCOM",
    "ExtensionInstallationFailedCOM", "ExtensionInstallationFailedMDTC", "ExtensionFailedVssWriterInBadState",
    "ExtensionFailedVssServiceInBadState", "ExtensionConfigParsingFailure", "ExtensionStuckInDeletionState",
    "ExtensionFailedSnapshotLimitReachedError", "ExtensionFailedTimeoutVMNetworkUnresponsive",
    "ExtensionSnapshotBitlockerError", "ExtensionSnapshotFailedNoSecureNetwork",
    "ExtensionVCRedistInstallationFailure", "UserErrorSharedDiskBackupNotSupported",
)
_PORTAL_CODE_RE = re.compile(r"\b(" + "|".join(sorted(PORTAL_CODES, key=len, reverse=True)) + r")\b")


# -- the Linux backup extension's error codes ------------------------------------------------

@dataclass(frozen=True)
class ExtCode:
    """One `ExtensionErrorCodeEnum` value: its name, health colour, cause category, and DERIVED portal codes."""

    number: int
    name: str
    health: str
    category: str
    portal_codes: tuple[str, ...] = ()
    prepost_name: str | None = None

    @property
    def is_success(self) -> bool:
        return self.category == "success"


def _codes() -> dict[int, ExtCode]:
    g, y, r = "green", "yellow", "red"
    table = [
        ExtCode(0, "success_appconsistent", g, "success"),
        ExtCode(1, "success", g, "success"),
        ExtCode(2, "error", g, "generic"),
        ExtCode(3, "SuccessAlreadyProcessedInput", g, "success"),
        ExtCode(4, "ExtensionTempTerminalState", g, "success"),
        ExtCode(11, "error_parameter", y, "generic"),
        ExtCode(12, "error_12", g, "generic"),
        ExtCode(13, "error_wrong_time", "unknown", "generic"),
        ExtCode(14, "error_same_taskid", "unknown", "generic"),
        ExtCode(15, "error_http_failure", r, "network"),
        ExtCode(16, "FailedHandlerGuestAgentCertificateNotFound", y, "certificate"),
        ExtCode(17, "FailedInvalidDataDiskLunList", g, "generic"),
        ExtCode(76, "FailedRetryableSnapshotFailedNoNetwork", r, "network", ("ExtensionSnapshotFailedNoNetwork",)),
        ExtCode(85, "FailedSnapshotLimitReached", r, "snapshot_limit", ("ExtensionFailedSnapshotLimitReachedError",)),
        ExtCode(121, "FailedRetryableFsFreezeFailed", y, "fsfreeze", ("UserErrorFsFreezeFailed",)),
        ExtCode(122, "FailedRetryableFsFreezeTimeout", y, "fsfreeze", ("UserErrorFsFreezeFailed",)),
        ExtCode(123, "FailedRetryableUnableToOpenMount", y, "mount", ("UserErrorUnableToOpenMount",)),
        ExtCode(124, "FailedSafeFreezeBinaryNotFound", y, "safefreeze"),
        ExtCode(173, "FailedRetryableSnapshotRateExceeded", g, "rate"),
        ExtCode(402, "FailedGuestAgentInvokedCommandTooLate", r, "too_late"),
        ExtCode(556, "FailedHostSnapshotRemoteServerError", "unknown", "host"),
        ExtCode(761, "FailedRetryableSnapshotFailedRestrictedNetwork", r, "network",
                ("ExtensionSnapshotFailedNoNetwork",)),
    ]
    # 300-318: pre/post script plug-in; the right-hand name is the error name of the Linux
    # application-consistent backup documentation it corresponds to (DERIVED by name).
    prepost = [
        (300, "PreScriptFailed", "Pre-ScriptExecutionFailed"),
        (301, "PostScriptFailed", "Post-ScriptExecutionFailed"),
        (302, "PreScriptNotFound", "Pre-ScriptNotFound"),
        (303, "PostScriptNotFound", "Post-ScriptNotFound"),
        (304, "PluginhostConfigParsing", "IncorrectPluginhostFile"),
        (305, "PluginConfigParsing", "IncorrectJSONConfigFile"),
        (306, "PreScriptPermissionError", "InsufficientPermissionforPre-Script"),
        (307, "PostScriptPermissionError", "InsufficientPermissionforPost-Script"),
        (308, "PreScriptTimeout", "Pre-ScriptTimeout"),
        (309, "PostScriptTimeout", "Post-ScriptTimeout"),
        (310, "PluginhostPreTimeout", "Pre-ScriptTimeout"),
        (311, "PluginhostPostTimeout", "Post-ScriptTimeout"),
        (312, "CheckSumMismatch", None),
        (313, "PluginhostConfigNotFound", "IncorrectPluginhostFile"),
        (314, "PluginhostConfigPermissionError", "IncorrectPluginhostFile"),
        (315, "PluginhostConfigOwnershipError", "IncorrectPluginhostFile"),
        (316, "PluginConfigNotFound", "IncorrectJSONConfigFile"),
        (317, "PluginConfigPermissionError", "IncorrectJSONConfigFile"),
        (318, "PluginConfigOwnershipError", "IncorrectJSONConfigFile"),
    ]
    for number, short, doc_name in prepost:
        table.append(ExtCode(number, "FailedPrepost" + short, y, "prepost",
                             (doc_name,) if doc_name else (), doc_name))
    workload = ["PreError", "ConfParsingError", "InvalidRole", "InvalidWorkloadName", "PostError",
                "AuthorizationMissing", "ConnectionError", "IPCDirectoryMissing", "DatabaseNotOpen",
                "QuiescingError", "QuiescingTimeout", "DatabaseInNoArchiveLog", "LogModeChanged"]
    for i, short in enumerate(workload):
        table.append(ExtCode(500 + i, "FailedWorkload" + short, y, "workload"))
    return {c.number: c for c in table}


EXT_CODES: dict[int, ExtCode] = _codes()
_EXT_CODES_BY_NAME = {c.name.lower(): c for c in EXT_CODES.values()}


def ext_code(number: int) -> ExtCode:
    """The known code, or an `unknown` entry for a number we have no name for."""
    return EXT_CODES.get(number) or ExtCode(number, f"unknown code {number}", "unknown", "generic")


def ext_code_by_name(name: str) -> ExtCode | None:
    """The code whose enum name is `name` (the telemetry `extErrorCode` value), if known."""
    return _EXT_CODES_BY_NAME.get(name.strip().lower()) if isinstance(name, str) else None


# -- small helpers ---------------------------------------------------------------------------

def version_key(version: str) -> tuple[int, ...]:
    """Sort key for dotted versions (`1.0.9150.0`); non-numeric parts count as 0."""
    out = []
    for part in str(version).split(".")[:8]:
        digits = re.match(r"\d{1,12}", part)
        out.append(int(digits.group(0)) if digits else 0)
    return tuple(out)


_HANDLER_DIR_RE = re.compile(r"^(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*?)-(?P<version>\d+(?:\.\d+){0,5})$")


def split_handler_dir(name: str) -> tuple[str, str] | None:
    """`Publisher.Type-1.2.3.4` -> (`Publisher.Type`, `1.2.3.4`); None for anything else."""
    mo = _HANDLER_DIR_RE.match(name) if isinstance(name, str) and len(name) < 300 else None
    return (mo.group("name"), mo.group("version")) if mo else None


_STATUS_NAME_RE = re.compile(r"^(?:(?P<ext>[^/\\]{1,200})\.)?(?P<seq>\d{1,9})\.status$", re.IGNORECASE)


def latest_status_file(names: Iterable[str]) -> tuple[str, int] | None:
    """The `<seq>.status` (or multi-config `<ext>.<seq>.status`) name with the highest sequence number."""
    best: tuple[str, int] | None = None
    for name in names:
        mo = _STATUS_NAME_RE.match(name) if isinstance(name, str) else None
        if not mo:
            continue
        seq = int(mo.group("seq"))
        if best is None or seq > best[1] or (seq == best[1] and name < best[0]):
            best = (name, seq)
    return best


def excerpt(text: Any, limit: int = EXCERPT_CHARS) -> str:
    """The first `limit` characters of a value as text, marked when cut."""
    if isinstance(text, str):
        s = text
    else:
        try:
            s = json.dumps(text, default=str)
        except (RecursionError, ValueError, TypeError):
            s = f"<{type(text).__name__}>"
    return s if len(s) <= limit else s[:limit] + " [...]"


def _short(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return excerpt(value, MAX_VALUE_CHARS)


Problem = dict[str, Any]  # {"error": English text, "error_msg": {...}} (see wizard.probes.base)


def _load_json(text: str) -> tuple[Any, Problem | None]:
    if not isinstance(text, str):
        return None, error_fields(N_("not text"))
    if len(text) > MAX_STATUS_BYTES:
        return None, error_fields(N_("larger than {limit} characters"), limit=MAX_STATUS_BYTES)
    try:
        return json.loads(text.lstrip("\ufeff")), None
    except RecursionError:
        return None, error_fields(N_("JSON nested too deeply"))
    except ValueError as exc:
        return None, error_fields(N_("not valid JSON: {detail}"), detail=str(exc)[:300])


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_DOTNET_DATE_RE = re.compile(r"^\\?/Date\((-?\d{1,15})\)\\?/$")


def parse_timestamp(value: Any) -> str | None:
    """An ISO 8601 UTC string from `2019-06-06T23:52:59Z` or the .NET `\\/Date(ms)\\/` form."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    mo = _DOTNET_DATE_RE.match(value.strip())
    if mo:
        try:
            stamp = _dt.datetime.fromtimestamp(int(mo.group(1)) / 1000, tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        stamp = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=_dt.UTC)
    return stamp.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        return int(value)
    return None


# -- the generic status file -------------------------------------------------------------------

def _status_element(data: Any) -> tuple[dict[str, Any] | None, Problem | None, bool]:
    """(element [0]'s `status` object, error, empty) following WALinuxAgent's rules."""
    if not isinstance(data, list):
        return None, error_fields(N_("The extension status must be an array: {excerpt}"),
                                  excerpt=excerpt(data, 200)), False
    if not data:
        return None, None, True
    first = data[0]
    if not isinstance(first, dict) or not isinstance(first.get("status"), dict):
        return None, error_fields(N_("status file element [0] has no 'status' object")), False
    if "status" not in first["status"]:
        return None, error_fields(N_("status file element [0] has no 'status/status' value")), False
    return first["status"], None, False


def _formatted_message(value: Any) -> str | None:
    if isinstance(value, dict):
        msg = value.get("message")
        return msg if isinstance(msg, str) else (None if msg is None else excerpt(msg, 4000))
    return None


def _status_fields(status: dict[str, Any], element: dict[str, Any]) -> dict[str, Any]:
    raw = status.get("status")
    value = raw if isinstance(raw, str) and raw in VALID_STATUSES else "error"
    raw_subs = status.get("substatus")
    subs: list[Any] = raw_subs if isinstance(raw_subs, list) else []
    substatus = []
    for s in subs[:10]:
        s = _dict(s)
        name = s.get("name")
        if isinstance(name, str) and name.lstrip()[:1] in ("[", "{"):
            name = f"<embedded JSON report, {len(name)} characters>"
        substatus.append({"name": _short(name), "status": _short(s.get("status")),
                          "code": _short(s.get("code")),
                          "message": _short(_formatted_message(s.get("formattedMessage")))})
    return {
        "name": _short(status.get("name")),
        "operation": _short(status.get("operation")),
        "status": value,
        "status_raw": _short(raw),
        "code": _short(status.get("code")),
        "message": _short(_formatted_message(status.get("formattedMessage"))),
        "timestamp": parse_timestamp(element.get("timestampUTC")),
        "substatus": substatus,
    }


def parse_status_file(text: str) -> dict[str, Any]:
    """Read a handler's `.status` file.

    Returns `ok` (bool), `error` (why it could not be read, None when ok), `empty` (a valid but
    empty array: no status reported), and when ok: name, operation, status (one of
    VALID_STATUSES), status_raw, code, message, timestamp (ISO UTC or None), substatus (list).
    """
    data, error = _load_json(text)
    if error:
        return {"ok": False, **error, "empty": False}
    return _parse_loaded(data)


def _parse_loaded(data: Any) -> dict[str, Any]:
    status, error, empty = _status_element(data)
    if status is None:
        return {"ok": error is None, **(error or {"error": None}), "empty": empty}
    return {"ok": True, "error": None, "empty": False, **_status_fields(status, data[0])}


# -- VMSnapshotLinux --------------------------------------------------------------------------

def _telemetry(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, list):
        for item in value[: MAX_TELEMETRY_KEYS * 2]:
            item = _dict(item)
            key = item.get("Key")
            if isinstance(key, str) and key and len(out) < MAX_TELEMETRY_KEYS:
                out[key[:100]] = _short(item.get("Value"))
    return out


def _message_fields(message: str | None) -> dict[str, Any]:
    """The newer extension writes its formattedMessage as JSON (messageStr, snapshotConsistency, ...)."""
    if not message:
        return {"message": None, "consistency_number": None}
    stripped = message.strip()
    if stripped.startswith("{") and len(stripped) < 64 * 1024:
        try:
            obj = json.loads(stripped)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            return {"message": _short(obj.get("messageStr")),
                    "consistency_number": _int(obj.get("snapshotConsistency")),
                    "job_message": _short(obj.get("jobMessage"))}
    return {"message": _short(message), "consistency_number": None}


def _consistency(msg: dict[str, Any], telemetry: dict[str, Any], code: int | None) -> tuple[str | None, str | None]:
    number = msg.get("consistency_number")
    if number in CONSISTENCY_BY_NUMBER:
        return CONSISTENCY_BY_NUMBER[number], "formattedMessage.snapshotConsistency"
    label = telemetry.get("consistencyType")
    if isinstance(label, str) and label in CONSISTENCY_LABELS:
        return label, "telemetry consistencyType"
    # HandlerUtil.do_status_report: status code 0 (success_appconsistent) -> application-
    # consistent, 1 (success) -> file-system consistent (DERIVED from the extension's code).
    if code == 0:
        return "applicationConsistent", "status code 0 (read from the extension's source)"
    if code == 1:
        return "fileSystemConsistent", "status code 1 (read from the extension's source)"
    return None, None


def _snapshots(value: Any) -> dict[str, Any]:
    if not isinstance(value, list):
        return {"count": 0, "succeeded": 0, "errors": []}
    items = [_dict(s) for s in value[:200]]
    ok = sum(1 for s in items if str(s.get("isSuccessful")).lower() == "true")
    errors = [_short(s.get("errorMessage")) for s in items if s.get("errorMessage")][:5]
    return {"count": len(value), "succeeded": ok, "errors": errors}


def parse_inner_report(text: str) -> dict[str, Any]:
    """The VMSnapshotLinux report held as a JSON string in `substatus[0].name`."""
    data, error = _load_json(text)
    if error is None:
        status, error, _empty = _status_element(data)
        if status is None and error is None:
            error = error_fields(N_("an empty array"))
    if error is not None:
        return {"ok": False, **error_fields(N_("the report in substatus[0].name cannot be read: {reason}"),
                                            reason=error["error_msg"])}
    assert status is not None
    fields = _status_fields(status, data[0])
    raw_message = _formatted_message(status.get("formattedMessage"))
    msg = _message_fields(raw_message)
    telemetry = _telemetry(status.get("telemetryData"))
    health = _dict(status.get("vmHealthInfo"))
    health_code = _int(health.get("vmHealthStatusCode"))
    ext_error_name = telemetry.get("extErrorCode") if isinstance(telemetry.get("extErrorCode"), str) else None
    if health_code is None and ext_error_name:
        by_name = ext_code_by_name(ext_error_name)
        health_code = by_name.number if by_name else None
    status_code = _int(status.get("code"))
    consistency, consistency_source = _consistency(msg, telemetry, status_code)
    return {
        "ok": True,
        "error": None,
        "name": fields["name"],
        "operation": fields["operation"],
        "status": fields["status"],
        "status_raw": fields["status_raw"],
        "code": fields["code"],
        "task_id": _short(status.get("taskId")),
        "timestamp": fields["timestamp"],
        "message": msg["message"],
        "health_code": health_code,
        "health_state": _int(health.get("vmHealthState")),
        "ext_error_code": ext_error_name,
        "consistency": consistency,
        "consistency_source": consistency_source,
        "telemetry": telemetry,
        "snapshots": _snapshots(status.get("snapshotInfo")),
        "host_status_code_do_snapshot": telemetry.get("hostStatusCodeDoSnapshot"),
        "extension_version": telemetry.get("extensionVersion"),
    }


def parse_vmsnapshot_status(text: str) -> dict[str, Any]:
    """A VMSnapshot(Linux) status file: the outer status and, when present, the inner report.

    Both layouts are read: VMSnapshotLinux embeds its report as a JSON string in
    `substatus[0].name`; a substatus name that is not JSON (`[`/`{` first) is a plain name, as
    Windows handlers write, and then the outer status is the report. A `vmHealthInfo` object in
    the outer status is kept (`health_code`, `health_state`) for either layout.

    Returns `outer` (as `parse_status_file`), `inner` (as `parse_inner_report`, or None when
    substatus[0].name is absent), and `error` (why the file or its inner report could not be
    read; None when everything read).
    """
    data, error = _load_json(text)
    if error:
        return {"outer": {"ok": False, **error, "empty": False}, "inner": None, **error}
    outer = _parse_loaded(data)
    if not outer["ok"] or outer.get("empty"):
        return {"outer": outer, "inner": None, "error": outer["error"], "error_msg": outer.get("error_msg")}
    status = data[0]["status"]
    health = _dict(status.get("vmHealthInfo"))
    if health:
        outer["health_code"] = _int(health.get("vmHealthStatusCode"))
        outer["health_state"] = _int(health.get("vmHealthState"))
    subs = status.get("substatus")
    name = _dict(subs[0]).get("name") if isinstance(subs, list) and subs else None
    if not isinstance(name, str) or not name.strip():
        return {"outer": outer, "inner": None, "error": None}
    if name.lstrip()[:1] not in ("[", "{"):
        # A plain substatus name (the usual layout of Windows handlers): there is no embedded report.
        outer["substatus_name"] = _short(name)
        return {"outer": outer, "inner": None, "error": None}
    inner = parse_inner_report(name)
    return {"outer": outer, "inner": inner, "error": inner["error"], "error_msg": inner.get("error_msg")}


# -- logs and messages ------------------------------------------------------------------------

_FREEZE_LINE_RE = re.compile(
    r"Failed to (?:FITHAW|FIFREEZE|open|stat)\b|Failed to receive timely Thaw|Path not a directory|"
    r"Inconsistent snapshot because of SLEEP failure|FsFreeze(?:Failed|Timeout)",
)
_FREEZE_MOUNT_RE = re.compile(r"Failed to (?:FITHAW|FIFREEZE|open|stat): (\S{1,300}?)(?:\s|$)")
MAX_LOG_LINES = 10


def scan_extension_log(text: str) -> dict[str, Any]:
    """Freeze/thaw failure lines of the VMSnapshotLinux extension.log tail: the last few, and their mounts."""
    lines: list[str] = []
    mounts: list[str] = []
    count = 0
    for line in (text or "").splitlines():
        if len(line) > 4000 or not _FREEZE_LINE_RE.search(line):
            continue
        count += 1
        lines.append(line.strip()[:300])
        mo = _FREEZE_MOUNT_RE.search(line)
        if mo and mo.group(1) not in mounts:
            mounts.append(mo.group(1))
    return {"count": count, "lines": lines[-MAX_LOG_LINES:], "mounts": mounts[-20:]}


def find_portal_codes(text: str | None) -> list[str]:
    """Portal error codes named verbatim in a message, in order of appearance, without repeats."""
    if not text:
        return []
    found: list[str] = []
    for mo in _PORTAL_CODE_RE.finditer(text[:100_000]):
        if mo.group(1) not in found:
            found.append(mo.group(1))
    return found


# -- Windows aggregatestatus.json ---------------------------------------------------------------

def parse_aggregate_status(text: str) -> dict[str, Any]:
    """The fields of `aggregatestatus.json` that Microsoft's vmassist reads (facts §3.2).

    NUL characters are removed first: the file can be NUL-padded, and vmassist strips them
    (`-replace '\\0'`) before `ConvertFrom-Json` for that reason."""
    if isinstance(text, str) and "\x00" in text:
        text = text.replace("\x00", "")
    data, error = _load_json(text)
    if error:
        return {"ok": False, **error}
    agg = _dict(_dict(data).get("aggregateStatus"))
    if not agg:
        return {"ok": False, **error_fields(N_("no 'aggregateStatus' object"))}
    ga = _dict(agg.get("guestAgentStatus"))
    handlers = []
    raw = agg.get("handlerAggregateStatus")
    for h in (raw if isinstance(raw, list) else [])[:MAX_HANDLERS]:
        h = _dict(h)
        rss = _dict(h.get("runtimeSettingsStatus"))
        settings = _dict(_dict(rss.get("settingsStatus")).get("status"))
        handlers.append({
            "handler_name": _short(h.get("handlerName")),
            "handler_version": _short(h.get("handlerVersion")),
            "status": _short(h.get("status")),
            "sequence_number": _short(rss.get("sequenceNumber")),
            "settings_status": _short(settings.get("status")),
            "message": _short(_formatted_message(settings.get("formattedMessage"))),
        })
    return {
        "ok": True,
        "error": None,
        "guest_agent": {
            "version": _short(ga.get("version")),
            "status": _short(ga.get("status")),
            "message": _short(_formatted_message(ga.get("formattedMessage"))),
            "last_status_upload_method": _short(ga.get("lastStatusUploadMethod")),
            "last_status_upload_time": _short(ga.get("lastStatusUploadTime")),
        },
        "handlers": handlers,
    }
