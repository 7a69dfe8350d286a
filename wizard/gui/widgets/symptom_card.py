"""The card that explains the portal error code the user typed, live, as they type or paste."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wizard.gui.widgets.text import label
from wizard.i18n import Translator


class SymptomCard(QFrame):
    """Shows a rendered symptom (`wizard.knowledge.symptom.render_symptom`); hidden when there is none."""

    suggestionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("symptomCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 8, 10, 8)
        box.setSpacing(4)
        self.heading = label("", self, bold=True, selectable=True)
        self.title = label("", self, selectable=True)
        self.meaning = label("", self, selectable=True)
        self.fixable = label("", self)
        self.note = label("", self)
        self.suggestions = QLabel(self)
        self.suggestions.setTextFormat(Qt.TextFormat.RichText)
        self.suggestions.setWordWrap(True)
        self.suggestions.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                 | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.suggestions.linkActivated.connect(self._on_link)
        for w in (self.heading, self.title, self.meaning, self.fixable, self.note, self.suggestions):
            box.addWidget(w)
        # The same codes as buttons, so the keyboard reaches them (Tab, then Space or Enter).
        self.suggestion_row = QWidget(self)
        self._suggestion_layout = QHBoxLayout(self.suggestion_row)
        self._suggestion_layout.setContentsMargins(0, 0, 0, 0)
        self.suggestion_buttons: list[QPushButton] = []
        box.addWidget(self.suggestion_row)
        self.hide()

    def show_card(self, card: dict[str, Any] | None, t: Translator) -> None:
        if not card or (not card.get("code") and not card.get("input")):
            self.hide()
            return
        matched = bool(card.get("code"))
        if matched:
            self.heading.setText(t("Portal error code: {code}", code=str(card["code"])))
            self.title.setText(str(card.get("title") or ""))
            self.meaning.setText(t("What it means: {text}", text=str(card.get("meaning") or "")))
            self.fixable.setText(str(card.get("fixable_text") or ""))
            self.note.setText(t("The checks related to this code are listed first in the results.")
                              if card.get("related_checks") else "")
            self.suggestions.setText("")
        else:
            self.heading.setText(t("Portal error code not recognised: {text}", text=_cut(str(card["input"]), 80)))
            self.title.setText("")
            self.meaning.setText("")
            self.fixable.setText("")
            self.note.setText(t("The wizard runs every check anyway. Pick a code from the list to see what it "
                                "means."))
            links = [f'<a href="code:{html.escape(str(s["code"]))}">{html.escape(str(s["code"]))}</a>'
                     for s in card.get("suggestions") or []]
            self.suggestions.setText(html.escape(t("Closest known codes: {codes}", codes="\x00")).replace(
                "\x00", t.join(links)) if links else "")
        self._suggestion_buttons([] if matched else [str(s["code"]) for s in card.get("suggestions") or []], t)
        for w in (self.title, self.meaning, self.fixable, self.note, self.suggestions):
            w.setVisible(bool(w.text()))
        self.setAccessibleName(self.heading.text())
        self.show()

    def _suggestion_buttons(self, codes: list[str], t: Translator) -> None:
        for b in self.suggestion_buttons:
            b.deleteLater()
        self.suggestion_buttons = []
        for code in codes[:3]:
            button = QPushButton(code, self.suggestion_row)
            button.setAutoDefault(False)
            button.setAccessibleName(t("Use the code {code}", code=code))
            button.setAccessibleDescription(t("Puts this code into the error code field."))
            button.clicked.connect(lambda _on=False, c=code: self.suggestionChosen.emit(c))
            self._suggestion_layout.addWidget(button)
            self.suggestion_buttons.append(button)
        self._suggestion_layout.addStretch(0)
        self.suggestion_row.setVisible(bool(codes))

    def _on_link(self, href: str) -> None:
        if href.startswith("code:"):
            self.suggestionChosen.emit(href[len("code:"):])


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
