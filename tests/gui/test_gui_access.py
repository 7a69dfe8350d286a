"""Keyboard and screen readers (issue 12 item 3): focus lands in the field each page is for; Tab reaches
every control in reading order; the focus ring is drawn around the focused control and stands out 3:1;
every control has an accessible name and description; text meets 4.5:1 and symbols 3:1 in light and dark."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from gui_helpers import to_page
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStyleFactory,
    QTabBar,
    QTextEdit,
    QWidget,
    QWizard,
)

from wizard.gui.icons import status_icon
from wizard.gui.pages import PageId
from wizard.gui.theme import (
    GRAPHIC_RATIO,
    TEXT_PAIRS,
    TEXT_RATIO,
    accessible_palette,
    contrast,
    dark_reference,
    focus_colour,
)
from wizard.gui.widgets.diagram import DiagramWidget
from wizard.model import Status

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QTextEdit, QPlainTextEdit, QTabBar,
            DiagramWidget)
Role = QPalette.ColorRole


def tab_stops(window: Any) -> list[QWidget]:
    """The visible controls of the current page and the window's buttons that take focus by Tab."""
    out = []
    for w in window.findChildren(QWidget):
        if (isinstance(w, CONTROLS) and w.isVisible() and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.window() is window):
            out.append(w)
    return out


def accessible(w: QWidget) -> tuple[str, str]:
    iface = QAccessible.queryAccessibleInterface(w)
    assert iface is not None, w
    if isinstance(w, QTabBar):  # a list of tabs: each tab is what a screen reader names and describes
        tabs = [iface.child(i) for i in range(iface.childCount())]
        tabs = [c for c in tabs if c is not None and c.role() == QAccessible.Role.PageTab]
        assert tabs
        return (min((c.text(QAccessible.Text.Name) for c in tabs), key=len),
                min((c.text(QAccessible.Text.Description) for c in tabs), key=len))
    return iface.text(QAccessible.Text.Name), iface.text(QAccessible.Text.Description)


PAGES_FOCUS = {
    PageId.WELCOME: lambda w: w.welcome_page.en_radio,
    PageId.SYMPTOM: lambda w: w.symptom_page.code_edit,
    PageId.RESULTS: lambda w: w.results_page.tree,
    PageId.SAVE: lambda w: w.save_page.save_report_button,
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_control_has_a_name_and_a_description(qtbot: Any, make_wizard: Any, lang: str) -> None:
    window = make_wizard("linux-firewall-drops-wireserver", lang=lang)
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailabel")  # suggestions shown
    missing: list[str] = []
    for page in PageId:
        to_page(qtbot, window, page)
        window.symptom_page.update_card()
        QApplication.processEvents()
        for w in tab_stops(window):
            name, description = accessible(w)
            if not name.strip() or not description.strip():
                missing.append(f"{page.name}: {type(w).__name__} {name!r} {description!r}")
    assert missing == []


def test_focus_lands_where_each_page_is_for_and_tab_walks_in_reading_order(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    for page in PageId:
        to_page(qtbot, window, page)
        QApplication.processEvents()
        if page in PAGES_FOCUS:
            assert QApplication.focusWidget() is PAGES_FOCUS[page](window), page.name
        stops = tab_stops(window)
        visited: list[QWidget] = []
        start = QApplication.focusWidget()
        assert start is not None, page.name
        for _ in range(len(stops) + 40):
            w = QApplication.focusWidget()
            if w in stops and w not in visited:
                visited.append(w)
            qtbot.keyClick(w, Qt.Key.Key_Tab)
            if QApplication.focusWidget() is start:
                break
        # Tab enters a group of options once; the arrow keys move within it
        assert {stop_key(w) for w in visited} == {stop_key(w) for w in stops}, (
            page.name, [type(w).__name__ for w in set(stops) - set(visited)])
        # one round from the page's first control: the page in reading order, then the window's buttons
        last_button = max(visited.index(b) for b in window.buttons() if b in visited)
        visited = visited[last_button + 1:] + visited[:last_button + 1]
        buttons = [b for b in window.buttons() if b in visited]
        assert visited[-len(buttons):] == buttons, page.name
        order = [visited.index(b) for b in buttons]
        assert order == sorted(order), page.name  # About, language, Back, Next, Finish, Close
        assert window.button(window.WizardButton.CancelButton) not in visited or \
            visited.index(window.button(window.WizardButton.CancelButton)) > max(
                visited.index(b) for b in buttons if b is not window.button(window.WizardButton.CancelButton))
        in_page = [w for w in visited if window.currentPage().isAncestorOf(w)]
        for a, b in itertools.pairwise(in_page):
            ra, rb = reading_rect(a, window), reading_rect(b, window)
            same_row = ra.top() < rb.bottom() and rb.top() < ra.bottom()
            same_column = ra.left() < rb.right() and rb.left() < ra.right()
            assert not (same_row and not same_column and rb.right() <= ra.left()), (page.name, a, b)
            assert not (same_column and not same_row and rb.bottom() <= ra.top()), (page.name, a, b)


def stop_key(w: QWidget) -> object:
    return w.group() if isinstance(w, QRadioButton) and w.group() is not None else w


def reading_rect(w: QWidget, window: QWidget) -> QRect:
    """Where `w` is on the page as if nothing were scrolled (the scroll offset of every scroll area ignored)."""
    x = y = 0
    cur: QWidget | None = w
    while cur is not None and cur is not window:
        parent = cur.parentWidget()
        area = parent.parentWidget() if parent is not None else None
        scrolled = isinstance(area, QAbstractScrollArea) and parent is area.viewport()
        if not scrolled:
            x, y = x + cur.x(), y + cur.y()
        cur = parent
    return QRect(x, y, w.width(), w.height())


def rect(w: QWidget, window: QWidget) -> QRect:
    return QRect(w.mapTo(window, w.rect().topLeft()), w.size())


def test_the_focus_ring_surrounds_the_focused_control_and_stands_out(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.next()
    QApplication.processEvents()
    ring = window.focus_ring
    field = window.symptom_page.code_edit
    assert QApplication.focusWidget() is field and ring.isVisible()
    assert rect(ring, window).contains(rect(field, window))
    # the ring is really drawn: its colour is in the window's pixels just outside the field
    image: QImage = window.grab().toImage()
    r = rect(field, window)
    colour = focus_colour(window.palette())
    edge = image.pixelColor(r.center().x(), r.top() - 2)
    assert contrast(edge, colour) < 1.3, edge.name()
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    QApplication.processEvents()
    assert rect(ring, window).contains(rect(QApplication.focusWidget(), window))


def test_the_focus_ring_follows_a_wizard_button_when_the_window_is_resized(qtbot: Any, make_wizard: Any) -> None:
    """The buttons at the bottom are watched alone (their parents, which Qt makes, never move within the
    window): the ring still surrounds the focused button after the window changes size and moves it."""
    window = make_wizard()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    ring = window.focus_ring
    button = window.button(QWizard.WizardButton.NextButton)
    button.setFocus()
    QApplication.processEvents()
    assert QApplication.focusWidget() is button and ring.isVisible()
    assert rect(ring, window).contains(rect(button, window))
    before = rect(button, window)
    window.resize(window.width() + 120, window.height() + 80)
    qtbot.waitUntil(lambda: rect(button, window) != before)
    QApplication.processEvents()
    assert rect(ring, window).contains(rect(button, window))
    assert not rect(ring, window).contains(before)


def palettes() -> dict[str, QPalette]:
    fusion = QStyleFactory.create("Fusion")
    assert fusion is not None
    return {"light": accessible_palette(fusion.standardPalette()), "dark": accessible_palette(dark_reference())}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_and_symbols_meet_wcag_aa(qapp: Any, scheme: str) -> None:
    pal = palettes()[scheme]
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for fg, bg in TEXT_PAIRS:
            ratio = contrast(pal.color(group, fg), pal.color(group, bg))
            assert ratio >= TEXT_RATIO, (scheme, fg.name, bg.name, round(ratio, 2))
    ring = focus_colour(pal)
    assert contrast(ring, pal.color(Role.Window)) >= GRAPHIC_RATIO
    assert contrast(ring, pal.color(Role.Base)) >= GRAPHIC_RATIO
    # status symbols: their colour or their white rim stands 3:1 on a field and on a selected row
    for status in Status:
        image = status_icon(status).pixmap(24, 24).toImage()
        colours = {image.pixelColor(x, y).rgb() for x in range(24) for y in range(24)
                   if image.pixelColor(x, y).alpha() == 255}
        for bg in (pal.color(Role.Base), pal.color(Role.Highlight)):
            best = max(contrast(QColor.fromRgb(c), bg) for c in colours)
            assert best >= GRAPHIC_RATIO, (scheme, status, bg.name())


def test_the_running_wizard_uses_the_readable_palette(make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    pal = QApplication.palette()
    placeholder = pal.color(Role.PlaceholderText)
    assert contrast(placeholder, pal.color(Role.Base)) >= TEXT_RATIO
    assert contrast(pal.color(Role.HighlightedText), pal.color(Role.Highlight)) >= TEXT_RATIO
    # muted secondary text included: every label of every page reads at 4.5:1
    for lab in window.findChildren(QLabel):
        if lab.text() and lab.objectName() != "demoBanner":
            p = lab.palette()
            assert contrast(p.color(Role.WindowText), p.color(Role.Window)) >= TEXT_RATIO, lab.text()[:40]


def test_selected_rows_keep_the_symbol_colour(qapp: Any) -> None:
    from PySide6.QtGui import QIcon

    icon = status_icon(Status.PROBLEM)
    normal = icon.pixmap(24, 24, QIcon.Mode.Normal).toImage()
    selected = icon.pixmap(24, 24, QIcon.Mode.Selected).toImage()
    assert normal == selected


def test_the_diagram_tab_takes_the_focus_so_arrows_and_enter_work(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    window.button(window.WizardButton.NextButton).setFocus()  # focus left on a bottom button (review P2)
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentIndex() == 1 and QApplication.focusWidget() is page.diagram
    qtbot.keyClick(page.diagram, Qt.Key.Key_Right)
    qtbot.keyClick(page.diagram, Qt.Key.Key_Return)
    assert window.isVisible() and window.currentId() == PageId.RESULTS
    assert page.tabs.currentIndex() == 0 and page.component_filter is not None
