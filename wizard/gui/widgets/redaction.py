"""The preview of what masking replaces: one row per identifier (kind, original, pseudonym), as
tall as its rows up to a limit. The rows are set when masking is switched on, not on every paint;
a language switch only relabels the kinds and the headers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from wizard.i18n import Translator

COL_KIND, COL_ORIGINAL, COL_PSEUDONYM = range(3)
MAX_VISIBLE_ROWS = 8


class MaskPreview(QTableWidget):
    """A read-only table of `redaction_preview` rows; never saved anywhere, for the user's eyes only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.rows: list[tuple[str, str, str]] = []
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ORIGINAL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_PSEUDONYM, QHeaderView.ResizeMode.ResizeToContents)
        for col in range(3):
            self.setHorizontalHeaderItem(col, QTableWidgetItem())

    def set_rows(self, rows: list[tuple[str, str, str]], t: Translator) -> None:
        """Show `rows` (kind, original, pseudonym) with the kinds named in `t`'s language."""
        self.rows = list(rows)
        self.setRowCount(len(self.rows))
        for i, (_kind, original, pseudonym) in enumerate(self.rows):
            for col, text in ((COL_ORIGINAL, original), (COL_PSEUDONYM, pseudonym)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(i, col, item)
            self.setItem(i, COL_KIND, QTableWidgetItem())
        self.retranslate(t)

    def retranslate(self, t: Translator) -> None:
        for col, text in ((COL_KIND, t("Kind")), (COL_ORIGINAL, t("Original")), (COL_PSEUDONYM, t("Replaced by"))):
            item = self.horizontalHeaderItem(col)
            if item is not None:
                item.setText(text)
        if self.rows:
            from wizard.report import kind_label  # not at start-up: the report package brings Jinja2

            for i, (kind, _original, _pseudonym) in enumerate(self.rows):
                item = self.item(i, COL_KIND)
                if item is not None:
                    item.setText(kind_label(kind, t))
        self.setAccessibleName(t("Identifiers that will be masked"))
        self._fit()

    def _fit(self) -> None:
        """As tall as the rows, up to MAX_VISIBLE_ROWS (then it scrolls)."""
        shown = max(1, min(len(self.rows), MAX_VISIBLE_ROWS))
        row_height = self.verticalHeader().defaultSectionSize()
        height = self.horizontalHeader().sizeHint().height() + shown * row_height + 2 * self.frameWidth()
        self.setFixedHeight(height)

    def texts(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row (for tests and accessibility checks)."""
        out: list[tuple[str, str, str]] = []
        for i in range(self.rowCount()):
            cells = [self.item(i, col) for col in range(3)]
            kind, original, pseudonym = (c.text() if c is not None else "" for c in cells)
            out.append((kind, original, pseudonym))
        return out
