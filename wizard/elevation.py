"""How to start this same program again with the same options, elevated: the UAC request on
Windows, the `sudo` command to copy on Linux. Pure functions of `sys`, so they are testable.

An elevated copy started through UAC (`ShellExecuteW` "runas") does not inherit the working
folder: it starts in System32 unless it is given one. So the relaunch passes the current folder,
and every option that names a file or folder (`--root`, `--report`, `--json`, ...) is made
absolute first, so it still names the same file in the elevated copy.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from wizard import TOOL_NAME


def on_windows() -> bool:
    """True on Windows, where elevation is a UAC request for the same executable."""
    return sys.platform == "win32"


# Options whose value is a file or folder to write (always made absolute; "-" is stdout) and to read.
OUTPUT_PATH_OPTIONS = frozenset({"--report", "--json", "--record", "--diagram", "--screenshots"})
INPUT_PATH_OPTIONS = frozenset({"--root", "--scenario"})


def _absolute(value: str, cwd: str, windows: bool) -> str:
    path = ntpath if windows else posixpath
    return path.normpath(path.join(cwd, value)) if not path.isabs(value) else value


def absolute_arguments(args: Sequence[str], cwd: str, windows: bool | None = None,
                       exists: object = None) -> list[str]:
    """`args` with the values of path options made absolute against `cwd`.

    Output paths always (except `-`, stdout); `--root` always; `--scenario` only when it names a
    file there (else it is the name of a shipped scenario and stays as it is). Both `--opt value`
    and `--opt=value` are handled."""
    win = (sys.platform == "win32") if windows is None else windows
    is_file = exists if callable(exists) else os.path.exists
    out: list[str] = []
    pending: str | None = None

    def fix(option: str, value: str) -> str:
        if option in OUTPUT_PATH_OPTIONS and value == "-":
            return value
        if option == "--scenario" and not is_file(_absolute(value, cwd, win)):
            return value
        return _absolute(value, cwd, win)

    for arg in args:
        if pending is not None:
            out.append(fix(pending, arg))
            pending = None
            continue
        option, eq, value = arg.partition("=")
        if option in OUTPUT_PATH_OPTIONS | INPUT_PATH_OPTIONS:
            if eq:
                out.append(f"{option}={fix(option, value)}")
                continue
            pending = option
        out.append(arg)
    return out


def relaunch(argv: Sequence[str] | None = None, executable: str | None = None,
             frozen: bool | None = None, cwd: str | None = None) -> tuple[str, list[str]]:
    """The executable and the arguments that start this program again with the same options.

    Frozen (PyInstaller): the executable itself with the same arguments. From source: the
    Python interpreter with `-m wizard` and the same arguments. Path options are made absolute
    against `cwd` (default: the current folder).
    """
    argv = list(sys.argv if argv is None else argv)
    exe = sys.executable if executable is None else executable
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    args = absolute_arguments(argv[1:], os.getcwd() if cwd is None else cwd)
    if is_frozen:
        return exe, args
    return exe, ["-m", "wizard", *args]


def working_folder() -> str:
    """The folder the elevated copy starts in: this one."""
    return os.getcwd()


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
