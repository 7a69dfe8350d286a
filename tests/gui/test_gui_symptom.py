"""The "What did you see?" page: completion over the catalogue, a pasted portal message, the live
card, the sub-task and the case details that end up in the Diagnosis."""

from __future__ import annotations

from typing import Any

from gui_helpers import to_page
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from wizard.gui.pages import PageId
from wizard.knowledge.errorcodes import CATALOGUE

PORTAL_MESSAGE = """Backup failed
Error Code : UserErrorGuestAgentStatusUnavailable
Error Message : VM Agent unable to communicate with Azure Backup
Recommended action : Ensure the VM is running and the VM Agent is ready."""


def test_the_completer_offers_every_code_with_its_title(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.next()
    page = window.symptom_page
    items = page.completer_model.stringList()
    assert len(items) == sum(len(e.names) for e in CATALOGUE)
    assert "UserErrorVmNotInDesirableState — VM is not in a state that allows backups" in items
    page.code_edit.setFocus()
    qtbot.keyClicks(page.code_edit, "vss writer")
    popup = page.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [page.completer.completionModel().index(i, 0).data() for i in range(page.completer.completionCount())]
    assert any(s.startswith("ExtensionFailedVssWriterInBadState") for s in shown)


def test_choosing_a_completion_keeps_just_the_code(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.next()
    page = window.symptom_page
    page.completer.activated.emit("ExtensionFailedVssWriterInBadState — whatever the title")
    qtbot.waitUntil(lambda: page.code_edit.text() == "ExtensionFailedVssWriterInBadState")


def test_pasting_a_whole_portal_message_finds_the_code(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.next()
    page = window.symptom_page
    page.code_edit.setText(PORTAL_MESSAGE.replace("\n", " "))
    qtbot.waitUntil(page.card.isVisible)
    assert page.card.heading.text() == "Portal error code: UserErrorGuestAgentStatusUnavailable"
    assert page.card.fixable.text() == "This can be fixed from inside the VM."


def test_an_unknown_code_suggests_close_ones_and_a_click_takes_one(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.next()
    page = window.symptom_page
    page.code_edit.setText("UserErrorGuestAgentStatusUnavailabel")
    page.update_card()
    assert page.card.heading.text().startswith("Portal error code not recognised")
    assert "UserErrorGuestAgentStatusUnavailable" in page.card.suggestions.text()
    # the suggestions are buttons too, so Tab reaches them; taking one keeps the focus in the field
    buttons = page.card.suggestion_buttons
    assert buttons and buttons[0].text() == "UserErrorGuestAgentStatusUnavailable"
    assert all(b.focusPolicy() & Qt.FocusPolicy.TabFocus for b in buttons)
    buttons[0].setFocus()
    buttons[0].click()
    assert QApplication.focusWidget() is page.code_edit
    assert page.code_edit.text() == "UserErrorGuestAgentStatusUnavailable"
    page.code_edit.setText("UserErrorGuestAgentStatusUnavailabel")
    page.update_card()
    page.card.suggestions.linkActivated.emit("code:UserErrorGuestAgentStatusUnavailable")  # the mouse link
    page.update_card()
    assert page.code_edit.text() == "UserErrorGuestAgentStatusUnavailable"
    assert page.card.heading.text() == "Portal error code: UserErrorGuestAgentStatusUnavailable"
    page.code_edit.clear()
    page.update_card()
    assert page.card.isHidden()


def test_what_the_user_typed_goes_into_the_diagnosis(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("windows-vss-writer-failed-ja")
    window.next()
    page = window.symptom_page
    qtbot.keyClicks(page.code_edit, "ExtensionFailedVssWriterInBadState")
    page.phase_radios["take_snapshot"].click()
    qtbot.keyClicks(page.activity_edit, "d3e7a3c4-0000-4f7a-9e1b-1234567890ab")
    qtbot.keyClicks(page.started_edit, "since Monday")
    qtbot.keyClicks(page.tried_edit, "restarted the VM")
    to_page(qtbot, window, PageId.RESULTS)
    diag = window.session.diagnosis
    assert diag.symptom is not None and diag.symptom["code"] == "ExtensionFailedVssWriterInBadState"
    assert diag.symptom["phase"] == "take_snapshot"
    assert diag.case == {"activity_id": "d3e7a3c4-0000-4f7a-9e1b-1234567890ab", "started": "since Monday",
                         "tried": "restarted the VM"}
    answer = window.session.answer()
    assert answer is not None and answer.cause_ids[0] == "res.vss", "the related check with a problem leads"
    assert answer.findings["res.vss"].related


def test_changing_the_symptom_after_the_run_updates_without_running_again(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("windows-vss-writer-failed-ja")
    to_page(qtbot, window, PageId.RESULTS)
    first = window.session.diagnosis
    assert first.symptom is None
    window.back()
    window.back()
    window.symptom_page.code_edit.setText("ExtensionFailedVssWriterInBadState")
    window.next()
    again = window.session.diagnosis
    assert window.diagnose_page.isComplete() and again is not first and again.results == first.results
    assert again.symptom is not None and again.symptom["code"] == "ExtensionFailedVssWriterInBadState"
    assert first.symptom is None, "the finished diagnosis is never changed, only finished anew"


def test_the_sub_task_hint_and_mnemonics(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.next()
    page = window.symptom_page
    page.phase_radios["transfer_to_vault"].click()
    assert window.session.input.phase == "transfer_to_vault"
    assert "back end" in page.phase_hint.text()
    for radio in page.phase_radios.values():
        assert "&" in radio.text()
    assert page.code_label.buddy() is page.code_edit
