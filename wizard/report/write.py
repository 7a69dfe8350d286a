"""Where the report goes by default: its file name and the folder (the Desktop on Windows, the home folder
elsewhere). Writing it is `wizard.fileio.write_output`, the one writer of every output.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from wizard.model import Diagnosis

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
