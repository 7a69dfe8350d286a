"""The SMBIOS asset tag, read in-process: the chassis asset tag Azure sets on every VM.

On Windows the raw SMBIOS table comes from `GetSystemFirmwareTable('RSMB', 0, ...)` (no child
process: a PowerShell/WMI query can be slow, blocked by application control, or broken exactly
on the VMs the wizard has to diagnose). The buffer is a `RawSMBIOSData` header (Microsoft Learn,
"GetSystemFirmwareTable function": BYTE Used20CallingMethod, BYTE SMBIOSMajorVersion, BYTE
SMBIOSMinorVersion, BYTE DmiRevision, DWORD Length, then `Length` bytes of structures).

Each SMBIOS structure (DMTF DSP0134, "SMBIOS Reference Specification", 6.1) is a header (BYTE
type, BYTE length of the formatted area, WORD handle), the formatted area, then its strings,
each NUL-terminated, the set ended by an extra NUL; a string field holds the 1-based number of
its string, 0 for none. The System Enclosure (type 3, 7.4) has Manufacturer at offset 04h and
Asset Tag Number at 08h; the System Information (type 1, 7.2) has Manufacturer at 04h and
Product Name at 05h. Linux shows the same type-3 field as `/sys/class/dmi/id/chassis_asset_tag`.

`parse_raw_smbios` is pure and never raises on hostile input; `read_asset_tag` calls Windows.
"""

from __future__ import annotations

import sys
from typing import Any

HEADER_SIZE = 8
MAX_TABLE_BYTES = 1024 * 1024
MAX_STRING = 256
RSMB = 0x52534D42  # 'RSMB' as the DWORD GetSystemFirmwareTable expects (big-endian packing of the tag)

# The chassis asset tag Azure sets on every VM, and the PowerShell query that reads it on Windows when the
# firmware table cannot be read. They live here, below the checks, because the probes (the fake machine's
# `on_azure`) need them too; `wizard.checks.facts` re-exports them.
AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77"
WINDOWS_ASSET_TAG_COMMAND = [
    "powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
    "(Get-CimInstance -ClassName Win32_SystemEnclosure).SMBIOSAssetTag",
]

# Probe error texts: English templates with named placeholders (message ids later).
ERR_FIRMWARE_CALL = "GetSystemFirmwareTable('RSMB') failed (Windows error {code})"
ERR_TABLE_SHORT = "the SMBIOS table is shorter than its header says ({size} of {expected} bytes)"
ERR_NO_ENCLOSURE = "the SMBIOS table has no System Enclosure (type 3) structure"


def _strings(data: bytes, start: int) -> tuple[list[str], int]:
    """The strings after a formatted area at `start`, and where the next structure begins."""
    strings: list[str] = []
    pos = start
    end = len(data)
    if data[pos:pos + 2] == b"\x00\x00":
        return strings, pos + 2
    while pos < end:
        nul = data.find(b"\x00", pos)
        if nul < 0:
            return strings, end
        strings.append(data[pos:nul][:MAX_STRING].decode("latin-1").strip())
        pos = nul + 1
        if pos < end and data[pos] == 0:
            return strings, pos + 1
    return strings, end


def _string_field(formatted: bytes, offset: int, strings: list[str]) -> str | None:
    if offset >= len(formatted):
        return None
    number = formatted[offset]
    if number == 0 or number > len(strings):
        return None
    return strings[number - 1]


def parse_structures(table: bytes) -> list[dict[str, Any]]:
    """The structures of a raw SMBIOS table: type, formatted bytes, strings (bounded, never raises)."""
    out: list[dict[str, Any]] = []
    pos = 0
    data = table[:MAX_TABLE_BYTES]
    while pos + 4 <= len(data) and len(out) < 4096:
        kind, length = data[pos], data[pos + 1]
        if length < 4 or pos + length > len(data):
            break
        formatted = data[pos:pos + length]
        strings, nxt = _strings(data, pos + length)
        out.append({"type": kind, "formatted": formatted, "strings": strings})
        if kind == 127 or nxt <= pos:  # end-of-table structure
            break
        pos = nxt
    return out


def parse_raw_smbios(buffer: bytes) -> dict[str, Any]:
    """`RawSMBIOSData` -> {asset_tag, chassis_manufacturer, manufacturer, product, version, error}."""
    out: dict[str, Any] = {"asset_tag": None, "chassis_manufacturer": None, "manufacturer": None,
                           "product": None, "version": None, "error": None}
    if not isinstance(buffer, bytes | bytearray) or len(buffer) < HEADER_SIZE:
        out["error"] = ERR_TABLE_SHORT.format(size=len(buffer) if isinstance(buffer, bytes | bytearray) else 0,
                                              expected=HEADER_SIZE)
        return out
    data = bytes(buffer)
    out["version"] = f"{data[1]}.{data[2]}"
    length = int.from_bytes(data[4:8], "little")
    table = data[HEADER_SIZE:HEADER_SIZE + length]
    if len(table) < length:
        out["error"] = ERR_TABLE_SHORT.format(size=len(table), expected=length)
    enclosure_seen = False
    for structure in parse_structures(table):
        formatted, strings = structure["formatted"], structure["strings"]
        if structure["type"] == 1 and out["manufacturer"] is None:
            out["manufacturer"] = _string_field(formatted, 4, strings)
            out["product"] = _string_field(formatted, 5, strings)
        elif structure["type"] == 3 and not enclosure_seen:
            enclosure_seen = True
            out["chassis_manufacturer"] = _string_field(formatted, 4, strings)
            out["asset_tag"] = _string_field(formatted, 8, strings) or ""
    if not enclosure_seen and out["error"] is None:
        out["error"] = ERR_NO_ENCLOSURE
    return out


def read_raw_smbios() -> tuple[bytes | None, str | None]:
    """The `RawSMBIOSData` buffer from Windows, or (None, why not). Windows only."""
    if sys.platform != "win32":
        return None, "not available on this platform"
    import ctypes

    kernel32 = ctypes.windll.kernel32
    kernel32.GetSystemFirmwareTable.restype = ctypes.c_uint
    kernel32.GetSystemFirmwareTable.argtypes = [ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_uint]
    size = int(kernel32.GetSystemFirmwareTable(RSMB, 0, None, 0))
    if size <= 0 or size > MAX_TABLE_BYTES:
        return None, ERR_FIRMWARE_CALL.format(code=ctypes.GetLastError())
    buffer = ctypes.create_string_buffer(size)
    got = int(kernel32.GetSystemFirmwareTable(RSMB, 0, buffer, size))
    if got <= 0 or got > size:
        return None, ERR_FIRMWARE_CALL.format(code=ctypes.GetLastError())
    return buffer.raw[:got], None


def read_asset_tag() -> dict[str, Any]:
    """What the firmware says (as `parse_raw_smbios`), or {"error": ...} when it cannot be read."""
    raw, error = read_raw_smbios()
    if raw is None:
        return {"asset_tag": None, "error": error}
    return parse_raw_smbios(raw)
