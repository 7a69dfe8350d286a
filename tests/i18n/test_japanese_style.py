"""Lint of the Japanese catalog: the terminology table (i18n/terminology.csv) and the style rules of
i18n/README.md hold for every msgstr, so the next translator cannot bring the review's problems back.

Each rule names the entries that break it; a deliberate exception goes into the rule's allow-list here,
with the reason, not into a looser pattern."""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "i18n" / "ja" / "LC_MESSAGES" / "wizard.po"
TABLE = ROOT / "i18n" / "terminology.csv"

MAX_SENTENCE = 110  # characters between two 。 (review: longer ones do not fit the GUI detail pane)
JA_CHAR = r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff\u3005]"  # kana and kanji, no punctuation

# Literal text does not count towards MAX_SENTENCE: quoted log lines and long tokens (paths, registry keys,
# URLs, identifiers) cannot be cut, and the GUI wraps them anyway.
LITERAL = re.compile(r'"[^"]*"|[A-Za-z0-9_.:\\/?=+-]{12,}')
# Fix steps that are a note rather than an instruction (no 〜してください on purpose).
STEP_NOTES = {
    "VMs with write accelerator disks are an exception: they need internet access for backups to succeed.",
}
# English words that may stand alone in a Japanese msgstr: names, commands and raw originals (in parentheses).
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")
COMMAND_NAMES = {"fsfreeze"}


def _catalog() -> list[tuple[str, str]]:
    with PO.open("rb") as fh:
        cat = read_po(fh, locale="ja")
    out = []
    for m in cat:
        if not m.id:
            continue
        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
        for s in (m.string if isinstance(m.string, tuple) else (m.string,)):
            out.append((msgid, s))
    return out


CATALOG = _catalog()
with TABLE.open(encoding="utf-8", newline="") as _fh:
    TERMS = list(csv.DictReader(_fh))


def _is_label(msgid: str) -> bool:
    """Headings, legends, buttons: short and not a sentence."""
    return len(msgid) <= 45 and not msgid.rstrip().endswith(".")


def _step_ids() -> set[str]:
    """The English text of every fix step: literal first argument of a `step(...)` call, bare or in N_()."""
    ids: set[str] = set()
    for path in (ROOT / "wizard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name != "step":
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "N_" and arg.args:
                arg = arg.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                ids.add(arg.value)
    return ids


def test_the_table_is_well_formed() -> None:
    assert len(TERMS) >= 30
    for row in TERMS:
        assert row["english"] and row["japanese"] and row["source"], row
        for key in ("en_pattern", "ja_required", "forbidden"):
            if row[key]:
                re.compile(row[key])
        assert bool(row["en_pattern"]) == bool(row["ja_required"]), row["english"]


@pytest.mark.parametrize("row", [r for r in TERMS if r["forbidden"]], ids=lambda r: r["english"])
def test_forbidden_variants_are_absent(row: dict[str, str]) -> None:
    pattern = re.compile(row["forbidden"])
    bad = [(i, s) for i, s in CATALOG if pattern.search(s)]
    assert bad == [], f"use {row['japanese']}"


@pytest.mark.parametrize("row", [r for r in TERMS if r["en_pattern"]], ids=lambda r: r["english"])
def test_required_term_is_used_where_the_english_term_is(row: dict[str, str]) -> None:
    en, ja = re.compile(row["en_pattern"]), re.compile(row["ja_required"])
    bad = [(i, s) for i, s in CATALOG if en.search(i) and not ja.search(s)]
    assert bad == [], f"use {row['japanese']}"


def test_parentheses_are_half_width_with_a_space_around_them() -> None:
    full_width = [(i, s) for i, s in CATALOG if re.search("[（）]", s)]
    assert full_width == []
    no_space = [(i, s) for i, s in CATALOG
                if re.search(JA_CHAR + r"\((?!&)", s) or re.search(r"\)" + JA_CHAR, s) or ")(" in s]
    assert no_space == []


def test_ui_labels_use_square_brackets_and_literal_text_straight_quotes() -> None:
    assert [(i, s) for i, s in CATALOG if re.search("[「」『』]", s)] == []


def test_accelerators_are_kept_in_japanese_form() -> None:
    bad = []
    for msgid, s in CATALOG:
        found = re.search(r"&([A-Za-z0-9])", msgid.replace("&&", ""))
        if found and f"(&{found.group(1).upper()})" not in s:
            bad.append((msgid, s))
    assert bad == []


def test_numbered_steps_are_instructions() -> None:
    steps = _step_ids()
    assert len(steps) > 250
    bad = [(i, s) for i, s in CATALOG if i in steps and i not in STEP_NOTES and "ください" not in s]
    assert bad == []


def test_sentences_stay_short() -> None:
    bad = [(len(LITERAL.sub("", sentence)), sentence) for _, s in CATALOG for sentence in re.split(r"(?<=。)", s)
           if len(LITERAL.sub("", sentence)) > MAX_SENTENCE]
    assert sorted(bad, reverse=True) == []


def test_phase_gloss_only_in_labels() -> None:
    gloss = re.compile(r"\((?:スナップショットの取得|Recovery Services コンテナーへの転送)\)")
    bad = [(i, s) for i, s in CATALOG if gloss.search(s) and not _is_label(i) and not gloss.search(i)]
    assert bad == []


def test_wire_server_address_only_where_the_english_has_it() -> None:
    bad = [(i, s) for i, s in CATALOG if "Wire Server (168.63.129.16)" in s and "168.63.129.16" not in i]
    assert bad == []


def test_no_entry_is_left_in_english() -> None:
    def prose(s: str) -> str:  # without placeholders, raw originals in parentheses and product names
        return re.sub(r"\{\w+\}|\([^()]*\)|\b[A-Z][\w.+-]*", "", s.replace("&", ""))

    bad = [(i, s) for i, s in CATALOG
           if s not in COMMAND_NAMES and not re.search(JA_CHAR, s) and ENGLISH_WORD.search(prose(s))]
    assert bad == []


def test_the_lint_catches_what_the_review_found() -> None:
    """The rules above, applied to the review's own examples, fail: the lint can catch a regression."""
    examples = ["ウィザードを Administrator として再起動してください",
                "プリスクリプトとポストスクリプトの構成", "ファイル システムを凍結 (fsfreeze)",
                "Wire Server（168.63.129.16）", "「拡張機能とアプリケーション」ページ", "送信ブロック規則"]
    forbidden = [re.compile(r["forbidden"]) for r in TERMS if r["forbidden"]] + [re.compile("[（）「」]")]
    assert all(any(p.search(e) for p in forbidden) for e in examples)
    assert re.search(JA_CHAR + r"\((?!&)", "プロキシ(WinHTTP)")
    review_11 = ("VM エージェントとバックアップ拡張機能は root として動作し、"
                 "Take Snapshot（スナップショットの取得）フェーズでポート 80 と 32526 を使って "
                 "168.63.129.16 に接続する必要があり、このルールがあるとスナップショットの要求も"
                 "状態の報告もできないため、バックアップは失敗します。")
    assert len(LITERAL.sub("", review_11)) > MAX_SENTENCE
