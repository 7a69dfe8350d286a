"""`--smoke-test` from source: every step passes here, and the line-breaking step fails when BudouX's model is
missing (what a bundle that lost it would show), instead of the terminal quietly breaking after any kana."""

from __future__ import annotations

import io

import pytest

from wizard import smoke
from wizard.present import linebreak


def test_every_step_passes_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    out = io.StringIO()
    assert smoke.run(out) == 0, out.getvalue()
    assert "ok   line breaking: Japanese breaks between phrases (BudouX)" in out.getvalue()


def test_a_missing_phrase_model_fails_the_smoke_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linebreak, "_phrase_parser", lambda: None)
    with pytest.raises(RuntimeError, match="BudouX"):
        smoke._line_breaking()
