"""Icons drawn in code or from the bundled SVG: the application icon and one symbol per status.

Status symbols repeat the diagram's shapes (a cross in a circle, a triangle with "!", ...), so
a status is told by shape and by its word next to it, never by colour alone. Pixmaps are drawn
at several sizes, so they stay sharp at any display scaling.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtSvg import QSvgRenderer

from wizard.model import Status
from wizard.paths import resource
from wizard.present.styles import STYLES

SIZES = (16, 20, 24, 32, 48, 64)
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
RUNNING = "running"
WHITE = QColor("#FFFFFF")
OUTLINE = WHITE


@cache
def app_icon() -> QIcon:
    """The application icon from resources/icons/app.svg (an empty icon if the file is missing)."""
    renderer = QSvgRenderer(str(resource("icons", "app.svg")))
    icon = QIcon()
    if not renderer.isValid():
        return icon
    for size in APP_ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


@cache
def status_icon(status: Status | str) -> QIcon:
    """The symbol of a status (or of a check still running), at every size in SIZES."""
    icon = QIcon()
    for size in SIZES:
        pixmap = _status_pixmap(status, size)
        icon.addPixmap(pixmap)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)  # a selected row keeps the symbol's colour
    return icon


def status_colour(status: Status) -> QColor:
    return QColor(STYLES[status].stroke)


def _status_pixmap(status: Status | str, size: int) -> QPixmap:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 24.0, size / 24.0)
    if status == RUNNING:
        _running(p)
    else:
        st = Status(status)
        _symbol(p, STYLES[st].shape, QColor(STYLES[st].stroke))
    p.end()
    return QPixmap.fromImage(image)


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _symbol(p: QPainter, shape: str, colour: QColor) -> None:
    """Draw one status symbol in a 24x24 box, like `wizard.present.diagram._symbol`, with a white rim so it
    stands out 3:1 on a dark background or a selected row as well as on white."""
    c = QPointF(12, 12)
    p.setPen(_pen(OUTLINE, 1.5))
    p.setBrush(colour)
    if shape == "triangle-bang":
        p.drawPolygon(QPolygonF([QPointF(12, 1.5), QPointF(23, 21.5), QPointF(1, 21.5)]))
        p.setPen(_pen(WHITE, 2.6))
        p.drawLine(QPointF(12, 8), QPointF(12, 14))
        p.drawPoint(QPointF(12, 18))
        return
    if shape == "square-bang":
        p.drawRoundedRect(QRectF(1.5, 1.5, 21, 21), 4, 4)
        p.setPen(_pen(WHITE, 2.6))
        p.drawLine(QPointF(12, 6), QPointF(12, 13.5))
        p.drawPoint(QPointF(12, 18))
        return
    p.drawEllipse(c, 11, 11)
    p.setPen(_pen(WHITE, 2.6))
    if shape == "circle-check":
        p.drawPolyline(QPolygonF([QPointF(6.8, 12.3), QPointF(10.4, 15.8), QPointF(17.2, 8.4)]))
    elif shape == "circle-x":
        p.drawLine(QPointF(7.8, 7.8), QPointF(16.2, 16.2))
        p.drawLine(QPointF(7.8, 16.2), QPointF(16.2, 7.8))
    elif shape == "circle-i":
        p.drawPoint(QPointF(12, 7))
        p.drawLine(QPointF(12, 11), QPointF(12, 17.5))
    elif shape == "circle-question":
        font = QFont()
        font.setBold(True)
        font.setPixelSize(16)
        p.setFont(font)
        p.setPen(WHITE)
        p.drawText(QRectF(0, 0, 24, 24), Qt.AlignmentFlag.AlignCenter, "?")


def _running(p: QPainter) -> None:
    """Three dots in a grey ring: still running."""
    grey = QColor("#5F6368")
    p.setPen(_pen(grey, 2))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(12, 12), 10.5, 10.5)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(grey)
    for x in (7.0, 12.0, 17.0):
        p.drawEllipse(QPointF(x, 12), 1.8, 1.8)
