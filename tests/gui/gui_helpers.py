"""Helpers of the wizard tests: a recording fake of the outside world, a probe that can be held,
shipped scenarios as probes, and walking the wizard to a page."""

from __future__ import annotations

import threading
from typing import Any

from wizard.cli import resolve_scenario
from wizard.gui.pages import PageId
from wizard.gui.seams import Seams
from wizard.gui.window import BackupWizard
from wizard.probes.scenario import ReplayProbe


class FakeSeams(Seams):
    """Records every interaction with the world outside the window; answers from queues."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.clipboard: list[str] = []
        self.urls: list[str] = []
        self.save_answers: list[str | None] = []
        self.open_answers: list[str | None] = []
        self.open_url_answer = True
        self.ask_answers: list[bool] = []
        self.elevate_answer = False

    def information(self, parent: Any, title: str, text: str) -> None:
        self.calls.append(("information", (title, text)))

    def error(self, parent: Any, title: str, text: str) -> None:
        self.calls.append(("error", (title, text)))

    def ask(self, parent: Any, title: str, text: str, yes: str, no: str) -> bool:
        self.calls.append(("ask", (title, text, yes, no)))
        return self.ask_answers.pop(0) if self.ask_answers else False

    def about(self, parent: Any, title: str, text: str) -> None:
        self.calls.append(("about", (title, text)))

    def save_file(self, parent: Any, caption: str, path: str, filters: str) -> str | None:
        self.calls.append(("save_file", (caption, path, filters)))
        return self.save_answers.pop(0) if self.save_answers else None

    def open_file(self, parent: Any, caption: str, folder: str, filters: str) -> str | None:
        self.calls.append(("open_file", (caption, folder, filters)))
        return self.open_answers.pop(0) if self.open_answers else None

    def copy_text(self, text: str) -> None:
        self.clipboard.append(text)

    def open_url(self, url: str) -> bool:
        self.urls.append(url)
        return self.open_url_answer

    def elevate(self, executable: str, arguments: list[str], directory: str | None = None) -> bool:
        self.calls.append(("elevate", (executable, list(arguments), directory)))
        return self.elevate_answer

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for n, args in self.calls if n == name]


class GatedProbe:
    """A probe that answers from another one, but holds some probe calls until `gate` is set."""

    def __init__(self, inner: Any, gated: tuple[str, ...] = ("tcp_connect",)) -> None:
        self.inner = inner
        self.gated = gated
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def call(self, probe: str, /, **args: Any) -> dict[str, Any]:
        if probe in self.gated:
            self.waiting.set()
            self.gate.wait(timeout=60)
        return self.inner.call(probe, **args)


def replay(name: str) -> tuple[ReplayProbe, dict[str, Any]]:
    path = resolve_scenario(name)
    probe = ReplayProbe.load(path)
    return probe, {"kind": "scenario", "path": str(path), "title": probe.title}


def finish_run(qtbot: Any, window: BackupWizard, timeout: int = 15000) -> None:
    """From wherever the wizard is, go to the Diagnose page and wait until its run has ended."""
    while window.currentId() < PageId.DIAGNOSE:
        window.next()
    qtbot.waitUntil(window.diagnose_page.isComplete, timeout=timeout)


def to_page(qtbot: Any, window: BackupWizard, page: int) -> None:
    """Walk forward to `page` (running the checks on the way)."""
    if page >= PageId.DIAGNOSE:
        finish_run(qtbot, window)
    while window.currentId() < page:
        window.next()
    assert window.currentId() == page


def shown_verdict(page: Any, answer: Any) -> str:
    """The verdict the Results page should show: its sentences, or its short line in a small window."""
    return str(answer.verdict_short if page.compact else answer.verdict)
