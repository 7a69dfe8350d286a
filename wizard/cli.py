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
from wizard.i18n import LANGUAGES, N_, Translator, detect_language
from wizard.model import Msg

EXIT_TOOL_FAILED = 3
log = logging.getLogger("wizard")


class UsageError(Exception):
    """Wrong use of the command line; the message is for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=TOOL_NAME,
        description="Finds out, from inside an Azure VM, why Azure VM Backup fails. Changes nothing on the VM.",
    )
    p.add_argument("--cli", action="store_true", help="terminal view instead of the graphical wizard")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the output (default: the OS language)")
    p.add_argument("--json", metavar="PATH", help="write the whole diagnosis as JSON to PATH ('-' for stdout)")
    p.add_argument("--record", metavar="PATH", help="record every probe request and answer to a scenario file")
    p.add_argument("--scenario", metavar="PATH", help="replay a recorded scenario instead of looking at this machine")
    p.add_argument("--root", metavar="DIR", help="read the agent's files below DIR (a collected log bundle)")
    p.add_argument("--wireserver", metavar="HOST", help="Wire Server address (for testing against local fakes)")
    p.add_argument("--wireserver-port", metavar="N", type=int, help="Wire Server HTTP port (default 80; testing)")
    p.add_argument("--hostplugin-port", metavar="N", type=int, help="HostGAPlugin port (default 32526; testing)")
    p.add_argument("--imds", metavar="HOST:PORT", help="IMDS address (default 169.254.169.254:80; testing)")
    p.add_argument("--only", metavar="ID,ID...", help="run only these checks")
    p.add_argument("--list-checks", action="store_true", help="list the checks (id, platforms, title) and exit")
    p.add_argument("--error-code", metavar="CODE", help="the error code (or whole message) the portal showed")
    p.add_argument("--phase", choices=("take_snapshot", "transfer_to_vault", "unknown"),
                   help="the backup job's sub-task that failed")
    p.add_argument("--list-error-codes", action="store_true", help="list the known portal error codes and exit")
    p.add_argument("--diagram", metavar="PATH", help="write the phase diagram (SVG) to PATH")
    p.add_argument("--report", metavar="PATH",
                   help="write the HTML report to PATH (a folder: the default file name inside it)")
    p.add_argument("--redact", action="store_true",
                   help="mask host names, IP/MAC addresses, subscription/resource/VM ids and user names "
                        "in the report, JSON and diagram")
    p.add_argument("--screenshots", metavar="DIR",
                   help="wizard: save a PNG of every page to DIR after a --scenario run, then exit")
    p.add_argument("--smoke-test", action="store_true",
                   help="check the bundled catalogs, templates, scenarios, report and wizard pages, then exit")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p


def _port(value: int | None, name: str) -> int | None:
    if value is not None and not 1 <= value <= 65535:
        raise UsageError(f"{name} must be between 1 and 65535")
    return value


def make_settings(args: argparse.Namespace) -> Any:
    from wizard.checks.base import Settings

    s = Settings()
    if args.wireserver:
        s.wireserver = args.wireserver.strip()
    if _port(args.wireserver_port, "--wireserver-port"):
        s.wireserver_port = args.wireserver_port
    if _port(args.hostplugin_port, "--hostplugin-port"):
        s.hostplugin_port = args.hostplugin_port
    if args.imds:
        host, sep, port = args.imds.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise UsageError("--imds takes HOST:PORT, for example 127.0.0.1:8080")
        s.imds = f"{host}:{int(port)}"
    return s


def make_probe(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The probe to run against, and a description of the source for the Diagnosis."""
    if args.scenario and args.root:
        raise UsageError("--scenario and --root cannot be used together")
    if args.scenario:
        from wizard.probes.scenario import ReplayProbe

        path = resolve_scenario(args.scenario)
        replay = ReplayProbe.load(path)
        return replay, {"kind": "scenario", "path": str(path), "title": replay.title}
    from wizard.probes.system import SystemProbe

    if args.root:
        root = Path(args.root)
        if not root.is_dir():
            raise UsageError(f"--root {args.root}: " + ("not a folder" if root.exists() else "no such folder"))
        return SystemProbe(root=root), {"kind": "root", "path": str(root)}
    return SystemProbe(), {"kind": "live"}


def resolve_scenario(name: str) -> Path:
    """A scenario path, or the name of a shipped one (`healthy-linux` -> resources/scenarios/...)."""
    p = Path(name)
    if p.exists():
        return p
    from wizard.paths import resource

    shipped = resource("scenarios", name if name.endswith(".json") else name + ".json")
    return shipped if shipped.exists() else p


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


def _only(value: str | None) -> list[str] | None:
    if not value:
        return None
    from wizard.checks.registry import by_id

    ids = [x.strip() for x in value.split(",") if x.strip()]
    unknown = [x for x in ids if x not in by_id()]
    if unknown:
        raise UsageError(f"unknown check id(s): {', '.join(unknown)} (see --list-checks)")
    return ids


def run_terminal(args: argparse.Namespace, lang: str) -> int:
    """The terminal view (and the batch outputs: --json, --record, --diagram)."""
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS
    from wizard.terminal import TerminalView

    t = Translator(lang)
    settings = make_settings(args)
    only = _only(args.only)
    symptom = _symptom(args)
    probe, source = make_probe(args)
    recorder = None
    if args.record:
        from wizard.probes.scenario import RecordingProbe

        recorder = RecordingProbe(probe)
        probe = recorder
    quiet = args.json == "-"
    view = TerminalView(t, stream=sys.stderr if quiet else sys.stdout)
    if not quiet:
        if symptom:
            view.symptom_card(symptom)
        total = sum(1 for c in ALL_CHECKS if only is None or c.id in only)
        view.header(total, source.get("path") if source.get("kind") == "scenario" else None)

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
    diag = box["diag"]
    diag.source = source
    diag.symptom = symptom
    if symptom:
        from wizard.knowledge.symptom import order_results

        diag.results = order_results(diag.results, symptom)
    if not quiet:
        view.report(diag)
    exported = diag
    if args.redact:
        from wizard.report import redact_diagnosis

        exported = redact_diagnosis(diag)
    failed = False
    if args.json:
        failed |= not _write_output(args.json, _json_text(exported, lang), t)
    if args.diagram:
        from wizard.diagram import render_svg

        failed |= not _write_output(args.diagram, render_svg(exported, t), t)
    if args.report:
        failed |= not _write_report(exported, Path(args.report), lang, t, quiet)
    if recorder is not None:
        try:
            recorder.save(Path(args.record), title=f"Recorded on {diag.host.hostname}")
        except OSError as exc:
            print(t("Could not write the scenario to {path}: {error}", path=args.record,
                    error=exc.strerror or str(exc)), file=sys.stderr)
            failed = True
    return EXIT_TOOL_FAILED if failed else diag.exit_code()


def _write_report(diag: Any, target: Path, lang: str, t: Translator, quiet: bool) -> bool:
    from wizard.report import ReportWriteError, default_report_path, render_report, write_report

    if target.is_dir():
        target = target / default_report_path(diag).name
    try:
        written = write_report(render_report(diag, lang), target)
    except ReportWriteError as exc:
        print(exc.translated(t), file=sys.stderr)
        return False
    print(t("Report written to {path}", path=str(written)), file=sys.stderr if quiet else sys.stdout)
    return True


def _json_text(diag: Any, lang: str) -> str:
    from wizard.jsonio import dumps

    return dumps(diag, lang)


def _symptom(args: argparse.Namespace) -> dict[str, Any] | None:
    if not args.error_code and not args.phase:
        return None
    from wizard.knowledge.symptom import build_symptom

    return build_symptom(args.error_code or "", args.phase or "unknown")


def _write_output(target: str, text: str, t: Translator) -> bool:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    from wizard.probes.scenario import write_text_atomic

    try:
        write_text_atomic(Path(target), text)
    except OSError as exc:
        print(t("Could not write {path}: {error}. The results above are complete; choose another place.",
                path=target, error=exc.strerror or str(exc)), file=sys.stderr)
        return False
    return True


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
        print(t.msg(verdict.reason) + " " + t("Showing the terminal view instead."), file=sys.stderr)
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


def _setup_logging() -> None:
    import tempfile

    try:
        path = Path(tempfile.gettempdir()) / "vmbackup-wizard.log"
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if any(a in args_list for a in ("--cli", "--version", "--list-checks", "--list-error-codes", "--json",
                                    "--smoke-test", "-h", "--help")):
        from wizard.winconsole import attach_parent_console

        attach_parent_console()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(errors="replace")
    _setup_logging()
    try:
        args = build_parser().parse_args(args_list)
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
            raise UsageError("--screenshots needs --scenario")
        batch = any((args.json, args.report, args.record, args.diagram))
        if is_console_twin():
            args.cli = True
        if not args.cli and not batch:
            gui = _start_gui(args, lang, t)
            if gui is not None:
                return gui
        return run_terminal(args, lang)
    except UsageError as exc:
        print(f"{TOOL_NAME}: {exc}", file=sys.stderr)
        return EXIT_TOOL_FAILED
    except KeyboardInterrupt:
        print(f"{TOOL_NAME}: cancelled", file=sys.stderr)
        return EXIT_TOOL_FAILED
    except Exception as exc:
        from wizard.probes.scenario import ScenarioError

        log.exception("unexpected failure")
        if isinstance(exc, ScenarioError):
            print(f"{TOOL_NAME}: {exc}", file=sys.stderr)
        else:
            print(f"{TOOL_NAME}: {type(exc).__name__}: {exc} (details in the log file in the temp folder)",
                  file=sys.stderr)
        return EXIT_TOOL_FAILED
