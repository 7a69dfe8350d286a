#!/usr/bin/env python3
"""Maintain the message catalogs under i18n/ with Babel.

    python scripts/catalog.py extract            # wizard/**.py -> i18n/wizard.pot
    python scripts/catalog.py update             # merge the .pot into i18n/ja/LC_MESSAGES/wizard.po
    python scripts/catalog.py fill FILE.json ... # fill empty Japanese msgstr from {msgid: msgstr} files
                                                 # (or from another wizard.po, e.g. when merging branches)
    python scripts/catalog.py compile            # .po -> .mo
    python scripts/catalog.py all [FILE.json ...]# all of the above in order
    python scripts/catalog.py status             # untranslated / fuzzy counts
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "i18n" / "wizard.pot"
LANGS = ("ja",)
KEYWORDS = ["N_", "m", "step", "doc_link", "Check:4", "gettext", "ngettext:1,2", "_", "t"]


def po_path(lang: str) -> Path:
    return ROOT / "i18n" / lang / "LC_MESSAGES" / "wizard.po"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    os.chdir(ROOT)
    kw: list[str] = []
    for k in KEYWORDS:
        kw += ["-k", k]
    pybabel("extract", "-F", str(ROOT / "babel.cfg"), "--no-default-keywords", *kw,
            "--project", "vmbackup-wizard", "--copyright-holder", "VM Backup Wizard developers",
            "--sort-by-file", "--width", "100", "-o", str(POT.relative_to(ROOT)), ".")


def update() -> None:
    for lang in LANGS:
        po = po_path(lang)
        if not po.exists():
            po.parent.mkdir(parents=True, exist_ok=True)
            pybabel("init", "-i", str(POT), "-d", str(ROOT / "i18n"), "-D", "wizard", "-l", lang)
        else:
            pybabel("update", "-i", str(POT), "-d", str(ROOT / "i18n"), "-D", "wizard", "-l", lang,
                    "--no-fuzzy-matching", "--ignore-obsolete", "--width", "100")


def fill(files: list[str], lang: str = "ja") -> None:
    table: dict[str, object] = {}
    for f in files:
        if f.endswith(".po"):  # another branch's catalog: take its translations (used when merging)
            with open(f, "rb") as fh:
                other = read_po(fh, locale=lang)
            for msg in other:
                if msg.id and (all(msg.string) if isinstance(msg.string, tuple) else msg.string):
                    key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
                    table[key] = list(msg.string) if isinstance(msg.string, tuple) else msg.string
        else:
            table.update(json.loads(Path(f).read_text(encoding="utf-8")))
    po = po_path(lang)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    filled = 0
    for msg in catalog:
        key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
        if not key or key not in table:
            continue
        value = table[key]
        if isinstance(msg.id, tuple):
            if not any(msg.string):
                msg.string = tuple(value) if isinstance(value, list) else (value,)
                filled += 1
        elif not msg.string:
            msg.string = value
            filled += 1
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_by_file=True)
    print(f"filled {filled} messages in {po.relative_to(ROOT)}")


def compile_() -> None:
    for lang in LANGS:
        pybabel("compile", "-d", str(ROOT / "i18n"), "-D", "wizard", "-l", lang, "--use-fuzzy")


def status() -> int:
    bad = 0
    for lang in LANGS:
        with po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple)
                                                         else m.string)]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        print(f"{lang}: {len(catalog)} messages, {len(missing)} untranslated, {len(fuzzy)} fuzzy")
        for mid in missing[:50]:
            print("  untranslated:", mid if isinstance(mid, str) else mid[0])
        bad += len(missing) + len(fuzzy)
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "extract":
        extract()
    elif cmd == "update":
        update()
    elif cmd == "fill":
        fill(rest)
    elif cmd == "compile":
        compile_()
    elif cmd == "status":
        return status()
    elif cmd == "all":
        extract()
        update()
        if rest:
            fill(rest)
        compile_()
        return status()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
