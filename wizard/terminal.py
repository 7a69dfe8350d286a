"""The terminal view: live per-check lines while running, then the results explained.

Colour only on a TTY and never with `NO_COLOR`; symbols fall back to ASCII where the console
cannot encode them (a plain Windows console with cp932 or cp437); lines are wrapped by
display width, so Japanese (double-width) text wraps where it should.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from typing import Any, TextIO

from wizard.i18n import Translator
from wizard.labels import component_label, phase_label, status_label
from wizard.model import CheckResult, Component, Diagnosis, Phase, Status
from wizard.runner import Progress
from wizard.verdict import grouped, needs_detail, verdict

SYMBOLS = {
    Status.PROBLEM: "✖", Status.WARNING: "▲", Status.ERROR: "!", Status.NOT_CHECKED: "?",
    Status.INFO: "i", Status.OK: "✔",
}
ASCII_SYMBOLS = {
    Status.PROBLEM: "X", Status.WARNING: "!", Status.ERROR: "E", Status.NOT_CHECKED: "?",
    Status.INFO: "i", Status.OK: "+",
}
COLOURS = {
    Status.PROBLEM: "\033[1;31m", Status.WARNING: "\033[33m", Status.ERROR: "\033[35m",
    Status.NOT_CHECKED: "\033[36m", Status.INFO: "\033[34m", Status.OK: "\033[32m",
}
RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"


_OWN_CODES = "|".join(re.escape(code[2:]) for code in {*COLOURS.values(), RESET, BOLD, DIM})
# C0 and C1 control characters (tab and our own colour codes excepted), and the bidirectional overrides that
# reorder what a terminal shows.
_UNPRINTABLE = re.compile(r"\x1b(?!\[(?:" + _OWN_CODES + r"))|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]"
                          r"|[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe to write to a terminal: machine data (a host name, a log line, an IMDS field) may hold
    escape sequences that move the cursor, retitle the window or hide lines; each such character is shown
    as a visible escape (`\\x1b`) instead. Only the wizard's own colour codes pass."""
    return _UNPRINTABLE.sub(lambda mo: mo.group().encode("unicode_escape").decode("ascii"), text)


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


# Japanese line-breaking rule (kinsoku): these never start a line, they hang at the end of the previous one.
NO_LINE_START = frozenset("。、．，・：；？！）」』】〉》”’ー")


def wrap(text: str, width: int, indent: str = "", subsequent: str | None = None) -> list[str]:
    """Wrap by display width; breaks at spaces, and anywhere inside CJK text."""
    subsequent = indent if subsequent is None else subsequent
    width = max(width, display_width(indent) + 10)
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line, w = indent if not lines else subsequent, 0
        w = display_width(line)
        word = ""
        tokens: list[str] = []
        for ch in para:
            if ch == " " or char_width(ch) == 2:
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(ch)
            else:
                word += ch
        if word:
            tokens.append(word)
        for tok in tokens:
            tw = display_width(tok)
            if w + tw > width and line.strip() and tok not in NO_LINE_START:
                lines.append(line.rstrip())
                line = subsequent
                w = display_width(line)
                if tok == " ":
                    continue
            line += tok
            w += tw
        lines.append(line.rstrip())
    return lines


class TerminalView:
    """Writes the live lines and the final explanation to a stream."""

    def __init__(self, t: Translator, stream: TextIO | None = None, colour: bool | None = None,
                 width: int | None = None) -> None:
        self.t = t
        self.out = stream or sys.stdout
        self.colour = supports_colour(self.out) if colour is None else colour
        self.symbols = SYMBOLS if _can_encode(self.out, "".join(SYMBOLS.values()) + "─") else ASCII_SYMBOLS
        self.rule_char = self._pick("─", "-")
        self.ellipsis = self._pick("…", "...")
        self.dot = self._pick(" · ", " / ")
        self.arrow = self._pick(" › ", " > ")
        self.width = width or max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))

    # -- helpers ---------------------------------------------------------------------
    def _pick(self, fancy: str, plain: str) -> str:
        """`fancy` where the console can show it, else `plain` (a cp932 or cp437 console)."""
        return fancy if _can_encode(self.out, fancy) else plain

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.colour else text

    def _w(self, line: str = "") -> None:
        line = printable(line)
        try:
            self.out.write(line + "\n")
        except UnicodeEncodeError:
            enc = getattr(self.out, "encoding", None) or "ascii"
            self.out.write(line.encode(enc, "replace").decode(enc, "replace") + "\n")
        self.out.flush()

    def _badge(self, s: Status) -> str:
        return self._c(COLOURS[s], f"{self.symbols[s]} {status_label(s, self.t)}")

    def _badge_width(self, s: Status) -> int:
        return display_width(f"{self.symbols[s]} {status_label(s, self.t)}")

    # -- live ------------------------------------------------------------------------
    def header(self, total: int, source: str | None = None) -> None:
        t = self.t
        for line in wrap(t("VM Backup Wizard {version} - checking what Azure VM Backup needs inside "
                           "this VM ({n} checks). Nothing on the VM is changed.", version=_version(), n=total),
                         self.width):
            self._w(self._c(BOLD, line))
        if source:
            for line in wrap(t("Demo: replaying a recorded scenario, not this machine: {source}", source=source),
                             self.width):
                self._w(self._c(DIM, line))
        self._w()

    def symptom_card(self, symptom: dict[str, Any]) -> None:
        """The portal error code the user gave, explained, before the checks run."""
        from wizard.knowledge.symptom import render_symptom

        t = self.t
        card = render_symptom(symptom, t)
        indent = "   "
        if card.get("code"):
            self._w(self._c(BOLD, t("Portal error code: {code}", code=str(card["code"]))))
            for line in wrap(str(card["title"]), self.width, indent):
                self._w(line)
            for line in wrap(t("What it means: {text}", text=str(card["meaning"])), self.width, indent):
                self._w(line)
            self._w(indent + str(card["fixable_text"]))
            steps = card.get("steps") or []
            if steps:
                self._w(indent + t("What to do:"))
                for i, s in enumerate(steps, 1):
                    for line in wrap(f"{i}. {s['text']}", self.width, indent + "  ", indent + "     "):
                        self._w(line)
                    if s.get("command"):
                        for cmd_line in str(s["command"]).splitlines():
                            self._w(indent + "     " + self._c(BOLD, cmd_line))
            self._docs([(str(d["title"]), str(d["url"])) for d in card.get("docs") or []], indent)
            if card.get("related_checks"):
                self._w(indent + t("The checks related to this code are listed first in the results."))
        elif card.get("input"):
            self._w(self._c(BOLD, t("Portal error code not recognised: {text}", text=_cut(str(card["input"]), 60))))
            suggestions = [f"{s['code']} ({s['title']})" for s in card.get("suggestions") or []]
            if suggestions:
                self._w(indent + t("Closest known codes: {codes}", codes=", ".join(suggestions)))
            self._w(indent + t("All checks run as usual; --list-error-codes lists the codes the wizard knows."))
        if card.get("phase_name"):
            self._w(indent + t("Failed sub-task: {phase}", phase=str(card["phase_name"])))
        self._w()

    def progress(self, p: Progress) -> None:
        if p.kind != "finished" or p.result is None:
            return
        r = p.result
        label_w = 16
        badge = self._badge(r.status) + " " * max(1, label_w - self._badge_width(r.status))
        text = f"{self.t.msg(r.title)}: {self.t.msg(r.summary)}"
        avail = self.width - 2 - label_w - 1
        if display_width(text) > avail:
            text = _cut(text, avail - display_width(self.ellipsis)) + self.ellipsis
        self._w(f"  {badge}{text}")

    # -- final -----------------------------------------------------------------------
    def report(self, diag: Diagnosis) -> None:
        t = self.t
        self._w()
        self._w(self._c(BOLD, self.rule_char * 3 + " " + t("Results") + " " + self.rule_char * 3))
        worst = diag.worst() or Status.OK
        for line in wrap(verdict(diag, t), self.width):
            self._w(self._c(COLOURS[worst] if worst.rank <= Status.WARNING.rank else BOLD, line))
        host = diag.host
        facts = [t("Host: {hostname} ({os})", hostname=host.hostname or "?", os=host.os or "?")]
        if host.imds.get("name"):
            facts.append(t("VM: {name}, {size}, {location}", name=host.imds.get("name"),
                           size=host.imds.get("vm_size", ""), location=host.imds.get("location", "")))
        for line in wrap(self.dot.join(facts), self.width):
            self._w(self._c(DIM, line))
        for phase, comp, results in grouped(diag.results):
            self._w()
            heading = phase_label(Phase(phase), t) + self.arrow + component_label(Component(comp), t)
            for line in wrap(heading, self.width):
                self._w(self._c(BOLD, line))
            for r in results:
                self._result(r)
        self._w()
        self._w(self._summary_line(diag))

    def _result(self, r: CheckResult) -> None:
        t = self.t
        plain_badge = f"{self.symbols[r.status]} {status_label(r.status, t)}"
        lines = wrap(f"  {plain_badge}  {t.msg(r.title)}", self.width, "", "      ")
        lines[0] = lines[0].replace(plain_badge, self._badge(r.status), 1)
        for line in lines:
            self._w(line)
        body_indent = "      "
        for line in wrap(t.msg(r.summary), self.width, body_indent):
            self._w(line)
        if not needs_detail(r):
            return
        if r.why:
            for line in wrap(t("Why: {text}", text=t.msg(r.why)), self.width, body_indent, body_indent + "  "):
                self._w(line)
        if r.fix:
            self._w(body_indent + t("What to do:"))
            for i, s in enumerate(r.fix, 1):
                for line in wrap(f"{i}. {t.msg(s.text)}", self.width, body_indent + "  ", body_indent + "     "):
                    self._w(line)
                if s.command:
                    for cmd_line in s.command.splitlines():
                        self._w(body_indent + "     " + self._c(BOLD, cmd_line))
        if r.error_codes:
            for line in wrap(t("Portal error codes: {codes}", codes=", ".join(r.error_codes)), self.width,
                             body_indent, body_indent + "  "):
                self._w(line)
        self._docs([(t.msg(d.title), d.url) for d in r.docs], body_indent)

    def _docs(self, docs: list[tuple[str, str]], indent: str) -> None:
        """Doc links: the title wrapped, the URL on a line of its own so it is never broken."""
        if not docs:
            return
        self._w(indent + self.t("Docs:"))
        for title, url in docs:
            for line in wrap(f"- {title}", self.width, indent + "  ", indent + "    "):
                self._w(line)
            self._w(indent + "    " + url)

    def _summary_line(self, diag: Diagnosis) -> str:
        counts = diag.counts()
        parts = [f"{status_label(Status(s), self.t)}: {n}" for s, n in counts.items() if n]
        return self.t("Summary: {counts} - finished in {seconds} s", counts=", ".join(parts),
                      seconds=f"{diag.duration_s:.1f}")


def _cut(text: str, width: int) -> str:
    out, w = "", 0
    for ch in text:
        cw = char_width(ch)
        if w + cw > width:
            break
        out += ch
        w += cw
    return out


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
