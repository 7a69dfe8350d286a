"""What every page has: the session and seams, the demo banner, and `retranslate()`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget, QWizardPage

from wizard.gui.seams import Seams
from wizard.gui.session import Session
from wizard.gui.widgets.banner import DemoBanner
from wizard.gui.widgets.text import ScrollBody
from wizard.i18n import Translator


class BasePage(QWizardPage):
    """A wizard page whose visible text all comes from `retranslate()`, called again on a language switch."""

    def __init__(self, session: Session, seams: Seams, *, scroll: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.seams = seams
        self.compact = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.banner = DemoBanner(self)
        outer.addWidget(self.banner)
        if scroll:
            area = QScrollArea(self)
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            inner = ScrollBody(area)
            self.body = QVBoxLayout(inner)
            self.body.setContentsMargins(0, 4, 8, 4)
            area.setWidget(inner)
            outer.addWidget(area, 1)
        else:
            self.body = QVBoxLayout()
            self.body.setContentsMargins(0, 4, 0, 0)
            outer.addLayout(self.body, 1)

    @property
    def t(self) -> Translator:
        return self.session.t

    def focus_widget(self) -> QWidget | None:
        """The control this page is for, which gets the keyboard focus when the page is shown."""
        return None

    def focus_first(self) -> None:
        widget = self.focus_widget()
        if widget is not None and widget.isEnabled():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_compact(self, compact: bool) -> None:
        """Switch to the layout for small windows (the window decides; pages that need one extend this)."""
        self.compact = compact

    def retranslate(self) -> None:
        """Set every visible text in the session's language; subclasses extend it."""
        self.banner.show_text(self.session.banner_text())
