"""Small text widgets: word-wrapped plain-text labels, headings, and a read-only command box
that wraps anywhere and is as tall as its text."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QResizeEvent, QTextOption
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QTextEdit, QWidget


def label(text: str = "", parent: QWidget | None = None, *, bold: bool = False, scale: float = 1.0,
          selectable: bool = False, muted: bool = False) -> QLabel:
    """A word-wrapped label showing `text` as plain text (never interpreted as HTML)."""
    lab = QLabel(parent)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(True)
    lab.setText(text)
    if bold or scale != 1.0:
        font = QFont(lab.font())
        font.setBold(bold)
        if scale != 1.0:
            font.setPointSizeF(font.pointSizeF() * scale)
        lab.setFont(font)
    if selectable:
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    if muted:
        mute(lab)
    return lab


def mute(widget: QWidget) -> None:
    """Secondary text: the text colour three quarters of the way from the background (dark themes too), never
    below 4.5:1."""
    from wizard.gui.theme import readable

    pal = widget.palette()
    fg, bg = pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window)
    mixed = QColor(int(fg.red() * 0.75 + bg.red() * 0.25), int(fg.green() * 0.75 + bg.green() * 0.25),
                   int(fg.blue() * 0.75 + bg.blue() * 0.25))
    pal.setColor(QPalette.ColorRole.WindowText, readable(mixed, bg))  # still 4.5:1, whatever the theme
    widget.setPalette(pal)


def rule(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class CommandText(QTextEdit):
    """A command shown in a monospace font, selectable, wrapped anywhere, exactly as tall as its text."""

    def __init__(self, command: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlainText(command)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setTabChangesFocus(True)
        self.document().setDocumentMargin(4)
        self._fit()

    def _fit(self) -> None:
        doc = self.document()
        doc.setTextWidth(max(40, self.viewport().width()))
        frame = 2 * self.frameWidth()
        height = int(doc.size().height()) + frame + 2
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(300, self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(80, self.height())


class ScrollBody(QWidget):
    """The inside of a page's scroll area: as tall as its wrapped text needs at the current width.

    QScrollArea takes the larger of `heightForWidth` and the minimum size hint's height, and a
    word-wrapped label's minimum hint assumes a very narrow width; so the hint leaves the height
    to `heightForWidth`, and a scroll bar appears only when the text really does not fit.
    """

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), 0)
