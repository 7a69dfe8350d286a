"""The Windows-only probes: `run` (OEM code page, no console window), `service`, `registry`, `elevation`.

Windows modules (`winreg`, `ctypes.windll`) are imported inside the functions, behind
`sys.platform` checks, so this module imports and type-checks on Linux; the pure parts (code
page names, registry key splitting, value formatting, service status mapping) are separate
functions that the Linux test suite exercises.

- `run` starts console tools with `CREATE_NO_WINDOW` (no console flashes over the GUI); such a
  child gets a hidden console of its own, whose output code page is the OEM one (`GetOEMCP`,
  932 on Japanese Windows), so its bytes are decoded as UTF-8 if they are valid, else with it.
  A command given by bare name (`powershell.exe`, `vssadmin`, `netsh`) is run from the Windows
  system folder (`GetSystemDirectoryW`) by its absolute path, never looked up in the current
  folder or next to the executable, where `CreateProcess` would otherwise look first: a
  planted `powershell.exe` beside a downloaded wizard must not run, elevated, in its place.
- `service` reads the service manager through `psutil.win_service_get`, one field at a time:
  a field that cannot be read (a broken description resource, error 1168) leaves that field
  empty instead of losing the whole answer.
- `registry` opens keys read-only in the 64-bit view (`KEY_WOW64_64KEY`), so a 32-bit build
  sees what the agent sees. `REG_BINARY` and other raw data become hex strings, `REG_MULTI_SZ`
  a list, `REG_DWORD`/`REG_QWORD` an int. Listings are bounded to 500 values and 500 subkeys.
"""

from __future__ import annotations

import codecs
import getpass
import ntpath
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import psutil

from wizard.probes.base import Answer, unavailable
from wizard.probes.command import check_argv, clamp_timeout, run_bounded
from wizard.probes.fsroot import decode_bytes

NOT_HERE = "not available on this platform"
CREATE_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000)
# A key such as FirewallPolicy\FirewallRules holds several hundred values on a stock Windows Server.
MAX_REGISTRY_ITEMS = 5000
MAX_REGISTRY_TEXT = 64 * 1024
DEFAULT_SYSTEM_DIR = "C:\\Windows\\System32"

# Probe error texts: English templates with named placeholders (message ids later).
ERR_SERVICE_DENIED = "access denied reading service {service}: {error}"
ERR_RELATIVE_COMMAND = "refusing to run {command}: give a bare command name or an absolute path"
ERR_COMMAND_NOT_IN_SYSTEM = "command not found: {command} is not in the Windows system folder {folder}"

# Tools the checks run by bare name, and where they are below the system folder.
SYSTEM_TOOLS: dict[str, str] = {
    "powershell": "WindowsPowerShell\\v1.0\\powershell.exe",
    "powershell.exe": "WindowsPowerShell\\v1.0\\powershell.exe",
}

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


def system_directory() -> str:
    """The Windows system folder (`C:\\Windows\\System32`), from `GetSystemDirectoryW`."""
    if sys.platform == "win32":
        import ctypes

        buffer = ctypes.create_unicode_buffer(520)
        length = int(ctypes.windll.kernel32.GetSystemDirectoryW(buffer, len(buffer)))
        if 0 < length < len(buffer):
            return buffer.value
    root = os.environ.get("SystemRoot") or os.environ.get("windir")
    return ntpath.join(root, "System32") if root else DEFAULT_SYSTEM_DIR


def resolve_command(command: str, system_dir: str,
                    exists: Callable[[str], bool] = os.path.isfile) -> tuple[str | None, str | None]:
    """(absolute path, None) for the program `command` names, or (None, why not).

    An absolute path is kept; a bare name (`vssadmin`, `netsh.exe`, `powershell.exe`) is looked up
    in the system folder only (`.exe` added when the name has no extension); anything else (a
    relative path) is refused.
    """
    if ntpath.isabs(command) and ntpath.splitdrive(command)[0]:
        return command, None
    if "\\" in command or "/" in command or ":" in command:
        return None, ERR_RELATIVE_COMMAND.format(command=command)
    name = command.lower()
    relative = SYSTEM_TOOLS.get(name) or (command if ntpath.splitext(command)[1] else command + ".exe")
    path = ntpath.join(system_dir, relative)
    if not exists(path):
        return None, ERR_COMMAND_NOT_IN_SYSTEM.format(command=command, folder=system_dir)
    return path, None


def run(argv: list[str], timeout: float | None = None) -> Answer:
    """The `run` answer: `argv` without a shell or a console window, output in the OEM code page.

    On Windows the program is run by its absolute path in the system folder (`resolve_command`);
    the answer names it in `executable`."""
    codepage = oem_codepage()
    args = check_argv(argv)

    def decode(data: bytes) -> str:
        return decode_bytes(data, codepage)

    if sys.platform != "win32":
        return run_bounded(args, clamp_timeout(timeout), decode)
    executable, why_not = resolve_command(args[0], system_directory())
    if executable is None:
        return {"found": False, "returncode": None, "stdout": "", "stderr": "", "timed_out": False,
                "truncated": False, "elapsed_ms": 0, "error": why_not, "executable": None}
    answer = run_bounded([executable, *args[1:]], clamp_timeout(timeout), decode, creationflags=CREATE_NO_WINDOW)
    return {**answer, "executable": executable}


def service_answer(info: dict[str, Any]) -> Answer:
    """The `service` answer from the fields read off a `psutil` Windows service."""
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
        **({"unreadable_fields": sorted(info["unreadable_fields"])} if info.get("unreadable_fields") else {}),
    }


SERVICE_FIELDS = ("status", "start_type", "display_name", "binpath", "username", "pid")


def service_fields(svc: Any) -> dict[str, Any]:
    """The fields of a `psutil` Windows service, each read on its own.

    `as_dict()` reads them all and also `description()`, which fails for some services (a broken
    description resource: `FileNotFoundError`, `OSError` 1168); one failing field must not cost the
    others. Raises `psutil.NoSuchProcess` when the service is gone (the caller answers "does not exist").
    `status` is read first, so a service that cannot be queried at all fails on that."""
    info: dict[str, Any] = {}
    unreadable: list[str] = []
    for field in SERVICE_FIELDS:
        try:
            info[field] = getattr(svc, field)()
        except psutil.NoSuchProcess:
            raise
        except psutil.AccessDenied:
            if field == "status":
                raise
            unreadable.append(field)
        except (psutil.Error, OSError):
            unreadable.append(field)
    info["unreadable_fields"] = unreadable
    return info


def service(name: str) -> Answer:
    """The `service` answer for a Windows service by its short name (`WindowsAzureGuestAgent`)."""
    if sys.platform != "win32":
        return unavailable(NOT_HERE)
    try:
        info = service_fields(psutil.win_service_get(name))
    except psutil.NoSuchProcess:
        return {"exists": False, "state": None, "start_type": None, "enabled": None,
                "display_name": None, "error": None}
    except psutil.AccessDenied as exc:
        return unavailable(ERR_SERVICE_DENIED.format(service=name, error=exc))
    return service_answer(info)


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
