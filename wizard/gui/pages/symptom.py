"""Page 2: what the user saw — the portal error code (completion over the catalogue; a whole
pasted message works), which sub-task failed, and optional details for a support case."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.pages.base import BasePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session
from wizard.gui.widgets.symptom_card import SymptomCard
from wizard.gui.widgets.text import label
from wizard.knowledge.phases import PHASE_SUMMARIES
from wizard.model import Msg, Phase

SEPARATOR = " — "
MATCH_DELAY_MS = 150


class SymptomPage(BasePage):
    """Collects `Session.input`; every field is optional, so Next is always possible."""

    def __init__(self, session: Session, seams: Seams, parent: QWidget | None = None) -> None:
        super().__init__(session, seams, scroll=True, parent=parent)
        self.code_label = label(bold=True)
        self.code_edit = QLineEdit(self)
        self.code_edit.setClearButtonEnabled(True)
        self.code_label.setBuddy(self.code_edit)
        self.completer_model = QStringListModel(self)
        self.completer = QCompleter(self.completer_model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated.connect(self._on_completion)
        self.code_edit.setCompleter(self.completer)
        self.card = SymptomCard(self)
        self.card.suggestionChosen.connect(self._take_suggestion)
        self._match_timer = QTimer(self)
        self._match_timer.setSingleShot(True)
        self._match_timer.setInterval(MATCH_DELAY_MS)
        self._match_timer.timeout.connect(self.update_card)
        self.code_edit.textChanged.connect(self._on_text)
        self.body.addWidget(self.code_label)
        self.body.addWidget(self.code_edit)
        self.body.addWidget(self.card)

        self.phase_box = QGroupBox(self)
        phases = QVBoxLayout(self.phase_box)
        self.phase_group = QButtonGroup(self)
        self.phase_radios: dict[str, QRadioButton] = {}
        for value in ("take_snapshot", "transfer_to_vault", "unknown"):
            radio = QRadioButton(self.phase_box)
            self.phase_radios[value] = radio
            self.phase_group.addButton(radio)
            phases.addWidget(radio)
            radio.toggled.connect(self._on_phase_toggled)
        self.phase_hint = label(muted=True)
        phases.addWidget(self.phase_hint)
        self.phase_radios[session.input.phase].setChecked(True)
        self.body.addSpacing(4)
        self.body.addWidget(self.phase_box)

        self.case_box = QGroupBox(self)
        form = QFormLayout(self.case_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.activity_edit = QLineEdit(self.case_box)
        self.started_edit = QLineEdit(self.case_box)
        self.tried_edit = QPlainTextEdit(self.case_box)
        self.tried_edit.setTabChangesFocus(True)
        self.tried_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.activity_label = label()
        self.started_label = label()
        self.tried_label = label()
        for lab, field in ((self.activity_label, self.activity_edit), (self.started_label, self.started_edit),
                           (self.tried_label, self.tried_edit)):
            lab.setBuddy(field)
            lab.setWordWrap(False)
            form.addRow(lab, field)
        self.case_note = label(muted=True)
        form.addRow(self.case_note)
        self.activity_edit.textChanged.connect(lambda s: self._on_case("activity_id", s))
        self.started_edit.textChanged.connect(lambda s: self._on_case("started", s))
        self.tried_edit.textChanged.connect(lambda: self._on_case("tried", self.tried_edit.toPlainText()))
        self.body.addSpacing(4)
        self.body.addWidget(self.case_box)
        self.body.addStretch(1)

        QWidget.setTabOrder(self.code_edit, self.phase_radios["take_snapshot"])
        QWidget.setTabOrder(self.phase_radios["take_snapshot"], self.phase_radios["transfer_to_vault"])
        QWidget.setTabOrder(self.phase_radios["transfer_to_vault"], self.phase_radios["unknown"])
        QWidget.setTabOrder(self.phase_radios["unknown"], self.activity_edit)
        QWidget.setTabOrder(self.activity_edit, self.started_edit)
        QWidget.setTabOrder(self.started_edit, self.tried_edit)

    # -- input ------------------------------------------------------------------------
    def prefill(self, error_text: str | None, phase: str | None) -> None:
        """Start with what the command line named (`--error-code`, `--phase`)."""
        if error_text:
            self.code_edit.setText(error_text)
            self.update_card()
        if phase in self.phase_radios:
            self.phase_radios[phase].setChecked(True)

    def show_input(self) -> None:
        """Show what `Session.input` holds (a kept diagnosis that was opened)."""
        data = self.session.input
        self.code_edit.setText(data.error_text)
        self.phase_radios.get(data.phase, self.phase_radios["unknown"]).setChecked(True)
        self.activity_edit.setText(data.case.get("activity_id", ""))
        self.started_edit.setText(data.case.get("started", ""))
        self.tried_edit.setPlainText(data.case.get("tried", ""))
        self.update_card()

    def _take_suggestion(self, code: str) -> None:
        """A suggested code was chosen: it goes into the field, and the focus stays there (Enter goes on)."""
        self.code_edit.setText(code)
        self.update_card()
        self.code_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_widget(self) -> QWidget | None:
        return self.code_edit

    def _on_text(self, text: str) -> None:
        self.session.input.error_text = text
        self._match_timer.start()

    def _on_completion(self, text: str) -> None:
        code = text.split(SEPARATOR, 1)[0].strip()
        QTimer.singleShot(0, lambda: self.code_edit.setText(code))

    def _on_phase_toggled(self, on: bool) -> None:
        if not on:
            return
        for value, radio in self.phase_radios.items():
            if radio.isChecked():
                self.session.input.phase = value
        self._show_phase_hint()

    def _on_case(self, key: str, value: str) -> None:
        self.session.input.case[key] = value

    def update_card(self) -> None:
        """Match what was typed against the catalogue now and show the card (also run by the timer)."""
        self._match_timer.stop()
        from wizard.knowledge.symptom import render_symptom

        symptom = self.session.symptom()
        card = render_symptom(symptom, self.t) if symptom and symptom.get("input") else None
        self.card.show_card(card, self.t)

    def _show_phase_hint(self) -> None:
        t = self.t
        phase = self.session.input.phase
        if phase == "take_snapshot":
            self.phase_hint.setText(t.msg(Msg(PHASE_SUMMARIES[Phase.TAKE_SNAPSHOT])))
        elif phase == "transfer_to_vault":
            self.phase_hint.setText(t("{summary} Checks inside the VM can rarely explain this sub-task's failure; the "
                                      "wizard still checks everything.",
                                      summary=t.msg(Msg(PHASE_SUMMARIES[Phase.TRANSFER_TO_VAULT]))))
        else:
            self.phase_hint.setText(t("The portal's backup job details list the sub-tasks and which one failed."))

    def _fill_completer(self) -> None:
        from wizard.knowledge.errorcodes import CATALOGUE

        t = self.t
        items: list[str] = []
        for entry in CATALOGUE:
            title = t.msg(entry.title)
            items.extend(f"{name}{SEPARATOR}{title}" for name in entry.names)
        self.completer_model.setStringList(items)

    # -- page -------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        t = self.t
        self.setTitle(t("What did you see?"))
        self.setSubTitle(t("Everything on this page is optional. It puts the findings that matter to you first."))
        self.code_label.setText(t("Portal &error code or message"))
        self.code_edit.setPlaceholderText(t("For example UserErrorGuestAgentStatusUnavailable, or paste the whole "
                                            "error message"))
        self.code_edit.setAccessibleName(t("Portal error code or message"))
        self._fill_completer()
        self.phase_box.setTitle(t("Which sub-task failed?"))
        self.phase_radios["take_snapshot"].setText(t("&Take Snapshot"))
        self.phase_radios["transfer_to_vault"].setText(t("T&ransfer data to vault"))
        self.phase_radios["unknown"].setText(t("I &don't know"))
        self._show_phase_hint()
        self.phase_radios["take_snapshot"].setAccessibleDescription(t.msg(Msg(PHASE_SUMMARIES[Phase.TAKE_SNAPSHOT])))
        self.phase_radios["transfer_to_vault"].setAccessibleDescription(
            t.msg(Msg(PHASE_SUMMARIES[Phase.TRANSFER_TO_VAULT])))
        self.phase_radios["unknown"].setAccessibleDescription(
            t("The portal's backup job details list the sub-tasks and which one failed."))
        self.case_box.setTitle(t("Details for a support case (optional)"))
        self.activity_label.setText(t("Backup job Activit&y ID:"))
        self.started_label.setText(t("When did it &start?"))
        self.tried_label.setText(t("What have you already tr&ied?"))
        self.activity_edit.setPlaceholderText(t("From the failed job's details in the portal"))
        self.started_edit.setPlaceholderText(t("For example: since 1 May, after an update"))
        self.activity_edit.setAccessibleName(t("Backup job Activity ID"))
        self.started_edit.setAccessibleName(t("When the problem started"))
        self.tried_edit.setAccessibleName(t("What you have already tried"))
        self.case_note.setText(t("These details are kept with the results you save, for a support engineer."))
        self.code_edit.setAccessibleDescription(self.code_edit.placeholderText())
        for field in (self.activity_edit, self.started_edit, self.tried_edit):
            field.setAccessibleDescription(self.case_note.text())
        self.update_card()
