"""Page 1: choose the language, learn what the wizard does and that it changes nothing, and see
whether it runs elevated (with the way to restart it elevated)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from wizard import elevation
from wizard.gui.icons import status_icon
from wizard.gui.pages.base import BasePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session
from wizard.gui.widgets.command import CopyButton
from wizard.gui.widgets.text import CommandText, label
from wizard.model import Status


class WelcomePage(BasePage):
    """Language, purpose, the read-only promise, elevation, and the last diagnosis kept."""

    openLastRequested = Signal()

    def __init__(self, session: Session, seams: Seams, parent: QWidget | None = None) -> None:
        super().__init__(session, seams, scroll=True, parent=parent)
        self.last_kept: Path | None = None
        self.lang_box = QGroupBox(self)
        row = QHBoxLayout(self.lang_box)
        # Language names are written in their own language, so they are never translated.
        self.ja_radio = QRadioButton("日本語 (&J)", self.lang_box)
        self.en_radio = QRadioButton("&English", self.lang_box)
        self.lang_group = QButtonGroup(self)
        for radio in (self.ja_radio, self.en_radio):
            self.lang_group.addButton(radio)
            row.addWidget(radio)
        row.addStretch(1)
        self._sync_language()
        self.ja_radio.toggled.connect(self._on_language_toggled)
        self.en_radio.toggled.connect(self._on_language_toggled)
        self.body.addWidget(self.lang_box)

        self.does_heading = label(bold=True)
        self.does = [label(selectable=True) for _ in range(3)]
        self.body.addWidget(self.does_heading)
        for lab in self.does:
            self.body.addWidget(lab)

        self.promise_heading = label(bold=True)
        self.promise = label(selectable=True)
        self.body.addSpacing(6)
        self.body.addWidget(self.promise_heading)
        self.body.addWidget(self.promise)

        self.elevation_heading = label(bold=True)
        self.body.addSpacing(6)
        self.body.addWidget(self.elevation_heading)
        state_row = QHBoxLayout()
        self.elevation_icon = QLabel(self)
        self.elevation_text = label(selectable=True)
        state_row.addWidget(self.elevation_icon, 0)
        state_row.addWidget(self.elevation_text, 1)
        self.body.addLayout(state_row)
        self.elevation_actions = QWidget(self)
        actions = QVBoxLayout(self.elevation_actions)
        actions.setContentsMargins(28, 0, 0, 0)
        self.restart_button: QPushButton | None = None
        self.sudo_box: CommandText | None = None
        self.sudo_copy: CopyButton | None = None
        self._actions_layout = actions
        self.body.addWidget(self.elevation_actions)

        self.last_heading = label(bold=True)
        self.last_text = label(selectable=True)
        self.open_last_button = QPushButton(self)
        self.open_last_button.clicked.connect(self.openLastRequested)
        last_row = QHBoxLayout()
        last_row.addWidget(self.open_last_button)
        last_row.addStretch(1)
        # right under the language: a returning user finds the last diagnosis without scrolling
        at = self.body.indexOf(self.lang_box) + 1
        self.body.insertWidget(at, self.last_heading)
        self.body.insertWidget(at + 1, self.last_text)
        self.body.insertLayout(at + 2, last_row)
        self.body.addStretch(1)

        self._system = session.platform()
        elevation = session.ask_probe("elevation")
        self._is_admin: bool | None = None if elevation.get("unavailable") else bool(elevation.get("is_admin"))
        self._user = str(elevation.get("user") or "")
        session.languageChanged.connect(lambda _lang: self._sync_language())

    # -- the last diagnosis -------------------------------------------------------------
    def find_last(self) -> None:
        """Look for the newest kept diagnosis and offer to open it (hidden when there is none)."""
        from wizard import autosave

        self.last_kept = autosave.last()
        self._show_last()

    def _show_last(self) -> None:
        t = self.t
        found = self.last_kept is not None
        for w in (self.last_heading, self.last_text, self.open_last_button):
            w.setVisible(found)
        self.last_heading.setText(t("The last diagnosis"))
        self.open_last_button.setText(t("&Open the last diagnosis"))
        self.open_last_button.setAccessibleName(t("Open the last diagnosis"))
        if self.last_kept is not None:
            text = t("Every finished diagnosis is kept in {folder}. The last one can be shown again without "
                     "running the checks.", folder=str(self.last_kept.parent))
            self.last_text.setText(text)
            self.open_last_button.setAccessibleDescription(text)
            self.open_last_button.setToolTip(str(self.last_kept))

    def initializePage(self) -> None:
        self.find_last()

    def focus_widget(self) -> QWidget | None:
        return self.ja_radio if self.session.lang == "ja" else self.en_radio

    # -- language -------------------------------------------------------------------
    def _on_language_toggled(self, on: bool) -> None:
        if on:
            self.session.set_language("ja" if self.ja_radio.isChecked() else "en")

    def _sync_language(self) -> None:
        radio = self.ja_radio if self.session.lang == "ja" else self.en_radio
        if not radio.isChecked():
            radio.blockSignals(True)
            radio.setChecked(True)
            radio.blockSignals(False)

    # -- elevation ------------------------------------------------------------------
    def _elevation_state(self) -> tuple[Status, str]:
        t = self.t
        windows = self._system == "windows"
        if self._is_admin is None:
            return Status.NOT_CHECKED, t("Could not tell whether the wizard runs as Administrator or root, so some "
                                         "checks may not give a conclusive answer.")
        if self._is_admin:
            return Status.OK, (t("Running as Administrator: every check can give a conclusive answer.") if windows
                               else t("Running as root: every check can give a conclusive answer."))
        if windows:
            return Status.WARNING, t("Not running as Administrator (user {user}): the Wire Server, firewall and VSS "
                                     "checks cannot give a conclusive answer. For a complete result, restart the "
                                     "wizard as Administrator.", user=self._user or "?")
        return Status.WARNING, t("Not running as root (user {user}): the Wire Server and firewall checks cannot give "
                                 "a conclusive answer. For a complete result, close the wizard and start it again "
                                 "with sudo:", user=self._user or "?")

    def _show_elevation(self) -> None:
        t = self.t
        status, text = self._elevation_state()
        if self.session.is_demo:
            text = t("{state} (This is the state of the machine the scenario was recorded on.)", state=text)
        self.elevation_icon.setPixmap(status_icon(status).pixmap(20, 20))
        self.elevation_text.setText(text)
        self.elevation_text.setAccessibleName(text)
        while self._actions_layout.count():
            item = self._actions_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.restart_button = self.sudo_box = self.sudo_copy = None
        needs = self._is_admin is False and not self.session.is_demo
        if needs and self._system == "windows" and elevation.on_windows():
            from PySide6.QtWidgets import QStyle  # its many enums load only where the shield is shown

            self.restart_button = QPushButton(t("&Restart as administrator"), self.elevation_actions)
            self.restart_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_VistaShield))
            self.restart_button.clicked.connect(self._restart_elevated)
            self._actions_layout.addWidget(self.restart_button)
        elif needs and self._system == "linux":
            row = QWidget(self.elevation_actions)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            command = elevation.sudo_command()
            self.sudo_box = CommandText(command, row)
            self.sudo_box.setAccessibleName(t("Command to start the wizard as root"))
            self.sudo_copy = CopyButton(t, command, self.seams.copy_text, row)
            line.addWidget(self.sudo_box, 1)
            line.addWidget(self.sudo_copy)
            self._actions_layout.addWidget(row)
        self.elevation_actions.setVisible(self._actions_layout.count() > 0)

    def _restart_elevated(self) -> None:
        exe, args = elevation.relaunch()
        if self.seams.elevate(exe, args, elevation.working_folder()):
            self.window().close()
            return
        self.seams.information(self, self.t("VM Backup Wizard"),
                               self.t("Windows did not start the wizard as Administrator (the request was declined "
                                      "or failed). You can go on without it; some checks will then not give a "
                                      "conclusive answer."))

    # -- text -----------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        t = self.t
        self.setTitle(t("Find out why Azure VM Backup fails on this VM"))
        self.setSubTitle(t("It takes about a minute. Choose your language, then click Next."))
        self.lang_box.setTitle(t("Language"))
        self.ja_radio.setAccessibleName("日本語")
        self.en_radio.setAccessibleName("English")
        for radio in (self.ja_radio, self.en_radio):
            radio.setAccessibleDescription(t("The language of the wizard and of the report."))
        self.does_heading.setText(t("What this wizard does"))
        self.does[0].setText(t("1. You tell it what the Azure portal showed, if you know."))
        self.does[1].setText(t("2. It checks, in a few seconds, everything inside this VM that a backup needs."))
        self.does[2].setText(t("3. It explains each finding with the exact fix, and you can save the results."))
        self.promise_heading.setText(t("It only looks"))
        self.promise.setText(t("The wizard changes nothing on this VM: no service, setting or firewall rule. It sends "
                               "nothing anywhere except read-only requests to the VM's own Azure platform endpoints "
                               "(168.63.129.16 and 169.254.169.254)."))
        self.elevation_heading.setText(t("Permissions"))
        self._show_elevation()
        self._show_last()
