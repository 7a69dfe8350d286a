"""Consoles for the Windows executables.

`VMBackupWizard.exe` is built windowed (no console flashes up for the wizard). Started from cmd or
PowerShell for the terminal view, it attaches to that console so its output still appears there,
but only for a standard stream that has nowhere to go: `VMBackupWizard.exe --json > out.json`
keeps its JSON in the file. (cmd and PowerShell do not wait for a windowed program, so the exit
code is lost unless it is run with `start /wait`; `VMBackupWizard-cli.exe`, the console twin, is the
one to script with.)

`open_own_console` gives the windowed program a console of its own (`AllocConsole`), for the
terminal view offered when no window can be shown.

The decisions are pure functions of their arguments, so they are tested on any platform.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

ATTACH_PARENT_PROCESS = -1


def missing_streams(stdout: object, stderr: object) -> list[str]:
    """The names of the standard streams that have nowhere to write (`None` in a windowed program)."""
    return [name for name, stream in (("stdout", stdout), ("stderr", stderr)) if stream is None]


def _open_console_stream() -> TextIO:
    return open("CONOUT$", "w", encoding="utf-8", errors="replace")


def reopen_missing(names: list[str], opener: Callable[[], Any] = _open_console_stream) -> None:
    """Point the standard streams named in `names` (and only those) at the console."""
    for name in names:
        setattr(sys, name, opener())


def attach_parent_console(platform: str | None = None, frozen: bool | None = None,
                          attach: Callable[[int], bool] | None = None,
                          opener: Callable[[], Any] = _open_console_stream) -> bool:
    """On a frozen Windows build, attach the streams that have nowhere to go to the parent's console.

    True when every standard stream now has somewhere to write."""
    plat = sys.platform if platform is None else platform
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if plat != "win32" or not is_frozen:
        return False
    missing = missing_streams(sys.stdout, sys.stderr)
    if not missing:
        return True
    try:
        if attach is None:
            import ctypes

            attach = ctypes.windll.kernel32.AttachConsole  # type: ignore[attr-defined,unused-ignore]
        if not attach(ATTACH_PARENT_PROCESS):
            return False
        reopen_missing(missing, opener)
    except (AttributeError, OSError):
        return False
    return True


def open_own_console(title: str, alloc: Callable[[], bool] | None = None,
                     opener: Callable[[], Any] = _open_console_stream) -> bool:
    """Give a windowed Windows program a console window of its own and point the missing streams at it."""
    try:
        if alloc is None:
            if sys.platform != "win32":
                return False
            import ctypes

            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
            if not kernel32.AllocConsole():
                return False
            kernel32.SetConsoleTitleW(title)
        elif not alloc():
            return False
        reopen_missing(missing_streams(sys.stdout, sys.stderr), opener)
    except (AttributeError, OSError):
        return False
    return True
