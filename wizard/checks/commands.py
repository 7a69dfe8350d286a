"""Quoting for the commands we show a user to copy: every value that comes from the machine (a path, a
unit or service name, a rule, a proxy list) is quoted for the shell the command is written for, so a
name with `;`, `$(…)`, back-quotes, spaces, quotes or a newline stays one argument and never becomes a
command of its own when pasted.

- `sh(value)`: POSIX shells (bash, dash): `shlex.quote` — single quotes, `'` written as `'"'"'`.
- `ps(value)`: PowerShell: a single-quoted literal, `'` doubled; no expansion of any kind happens inside.
- `cmd(value)`: cmd.exe has no quoting that stops `%VAR%` expansion, so the value is put in double
  quotes with `"`, `%`, `!` and line breaks removed (such names do not occur on a healthy system).
- `sh_words(text)`: an `iptables-save` style rule re-quoted token by token for the shell, or None when
  it cannot be split safely.
"""

from __future__ import annotations

import re
import shlex

RERUN_AS_ROOT = "sudo vmbackup-wizard --cli"
"""The command to run the wizard again as root; the answer layer puts the real program path in its place."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN = re.compile(r"[A-Za-z0-9_.:\\/-]+")


def sh(value: object) -> str:
    """`value` as one argument of a POSIX shell command line."""
    return shlex.quote(str(value))


def ps(value: object) -> str:
    """`value` as a PowerShell single-quoted string literal (no variable or sub-expression expansion)."""
    text = str(value).replace("\r", "").replace("\n", " ")
    for quote in ("\u2018", "\u2019", "\u201a", "\u201b"):  # PowerShell treats these as single quotes too
        text = text.replace(quote, "'")
    return "'" + text.replace("'", "''") + "'"


def cmd(value: object, always: bool = False) -> str:
    """`value` for a cmd.exe line: as it is when plain (unless `always`), else inside double quotes with what
    cmd would still expand taken out."""
    text = str(value)
    if not always and _PLAIN.fullmatch(text):
        return text
    return '"' + _CONTROL.sub("", text).replace('"', "").replace("%", "").replace("!", "") + '"'


def sh_words(text: str) -> str | None:
    """A rule written the way `iptables-save` writes it, every token quoted for the shell; None if the
    text cannot be split (an unbalanced quote) or holds control characters."""
    if _CONTROL.search(text):
        return None
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    return " ".join(shlex.quote(w) for w in words) if words else None


def one_line(value: object) -> str:
    """`value` with line breaks and other control characters removed, for a configuration line to copy."""
    return _CONTROL.sub("", str(value))
