"""What "fits the screen" means, checked on a shown wizard: every control is inside the window or inside a
scroll area that can bring it into view, no prose needs horizontal scrolling, and no text that matters is
cut or elided. Used by tests/gui/test_gui_sizes.py (offscreen) and scripts/size_screenshots.py (Xvfb,
real scale factors)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QWidget,
    QWizard,
)

from wizard.gui.widgets.diagram import DiagramWidget

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractScrollArea, QTabBar, DiagramWidget)


def _scroll_ancestor(w: QWidget, top: QWidget) -> QScrollArea | None:
    parent = w.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(w):
            return parent
        parent = parent.parentWidget()
    return None


def _rect_in(w: QWidget, ref: QWidget) -> QRect:
    return QRect(w.mapTo(ref, w.rect().topLeft()), w.size())


def reachable(w: QWidget, window: QWidget) -> str | None:
    """None when `w` can be seen (directly, or by scrolling vertically); else why not."""
    area = _scroll_ancestor(w, window)
    if area is None:
        inside = window.rect().contains(_rect_in(w, window))
        return None if inside else f"outside the window at {_rect_in(w, window)} (window {window.size()})"
    content = area.widget()
    assert content is not None
    r = _rect_in(w, content)
    if isinstance(w, DiagramWidget):  # the picture may scroll both ways; it is not prose
        return reachable(area, window)
    if r.right() > area.viewport().width() + 1 and not isinstance(w, QScrollArea):
        return f"needs horizontal scrolling ({r.right()} > {area.viewport().width()})"
    return reachable(area, window)


def cut_text(w: QWidget) -> str | None:
    """Why the text of a label or button is cut or elided, or None."""
    if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.RichText and w.text() and w.pixmap().isNull():
        room = w.contentsRect()
        if w.wordWrap():
            need = w.heightForWidth(w.width()) if w.hasHeightForWidth() else room.height()
            if need > w.height() + 1:
                return f"label cut at the bottom ({need} > {w.height()}): {w.text()[:60]!r}"
        elif w.fontMetrics().horizontalAdvance(w.text().replace("&", "")) > room.width() + 1:
            return f"label cut at the right: {w.text()[:60]!r}"
    if isinstance(w, QAbstractButton) and w.text():
        need = w.sizeHint().width() if w.sizeHint().isValid() else 0
        if need > w.width() + 1:
            return f"button narrower than its text ({w.width()} < {need}): {w.text()!r}"
    return None


def problems(window: QWizard) -> list[str]:
    """Everything that does not fit on the page shown now (and in the window's own buttons)."""
    found: list[str] = []
    page = window.currentPage()
    widgets = [*page.findChildren(QWidget), *[window.button(b) for b in (
        QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
        QWizard.WizardButton.CancelButton, QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2)]]
    for w in widgets:
        if not w.isVisibleTo(window) or w.width() <= 0:
            continue
        name = f"{type(w).__name__} {w.objectName() or ''}".strip()
        if isinstance(w, CONTROLS):
            why = reachable(w, window)
            if why:
                found.append(f"{name} {getattr(w, 'text', lambda: '')()!r}: {why}")
        why = cut_text(w)
        if why:
            found.append(f"{name}: {why}")
    for area in page.findChildren(QScrollArea):
        if area.isVisibleTo(window) and area.horizontalScrollBar().isVisible() \
                and not isinstance(area.widget(), DiagramWidget):
            found.append(f"horizontal scrolling of prose in {type(area).__name__}")
    if window.width() > window.property("target_width") + 1 or window.height() > window.property("target_height") + 1:
        found.append(f"window grew to {window.size()} beyond {window.property('target_width')}x"
                     f"{window.property('target_height')}")
    return found
