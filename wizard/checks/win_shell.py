"""Quoting machine data into the PowerShell commands the wizard shows for copying.

`ps_quote` follows PowerShell's single-quoted string rules (about_Quoting_Rules): inside '...'
nothing is expanded (no `$variable`, no subexpression, no backtick escape) and the only special
character is the single quote itself, written twice. PowerShell also treats the typographic
quotes U+2018-U+201B as single quotes, so they are doubled too. Line breaks and other control
characters are dropped: a copied command must stay one line.
"""

from __future__ import annotations

import re

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def ps_quote(value: object) -> str:
    """`value` as one PowerShell single-quoted literal: `O'Neil` -> `'O''Neil'`."""
    text = _CONTROL.sub("", str(value))
    out = "".join(ch * 2 if ch in _SINGLE_QUOTES else ch for ch in text)
    return "'" + out + "'"
