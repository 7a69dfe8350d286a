"""The outside world as one swappable object: message boxes, file dialogs, the clipboard, the
browser, the About box and elevation (design §8.9). Tests pass a recording fake instead.

QMessageBox and QFileDialog are read from `QtWidgets` where they are used: PySide6 creates a class's Python
type (with all its enums) when its name is first read, and the first page needs neither (about 7 ms)."""

from __future__ import annotations

import logging
import sys

from PySide6 import QtWidgets
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

log = logging.getLogger("wizard.gui")


class Seams:
    """The real implementations; every method is one interaction with the world outside the page."""

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        QtWidgets.QMessageBox.information(parent, title, text)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        message_box = QtWidgets.QMessageBox
        box = message_box(message_box.Icon.Critical, title, text, message_box.StandardButton.Ok, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    def ask(self, parent: QWidget | None, title: str, text: str, yes: str, no: str) -> bool:
        """A question with two named answers; True for `yes`."""
        message_box = QtWidgets.QMessageBox
        box = message_box(message_box.Icon.Warning, title, text, message_box.StandardButton.NoButton, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        yes_button = box.addButton(yes, message_box.ButtonRole.AcceptRole)
        box.addButton(no, message_box.ButtonRole.RejectRole)
        box.setDefaultButton(yes_button)
        box.exec()
        return box.clickedButton() is yes_button

    def about(self, parent: QWidget | None, title: str, text: str) -> None:
        QtWidgets.QMessageBox.about(parent, title, text)

    def save_file(self, parent: QWidget | None, caption: str, path: str, filters: str) -> str | None:
        """The path the user chose to save to, or None when they cancelled."""
        chosen, _ = QtWidgets.QFileDialog.getSaveFileName(parent, caption, path, filters)
        return chosen or None

    def open_file(self, parent: QWidget | None, caption: str, folder: str, filters: str) -> str | None:
        """The file the user chose to open, or None when they cancelled."""
        chosen, _ = QtWidgets.QFileDialog.getOpenFileName(parent, caption, folder, filters)
        return chosen or None

    def copy_text(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)

    def open_url(self, url: str) -> bool:
        return QDesktopServices.openUrl(QUrl(url))

    def elevate(self, executable: str, arguments: list[str], directory: str | None = None) -> bool:
        """Start `executable` again with `arguments`, elevated through UAC (Windows only), in `directory`
        (UAC would otherwise start it in System32)."""
        if sys.platform != "win32":
            return False
        import ctypes
        import subprocess

        params = subprocess.list2cmdline(arguments)
        try:
            shell32 = ctypes.windll.shell32  # type: ignore[attr-defined,unused-ignore]
            code = int(shell32.ShellExecuteW(None, "runas", executable, params, directory, 1))
        except (AttributeError, OSError):
            log.exception("ShellExecuteW runas failed")
            return False
        log.info("ShellExecuteW runas returned %s", code)
        return code > 32

