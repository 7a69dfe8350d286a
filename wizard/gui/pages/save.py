"""Page 5: keep the results — save the whole Diagnosis as JSON (atomic write; an unwritable place
is explained and another one offered) and copy a plain-text summary for a chat or a ticket."""

from __future__ import annotations

import datetime as _dt
import logging
import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from wizard.gui.pages.base import BasePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session
from wizard.gui.summary import plain_summary
from wizard.gui.widgets.text import label

log = logging.getLogger("wizard.gui")


def default_file_name(hostname: str, when: _dt.datetime) -> str:
    """`vmbackup-wizard-<host>-<yyyymmdd-hhmm>.json`, safe on every file system."""
    host = re.sub(r"[^A-Za-z0-9._-]+", "_", hostname).strip("._") or "vm"
    return f"vmbackup-wizard-{host[:40]}-{when.strftime('%Y%m%d-%H%M')}.json"


class SavePage(BasePage):
    """The last page: JSON file and clipboard summary."""

    def __init__(self, session: Session, seams: Seams, parent: QWidget | None = None) -> None:
        super().__init__(session, seams, scroll=True, parent=parent)
        self.saved_path: Path | None = None
        self._folder: str | None = None

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

        self.share_box = QGroupBox(self)
        sl = QVBoxLayout(self.share_box)
        self.share_text = label()
        row2 = QHBoxLayout()
        self.copy_button = QPushButton(self.share_box)
        self.copy_button.clicked.connect(self.copy_summary)
        row2.addWidget(self.copy_button)
        row2.addStretch(1)
        self.copy_status = label()
        self.preview = QPlainTextEdit(self.share_box)
        self.preview.setReadOnly(True)
        self.preview.setMinimumHeight(180)
        sl.addWidget(self.share_text)
        sl.addLayout(row2)
        sl.addWidget(self.copy_status)
        sl.addWidget(self.preview, 1)
        self.body.addWidget(self.share_box, 1)

    def initializePage(self) -> None:
        self._status(self.save_status, "")
        self._status(self.copy_status, "")
        self._refresh_preview()

    @staticmethod
    def _status(lab: QLabel, text: str) -> None:
        lab.setText(text)
        lab.setVisible(bool(text))

    def _refresh_preview(self) -> None:
        diag = self.session.diagnosis
        self.preview.setPlainText(plain_summary(diag, self.t) if diag else "")

    # -- actions --------------------------------------------------------------------------
    def copy_summary(self) -> None:
        diag = self.session.diagnosis
        if diag is None:
            return
        self.seams.copy_text(plain_summary(diag, self.t))
        self._status(self.copy_status, self.t("Copied. Paste it into the chat or the support ticket."))

    def save_json(self) -> None:
        """Ask where, write atomically; when that place cannot be written, say why and offer another."""
        from wizard.jsonio import dumps
        from wizard.probes.scenario import write_text_atomic

        diag = self.session.diagnosis
        if diag is None:
            return
        t = self.t
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
                write_text_atomic(path, dumps(diag, self.session.lang))
            except OSError as exc:
                log.warning("could not save %s: %s", path, exc)
                reason = exc.strerror or str(exc)
                again = self.seams.ask(
                    self, t("Could not save the file"),
                    t("The results could not be saved to {path} ({error}). The folder may be read-only, or "
                      "the disk may be full. Nothing was lost: choose another place, for example your Documents "
                      "folder.", path=str(path), error=reason),
                    t("Choose another place"), t("Cancel"))
                if not again:
                    self._status(self.save_status, t("Not saved."))
                    return
                suggestion = str(path)
                continue
            self.saved_path = path
            self._folder = str(path.parent)
            log.info("saved the diagnosis to %s", path)
            self._status(self.save_status, t("Saved to {path}.", path=str(path)))
            return

    # -- text -------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        t = self.t
        self.setTitle(t("Save or share the results"))
        self.setSubTitle(t("Keep the results for later, or send them to whoever helps you."))
        self.file_box.setTitle(t("Save to a file"))
        self.file_text.setText(t("The file holds every finding with its evidence, in a form a support engineer "
                                 "can load again. Attach it to a support case."))
        self.save_button.setText(t("Save as &JSON…"))
        self.share_box.setTitle(t("Share a short summary"))
        self.share_text.setText(t("A short text with the verdict and what needs attention, to paste into a chat or "
                                  "a ticket. This is what gets copied:"))
        self.copy_button.setText(t("&Copy the summary"))
        self.preview.setAccessibleName(t("Summary text"))
        if self.saved_path is not None and self.save_status.text():
            self._status(self.save_status, t("Saved to {path}.", path=str(self.saved_path)))
        if self.copy_status.text():
            self._status(self.copy_status, t("Copied. Paste it into the chat or the support ticket."))
        self._refresh_preview()
