"""argparse's own words (`usage:`, `options:`, `show this help message and exit`, its error messages) in the
user's language, through our catalog.

argparse looks its fixed strings up at the moment it needs them, with the two names it imported from gettext
at module level (`argparse._` and `argparse.ngettext`). `argparse_speaks(t)` points those two names at a
`Translator` for the time of one block and puts the originals back afterwards. Python's global gettext state
(the default domain, `gettext.gettext`, `builtins._`) is never touched, so no other code sees a change.

The msgids below are argparse's own, as CPython 3.11 to 3.13 word them (3.13 also looks up the section heading
form "%(heading)s:", 3.12+ the deprecation warnings); they are listed here, marked with N_(), so Babel extracts
them into our template. Texts a newer Python adds simply stay English until they are listed here.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from wizard.i18n import N_, Translator
from wizard.present.linebreak import display_width, wrap


def ngettext(singular: str, plural: str, n: int) -> str:
    """Marks argparse's plural messages for Babel (as `N_` does for the others); English choice of form."""
    return singular if n == 1 else plural


ARGPARSE_MESSAGES = (
    # help
    N_("usage: "),
    N_("options"),
    N_("optional arguments"),  # the section's name before Python 3.10, kept for older translations' sake
    N_("positional arguments"),
    N_("%(heading)s:"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_(" (default: %(default)s)"),
    # errors
    N_("%(prog)s: error: %(message)s\n"),
    N_("%(prog)s: warning: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("option '%(option)s' is deprecated"),
    N_("can't open '%(filename)s': %(error)s"),
)
ARGPARSE_PLURALS = (
    ngettext("expected %s argument", "expected %s arguments", 2),
)

_LOOKUPS = ("_", "ngettext")
_LOCK = threading.RLock()


@contextmanager
def argparse_speaks(t: Translator) -> Iterator[None]:
    """Within the block, argparse words its help and errors in `t`'s language (English: unchanged)."""
    names = vars(argparse)  # the module's globals, where argparse's functions look `_` and `ngettext` up
    with _LOCK:
        saved = {name: names[name] for name in _LOOKUPS}
        names.update({"_": t.gettext, "ngettext": t.ngettext})
        try:
            yield
        finally:
            names.update(saved)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, wrapping by display width (a Japanese character takes two terminal cells) and by
    Japanese line-breaking rules, as the terminal view does."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(wrap(" ".join(text.split()), width, indent))

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        """The usage lines, the continuation lines indented under the program name however wide "usage: " is in
        this language (argparse counts characters, and 使用法 takes two cells a character)."""
        text: str = super()._format_usage(usage, actions, groups, prefix)
        shown = prefix if prefix is not None else vars(argparse)["_"]("usage: ")
        extra = display_width(shown) - len(shown)
        if extra <= 0:
            return text
        lines = text.split("\n")
        return "\n".join([lines[0], *((" " * extra + line) if line.startswith(" ") else line for line in lines[1:])])
