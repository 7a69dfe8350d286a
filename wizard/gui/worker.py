"""Runs `wizard.runner.run` on a QThread and reports through signals only.

`RunWorker` is the QObject moved to the thread; it only emits. `RunController` owns the thread:
it starts one run at a time, cancels through the runner's cancel event, and `stop()` always
quits and waits for the thread (a QThread destroyed while running aborts the process). Every
signal carries the run's number, so a late signal of a cancelled run is ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:  # the runner and the checks load with the first run, not with the first page
    from wizard.checks.base import Check
    from wizard.probes.base import Probe
    from wizard.runner import Progress
    from wizard.settings import Settings

log = logging.getLogger("wizard.gui")


@dataclass(frozen=True)
class RunJob:
    """Everything one run needs (plain data)."""

    checks: Sequence[Check]
    probe: Probe
    settings: Settings
    only: Sequence[str] | None = None


class RunWorker(QObject):
    """Calls the runner on whatever thread it lives on; emits progress, the Diagnosis or a failure."""

    progressed = Signal(int, object)
    succeeded = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, number: int, job: RunJob, cancel: threading.Event) -> None:
        super().__init__()
        self.number = number
        self.job = job
        self.cancel = cancel

    @Slot()
    def run(self) -> None:
        from wizard import runner

        try:
            diag = runner.run(self.job.checks, self.job.probe, self.job.settings,
                              progress=lambda p: self.progressed.emit(self.number, p),
                              cancel=self.cancel, only=self.job.only)
        except Exception as exc:  # shown to the user as a plain sentence; details in the log
            log.exception("the run failed")
            self.failed.emit(self.number, f"{type(exc).__name__}: {exc}")
        else:
            self.succeeded.emit(self.number, diag)


class RunController(QObject):
    """Owns the run's QThread: start, cancel, and stop-and-wait."""

    progressed = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._number = 0
        self._thread: QThread | None = None
        self._worker: RunWorker | None = None
        self._cancel = threading.Event()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self, job: RunJob) -> None:
        self.stop()
        self._number += 1
        self._cancel = threading.Event()
        thread = QThread(self)
        thread.setObjectName(f"wizard-run-{self._number}")
        worker = RunWorker(self._number, job, self._cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progress)
        worker.succeeded.connect(self._on_success)
        worker.failed.connect(self._on_failure)
        self._thread, self._worker = thread, worker
        thread.start()

    def cancelling(self) -> bool:
        """True while a run is going that has been asked to stop."""
        return self.is_running() and self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the run to stop; it returns what finished and marks the rest not checked."""
        self._cancel.set()

    def stop(self) -> None:
        """Cancel, then quit and wait for the thread; afterwards no signal of that run is delivered."""
        thread = self._thread
        if thread is None:
            return
        self._cancel.set()
        self._number += 1
        thread.quit()
        thread.wait()
        self._release(thread)

    @Slot(int, object)
    def _on_progress(self, number: int, progress: Progress) -> None:
        if number == self._number:
            self.progressed.emit(progress)

    @Slot(int, object)
    def _on_success(self, number: int, diag: object) -> None:
        if number == self._number:
            self._finish()
            self.finished.emit(diag)

    @Slot(int, str)
    def _on_failure(self, number: int, message: str) -> None:
        if number == self._number:
            self._finish()
            self.failed.emit(message)

    def _finish(self) -> None:
        """The worker has emitted its last signal: wait for its thread to end (moments away)."""
        thread = self._thread
        if thread is not None:
            thread.quit()
            thread.wait()
            self._release(thread)

    def _release(self, thread: QThread) -> None:
        """Forget a finished thread and its worker (the thread has ended, so both may go)."""
        self._thread = self._worker = None
        thread.deleteLater()
