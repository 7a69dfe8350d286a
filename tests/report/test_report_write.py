"""The report's default name and place (writing it is the one writer's job: tests/unit/test_fileio.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from report_data import scenario

from wizard.report import default_report_path
from wizard.report.write import report_file_name, report_folder, safe_file_part


def test_default_name_from_host_and_start_time() -> None:
    diag = scenario("healthy-linux")
    diag.started_at = dt.datetime(2026, 11, 25, 9, 5, 51, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert report_file_name(diag) == "vmbackup-report_vm-ubuntu01_20261125-0905.html"
    diag.host.hostname = "<img src=x>/..\\CON:*?"
    name = report_file_name(diag)
    assert name.startswith("vmbackup-report_img_src_x_") and name.endswith("_20261125-0905.html")
    assert "/" not in name and "\\" not in name and ":" not in name
    diag.host.hostname = ""
    diag.host.imds = {}
    assert report_file_name(diag) == "vmbackup-report_vm_20261125-0905.html"


def test_safe_file_part() -> None:
    assert safe_file_part("vm01.contoso.local") == "vm01.contoso.local"
    assert safe_file_part("仮想マシン") == "vm"
    assert safe_file_part("..") == "vm"
    assert len(safe_file_part("a" * 300)) == 63


def test_default_folder_linux_is_home(tmp_path: Path) -> None:
    assert report_folder("linux", {}, tmp_path) == tmp_path
    assert default_report_path(scenario("healthy-linux")).parent in (Path.home(), report_folder())


def test_default_folder_windows_is_the_desktop(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    (profile / "Desktop").mkdir(parents=True)
    assert report_folder("win32", {"USERPROFILE": str(profile)}, tmp_path) == profile / "Desktop"
    assert report_folder("win32", {"USERPROFILE": str(tmp_path / "none")}, tmp_path) == tmp_path
    assert report_folder("win32", {}, tmp_path) == tmp_path
