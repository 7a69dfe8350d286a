"""The demo banner shown at the top of every page while a recorded scenario is replayed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class DemoBanner(QLabel):
    """A dark-on-amber strip, readable in light and dark themes; hidden outside demos."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#demoBanner { background: #FFF4CE; color: #3B2300; border: 1px solid #8A4B00;"
                           " border-radius: 4px; padding: 4px 8px; font-weight: bold; }")
        self.hide()

    def show_text(self, text: str | None) -> None:
        """Show `text`, or hide the banner when it is None."""
        if text:
            self.setText("▶ " + text)
            self.setAccessibleName(text)
            self.show()
        else:
            self.hide()
