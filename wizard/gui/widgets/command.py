"""One numbered fix step: its text, and the exact command with a Copy button beside it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from wizard.gui.widgets.text import CommandText, label
from wizard.i18n import Translator


class CopyButton(QPushButton):
    """A "Copy" button that says "Copied" for two seconds after a click."""

    def __init__(self, t: Translator, text: str, copy: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.t = t
        self._text = text
        self._copy = copy
        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(2000)
        self._reset.timeout.connect(self._show_idle)
        self.clicked.connect(self._on_click)
        self.setAccessibleName(t("Copy the command"))
        self.setAccessibleDescription(text)
        self.setToolTip(t("Copy the command to the clipboard"))
        self._show_idle()

    def _show_idle(self) -> None:
        self.setText(self.t("Copy"))

    def _on_click(self) -> None:
        self._copy(self._text)
        self.setText(self.t("Copied"))
        self._reset.start()


class StepRow(QWidget):
    """"1. Do this" and, when the step has one, the command with its Copy button."""

    def __init__(self, t: Translator, number: int, text: str, command: str | None,
                 copy: Callable[[str], None], parent: QWidget | None = None, shell_label: str = "") -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        num = label(f"{number}.", self)
        num.setWordWrap(False)
        num.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(num, 0, 0, Qt.AlignmentFlag.AlignTop)
        self.text_label = label(text, self, selectable=True)
        grid.addWidget(self.text_label, 0, 1, 1, 2)
        self.command_box: CommandText | None = None
        self.copy_button: CopyButton | None = None
        self.shell_label: QLabel | None = None
        if command:
            row = 1
            if shell_label:
                self.shell_label = label(shell_label + ":", self, muted=True)
                grid.addWidget(self.shell_label, row, 1, 1, 2)
                row += 1
            self.command_box = CommandText(command, self)
            self.command_box.setAccessibleName(t("Command for step {n}", n=number))
            if shell_label:
                self.command_box.setAccessibleDescription(shell_label)
            self.copy_button = CopyButton(t, command, copy, self)
            grid.addWidget(self.command_box, row, 1)
            grid.addWidget(self.copy_button, row, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
