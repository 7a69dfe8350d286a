"""The Japanese catalog is complete, keeps every placeholder, and the compiled .mo and the .pot are current."""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "i18n" / "ja" / "LC_MESSAGES" / "wizard.po"
MO = PO.with_suffix(".mo")
POT = ROOT / "i18n" / "wizard.pot"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}")

sys.path.insert(0, str(ROOT / "scripts"))
import catalog  # noqa: E402


def _read(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        return read_po(fh, locale="ja")


def _messages(cat) -> list:  # type: ignore[no-untyped-def]
    return [m for m in cat if m.id]


def _ids(m) -> list[str]:  # type: ignore[no-untyped-def]
    return list(m.id) if isinstance(m.id, tuple) else [m.id]


def _strs(m) -> list[str]:  # type: ignore[no-untyped-def]
    return list(m.string) if isinstance(m.string, tuple) else [m.string]


def test_every_message_is_translated_and_not_fuzzy() -> None:
    cat = _read(PO)
    missing = [m.id for m in _messages(cat) if not all(_strs(m))]
    fuzzy = [m.id for m in _messages(cat) if m.fuzzy]
    assert missing == [] and fuzzy == []


def test_translations_keep_every_placeholder() -> None:
    lost = []
    for m in _messages(_read(PO)):
        want = set().union(*(set(PLACEHOLDER.findall(i)) for i in _ids(m)))
        for s in _strs(m):
            if set(PLACEHOLDER.findall(s)) != want:
                lost.append((m.id, s))
    assert lost == []


def test_compiled_catalog_matches_the_po() -> None:
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for m in _messages(_read(PO)):
        if isinstance(m.id, tuple):
            got = compiled.ngettext(m.id[0], m.id[1], 1)
            want = _strs(m)[0]
        else:
            got, want = compiled.gettext(m.id), m.string
        if got != want:
            stale.append(m.id)
    assert stale == [], "run: python scripts/catalog.py compile"


def test_template_has_every_message_in_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = tmp_path / "fresh.pot"
    monkeypatch.setattr(catalog, "POT", fresh)
    monkeypatch.setattr(catalog, "ROOT", ROOT)
    import os
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        kw: list[str] = []
        for k in catalog.KEYWORDS:
            kw += ["-k", k]
        catalog.pybabel("extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords", *kw,
                        "-o", str(fresh), ".")
    finally:
        os.chdir(cwd)
    source_ids = {m.id for m in _messages(_read(fresh))}
    po_ids = {m.id for m in _messages(_read(PO))}
    assert source_ids - po_ids == set(), "run: python scripts/catalog.py all"
