"""The command line: option parsing, choosing the probe (system, --root, replay, record), and the
terminal view. Exit status: 0 nothing worse than info; 1 warnings (or checks that could not
look); 2 problems; 3 the tool itself failed or was used wrongly (one line, no traceback).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from wizard import TOOL_NAME, __version__
from wizard.cli_i18n import HelpFormatter, argparse_speaks
from wizard.i18n import LANGUAGES, N_, Translator, detect_language, normalise_language
from wizard.knowledge.scenarios import scenario_title
from wizard.launch import (
    EXIT_INTERNAL_ERROR,
    EXIT_TOOL_FAILED,
    UsageError,
    finish,
    make_probe,
    make_settings,
    only_ids,
    resolve_scenario,
    symptom_of,
)
from wizard.model import Msg

log = logging.getLogger("wizard")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser(t: Translator | None = None) -> argparse.ArgumentParser:
    """The command line's options; their help in `t`'s language (English without one). Build and use it inside
    `argparse_speaks(t)` for argparse's own words (usage:, options:, its errors) in that language too."""
    t = t or Translator("en")
    p = _Parser(
        prog=TOOL_NAME,
        description=t("Finds out, from inside an Azure VM, why Azure VM Backup fails. Changes nothing on the VM."),
        formatter_class=HelpFormatter,
    )
    p.add_argument("--cli", action="store_true", help=t("terminal view instead of the graphical wizard"))
    p.add_argument("--lang", choices=LANGUAGES, help=t("language of the output (default: the OS language)"))
    p.add_argument("--json", metavar="PATH", help=t("write the whole diagnosis as JSON to PATH ('-' for stdout)"))
    p.add_argument("--record", metavar="PATH", help=t("record every probe request and answer to a scenario file"))
    p.add_argument("--scenario", metavar="PATH",
                   help=t("replay a recorded scenario instead of looking at this machine"))
    p.add_argument("--root", metavar="DIR", help=t("read the agent's files below DIR (a collected log bundle)"))
    p.add_argument("--wireserver", metavar="HOST", help=t("Wire Server address (for testing against local fakes)"))
    p.add_argument("--wireserver-port", metavar="N", type=int, help=t("Wire Server HTTP port (default 80; testing)"))
    p.add_argument("--hostplugin-port", metavar="N", type=int, help=t("HostGAPlugin port (default 32526; testing)"))
    p.add_argument("--imds", metavar="HOST:PORT", help=t("IMDS address (default 169.254.169.254:80; testing)"))
    p.add_argument("--only", metavar="ID,ID...", help=t("run only these checks"))
    p.add_argument("--list-checks", action="store_true", help=t("list the checks (id, platforms, title) and exit"))
    p.add_argument("--error-code", metavar="CODE", help=t("the error code (or whole message) the portal showed"))
    p.add_argument("--phase", choices=("take_snapshot", "transfer_to_vault", "unknown"),
                   help=t("the backup job's sub-task that failed"))
    p.add_argument("--list-error-codes", action="store_true", help=t("list the known portal error codes and exit"))
    p.add_argument("--diagram", metavar="PATH", help=t("write the phase diagram (SVG) to PATH"))
    p.add_argument("--report", metavar="PATH",
                   help=t("write the HTML report to PATH (a folder: the default file name inside it)"))
    p.add_argument("--pdf", metavar="PATH",
                   help=t("write the report as a PDF to PATH (verdict on page 1; printed by Microsoft Edge, Chrome "
                          "or Chromium, which must be installed; if it cannot be made, the HTML report is written "
                          "beside it)"))
    p.add_argument("--verbose", action="store_true",
                   help=t("terminal view: every result with its details, not only the causes"))
    p.add_argument("--redact", nargs="?", const="public", choices=("support", "public"), default=None,
                   help=t("mask identifiers on the screen and in the report, JSON, recording and diagram: "
                          "'public' (the default) pseudonymises every identifier; 'support' masks user names, "
                          "host names and IP/MAC addresses but keeps the Azure IDs Microsoft support needs "
                          "(subscription, resource group, VM name, resource ID, vmId)"))
    p.add_argument("--vault", metavar="NAME", help=t("support case: the Recovery Services vault's name"))
    p.add_argument("--policy", choices=("standard", "enhanced"), help=t("support case: the backup policy type"))
    p.add_argument("--job-start", metavar="TIME",
                   help=t("support case: the failed job's start time with its time zone, "
                          "e.g. '2026-12-04 09:00 +09:00'"))
    p.add_argument("--activity-id", metavar="ID", help=t("support case: the failed job's Activity ID"))
    p.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                   help=t("compare two saved diagnoses (--json files or reports): which causes were fixed, remain "
                          "or are new; with --json/--report to write the comparison"))
    p.add_argument("--screenshots", metavar="DIR",
                   help=t("wizard: save a PNG of every page to DIR after a --scenario run, then exit"))
    p.add_argument("--smoke-test", action="store_true",
                   help=t("check the bundled catalogs, templates, scenarios, report and wizard pages, then exit"))
    p.add_argument("--version", action="store_true", help=t("print the version and exit"))
    return p


def _list_checks(t: Translator) -> int:
    from wizard.checks.registry import ALL_CHECKS

    width = max(len(c.id) for c in ALL_CHECKS)
    for c in ALL_CHECKS:
        plats = ",".join(sorted(c.platforms))
        print(f"{c.id:<{width}}  {plats:<13}  {t(c.title)}")
    return 0


def _list_error_codes(t: Translator) -> int:
    from wizard.knowledge.errorcodes import CATALOGUE

    width = max(len(e.code) for e in CATALOGUE)
    for e in CATALOGUE:
        print(f"{e.code:<{width}}  {t.msg(e.title)}")
    return 0


def run_terminal(args: argparse.Namespace, lang: str) -> int:
    """The terminal view (and the batch outputs: --json, --report, --pdf, --record, --diagram)."""
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS
    from wizard.fileio import stream_fd
    from wizard.present import build_answer
    from wizard.present.terminal import TerminalView
    from wizard.probes.scenario import scenario_text

    t = Translator(lang)
    check_outputs(args, t)
    settings = make_settings(args)
    only = only_ids(args.only)
    symptom = symptom_of(args.error_code, args.phase)
    case = case_of(args, t)
    probe, source = make_probe(args)
    recorder = None
    if args.record:
        from wizard.probes.scenario import RecordingProbe

        recorder = RecordingProbe(probe)
        probe = recorder
    # An output on standard output (`--json -`, `--report /dev/stdout`, ...) keeps the terminal view off it.
    quiet = any(stream_fd(str(x)) == 1 for x in (args.json, args.report, args.pdf, args.record, args.diagram) if x)
    view = TerminalView(t, stream=sys.stderr if quiet else sys.stdout, verbose=args.verbose, masked=args.redact)
    if not quiet:
        view.header(scenario_title(source, t) if source.get("kind") == "scenario" else None)

    cancel = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["diag"] = runner.run(ALL_CHECKS, probe, settings, progress=None if quiet else view.progress,
                                     cancel=cancel, only=only)
        except Exception as exc:  # reported below as a one-line tool failure
            log.exception("run failed")
            box["error"] = exc

    worker = threading.Thread(target=work, name="runner", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        cancel.set()
        worker.join(2.0)
        print(t("Cancelled."), file=sys.stderr)
        if "diag" not in box:
            return EXIT_TOOL_FAILED
    if "error" in box:
        raise box["error"]
    diag = finish(box["diag"], source, symptom, case)
    exported = diag
    recording = recorder.scenario(title=f"Recorded on {diag.host.hostname}") if recorder is not None else None
    if args.redact:
        from wizard.report import redact_together

        # One pseudonym table for the JSON, the report and the recording of this run.
        exported, recording = redact_together(diag, recording, args.redact)
    if not quiet:
        view.report(build_answer(exported, lang))
    failed = False
    if args.json:
        failed |= not _write(args.json, _json_text(exported, lang), t, quiet)
    if args.diagram:
        from wizard.present.diagram import render_svg

        failed |= not _write(args.diagram, render_svg(build_answer(exported, lang).diagram, t), t, quiet)
    if args.report:
        failed |= not _write_report(exported, args.report, lang, t, quiet)
    if args.pdf:
        failed |= not _write_pdf(exported, args.pdf, lang, t, quiet, html_beside=not args.report)
    if recording is not None:
        failed |= not _write(args.record, scenario_text(recording), t, quiet)
    return EXIT_TOOL_FAILED if failed else diag.exit_code()


def case_of(args: argparse.Namespace, t: Translator) -> dict[str, str]:
    """The support-case fields given on the command line; one that cannot be read is refused before the run
    (an Activity ID of an unusual shape, or an error code of another phase, is only pointed out in the report)."""
    from wizard.present.support import case_problems

    case = {key: str(getattr(args, attr) or "").strip() for key, attr in
            (("vault", "vault"), ("policy", "policy"), ("job_start", "job_start"), ("activity_id", "activity_id"))}
    case = {k: v for k, v in case.items() if v}
    for key, msg, params in case_problems(case, None):
        if key in ("vault", "policy", "job_start"):
            raise UsageError(t(msg, **params))
    return case


def run_compare(args: argparse.Namespace, lang: str) -> int:
    """`--compare BEFORE AFTER`: the comparison on the screen, and with --json / --report written out."""
    from wizard.fileio import stream_fd
    from wizard.present.compare import CompareInputError, compare, comparison_doc, load_diagnosis
    from wizard.present.terminal import TerminalView

    t = Translator(lang)
    for opt in ("record", "scenario", "root", "diagram", "pdf"):
        if getattr(args, opt):
            raise UsageError(t("{option} cannot be used with --compare.", option="--" + opt))
    try:
        before, after = (load_diagnosis(p) for p in args.compare)
    except CompareInputError as exc:
        raise UsageError(str(exc)) from exc
    if args.redact:
        from wizard.redact.identifiers import redact_all

        before, after = redact_all([before, after], args.redact)
    result = compare(before, after, lang)
    quiet = any(stream_fd(str(x)) == 1 for x in (args.json, args.report) if x)
    if not quiet:
        TerminalView(t, stream=sys.stdout, verbose=args.verbose, masked=bool(args.redact)).comparison(result)
    failed = False
    if args.json:
        import json

        failed |= not _write(args.json, json.dumps(comparison_doc(result), ensure_ascii=False, indent=2) + "\n",
                             t, quiet)
    if args.report:
        from wizard.report.compare import render_comparison

        failed |= not _write(args.report, render_comparison(result), t, quiet, announce=True)
    if failed:
        return EXIT_TOOL_FAILED
    return 2 if result.counts["remaining"] or result.counts["new"] else 0


def _write(target: str, text: str, t: Translator, quiet: bool, announce: bool = False) -> bool:
    """Write one output through the one writer; say why in one line if it cannot be written."""
    from wizard.fileio import OutputError, write_output

    try:
        written = write_output(target, text)
    except OutputError as exc:
        print(t.sentences([exc.translated(t), t("The results above are complete.")]), file=sys.stderr)
        return False
    if announce:
        print(t("Report written to {path}", path=written), file=sys.stderr if quiet else sys.stdout)
    return True


def _write_report(diag: Any, target: str, lang: str, t: Translator, quiet: bool) -> bool:
    from wizard.report import default_report_path, render_report

    if report_target_is_folder(target):
        target = str(Path(target) / default_report_path(diag).name)
    return _write(target, render_report(diag, lang), t, quiet, announce=True)


def _write_pdf(diag: Any, target: str, lang: str, t: Translator, quiet: bool, html_beside: bool) -> bool:
    """`--pdf`: the report printed to PDF by a browser, written through the one writer. When no PDF can be made,
    nothing is lost: without --report the HTML report is written beside it (same name, `.html`)."""
    from wizard.fileio import OutputError, stream_fd
    from wizard.report import default_report_path, render_report
    from wizard.report.pdf import PdfError, html_to_pdf

    if report_target_is_folder(target):
        target = str(Path(target) / Path(default_report_path(diag).name).with_suffix(".pdf"))
    html = render_report(diag, lang)
    try:
        written = html_to_pdf(html, target)
    except OutputError as exc:
        print(t.sentences([exc.translated(t), t("The results above are complete.")]), file=sys.stderr)
        return False
    except PdfError as exc:
        log.warning("no PDF: %s", exc)
        print(exc.translated(t), file=sys.stderr)
        if html_beside and stream_fd(target) is None:
            beside = str(Path(target).with_suffix(".html"))
            if _write(beside, html, t, quiet, announce=True):
                print(t("Open the HTML report in a web browser and print it to PDF from there."), file=sys.stderr)
        return False
    print(t("PDF written to {path}", path=written), file=sys.stderr if quiet else sys.stdout)
    return True


def report_target_is_folder(target: str) -> bool:
    """`--report DIR` puts the report in DIR under its default name (a real folder, not a link to one)."""
    from wizard.fileio import stream_fd

    return stream_fd(target) is None and Path(target).is_dir() and not Path(target).is_symlink()


def check_outputs(args: argparse.Namespace, t: Translator) -> None:
    """Refuse, before the run, outputs that name the same file or stream, or the scenario being replayed."""
    from wizard.fileio import same_target

    named = [(opt, getattr(args, attr)) for opt, attr in (("--json", "json"), ("--report", "report"),
                                                           ("--pdf", "pdf"), ("--record", "record"),
                                                           ("--diagram", "diagram"))
             if getattr(args, attr)]
    named = [(opt, value) for opt, value in named
             if not (opt in ("--report", "--pdf") and report_target_is_folder(value))]
    for i, (opt_a, a) in enumerate(named):
        for opt_b, b in named[i + 1:]:
            if same_target(a, b):
                raise UsageError(t("{first} and {second} name the same file ({path}); give each output its own.",
                                   first=opt_a, second=opt_b, path=a))
        if args.scenario and same_target(a, str(resolve_scenario(args.scenario))):
            raise UsageError(t("{option} {path} is the scenario being replayed; writing it would destroy it.",
                               option=opt_a, path=a))


def _json_text(diag: Any, lang: str) -> str:
    from wizard.jsonio import dumps

    return dumps(diag, lang)


def _start_gui(args: argparse.Namespace, lang: str, t: Translator) -> int | None:
    """Run the graphical wizard if a window can be shown here; otherwise say why in one line (what to
    install, if that is the cause) and return None, so the terminal view runs instead. Decided before
    Qt is imported: Qt aborts the whole process when its platform plugin cannot open a display."""
    from wizard import display, winstart

    verdict = display.Window("offscreen") if args.screenshots else display.can_show_window()
    if isinstance(verdict, display.NoWindow):
        log.warning("graphical wizard unavailable: %s", t.msg(verdict.reason))
        if winstart.can_use_legacy_start():  # the windowed Windows exe: nowhere to print, so show it natively
            return winstart.legacy_start(args, lang, verdict.reason)
        print(t.sentences([t.msg(verdict.reason), t("Showing the terminal view instead.")]), file=sys.stderr)
        return None
    if verdict.platform and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = verdict.platform
    try:
        from wizard.gui.app import run_gui
    except ImportError as exc:  # Qt's Python modules missing or broken
        log.warning("graphical wizard unavailable: %s", exc)
        if winstart.can_use_legacy_start():
            return winstart.legacy_start(args, lang, Msg(N_("The graphical wizard cannot start here ({error})."),
                                                         {"error": str(exc)[:300]}))
        print(t("The graphical wizard cannot start here ({error}). Showing the terminal view instead.",
                error=str(exc)), file=sys.stderr)
        return None
    return int(run_gui(args, lang))


def is_console_twin(frozen: bool | None = None, executable: str | None = None) -> bool:
    """True for `VMBackupWizard-cli.exe`, the console-subsystem twin: it always runs the terminal view."""
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    exe = sys.executable if executable is None else executable
    return is_frozen and Path(exe).stem.lower().endswith("-cli")


def _log_path() -> Path:
    from wizard.appdata import log_path

    return log_path()


_LOG_HANDLER: list[logging.Handler] = []


def _setup_logging() -> None:
    from wizard.appdata import open_log

    for old in _LOG_HANDLER:  # main() may run more than once in one process (tests, the smoke test)
        log.removeHandler(old)
        old.close()
    _LOG_HANDLER.clear()
    handler = open_log()
    _LOG_HANDLER.append(handler)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def language_asked(args: Sequence[str]) -> str:
    """The language before the options are parsed (argparse prints --help and its errors while parsing): the
    last `--lang X` / `--lang=X` before a `--`, if it names one we have, else the OS user's language."""
    asked: str | None = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            asked = normalise_language(args[i + 1]) or asked
        elif arg.startswith("--lang="):
            asked = normalise_language(arg.partition("=")[2]) or asked
    return asked or detect_language()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if any(a in args_list for a in ("--cli", "--version", "--list-checks", "--list-error-codes", "--json", "--compare",
                                    "--smoke-test", "-h", "--help")):
        from wizard.winconsole import attach_parent_console

        attach_parent_console()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(errors="replace")
    _setup_logging()
    t = Translator(language_asked(args_list))
    try:
        with argparse_speaks(t):  # --help and argparse's errors in the user's language too
            args = build_parser(t).parse_args(args_list)
        lang = args.lang or detect_language()
        t = Translator(lang)
        if args.version:
            print(f"{TOOL_NAME} {__version__}")
            return 0
        if args.list_checks:
            return _list_checks(t)
        if args.smoke_test:
            from wizard import smoke

            return smoke.run()
        if args.list_error_codes:
            return _list_error_codes(t)
        if args.screenshots and not args.scenario:
            raise UsageError(t("{option} needs {needed}.", option="--screenshots", needed="--scenario"))
        if args.compare:
            return run_compare(args, lang)
        batch = any((args.json, args.report, args.pdf, args.record, args.diagram))
        if is_console_twin():
            args.cli = True
        if not args.cli and not batch:
            gui = _start_gui(args, lang, t)
            if gui is not None:
                return gui
        return run_terminal(args, lang)
    except UsageError as exc:
        print(f"{TOOL_NAME}: {exc.translated(t)}", file=sys.stderr)
        return EXIT_TOOL_FAILED
    except KeyboardInterrupt:
        print(f"{TOOL_NAME}: " + t("Cancelled."), file=sys.stderr)
        return EXIT_TOOL_FAILED
    except Exception as exc:
        from wizard.probes.scenario import ScenarioError

        if isinstance(exc, ScenarioError):
            log.warning("unusable scenario: %s", exc)
            print(f"{TOOL_NAME}: {exc.translated(t)}", file=sys.stderr)
            return EXIT_TOOL_FAILED
        log.exception("unexpected failure")
        print(f"{TOOL_NAME}: {type(exc).__name__}: {exc} (this is a bug in the tool; the details are in "
              f"{_log_path()})", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
