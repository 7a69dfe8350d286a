"""The messages of the `res.*` checks are extractable, whole and consistent with their parameters.

Babel extracts the first argument of m()/step()/doc_link() and the 4th argument of Check(), so each must
be a literal string; every {placeholder} must be passed (and nothing else); and no message may look
like a printf format to Babel (a "%" followed by a conversion letter, e.g. "90 % of"), which would
mark it python-format and make the catalog check fail on the Japanese translation.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT

from wizard.checks import res

SOURCES = sorted(Path(res.__file__).parent.glob("*.py"))  # the `res` package: one module per topic


def _calls() -> list[ast.Call]:
    trees = [ast.parse(source.read_text(encoding="utf-8")) for source in SOURCES]
    return [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in ("m", "step", "doc_link", "Check")]


def _text(call: ast.Call) -> ast.expr:
    return call.args[3] if call.func.id == "Check" else call.args[0]  # type: ignore[attr-defined]


def messages() -> list[str]:
    out = []
    for call in _calls():
        node = _text(call)
        assert isinstance(node, ast.Constant) and isinstance(node.value, str), ast.dump(node)
        out.append(node.value)
    return out


def test_every_message_is_a_literal() -> None:
    assert len(messages()) > 80


def test_no_message_looks_like_a_printf_format() -> None:
    assert [t for t in messages() if PYTHON_FORMAT.search(t)] == []


def test_placeholders_match_the_parameters() -> None:
    wrong = []
    for call in _calls():
        if call.func.id not in ("m", "step"):  # type: ignore[attr-defined]
            continue
        text = _text(call).value  # type: ignore[attr-defined]
        wanted = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        given = {k.arg for k in call.keywords if k.arg and k.arg != "command"}
        if wanted != given:
            wrong.append((text, wanted, given))
    assert wrong == []


def test_titles_are_short_noun_phrases() -> None:
    for check in res.CHECKS:
        assert check.title and len(check.title) <= 40 and not check.title.endswith(".")
