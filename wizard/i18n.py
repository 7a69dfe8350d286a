"""One translation mechanism for the whole program: GNU gettext catalogs under `i18n/`.

Source strings are English and are marked with `N_()` where they are defined (checks,
knowledge) and translated at display time with a `Translator`. Babel extracts them into
`i18n/wizard.pot` (see `scripts/catalog.py`).
"""

from __future__ import annotations

import gettext
import locale
import os
import string
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache

from wizard.model import Msg, Param
from wizard.paths import locale_dir

DOMAIN = "wizard"
LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"


def N_(text: str) -> str:
    """Mark a string for extraction without translating it now."""
    return text


def normalise_language(value: str | None) -> str | None:
    """'ja_JP.UTF-8', 'ja-JP', 'JA' -> 'ja'; unknown languages -> None."""
    if not value:
        return None
    code = value.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def _windows_ui_language() -> str | None:
    try:
        import ctypes

        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return None
    return locale.windows_locale.get(int(lcid))


def detect_language(environ: dict[str, str] | None = None, platform: str | None = None) -> str:
    """The OS user's language if we have it, else English."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    candidates: list[str | None] = []
    if plat == "win32":
        candidates.append(_windows_ui_language())
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            candidates.extend(value.split(":") if name == "LANGUAGE" else [value])
            break
    for c in candidates:
        lang = normalise_language(c)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=8)
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(locale_dir()), languages=[lang], fallback=True)


def catalog_available(lang: str) -> bool:
    """True when the compiled catalog for `lang` is bundled (English needs none)."""
    return lang == "en" or isinstance(_catalog(lang), gettext.GNUTranslations)


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_text(template: str, params: Mapping[str, Param | str]) -> str:
    """`str.format` that never raises: unknown placeholders stay visible, stray braces stay.

    A `Msg` parameter is shown as its English text and a list parameter joined with ", ";
    `Translator.msg` translates and joins them in its language first.
    """
    values = _SafeDict({k: _english(v) for k, v in params.items()})
    try:
        return string.Formatter().vformat(template, (), values)
    except (ValueError, IndexError, KeyError):
        return template


def _english(value: Param | str) -> str:
    if value is None:
        return ""
    if isinstance(value, Msg):
        return format_text(value.id, value.params)
    if isinstance(value, tuple):
        return ", ".join(_english(v) for v in value)
    return str(value)


# Between the items of a list inside a sentence (Japanese uses the ideographic comma).
LIST_SEPARATOR = N_(", ")


class Translator:
    """Translates message ids (English source text) into one language."""

    def __init__(self, lang: str) -> None:
        self.lang = normalise_language(lang) or DEFAULT_LANGUAGE
        self._t = _catalog(self.lang)

    def gettext(self, text: str) -> str:
        return self._t.gettext(text) if text else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def __call__(self, text: str, /, **params: Param) -> str:
        """Translate and fill placeholders: `t("Found {n} writers", n=3)`."""
        return format_text(self.gettext(text), self._resolved(params))

    def msg(self, m: Msg | None) -> str:
        """A message in this language; parameters that are messages themselves are translated too."""
        if m is None:
            return ""
        return format_text(self.gettext(m.id), self._resolved(m.params))

    def join(self, items: Iterable[str]) -> str:
        """The items of a list inside a sentence, with this language's separator ("a, b" / "a、b")."""
        return self.gettext(LIST_SEPARATOR).join(items)

    @staticmethod
    def sentences(items: Iterable[str]) -> str:
        """Sentences one after another: a space after "." but none after 「。」 (Japanese sets no space)."""
        out = ""
        for item in items:
            if out and item:
                out += "" if out[-1] in "。！？」" else " "
            out += item
        return out

    def _resolved(self, params: Mapping[str, Param]) -> dict[str, Param | str]:
        return {k: self._shown(v) for k, v in params.items()}

    def _shown(self, value: Param) -> Param | str:
        """A parameter as this language shows it: a message translated, a list joined (its messages too)."""
        if isinstance(value, Msg):
            return self.msg(value)
        if isinstance(value, tuple):
            return self.join(self.msg(v) if isinstance(v, Msg) else str(v) for v in value)
        return value
