"""How to start this same program again with the same options, elevated: the UAC request on
Windows, the `sudo` command to copy on Linux. Pure functions of `sys`, so they are testable."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from wizard import TOOL_NAME


def on_windows() -> bool:
    """True on Windows, where elevation is a UAC request for the same executable."""
    return sys.platform == "win32"


def relaunch(argv: Sequence[str] | None = None, executable: str | None = None,
             frozen: bool | None = None) -> tuple[str, list[str]]:
    """The executable and the arguments that start this program again with the same options.

    Frozen (PyInstaller): the executable itself with the same arguments. From source: the
    Python interpreter with `-m wizard` and the same arguments.
    """
    argv = list(sys.argv if argv is None else argv)
    exe = sys.executable if executable is None else executable
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if is_frozen:
        return exe, argv[1:]
    return exe, ["-m", "wizard", *argv[1:]]


def sudo_command(argv: Sequence[str] | None = None, executable: str | None = None,
                 frozen: bool | None = None) -> str:
    """The shell command that starts the wizard again as root, keeping the display (`sudo -E`).

    Started through the installed `vmbackup-wizard` command, it names that command; otherwise
    what `relaunch` names.
    """
    argv = list(sys.argv if argv is None else argv)
    if argv and Path(argv[0]).name == TOOL_NAME:
        return shlex.join(["sudo", "-E", argv[0], *argv[1:]])
    exe, args = relaunch(argv, executable, frozen)
    return shlex.join(["sudo", "-E", exe, *args])
