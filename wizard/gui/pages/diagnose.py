"""Page 3: run every applicable check in the background, showing each one's live status and
one-line summary as it finishes, the elapsed time, and a Cancel button. The page owns the run's
thread (`RunController`) and always stops and waits for it; Next enables itself when the run ends."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from wizard.gui.icons import RUNNING, status_icon
from wizard.gui.pages.base import BasePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session, log_file
from wizard.gui.widgets.text import label
from wizard.gui.worker import RunController, RunJob
from wizard.model import CheckResult, Diagnosis, Msg
from wizard.present.labels import status_label

if TYPE_CHECKING:  # the checks and the runner load with the first run, not with the first page
    from wizard.checks.base import Check
    from wizard.runner import Progress

log = logging.getLogger("wizard.gui")
TICK_MS = 100
COL_STATUS, COL_CHECK, COL_RESULT = range(3)


class DiagnosePage(BasePage):
    """Runs the checks; complete once a run has ended (finished or cancelled)."""

    def __init__(self, session: Session, seams: Seams, checks: tuple[Check, ...] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, seams, parent=parent)
        self._checks = checks
        self.controller = RunController(self)
        self.controller.progressed.connect(self._on_progress)
        self.controller.finished.connect(self._on_finished)
        self.controller.failed.connect(self._on_failed)
        self._rows: dict[str, int] = {}
        self._cells: dict[str, tuple[QTableWidgetItem, QTableWidgetItem, QTableWidgetItem]] = {}
        self._results: dict[str, CheckResult] = {}
        self._total = 0
        self._failed: str | None = None
        self._clock = QElapsedTimer()
        self._elapsed_s = 0.0
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._show_status)

        top = QHBoxLayout()
        self.status_text = label(bold=True)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        self.again_button = QPushButton(self)
        self.again_button.clicked.connect(self.start)
        self.again_button.hide()
        top.addWidget(self.status_text, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.again_button)
        self.body.addLayout(top)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.body.addWidget(self.progress)
        self.table = QTableWidget(0, 3, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move within it
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_CHECK, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_RESULT, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.body.addWidget(self.table, 1)
        self.hint = label(muted=True)
        self.body.addWidget(self.hint)

    # -- state ------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.controller.is_running()

    def isComplete(self) -> bool:
        return not self.is_running() and self.session.diagnosis is not None

    def results(self) -> dict[str, CheckResult]:
        """The results shown so far, by check id."""
        return dict(self._results)

    def focus_widget(self) -> QWidget | None:
        return self.table

    # -- running ----------------------------------------------------------------------
    def initializePage(self) -> None:
        diag = self.session.diagnosis
        if diag is None or diag.cancelled:
            self.start()
        else:
            self.session.apply_input()

    def cleanupPage(self) -> None:
        """Back was pressed: stop a run that is still going (its partial results are dropped)."""
        if self.is_running():
            self.stop()
            self.session.set_diagnosis(None)
            self._show_status()
            self.completeChanged.emit()

    def start(self) -> None:
        from wizard.checks.registry import ALL_CHECKS

        self.stop()
        self.session.set_diagnosis(None)
        self._rows.clear()
        self._cells.clear()
        self._results.clear()
        self._total = 0
        self._failed = None
        self.table.setRowCount(0)
        self.progress.setRange(0, 0)
        self._clock.start()
        self._elapsed_s = 0.0
        self._ticker.start()
        log.info("run started")
        self.controller.start(RunJob(self._checks or ALL_CHECKS, self.session.probe, self.session.settings,
                                     self.session.only))
        self._show_status()
        self.completeChanged.emit()

    def cancel(self) -> None:
        """Ask the run to stop; the page completes when the runner hands back what it has."""
        if self.is_running():
            log.info("run cancelled by the user")
            self.controller.cancel()
            self.cancel_button.setEnabled(False)
            self.status_text.setText(self.t("Cancelling…"))

    def stop(self) -> None:
        """Cancel and wait for the run's thread (used on Back, Run again and closing the window)."""
        self.controller.stop()
        self._ticker.stop()

    # -- progress -----------------------------------------------------------------------
    def _row_for(self, check_id: str) -> int:
        if check_id not in self._rows:
            from wizard.checks.registry import by_id

            check = by_id().get(check_id)
            row = self.table.rowCount()
            self.table.insertRow(row)
            self._rows[check_id] = row
            title = QTableWidgetItem(self.t.msg(Msg(check.title)) if check else check_id)
            title.setData(Qt.ItemDataRole.UserRole, check_id)
            status, summary = QTableWidgetItem(), QTableWidgetItem()
            self.table.setItem(row, COL_STATUS, status)
            self.table.setItem(row, COL_CHECK, title)
            self.table.setItem(row, COL_RESULT, summary)
            self._cells[check_id] = (status, title, summary)
            self._paint_row(check_id)
        return self._rows[check_id]

    def _paint_row(self, check_id: str) -> None:
        t = self.t
        result = self._results.get(check_id)
        status_item, title_item, result_item = self._cells[check_id]
        if result is None:
            status_item.setIcon(status_icon(RUNNING))
            status_item.setText(t("Running"))
            result_item.setText("")
        else:
            status_item.setIcon(status_icon(result.status))
            status_item.setText(status_label(result.status, t))
            result_item.setText(t.msg(result.summary))
            result_item.setToolTip(t.msg(result.summary))
            title_item.setText(t.msg(result.title))

    def _on_progress(self, p: Progress) -> None:
        self._total = p.total
        self._row_for(p.check_id)
        if p.kind == "finished" and p.result is not None:
            self._results[p.check_id] = p.result
            self._paint_row(p.check_id)
            self.table.resizeRowToContents(self._rows[p.check_id])
        self.progress.setRange(0, max(1, self._total))
        self.progress.setValue(len(self._results))
        self._show_status()

    def _on_finished(self, diag: Diagnosis) -> None:
        self._ticker.stop()
        self._elapsed_s = self._clock.elapsed() / 1000
        for r in diag.results:
            self._results[r.id] = r
            self._row_for(r.id)
            self._paint_row(r.id)
        self.table.resizeRowsToContents()
        self.table.setCurrentCell(-1, -1)
        self.progress.setRange(0, max(1, len(diag.results)))
        self.progress.setValue(len(diag.results))
        log.info("run finished: %s in %.2f s (cancelled: %s)", diag.counts(), diag.duration_s, diag.cancelled)
        self.session.set_diagnosis(diag)
        self._show_status()
        self.completeChanged.emit()

    def _on_failed(self, message: str) -> None:
        self._ticker.stop()
        self._elapsed_s = self._clock.elapsed() / 1000
        self._failed = message
        self._show_status()
        self.completeChanged.emit()
        self.seams.error(self, self.t("VM Backup Wizard"),
                         self.t("The checks could not run ({error}). This is a bug in VM Backup Wizard, not a "
                                "finding about your VM. The details are in the log file {path}.",
                                error=message.splitlines()[0][:200], path=str(log_file())))

    def _show_status(self) -> None:
        t = self.t
        running = self.is_running()
        if running:
            self._elapsed_s = self._clock.elapsed() / 1000
        diag = self.session.diagnosis
        seconds = f"{self._elapsed_s:.1f}"
        if running and self.controller.cancelling():
            text = t("Cancelling…")
        elif running:
            text = t("Checking… {done} of {total} checks done, {seconds} s", done=len(self._results),
                     total=self._total or "?", seconds=seconds)
        elif self._failed:
            text = t("The checks could not run.")
        elif diag is not None and diag.cancelled:
            text = t("Cancelled after {seconds} s. The checks that did not finish are marked \"Not checked\".",
                     seconds=seconds)
        elif diag is not None:
            text = t("Done: {total} checks in {seconds} s. Click Next to see what they mean.",
                     total=len(diag.results), seconds=f"{diag.duration_s:.1f}")
        else:
            text = t("Not started.")
        self.status_text.setText(text)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running and not self.controller.cancelling())
        self.again_button.setVisible(not running and (self._failed is not None or diag is None
                                                      or diag.cancelled))

    # -- text -------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        t = self.t
        self.setTitle(t("Checking this VM"))
        self.setSubTitle(t("Every check only reads. Nothing on the VM is changed."))
        self.cancel_button.setText(t("Cancel the chec&ks"))
        self.again_button.setText(t("&Run the checks again"))
        self.table.setHorizontalHeaderLabels([t("Status"), t("Check"), t("Result")])
        self.table.setAccessibleName(t("Checks and their results"))
        self.table.setAccessibleDescription(t("One row per check: its status, its name and what it found."))
        self.cancel_button.setAccessibleDescription(t("Stop the checks. What was found so far is kept."))
        self.again_button.setAccessibleDescription(t("Run every check again on this VM, for example after a fix."))
        self.progress.setAccessibleName(t("Progress of the checks"))
        self.hint.setText(t("Each result is explained on the next page."))
        for check_id in self._rows:
            self._paint_row(check_id)
        self.table.resizeColumnToContents(COL_STATUS)
        self.table.setColumnWidth(COL_CHECK, max(250, self.fontMetrics().horizontalAdvance("M") * 20))
        self.table.resizeRowsToContents()
        self._show_status()
