"""The real Windows probes on a real Windows machine (the `windows` workflow runs these)."""

from __future__ import annotations

import sys

from wizard.probes.system import SystemProbe


def test_a_command_with_non_ascii_output_is_decoded() -> None:
    answer = SystemProbe().call("run", argv=["cmd.exe", "/d", "/c", "echo 状態"])
    assert answer["returncode"] == 0, answer
    assert "状態" in answer["stdout"], answer


def test_a_registry_value_is_read() -> None:
    answer = SystemProbe().call("registry", key=r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
                                value="CurrentBuildNumber")
    assert answer["exists"] is True, answer
    assert str(answer["value"]).isdigit(), answer


def test_a_service_is_queried() -> None:
    answer = SystemProbe().call("service", name="EventLog")
    assert answer["exists"] is True, answer
    assert answer["state"] == "running", answer


def test_platform_and_elevation_answer() -> None:
    assert SystemProbe().call("platform")["system"] == "windows"
    assert isinstance(SystemProbe().call("elevation")["is_admin"], bool)
    assert sys.platform == "win32"
