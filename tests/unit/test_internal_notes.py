"""Internal research notes never reach a user: evidence and messages say "not confirmed by public
documentation" in words a support engineer reads, never our own labels or section numbers of our files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKERS = re.compile(r"UNCONFIRMED|DERIVED|facts §|§\d")


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_string_that_can_reach_a_user_carries_an_internal_note() -> None:
    found = []
    for path in sorted((ROOT / "wizard").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                    and MARKERS.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:70]!r}")
    assert found == []
