#!/usr/bin/env python3
"""The user's journey, measured: from the first page to "report saved", for every shipped failing scenario.

    python benchmarks/bench_journey.py [--runs 5]

Drives the real wizard (QTest key presses into the widget that has the focus, Qt's offscreen platform)
over each shipped scenario that is not a healthy one, and counts the user's actions: every key chord and
every click, including accepting the save dialog (the dialog itself is the one seam replaced: it answers
with a path in a temporary folder, as a user pressing Enter on the suggested name would). Two journeys:

- minimal: Enter (Welcome) · Enter (What did you see?) · Enter (checks done) · Ctrl+S (Results, the cause
  already selected and its steps in view: save the report) · Enter (the save dialog);
- with the code: the same with Ctrl+V of the portal's error code into the code field, which has the focus;
- by the buttons: Enter on Results (Next) and Enter on the Save page ("Save report…" has the focus)
  instead of Ctrl+S: one action more (shown for reference; the targets hold for the shortest way).

Wall time is from the first key press until the report is on disk: with no user think time, all of it is
the wizard's (the checks replay a recording). Targets (issue 12 item 7): at most 6 actions and 2 s per
scenario. Prints a table of medians over the runs; exit status 1 when a target is missed.
Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACTION_TARGET = 6
TIME_TARGET_S = 2.0


def failing_scenarios() -> list[str]:
    return sorted(p.stem for p in (ROOT / "resources" / "scenarios").glob("*.json") if not p.stem.startswith("healthy"))


def journey(scenario: str, code: str | None, folder: Path, shortcut: bool = True) -> tuple[int, float, str]:
    """(actions, seconds, page reached) of one journey over `scenario`."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from wizard.gui.pages import PageId
    from wizard.gui.seams import Seams
    from wizard.gui.session import Session
    from wizard.gui.window import BackupWizard
    from wizard.launch import make_probe
    from wizard.settings import Settings

    actions = 0

    class Dialogs(Seams):
        """The save dialog: the user accepts the suggested name with Enter (one action)."""

        def save_file(self, parent: Any, caption: str, path: str, filters: str) -> str | None:
            nonlocal actions
            actions += 1
            return str(folder / Path(path).name)

        def copy_text(self, text: str) -> None:
            pass

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    probe, source = make_probe(argparse.Namespace(scenario=scenario, root=None))
    window = BackupWizard(Session("en", probe, Settings(), source), Dialogs())
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    app.processEvents()

    def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        nonlocal actions
        actions += 1
        target = QApplication.focusWidget() or window
        assert isinstance(target, QWidget)
        QTest.keyClick(target, k, modifier)
        app.processEvents()

    def wait(predicate: Any, timeout_s: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{scenario}: waited {timeout_s} s on page {window.currentId()}")
            app.processEvents()
            time.sleep(0.002)

    if code:
        app.clipboard().setText(code)
    started = time.perf_counter()
    key(Qt.Key.Key_Return)  # Welcome: Next
    if code:
        key(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # the code field has the focus
    key(Qt.Key.Key_Return)  # What did you see?: Next
    wait(window.diagnose_page.isComplete)
    key(Qt.Key.Key_Return)  # the checks are done: Next
    assert window.currentId() == PageId.RESULTS, window.currentId()
    if shortcut:
        key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Results: save the report
    else:
        key(Qt.Key.Key_Return)  # Results: Next
        assert window.currentId() == PageId.SAVE, window.currentId()
        key(Qt.Key.Key_Return)  # "Save report…" has the focus
    wait(lambda: window.save_page.report_path is not None and window.save_page.report_path.is_file(), 10.0)
    elapsed = time.perf_counter() - started
    if code:
        assert window.session.diagnosis is not None and window.session.diagnosis.symptom is not None
        assert window.session.diagnosis.symptom.get("code") == code, window.session.diagnosis.symptom
    reached = "report saved"
    window.done(0)
    window.deleteLater()
    app.processEvents()
    return actions, elapsed, reached


def portal_code(scenario: str) -> str | None:
    """The portal error code a user of this scenario saw: the first one the root cause names."""
    from wizard.checks.registry import ALL_CHECKS
    from wizard.launch import finish, make_probe
    from wizard.present import build_answer
    from wizard.runner import run
    from wizard.settings import Settings

    probe, source = make_probe(argparse.Namespace(scenario=scenario, root=None))
    diag = finish(run(ALL_CHECKS, probe, Settings()), source, None)
    answer = build_answer(diag, "en")
    for cause in answer.causes:
        if cause.cause.error_codes:
            return cause.cause.error_codes[0]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="bench-journey-state-")  # not the user's folder
    os.environ["LOCALAPPDATA"] = os.environ["XDG_STATE_HOME"]
    from PySide6.QtCore import qInstallMessageHandler

    from wizard.gui.app import application

    qInstallMessageHandler(lambda _kind, _context, message: None if "This plugin does not support" in message
                           else print(message, file=sys.stderr))
    application()
    rows: list[tuple[str, str, int, float, float, bool]] = []
    missed = False
    with tempfile.TemporaryDirectory(prefix="bench-journey-") as tmp:
        for scenario in failing_scenarios():
            code = portal_code(scenario)
            for name, given, shortcut in (("minimal", None, True), ("with the code", code, True),
                                          ("by the buttons, with the code", code, False)):
                if name != "minimal" and not given:
                    continue
                counts, times = [], []
                for i in range(args.runs):
                    folder = Path(tmp) / f"{scenario}-{name.replace(' ', '-')}-{i}"
                    folder.mkdir()
                    n, s, _ = journey(scenario, given, folder, shortcut)
                    counts.append(n)
                    times.append(s)
                actions, median, worst = int(statistics.median(counts)), statistics.median(times), max(times)
                if shortcut:  # the targets hold for the shortest way; the buttons' way is shown for reference
                    missed |= actions > ACTION_TARGET or median > TIME_TARGET_S
                rows.append((scenario, name + (f" ({given})" if given else ""), actions, median, worst, shortcut))
    width = max(len(r[0]) for r in rows)
    jw = max(len(r[1]) for r in rows)
    print(f"{'scenario':<{width}}  {'journey':<{jw}}  actions  median s  max s")
    for scenario, name, actions, median, worst, counted in rows:
        flag = "" if actions <= ACTION_TARGET and median <= TIME_TARGET_S else "  (target missed)"
        flag = flag if counted else "  (reference)"
        print(f"{scenario:<{width}}  {name:<{jw}}  {actions:>7}  {median:>8.3f}  {worst:>5.3f}{flag}")
    print(f"targets: at most {ACTION_TARGET} actions and {TIME_TARGET_S:.0f} s per scenario; medians over "
          f"{args.runs} runs")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
