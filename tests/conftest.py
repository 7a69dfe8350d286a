"""Shared test set-up: Qt offscreen, and platform markers that say why a test cannot run here.

`@pytest.mark.posix("why")` — the test needs a POSIX system (`os.geteuid`, `os.mkfifo`, `sh`, modes and
owners of files, Linux socket behaviour); on Windows it is skipped with that reason.
`@pytest.mark.windows("why")` — the test exercises Windows itself (everything under `tests/windows/`
gets it); elsewhere it is skipped with that reason.
`@pytest.mark.root("why")` — the test needs to run as root on Linux (it drops to another user with
`setpriv`, opens a network namespace with `unshare -n`, or reads what only root may); run as anyone
else it is skipped with that reason. CI runs as root, so there it runs. No other test is ever skipped.
"""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NO_COLOR", "1")
# The program's own folder (its log) goes to a temporary place, never the real user's.
_STATE = tempfile.mkdtemp(prefix="vmbackup-tests-state-")
os.environ["XDG_STATE_HOME"] = _STATE
os.environ["LOCALAPPDATA"] = _STATE


def _reason(marker: pytest.Mark) -> str:
    reason = marker.args[0] if marker.args else marker.kwargs.get("reason")
    if not reason:
        raise pytest.UsageError(f"@pytest.mark.{marker.name} needs a reason")
    return str(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    posix = item.get_closest_marker("posix")
    if posix is not None:
        reason = _reason(posix)
        if sys.platform == "win32":
            pytest.skip(f"needs POSIX: {reason}")
    root = item.get_closest_marker("root")
    if root is not None:
        reason = _reason(root)
        if sys.platform == "win32" or os.geteuid() != 0:
            pytest.skip(f"needs root: {reason}")
    windows = item.get_closest_marker("windows")
    if windows is not None:
        reason = _reason(windows)
        if sys.platform != "win32":
            pytest.skip(f"needs Windows: {reason}")
