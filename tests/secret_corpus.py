"""The secret corpus (tests/data/secrets/): fake secrets in every escaping and every container.

    from secret_corpus import SECRETS, embeddings, leaked

    for doc in embeddings():          # one document per (container, slot, escaping, secret form)
        out = run_everything_on(doc.text)
        assert not leaked(out)        # no needle of any secret in the output

`SECRETS` are the needles: substrings (letters, digits, dashes) that occur only inside the fake
secret values, placed before and after the characters escaping changes, so a search of any
output, in any escaping, finds them if any part of a secret got through. `embeddings()` fills
the container templates (`containers/*`: status file, waagent.log, settings, ExtensionsConfig,
IMDS, proxy environment, registry, netsh, ...) with each secret form, escaped as the slot says.
Each `Embedding.where` names a probe answer the text could come back in, for end-to-end tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

DATA = Path(__file__).resolve().parent / "data" / "secrets"
SLOT_RE = re.compile(r"\{\{(\w+)\|(\w+)\}\}")


def _json(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)[1:-1]


_JS_UNSAFE = {"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "'": "\\u0027", "=": "\\u003d", "+": "\\u002b"}


def _json_u(s: str) -> str:
    """JSON as .NET's and Gson's HTML-safe encoders write it: & < > ' = + as \\uXXXX."""
    return "".join(_JS_UNSAFE.get(c, c) for c in _json(s))


ESCAPES: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "json": _json,
    "json2": lambda s: _json(_json(s)),
    "json_u": _json_u,
    "json_u2": lambda s: _json(_json_u(s)),
    "json_slash": lambda s: _json(s).replace("/", "\\/"),
    "json_xml": lambda s: escape(_json(s)),
    "xml_text": escape,
    "xml_attr": lambda s: escape(s, {'"': "&quot;"}),
    "xml2": lambda s: escape(escape(s)),
    "html_num": lambda s: s.replace("&", "&#38;"),
    "url": lambda s: quote(s, safe=""),
    "url2": lambda s: quote(quote(s, safe=""), safe=""),
}
"""How a slot's text is escaped: the `{{slot|escape}}` placeholders of the templates name one."""


@dataclass(frozen=True)
class Secret:
    id: str
    covers: str
    needles: tuple[str, ...]
    forms: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Container:
    id: str
    file: str
    format: str  # json | xml | text
    covers: str
    where: dict[str, Any]
    keep: tuple[str, ...]
    template: str


@dataclass(frozen=True)
class Embedding:
    """One container with one secret form in one of its slots; the other slots hold fillers."""

    container: str
    slot: str
    escape: str
    secret: str
    form: int
    text: str
    needles: tuple[str, ...]
    keep: tuple[str, ...]
    format: str
    where: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.container}:{self.slot}|{self.escape}:{self.secret}#{self.form}"


@cache
def _corpus() -> dict[str, Any]:
    return json.loads((DATA / "secrets.json").read_text(encoding="utf-8"))


def secrets() -> list[Secret]:
    return [Secret(s["id"], s["covers"], tuple(s["needles"]), {k: tuple(v) for k, v in s["forms"].items()})
            for s in _corpus()["secrets"]]


def containers() -> list[Container]:
    return [Container(c["id"], c["file"], c["format"], c["covers"], c.get("where", {}), tuple(c.get("keep", ())),
                      (DATA / "containers" / c["file"]).read_text(encoding="utf-8"))
            for c in _corpus()["containers"]]


def fillers() -> dict[str, str]:
    return dict(_corpus()["fillers"])


SECRETS: tuple[str, ...] = tuple(n for s in secrets() for n in s.needles)
"""Every needle of every fake secret: none of these may appear in any output."""


def leaked(text: str) -> list[str]:
    """The needles found in `text` (case-insensitive, so an upper-cased copy counts too)."""
    low = text.lower()
    return [n for n in SECRETS if n.lower() in low]


def fill(template: str, chosen: int | None, value: str) -> str:
    """The template with placeholder number `chosen` holding `value`, every other one its filler."""
    fill_with = fillers()
    counter = iter(range(1 << 30))

    def sub(mo: re.Match[str]) -> str:
        slot, esc = mo.group(1), mo.group(2)
        text = value if next(counter) == chosen else fill_with[slot]
        return ESCAPES[esc](text)

    return SLOT_RE.sub(sub, template)


def embeddings() -> Iterator[Embedding]:
    """Every secret form in every slot of every container that takes it."""
    all_secrets = secrets()
    for c in containers():
        for index, mo in enumerate(SLOT_RE.finditer(c.template)):
            slot, esc = mo.group(1), mo.group(2)
            for s in all_secrets:
                for n, form in enumerate(s.forms.get(slot, ())):
                    yield Embedding(container=c.id, slot=slot, escape=esc, secret=s.id, form=n,
                                    text=fill(c.template, index, form), needles=s.needles, keep=c.keep,
                                    format=c.format, where=c.where)


def blank(container: Container) -> str:
    """A container with fillers only: what must come through the filter unchanged."""
    return fill(container.template, None, "")
