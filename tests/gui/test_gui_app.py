"""Starting the wizard: run_gui with --scenario and --screenshots, a start that fails, plain error
messages instead of tracebacks, the launch marker, and the guard against PySide6 6.12.0's bug."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import FakeSeams
from PySide6.QtGui import QImage

from wizard.cli import build_parser
from wizard.gui.app import EXIT_AFTER_SHOW_ENV, SHOWN_MARKER, TOUR_PAGES, PlainErrors, run_gui, smoke_pages

ROOT = Path(__file__).resolve().parents[2]


def args_for(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_screenshots_walk_every_page_and_exit_0(qtbot: Any, tmp_path: Path) -> None:
    seams = FakeSeams()
    code = run_gui(args_for("--scenario", "linux-firewall-drops-wireserver", "--lang", "ja",
                            "--error-code", "UserErrorGuestAgentStatusUnavailable",
                            "--screenshots", str(tmp_path / "shots")), "ja", seams)
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert names == [f"linux-firewall-drops-wireserver-ja-{i}-{page}.png" for i, page in enumerate(TOUR_PAGES, 1)]
    for name in names:
        image = QImage(str(tmp_path / "shots" / name))
        assert not image.isNull() and image.width() >= 760 and image.height() >= 520
    assert seams.calls == []


def test_a_scenario_that_cannot_be_read_is_a_plain_message(qtbot: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    seams = FakeSeams()
    assert run_gui(args_for("--scenario", str(broken)), "en", seams) == 3
    (title, text), = seams.named("error")
    assert title == "VM Backup Wizard" and text.startswith("The wizard could not start: ")
    assert "Traceback" not in text and str(broken) in text


def test_unexpected_errors_become_one_plain_sentence(qtbot: Any, make_wizard: Any, seams: Any,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    window = make_wizard()
    with PlainErrors(window.session, seams) as errors:
        try:
            raise KeyError("missing piece")
        except KeyError as exc:
            errors.hook(KeyError, exc, exc.__traceback__)
    (_title, text), = seams.named("error")
    assert "KeyError: 'missing piece'" in text and "Traceback" not in text and "vmbackup-wizard.log" in text
    assert any(r.exc_info for r in caplog.records), "the traceback goes to the log"


def test_smoke_pages_builds_every_page(qtbot: Any, tmp_path: Path) -> None:
    assert smoke_pages(tmp_path) == list(TOUR_PAGES)
    assert len(list(tmp_path.glob("*.png"))) == len(TOUR_PAGES)


def test_the_launch_marker_is_printed_once_the_first_page_is_shown() -> None:
    env = {**os.environ, EXIT_AFTER_SHOW_ENV: "1", "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "wizard", "--scenario", "healthy-linux", "--lang", "ja"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(SHOWN_MARKER)


def test_many_qt_calls_cannot_exhaust_none_or_true() -> None:
    """PySide6 6.12.0 dropped a reference to None on every void call and aborted CPython; the pinned
    version must not."""
    code = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import wizard.gui\n"
        "from PySide6.QtCore import QObject, Signal\n"
        "class O(QObject):\n    s = Signal()\n"
        "o = O()\n"
        "for _ in range(300_000):\n    o.setObjectName('x'); o.s.emit()\n"
        "print('alive')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "alive", out.stderr[-2000:]


def test_the_screenshot_tour_keeps_no_diagnosis(qtbot: Any, tmp_path: Path, private_state: Path) -> None:
    code = run_gui(args_for("--scenario", "linux-firewall-drops-wireserver", "--screenshots", str(tmp_path / "s")),
                   "en", FakeSeams())
    assert code == 0 and len(list((tmp_path / "s").iterdir())) == len(TOUR_PAGES)
    assert not (private_state / "vmbackup-wizard" / "diagnoses").exists()
