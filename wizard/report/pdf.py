"""The report as a PDF, printed by a headless Chromium-family browser (no Qt here).

Why a browser: the report is a modern HTML page (grid layout, an inline SVG diagram, `@media print`
rules that put the verdict on page 1 and print the evidence compactly). A browser prints exactly what a
user would see with "Save as PDF"; Qt's QTextDocument knows only a small subset of HTML and CSS, so the
wizard (`wizard.gui.pdfexport`) uses it only as a last resort when no browser is installed.

Which browser: Chromium, Chrome or Edge on Linux; Edge (installed with every Windows 10/11) at its
documented install paths, then Chrome, on Windows. `VMBACKUP_WIZARD_BROWSER` names another one.

How, safely:
- everything happens in a private temporary folder of ours (`mkdtemp`, mode 0700): the page, a fresh
  browser profile (`--user-data-dir`) and the PDF the browser writes; the folder is removed afterwards;
- the browser is started without a shell (arguments are passed as a list, so paths with spaces or
  Japanese characters need no quoting by hand), with no network: background networking, sync and
  component updates off and every host name resolving to nothing (the page itself forbids any request
  through its Content-Security-Policy);
- one total deadline; on expiry the browser and its children are killed;
- the result is checked (`%PDF-`, not empty) and only then its bytes are written to the user's target
  through the one writer, `wizard.fileio.write_output`; the browser never writes to the user's target.

Failures raise `PdfError` (no browser, the browser failed, too slow) with a sentence in the user's
language; an unwritable target raises the writer's `OutputError`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from wizard.fileio import write_output
from wizard.i18n import N_, Translator

DEADLINE = 90.0
CANCEL_POLL_S = 0.25  # how soon a closed wizard stops the browser
"""Seconds the whole print may take (a cold browser start on a small VM takes a few)."""

ENV_BROWSER = "VMBACKUP_WIZARD_BROWSER"

LINUX_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge",
               "microsoft-edge-stable")
LINUX_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium",
               "/opt/microsoft/msedge/msedge", "/opt/google/chrome/chrome")
# Edge's documented install places (machine-wide, then per user), then Chrome's.
WINDOWS_PATHS = (
    ("ProgramFiles(x86)", r"Microsoft\Edge\Application\msedge.exe"),
    ("ProgramFiles", r"Microsoft\Edge\Application\msedge.exe"),
    ("LOCALAPPDATA", r"Microsoft\Edge\Application\msedge.exe"),
    ("ProgramFiles", r"Google\Chrome\Application\chrome.exe"),
    ("ProgramFiles(x86)", r"Google\Chrome\Application\chrome.exe"),
    ("LOCALAPPDATA", r"Google\Chrome\Application\chrome.exe"),
)

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
    "--metrics-recording-only", "--mute-audio", "--hide-scrollbars", "--disable-breakpad",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can leave the machine
    "--no-pdf-header-footer",
)

REASONS: dict[str, str] = {
    "no_browser": N_("No web browser that can print a PDF was found (Microsoft Edge, Google Chrome or "
                     "Chromium)."),
    "failed": N_("The web browser could not print the PDF ({error})."),
    "timeout": N_("The web browser did not finish the PDF within {seconds} seconds."),
    "cancelled": N_("It was stopped because the wizard was closed."),
}
MESSAGE = N_("Could not make the PDF {path}. {reason}")


class PdfError(Exception):
    """The PDF could not be made. `str()` is English; `translated(t)` in `t`'s language."""

    def __init__(self, path: str | Path, reason: str, **params: object) -> None:
        self.path = str(path)
        self.reason = reason if reason in REASONS else "failed"
        self.params = {k: str(v) for k, v in params.items()}
        if self.reason == "failed":
            self.params.setdefault("error", "?")
        super().__init__(self.translated(Translator("en")))

    def translated(self, translator: Translator) -> str:
        reason = translator(REASONS[self.reason], **self.params)
        return translator(MESSAGE, path=self.path, reason=reason)


def find_browser(platform: str | None = None, environ: Mapping[str, str] | None = None,
                 which: Callable[[str], str | None] = shutil.which,
                 is_file: Callable[[str], bool] = os.path.isfile) -> str | None:
    """The browser that prints the PDF: `VMBACKUP_WIZARD_BROWSER` if it names a file, else Edge or Chrome at
    their install paths on Windows, Chromium/Chrome/Edge on the PATH or at the usual places elsewhere."""
    plat = sys.platform if platform is None else platform
    env = os.environ if environ is None else environ
    chosen = env.get(ENV_BROWSER, "").strip()
    if chosen:
        return chosen if is_file(chosen) else which(chosen)
    if plat == "win32":
        for var, tail in WINDOWS_PATHS:
            base = env.get(var)
            if base:
                candidate = base.rstrip("\\/") + "\\" + tail
                if is_file(candidate):
                    return candidate
        return which("msedge") or which("chrome")
    for name in LINUX_NAMES:
        found = which(name)
        if found:
            return found
    for path in LINUX_PATHS:
        if is_file(path):
            return path
    return None


def browser_command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The argument list that prints `page` to `pdf` with a fresh profile (no shell: nothing to quote)."""
    return [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.resolve().as_uri()]


def browser_environment(environ: Mapping[str, str] | None = None, frozen: bool | None = None) -> dict[str, str]:
    """The environment the browser runs in: ours, except that in the one-file executable the library path
    the bootloader set for our bundled libraries is put back as it was (`LD_LIBRARY_PATH_ORIG`), so the
    system's browser loads the system's libraries, not ours."""
    env = dict(os.environ if environ is None else environ)
    if getattr(sys, "frozen", False) if frozen is None else frozen:
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is not None:
            env["LD_LIBRARY_PATH"] = original
        else:
            env.pop("LD_LIBRARY_PATH", None)
    return env


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the browser and the processes it started (its own process group on POSIX)."""
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=10,
                           check=False)
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.communicate(timeout=10)  # reaps it and closes its pipe
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    finally:
        if proc.stderr is not None:
            proc.stderr.close()


def _run(argv: Sequence[str], deadline: float, target: str | Path, cancel: threading.Event | None = None) -> None:
    """Run the browser to completion within `deadline` seconds; PdfError if it fails, is too slow or `cancel`
    is set meanwhile (the browser and its children are killed then: nothing outlives the wizard)."""
    extra: dict[str, object] = {}
    if sys.platform == "win32":
        extra["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    else:
        extra["start_new_session"] = True
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=browser_environment(),
                                **extra)  # type: ignore[call-overload]
    except OSError as exc:
        raise PdfError(target, "failed", error=exc.strerror or str(exc)) from exc
    ends = time.monotonic() + deadline
    while True:
        if cancel is not None and cancel.is_set():
            _kill(proc)
            raise PdfError(target, "cancelled")
        left = ends - time.monotonic()
        try:  # a retried communicate() loses no output
            _, err = proc.communicate(timeout=max(0.0, min(left, CANCEL_POLL_S)))
            break
        except subprocess.TimeoutExpired as exc:
            if left <= CANCEL_POLL_S:
                _kill(proc)
                raise PdfError(target, "timeout", seconds=f"{deadline:g}") from exc
        except BaseException:  # Ctrl+C: the browser has its own session, so it would not get the signal
            _kill(proc)
            raise
    if proc.returncode != 0:
        last = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        detail = f"exit status {proc.returncode}" + (f": {last[0][:200]}" if last[0] else "")
        raise PdfError(target, "failed", error=detail)


def html_to_pdf(html: str, target: str | Path, *, browser: str | None = None, deadline: float = DEADLINE,
                wrapper: Sequence[str] = (), cancel: threading.Event | None = None) -> str:
    """Print the report page `html` to a PDF and write it to `target` through the one writer.

    Returns what `write_output` wrote to. `browser` defaults to `find_browser()`; `wrapper` is put in front
    of the command (tests run the browser in a network namespace of its own); setting `cancel` stops it."""
    exe = browser or find_browser()
    if not exe:
        raise PdfError(target, "no_browser")
    work = Path(tempfile.mkdtemp(prefix="vmbackup-pdf-"))  # 0700, ours alone
    try:
        page = Path(write_output(work / "report.html", html))
        pdf = work / "report.pdf"
        profile = work / "profile"
        _run([*wrapper, *browser_command(exe, page, pdf, profile)], deadline, target, cancel)
        try:
            data = pdf.read_bytes()
        except OSError as exc:
            raise PdfError(target, "failed", error="no PDF was written") from exc
        if not data.startswith(b"%PDF-"):
            raise PdfError(target, "failed", error="the file written is not a PDF")
        return write_output(target, data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
