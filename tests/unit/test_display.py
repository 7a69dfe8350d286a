"""Before Qt is imported, the program knows whether a window can be shown, and if not says why and runs
the terminal view with the exit status `--cli` would give. Real X servers (Xvfb), a real dead display
and a real dynamic-loader failure; no Qt is started in this process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard import display
from wizard.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
EN = Translator("en")


def _free_display() -> str:
    for n in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return f":{n}"
    raise AssertionError("no free X display number")


@pytest.fixture
def dead_display() -> str:
    """A display name nobody serves."""
    return _free_display()


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A real X server (Debian's xvfb, installed by .ci/run) on a free display."""
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.fail("Xvfb is needed (Debian: apt-get install xvfb)")
    read, write = os.pipe()
    proc = subprocess.Popen([exe, "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        assert number.isdigit(), "Xvfb did not report its display"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def _env(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items()}


def _reason(verdict: display.Window | display.NoWindow) -> str:
    assert isinstance(verdict, display.NoWindow), verdict
    return EN.msg(verdict.reason)


def test_no_display_at_all() -> None:
    assert _reason(display.can_show_window(_env(), "linux")) == \
        "No display found (neither DISPLAY nor WAYLAND_DISPLAY is set)."


def test_an_explicit_headless_platform_needs_no_display() -> None:
    assert display.can_show_window(_env(QT_QPA_PLATFORM="offscreen"), "linux") == display.Window(None)
    assert display.can_show_window(_env(QT_QPA_PLATFORM="minimal", DISPLAY=":0"), "linux") == display.Window(None)


@pytest.mark.posix("X11 and the dynamic loader")
def test_a_display_without_a_server_does_not_answer(dead_display: str) -> None:
    assert display.x_display_answers(dead_display) is False
    assert _reason(display.can_show_window(_env(DISPLAY=dead_display), "linux")) == (
        f"The X display {dead_display} does not answer: is the X server running, and may this user use it "
        "(for sudo, keep XAUTHORITY)?")


@pytest.mark.posix("X11 and the dynamic loader")
def test_a_real_x_server_answers_and_xcb_is_chosen(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a machine loaded by other work a live server may take longer than the 3 s a user waits: the
    # question here is which platform is chosen, not how fast the server answers.
    monkeypatch.setattr(display, "X_CONNECT_TIMEOUT_S", 30.0)
    assert display.x_display_answers(xvfb) is True
    assert display.can_show_window(_env(DISPLAY=xvfb), "linux") == display.Window("xcb")
    # Asking for xcb explicitly checks the same things.
    assert display.can_show_window(_env(DISPLAY=xvfb, QT_QPA_PLATFORM="xcb"), "linux") == display.Window("xcb")


@pytest.mark.posix("the dynamic loader")
def test_a_plugin_whose_libraries_are_missing_names_the_library(tmp_path: Path) -> None:
    """A copy of Qt's xcb plugin outside Qt's tree cannot find its own Qt libraries: a real loader failure."""
    real = next((f / "libqxcb.so" for f in display.plugin_folders() if (f / "libqxcb.so").is_file()), None)
    assert real is not None, "PySide6's xcb plugin was not found"
    shutil.copy(real, tmp_path / "libqxcb.so")
    # In a fresh process: this one may already hold Qt's libraries, which the loader would reuse.
    code = ("import sys; from pathlib import Path; from wizard import display; from wizard.i18n import Translator; "
            "r = display.load_plugin('xcb', [Path(sys.argv[1])]); print(Translator('en').msg(r) if r else 'LOADED')")
    text = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout
    assert "libQt6XcbQpa.so.6" in text and "is missing" in text, text


def test_the_loader_message_becomes_the_package_to_install() -> None:
    error = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    text = EN.msg(display.missing_library_reason(error, "xcb"))
    assert "libxcb-cursor.so.0" in text
    assert "sudo apt install libxcb-cursor0" in text and "sudo dnf install xcb-util-cursor" in text
    assert "Install the package that provides it" in EN.msg(
        display.missing_library_reason("libfoo.so.3: cannot open shared object file: No such file", "xcb"))
    other = EN.msg(display.missing_library_reason("/x/libqxcb.so: file too short", "xcb"))
    assert other == "Qt's window-system plugin for xcb could not be loaded: /x/libqxcb.so: file too short"


@pytest.mark.posix("Qt's platform plugins as shared objects")
def test_a_missing_plugin_is_said_plainly(tmp_path: Path) -> None:
    assert EN.msg(display.load_plugin("xcb", [tmp_path])) == \
        "Qt's window-system plugin for xcb is not part of this installation."


def test_wayland_without_its_socket(tmp_path: Path) -> None:
    verdict = display.can_show_window(_env(WAYLAND_DISPLAY="wayland-7", XDG_RUNTIME_DIR=str(tmp_path)), "linux")
    assert _reason(verdict) == "The Wayland display wayland-7 was not found."


def test_windows_below_qts_floor_gets_the_terminal_view() -> None:
    assert display.can_show_window(_env(), "win32", build=17763) == display.Window(None)
    text = _reason(display.can_show_window(_env(), "win32", build=14393))
    assert "build 14393" in text and "build 17763" in text
    assert _reason(display.can_show_window(_env(), "win32", build=9600)).startswith("This Windows (build 9600)")


# -- the whole program, from source, in a process of its own ---------------------------------------------


def _wizard(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")}
    return subprocess.run([sys.executable, "-m", "wizard", "--lang", "en", *args], cwd=ROOT,
                          env={**base, "NO_COLOR": "1", **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.posix("X11")
@pytest.mark.parametrize(("scenario", "status"), [("healthy-linux", 0), ("linux-firewall-drops-wireserver", 2)])
def test_a_dead_display_gives_the_reason_and_the_terminal_view(dead_display: str, scenario: str,
                                                               status: int) -> None:
    out = _wizard(["--scenario", scenario], {"DISPLAY": dead_display})
    cli = _wizard(["--cli", "--scenario", scenario], {})
    assert out.returncode == cli.returncode == status, out.stderr
    assert f"The X display {dead_display} does not answer" in out.stderr
    assert "Showing the terminal view instead." in out.stderr
    assert "Summary:" in out.stdout
    assert "Traceback" not in out.stderr and "Aborted" not in out.stderr


@pytest.mark.posix("the terminal view without any display")
def test_no_display_gives_the_terminal_view() -> None:
    out = _wizard(["--scenario", "healthy-linux"], {})
    assert out.returncode == 0
    assert "No display found (neither DISPLAY nor WAYLAND_DISPLAY is set)." in out.stderr
    assert "Summary:" in out.stdout


def _can_unshare_mounts() -> list[str] | None:
    for flags in (["-m"], ["-rm"]):
        try:
            if subprocess.run(["unshare", *flags, "true"], capture_output=True, timeout=10).returncode == 0:
                return flags
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


@pytest.mark.posix("a mount namespace hides a system library")
def test_a_desktop_without_libxcb_cursor0_gets_the_terminal_view(xvfb: str, tmp_path: Path) -> None:
    """A real X server, and the system's library folder seen without libxcb-cursor.so.0 (a private mount
    namespace: a tmpfs of links to every other file). The loader then reports it missing, as on a desktop
    that lacks the package."""
    flags = _can_unshare_mounts()
    assert flags is not None, "unshare -m (root) or unshare -rm (user namespaces) is needed"
    libdir = Path("/usr/lib/x86_64-linux-gnu") if Path("/usr/lib/x86_64-linux-gnu").is_dir() else None
    cursor = next(iter(Path(libdir).glob("libxcb-cursor.so.0*")), None) if libdir else None
    assert libdir is not None and cursor is not None, "libxcb-cursor0 is installed by .ci/run"
    orig, farm = tmp_path / "orig", tmp_path / "farm"
    orig.mkdir()
    farm.mkdir()
    for entry in libdir.iterdir():
        if not entry.name.startswith("libxcb-cursor.so"):
            (farm / entry.name).symlink_to(orig / entry.name)
    script = f"mount --bind {libdir} {orig} && mount --bind {farm} {libdir} && exec \"$@\""
    base = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    out = subprocess.run(["unshare", *flags, "sh", "-c", script, "sh", sys.executable, "-m", "wizard",
                          "--lang", "en", "--scenario", "healthy-linux"], cwd=ROOT,
                         env={**base, "DISPLAY": xvfb, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "The library libxcb-cursor.so.0, which Qt needs to open a window, is missing." in out.stderr
    assert "sudo apt install libxcb-cursor0" in out.stderr
    assert "Summary:" in out.stdout
