"""The Windows executable is built windowed (no console flashes up for the wizard); when it is
started from cmd or PowerShell for the terminal view, it attaches to that console so the
output still appears there."""

from __future__ import annotations

import sys


def attach_parent_console() -> bool:
    """On a frozen Windows build without a console, attach to the parent's and reopen the
    standard streams on it. True when output now reaches a console."""
    if sys.platform != "win32" or not getattr(sys, "frozen", False):
        return False
    if sys.stdout is not None and sys.stderr is not None:
        return True
    try:
        import ctypes

        if not ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            return False
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")
    except (AttributeError, OSError):
        return False
    return True
