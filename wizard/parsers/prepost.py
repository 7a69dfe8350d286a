"""The Linux backup extension's files in /etc/azure: pre/post script config, plug-in host config, vmbackup.conf.

Rules follow the extension's own code (azure-linux-extensions VMBackup/main PluginHost.py and
ScriptRunner.py) and the Linux application-consistent backup documentation:
- `VMSnapshotScriptPluginConfig.json`: JSON with `preScriptLocation` and `postScriptLocation`
  (both required), optional `timeoutInSeconds` (capped at 1800), `continueBackupOnFailure`,
  `fsFreezeEnabled`, ...; the file must be owned by root, the owner digit not executable and
  the group/other digits 0 (the documentation says mode 600).
- `VMSnapshotPluginHost.conf`: INI `[pre_post]` with `timeoutInSeconds`, `numberOfPlugins`,
  `pluginName<N>`, `pluginPath<N>`, `pluginConfigPath<N>`; owned by root, group/other digits
  0 or 4.
- scripts: owned by root, group/other digits 0 (the documentation says mode 700).
- `vmbackup.conf`: INI `[SnapshotThread]` read with Python's ConfigParser (keys case-insensitive).
"""

from __future__ import annotations

import configparser
import json
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import error_fields

MAX_CONFIG_BYTES = 64 * 1024
MAX_TIMEOUT_S = 1800
MAX_PLUGINS = 4
MAX_SETTINGS = 40
MAX_VALUE_CHARS = 200
REQUIRED_KEYS = ("preScriptLocation", "postScriptLocation")


def mode_text(mode: int | None) -> str:
    """`0o600` -> `600` (permission bits only)."""
    return "?" if not isinstance(mode, int) else format(mode & 0o777, "03o")


def plugin_config_mode_ok(mode: int) -> bool:
    """Owner digit not executable, group and other digits 0 (PluginHost.load_modules)."""
    return not (mode & 0o100) and not (mode & 0o077)


def pluginhost_mode_ok(mode: int) -> bool:
    """Group and other digits each 0 or 4 (PluginHost.pre_check)."""
    return ((mode >> 3) & 0o7) in (0, 4) and (mode & 0o7) in (0, 4)


def script_mode_ok(mode: int) -> bool:
    """Group and other digits 0 (ScriptRunner.validate_permissions)."""
    return not (mode & 0o077)


def _short(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else type(value).__name__
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + " [...]"


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, default=str)[:MAX_VALUE_CHARS]
    except (RecursionError, ValueError, TypeError):
        return f"<{type(value).__name__}>"


def parse_plugin_config(text: str) -> dict[str, Any]:
    """Read `VMSnapshotScriptPluginConfig.json`.

    Returns `ok`, `error` (not JSON / not an object), `missing` (required keys absent),
    `invalid` ({key: value} of values of the wrong type), pre_script, post_script,
    timeout (int or None), continue_on_failure (bool, default True), fs_freeze_enabled
    (bool, default True), plugin_name, keys (the key names present), pre_params_count,
    post_params_count. Parameter values are never returned (they may hold passwords).
    """
    if not isinstance(text, str):
        return {"ok": False, **error_fields(N_("not text"))}
    if len(text) > MAX_CONFIG_BYTES:
        return {"ok": False, **error_fields(N_("larger than {limit} characters"), limit=MAX_CONFIG_BYTES)}
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except RecursionError:
        return {"ok": False, **error_fields(N_("JSON nested too deeply"))}
    except ValueError as exc:
        return {"ok": False, **error_fields(N_("not valid JSON: {detail}"), detail=str(exc)[:300])}
    if not isinstance(data, dict):
        return {"ok": False, **error_fields(N_("the JSON is not an object"))}
    invalid: dict[str, Any] = {}
    missing = [k for k in REQUIRED_KEYS if k not in data]

    def text_value(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            invalid[key] = _dump(value)
            return None
        return value[:4096]

    def bool_value(key: str) -> bool:
        value = data.get(key, True)
        if not isinstance(value, bool):
            invalid[key] = _dump(value)
            return True
        return value

    timeout = data.get("timeoutInSeconds")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        invalid["timeoutInSeconds"] = _dump(timeout)
        timeout = None

    def count(key: str) -> int | None:
        value = data.get(key)
        return len(value) if isinstance(value, list) else None

    return {
        "ok": True,
        "error": None,
        "missing": missing,
        "pre_script": text_value("preScriptLocation"),
        "post_script": text_value("postScriptLocation"),
        "timeout": int(timeout) if isinstance(timeout, (int, float)) and abs(timeout) < 1e12 else None,
        "continue_on_failure": bool_value("continueBackupOnFailure"),
        "fs_freeze_enabled": bool_value("fsFreezeEnabled"),
        "plugin_name": _short(data.get("pluginName")),
        "keys": [str(k)[:100] for k in list(data)[:50]],
        "pre_params_count": count("preScriptParams"),
        "post_params_count": count("postScriptParams"),
        "invalid": invalid,
    }


def _ini(text: str) -> tuple[configparser.RawConfigParser | None, dict[str, Any]]:
    """The parsed file, or None and the error fields (see `wizard.probes.base.error_fields`)."""
    if not isinstance(text, str):
        return None, error_fields(N_("not text"))
    if len(text) > MAX_CONFIG_BYTES:
        return None, error_fields(N_("larger than {limit} characters"), limit=MAX_CONFIG_BYTES)
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text.lstrip("\ufeff"))
    except (configparser.Error, ValueError, UnicodeError) as exc:
        return None, error_fields(N_("not a valid INI file: {detail}"),
                                  detail=f"{type(exc).__name__}: {str(exc)[:300]}")
    return parser, {"error": None}


def parse_pluginhost_conf(text: str) -> dict[str, Any]:
    """Read `VMSnapshotPluginHost.conf` (`[pre_post]`): timeout, number of plug-ins, their config paths."""
    parser, error = _ini(text)
    if parser is None:
        return {"ok": False, **error}
    if not parser.has_section("pre_post"):
        return {"ok": False, **error_fields(N_("no [pre_post] section"))}
    section = parser["pre_post"]
    out: dict[str, Any] = {"ok": True, "error": None, "timeout": None, "number_of_plugins": None, "plugins": []}
    try:
        if section.get("timeoutInSeconds") is not None:
            out["timeout"] = int(str(section.get("timeoutInSeconds")).strip())
        if section.get("numberOfPlugins") is not None:
            out["number_of_plugins"] = int(str(section.get("numberOfPlugins")).strip())
    except ValueError as exc:
        return {"ok": False, **error_fields(N_("not a number: {detail}"), detail=str(exc)[:200])}
    for i in range(min(max(out["number_of_plugins"] or 0, 0), MAX_PLUGINS)):
        name = section.get(f"pluginName{i}")
        path = section.get(f"pluginPath{i}")
        config = section.get(f"pluginConfigPath{i}")
        if name is None or path is None or config is None:
            return {**out, "ok": False, **error_fields(
                N_("plug-in {index} lacks pluginName{index}, pluginPath{index} or pluginConfigPath{index}"),
                index=i)}
        out["plugins"].append({"name": _short(name), "path": _short(path), "config_path": config.strip()[:4096]})
    return out


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("true", "1", "yes", "on"):
        return True
    if v in ("false", "0", "no", "off"):
        return False
    return None


def parse_vmbackup_conf(text: str) -> dict[str, Any]:
    """Read `/etc/azure/vmbackup.conf`: every `[SnapshotThread]` setting plus the ones we interpret."""
    parser, error = _ini(text)
    if parser is None:
        return {"ok": False, **error}
    if not parser.has_section("SnapshotThread"):
        return {"ok": True, "error": None, "settings": {}, "fsfreeze": None, "mounts_to_skip": [],
                "isanysnapshotfailed": None, "sections": parser.sections()[:20]}
    section = parser["SnapshotThread"]
    settings = {k[:100]: _short(v) for k, v in list(section.items())[:MAX_SETTINGS]}
    skip = section.get("mountstoskip") or ""
    return {
        "ok": True,
        "error": None,
        "settings": settings,
        "fsfreeze": _bool(section.get("fsfreeze")),
        "fsfreeze_raw": _short(section.get("fsfreeze")),
        "mounts_to_skip": [m.strip()[:300] for m in skip.split(",") if m.strip()][:50],
        "isanysnapshotfailed": _bool(section.get("isanysnapshotfailed")),
        "isanysnapshotfailed_raw": _short(section.get("isanysnapshotfailed")),
        "sections": parser.sections()[:20],
    }
