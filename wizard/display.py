"""Can a window be shown here? Decided before Qt is imported, because Qt aborts the whole process
(exit 134, "Could not load the Qt platform plugin") when it cannot open a display.

Qt-free: it only looks at the environment, asks the X server for a connection through libxcb
(the same handshake Qt makes, authentication included), loads Qt's platform plugin with the
dynamic loader (which names any library the plugin lacks, e.g. `libxcb-cursor.so.0`), and on
Windows compares the build with the oldest one Qt supports. When the answer is no, the reason is
a translatable message that says what to install, and the program runs the terminal view.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from wizard.i18n import N_
from wizard.model import Msg

# Qt 6.11 runs on Windows 10 1809 / Windows Server 2019 and later (build 17763).
WINDOWS_MIN_BUILD = 17763
# Platforms that need no display: offscreen rendering and the like.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"})
X_CONNECT_TIMEOUT_S = 3.0

# The library a dynamic-loader error names -> (Debian/Ubuntu package, RHEL/Fedora package).
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
}
_MISSING_LIB = re.compile(r"([\w.+-]+\.so[\w.]*): cannot open shared object file")


@dataclass(frozen=True)
class NoWindow:
    """Why no window can be shown; `reason` is a whole translatable sentence."""

    reason: Msg


@dataclass(frozen=True)
class Window:
    """A window can be shown; `platform` is what to put in QT_QPA_PLATFORM (None: leave Qt's choice)."""

    platform: str | None


def plugin_folders() -> list[Path]:
    """Where Qt's platform plugins are, from source or inside the one-file executable."""
    folders: list[Path] = []
    env = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if env:
        folders.append(Path(env))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        folders.append(Path(bundle) / "PySide6" / "Qt" / "plugins" / "platforms")
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders.append(Path(location) / "Qt" / "plugins" / "platforms")
    return folders


def load_plugin(name: str, folders: list[Path] | None = None) -> Msg | None:
    """Load Qt's platform plugin `libq<name>.so` with the dynamic loader; None if it loads, else why not."""
    if sys.platform == "win32":
        return None  # Windows' plugin needs nothing beyond the bundle; its check is the build number
    for folder in plugin_folders() if folders is None else folders:
        path = folder / f"libq{name}.so"
        if not path.is_file():
            continue
        try:
            ctypes.CDLL(str(path), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
        except OSError as exc:
            return missing_library_reason(str(exc), name)
        return None
    return Msg(N_("Qt's window-system plugin for {platform} is not part of this installation."),
               {"platform": name})


def missing_library_reason(loader_error: str, platform: str) -> Msg:
    """A dynamic-loader error as a sentence that says which package to install."""
    found = _MISSING_LIB.search(loader_error)
    if found:
        library = found.group(1)
        debian, rpm = PACKAGES.get(library, (None, None))
        if debian and rpm:
            return Msg(N_("The library {library}, which Qt needs to open a window, is missing. Install it "
                          "(Debian/Ubuntu: sudo apt install {debian}; RHEL/Fedora: sudo dnf install {rpm}) to use "
                          "the graphical wizard."), {"library": library, "debian": debian, "rpm": rpm})
        return Msg(N_("The library {library}, which Qt needs to open a window, is missing. Install the package "
                      "that provides it to use the graphical wizard."), {"library": library})
    return Msg(N_("Qt's window-system plugin for {platform} could not be loaded: {error}"),
               {"platform": platform, "error": loader_error.strip()[:300]})


def x_display_answers(display: str, timeout: float | None = None) -> bool | None:
    """Connect to the X server through libxcb (authentication included). None if libxcb is missing."""
    timeout = X_CONNECT_TIMEOUT_S if timeout is None else timeout
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    result: dict[str, bool] = {}

    def connect() -> None:
        conn = xcb.xcb_connect(display.encode("utf-8", "replace"), None)
        result["ok"] = bool(conn) and xcb.xcb_connection_has_error(conn) == 0
        if conn:
            xcb.xcb_disconnect(conn)

    # A display on a host that does not answer could block for minutes in connect(): give up after a while.
    worker = threading.Thread(target=connect, name="x-display-check", daemon=True)
    worker.start()
    worker.join(timeout)
    return result.get("ok", False)


def _wayland_socket(environ: dict[str, str]) -> Path | None:
    name = environ.get("WAYLAND_DISPLAY", "")
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute():
        runtime = environ.get("XDG_RUNTIME_DIR")
        if not runtime:
            return None
        path = Path(runtime) / name
    return path


def _check_xcb(environ: dict[str, str]) -> Msg | None:
    display = environ.get("DISPLAY", "")
    if not display:
        return Msg(N_("No display found (DISPLAY is not set)."), {})
    problem = load_plugin("xcb")
    if problem is not None:
        return problem
    answers = x_display_answers(display)
    if answers is None:
        return missing_library_reason("libxcb.so.1: cannot open shared object file", "xcb")
    if not answers:
        return Msg(N_("The X display {display} does not answer: is the X server running, and may this user "
                      "use it (for sudo, keep XAUTHORITY)?"), {"display": display})
    return None


def _check_wayland(environ: dict[str, str]) -> Msg | None:
    socket_path = _wayland_socket(environ)
    if socket_path is None or not socket_path.exists():
        return Msg(N_("The Wayland display {display} was not found."),
                   {"display": environ.get("WAYLAND_DISPLAY", "")})
    return load_plugin("wayland")


def windows_build() -> int | None:
    if sys.platform == "win32":
        return int(sys.getwindowsversion().build)
    return None


def can_show_window(environ: dict[str, str] | None = None, platform: str | None = None,
                    build: int | None = None) -> Window | NoWindow:
    """Whether the graphical wizard can start here, and on which Qt platform."""
    env = dict(os.environ if environ is None else environ)
    plat = sys.platform if platform is None else platform
    chosen = [p.strip() for p in env.get("QT_QPA_PLATFORM", "").split(";") if p.strip()]
    names = [p.split(":")[0] for p in chosen]
    if any(n in HEADLESS_PLATFORMS for n in names):
        return Window(None)
    if plat == "win32":
        build = windows_build() if build is None else build
        if build is not None and build < WINDOWS_MIN_BUILD:
            return NoWindow(Msg(N_("This Windows (build {build}) is older than the graphical wizard supports "
                                   "(Windows 10 version 1809 or Windows Server 2019, build {minimum}, and "
                                   "later)."), {"build": build, "minimum": WINDOWS_MIN_BUILD}))
        return Window(None)
    if plat == "darwin":
        return Window(None)
    if names and not set(names) & {"xcb", "wayland", "wayland-egl"}:
        return Window(None)  # a platform we do not know how to check: trust the user's explicit choice
    candidates = names or (["wayland", "xcb"] if env.get("XDG_SESSION_TYPE") == "wayland" else ["xcb", "wayland"])
    if not names and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return NoWindow(Msg(N_("No display found (neither DISPLAY nor WAYLAND_DISPLAY is set)."), {}))
    reasons: list[Msg] = []
    working: list[str] = []
    for name in candidates:
        if name == "xcb":
            if not env.get("DISPLAY") and name not in names:
                continue
            problem = _check_xcb(env)
        else:
            if not env.get("WAYLAND_DISPLAY") and name not in names:
                continue
            problem = _check_wayland(env)
        if problem is None:
            working.append(name)
        else:
            reasons.append(problem)
    if working:
        return Window(";".join(working))
    return NoWindow(reasons[0])
