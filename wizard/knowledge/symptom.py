"""The user's symptom: what they saw in the portal, matched against the error-code catalogue.

`match_error_code` finds a known code inside whatever the user pasted (a bare code, the whole
portal message, text around it) and never raises: an unknown code yields the closest known
codes as suggestions. `build_symptom` turns the code and the phase the user named into the
plain-data `Diagnosis.symptom`; `order_results` puts the results that explain the symptom
first; `render_symptom` translates a symptom (or a catalogue entry) for display.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from wizard.i18n import N_, Translator
from wizard.knowledge.errorcodes import CATALOGUE, ErrorCode, all_names, lookup
from wizard.knowledge.phases import PHASE_NAMES
from wizard.model import CheckResult, JSONValue, Msg, Phase

MAX_INPUT_CHARS = 20_000
"""Pasted text beyond this is ignored (a portal message is a few hundred characters)."""

MAX_STORED_INPUT = 500
MAX_SUGGESTIONS = 5
PHASE_CHOICES = ("take_snapshot", "transfer_to_vault", "unknown")

NOTE_UNKNOWN = N_("No known portal error code was found in what you entered.")
NOTE_NO_CODE = N_("No error code was given.")
FIXABLE_YES = N_("This can be fixed from inside the VM.")
FIXABLE_NO = N_("This cannot be fixed from inside the VM; it has to be handled in Azure.")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_TOKEN = re.compile(r"[a-z0-9][a-z0-9_\-]{3,}")
_PHASE_ALIASES: dict[str, Phase | None] = {
    "take_snapshot": Phase.TAKE_SNAPSHOT,
    "takesnapshot": Phase.TAKE_SNAPSHOT,
    "snapshot": Phase.TAKE_SNAPSHOT,
    "transfer_to_vault": Phase.TRANSFER_TO_VAULT,
    "transfer_data_to_vault": Phase.TRANSFER_TO_VAULT,
    "transferdatatovault": Phase.TRANSFER_TO_VAULT,
    "transfer": Phase.TRANSFER_TO_VAULT,
    "unknown": None,
    "": None,
}


@dataclass(frozen=True)
class MatchResult:
    """What `match_error_code` found: the entry (or None) and, when none, close known codes."""

    input: str
    entry: ErrorCode | None = None
    matched_text: str | None = None
    matched_by: str | None = None
    suggestions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def matched(self) -> bool:
        return self.entry is not None


def _normalise(text: str) -> str:
    """NFKC (full-width letters from an IME become ASCII), no invisible characters, lower case."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).lower()


def _squash(text: str) -> str:
    return " ".join(text.split()).rstrip(".").strip()


def _is_boundary(text: str, index: int) -> bool:
    return index < 0 or index >= len(text) or not text[index].isalnum()


def _find_codes(norm: str) -> tuple[ErrorCode, str] | None:
    """The longest known code or alias inside `norm`; whole tokens win ties, then the earliest."""
    best: tuple[int, bool, int] | None = None
    found: tuple[ErrorCode, str] | None = None
    for name, entry in all_names().items():
        start = norm.find(name)
        while start != -1:
            end = start + len(name)
            whole = _is_boundary(norm, start - 1) and _is_boundary(norm, end)
            if whole or not name.isdigit():
                key = (len(name), whole, -start)
                if best is None or key > best:
                    best = key
                    found = (entry, next(n for n in entry.names if n.lower() == name))
            start = norm.find(name, start + 1)
    return found


def _find_title(norm: str) -> ErrorCode | None:
    """The entry whose portal message (the longest one, first in catalogue order) appears in `norm`."""
    text = _squash(norm)
    best: ErrorCode | None = None
    for entry in CATALOGUE:
        title = _squash(entry.title.id.lower())
        if title and title in text and (best is None or len(title) > len(_squash(best.title.id))):
            best = entry
    return best


def _suggest(norm: str) -> tuple[str, ...]:
    """Known codes close to the code-like words of `norm`, best first."""
    names = all_names()
    tokens: list[str] = []
    for tok in _TOKEN.findall(norm):
        if tok not in tokens:
            tokens.append(tok)
        if len(tokens) >= 200:
            break
    single = len(tokens) == 1
    scores: dict[str, float] = {}
    for tok in tokens:
        for name in difflib.get_close_matches(tok, names, n=MAX_SUGGESTIONS, cutoff=0.6):
            ratio = difflib.SequenceMatcher(None, tok, name).ratio()
            code = names[name].code
            scores[code] = max(scores.get(code, 0.0), ratio)
        if single and len(tok) >= 5 and not tok.isdigit():
            for name, entry in names.items():
                if tok in name:
                    scores[entry.code] = max(scores.get(entry.code, 0.0), 0.6 + 0.4 * len(tok) / len(name))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(code for code, _ in ranked[:MAX_SUGGESTIONS])


def match_error_code(text: str | None) -> MatchResult:
    """Find a known portal error code in pasted text; never raises.

    Case-insensitive; the code may stand alone or inside the whole portal message. Numeric
    codes (380008, 320001, 400094) count only as whole tokens. When no code is present, a
    portal message quoted without its code is recognised too. Otherwise the result carries
    the closest known codes as suggestions.
    """
    raw = "" if text is None else str(text)
    raw = raw[:MAX_INPUT_CHARS]
    stored = raw.strip()[:MAX_STORED_INPUT]
    norm = _normalise(raw)
    if not norm.strip():
        return MatchResult(stored)
    hit = _find_codes(norm)
    if hit:
        return MatchResult(stored, hit[0], hit[1], "code")
    entry = _find_title(norm)
    if entry:
        return MatchResult(stored, entry, entry.code, "title")
    return MatchResult(stored, suggestions=_suggest(norm))


def parse_phase(value: str | Phase | None) -> Phase | None:
    """'take_snapshot' / 'transfer_to_vault' (also 'Take Snapshot', 'transfer-data-to-vault', ...) or
    None for 'unknown' and no value. Anything else raises ValueError (usable as an argparse type)."""
    if value is None or isinstance(value, Phase):
        return value
    key = re.sub(r"[\s\-]+", "_", _normalise(str(value)).strip())
    if key in _PHASE_ALIASES:
        return _PHASE_ALIASES[key]
    raise ValueError(f"unknown phase {value!r}; use one of: {', '.join(PHASE_CHOICES)}")


def _related(symptom: Mapping[str, JSONValue] | ErrorCode | MatchResult | None) -> tuple[str, ...]:
    if symptom is None:
        return ()
    if isinstance(symptom, ErrorCode):
        return symptom.related_checks
    if isinstance(symptom, MatchResult):
        return symptom.entry.related_checks if symptom.entry else ()
    related = symptom.get("related_checks") or []
    return tuple(str(c) for c in related) if isinstance(related, list | tuple) else ()


def order_results(
    results: Iterable[CheckResult],
    symptom: Mapping[str, JSONValue] | ErrorCode | MatchResult | None,
) -> list[CheckResult]:
    """Results related to the symptom first, then by severity (problem ... ok); stable otherwise."""
    related = set(_related(symptom))
    return sorted(results, key=lambda r: (r.id not in related, r.status.rank))


def build_symptom(code_text: str | None, phase: str | Phase | None) -> dict[str, JSONValue] | None:
    """The `Diagnosis.symptom` for what the user named, or None when they named nothing.

    Matched: the catalogue entry's `to_dict()` plus `input`, `phase`, `matched` (True),
    `matched_text`, `matched_by`. Unknown code: `code` None, `matched` False, `suggestions`
    (known codes) and a `note` message. Raises ValueError only for a phase outside
    `PHASE_CHOICES` (see `parse_phase`).
    """
    ph = parse_phase(phase)
    given = code_text is not None and bool(str(code_text).strip())
    if not given and ph is None:
        return None
    base: dict[str, JSONValue] = {"phase": ph.value if ph else None}
    if not given:
        return {"code": None, "input": None, **base, "matched": False, "suggestions": [],
                "note": Msg(NOTE_NO_CODE).to_dict()}
    result = match_error_code(code_text)
    if result.entry is not None:
        return {**result.entry.to_dict(), "input": result.input, **base, "matched": True,
                "matched_text": result.matched_text, "matched_by": result.matched_by}
    return {"code": None, "input": result.input, **base, "matched": False,
            "suggestions": list(result.suggestions), "note": Msg(NOTE_UNKNOWN).to_dict()}


def _msg(data: JSONValue) -> Msg | None:
    if isinstance(data, Msg):
        return data
    if isinstance(data, Mapping) and "id" in data:
        return Msg.from_dict(dict(data))
    return None


def render_symptom(
    entry: ErrorCode | Mapping[str, JSONValue],
    translator: Translator,
) -> dict[str, JSONValue]:
    """A catalogue entry or a `Diagnosis.symptom` with every text translated, ready to show.

    Keys: code, title, meaning, fixable_in_vm, fixable_text, related_checks, steps
    [{text, command}], docs [{title, url}], and for symptoms also input, phase, phase_name,
    matched, note and suggestions [{code, title}].
    """
    data: Mapping[str, JSONValue] = entry.to_dict() if isinstance(entry, ErrorCode) else entry
    t = translator

    def text(value: JSONValue) -> str:
        return t.msg(_msg(value))

    out: dict[str, JSONValue] = {
        "code": data.get("code"),
        "title": text(data.get("title")),
        "meaning": text(data.get("meaning")),
        "fixable_in_vm": data.get("fixable_in_vm"),
        "fixable_text": "",
        "related_checks": list(data.get("related_checks") or []),
        "steps": [{"text": text(s.get("text")), "command": s.get("command")}
                  for s in data.get("steps") or [] if isinstance(s, Mapping)],
        "docs": [{"title": text(d.get("title")), "url": d.get("url")}
                 for d in data.get("docs") or [] if isinstance(d, Mapping)],
    }
    if data.get("code") is not None:
        out["fixable_text"] = t(FIXABLE_YES) if data.get("fixable_in_vm") else t(FIXABLE_NO)
    if "matched" in data:
        phase_value = data.get("phase")
        phase = Phase(phase_value) if phase_value in {p.value for p in Phase} else None
        out.update({
            "input": data.get("input"),
            "phase": phase.value if phase else None,
            "phase_name": t(PHASE_NAMES[phase]) if phase else "",
            "matched": bool(data.get("matched")),
            "note": text(data.get("note")),
            "suggestions": [
                {"code": code, "title": t.msg(e.title) if (e := lookup(str(code))) else ""}
                for code in data.get("suggestions") or []
            ],
        })
    return out
