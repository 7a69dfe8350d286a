"""The terminal view's rendering: symbols per console, colour rules, wrapping by display width."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.paths import resource
from wizard.present import build_answer
from wizard.present.terminal import NO_LINE_START, TerminalView, display_width, supports_colour, wrap
from wizard.probes.scenario import ReplayProbe


class _Stream(io.StringIO):
    def __init__(self, encoding: str, tty: bool) -> None:
        super().__init__()
        self._encoding = encoding
        self._tty = tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return self._tty


def _diag(name: str = "windows-vss-writer-failed-ja", lang: str = "en"):  # type: ignore[no-untyped-def]
    return build_answer(runner.run(ALL_CHECKS, ReplayProbe.load(resource("scenarios", name + ".json"))), lang)


def test_plain_windows_console_gets_ascii_symbols_and_japanese_text() -> None:
    out = _Stream("cp932", tty=False)
    view = TerminalView(Translator("ja"), out, colour=False, width=80)
    view.report(_diag(lang="ja"))
    text = out.getvalue()
    text.encode("cp932")  # everything printed can be shown by a Japanese Windows console
    assert "✔" not in text and "X 問題" in text
    assert "VSS" in text


def test_utf8_terminal_gets_symbols() -> None:
    out = _Stream("utf-8", tty=False)
    TerminalView(Translator("en"), out, colour=False, width=100).report(_diag())
    assert "✖ Problem" in out.getvalue()


def test_colour_only_on_a_tty_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert supports_colour(_Stream("utf-8", tty=True)) is True
    assert supports_colour(_Stream("utf-8", tty=False)) is False
    monkeypatch.setenv("NO_COLOR", "")
    assert supports_colour(_Stream("utf-8", tty=True)) is False


def test_lines_never_exceed_the_width_except_unbreakable_words() -> None:
    out = _Stream("utf-8", tty=False)
    answer = _diag("linux-firewall-drops-wireserver", "ja")
    TerminalView(Translator("ja"), out, colour=False, width=72, verbose=True).report(answer)
    commands = {s.command for f in answer.findings.values() for s in f.steps if s.command}
    for line in out.getvalue().splitlines():
        if line.strip() in commands:  # a command is printed whole, to be copied
            continue
        if line and line[-1] in NO_LINE_START:  # closing punctuation hangs past the width (kinsoku)
            line = line[:-1]
        if display_width(line) > 72:
            assert " " not in line.strip() or "://" in line or line.strip().startswith(("sudo", "Test-", "-"))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=200),
       st.integers(min_value=20, max_value=120))
def test_wrap_keeps_every_character_and_respects_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join("".join(lines).split()) == "".join(text.split())
    for line in lines:
        if line and line[-1] in NO_LINE_START:
            line = line[:-1]
        too_long = display_width(line) > width
        assert not too_long or any(display_width(w) > width - 10 for w in line.split())


def test_japanese_closing_punctuation_never_starts_a_line() -> None:
    text = "あ" * 9 + "。次の文です。"
    lines = wrap(text, 20)
    assert lines[0].endswith("。") and not any(line.startswith("。") for line in lines)


def test_japanese_breaks_between_phrases_not_inside_them() -> None:
    """BudouX finds the phrases (文節); a line may end only where one ends, or at a space between Latin words.
    Character-by-character breaking (the old way) cut 「見つかり|ました」 and 「バック|アップが」 at these widths."""
    import budoux

    text = ("この VM の内部で 1 件の問題が見つかりました。Take Snapshot フェーズでバックアップが失敗する原因に"
            "なります。ゲスト OS のファイアウォールが、root から Wire Server への接続をブロックしています。")
    ends, at = set(), 0
    for phrase in budoux.load_default_japanese_parser().parse(text):
        at += len(phrase.replace(" ", ""))
        ends.add(at)
    for width in range(24, 73, 4):
        lines = wrap(text, width)
        assert "".join("".join(lines).split()) == "".join(text.split())
        done = 0
        for line in lines[:-1]:
            done += len(line.replace(" ", ""))
            last, following = line.rstrip()[-1], text.replace(" ", "")[done]
            latin_space = last.isascii() and following.isascii()
            assert done in ends or latin_space, (width, line)
        assert not any(line.startswith(("の", "が", "を", "で")) for line in lines), (width, lines)


def test_a_phrase_wider_than_a_line_breaks_between_its_words_before_its_letters() -> None:
    """BudouX keeps 「バックアップ拡張機能」 as one phrase; in a diagram box it is too wide, and it must break
    between the katakana word and the kanji compound, not inside 「バックアップ」 or 「コンテナー」."""
    from wizard.present.linebreak import wrap_text

    assert wrap_text("バックアップ拡張機能", 80, 13, bold=True) == ["バックアップ", "拡張機能"]
    assert wrap_text("Recovery Services コンテナー", 80, 13, bold=True) == ["Recovery", "Services", "コンテナー"]
    assert wrap("バックアップ拡張機能の状態", 14) == ["バックアップ", "拡張機能の状態"]
def test_a_straight_quote_around_japanese_text_stays_with_it() -> None:
    text = ("VSS ライター 'System Writer' の状態は [8] 失敗 (スナップショットの準備時) で、"
            "最後のエラーは \"再試行可能なエラー\" です。")
    for width in range(30, 90):
        lines = wrap(text, width)
        assert "".join("".join(lines).split()) == "".join(text.split())
        assert not any(line.endswith(' "') or line == '"' or line.startswith('" ') for line in lines), (width, lines)
        assert not any(line.startswith('"') and not line.startswith('"再') for line in lines), (width, lines)
