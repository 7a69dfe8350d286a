"""PowerShell single-quote quoting of machine data in copied commands (about_Quoting_Rules)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wizard.checks.win_shell import ps_quote


def test_plain_and_quoted_values() -> None:
    assert ps_quote("Ethernet 2") == "'Ethernet 2'"
    assert ps_quote("O'Neil") == "'O''Neil'"
    assert ps_quote("a‘b’c") == "'a‘‘b’’c'"
    assert ps_quote("$env:TEMP; Remove-Item x") == "'$env:TEMP; Remove-Item x'"
    assert ps_quote("line1\r\nline2`") == "'line1line2`'"
    assert ps_quote(10) == "'10'"


@given(st.text(max_size=200))
def test_a_quoted_value_is_one_literal(text: str) -> None:
    quoted = ps_quote(text)
    assert quoted.startswith("'") and quoted.endswith("'")
    inner = quoted[1:-1]
    # every single quote inside comes in pairs, so the literal cannot end early
    for mark in "'\u2018\u2019\u201a\u201b":
        assert inner.replace(mark * 2, "").count(mark) == 0
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in inner)
