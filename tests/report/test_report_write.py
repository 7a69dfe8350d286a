"""Writing the report: atomic, nothing left behind on failure, clear messages, the default name and place."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from report_data import scenario

from wizard.i18n import Translator
from wizard.report import ReportWriteError, default_report_path, write_report
from wizard.report import write as write_mod
from wizard.report.write import report_file_name, report_folder, safe_file_part

HTML = "<!DOCTYPE html><html lang=\"ja\"><title>レポート</title></html>\n"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_utf8_and_returns_the_path(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    assert write_report(HTML, target) == target
    assert target.read_text(encoding="utf-8") == HTML
    assert _leftovers(tmp_path) == ["r.html"]


def test_replaces_an_existing_report(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    write_report(HTML, target)
    assert target.read_text(encoding="utf-8") == HTML
    assert _leftovers(tmp_path) == ["r.html"]


@pytest.mark.parametrize("fail_in", ["write", "fsync", "replace"])
def test_a_failure_mid_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   fail_in: str) -> None:
    target = tmp_path / "r.html"
    target.write_text("the previous report", encoding="utf-8")

    def boom(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if fail_in == "write":
        real_fdopen = os.fdopen

        class HalfFile:
            def __init__(self, fd: int, mode: str) -> None:
                self._fh = real_fdopen(fd, mode)

            def __enter__(self) -> HalfFile:
                return self

            def __exit__(self, *exc: object) -> None:
                self._fh.close()

            def write(self, data: bytes) -> int:
                self._fh.write(data[: len(data) // 2])
                self._fh.flush()
                boom()
                return 0

            def flush(self) -> None:
                self._fh.flush()

            def fileno(self) -> int:
                return self._fh.fileno()

        monkeypatch.setattr(write_mod.os, "fdopen", HalfFile)
    else:
        monkeypatch.setattr(write_mod.os, fail_in, boom)
    with pytest.raises(ReportWriteError) as info:
        write_report(HTML, target)
    assert info.value.reason == "full"
    assert "The disk is full." in str(info.value)
    assert _leftovers(tmp_path) == ["r.html"]
    assert target.read_text(encoding="utf-8") == "the previous report"


def test_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "r.html"
    with pytest.raises(ReportWriteError) as info:
        write_report(HTML, target)
    assert info.value.reason == "missing"
    assert str(info.value) == (f"Could not save the report to {target}. The folder does not exist. "
                               "Choose another place.")
    assert _leftovers(tmp_path) == []


def test_target_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportWriteError) as info:
        write_report(HTML, tmp_path)
    assert info.value.reason == "is_folder"


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ReportWriteError) as info:
        write_report(HTML, tmp_path / "file" / "r.html")
    assert info.value.reason == "not_a_folder"
    assert _leftovers(tmp_path) == ["file"]


@pytest.mark.posix("os.geteuid and POSIX folder modes")
def test_unwritable_folder(tmp_path: Path) -> None:
    """A folder nobody may create files in, even root: /sys (or a read-only folder for a normal user)."""
    if os.geteuid() == 0:
        folder = Path("/sys")
        if not folder.is_dir():
            pytest.fail("/sys is needed for this test")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    try:
        with pytest.raises(ReportWriteError) as info:
            write_report(HTML, folder / "vmbackup-report.html")
        assert info.value.reason in ("permission", "read_only")
        assert str(folder) in str(info.value)
        assert "Choose another place." in str(info.value)
        assert not (folder / "vmbackup-report.html").exists()
    finally:
        if folder != Path("/sys"):
            folder.chmod(0o700)


def test_message_in_japanese(tmp_path: Path) -> None:
    with pytest.raises(ReportWriteError) as info:
        write_report(HTML, tmp_path / "missing" / "r.html")
    ja = info.value.translated(Translator("ja"))
    assert str(tmp_path / "missing" / "r.html") in ja
    assert "Could not" not in ja


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


@pytest.mark.posix("os.mkfifo")
def test_a_device_or_pipe_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    with pytest.raises(ReportWriteError) as info:
        write_report("<html></html>", fifo)
    assert info.value.reason == "not_a_file"
    assert fifo.exists() and not fifo.is_file()
