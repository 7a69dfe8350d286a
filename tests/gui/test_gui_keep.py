"""Nothing is lost (issue 12 item 1), the cause first (item 4) and before/after in the wizard (issue 16 item 7):
a finished diagnosis is kept in the private per-user folder with secrets cut; the welcome page opens the last
one; closing with an unsaved report asks; Esc never closes Results or Save; Next (Finish on the last page) is
the default button; the Results page opens on the root cause with its steps in view; the comparison with the
last kept diagnosis is the core's, shown as it is."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import shown_verdict, to_page
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWizard

from wizard import autosave
from wizard.gui.pages import PageId
from wizard.present.compare import compare


def kept_files(state: Path) -> list[Path]:
    return sorted((state / "vmbackup-wizard" / "diagnoses").glob("diagnosis-*.json"))


def test_a_finished_diagnosis_is_kept_privately_with_secrets_cut(qtbot: Any, make_wizard: Any,
                                                                 private_state: Path) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    window.symptom_page.tried_edit.setPlainText("restarted; password=hunter2 in the proxy URL")
    assert kept_files(private_state) == []
    to_page(qtbot, window, PageId.RESULTS)
    (path,) = kept_files(private_state)
    assert window.session.kept == path
    if hasattr(os, "geteuid"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    assert "hunter2" not in text
    doc = json.loads(text)
    assert doc["symptom"]["code"] == "UserErrorGuestAgentStatusUnavailable"
    assert doc["answer"]["causes"][0]["id"] == window.session.answer().causes[0].cause.id
    # the same run kept again (a case field edited on the Save page) replaces its file
    window.next()
    window.save_page.vault_edit.setText("rsv-demo")
    window.save_page.vault_edit.editingFinished.emit()
    assert kept_files(private_state) == [path]
    assert json.loads(path.read_text(encoding="utf-8"))["case"]["vault"] == "rsv-demo"


def test_only_the_newest_diagnoses_are_kept(qtbot: Any, make_wizard: Any, private_state: Path) -> None:
    window = make_wizard()
    to_page(qtbot, window, PageId.RESULTS)
    diag = window.session.diagnosis
    from dataclasses import replace
    from datetime import timedelta

    for i in range(autosave.KEEP + 3):
        autosave.keep(replace(diag, started_at=diag.started_at - timedelta(days=i + 1)), "en")
    names = [p.name for p in autosave.saved()]
    assert len(names) == autosave.KEEP and names[0] == autosave.file_name(diag)


def test_the_welcome_page_opens_the_last_diagnosis(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    first = make_wizard("linux-firewall-drops-wireserver")
    assert first.welcome_page.open_last_button.isHidden()  # nothing kept yet
    first.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    first.symptom_page.activity_edit.setText("act-123")
    to_page(qtbot, first, PageId.RESULTS)
    verdict = first.results_page.verdict_text.text()
    first.session.shared = True
    first.done(0)

    second = make_wizard("healthy-linux")  # another machine's replay: what is shown is the kept one
    page = second.welcome_page
    assert page.open_last_button.isVisible() and page.open_last_button.isEnabled()
    qtbot.mouseClick(page.open_last_button, Qt.MouseButton.LeftButton)
    assert second.currentId() == PageId.RESULTS
    assert second.results_page.verdict_text.text() == verdict
    assert second.session.diagnosis.case["activity_id"] == "act-123"
    assert second.symptom_page.code_edit.text() == "UserErrorGuestAgentStatusUnavailable"
    assert "A kept diagnosis from" in second.results_page.banner.text()
    assert not second.session.unsaved  # it is on disk already: closing asks nothing
    second.reject()
    assert seams.named("ask") == []


def test_a_kept_file_that_cannot_be_read_is_explained(qtbot: Any, make_wizard: Any, seams: Any,
                                                      private_state: Path) -> None:
    folder = private_state / "vmbackup-wizard" / "diagnoses"
    folder.mkdir(parents=True)
    (folder / "diagnosis-20260101-000000.json").write_text("{not json", encoding="utf-8")
    window = make_wizard()
    window.welcome_page.open_last_button.click()
    assert window.currentId() == PageId.WELCOME
    ((title, text),) = seams.named("error")
    assert title == "Could not open the diagnosis" and "diagnosis-20260101-000000.json" in text


def test_closing_with_an_unsaved_report_asks_first(qtbot: Any, make_wizard: Any, seams: Any,
                                                   tmp_path: Path) -> None:
    window = make_wizard()
    window.reject()  # nothing found yet: nothing to lose, no question
    assert seams.named("ask") == [] and not window.isVisible()
    window.show()
    to_page(qtbot, window, PageId.SAVE)
    seams.ask_answers = [False]
    window.button(QWizard.WizardButton.FinishButton).click()
    (title, text, yes, no), = seams.named("ask")
    assert title == "Close VM Backup Wizard?" and str(window.session.kept) in text
    assert (yes, no) == ("Close without saving", "Go back")
    assert window.isVisible()  # "Go back"
    window.close()  # the window's close box asks too
    assert len(seams.named("ask")) == 2 and window.isVisible()
    seams.save_answers = [str(tmp_path / "r.html")]
    window.save_page.save_report_button.click()
    window.button(QWizard.WizardButton.FinishButton).click()
    assert len(seams.named("ask")) == 2 and not window.isVisible()  # saved: closes at once


@pytest.mark.parametrize("page", [PageId.RESULTS, PageId.SAVE])
def test_esc_never_closes_results_or_save(qtbot: Any, make_wizard: Any, seams: Any, page: PageId) -> None:
    window = make_wizard()
    to_page(qtbot, window, page)
    seams.ask_answers = [True]
    for target in (window, QApplication.focusWidget() or window):
        qtbot.keyClick(target, Qt.Key.Key_Escape)
    assert window.isVisible() and window.currentId() == page
    assert seams.named("ask") == []


def test_ctrl_s_on_results_saves_the_report(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert seams.named("save_file") == [] and window.currentId() == PageId.WELCOME  # nothing to save yet
    to_page(qtbot, window, PageId.RESULTS)
    seams.save_answers = [str(tmp_path / "case.html")]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.currentId() == PageId.SAVE
    assert (tmp_path / "case.html").is_file() and window.save_page.report_path == tmp_path / "case.html"
    assert not window.session.unsaved


def test_next_is_the_default_button_on_every_page(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    for page in PageId:
        to_page(qtbot, window, page)
        if page == PageId.SAVE:
            # the page's focus is on "Save report…", which Enter presses while it has the focus (Qt's rule
            # for a focused button); from any field Enter is Finish
            assert QApplication.focusWidget() is window.save_page.save_report_button
            window.save_page.vault_edit.setFocus()
        defaults = [b for b in window.buttons() if isinstance(b, QPushButton) and b.isDefault()]
        expected = QWizard.WizardButton.FinishButton if page == PageId.SAVE else QWizard.WizardButton.NextButton
        assert defaults == [window.button(expected)], page.name
    # Enter from the focused field goes on
    window.restart()
    window.next()
    field = window.symptom_page.code_edit
    assert QApplication.focusWidget() is field
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.currentId() == PageId.DIAGNOSE


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("scenario", ["linux-firewall-drops-wireserver", "windows-agent-stopped",
                                      "windows-vss-writer-failed-ja", "linux-fsfreeze-failed"])
def test_results_open_on_the_root_cause_with_its_steps_in_view(qtbot: Any, make_wizard: Any, scenario: str,
                                                               lang: str) -> None:
    window = make_wizard(scenario, lang=lang)
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")  # the "related" line too
    window.resize(QSize(1024 * 9 // 10, 680))  # the window on a 1024x768 screen (fit_size)
    to_page(qtbot, window, PageId.RESULTS)
    QApplication.processEvents()
    page = window.results_page
    answer = window.session.answer()
    cause = answer.causes[0].cause
    assert page.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) == cause.id
    assert page.detail.shown == cause.id
    assert page.verdict_text.text() == shown_verdict(page, answer) and page.verdict_text.isVisible()
    # the first fix step (its text and, when it has one, its command) is inside the detail's view unscrolled
    assert page.detail.verticalScrollBar().value() == 0
    row = page.detail.step_rows[0]
    top_left = row.mapTo(page.detail.viewport(), row.rect().topLeft())
    assert top_left.y() >= 0
    assert top_left.y() + row.height() <= page.detail.viewport().height(), (top_left.y(), row.height())
    viewport = page.detail.viewport()  # and the detail itself is on the screen, not scrolled off the page
    assert window.rect().contains(QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size()))


def test_compare_with_the_last_kept_diagnosis(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    before = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, before, PageId.RESULTS)
    before_diag = before.session.diagnosis
    before.session.shared = True
    before.done(0)

    after = make_wizard("healthy-linux")
    to_page(qtbot, after, PageId.RESULTS)
    page = after.results_page
    qtbot.mouseClick(page.compare_button, Qt.MouseButton.LeftButton)
    dialog = after.compare_dialog
    assert dialog is not None and dialog.isVisible()
    expected = compare(before_diag, after.session.diagnosis, "en")
    assert dialog.comparison.headline == expected.headline
    assert dialog.headline.text() == expected.headline
    assert [r.id for r in dialog.comparison.rows] == [r.id for r in expected.rows]
    assert set(dialog.sections) == {r.kind for r in expected.rows}
    fixed = expected.of("fixed")
    assert fixed and any(r.title in line for r in fixed for line in dialog.sections["fixed"])
    assert str(before.session.kept) in dialog.lines[2].text()
    assert seams.named("open_file") == []  # the default "before" needed no question


def test_compare_asks_for_a_file_when_nothing_was_kept_before(qtbot: Any, make_wizard: Any, seams: Any,
                                                               tmp_path: Path) -> None:
    window = make_wizard("healthy-linux")
    to_page(qtbot, window, PageId.RESULTS)
    seams.open_answers = [None]
    window.results_page.compare_button.click()
    assert len(seams.named("open_file")) == 1 and window.compare_dialog is None
    earlier = tmp_path / "earlier.json"
    earlier.write_text(autosave.document_text(window.session.diagnosis, "en"), encoding="utf-8")
    seams.open_answers = [str(earlier)]
    window.results_page.compare_button.click()
    assert window.compare_dialog is not None
    assert window.compare_dialog.comparison.headline == "No cause was found before or after."
    # "Choose another diagnosis…" in the dialog: a file that is no diagnosis is explained, not a traceback
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    seams.open_answers = [str(bad)]
    window.compare_dialog.another_button.click()
    ((title, text),) = seams.named("error")
    assert title == "Could not open the diagnosis" and "bad.json" in text
