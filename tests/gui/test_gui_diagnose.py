"""The Diagnose page: live rows, cancelling a run, a run that fails, and the thread's owner."""

from __future__ import annotations

from typing import Any

import pytest
from gui_helpers import GatedProbe, replay
from PySide6.QtCore import QCoreApplication

from wizard.checks.registry import ALL_CHECKS
from wizard.gui.pages import PageId
from wizard.gui.worker import RunController, RunJob
from wizard.model import Status
from wizard.settings import Settings

# the Linux checks of the catalogue: one row each (24 before issue 17's guest.* checks)
LINUX_CHECKS = sum(1 for c in ALL_CHECKS if "linux" in c.platforms)

CANCELLED = "Not checked: the run was cancelled."
TCP_CHECKS = {"net.wireserver_port80", "net.wireserver_port32526"}


def test_cancelling_a_run_keeps_what_finished_and_marks_the_rest(qtbot: Any, make_wizard: Any) -> None:
    probe = GatedProbe(replay("healthy-linux")[0])
    window = make_wizard(probe=probe)
    page = window.diagnose_page
    try:
        window.next()
        window.next()
        qtbot.waitUntil(probe.waiting.is_set)
        qtbot.waitUntil(lambda: len(page.results()) >= 5, timeout=10000)
        assert page.cancel_button.isVisible() and page.cancel_button.isEnabled()
        with qtbot.waitSignal(page.completeChanged, timeout=15000):
            page.cancel_button.click()
        qtbot.waitUntil(page.isComplete, timeout=15000)
        diag = window.session.diagnosis
        assert diag is not None and diag.cancelled
        held = {r.id: r for r in diag.results if r.id in TCP_CHECKS}
        assert held and all(r.status is Status.NOT_CHECKED and r.summary.id == CANCELLED for r in held.values())
        finished = [r for r in diag.results if r.summary.id != CANCELLED]
        assert finished, "what finished before the cancel is kept"
        assert not page.is_running()
        assert "Cancelled after" in page.status_text.text()
        assert page.again_button.isVisible() and not page.cancel_button.isVisible()
        window.next()
        assert window.currentId() == PageId.RESULTS
        verdict = window.results_page.verdict_text
        assert verdict.accessibleDescription() == "The run was cancelled; the results below are incomplete."
    finally:
        probe.gate.set()


def test_a_run_that_fails_says_so_plainly(qtbot: Any, make_wizard: Any, seams: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard import runner

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("probe exploded")

    monkeypatch.setattr(runner, "run", broken)
    window = make_wizard()
    window.next()
    window.next()
    page = window.diagnose_page
    qtbot.waitUntil(lambda: bool(seams.named("error")), timeout=10000)
    (_title, text), = seams.named("error")
    assert "RuntimeError: probe exploded" in text and "Traceback" not in text and "vmbackup-wizard.log" in text
    assert not page.isComplete() and page.again_button.isVisible()
    assert page.status_text.text() == "The checks could not run."


def test_rows_appear_as_checks_start_and_fill_in_as_they_finish(qtbot: Any, make_wizard: Any) -> None:
    probe = GatedProbe(replay("healthy-linux")[0])
    window = make_wizard(probe=probe)
    page = window.diagnose_page
    try:
        window.next()
        window.next()
        qtbot.waitUntil(probe.waiting.is_set)
        qtbot.waitUntil(lambda: page.table.rowCount() == LINUX_CHECKS, timeout=10000)
        statuses = {page.table.item(r, 0).text() for r in range(page.table.rowCount())}
        assert "Running" in statuses
        assert page.status_text.text().startswith("Checking…")
    finally:
        probe.gate.set()
    qtbot.waitUntil(page.isComplete, timeout=15000)
    assert "Running" not in {page.table.item(r, 0).text() for r in range(page.table.rowCount())}
    assert page.status_text.text().startswith(f"Done: {LINUX_CHECKS} checks")


def test_the_controller_stops_and_waits_and_drops_late_signals(qtbot: Any) -> None:
    probe = GatedProbe(replay("healthy-linux")[0])
    controller = RunController()
    finished: list[Any] = []
    controller.finished.connect(finished.append)
    try:
        controller.start(RunJob(ALL_CHECKS, probe, Settings()))
        qtbot.waitUntil(probe.waiting.is_set)
        assert controller.is_running()
        controller.stop()
        assert not controller.is_running()
        QCoreApplication.processEvents()
        assert finished == [], "a stopped run's result, queued before the thread ended, is not delivered"
    finally:
        probe.gate.set()
    with qtbot.waitSignal(controller.finished, timeout=15000) as blocker:
        controller.start(RunJob(ALL_CHECKS, replay("healthy-linux")[0], Settings()))
    assert not controller.is_running()
    assert len(blocker.args[0].results) == LINUX_CHECKS
