"""The whole wizard on shipped scenarios: every page in turn, Back/Next enablement, Run again."""

from __future__ import annotations

from typing import Any

import pytest
from gui_helpers import GatedProbe, finish_run, replay, shown_verdict, to_page
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.gui.pages import PageId
from wizard.i18n import Translator
from wizard.present import build_answer
from wizard.present.labels import status_label
from wizard.present.summary import plain_summary

SCENARIOS = ["healthy-linux", "healthy-windows", "linux-firewall-drops-wireserver", "windows-vss-writer-failed-ja",
             "not-azure", "linux-not-root"]


def expected(scenario: str) -> dict[str, str]:
    """Each check's status, straight from the core (no Qt)."""
    probe, _ = replay(scenario)
    return {r.id: r.status.value for r in runner.run(ALL_CHECKS, probe).results}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_whole_flow_shows_every_result(qtbot: Any, make_wizard: Any, seams: Any, scenario: str) -> None:
    window = make_wizard(scenario)
    t = Translator("en")
    want = expected(scenario)

    assert window.currentId() == PageId.WELCOME
    window.next()
    assert window.currentId() == PageId.SYMPTOM
    finish_run(qtbot, window)

    page = window.diagnose_page
    diag = window.session.diagnosis
    assert diag is not None and not diag.cancelled
    assert {r.id: r.status.value for r in diag.results} == want
    assert page.table.rowCount() == len(want)
    shown = {page.table.item(row, 1).data(0x0100): page.table.item(row, 0).text()
             for row in range(page.table.rowCount())}
    assert shown == {cid: status_label(r.status, t) for cid, r in ((r.id, r) for r in diag.results)}

    window.next()
    results = window.results_page
    assert window.currentId() == PageId.RESULTS
    answer = build_answer(diag, "en")
    assert results.verdict_text.text() == shown_verdict(results, answer)
    assert results.verdict_text.accessibleDescription() == answer.verdict
    assert sorted(results.visible_ids()) == sorted(want)
    assert results.visible_ids() == list(answer.order)
    assert results.detail.shown == answer.order[0]
    worst = min(diag.results, key=lambda r: r.status.rank)
    assert diag.result(results.visible_ids()[0]).status is worst.status

    window.next()
    assert window.currentId() == PageId.SAVE
    assert window.save_page.preview.toPlainText() == plain_summary(answer)
    assert seams.named("error") == []


def test_the_cause_leads_with_its_consequences_under_it(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    tree = window.results_page.tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups[0] == "What needs attention" and groups[-1] == "Transfer data to vault phase"
    assert all(" › " in g for g in groups[1:-1])
    attention = tree.topLevelItem(0)
    assert attention.childCount() == 1
    cause = attention.child(0)
    assert cause.data(0, Qt.ItemDataRole.UserRole) == "net.firewall"
    assert [cause.child(i).data(0, Qt.ItemDataRole.UserRole) for i in range(cause.childCount())] == [
        "net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions", "net.hostplugin_health"]
    assert window.results_page.detail.shown == "net.firewall"
    transfer = tree.topLevelItem(tree.topLevelItemCount() - 1)
    assert transfer.childCount() == 1 and "back end" in transfer.child(0).text(0)


def test_back_and_next_are_enabled_when_they_should_be(qtbot: Any, make_wizard: Any) -> None:
    probe = GatedProbe(replay("healthy-linux")[0])
    window = make_wizard(probe=probe)
    back, nxt = window.button(QWizard.WizardButton.BackButton), window.button(QWizard.WizardButton.NextButton)
    finish = window.button(QWizard.WizardButton.FinishButton)
    try:
        assert not back.isVisible() and nxt.isEnabled()
        window.next()
        assert back.isEnabled() and nxt.isEnabled(), "every field of the symptom page is optional"
        window.next()
        qtbot.waitUntil(probe.waiting.is_set)
        assert window.diagnose_page.is_running()
        assert not nxt.isEnabled(), "Next waits for the run"
        with qtbot.waitSignal(window.diagnose_page.completeChanged, timeout=15000):
            probe.gate.set()
        qtbot.waitUntil(lambda: nxt.isEnabled())
        window.next()
        assert back.isEnabled() and nxt.isEnabled()
        window.back()
        assert window.currentId() == PageId.DIAGNOSE and not window.diagnose_page.is_running(), \
            "going back to a finished run does not run it again"
        assert nxt.isEnabled()
        to_page(qtbot, window, PageId.SAVE)
        assert finish.isVisible() and finish.isEnabled() and not nxt.isVisible()
    finally:
        probe.gate.set()


def test_back_from_a_running_diagnosis_stops_it(qtbot: Any, make_wizard: Any) -> None:
    probe = GatedProbe(replay("healthy-linux")[0])
    window = make_wizard(probe=probe)
    try:
        window.next()
        window.next()
        qtbot.waitUntil(probe.waiting.is_set)
        window.back()
        assert window.currentId() == PageId.SYMPTOM
        assert not window.diagnose_page.is_running() and window.session.diagnosis is None
    finally:
        probe.gate.set()


def test_run_again_goes_back_and_runs_afresh(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("healthy-windows")
    to_page(qtbot, window, PageId.RESULTS)
    first = window.session.diagnosis
    window.results_page.again_button.click()
    assert window.currentId() == PageId.DIAGNOSE
    qtbot.waitUntil(window.diagnose_page.isComplete, timeout=15000)
    assert window.session.diagnosis is not None and window.session.diagnosis is not first
    window.next()
    assert window.results_page.visible_ids()


def test_the_demo_banner_is_on_every_page_only_in_demos(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("healthy-linux")
    title = replay("healthy-linux")[0].title
    for page in window.pages().values():
        assert not page.banner.isHidden()
        assert page.banner.text() == "▶ Demo: replaying a recorded scenario, not this machine: " + title
    live = make_wizard("healthy-linux", source={"kind": "live"})
    assert all(page.banner.isHidden() for page in live.pages().values())


def test_closing_the_window_mid_run_stops_the_thread(qtbot: Any, make_wizard: Any) -> None:
    probe = GatedProbe(replay("healthy-linux")[0])
    window = make_wizard(probe=probe)
    try:
        window.next()
        window.next()
        qtbot.waitUntil(probe.waiting.is_set)
        window.close()
        assert not window.diagnose_page.is_running()
    finally:
        probe.gate.set()


def test_a_page_built_on_next_has_the_language_layout_and_prefill_chosen_before(qtbot: Any,
                                                                                make_wizard: Any) -> None:
    """Pages after the first are built when Next first reaches them: what was chosen on the first page (the
    language, a small window, the command line's error code) is already there, as if they had been built
    with the window."""
    window = make_wizard("healthy-linux")
    assert window.built_pages() == [window.welcome_page]
    window.prefill("UserErrorGuestAgentStatusUnavailable", "take_snapshot")
    window.session.set_language("ja")
    window.resize(640, 480)
    QApplication.processEvents()
    assert window.compact
    window.next()
    page = window.currentPage()
    assert page is window.symptom_page and window.currentId() == PageId.SYMPTOM
    assert page.title() == Translator("ja")("What did you see?") != "What did you see?"
    assert page.compact
    assert window.symptom_page.code_edit.text() == "UserErrorGuestAgentStatusUnavailable"
    assert window.symptom_page.phase_radios["take_snapshot"].isChecked()
    assert window.button(QWizard.WizardButton.NextButton).isVisible()
    assert not window.button(QWizard.WizardButton.FinishButton).isVisible()
    assert PageId.RESULTS not in {PageId(i) for i in window.pageIds()}
