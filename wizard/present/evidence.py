"""Evidence as an engineer reads it: key/value rows with paths and text as they are (no JSON escaping).

Nested objects become dotted keys (`inner_report.status`), lists of plain values one comma-separated
value, lists of objects one row per item (`findings[2].summary`). Values keep their original language
and are never translated; long values are cut with a note of their length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_VALUE_CHARS = 4000
MAX_ROWS = 400


@dataclass(frozen=True)
class EvidenceRow:
    key: str
    value: str


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _cut(text: str) -> str:
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return text[:MAX_VALUE_CHARS] + f" … ({len(text)} characters)"


def evidence_rows(evidence: dict[str, Any], prefix: str = "", depth: int = 0) -> list[EvidenceRow]:
    rows: list[EvidenceRow] = []
    for key, value in evidence.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and depth < 6:
            rows.extend(evidence_rows(value, name + ".", depth + 1))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and depth < 6:
            for i, item in enumerate(value):
                rows.extend(evidence_rows(item, f"{name}[{i}].", depth + 1))
        elif isinstance(value, list):
            rows.append(EvidenceRow(name, _cut(", ".join(_text(v) for v in value)) if value else "[]"))
        else:
            rows.append(EvidenceRow(name, _cut(_text(value))))
        if len(rows) >= MAX_ROWS:
            rows = rows[:MAX_ROWS]
            rows.append(EvidenceRow("…", f"more evidence in the JSON ({len(evidence)} top-level fields)"))
            break
    return rows
