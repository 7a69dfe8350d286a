"""Before and after in the wizard: the comparison the core worked out (`wizard.present.compare`), shown as
it is — the headline, warnings, then the causes fixed, remaining, new, not checked again and other
changes. Nothing is compared or judged here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.widgets.text import ScrollBody, label
from wizard.i18n import Translator

if TYPE_CHECKING:  # the comparison loads the answer layer: only when a comparison is shown
    from wizard.present.compare import Comparison


class CompareDialog(QDialog):
    """One comparison; `chooseAnother` asks the window for another "before" file."""

    chooseAnother = Signal()

    def __init__(self, comparison: Comparison, before_path: str, t: Translator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison = comparison
        self.setObjectName("compareDialog")
        self.setWindowTitle(t("Compare with an earlier diagnosis"))
        outer = QVBoxLayout(self)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = ScrollBody(area)
        body = QVBoxLayout(inner)
        self.headline = label(comparison.headline, bold=True, scale=1.2, selectable=True)
        body.addWidget(self.headline)
        self.lines = [label(text, muted=True, selectable=True)
                      for text in (comparison.before_line, comparison.after_line,
                                   t("Earlier diagnosis: {path}", path=before_path))]
        for lab in self.lines:
            body.addWidget(lab)
        self.warnings = [label(w, selectable=True) for w in comparison.warnings]
        for lab in self.warnings:
            body.addWidget(lab)
        self.sections: dict[str, list[str]] = {}
        from wizard.present.compare import KINDS, kind_heading

        for kind in KINDS:
            rows = comparison.of(kind)
            if not rows:
                continue
            body.addSpacing(6)
            body.addWidget(label(kind_heading(kind, t), bold=True))
            self.sections[kind] = []
            for r in rows:
                text = t("{title}: {before} → {after}", title=r.title, before=r.before_label, after=r.after_label)
                self.sections[kind].append(text)
                row = label(text, selectable=True)
                row.setAccessibleDescription(r.after_summary or r.before_summary)
                body.addWidget(row)
                summary = r.after_summary or r.before_summary
                if summary:
                    body.addWidget(label(summary, muted=True, selectable=True))
        if not self.sections:
            body.addWidget(label(t("No check changed its status."), muted=True))
        body.addStretch(1)
        area.setWidget(inner)
        outer.addWidget(area, 1)

        buttons = QDialogButtonBox(self)
        self.another_button = QPushButton(t("C&hoose another diagnosis…"), self)
        self.another_button.setToolTip(t("Compare with a saved JSON file or report instead."))
        self.another_button.clicked.connect(self.chooseAnother)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(t("&Close"))
        self.close_button.setToolTip(t("Back to the results."))
        buttons.addButton(self.another_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        width, height = 720, 520
        if parent is not None:
            width, height = min(width, parent.width()), min(height, parent.height())
        self.resize(width, height)
