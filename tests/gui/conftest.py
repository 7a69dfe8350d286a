"""A strict, headless set-up for the wizard's tests (design §8.7-8.9).

- Every Qt warning or critical message fails the test (like qutebrowser's logfail); pytest-qt's
  own capture is switched off for these tests so this handler is the only one.
- No QThread may still be running when a test ends.
- The outside world (message boxes, file dialogs, clipboard, browser, elevation) is a recording
  fake, and probes replay shipped scenarios, so nothing leaves the machine.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import FakeSeams, replay
from PySide6.QtCore import QThread, QtMsgType, qInstallMessageHandler
from shiboken6 import isValid

from wizard.gui.session import Session
from wizard.gui.window import BackupWizard
from wizard.settings import Settings

GUI_DIR = Path(__file__).resolve().parent

# Messages of Qt's offscreen platform plugin about what it cannot do; not our bugs.
IGNORED_QT_MESSAGES = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
    "This plugin does not support grabbing the keyboard",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if GUI_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.no_qt_log)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings() -> Iterator[list[str]]:
    """Collect Qt messages during the test; any warning, critical or fatal one fails it."""
    bad: list[str] = []

    def handler(kind: QtMsgType, context: Any, message: str) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            if message not in IGNORED_QT_MESSAGES:
                bad.append(f"{kind.name}: {message}")

    previous = qInstallMessageHandler(handler)
    try:
        yield bad
    finally:
        qInstallMessageHandler(previous)
    assert bad == [], "Qt warned during the test"


@pytest.fixture(autouse=True)
def no_thread_left_running() -> Iterator[None]:
    """Every QThread a test started has finished by the time the test ends."""
    yield
    gc.collect()
    running = [t for t in gc.get_objects() if isinstance(t, QThread) and isValid(t) and t.isRunning()
               and t is not QThread.currentThread()]
    assert running == [], f"QThreads still running: {[t.objectName() for t in running]}"


@pytest.fixture(autouse=True)
def private_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The per-user folder (kept diagnoses, log) of each test is its own, never the real one."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("LOCALAPPDATA", str(state))
    return state


@pytest.fixture
def seams() -> FakeSeams:
    return FakeSeams()


@pytest.fixture
def make_wizard(qtbot: Any, seams: FakeSeams) -> Iterator[Any]:
    """`make_wizard(scenario, lang="en", probe=None, source=None)` -> a shown BackupWizard (closed after)."""
    made: list[BackupWizard] = []

    def make(scenario: str = "healthy-linux", lang: str = "en", probe: Any = None,
             source: dict[str, Any] | None = None) -> BackupWizard:
        inner, src = replay(scenario)
        session = Session(lang, probe or inner, Settings(connect_timeout_s=0.5, http_timeout_s=0.5),
                          source if source is not None else src)
        window = BackupWizard(session, seams)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.shutdown()
