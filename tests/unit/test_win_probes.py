"""The pure parts of the Windows probes, run on any platform: where a command is run from, the
service fields read one by one, and the SMBIOS asset tag read from the firmware table.

The SMBIOS tables are built byte by byte from the layout in DMTF DSP0134 (header type/length/
handle, formatted area, string set ended by a double NUL) and the `RawSMBIOSData` header of
Microsoft Learn's GetSystemFirmwareTable page; the Azure asset tag is the one the wizard's facts
name (7783-7084-3265-9085-8269-3286-77)."""

from __future__ import annotations

import struct
from typing import Any

import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.checks.facts import AZURE_ASSET_TAG
from wizard.probes import smbios, windows

SYSTEM32 = "C:\\Windows\\System32"


def exists_in(*present: str) -> Any:
    wanted = {p.lower() for p in present}
    return lambda path: path.lower() in wanted


# -- commands are run from the system folder ---------------------------------------------------


def test_powershell_is_run_by_its_absolute_path_in_system32() -> None:
    path = SYSTEM32 + "\\WindowsPowerShell\\v1.0\\powershell.exe"
    assert windows.resolve_command("powershell.exe", SYSTEM32, exists_in(path)) == (path, None)
    assert windows.resolve_command("PowerShell.EXE", SYSTEM32, exists_in(path)) == (path, None)


@pytest.mark.parametrize(("name", "file"), [("vssadmin", "vssadmin.exe"), ("netsh", "netsh.exe"),
                                            ("cmd.exe", "cmd.exe"), ("bitsadmin", "bitsadmin.exe")])
def test_bare_tool_names_resolve_in_system32_only(name: str, file: str) -> None:
    path = SYSTEM32 + "\\" + file
    assert windows.resolve_command(name, SYSTEM32, exists_in(path)) == (path, None)


def test_a_tool_next_to_the_wizard_or_in_the_working_folder_is_never_chosen() -> None:
    planted = {"C:\\Users\\alice\\Downloads\\powershell.exe", ".\\netsh.exe", "netsh.exe"}
    path, why = windows.resolve_command("netsh", SYSTEM32, exists_in(*planted))
    assert path is None
    assert why == "command not found: netsh is not in the Windows system folder C:\\Windows\\System32"


@pytest.mark.parametrize("command", [".\\powershell.exe", "tools\\vssadmin.exe", "..\\netsh", "C:netsh.exe"])
def test_relative_paths_are_refused(command: str) -> None:
    path, why = windows.resolve_command(command, SYSTEM32, lambda _: True)
    assert path is None and why is not None and why.startswith("refusing to run")


def test_an_absolute_path_is_kept() -> None:
    exe = "C:\\Program Files\\Tool\\tool.exe"
    assert windows.resolve_command(exe, SYSTEM32, lambda _: False) == (exe, None)


@pytest.mark.posix("GetSystemDirectoryW answers on Windows; the fallback is for elsewhere")
def test_the_system_folder_falls_back_to_systemroot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SystemRoot", "D:\\Win")
    assert windows.system_directory() == "D:\\Win\\System32"
    monkeypatch.delenv("SystemRoot")
    monkeypatch.delenv("windir", raising=False)
    assert windows.system_directory() == "C:\\Windows\\System32"


# -- services: one field at a time ---------------------------------------------------------------


class FakeService:
    """Stands in for psutil's WindowsService: each method returns its value or raises."""

    def __init__(self, **fields: Any) -> None:
        self.fields = fields

    def _get(self, name: str) -> Any:
        value = self.fields.get(name)
        if isinstance(value, BaseException):
            raise value
        return value

    def status(self) -> Any:
        return self._get("status")

    def start_type(self) -> Any:
        return self._get("start_type")

    def display_name(self) -> Any:
        return self._get("display_name")

    def binpath(self) -> Any:
        return self._get("binpath")

    def username(self) -> Any:
        return self._get("username")

    def pid(self) -> Any:
        return self._get("pid")

    def description(self) -> Any:  # as_dict() would call this one too
        raise FileNotFoundError(2, "The system cannot find the file specified")


def test_a_broken_field_does_not_lose_the_service_state() -> None:
    svc = FakeService(status="running", start_type="manual", display_name=OSError(1168, "Element not found"),
                      binpath="C:\\Windows\\system32\\vssvc.exe", username="LocalSystem", pid=4321)
    answer = windows.service_answer(windows.service_fields(svc))
    assert (answer["exists"], answer["state"], answer["start_type"]) == (True, "running", "manual")
    assert answer["display_name"] is None
    assert answer["unreadable_fields"] == ["display_name"]
    assert answer["pid"] == 4321


def test_a_service_that_is_gone_or_denied_raises_for_the_caller() -> None:
    with pytest.raises(psutil.NoSuchProcess):
        windows.service_fields(FakeService(status=psutil.NoSuchProcess(pid=0, name="VSS")))
    with pytest.raises(psutil.AccessDenied):
        windows.service_fields(FakeService(status=psutil.AccessDenied(pid=0, name="VSS")))
    fields = windows.service_fields(FakeService(status="stopped", start_type="disabled",
                                                username=psutil.AccessDenied(pid=0, name="VSS")))
    assert fields["status"] == "stopped" and fields["unreadable_fields"] == ["username"]


def test_service_error_text_is_a_template() -> None:
    text = windows.ERR_SERVICE_DENIED.format(service="VSS", error="denied")
    assert text == "access denied reading service VSS: denied"


# -- SMBIOS ------------------------------------------------------------------------------------


def structure(kind: int, handle: int, fields: bytes, strings: list[str]) -> bytes:
    body = bytes([kind, 4 + len(fields)]) + struct.pack("<H", handle) + fields
    text = b"".join(s.encode("latin-1") + b"\x00" for s in strings)
    return body + (text + b"\x00" if strings else b"\x00\x00")


def raw_smbios(*structures: bytes, major: int = 3, minor: int = 1) -> bytes:
    table = b"".join(structures) + structure(127, 0xFFFF, b"", [])
    return bytes([0, major, minor, 0]) + struct.pack("<I", len(table)) + table


def hyperv_table(asset_tag: str = AZURE_ASSET_TAG) -> bytes:
    bios = structure(0, 0, bytes([1, 2, 0, 0, 3, 0]) + bytes(12), ["American Megatrends Inc.", "090008", "12/07/2018"])
    system = structure(1, 1, bytes([1, 2, 3, 4]) + bytes(16) + bytes([6, 0, 0]),
                       ["Microsoft Corporation", "Virtual Machine", "7.0", "0000-0002-1234-5678"])
    # type 3: manufacturer(1) type(3=desktop) version(2) serial(3) asset tag(4), then the state bytes
    chassis = structure(3, 3, bytes([1, 3, 2, 3, 4, 3, 3, 3, 2]) + bytes(4) + bytes([0, 0, 0, 0]),
                        ["Microsoft Corporation", "7.0", "0000-0002-1234-5678", asset_tag])
    return raw_smbios(bios, system, chassis)


def test_the_azure_asset_tag_is_read_from_the_chassis_structure() -> None:
    found = smbios.parse_raw_smbios(hyperv_table())
    assert found["asset_tag"] == AZURE_ASSET_TAG
    assert (found["manufacturer"], found["product"]) == ("Microsoft Corporation", "Virtual Machine")
    assert found["chassis_manufacturer"] == "Microsoft Corporation"
    assert found["version"] == "3.1" and found["error"] is None


def test_another_machine_has_another_tag() -> None:
    assert smbios.parse_raw_smbios(hyperv_table("To Be Filled By O.E.M."))["asset_tag"] == "To Be Filled By O.E.M."


def test_a_chassis_without_an_asset_tag_string_gives_an_empty_tag() -> None:
    chassis = structure(3, 3, bytes([1, 3, 0, 0, 0]), ["Contoso"])
    found = smbios.parse_raw_smbios(raw_smbios(chassis))
    assert found["asset_tag"] == "" and found["chassis_manufacturer"] == "Contoso"


def test_a_table_without_a_chassis_says_so() -> None:
    system = structure(1, 1, bytes([1, 2]), ["Contoso", "Box"])
    found = smbios.parse_raw_smbios(raw_smbios(system))
    assert found["asset_tag"] is None and found["error"] == smbios.ERR_NO_ENCLOSURE


def test_a_cut_table_keeps_what_it_read_and_says_it_was_cut() -> None:
    data = hyperv_table()
    found = smbios.parse_raw_smbios(data[:-6])  # the end-of-table structure is missing
    assert found["asset_tag"] == AZURE_ASSET_TAG
    assert found["error"] is not None and "shorter" in found["error"]
    cut_in_tag = smbios.parse_raw_smbios(data[:-9])  # ... and the tag's last characters: not half a tag
    assert cut_in_tag["asset_tag"] == ""
    assert smbios.parse_raw_smbios(b"\x00\x03")["error"] is not None


@given(st.binary(max_size=400))
def test_hostile_firmware_bytes_never_raise(data: bytes) -> None:
    found = smbios.parse_raw_smbios(data)
    assert set(found) >= {"asset_tag", "error"}
    assert found["asset_tag"] is None or isinstance(found["asset_tag"], str)


@given(st.binary(max_size=200))
def test_hostile_bytes_after_a_valid_header_never_raise(tail: bytes) -> None:
    data = bytes([0, 3, 1, 0]) + struct.pack("<I", len(tail)) + tail
    assert isinstance(smbios.parse_raw_smbios(data), dict)


@pytest.mark.posix("the firmware table is read for real on Windows (tests/windows)")
def test_reading_the_firmware_off_windows_is_unavailable() -> None:
    assert smbios.read_asset_tag() == {"asset_tag": None, "error": "not available on this platform"}
