"""The Japanese catalog is complete, keeps every placeholder, and the compiled .mo and the .pot are current."""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

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


def _fresh_template(tmp_path: Path) -> Path:
    """Extract the template anew from the source, with the installed Babel and our keywords."""
    import os

    fresh = tmp_path / "fresh.pot"
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
    return fresh


def test_template_has_every_message_in_the_source(tmp_path: Path) -> None:
    source_ids = {m.id for m in _messages(_read(_fresh_template(tmp_path)))}
    po_ids = {m.id for m in _messages(_read(PO))}
    assert source_ids - po_ids == set(), "run: python scripts/catalog.py all"


def _keyword_specs() -> dict[str, tuple[int, ...]]:
    """`catalog.KEYWORDS` as {function name: 1-based argument positions holding the message}."""
    specs: dict[str, tuple[int, ...]] = {}
    for k in catalog.KEYWORDS:
        name, _, positions = k.partition(":")
        specs[name] = tuple(int(p) for p in positions.split(",")) if positions else (1,)
    return specs


def _literal_calls(path: Path) -> set[str | tuple[str, ...]]:
    """Every message a keyword call in `path` passes as a literal string, found with Python's own parser."""
    import ast

    specs = _keyword_specs()
    found: set[str | tuple[str, ...]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in specs:
            continue
        args = [node.args[i - 1] for i in specs[name] if i - 1 < len(node.args)]
        if args and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
            values = tuple(a.value for a in args)  # type: ignore[attr-defined]
            found.add(values[0] if len(values) == 1 else values)
    return found


def test_every_extracted_message_comes_from_a_keyword_call_with_a_literal(tmp_path: Path) -> None:
    """Babel 2.19 started extracting subscripts of names equal to a keyword (`doc["title"]`): whatever the
    installed Babel extracts from Python must be a literal argument of a real keyword call."""
    per_file: dict[str, set[str | tuple[str, ...]]] = {}
    stray = []
    python_messages = 0
    for msg in _messages(_read(_fresh_template(tmp_path))):
        for filename, _line in msg.locations:
            if not filename.endswith(".py"):
                continue
            python_messages += 1
            if filename not in per_file:
                per_file[filename] = _literal_calls(ROOT / filename)
            if msg.id not in per_file[filename]:
                stray.append((filename, msg.id))
    assert python_messages > 500
    assert stray == [], "these msgids are not literal keyword arguments; rename the local that collides"


def test_keyword_names_are_not_used_as_plain_variables() -> None:
    """A local named like an extraction keyword (`t`, `m`, `step`, `doc_link`) that is subscripted would
    be extracted by Babel 2.19 and later; keep such names callable-only."""
    import ast

    specs = _keyword_specs()
    bad = []
    for path in sorted((ROOT / "wizard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in specs):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}[...]")
    assert bad == []


def _hidden_literals(arg: object, specs: dict[str, tuple[int, ...]], top: bool = True) -> bool:
    """Whether a message argument holds a string literal that is not a message itself: a literal argument is
    one, and so is one inside a nested keyword call such as `step(N_("..."))`."""
    import ast

    if isinstance(arg, ast.JoinedStr):
        return False
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str) and not top
    if isinstance(arg, ast.Call):
        func = arg.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in specs:
            return False
    return any(_hidden_literals(child, specs, top=False) for child in ast.iter_child_nodes(arg))  # type: ignore[arg-type]


def test_no_keyword_call_hides_a_literal_inside_another_argument() -> None:
    """Babel 2.18 extracts the first string literal found anywhere inside a keyword call's parentheses
    (`t(LABELS["sh_root"])` gave the msgid "sh_root"); 2.19 does not. A keyword call whose message argument
    is not itself a literal must hold no string literal in it, so both versions extract the same template."""
    import ast

    specs = _keyword_specs()
    bad = []
    for path in sorted((ROOT / "wizard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name not in specs:
                continue
            for i in specs[name]:
                if i - 1 >= len(node.args):
                    continue
                if _hidden_literals(node.args[i - 1], specs):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:80]}")
    assert bad == [], "a string literal inside a non-literal message argument: Babel 2.18 extracts it"


def test_checks_hand_lists_to_the_translator_instead_of_joining_them() -> None:
    """A `", ".join(...)` inside a check puts an English list into a Japanese sentence; checks pass `listed(...)`
    and the translator joins (、 in Japanese). Joins that build a command or raw evidence are allowed here."""
    allowed = {("wizard/checks/net/dhcp.py", "others_list"),  # PowerShell arguments for a command to copy
               ("wizard/checks/res/vss_events.py", "_QUERIES_PS"),  # the PowerShell query itself
               ("wizard/checks/res/vss_events.py", "_KNOWN_BY_SOURCE")}  # the evidence's English note
    bad = []
    for path in sorted((ROOT / "wizard" / "checks").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"""["'](, | and )["']\s*\.join\(""", line):
                name = line.strip().split("=")[0].strip()
                if (rel, name) not in allowed:
                    bad.append(f"{rel}: {line.strip()}")
    assert bad == []
