"""Writing the report: atomically (a temporary file beside it, then a rename) and to a sensible default place.

A failed write leaves neither a half report nor the temporary file, and an existing file of the
same name is kept as it was. Failures raise `ReportWriteError`, whose message names the path and
the reason in words a user can act on (`translated()` gives it in the user's language).
"""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from wizard.i18n import N_, Translator
from wizard.model import Diagnosis

REASONS: dict[str, str] = {
    "permission": N_("You do not have permission to write there."),
    "missing": N_("The folder does not exist."),
    "not_a_folder": N_("Part of the path is a file, not a folder."),
    "is_folder": N_("A folder of that name is already there."),
    "not_a_file": N_("Something that is not an ordinary file (a device or a pipe) is already there."),
    "full": N_("The disk is full."),
    "read_only": N_("The location is read-only."),
    "name": N_("The file name is not valid there."),
    "other": N_("The system reported: {error}."),
}
MESSAGE = N_("Could not save the report to {path}. {reason} Choose another place.")

_ERRNO_REASONS = {
    errno.EACCES: "permission", errno.EPERM: "permission", errno.ENOENT: "missing", errno.ENOTDIR: "not_a_folder",
    errno.EISDIR: "is_folder", errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read_only",
    errno.ENAMETOOLONG: "name", errno.EINVAL: "name",
}


class ReportWriteError(Exception):
    """The report could not be written. `str()` is an English sentence for the user; `translated(t)`
    gives the same sentence in `t`'s language. `path` and `reason` (a key of `REASONS`) are kept."""

    def __init__(self, path: Path, reason: str, error: str = "") -> None:
        self.path = Path(path)
        self.reason = reason if reason in REASONS else "other"
        self.error = error
        super().__init__(self.translated(Translator("en")))

    def translated(self, translator: Translator) -> str:
        reason = translator(REASONS[self.reason], error=self.error)
        return translator(MESSAGE, path=str(self.path), reason=reason)


def _error_for(path: Path, exc: OSError) -> ReportWriteError:
    reason = _ERRNO_REASONS.get(exc.errno or 0, "other")
    return ReportWriteError(path, reason, exc.strerror or str(exc))


def write_report(html: str, path: Path) -> Path:
    """Write `html` (UTF-8) to `path` through a temporary file in the same folder and a rename.

    Returns the absolute path written. Raises ReportWriteError (nothing left behind) on failure.
    """
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise ReportWriteError(path, "is_folder")
    if path.exists() and not path.is_file():  # never rename over a device node, a pipe or a socket
        raise ReportWriteError(path, "not_a_file")
    data = html.encode("utf-8")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _error_for(path, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise _error_for(path, exc) from exc
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass
    return path


# --- the default place ---------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_part(text: str, fallback: str = "vm") -> str:
    """A piece of a file name that is valid on Windows and Linux: ASCII letters, digits, `.`, `_`, `-`."""
    cleaned = _UNSAFE.sub("_", text).strip("._-")[:63].rstrip("._-")
    return cleaned or fallback


def report_file_name(diag: Diagnosis) -> str:
    """`vmbackup-report_<host>_<YYYYmmdd-HHMM>.html`, the time being when the diagnosis started."""
    host = diag.host.hostname or str(diag.host.imds.get("name") or "")
    return f"vmbackup-report_{safe_file_part(host)}_{diag.started_at:%Y%m%d-%H%M}.html"


def _windows_desktop() -> Path | None:
    """The Desktop known folder (it may be redirected, e.g. to OneDrive)."""
    try:
        import ctypes
        import uuid
        from ctypes import wintypes

        class _GUID(ctypes.Structure):
            _fields_ = [("Data1", wintypes.DWORD), ("Data2", wintypes.WORD), ("Data3", wintypes.WORD),
                        ("Data4", ctypes.c_ubyte * 8)]

        raw = uuid.UUID("{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}").bytes_le  # FOLDERID_Desktop
        guid = _GUID.from_buffer_copy(raw)
        out = ctypes.c_wchar_p()
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined,unused-ignore]
        ole32 = ctypes.windll.ole32  # type: ignore[attr-defined,unused-ignore]
        if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(out)) != 0:
            return None
        try:
            return Path(out.value) if out.value else None
        finally:
            ole32.CoTaskMemFree(out)
    except (AttributeError, OSError, ValueError):
        return None


def report_folder(platform: str | None = None, environ: Mapping[str, str] | None = None,
                  home: Path | None = None) -> Path:
    """The Desktop on Windows (the known folder, else %USERPROFILE%\\Desktop), else the home folder."""
    plat = sys.platform if platform is None else platform
    env = os.environ if environ is None else environ
    home_dir = Path.home() if home is None else home
    if plat == "win32":
        desktop = _windows_desktop() if platform is None else None
        if desktop and desktop.is_dir():
            return desktop
        profile = env.get("USERPROFILE")
        if profile and (Path(profile) / "Desktop").is_dir():
            return Path(profile) / "Desktop"
    return home_dir


def default_report_path(diag: Diagnosis) -> Path:
    """Where the report goes unless the user picks a place: see `report_folder` and `report_file_name`."""
    return report_folder() / report_file_name(diag)
