"""Switching between Japanese and English re-translates every visible text at once, mid-flow too."""

from __future__ import annotations

from typing import Any

from gui_helpers import to_page
from PySide6.QtWidgets import QWizard

from wizard.gui.pages import PageId
from wizard.gui.window import LANGUAGE_BUTTON
from wizard.i18n import Translator
from wizard.present import build_answer
from wizard.present.summary import plain_summary

JA = Translator("ja")
EN = Translator("en")


def visible_texts(window: Any) -> dict[str, str]:
    page = window.results_page
    return {
        "title": window.windowTitle(),
        "page": page.title(),
        "next": window.buttonText(QWizard.WizardButton.NextButton),
        "tab": page.tabs.tabText(0),
        "verdict": page.verdict_text.accessibleDescription(),
        "verdict_shown": page.verdict_text.text(),
        "only": page.only_problems.text(),
        "group": page.tree.topLevelItem(0).text(0),
        "status": page.tree.topLevelItem(0).child(0).text(0),
        "finding": page.tree.topLevelItem(0).child(0).text(1),
        "welcome": window.welcome_page.title(),
        "symptom_label": window.symptom_page.code_label.text(),
        "diagnose_header": window.diagnose_page.table.horizontalHeaderItem(2).text(),
    }


def test_switching_language_on_the_results_page_and_back(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    diag = window.session.diagnosis
    english = visible_texts(window)
    assert english["verdict"] == build_answer(diag, "en").verdict
    assert english["title"] == "VM Backup Wizard" and english["tab"] == "&Findings"

    window.button(LANGUAGE_BUTTON).click()
    japanese = visible_texts(window)
    assert window.session.lang == "ja"
    assert japanese["verdict"] == build_answer(diag, "ja").verdict
    for key in ("page", "next", "tab", "only", "group", "status", "finding", "welcome", "symptom_label",
                "diagnose_header", "verdict_shown"):
        assert japanese[key] != english[key], key
    assert japanese["next"] == JA("&Next >") and japanese["tab"] == JA("&Findings")
    assert japanese["group"] == JA("What needs attention")
    assert window.results_page.detail.shown == window.results_page.visible_ids()[0], "the selection is kept"

    window.button(LANGUAGE_BUTTON).click()
    assert visible_texts(window) == english


def test_the_welcome_radio_buttons_switch_and_follow_the_language(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("healthy-linux", lang="en")
    page = window.welcome_page
    assert page.en_radio.isChecked()
    english_title = page.title()
    page.ja_radio.click()
    assert window.session.lang == "ja" and page.title() == JA("Find out why Azure VM Backup fails on this VM")
    assert page.title() != english_title
    assert window.buttonText(LANGUAGE_BUTTON) == "English (&L)"
    window.button(LANGUAGE_BUTTON).click()
    assert page.en_radio.isChecked() and page.title() == english_title


def test_the_save_page_summary_follows_the_language(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("windows-vss-writer-failed-ja", lang="ja")
    to_page(qtbot, window, PageId.SAVE)
    diag = window.session.diagnosis
    assert window.save_page.preview.toPlainText() == plain_summary(build_answer(diag, "ja"))
    window.session.set_language("en")
    assert window.save_page.preview.toPlainText() == plain_summary(build_answer(diag, "en"))


def test_qt_own_texts_follow_the_language(qtbot: Any) -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from wizard.gui.app import QtTranslations

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    texts = QtTranslations(app)
    try:
        assert texts.load("ja")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"
    finally:
        texts.load("en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
