"""Keyboard and assistive technology: one mnemonic per key on every page in both languages, a
label or accessible name on every control, and Alt+key reaching the right widget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from gui_helpers import to_page
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
    QWizard,
)

from wizard.gui.pages import PageId

MNEMONIC = re.compile(r"&([^&\s])")


def mnemonics(window: QWizard) -> list[tuple[str, str]]:
    """(key, text) of every visible widget in the window that has a mnemonic."""
    found: list[tuple[str, str]] = []
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        texts: list[str] = []
        if isinstance(w, QAbstractButton):
            texts = [w.text()]
        elif isinstance(w, QLabel) and w.buddy() is not None:
            texts = [w.text()]
        elif isinstance(w, QTabBar):
            texts = [w.tabText(i) for i in range(w.count())]
        for text in texts:
            m = MNEMONIC.search(text)
            if m:
                found.append((m.group(1).lower(), text))
    return found


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_no_two_visible_controls_share_a_mnemonic(qtbot: Any, make_wizard: Any, lang: str) -> None:
    window = make_wizard("linux-not-root", lang=lang)
    seen_pages = 0
    for page in PageId:
        to_page(qtbot, window, page)
        keys = mnemonics(window)
        letters = [k for k, _ in keys]
        assert len(letters) == len(set(letters)), (page.name, sorted(keys))
        assert {"n", "b"} & set(letters) or page == PageId.WELCOME
        seen_pages += 1
    assert seen_pages == len(PageId)


def test_every_control_has_a_name_for_screen_readers(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-not-root")
    for page in PageId:
        to_page(qtbot, window, page)
        for w in window.findChildren(QWidget):
            if not w.isVisible():
                continue
            if isinstance(w, QAbstractButton) and not isinstance(w, QTabBar):
                assert w.text() or w.accessibleName(), w
            elif isinstance(w, QLineEdit | QPlainTextEdit | QComboBox | QAbstractItemView) or (
                    isinstance(w, QTextEdit) and w.isReadOnly()):
                if w.parent() is not None and isinstance(w.parent(), QComboBox | QAbstractItemView):
                    continue
                labelled = any(isinstance(lab, QLabel) and lab.buddy() is w for lab in window.findChildren(QLabel))
                assert w.accessibleName() or labelled, (page.name, type(w).__name__)


def test_alt_keys_move_focus_and_press_buttons(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.next()
    window.activateWindow()
    qtbot.waitActive(window)
    page = window.symptom_page
    page.phase_radios["unknown"].setFocus()
    qtbot.waitUntil(page.phase_radios["unknown"].hasFocus)
    qtbot.keyClick(page.phase_radios["unknown"], Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.code_edit.hasFocus)
    qtbot.keyClick(page.code_edit, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.activity_edit.hasFocus)
    qtbot.keyClick(page.activity_edit, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.currentId() == PageId.DIAGNOSE)
    qtbot.waitUntil(window.diagnose_page.isComplete, timeout=15000)


def test_tab_goes_through_the_symptom_page_in_reading_order(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.next()
    page = window.symptom_page
    chain: list[QWidget] = []
    w: QWidget | None = page.code_edit
    while w is not None and len(chain) < 60:
        chain.append(w)
        w = w.nextInFocusChain()
    wanted = [page.code_edit, page.phase_radios["take_snapshot"], page.activity_edit, page.started_edit,
              page.tried_edit]
    positions = [chain.index(x) for x in wanted]
    assert positions == sorted(positions)
