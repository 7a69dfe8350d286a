"""The Windows executable on a Windows too old for its window (Server 2012 R2 / 2016: build below 17763),
with the version check simulated: a native message box says what happens, the checks run, the HTML
report is written (next to the exe, else the Desktop, else temp) and opened, and the terminal view is
offered in a console of its own. Also: the console twin, and attaching to a parent console per stream."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

import pytest

from wizard import __version__, cli, display, runner, winconsole, winstart
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.probes.scenario import ReplayProbe

SCENARIO = Path(__file__).resolve().parents[2] / "resources" / "scenarios" / "healthy-windows.json"


class FakeUI(winstart.NativeUI):
    def __init__(self, folders: list[Path], answers: list[int], console: bool = True) -> None:
        self._folders = folders
        self.answers = list(answers)
        self.console_ok = console
        self.boxes: list[tuple[str, str, int]] = []
        self.opened: list[Path] = []
        self.consoles: list[str] = []
        self.waited: list[str] = []

    def message_box(self, text: str, title: str, flags: int) -> int:
        self.boxes.append((text, title, flags))
        return self.answers.pop(0) if self.answers else winstart.IDCANCEL

    def open_console(self, title: str) -> bool:
        self.consoles.append(title)
        return self.console_ok

    def wait_for_enter(self, prompt: str) -> None:
        self.waited.append(prompt)

    def open_file(self, path: Path) -> bool:
        self.opened.append(path)
        return True

    def folders(self) -> list[Path]:
        return list(self._folders)


def old_windows_reason() -> Any:
    verdict = display.can_show_window(environ={}, platform="win32", build=14393)  # Windows Server 2016
    assert isinstance(verdict, display.NoWindow)
    return verdict.reason


def replay_checks(args: argparse.Namespace, lang: str, console: bool) -> Any:
    assert args.cli is False
    return runner.run(ALL_CHECKS, ReplayProbe.load(SCENARIO))


def args() -> argparse.Namespace:
    return cli.build_parser().parse_args([])


def test_server_2016_gets_the_report_without_a_console(tmp_path: Path) -> None:
    ui = FakeUI([tmp_path / "missing", tmp_path], [winstart.IDNO])
    code = winstart.legacy_start(args(), "en", old_windows_reason(), ui, checks=replay_checks)
    first, last = ui.boxes[0], ui.boxes[-1]
    assert first[0].startswith("This Windows (build 14393) is older than the graphical wizard supports")
    assert "write the report as an HTML file to" in first[0] and first[2] & winstart.MB_YESNOCANCEL
    assert ui.consoles == []
    [report] = ui.opened
    assert report.parent == tmp_path and report.name.startswith("vmbackup-report_") and report.is_file()
    assert "<html" in report.read_text(encoding="utf-8")[:500].lower()
    assert last[0] == f"The report was written to {report} and opened in your browser."
    assert code in (0, 1, 2)


def test_yes_shows_the_terminal_view_in_its_own_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)

    ran: list[Any] = []

    def checks(a: argparse.Namespace, lang: str, console: bool) -> Any:
        assert console is True
        ran.append(winstart.run_checks(cli.build_parser().parse_args(["--scenario", str(SCENARIO)]), lang, console))
        return ran[-1]

    ui = FakeUI([tmp_path], [winstart.IDYES])
    winstart.legacy_start(args(), "ja", old_windows_reason(), ui, checks=checks)
    assert ui.consoles == ["VM Backup Wizard"]
    assert ui.waited == [Translator("ja")("Press Enter to close this window.")]
    assert len(ui.boxes) == 1  # no second box: the console says where the report is
    text = out.getvalue()
    assert Translator("ja")("Report written to {path}", path=str(ui.opened[0])) in text
    # the terminal view ran in that console: its header (the checks that apply to this Windows VM, not every
    # check the wizard has) and the verdict of the finished answer
    (diag,) = ran
    assert len(diag.results) < len(ALL_CHECKS)
    assert Translator("ja")("VM Backup Wizard {version}: checking {n} things Azure VM Backup needs in this VM. "
                            "Nothing is changed.", version=__version__, n=len(diag.results)) in text
    assert Translator("ja")("Results") in text


def test_cancel_does_nothing(tmp_path: Path) -> None:
    ran: list[bool] = []
    ui = FakeUI([tmp_path], [winstart.IDCANCEL])
    code = winstart.legacy_start(args(), "en", old_windows_reason(), ui,
                                 checks=lambda a, lang, console: ran.append(True))
    assert code == winstart.EXIT_CANCELLED and ran == [] and ui.opened == []


def test_no_folder_takes_the_report(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ui = FakeUI([blocker / "sub"], [winstart.IDNO])
    code = winstart.legacy_start(args(), "en", old_windows_reason(), ui, checks=replay_checks)
    assert code == winstart.EXIT_TOOL_FAILED
    assert ui.boxes[-1][0].startswith("The report could not be written (")
    assert "VMBackupWizard-cli.exe --cli" in ui.boxes[-1][0]


def test_only_the_frozen_windowed_exe_without_a_console_uses_it() -> None:
    assert winstart.can_use_legacy_start("win32", True, None) is True
    assert winstart.can_use_legacy_start("win32", True, io.StringIO()) is False  # run from a console
    assert winstart.can_use_legacy_start("win32", False, None) is False
    assert winstart.can_use_legacy_start("linux", True, None) is False


def test_the_cli_hands_over_when_the_build_is_too_old(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    reason = old_windows_reason()
    monkeypatch.setattr(display, "can_show_window", lambda: display.NoWindow(reason))
    monkeypatch.setattr(winstart, "can_use_legacy_start", lambda: True)
    monkeypatch.setattr(winstart, "legacy_start", lambda a, lang, reason: seen.append(reason) or 2)
    assert cli.main(["--lang", "en"]) == 2
    assert seen and seen[0].params == {"build": 14393, "minimum": 17763}


def test_the_console_twin_always_runs_the_terminal_view() -> None:
    assert cli.is_console_twin(True, "C:\\tools\\VMBackupWizard-cli.exe") is True
    assert cli.is_console_twin(True, "C:\\tools\\VMBackupWizard.exe") is False
    assert cli.is_console_twin(False, "/usr/bin/python3") is False


# -- attaching to the parent console, per stream -------------------------------------------------


def test_only_the_stream_with_nowhere_to_go_is_attached(monkeypatch: pytest.MonkeyPatch) -> None:
    redirected = io.StringIO()  # `VMBackupWizard.exe --json - > out.json`: stdout is the file
    monkeypatch.setattr(sys, "stdout", redirected)
    monkeypatch.setattr(sys, "stderr", None)
    consoles: list[io.StringIO] = []

    def opener() -> io.StringIO:
        consoles.append(io.StringIO())
        return consoles[-1]

    assert winconsole.attach_parent_console("win32", True, attach=lambda pid: pid == -1, opener=opener) is True
    assert sys.stdout is redirected and sys.stderr is consoles[0] and len(consoles) == 1


def test_no_parent_console_leaves_the_streams_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert winconsole.attach_parent_console("win32", True, attach=lambda pid: False) is False
    assert sys.stdout is None
    assert winconsole.attach_parent_console("linux", True) is False
    assert winconsole.missing_streams(None, io.StringIO()) == ["stdout"]


def test_an_own_console_gets_the_missing_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert winconsole.open_own_console("t", alloc=lambda: True, opener=io.StringIO) is True
    assert isinstance(sys.stdout, io.StringIO) and isinstance(sys.stderr, io.StringIO)
    monkeypatch.setattr(sys, "stdout", None)
    assert winconsole.open_own_console("t", alloc=lambda: False, opener=io.StringIO) is False
