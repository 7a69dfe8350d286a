"""Page 5: keep the results. First the HTML report, the file to attach to a support case: in the
language chosen for it, optionally with the customer's identifiers masked (a preview shows what
will be replaced), written atomically, with "Open it" afterwards. Below it the whole Diagnosis as
JSON (masked the same way) and a plain-text summary to copy for a chat or a ticket. An unwritable
place is explained and another one offered."""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, QStandardPaths, QUrl
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.pages.base import BasePage
from wizard.gui.pdfexport import PdfExport, add_pdf_button, retranslate_pdf
from wizard.gui.seams import Seams
from wizard.gui.session import Session, log_file
from wizard.gui.widgets.redaction import MaskPreview
from wizard.gui.widgets.text import label
from wizard.i18n import Translator
from wizard.model import Diagnosis

log = logging.getLogger("wizard.gui")

REPORT_LANGUAGES = (("ja", "日本語"), ("en", "English"))
"""The languages a report can be written in, each named in itself (like the language button)."""

HTML_SUFFIXES = (".html", ".htm")

Note = Callable[[Translator], str]


def default_file_name(hostname: str, when: _dt.datetime) -> str:
    """`vmbackup-wizard-<host>-<yyyymmdd-hhmm>.json`, safe on every file system."""
    host = re.sub(r"[^A-Za-z0-9._-]+", "_", hostname).strip("._") or "vm"
    return f"vmbackup-wizard-{host[:40]}-{when.strftime('%Y%m%d-%H%M')}.json"


def file_url(path: Path) -> str:
    """A `file://` URL for `path`, fully percent-encoded (spaces, `#` and Japanese names survive)."""
    return QUrl.fromLocalFile(str(path)).toString(QUrl.ComponentFormattingOption.FullyEncoded)


class SummaryView(QPlainTextEdit):
    """The read-only summary text. It asks for no more than its minimum height, so the page needs no
    scroll bar for it; the layout's stretch gives it whatever room is left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMinimumHeight(100)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class SavePage(BasePage):
    """The last page: the HTML report (also as PDF), the JSON file and the clipboard summary."""

    pdf_export: PdfExport

    def __init__(self, session: Session, seams: Seams, parent: QWidget | None = None) -> None:
        super().__init__(session, seams, scroll=True, parent=parent)
        self.saved_path: Path | None = None
        self.report_path: Path | None = None
        self._folder: str | None = None
        self._report_folder: Path | None = None
        self._report_lang_chosen = False
        self._notes: dict[QLabel, Note] = {}

        # -- the report ---------------------------------------------------------------
        self.report_box = QGroupBox(self)
        rl = QVBoxLayout(self.report_box)
        self.report_text = label()
        rl.addWidget(self.report_text)

        lang_row = QHBoxLayout()
        self.report_lang_label = QLabel(self.report_box)
        self.report_lang = QComboBox(self.report_box)
        for code, name in REPORT_LANGUAGES:
            self.report_lang.addItem(name, code)
        self.report_lang_label.setBuddy(self.report_lang)
        self.report_lang.activated.connect(self._report_language_chosen)
        lang_row.addWidget(self.report_lang_label)
        lang_row.addWidget(self.report_lang)
        lang_row.addStretch(1)
        rl.addLayout(lang_row)

        # the support-case fields a support engineer asks for first (kept in the Diagnosis, checked in the core)
        case_row = QFormLayout()
        self.vault_edit = QLineEdit(self.report_box)
        self.policy_combo = QComboBox(self.report_box)
        self.job_start_edit = QLineEdit(self.report_box)
        self.vault_label, self.policy_label, self.job_start_label = QLabel(), QLabel(), QLabel()
        for lab, wid in ((self.vault_label, self.vault_edit), (self.policy_label, self.policy_combo),
                         (self.job_start_label, self.job_start_edit)):
            lab.setBuddy(wid)
            case_row.addRow(lab, wid)
        self.case_problems = label(muted=True)
        case_row.addRow(self.case_problems)
        rl.addLayout(case_row)
        self.vault_edit.editingFinished.connect(self._case_edited)
        self.job_start_edit.editingFinished.connect(self._case_edited)
        self.policy_combo.activated.connect(self._case_edited)

        mask_row = QHBoxLayout()
        self.mask_check = QCheckBox(self.report_box)
        self.mask_check.toggled.connect(self._mask_toggled)
        self.mask_level = QComboBox(self.report_box)
        self.mask_level.activated.connect(self._mask_toggled)
        mask_row.addWidget(self.mask_check)
        mask_row.addWidget(self.mask_level)
        mask_row.addStretch(1)
        rl.addLayout(mask_row)
        self.mask_note = label(muted=True)
        self.mask_table = MaskPreview(self.report_box)
        self.mask_empty = label()
        rl.addWidget(self.mask_note)
        rl.addWidget(self.mask_table)
        rl.addWidget(self.mask_empty)

        report_row = QHBoxLayout()
        self.save_report_button = QPushButton(self.report_box)
        self.save_report_button.clicked.connect(self.save_report)
        self.open_report_button = QPushButton(self.report_box)
        self.open_report_button.clicked.connect(self.open_report)
        self.folder_button = QPushButton(self.report_box)
        self.folder_button.clicked.connect(self.open_report_folder)
        report_row.addWidget(self.save_report_button)
        self.pdf_button, self.pdf_status = add_pdf_button(self)  # "Save as PDF" (wizard.gui.pdfexport)
        report_row.addWidget(self.pdf_button)
        report_row.addWidget(self.open_report_button)
        report_row.addWidget(self.folder_button)
        self.copy_path_button = QPushButton(self.report_box)
        self.copy_path_button.clicked.connect(self.copy_path)
        self.copy_path_button.hide()
        report_row.addWidget(self.copy_path_button)
        report_row.addStretch(1)
        rl.addLayout(report_row)
        self.report_status = label(selectable=True)
        rl.addWidget(self.report_status)
        rl.addWidget(self.pdf_status)
        self.body.addWidget(self.report_box)

        # -- the JSON file ------------------------------------------------------------
        self.file_box = QGroupBox(self)
        fl = QVBoxLayout(self.file_box)
        self.file_text = label()
        row = QHBoxLayout()
        self.save_button = QPushButton(self.file_box)
        self.save_button.clicked.connect(self.save_json)
        row.addWidget(self.save_button)
        row.addStretch(1)
        self.save_status = label(selectable=True)
        fl.addWidget(self.file_text)
        fl.addLayout(row)
        fl.addWidget(self.save_status)
        self.body.addWidget(self.file_box)

        # -- the summary --------------------------------------------------------------
        self.share_box = QGroupBox(self)
        sl = QVBoxLayout(self.share_box)
        self.share_text = label()
        row2 = QHBoxLayout()
        self.copy_button = QPushButton(self.share_box)
        self.copy_button.clicked.connect(self.copy_summary)
        row2.addWidget(self.copy_button)
        row2.addStretch(1)
        self.copy_status = label()
        self.preview = SummaryView(self.share_box)
        sl.addWidget(self.share_text)
        sl.addLayout(row2)
        sl.addWidget(self.copy_status)
        sl.addWidget(self.preview, 1)
        self.body.addWidget(self.share_box, 1)

        for lab in (self.report_status, self.save_status, self.copy_status):
            lab.hide()
        self._show_mask()
        self._update_report_buttons()

    def focus_widget(self) -> QWidget | None:
        return self.save_report_button

    def initializePage(self) -> None:
        self.copy_path_button.hide()
        for lab in (self.report_status, self.pdf_status, self.save_status, self.copy_status):
            self._note(lab, None)
        self.report_path = None
        self._update_report_buttons()
        self._show_mask()
        self._refresh_preview()

    # -- state --------------------------------------------------------------------------
    def report_language(self) -> str:
        """The language the report will be written in ("ja" or "en")."""
        return str(self.report_lang.currentData() or self.session.lang)

    def _report_language_chosen(self, *_args: object) -> None:
        """The user picked the report's language: from now on it no longer follows the wizard's."""
        self._report_lang_chosen = True

    def masking(self) -> bool:
        return self.mask_check.isChecked()

    def masking_level(self) -> str:
        """"support" (Azure IDs kept for Microsoft support) or "public" (every identifier pseudonymised)."""
        return str(self.mask_level.currentData() or "public")

    def _case_edited(self, *_args: object) -> None:
        """The case fields went into the Diagnosis (finished anew); the core's checks of them are shown."""
        case = self.session.input.case
        case["vault"] = self.vault_edit.text().strip()
        case["policy"] = str(self.policy_combo.currentData() or "")
        case["job_start"] = self.job_start_edit.text().strip()
        self.session.apply_input()
        self.session.keep()
        self._show_case_problems()
        self._refresh_preview()

    def _show_case_problems(self) -> None:
        sv = None
        if self.session.diagnosis is not None:
            answer = self.session.answer()
            sv = answer.support if answer is not None else None
        text = "\n".join(sv.case_problems) if sv is not None else ""
        self.case_problems.setText(text)
        self.case_problems.setVisible(bool(text))

    def shared_diagnosis(self) -> Diagnosis | None:
        """What leaves this page (report, JSON, summary): the Diagnosis, masked when masking is on."""
        diag = self.session.diagnosis
        if diag is None or not self.masking():
            return diag
        from wizard.report import redact_diagnosis

        return redact_diagnosis(diag, self.masking_level())

    def _note(self, lab: QLabel, note: Note | None) -> None:
        """Show `note` (a text in the current language, again after a language switch) in `lab`."""
        if note is None:
            self._notes.pop(lab, None)
            lab.setText("")
            lab.hide()
            return
        self._notes[lab] = note
        lab.setText(note(self.t))
        lab.show()

    def _update_report_buttons(self) -> None:
        saved = self.report_path is not None
        self.open_report_button.setEnabled(saved)
        self.folder_button.setEnabled(saved)

    def _show_mask(self) -> None:
        """Work out what masking would replace (on a toggle and on entering the page, not on paint)."""
        masked = self.masking()
        self.mask_level.setEnabled(masked)
        rows: list[tuple[str, str, str]] = []
        diag = self.session.diagnosis
        if masked and diag is not None:
            from wizard.report import redaction_preview

            try:
                rows = redaction_preview(diag, level=self.masking_level())
            except Exception:  # a bug in the masking must not break the page; saving says so plainly
                log.exception("could not list the identifiers to mask")
        self.mask_table.set_rows(rows, self.t)
        self.mask_note.setVisible(masked)
        self.mask_table.setVisible(masked and bool(rows))
        self.mask_empty.setVisible(masked and not rows)

    def _mask_toggled(self, _checked: bool) -> None:
        self._show_mask()
        self._refresh_preview()

    def _refresh_preview(self) -> None:
        try:
            diag = self.shared_diagnosis()
        except Exception:
            log.exception("could not mask the summary")
            diag = None
        if diag is None:
            self.preview.setPlainText("")
            return
        from wizard.present import build_answer
        from wizard.present.summary import plain_summary

        self.preview.setPlainText(plain_summary(build_answer(diag, self.session.lang)))

    def _failed(self, title: str, exc: BaseException) -> None:
        """A bug while making a file: log it, tell the user in one plain sentence, never a traceback."""
        log.error("could not make the file", exc_info=exc)
        t = self.t
        self.seams.error(self, title, t(
            "The file could not be made ({error}). This is a bug in VM Backup Wizard, not a finding about your "
            "VM. The details are in the log file {path}.",
            error=f"{type(exc).__name__}: {str(exc)[:200]}", path=str(log_file())))

    # -- the report -----------------------------------------------------------------------
    def save_report(self) -> None:
        """Ask where, render in the report language, write atomically; an unwritable place is explained
        and another one offered. The default name comes from the masked diagnosis when masking is on."""
        from wizard.fileio import OutputError, write_output
        from wizard.report import default_report_path, render_report

        if self.session.diagnosis is None:
            return
        t = self.t
        lang = self.report_language()
        masked = self.masking()
        try:
            diag = self.shared_diagnosis()
            assert diag is not None
            default = default_report_path(diag)
        except Exception as exc:
            self._failed(t("Could not make the report"), exc)
            return
        if self._report_folder is not None:
            default = self._report_folder / default.name
        suggestion = str(default)
        html: str | None = None
        while True:
            chosen = self.seams.save_file(self, t("Save the report"), suggestion, t("HTML (*.html)"))
            if not chosen:
                return
            path = Path(chosen)
            if path.suffix.lower() not in HTML_SUFFIXES:
                path = path.with_name(path.name + ".html")
            try:
                if html is None:
                    html = render_report(diag, lang)
                written = Path(write_output(path, html))
            except OutputError as exc:
                log.warning("could not save the report to %s: %s (%s)", exc.path, exc.reason, exc.error)
                again = self.seams.ask(self, t("Could not save the report"), exc.translated(t),
                                       t("Choose another place"), t("Cancel"))
                if not again:
                    self._note(self.report_status, lambda t: t("The report was not saved."))
                    return
                suggestion = str(exc.path)
                continue
            except Exception as exc:
                self._failed(t("Could not make the report"), exc)
                self._note(self.report_status, lambda t: t("The report was not saved."))
                return
            break
        self.report_path = written
        self._report_folder = written.parent
        self.session.shared = True
        log.info("saved the report (%s, masked: %s) to %s", lang, masked, written)
        where = str(written)
        if masked:
            self._note(self.report_status,
                       lambda t: t("The report was saved to {path}, with identifiers masked.", path=where))
        else:
            self._note(self.report_status, lambda t: t("The report was saved to {path}.", path=where))
        self._update_report_buttons()

    def open_report(self) -> None:
        """Open the saved report in the default browser."""
        path = self.report_path
        if path is None:
            return
        t = self.t
        if not path.is_file():
            self.seams.error(self, t("Could not open the report"),
                             t("The report is no longer at {path}. Save it again.", path=str(path)))
            return
        if not self.seams.open_url(file_url(path)):
            self._not_opened(path, lambda t: t("The web browser could not be started. Open the report yourself; "
                                               "its path is below, ready to copy."))

    def open_report_folder(self) -> None:
        """Show the folder the report was saved in."""
        path = self.report_path
        if path is None:
            return
        if not self.seams.open_url(file_url(path.parent)):
            self._not_opened(path.parent, lambda t: t("The file manager could not be started. Open the folder "
                                                      "yourself; its path is below, ready to copy."))

    def _not_opened(self, path: Path, why: Note) -> None:
        """Say that nothing could be opened, and show the path selectable with a button to copy it."""
        where = str(path)
        log.warning("could not open %s", where)
        self._note(self.report_status, lambda t: why(t) + "\n" + where)
        self.copy_path_button.setProperty("path", where)
        self.copy_path_button.setText(self.t("Copy the pat&h"))
        self.copy_path_button.show()

    def copy_path(self) -> None:
        self.seams.copy_text(str(self.copy_path_button.property("path") or ""))
        self.copy_path_button.setText(self.t("Copied"))

    # -- the JSON file and the summary -----------------------------------------------------
    def copy_summary(self) -> None:
        if self.session.diagnosis is None:
            return
        try:
            diag = self.shared_diagnosis()
        except Exception as exc:
            self._failed(self.t("Could not copy the summary"), exc)
            return
        assert diag is not None
        from wizard.present import build_answer
        from wizard.present.summary import plain_summary

        self.seams.copy_text(plain_summary(build_answer(diag, self.session.lang)))
        self._note(self.copy_status, lambda t: t("Copied. Paste it into the chat or the support ticket."))

    def save_json(self) -> None:
        """Ask where, write atomically; when that place cannot be written, say why and offer another."""
        from wizard.fileio import OutputError, write_output
        from wizard.jsonio import dumps

        if self.session.diagnosis is None:
            return
        t = self.t
        masked = self.masking()
        try:
            diag = self.shared_diagnosis()
            assert diag is not None
            text = dumps(diag, self.session.lang)
        except Exception as exc:
            self._failed(t("Could not save the file"), exc)
            return
        folder = self._folder or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggestion = str(Path(folder or Path.home()) / default_file_name(diag.host.hostname, diag.started_at))
        while True:
            chosen = self.seams.save_file(self, t("Save the results as JSON"), suggestion,
                                          t("JSON files (*.json);;All files (*)"))
            if not chosen:
                return
            path = Path(chosen)
            if not path.suffix:
                path = path.with_suffix(".json")
            try:
                write_output(path, text)
            except OutputError as exc:
                log.warning("could not save %s: %s (%s)", path, exc.reason, exc.error)
                again = self.seams.ask(self, t("Could not save the file"), t.sentences([
                                           exc.translated(t),
                                           t("Nothing was lost: choose another place, for example your Documents "
                                             "folder.")]),
                                       t("Choose another place"), t("Cancel"))
                if not again:
                    self._note(self.save_status, lambda t: t("Not saved."))
                    return
                suggestion = str(path)
                continue
            break
        self.saved_path = path
        self._folder = str(path.parent)
        self.session.shared = True
        log.info("saved the diagnosis (masked: %s) to %s", masked, path)
        where = str(path)
        if masked:
            self._note(self.save_status, lambda t: t("Saved to {path}, with identifiers masked.", path=where))
        else:
            self._note(self.save_status, lambda t: t("Saved to {path}.", path=where))

    # -- text -------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        t = self.t
        self.setTitle(t("Save or share the results"))
        self.setSubTitle(t("Keep the results for later, or send them to whoever helps you."))

        self.report_box.setTitle(t("Report for a support case"))
        self.report_text.setText(t("One web page to attach to a support case: the case details, the verdict, every "
                                   "finding with its evidence and fix steps, and all the results. It opens in any "
                                   "web browser, with no network connection needed."))
        self.report_lang_label.setText(t("Report lan&guage:"))
        self.report_lang.setAccessibleName(t("Report language"))
        self.report_lang.setToolTip(t("The report can be in another language than the wizard."))
        if not self._report_lang_chosen:
            index = self.report_lang.findData(self.session.lang)
            if index >= 0:
                self.report_lang.setCurrentIndex(index)
        self.mask_check.setText(t("&Mask identifiers (host names, IP addresses, IDs, user names)"))
        level = self.masking_level()
        self.mask_level.clear()
        self.mask_level.addItem(t("For Microsoft support (keep Azure IDs)"), "support")
        self.mask_level.addItem(t("For sharing publicly (mask everything)"), "public")
        self.mask_level.setCurrentIndex(max(0, self.mask_level.findData(level)))
        self.mask_level.setAccessibleName(t("Masking level"))
        self.vault_label.setText(t("Recovery Services &vault:"))
        self.policy_label.setText(t("Backup polic&y type:"))
        self.job_start_label.setText(t("Failed job's start &time:"))
        self.job_start_edit.setPlaceholderText(t("With its time zone, e.g. 2026-12-04 09:00 +09:00"))
        policy = str(self.policy_combo.currentData() or "")
        self.policy_combo.clear()
        for code, name in (("", t("Not known")), ("standard", t("Standard")), ("enhanced", t("Enhanced"))):
            self.policy_combo.addItem(name, code)
        self.policy_combo.setCurrentIndex(max(0, self.policy_combo.findData(policy)))
        self._show_case_problems()
        self.mask_note.setText(t("The report, the JSON file and the summary are all masked the same way. This "
                                 "table is shown only here: nothing in the files maps back to the originals."))
        self.mask_empty.setText(t("No identifiers were found to mask."))
        self.mask_table.retranslate(t)
        self.save_report_button.setText(t("&Save report…"))
        self.save_report_button.setToolTip(t("Ctrl+S saves the report from the Results page too."))
        self.save_report_button.setAccessibleDescription(self.report_text.text())
        self.mask_check.setAccessibleDescription(self.mask_note.text())
        self.mask_level.setAccessibleDescription(self.mask_note.text())
        self.vault_edit.setAccessibleDescription(t("The name of the vault that backs up this VM, as the portal shows "
                                                   "it."))
        self.policy_combo.setAccessibleDescription(t("The type of the backup policy, as the portal shows it."))
        self.job_start_edit.setAccessibleDescription(self.job_start_edit.placeholderText())
        self.open_report_button.setText(t("&Open it"))
        self.open_report_button.setToolTip(t("Open the saved report in the web browser."))
        self.folder_button.setText(t("Open the fol&der"))
        self.folder_button.setToolTip(t("Open the folder the report was saved in."))
        self.copy_path_button.setText(t("Copy the pat&h"))
        self.copy_path_button.setToolTip(t("Copy the report's path to the clipboard."))
        self.copy_path_button.setAccessibleDescription(self.copy_path_button.toolTip())
        retranslate_pdf(self)

        self.file_box.setTitle(t("Save the results as JSON"))
        self.file_text.setText(t("The same results in a form a support engineer or a tool can load again. With "
                                 "masking on, the JSON file is masked exactly like the report."))
        self.save_button.setText(t("Save as &JSON…"))
        self.save_button.setAccessibleDescription(self.file_text.text())
        self.share_box.setTitle(t("Share a short summary"))
        self.share_text.setText(t("A short text with the verdict and what needs attention, to paste into a chat or "
                                  "a ticket. This is what gets copied:"))
        self.copy_button.setText(t("&Copy the summary"))
        self.preview.setAccessibleName(t("Summary text"))
        self.preview.setAccessibleDescription(self.share_text.text())
        self.copy_button.setAccessibleDescription(self.share_text.text())
        for lab, note in self._notes.items():
            lab.setText(note(t))
        self._refresh_preview()
