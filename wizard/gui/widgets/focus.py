"""A focus ring everyone can see: a 2-pixel frame around whatever has the keyboard focus in the window, in a
colour with 3:1 contrast against the window (`wizard.gui.theme.focus_colour`), whatever the style draws.

The ring is a child of the window drawn on top, placed around the part of the control that can be seen,
and placed again whenever the control or one of its parents moves or is resized (scrolling); it never
takes the mouse or the focus. Controls given as `fixed` (the wizard's buttons, which Qt creates and lays
out itself) are watched alone: their parents never move within the window, and asking Qt for them would
make PySide6 create the Python types of every QtWidgets class not made yet (9-16 ms at the first focus).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from wizard.gui.theme import focus_colour

WIDTH = 2
GAP = 1


class FocusRing(QWidget):
    """Follows the focus inside `window`."""

    def __init__(self, window: QWidget, fixed: Iterable[QWidget] = ()) -> None:
        super().__init__(window)
        self.setObjectName("focusRing")
        self._window = window
        self._fixed = list(fixed)
        self.target: QWidget | None = None
        self._watched: list[QWidget] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        for old in self._watched:
            if isValid(old):
                old.removeEventFilter(self)
        self._watched = []
        self.target = None
        if new is None or new is self or new.window() is not self._window:
            self.hide()
            return
        self.target = new
        w: QWidget | None = new
        while w is not None and w is not self._window:
            w.installEventFilter(self)
            self._watched.append(w)
            w = None if any(w is f for f in self._fixed) else w.parentWidget()
        self._place()

    def _place(self) -> None:
        target = self.target
        if target is None or not isValid(target) or not target.isVisible():
            self.hide()
            return
        seen = target.visibleRegion().boundingRect()
        if seen.isEmpty():
            self.hide()
            return
        margin = WIDTH + GAP
        top_left = target.mapTo(self._window, seen.topLeft())
        self.setGeometry(QRect(top_left, seen.size()).adjusted(-margin, -margin, margin, margin))
        self.raise_()
        self.show()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self._place()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(focus_colour(self._window.palette()), WIDTH)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        half = WIDTH / 2
        p.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 4, 4)
        p.end()
