"""When the Windows executable cannot show its window, it still starts visibly.

The graphical wizard needs Qt 6, which supports Windows 10 1809 / Windows Server 2019 (build 17763)
and later; on Windows Server 2012 R2 and 2016 it cannot start, and the windowed executable has no
console, so anything printed would go nowhere. Then (decided before Qt is imported):

1. a native message box (`MessageBoxW`, no Qt) says why, and what the wizard will do instead, and
   asks whether to show the results in a console window too;
2. the checks run without the window; with Yes, the terminal view runs in a console window the
   program opens for itself (`AllocConsole`) and stays until Enter is pressed;
3. the HTML report (Jinja2, no Qt) is written next to the executable, else on the Desktop, else in
   the temp folder, and opened in the default browser; a second message box says where it is.

Everything that touches Windows is a method of `NativeUI`, which tests replace with a recording
fake, so the whole flow is tested with the version check simulated.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wizard.i18n import Translator
from wizard.model import Msg

MB_OK = 0x0
MB_YESNOCANCEL = 0x3
MB_ICONINFORMATION = 0x40
MB_ICONWARNING = 0x30
MB_SETFOREGROUND = 0x10000
IDYES, IDNO, IDCANCEL = 6, 7, 2
EXIT_CANCELLED = 0
EXIT_TOOL_FAILED = 3


class NativeUI:
    """The Windows side: message boxes, the console, opening a file, where to write. Tests replace it."""

    def message_box(self, text: str, title: str, flags: int) -> int:
        import ctypes

        user32 = ctypes.windll.user32  # type: ignore[attr-defined,unused-ignore]
        return int(user32.MessageBoxW(None, text, title, flags | MB_SETFOREGROUND))

    def open_console(self, title: str) -> bool:
        from wizard.winconsole import open_own_console

        return open_own_console(title)

    def wait_for_enter(self, prompt: str) -> None:
        try:
            sys.stdout.write(prompt)
            sys.stdout.flush()
            with open("CONIN$", encoding="utf-8", errors="replace") as console:
                console.readline()
        except (OSError, AttributeError):
            pass

    def open_file(self, path: Path) -> bool:
        try:
            os.startfile(str(path))  # type: ignore[attr-defined,unused-ignore]  # noqa: S606 - opens a file we wrote
        except (OSError, AttributeError):
            return False
        return True

    def folders(self) -> list[Path]:
        """Where to write the report, in order: next to the executable, the Desktop, the temp folder."""
        from wizard.report.write import report_folder

        out: list[Path] = []
        if getattr(sys, "frozen", False):
            out.append(Path(sys.executable).resolve().parent)
        out.append(report_folder())
        out.append(Path(tempfile.gettempdir()))
        return out


def explain(t: Translator, reason: Msg, folder: Path) -> str:
    """The first message box: why there is no window, what happens instead, and the question."""
    return "\n\n".join([
        t.msg(reason),
        t("VM Backup Wizard will check this VM without its window, write the report as an HTML file to {folder} and "
          "open it in your browser.", folder=str(folder)),
        t("Do you also want to see the results in a console window? Yes: results in a console window and the "
          "report. No: only the report. Cancel: do nothing."),
    ])


def run_checks(args: argparse.Namespace, lang: str, console: bool) -> Any:
    """The finished diagnosis of this VM, with the terminal view on the console when there is one."""
    from wizard import launch, runner
    from wizard.checks.registry import ALL_CHECKS
    from wizard.present import build_answer
    from wizard.present.terminal import TerminalView

    t = Translator(lang)
    probe, source = launch.make_probe(args)
    view = TerminalView(t, stream=sys.stdout if console and sys.stdout is not None else io.StringIO())
    view.header(None)
    diag = runner.run(ALL_CHECKS, probe, launch.make_settings(args), progress=view.progress)
    diag = launch.finish(diag, source, launch.symptom_of(args.error_code, args.phase))
    view.report(build_answer(diag, lang))
    return diag


def write_and_open(diag: Any, lang: str, ui: NativeUI) -> tuple[Path | None, str]:
    """Write the report to the first folder that takes it (through the one writer) and open it;
    (path, last error)."""
    from wizard.fileio import OutputError, write_output
    from wizard.report import render_report
    from wizard.report.write import report_file_name

    html = render_report(diag, lang)
    error = ""
    for folder in ui.folders():
        try:
            path = Path(write_output(folder / report_file_name(diag), html))
        except OutputError as exc:
            error = exc.translated(Translator(lang))
            continue
        ui.open_file(path)
        return path, error
    return None, error


def legacy_start(args: argparse.Namespace, lang: str, reason: Msg, ui: NativeUI | None = None,
                 checks: Callable[[argparse.Namespace, str, bool], Any] = run_checks) -> int:
    """Run without a window, visibly: message box, optional console view, report opened. The exit status
    is the diagnosis's (0-2), 0 when the user cancelled, 3 when the report could not be written."""
    ui = ui or NativeUI()
    t = Translator(lang)
    title = t("VM Backup Wizard")
    folders = ui.folders()
    answer = ui.message_box(explain(t, reason, folders[0] if folders else Path(".")), title,
                            MB_YESNOCANCEL | MB_ICONINFORMATION)
    if answer == IDCANCEL or answer not in (IDYES, IDNO):
        return EXIT_CANCELLED
    console = answer == IDYES and ui.open_console(title)
    diag = checks(args, lang, console)
    path, error = write_and_open(diag, lang, ui)
    if path is None:
        ui.message_box(t("The report could not be written ({error}). Run VMBackupWizard-cli.exe --cli in a "
                         "command prompt to see the results.", error=error), title, MB_OK | MB_ICONWARNING)
        return EXIT_TOOL_FAILED
    if console:
        print(t("Report written to {path}", path=str(path)))
        ui.wait_for_enter(t("Press Enter to close this window."))
    else:
        ui.message_box(t("The report was written to {path} and opened in your browser.", path=str(path)), title,
                       MB_OK | MB_ICONINFORMATION)
    return int(diag.exit_code())


def can_use_legacy_start(platform: str | None = None, frozen: bool | None = None,
                         stdout: object = "unset") -> bool:
    """The frozen windowed Windows program with nowhere to print: the one that needs `legacy_start`."""
    plat = sys.platform if platform is None else platform
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    out = sys.stdout if stdout == "unset" else stdout
    return plat == "win32" and is_frozen and out is None
