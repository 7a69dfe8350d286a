"""The program's own folder and its log file, safe for a run as root or Administrator.

The folder is per user and private: `%LOCALAPPDATA%\\VMBackupWizard` on Windows,
`$XDG_STATE_HOME/vmbackup-wizard` (default `~/.local/state/vmbackup-wizard`) elsewhere, created with
mode 0700. The log of the tool's own failures lives there (`vmbackup-wizard.log`), never in a shared temp
folder, where a link planted under the log's name would make a root run append to any file.

The log is opened without following a link (`O_NOFOLLOW`), only when it is a regular file of ours with
a single name; otherwise the program runs without a log rather than write where it should not.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

LOG_NAME = "vmbackup-wizard.log"
MAX_LOG_BYTES = 2 * 1024 * 1024


def data_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The per-user folder of the program (not created here)."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    if plat == "win32":
        base = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "VMBackupWizard"
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "vmbackup-wizard"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and its parents) with mode 0700; refuse a link or a folder someone else owns."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{path} is not a folder of its own")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise OSError(f"{path} belongs to another user")
    return path


def log_path() -> Path:
    """Where the log of the tool's own failures is written (named in error messages)."""
    return data_dir() / LOG_NAME


def open_log() -> logging.Handler:
    """A handler appending to the log file, opened safely (see the module docstring); a handler that
    drops everything when the file cannot be opened safely."""
    try:
        folder = ensure_private_dir(data_dir())
        path = folder / LOG_NAME
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags, 0o600)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or (
                hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
            os.close(fd)
            return logging.NullHandler()
        if info.st_size > MAX_LOG_BYTES:
            os.ftruncate(fd, 0)
        stream = os.fdopen(fd, "a", encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return logging.NullHandler()
    return _LogFile(stream)


class _LogFile(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """A stream handler that owns its file and closes it."""

    def close(self) -> None:
        try:
            self.acquire()
            try:
                if not self.stream.closed:
                    self.stream.close()
            finally:
                self.release()
        finally:
            super().close()
