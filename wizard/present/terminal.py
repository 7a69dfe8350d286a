"""The terminal view: it renders an `Answer` (`wizard.present.answer`) and nothing else.

By default it fits one screen: the portal error code (when given), the verdict, each cause with what to
do and what follows from it, the terms used, and a one-line summary — at most 40 lines at 100 columns for
every shipped failing scenario. `--verbose` adds every result, grouped by phase and component, with its
evidence-free details and a line per check while the run goes.

Colour only on a TTY and never with `NO_COLOR`; symbols fall back to ASCII where the console cannot encode
them (a plain Windows console with cp932 or cp437); lines wrap by display width with the shared Japanese
line breaking (`wizard.present.linebreak`). Machine data may hold escape sequences: every line passes
`printable` before it is written.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from typing import TextIO

from wizard.i18n import Translator
from wizard.model import Status
from wizard.present.answer import ASCII_SYMBOLS, SYMBOLS, Answer, FindingView, StepView
from wizard.present.compare import KINDS, Comparison, kind_heading
from wizard.present.labels import status_label
from wizard.present.linebreak import NO_LINE_START, cut_to_width, display_width, wrap
from wizard.present.support import SupportView
from wizard.runner import Progress

COLOURS = {
    Status.PROBLEM: "\033[1;31m", Status.WARNING: "\033[33m", Status.ERROR: "\033[35m",
    Status.NOT_CHECKED: "\033[36m", Status.INFO: "\033[34m", Status.OK: "\033[32m",
}
RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"
INDENT = "   "

_OWN_CODES = "|".join(re.escape(code[2:]) for code in {*COLOURS.values(), RESET, BOLD, DIM})
# C0 and C1 control characters (tab, newline and our own colour codes excepted), and the bidirectional
# overrides that reorder what a terminal shows.
_UNPRINTABLE = re.compile(r"\x1b(?!\[(?:" + _OWN_CODES + r"))|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]"
                          r"|[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

__all__ = ["NO_LINE_START", "TerminalView", "display_width", "printable", "supports_colour", "wrap"]


def printable(text: str) -> str:
    """`text` safe to write to a terminal: machine data (a host name, a log line, an IMDS field) may hold
    escape sequences that move the cursor, retitle the window or hide lines; each such character is shown
    as a visible escape (`\\x1b`) instead. Only the wizard's own colour codes pass."""
    return _UNPRINTABLE.sub(lambda mo: mo.group().encode("unicode_escape").decode("ascii"), text)


class TerminalView:
    """Writes the run's progress and the answer to a stream."""

    def __init__(self, t: Translator, stream: TextIO | None = None, colour: bool | None = None,
                 width: int | None = None, verbose: bool = False, masked: bool = False) -> None:
        self.t = t
        self.out = stream or sys.stdout
        self.colour = supports_colour(self.out) if colour is None else colour
        self.symbols = SYMBOLS if _can_encode(self.out, "".join(SYMBOLS.values()) + "─") else ASCII_SYMBOLS
        self.rule_char = self._pick("─", "-")
        self.ellipsis = self._pick("…", "...")
        self.dot = self._pick(" · ", " / ")
        self.width = width or max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
        self.verbose = verbose
        self.masked = masked
        self._live = False
        self._announce: tuple[str | None] | None = None  # the header, until the runner says how many checks

    # -- helpers ---------------------------------------------------------------------
    def _pick(self, fancy: str, plain: str) -> str:
        return fancy if _can_encode(self.out, fancy) else plain

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.colour else text

    def _w(self, line: str = "") -> None:
        if self._live:
            self._end_live()
        line = printable(line)
        try:
            self.out.write(line + "\n")
        except UnicodeEncodeError:
            enc = getattr(self.out, "encoding", None) or "ascii"
            self.out.write(line.encode(enc, "replace").decode(enc, "replace") + "\n")
        self.out.flush()

    def _para(self, text: str, indent: str = "", subsequent: str | None = None, code: str | None = None) -> None:
        for line in wrap(text, self.width, indent, subsequent):
            self._w(self._c(code, line) if code else line)

    def _badge(self, s: Status) -> str:
        return self._c(COLOURS[s], f"{self.symbols[s]} {status_label(s, self.t)}")

    def _is_tty(self) -> bool:
        try:
            return bool(self.out.isatty())
        except (AttributeError, ValueError):
            return False

    # -- while running -----------------------------------------------------------------
    def header(self, demo: str | None = None) -> None:
        """Announce the run. It is printed with the first progress report, which carries the number of checks
        that apply to this machine (not every check the wizard has: a Linux VM gets no Windows checks)."""
        self._announce = (demo,)

    def _print_header(self, total: int) -> None:
        if self._announce is None:
            return
        (demo,), self._announce = self._announce, None
        t = self.t
        self._para(t("VM Backup Wizard {version}: checking {n} things Azure VM Backup needs in this VM. Nothing is "
                     "changed.", version=_version(), n=total), code=BOLD)
        if demo:
            self._para(t("Demo: replaying a recorded scenario, not this machine: {source}", source=demo), code=DIM)

    def progress(self, p: Progress) -> None:
        self._print_header(p.total)
        if p.kind != "finished" or p.result is None:
            return
        r = p.result
        if self.verbose:
            label_w = 16
            plain = f"{self.symbols[r.status]} {status_label(r.status, self.t)}"
            badge = self._badge(r.status) + " " * max(1, label_w - display_width(plain))
            text = self.t.msg(r.title) if self.masked else f"{self.t.msg(r.title)}: {self.t.msg(r.summary)}"
            avail = self.width - 2 - label_w - 1
            if display_width(text) > avail:
                text = cut_to_width(text, avail - display_width(self.ellipsis)) + self.ellipsis
            self._w(f"  {badge}{text}")
        elif self._is_tty():
            line = self.t("Checking... {done}/{total}", done=p.done, total=p.total)
            self.out.write("\r" + printable(line))
            self.out.flush()
            self._live = True

    def _end_live(self) -> None:
        self._live = False
        self.out.write("\r" + " " * (self.width - 1) + "\r")

    # -- the answer --------------------------------------------------------------------
    def report(self, answer: Answer) -> None:
        t = self.t
        self._print_header(len(answer.order))  # no check reported progress (none applied, or a replayed answer)
        if self._live:
            self._end_live()
        self._w(self._c(BOLD, self.rule_char * 3 + " " + t("Results") + " " + self.rule_char * 3))
        code = COLOURS[answer.verdict_status] if answer.verdict_status.rank <= Status.WARNING.rank else BOLD
        self._para(answer.verdict, code=code)
        facts = [x for x in (answer.host_line, answer.vm_line) if x]
        self._para(self.dot.join(facts), code=DIM)
        if answer.symptom:
            self._symptom(answer)
        for cause in answer.causes:
            self._w()
            self._finding(cause.cause, full=True)
            if cause.follows:
                self._para(cause.follows, INDENT, INDENT + "  ", code=DIM)
                if self.verbose:
                    for f in cause.consequences:
                        self._finding(f, full=False, indent=INDENT)
        if self.verbose:
            for group in answer.groups:
                self._w()
                self._para(group.phase_label + self._pick(" › ", " > ") + group.component_label, code=BOLD)
                for f in group.findings:
                    self._finding(f, full=f.needs_detail)
        self._glossary(answer)
        if answer.support is not None:
            self._support(answer.support)
        self._w()
        self._w(answer.summary_line)
        if not self.verbose:
            self._para(t("Every result, with its details: run again with --verbose. The report: --report FILE."),
                       code=DIM)

    def _support(self, sv: SupportView) -> None:
        """The case note, masking, identity and case-field problems, the stale status, the scope; the full
        timeline, the log excerpts and the scope's lists with --verbose."""
        t = self.t
        if not self.verbose:  # the screen stays short: the case note and the rest are in the report
            return
        self._w()
        self._w(self._c(BOLD, t("For the support case")))
        for note in sv.case_notes:
            self._para(note, INDENT, INDENT + "  ")
        if sv.masking_level != "none":
            self._para(sv.masking, INDENT, INDENT + "  ", code=DIM)
        for line in (*sv.identity, *sv.case_problems):
            self._para(self.symbols[Status.WARNING] + " " + line, INDENT, INDENT + "  ")
        for row in sv.timeline:
            self._para(t("Extension status {seq}: {operation} {status} (code {code}), written {timestamp}, "
                         "{age}", seq=row.sequence_number, operation=row.operation, status=row.status,
                         code=row.code or "-", timestamp=row.timestamp or row.file_time or "?",
                         age=row.age or "?"), INDENT, INDENT + "  ")
            for flag in row.flags:
                self._para(self.symbols[Status.WARNING] + " " + flag, INDENT + "  ", INDENT + "    ")
        self._para(sv.scope.statement, INDENT, INDENT + "  ", code=DIM)
        for cid, why in sv.scope.not_run:
            self._para(f"- {cid}: {why}", INDENT, INDENT + "  ", code=DIM)
        self._para(t("What the wizard cannot see from inside the VM:"), INDENT)
        for line in sv.scope.cannot_see:
            self._para(f"- {line}", INDENT, INDENT + "  ")
        self._para(t("What to check in Azure:"), INDENT)
        for line in sv.scope.still_check:
            self._para(f"- {line}", INDENT, INDENT + "  ")
        for ex in sv.excerpts:
            self._w()
            self._para(t("Excerpt: {path} ({read})", path=ex.path, read=ex.read_label), INDENT, code=BOLD)
            if ex.note:
                self._para(ex.note, INDENT + "  ", INDENT + "    ", code=DIM)
            for heading, lines, note, gloss in ex.blocks:
                self._w(self._c(DIM, INDENT + heading + ":"))
                for line in lines:
                    self._para(line, INDENT + "  ", INDENT + "    ")
                if note:
                    self._para(f"{note} {gloss}".strip(), INDENT + "  ", INDENT + "    ", code=DIM)
            if ex.tail:
                self._w(self._c(DIM, INDENT + t("last lines, from line {n}:", n=ex.tail_line)))
                for line in ex.tail:
                    self._para(line, INDENT + "  ", INDENT + "    ")

    def comparison(self, c: Comparison) -> None:
        """`--compare`: the headline, which causes were fixed, remain or are new, and what else changed."""
        t = self.t
        self._w(self._c(BOLD, self.rule_char * 3 + " " + t("Before and after") + " " + self.rule_char * 3))
        self._para(c.headline, code=BOLD)
        for w in c.warnings:
            self._para(self.symbols[Status.WARNING] + " " + w)
        self._para(c.before_line + self.dot + c.before_verdict, code=DIM)
        self._para(c.after_line + self.dot + c.after_verdict, code=DIM)
        for kind in KINDS:
            rows = c.of(kind)
            if not rows:
                continue
            self._w()
            self._w(self._c(BOLD, kind_heading(kind, t)))
            for r in rows:
                self._para(f"{r.title} ({r.id}): {r.before_label} -> {r.after_label}", INDENT, INDENT + "  ")
                if r.after_summary and (self.verbose or kind != "changed"):
                    self._para(r.after_summary, INDENT + "  ", INDENT + "  ", code=DIM)
                if r.changed_evidence and self.verbose:
                    self._para(t("Evidence that changed: {keys}", keys=t.join(r.changed_evidence)),
                               INDENT + "  ", INDENT + "  ", code=DIM)

    def _symptom(self, answer: Answer) -> None:
        t = self.t
        card = answer.symptom or {}
        if card.get("code"):
            self._para(t("Portal error code: {code} - {title}", code=str(card["code"]), title=str(card["title"])),
                       code=BOLD)
            if self.verbose or not answer.causes:
                self._para(t("What it means: {text}", text=str(card["meaning"])), INDENT)
            self._para(str(card["fixable_text"]), INDENT)
            if not answer.causes or self.verbose:
                self._steps([StepView(str(s["text"]), s.get("command"), s.get("shell"), str(s.get("shell_label") or ""))
                             for s in card.get("steps") or []], INDENT)
        elif card.get("input"):
            self._w(self._c(BOLD, t("Portal error code not recognised: {text}",
                                    text=cut_to_width(str(card["input"]), 60))))
            suggestions = [f"{s['code']} ({s['title']})" for s in card.get("suggestions") or []]
            if suggestions:
                self._para(t("Closest known codes: {codes}", codes=t.join(suggestions)), INDENT)
        if card.get("phase_name") and self.verbose:
            self._para(t("Failed sub-task: {phase}", phase=str(card["phase_name"])), INDENT)

    def _finding(self, f: FindingView, full: bool, indent: str = "") -> None:
        plain = f"{f.symbol if self.symbols is SYMBOLS else ASCII_SYMBOLS[f.status]} {f.status_label}"
        lines = wrap(f"{indent}{plain}  {f.title}", self.width, "", indent + "      ")
        lines[0] = lines[0].replace(plain, self._badge(f.status), 1)
        for line in lines:
            self._w(line)
        body = indent + INDENT
        self._para(f.summary, body)
        if f.because and self.verbose:
            self._para(f.because, body, code=DIM)
        if not full:
            return
        if f.why and self.verbose:
            self._para(self.t("Why: {text}", text=f.why), body, body + "  ")
        self._steps(list(f.steps), body)
        if self.verbose:
            if f.error_codes:
                self._para(self.t("Portal error codes: {codes}", codes=self.t.join(f.error_codes)), body, body + "  ")
            if f.vmassist:
                self._para(self.t("In VM assist: {names}", names="; ".join(f.vmassist)), body, body + "  ")
            for d in f.docs:
                self._para(f"- {d.title}", body, body + "  ")
                self._w(body + "  " + d.url)

    def _steps(self, steps: list[StepView], indent: str) -> None:
        if not steps:
            return
        self._w(indent + self.t("What to do:"))
        last_label = ""
        for i, s in enumerate(steps, 1):
            self._para(f"{i}. {s.text}", indent + "  ", indent + "     ")
            if s.command:
                if s.shell_label and s.shell_label != last_label:
                    self._w(self._c(DIM, indent + "     " + s.shell_label + ":"))
                    last_label = s.shell_label
                for cmd_line in s.command.splitlines():
                    self._w(indent + "     " + self._c(BOLD, cmd_line))

    def _glossary(self, answer: Answer) -> None:
        shown = {k for c in answer.causes for k in c.cause.terms}
        if self.verbose:
            shown = {g.key for g in answer.glossary}
        terms = [g for g in answer.glossary if g.key in shown][: None if self.verbose else 1]
        if not terms:
            return
        self._w()
        for g in terms:
            self._para(f"* {g.term}: {g.definition}", "", "  ", code=DIM)


def _version() -> str:
    from wizard import __version__

    return __version__


def _can_encode(stream: TextIO, sample: str) -> bool:
    enc = getattr(stream, "encoding", None) or "ascii"
    try:
        sample.encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def supports_colour(stream: TextIO) -> bool:
    """Colour only on a real terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") is not None or os.environ.get("TERM") == "dumb":
        return False
    try:
        if not stream.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    if sys.platform == "win32":
        return _enable_windows_vt()
    return True


def _enable_windows_vt() -> bool:
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        handle = kernel32.GetStdHandle(-11)
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))
    except (AttributeError, OSError):
        return False
