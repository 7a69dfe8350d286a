"""The phase diagram (`wizard.diagram.render_svg`) drawn with QSvgRenderer; a click on a component
box, or Enter on the keyboard cursor, asks to filter the findings by that component.

Hit-testing uses the SVG's own element bounds: `boundsOnElement("node-<component>")` in the
SVG's view box, mapped to the widget through the same scale and offset the picture is drawn with.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from wizard.model import Component

COMPONENTS: tuple[str, ...] = tuple(c.value for c in Component)
MAX_SCALE = 1.5
MIN_SCALE = 0.9
"""Never drawn smaller: the picture's smallest text (10 units) stays at 9 pixels or more; a smaller window
scrolls the picture instead of shrinking it."""


class DiagramWidget(QWidget):
    """Draws the diagram as large as fits (aspect kept, centred), and emits the component clicked."""

    componentClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer = QSvgRenderer(self)
        self._tooltips: dict[str, str] = {}
        self._selected: str | None = None
        self._cursor = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # -- content -------------------------------------------------------------------
    def set_svg(self, svg: str, tooltips: dict[str, str] | None = None) -> None:
        """Show `svg`; `tooltips` maps a component id to the text shown when hovering it."""
        self._renderer.load(QByteArray(svg.encode("utf-8")))
        self._tooltips = dict(tooltips or {})
        self.updateGeometry()
        self.update()

    def set_selected(self, component: str | None) -> None:
        """Outline the component the findings are filtered by (None: no outline)."""
        self._selected = component or None
        if component in COMPONENTS:
            self._cursor = COMPONENTS.index(component)
        self.update()

    def selected(self) -> str | None:
        return self._selected

    # -- geometry ------------------------------------------------------------------
    def _view_box(self) -> QRectF:
        box = self._renderer.viewBoxF()
        return box if box.width() > 0 and box.height() > 0 else QRectF(0, 0, 960, 400)

    def target_rect(self) -> QRectF:
        """Where the whole picture is drawn, in widget coordinates."""
        box = self._view_box()
        scale = min(self.width() / box.width(), self.height() / box.height(), MAX_SCALE)
        w, h = box.width() * scale, box.height() * scale
        return QRectF((self.width() - w) / 2, 0.0, w, h)

    def component_rect(self, component: str) -> QRectF:
        """The component's box in widget coordinates (empty when the picture has no such element)."""
        element = f"node-{component}"
        if not self._renderer.isValid() or not self._renderer.elementExists(element):
            return QRectF()
        bounds = self._renderer.boundsOnElement(element)
        box, target = self._view_box(), self.target_rect()
        sx, sy = target.width() / box.width(), target.height() / box.height()
        return QRectF(target.x() + (bounds.x() - box.x()) * sx, target.y() + (bounds.y() - box.y()) * sy,
                      bounds.width() * sx, bounds.height() * sy)

    def component_at(self, pos: QPointF) -> str | None:
        for comp in COMPONENTS:
            if self.component_rect(comp).contains(pos):
                return comp
        return None

    def sizeHint(self) -> QSize:
        box = self._view_box()
        return QSize(int(box.width()), int(box.height()))

    def minimumSizeHint(self) -> QSize:
        box = self._view_box()
        return QSize(int(box.width() * MIN_SCALE + 0.5), int(box.height() * MIN_SCALE + 0.5))

    def scale(self) -> float:
        """How many pixels one unit of the picture takes now."""
        return self.target_rect().width() / self._view_box().width()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        box = self._view_box()
        return int(box.height() * min(width / box.width(), MAX_SCALE))

    # -- painting and input ----------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        target = self.target_rect()
        p.fillRect(target, QColor("#FFFFFF"))
        if self._renderer.isValid():
            self._renderer.render(p, target)
        highlight = self.palette().color(self.palette().ColorRole.Highlight)
        if self._selected:
            pen = QPen(highlight, 3)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(self.component_rect(self._selected).adjusted(-4, -4, 4, 4), 8, 8)
        if self.hasFocus():
            pen = QPen(highlight, 2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(self.component_rect(COMPONENTS[self._cursor]).adjusted(-8, -8, 8, 8), 10, 10)
        p.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            comp = self.component_at(event.position())
            if comp:
                self._cursor = COMPONENTS.index(comp)
                self.componentClicked.emit(comp)
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.component_at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            self._cursor = (self._cursor + step) % len(COMPONENTS)
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.componentClicked.emit(COMPONENTS[self._cursor])
        else:
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            comp = self.component_at(QPointF(event.pos()))
            if comp and comp in self._tooltips:
                QToolTip.showText(event.globalPos(), self._tooltips[comp], self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
