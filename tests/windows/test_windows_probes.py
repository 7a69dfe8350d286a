"""The real Windows probes on a real Windows machine (the `windows` workflow runs these)."""

from __future__ import annotations

import ntpath
import sys

from wizard.probes import smbios
from wizard.probes.system import SystemProbe
from wizard.probes.windows import system_directory


def test_a_command_with_non_ascii_output_is_decoded() -> None:
    answer = SystemProbe().call("run", argv=["cmd.exe", "/d", "/c", "echo 状態"])
    assert answer["returncode"] == 0, answer
    assert "状態" in answer["stdout"], answer


def test_tools_run_by_their_absolute_path_in_system32() -> None:
    answer = SystemProbe().call("run", argv=["powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
                                             "$PSVersionTable.PSVersion.Major"])
    assert answer["returncode"] == 0, answer
    assert answer["executable"].lower() == ntpath.join(system_directory(), "WindowsPowerShell", "v1.0",
                                                       "powershell.exe").lower()
    assert int(answer["stdout"].strip()) >= 4
    netsh = SystemProbe().call("run", argv=["netsh", "winhttp", "show", "proxy"])
    assert netsh["executable"].lower() == ntpath.join(system_directory(), "netsh.exe").lower()


def test_a_tool_outside_system32_is_not_looked_up_elsewhere() -> None:
    answer = SystemProbe().call("run", argv=["python", "--version"])  # on PATH, but not a system tool
    assert answer["found"] is False and "not in the Windows system folder" in answer["error"]


def test_a_registry_value_is_read() -> None:
    answer = SystemProbe().call("registry", key=r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
                                value="CurrentBuildNumber")
    assert answer["exists"] is True, answer
    assert str(answer["value"]).isdigit(), answer


def test_a_service_is_queried_field_by_field() -> None:
    for name in ("EventLog", "RpcSs"):
        answer = SystemProbe().call("service", name=name)
        assert answer["exists"] is True, answer
        assert answer["state"] == "running", answer
        assert answer["start_type"] in ("automatic", "manual", "disabled"), answer
    missing = SystemProbe().call("service", name="NoSuchServiceVmBackupWizard")
    assert missing["exists"] is False


def test_platform_and_elevation_answer() -> None:
    platform = SystemProbe().call("platform")
    assert platform["system"] == "windows"
    assert "asset_tag" in platform  # read in-process from the firmware table
    assert isinstance(SystemProbe().call("elevation")["is_admin"], bool)
    assert sys.platform == "win32"


def test_the_firmware_table_gives_a_chassis_asset_tag() -> None:
    found = smbios.read_asset_tag()
    assert found.get("error") in (None, smbios.ERR_NO_ENCLOSURE), found
    assert isinstance(found["asset_tag"], str), found
