"""The Windows-only probes: `run` (OEM code page, no console window), `service`, `registry`, `elevation`.

Windows modules (`winreg`, `ctypes.windll`) are imported inside the functions, behind
`sys.platform` checks, so this module imports and type-checks on Linux; the pure parts (code
page names, registry key splitting, value formatting, service status mapping) are separate
functions that the Linux test suite exercises.

- `run` starts console tools with `CREATE_NO_WINDOW` (no console flashes over the GUI); such a
  child gets a hidden console of its own, whose output code page is the OEM one (`GetOEMCP`,
  932 on Japanese Windows), so its bytes are decoded as UTF-8 if they are valid, else with it.
- `service` reads the service manager through `psutil.win_service_get`.
- `registry` opens keys read-only in the 64-bit view (`KEY_WOW64_64KEY`), so a 32-bit build
  sees what the agent sees. `REG_BINARY` and other raw data become hex strings, `REG_MULTI_SZ`
  a list, `REG_DWORD`/`REG_QWORD` an int. Listings are bounded to 500 values and 500 subkeys.
"""

from __future__ import annotations

import codecs
import getpass
import subprocess
import sys
from typing import Any

import psutil

from wizard.probes.base import Answer, unavailable
from wizard.probes.command import check_argv, clamp_timeout, run_bounded
from wizard.probes.fsroot import decode_bytes

NOT_HERE = "not available on this platform"
CREATE_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000)
MAX_REGISTRY_ITEMS = 500
MAX_REGISTRY_TEXT = 64 * 1024

HIVES: dict[str, str] = {
    "HKLM": "HKEY_LOCAL_MACHINE",
    "HKEY_LOCAL_MACHINE": "HKEY_LOCAL_MACHINE",
    "HKCU": "HKEY_CURRENT_USER",
    "HKEY_CURRENT_USER": "HKEY_CURRENT_USER",
    "HKU": "HKEY_USERS",
    "HKEY_USERS": "HKEY_USERS",
    "HKCR": "HKEY_CLASSES_ROOT",
    "HKEY_CLASSES_ROOT": "HKEY_CLASSES_ROOT",
    "HKCC": "HKEY_CURRENT_CONFIG",
    "HKEY_CURRENT_CONFIG": "HKEY_CURRENT_CONFIG",
}

REGISTRY_TYPES: dict[int, str] = {
    0: "REG_NONE",
    1: "REG_SZ",
    2: "REG_EXPAND_SZ",
    3: "REG_BINARY",
    4: "REG_DWORD",
    5: "REG_DWORD_BIG_ENDIAN",
    6: "REG_LINK",
    7: "REG_MULTI_SZ",
    8: "REG_RESOURCE_LIST",
    9: "REG_FULL_RESOURCE_DESCRIPTOR",
    10: "REG_RESOURCE_REQUIREMENTS_LIST",
    11: "REG_QWORD",
}

SERVICE_STATES = frozenset(
    {"running", "stopped", "start_pending", "stop_pending", "paused", "pause_pending", "continue_pending"}
)
START_TYPES = frozenset({"automatic", "manual", "disabled"})


def codepage_name(number: int) -> str | None:
    """The Python codec for a Windows code page number (932 -> "cp932"), or None if unknown."""
    if number <= 0:
        return None
    if number == 65001:
        return "utf-8"
    try:
        return codecs.lookup(f"cp{number}").name
    except LookupError:
        return None


def oem_codepage() -> str | None:
    """The OEM code page console tools write with (cp932 on Japanese Windows)."""
    if sys.platform != "win32":
        return None
    import ctypes

    return codepage_name(int(ctypes.windll.kernel32.GetOEMCP()))


def ansi_codepage() -> str | None:
    """The ANSI code page legacy files are written with (cp932 on Japanese Windows)."""
    if sys.platform != "win32":
        return None
    import ctypes

    return codepage_name(int(ctypes.windll.kernel32.GetACP()))


def run(argv: list[str], timeout: float | None = None) -> Answer:
    """The `run` answer: `argv` without a shell or a console window, output in the OEM code page."""
    codepage = oem_codepage()

    def decode(data: bytes) -> str:
        return decode_bytes(data, codepage)

    flags = CREATE_NO_WINDOW if sys.platform == "win32" else 0
    return run_bounded(check_argv(argv), clamp_timeout(timeout), decode, creationflags=flags)


def service_answer(info: dict[str, Any]) -> Answer:
    """The `service` answer from `psutil.win_service_get(name).as_dict()`."""
    status = str(info.get("status") or "unknown").lower()
    start = str(info.get("start_type") or "unknown").lower()
    return {
        "exists": True,
        "state": status,
        "start_type": start,
        "enabled": None,
        "display_name": info.get("display_name") or None,
        "pid": info.get("pid"),
        "binpath": info.get("binpath") or None,
        "username": info.get("username") or None,
        "error": None,
    }


def service(name: str) -> Answer:
    """The `service` answer for a Windows service by its short name (`WindowsAzureGuestAgent`)."""
    if sys.platform != "win32":
        return unavailable(NOT_HERE)
    try:
        info = psutil.win_service_get(name).as_dict()
    except psutil.NoSuchProcess:
        return {"exists": False, "state": None, "start_type": None, "enabled": None,
                "display_name": None, "error": None}
    except psutil.AccessDenied as exc:
        return unavailable(f"access denied reading service {name}: {exc}")
    return service_answer(dict(info))


def split_registry_key(key: str) -> tuple[str, str]:
    """`HKLM\\SOFTWARE\\X` -> ("HKEY_LOCAL_MACHINE", "SOFTWARE\\X"); ValueError for an unknown hive."""
    hive, _, subkey = key.strip().strip("\\").partition("\\")
    canonical = HIVES.get(hive.rstrip(":").upper())
    if canonical is None:
        raise ValueError(f"unknown registry hive in {key!r}")
    return canonical, subkey.strip("\\")


def registry_type_name(reg_type: int) -> str:
    return REGISTRY_TYPES.get(reg_type, f"REG_{reg_type}")


def format_registry_value(value: Any, reg_type: int) -> Any:
    """A registry value as plain JSON-able data; raw bytes become a hex string, text is bounded."""
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        return bytes(value[: MAX_REGISTRY_TEXT // 2]).hex()
    if isinstance(value, str):
        return value[:MAX_REGISTRY_TEXT]
    if isinstance(value, list):
        return [str(item)[:MAX_REGISTRY_TEXT] for item in value[:MAX_REGISTRY_ITEMS]]
    if isinstance(value, int):
        return value
    return str(value)[:MAX_REGISTRY_TEXT]


def registry(key: str, value: str | None = None) -> Answer:
    """The `registry` answer: one value, or (value null) a key's values and subkeys."""
    if sys.platform != "win32":
        return unavailable(NOT_HERE)
    import winreg

    hive_name, subkey = split_registry_key(key)
    hive = getattr(winreg, hive_name)
    try:
        handle = winreg.OpenKey(hive, subkey, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except FileNotFoundError:
        return {"exists": False, "key_exists": False, "value": None, "type": None, "error": None}
    with handle:
        if value is None:
            return _list_key(handle)
        try:
            data, reg_type = winreg.QueryValueEx(handle, value)
        except FileNotFoundError:
            return {"exists": False, "key_exists": True, "value": None, "type": None, "error": None}
    return {"exists": True, "key_exists": True, "value": format_registry_value(data, reg_type),
            "type": registry_type_name(reg_type), "error": None}


def _list_key(handle: Any) -> Answer:
    if sys.platform != "win32":
        return unavailable(NOT_HERE)
    import winreg

    values: dict[str, Any] = {}
    types: dict[str, str] = {}
    subkeys: list[str] = []
    truncated = False
    for index in range(MAX_REGISTRY_ITEMS + 1):
        try:
            name, data, reg_type = winreg.EnumValue(handle, index)
        except OSError:
            break
        if index == MAX_REGISTRY_ITEMS:
            truncated = True
            break
        values[name] = format_registry_value(data, reg_type)
        types[name] = registry_type_name(reg_type)
    for index in range(MAX_REGISTRY_ITEMS + 1):
        try:
            subkey = winreg.EnumKey(handle, index)
        except OSError:
            break
        if index == MAX_REGISTRY_ITEMS:
            truncated = True
            break
        subkeys.append(subkey)
    return {"exists": True, "key_exists": True, "values": values, "types": types,
            "subkeys": sorted(subkeys), "truncated": truncated, "error": None}


def elevation() -> Answer:
    """The `elevation` answer: running as an elevated Administrator, and as whom."""
    if sys.platform != "win32":
        return unavailable(NOT_HERE)
    import ctypes

    return {"is_admin": bool(ctypes.windll.shell32.IsUserAnAdmin()), "user": getpass.getuser(), "uid": None}
