"""Fits every screen: at the window size the wizard takes on a 1024x768 screen, on 1366x768 at 150 %, on
1920x1080 at 200 % and at 760x520, in both languages, every page keeps each control reachable, no text
that matters cut or elided, and no prose scrolling sideways; the Results page stacks when small, and the
diagram never shrinks below a readable size. (scripts/size_screenshots.py takes the pictures under Xvfb.)"""

from __future__ import annotations

from typing import Any

import pytest
from gui_helpers import to_page
from layout_checks import problems
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication

from wizard.gui.pages import PageId
from wizard.gui.pages.results import DIAGRAM_TAB, FINDINGS_TAB
from wizard.gui.widgets.diagram import MIN_SCALE
from wizard.gui.window import MINIMUM_SIZE, fit_size

# (name, logical size of the screen's available area): physical size divided by the scale factor
SCREENS = {
    "1024x768@100": QSize(1024, 768),
    "1366x768@150": QSize(1366 * 2 // 3, 768 * 2 // 3),
    "1920x1080@200": QSize(960, 540),
}
SIZES = {name: fit_size(area) for name, area in SCREENS.items()} | {"760x520": QSize(760, 520)}


def test_the_window_opens_at_most_nine_tenths_of_the_screen() -> None:
    for area in (*SCREENS.values(), QSize(1920, 1080), QSize(3840, 2160)):
        size = fit_size(area)
        assert size.width() <= area.width() * 0.9 + 1 and size.height() <= area.height() * 0.9 + 1, area
    assert fit_size(QSize(3840, 2160)) == QSize(1120, 680)
    # the minimum fits the smallest of them, so the user can still shrink it
    assert all(MINIMUM_SIZE.width() <= s.width() and MINIMUM_SIZE.height() <= s.height() for s in SIZES.values())


def test_the_shown_window_is_fitted_to_its_screen(make_wizard: Any) -> None:
    window = make_wizard()
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() * 0.9 + 1 and window.height() <= area.height() * 0.9 + 1
    assert area.contains(window.frameGeometry().topLeft())


def walk(qtbot: Any, window: Any, size: QSize) -> dict[str, list[str]]:
    window.setProperty("target_width", size.width())
    window.setProperty("target_height", size.height())
    window.resize(size)
    found: dict[str, list[str]] = {}
    for page in PageId:
        to_page(qtbot, window, page)
        QApplication.processEvents()
        found[page.name] = problems(window)
        if page == PageId.RESULTS:
            window.results_page.tabs.setCurrentIndex(DIAGRAM_TAB)
            QApplication.processEvents()
            found["DIAGRAM"] = problems(window)
            window.results_page.tabs.setCurrentIndex(FINDINGS_TAB)
    return {k: v for k, v in found.items() if v}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", list(SIZES))
def test_every_page_fits(qtbot: Any, make_wizard: Any, name: str, lang: str) -> None:
    window = make_wizard("linux-firewall-drops-wireserver", lang=lang)
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    assert walk(qtbot, window, SIZES[name]) == {}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_small_results_stack_and_the_diagram_scrolls_instead_of_shrinking(qtbot: Any, make_wizard: Any,
                                                                         lang: str) -> None:
    window = make_wizard("windows-vss-writer-failed-ja", lang=lang)
    window.resize(QSize(760, 520))
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    assert page.splitter.orientation() == Qt.Orientation.Vertical
    assert not page.facts.isVisible()
    # The verdict is one line; its full sentences are its tooltip and what a screen reader says.
    answer = window.session.answer()
    verdict = page.verdict_text
    assert verdict.text() == answer.verdict_short and verdict.toolTip() == answer.verdict
    assert verdict.accessibleDescription() == answer.verdict
    assert verdict.height() < 1.8 * verdict.fontMetrics().lineSpacing(), "the verdict takes one line"
    assert verdict.fontMetrics().horizontalAdvance(verdict.text()) <= verdict.contentsRect().width()
    page.tabs.setCurrentIndex(DIAGRAM_TAB)
    QApplication.processEvents()
    assert page.diagram.scale() >= MIN_SCALE - 0.01
    assert page.diagram_area.horizontalScrollBar().maximum() > 0  # the picture scrolls sideways
    window.resize(QSize(1120, 680))
    QApplication.processEvents()
    assert page.splitter.orientation() == Qt.Orientation.Horizontal
    assert page.facts.isVisible()
    assert verdict.text() == answer.verdict and verdict.toolTip() == ""
