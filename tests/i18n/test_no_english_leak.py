"""No English where Japanese is asked for: every shipped scenario, answered in Japanese, through the terminal
view, the plain-text summary the GUI copies, the answer's texts (what the JSON and the GUI pages show) and the
HTML report. A run of two or more lowercase English words is a leak, unless it is quoted evidence ("..."),
a command line, a path or a name on the allow-list below. The terminal lines also keep the kinsoku rules."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.knowledge.scenarios import TITLES
from wizard.launch import finish, resolve_scenario
from wizard.paths import resource
from wizard.present import build_answer
from wizard.present.summary import plain_summary
from wizard.present.terminal import TerminalView
from wizard.probes.scenario import ReplayProbe
from wizard.report import render_report

SCENARIOS = sorted(p.stem for p in resource("scenarios").glob("*.json"))
LEAK = re.compile(r"(?<![\w.-])[a-z]{3,}(?: [a-z]{2,})+(?![\w.-])")
QUOTED = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|<[^>\n]*>')
# Product, service and protocol names and evidence words that stay English in Japanese text.
ALLOWED = {"tcp dpt"}  # an iptables rule quoted as evidence
NAMES = re.compile(r"Transfer data to vault|Take Snapshot")  # portal sub-task names (Microsoft ja keeps them)
# A line that is a command to copy or a raw evidence line, not a sentence.
COMMAND_LINE = re.compile(r"^\s*(?:\$ |# |sudo |vssadmin|net |sc |REG |reg |netsh|Get-|Test-|Set-|Invoke-|curl|"
                          r"iptables|nft |awk |cat |grep |tail |waagent|systemctl|findmnt|mount|umount|fsck|"
                          r"Disable-|Remove-|icacls|bitsadmin|wevtutil|msiexec|apt|dnf|zypper|[A-Za-z]:\\|/)")
NO_LINE_START = set("、。)]）」』ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎー")
NO_LINE_END = set("([（「『")


def _diagnosis(name: str):  # type: ignore[no-untyped-def]
    path = resolve_scenario(name)
    return finish(runner.run(ALL_CHECKS, ReplayProbe.load(path)),
                  {"kind": "scenario", "path": str(path), "title": ReplayProbe.load(path).title}, None)


def _leaks(text: str) -> list[str]:
    found = []
    text = re.sub(r'"[^"]*"', "", NAMES.sub("", text))  # quoted evidence, also when wrapped over lines
    for line in text.splitlines():
        if COMMAND_LINE.match(line):
            continue
        prose = QUOTED.sub("", line)
        prose = re.sub(r"\S*[/\\]\S*|\S+\.\w+\b|\{\w+\}", "", prose)  # paths, file names, placeholders
        found += [w for w in LEAK.findall(prose) if w not in ALLOWED]
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "pre", "code", "kbd", "samp"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre", "code", "kbd", "samp") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


@pytest.fixture(scope="module", params=SCENARIOS)
def answered(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    diag = _diagnosis(request.param)
    return request.param, diag, build_answer(diag, "ja")


def test_terminal_view_is_japanese_and_keeps_kinsoku(answered) -> None:  # type: ignore[no-untyped-def]
    name, _diag, answer = answered
    out = io.StringIO()
    TerminalView(Translator("ja"), out, colour=False, width=80).report(answer)
    text = out.getvalue()
    assert _leaks(text) == [], name
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert [line for line in lines if line[0] in NO_LINE_START] == []
    assert [line for line in lines if line[-1] in NO_LINE_END] == []


def test_copied_summary_is_japanese(answered) -> None:  # type: ignore[no-untyped-def]
    name, _diag, answer = answered
    assert _leaks(plain_summary(answer)) == [], name


def test_answer_texts_are_japanese(answered) -> None:  # type: ignore[no-untyped-def]
    """What the GUI pages and the JSON answer show: titles, summaries, reasons and steps of every finding."""
    name, _diag, answer = answered
    texts = [answer.verdict]
    for f in answer.findings.values():
        texts += [f.title, f.summary, f.why, f.component_label, f.status_label, f.because]
        texts += [s.text for s in f.steps]
    assert _leaks("\n".join(t for t in texts if t)) == [], name


def test_report_is_japanese(answered) -> None:  # type: ignore[no-untyped-def]
    name, diag, _answer = answered
    parser = _Text()
    parser.feed(render_report(diag, "ja"))
    assert _leaks("\n".join(parser.parts)) == [], name


def test_demo_banner_shows_the_translated_title(answered) -> None:  # type: ignore[no-untyped-def]
    name, diag, answer = answered
    assert TITLES[name] == diag.source["title"]  # the shipped JSON carries the title of the table
    out = io.StringIO()
    view = TerminalView(Translator("ja"), out, colour=False, width=200)
    view.header(Translator("ja").gettext(TITLES[name]))
    view.report(answer)  # prints the header first
    assert Translator("ja").gettext(TITLES[name]) in out.getvalue()
    assert TITLES[name] not in out.getvalue()
    assert Translator("ja").gettext(TITLES[name]) in plain_summary(answer)


def test_the_leak_finder_finds_a_leak() -> None:
    assert _leaks("VSS ライターの状態は FAILED_AT_PREPARE_SNAPSHOT で、the writer has failed です。") == [
        "the writer has failed"]
    assert _leaks('ログに "Failed to freeze the mount" と記録されています。') == []
