"""The detail pane of the Results page: one finding (or the user's error code) explained — summary,
why it matters, numbered fix steps with a Copy button beside each command, documentation links
that open the browser, and the raw evidence for a support engineer."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.icons import status_icon
from wizard.gui.widgets.command import StepRow
from wizard.gui.widgets.text import ScrollBody, label
from wizard.i18n import Translator

if TYPE_CHECKING:  # the answer layer loads with the first result, not with the first page
    from wizard.present.answer import FindingView, GlossaryView

MAX_EVIDENCE_CHARS = 20_000


class DetailPane(QScrollArea):
    """A scrollable pane rebuilt for each selection."""

    def __init__(self, copy: Callable[[str], None], open_url: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._copy = copy
        self._open_url = open_url
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.shown: str | None = None
        self.step_rows: list[StepRow] = []
        self.doc_labels: list[QLabel] = []

    # -- building blocks --------------------------------------------------------------
    def _start(self, key: str | None) -> QVBoxLayout:
        self.shown = key
        self.step_rows = []
        self.doc_labels = []
        body = ScrollBody()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        self.setWidget(body)
        return layout

    def _heading(self, layout: QVBoxLayout, text: str) -> None:
        layout.addSpacing(4)
        layout.addWidget(label(text, bold=True))

    def _steps(self, layout: QVBoxLayout, t: Translator, steps: list[tuple[str, str | None, str]]) -> None:
        if not steps:
            return
        self._heading(layout, t("What to do"))
        for i, (text, command, shell) in enumerate(steps, 1):
            row = StepRow(t, i, text, command, self._copy, shell_label=shell)
            self.step_rows.append(row)
            layout.addWidget(row)

    def _docs(self, layout: QVBoxLayout, t: Translator, docs: list[tuple[str, str]]) -> None:
        if not docs:
            return
        self._heading(layout, t("Documentation"))
        for title, url in docs:
            link = QLabel(f'<a href="{html.escape(url, quote=True)}">{html.escape(title)}</a>')
            link.setTextFormat(Qt.TextFormat.RichText)
            link.setWordWrap(True)
            link.setToolTip(url)
            link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                         | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
            link.linkActivated.connect(self._open_url)
            link.setAccessibleName(title)
            link.setAccessibleDescription(url)
            self.doc_labels.append(link)
            layout.addWidget(link)

    # -- what can be shown ----------------------------------------------------------------
    def show_empty(self, t: Translator) -> None:
        layout = self._start(None)
        layout.addWidget(label(t("Select a finding to see what it means and what to do."), muted=True))
        layout.addStretch(1)

    def show_result(self, f: FindingView, t: Translator, related_code: str | None = None,
                    terms: list[GlossaryView] | None = None) -> None:
        layout = self._start(f.id)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(status_icon(f.status).pixmap(24, 24))
        icon.setAccessibleName(f.status_label)
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        title = label(t("{status}: {title}", status=f.status_label, title=f.title),
                      bold=True, scale=1.15, selectable=True)
        head.addWidget(title, 1)
        layout.addLayout(head)
        layout.addWidget(label(t("{component}, {phase}", component=f.component_label, phase=f.phase_label),
                               muted=True))
        if related_code:
            layout.addWidget(label(t("Related to the portal error code {code}.", code=related_code), muted=True))
        if f.because:
            layout.addWidget(label(f.because, muted=True, selectable=True))
        summary = label(f.summary, selectable=True)
        layout.addWidget(summary)
        if f.needs_detail:  # what to do first, so the steps are in view without scrolling; then why
            self._steps(layout, t, [(s.text, s.command, s.shell_label) for s in f.steps])
        if f.why and f.needs_detail:
            self._heading(layout, t("Why it matters"))
            layout.addWidget(label(f.why, selectable=True))
        if f.error_codes:
            layout.addWidget(label(t("Portal error codes: {codes}", codes=t.join(f.error_codes)),
                                   selectable=True))
        self._docs(layout, t, [(d.title, d.url) for d in f.docs])
        if terms:
            self._terms(layout, t, terms, summary)
        if f.evidence_rows:
            self._evidence(layout, t, f)
        layout.addStretch(1)

    def _terms(self, layout: QVBoxLayout, t: Translator, terms: list[GlossaryView], summary: QLabel) -> None:
        """The words this finding uses, explained: as a tooltip on the summary, and listed under "Terms"."""
        summary.setToolTip("\n\n".join(f"{g.term}: {g.definition}" for g in terms))
        self._heading(layout, t("Terms used here"))
        for g in terms:
            item = label(f"<b>{html.escape(g.term)}</b>: {html.escape(g.definition)}", selectable=True)
            item.setTextFormat(Qt.TextFormat.RichText)
            item.setAccessibleName(g.term)
            item.setAccessibleDescription(g.definition)
            layout.addWidget(item)

    def show_symptom(self, card: dict[str, Any], t: Translator) -> None:
        layout = self._start("symptom")
        if card.get("code"):
            layout.addWidget(label(t("Portal error code: {code}", code=str(card["code"])), bold=True, scale=1.15,
                                   selectable=True))
            layout.addWidget(label(str(card.get("title") or ""), selectable=True))
            layout.addWidget(label(t("What it means: {text}", text=str(card.get("meaning") or "")),
                                   selectable=True))
            layout.addWidget(label(str(card.get("fixable_text") or "")))
        else:
            layout.addWidget(label(t("Portal error code not recognised: {text}", text=str(card.get("input") or "")),
                                   bold=True, selectable=True))
            codes = t.join(str(s["code"]) for s in card.get("suggestions") or [])
            if codes:
                layout.addWidget(label(t("Closest known codes: {codes}", codes=codes), selectable=True))
        if card.get("phase_name"):
            layout.addWidget(label(t("Failed sub-task: {phase}", phase=str(card["phase_name"]))))
        self._steps(layout, t, [(str(s["text"]), s.get("command"), str(s.get("shell_label") or ""))
                                for s in card.get("steps") or []])
        self._docs(layout, t, [(str(d["title"]), str(d["url"])) for d in card.get("docs") or []])
        layout.addStretch(1)

    def _evidence(self, layout: QVBoxLayout, t: Translator, f: FindingView) -> None:
        text = "\n".join(f"{row.key}: {row.value}" for row in f.evidence_rows)
        if len(text) > MAX_EVIDENCE_CHARS:
            text = text[:MAX_EVIDENCE_CHARS] + "\n…"
        toggle = QToolButton()
        toggle.setText(t("Show the raw evidence"))
        toggle.setCheckable(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setAccessibleDescription(t("The data the check read, for a support engineer."))
        box = QPlainTextEdit(text)
        box.setReadOnly(True)
        box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        box.setMinimumHeight(160)
        box.setAccessibleName(t("Raw evidence"))
        box.hide()

        def flip(on: bool) -> None:
            box.setVisible(on)
            toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
            toggle.setText(t("Hide the raw evidence") if on else t("Show the raw evidence"))

        toggle.toggled.connect(flip)
        layout.addSpacing(4)
        layout.addWidget(toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(box)
