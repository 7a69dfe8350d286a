"""A scenario's title and description are capped, and a long word wraps in linear time (found by
benchmarks/bench_hostile.py: a 300,000-character title without a space took about two minutes)."""

from __future__ import annotations

import json
from pathlib import Path

from wizard.present.linebreak import display_width, wrap
from wizard.probes.scenario import MAX_DESCRIPTION, MAX_TITLE, ReplayProbe

ROOT = Path(__file__).resolve().parents[2]


def test_title_and_description_are_capped() -> None:
    doc = json.loads((ROOT / "resources" / "scenarios" / "healthy-linux.json").read_text(encoding="utf-8"))
    doc["title"], doc["description"] = "A" * 300_000, "€" * 300_000
    probe = ReplayProbe(doc)
    assert len(probe.title) == MAX_TITLE and probe.title.endswith("…")
    assert len(probe.description) == MAX_DESCRIPTION and probe.description.endswith("…")
    doc["title"] = "short"
    assert ReplayProbe(doc).title == "short"


def test_a_word_longer_than_many_lines_is_cut_into_full_lines() -> None:
    lines = wrap("B" * 50_000 + " end", 100, indent="  ")
    assert "".join(line.strip() for line in lines) == "B" * 50_000 + " end"
    assert all(display_width(line) <= 100 for line in lines)
    assert len(lines) == 50_000 // 98 + 1  # 98 B after the indent on each full line, the rest and " end" last
