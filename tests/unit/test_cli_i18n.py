"""`--help` and argparse's own messages in the user's language: our option help through the catalog, argparse's
fixed words ("usage:", "options:", its errors) through `wizard.cli_i18n`, without touching global gettext state."""

from __future__ import annotations

import argparse
import gettext
import re
from pathlib import Path

import pytest

from wizard.cli import build_parser, language_asked, main
from wizard.cli_i18n import ARGPARSE_MESSAGES, argparse_speaks
from wizard.i18n import Translator
from wizard.launch import UsageError
from wizard.present.linebreak import display_width

# What may stay Latin in the Japanese help: option names, metavars and choices, quoted values, and names.
_KEPT = re.compile(r"--?[\w-]+|\{[^}]*\}|'[^']*'|\b[A-Z][\w/.:-]*|\b(?:vmId|vmbackup-wizard)\b|[\d.:+-]+")
_ENGLISH_WORD = re.compile(r"\b[a-z]{2,}\b")
PLURALS = [("expected %s argument", "expected %s arguments")]


def _help(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code in (0, None)
    return capsys.readouterr().out


def _os_language(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", value)
    monkeypatch.setattr("wizard.i18n._windows_ui_language", lambda: None)


def test_help_in_japanese_has_no_english_sentence(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(monkeypatch, capsys, "--help", "--lang", "ja")
    assert text.startswith("使用法: vmbackup-wizard ")
    assert "\nオプション:\n" in text
    assert "このヘルプを表示して終了します" in text
    assert "ターミナル表示" in text and "確認項目" in text
    leftovers = [(line, _ENGLISH_WORD.findall(_KEPT.sub(" ", line))) for line in text.splitlines()]
    assert [x for x in leftovers if x[1]] == []
    # wrapped by display width (a Japanese character takes two cells), not by character count
    assert max(display_width(line) for line in text.splitlines() if "{" not in line) <= 100


def test_help_in_english_is_argparse_as_usual(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(monkeypatch, capsys, "--lang", "en", "--help")
    assert text.startswith("usage: vmbackup-wizard ")
    assert "show this help message and exit" in text
    assert "terminal view instead of the graphical wizard" in text
    assert not re.search("[\u3041-\u30ff\u4e00-\u9fff]", text)


def test_a_japanese_locale_gives_japanese_help_and_lang_wins(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _os_language(monkeypatch, "ja_JP.UTF-8")
    assert "このヘルプを表示して終了します" in _help(monkeypatch, capsys, "--help")
    assert "show this help message and exit" in _help(monkeypatch, capsys, "--help", "--lang=en")
    _os_language(monkeypatch, "C.UTF-8")
    assert "show this help message and exit" in _help(monkeypatch, capsys, "-h")


def test_language_is_known_before_parsing() -> None:
    assert language_asked(["--cli", "--lang", "ja"]) == "ja"
    assert language_asked(["--lang=ja", "--lang", "en"]) == "en"
    assert language_asked(["--lang", "fr", "--lang=ja"]) == "ja"  # an unknown language does not count
    assert language_asked(["--", "--lang", "ja"]) == language_asked([])


@pytest.mark.parametrize(("argv", "japanese", "english"), [
    (["--no-such-option"], "認識できない引数があります: --no-such-option", "unrecognized arguments: --no-such-option"),
    (["--json"], "引数 --json: 値を 1 つ指定してください", "argument --json: expected one argument"),
    (["--phase", "later"], "引数 --phase: 無効な値です: 'later' (", "argument --phase: invalid choice: 'later'"),
    (["--wireserver-port", "x"], "int 型の値として無効です: 'x'", "invalid int value: 'x'"),
    (["--compare", "a.json"], "引数 --compare: 値を 2 個指定してください", "expected 2 arguments"),
    (["--cli=yes"], "このオプションには値を指定できません: 'yes'", "ignored explicit argument 'yes'"),
    (["--re", "x"], "オプション --re があいまいです。候補: ", "ambiguous option: --re could match"),
    (["--wireserver-port", "70000"], "--wireserver-port には 1 - 65535 の値を指定してください",
     "--wireserver-port must be between 1 and 65535"),
    (["--screenshots", "shots"], "--screenshots には --scenario が必要です。", "--screenshots needs --scenario."),
])
def test_usage_errors_are_one_line_in_the_users_language(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                         japanese: str, english: str) -> None:
    for lang, expected in (("ja", japanese), ("en", english)):
        assert main(["--cli", "--lang", lang, *argv]) == 3
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("vmbackup-wizard: ") and expected in err[0], err


def test_errors_found_after_parsing_are_translated_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--lang", "ja", "--only", "net.nope,env.azure"]) == 3
    assert "不明な確認項目 ID です: net.nope (--list-checks を参照してください)" in capsys.readouterr().err
    assert main(["--cli", "--lang", "ja", "--imds", "nohost"]) == 3
    assert "--imds には HOST:PORT の形式で指定してください (例: 127.0.0.1:8080)" in capsys.readouterr().err
    assert main(["--cli", "--lang", "en", "--only", "net.nope,x.y"]) == 3
    assert "unknown check id(s): net.nope, x.y (see --list-checks)" in capsys.readouterr().err


def test_argparse_and_gettext_are_left_as_they_were(capsys: pytest.CaptureFixture[str]) -> None:
    before = vars(argparse)["_"], vars(argparse)["ngettext"]
    assert main(["--cli", "--lang", "ja", "--no-such-option"]) == 3
    assert (vars(argparse)["_"], vars(argparse)["ngettext"]) == before
    assert gettext.gettext("usage: ") == "usage: "
    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other")
    with pytest.raises(RuntimeError), argparse_speaks(Translator("ja")):
        assert argparse.ArgumentParser(prog="x").format_usage().startswith("使用法: x")
        raise RuntimeError  # restored on the way out of an exception as well
    assert vars(argparse)["_"] is before[0]


def test_usage_continuation_lines_line_up_under_the_program_name() -> None:
    t = Translator("ja")
    with argparse_speaks(t):
        usage = build_parser(t).format_usage().rstrip("\n").splitlines()
    assert len(usage) > 1
    column = display_width("使用法: vmbackup-wizard ")
    assert all(len(line) - len(line.lstrip(" ")) == column for line in usage[1:])


def test_every_string_argparse_asks_for_here_is_in_our_catalog() -> None:
    """On whichever Python runs the tests (3.11 to 3.13 word some of them differently), every text argparse
    looks up for our help and our parser's errors is one we list for extraction, and it is translated."""
    asked: list[str] = []

    class Recorder(Translator):
        def gettext(self, text: str) -> str:
            asked.append(text)
            return super().gettext(text)

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            asked.append(singular)
            return super().ngettext(singular, plural, n)

    build_parser(Recorder("ja"))  # our own help texts, asked for outside argparse
    own = set(asked)
    asked.clear()
    t = Recorder("ja")
    with argparse_speaks(t):
        parser = build_parser(t)
        parser.format_help()
        for argv in (["--nope"], ["--json"], ["--phase", "x"], ["--wireserver-port", "x"], ["--compare", "a"],
                     ["--cli=1"], ["--re", "x"]):
            with pytest.raises(UsageError):
                parser.parse_args(argv)
    from_argparse = set(asked) - own
    assert {"usage: ", "show this help message and exit", "expected one argument"} <= from_argparse
    assert sorted(from_argparse - set(ARGPARSE_MESSAGES) - {s for s, _ in PLURALS}) == []
    japanese = Translator("ja")
    assert [m for m in ARGPARSE_MESSAGES if japanese.gettext(m) == m and m != "%(heading)s:"] == []
    assert [p for s, p in PLURALS if japanese.ngettext(s, p, 2) in (s, p)] == []


def test_an_unusable_scenario_is_reported_in_the_users_language(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 99}', encoding="utf-8")
    assert main(["--cli", "--lang", "ja", "--scenario", str(bad)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"vmbackup-wizard: {bad} のシナリオ スキーマは 99 です。このバージョンが読み取れるのは 1 です"]
    assert main(["--cli", "--lang", "en", "--scenario", str(tmp_path / "none.json")]) == 3
    assert f"cannot read scenario {tmp_path / 'none.json'}: " in capsys.readouterr().err
    assert main(["--cli", "--lang", "ja", "--scenario", str(tmp_path / "none.json")]) == 3
    assert f"シナリオ {tmp_path / 'none.json'} を読み取れません: " in capsys.readouterr().err
