"""What the wizard knows, as data: the portal error codes, the two backup phases, the FAQ, and
how a user's symptom (a pasted error code, the phase that failed) is matched against them.

Every text is an English msgid marked with `N_()` and translated by the presenters.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.knowledge.errorcodes import CATALOGUE, ErrorCode, list_error_codes, lookup
    from wizard.knowledge.faq import FAQS, Faq, render_faq
    from wizard.knowledge.phases import (
        PHASE_NAMES,
        PHASE_SECTIONS,
        PHASE_SUMMARIES,
        SECTIONS,
        Section,
        render_sections,
    )
    from wizard.knowledge.symptom import (
        PHASE_CHOICES,
        MatchResult,
        build_symptom,
        match_error_code,
        order_results,
        parse_phase,
        render_symptom,
    )

__all__ = [
    "CATALOGUE",
    "FAQS",
    "PHASE_CHOICES",
    "PHASE_NAMES",
    "PHASE_SECTIONS",
    "PHASE_SUMMARIES",
    "SECTIONS",
    "ErrorCode",
    "Faq",
    "MatchResult",
    "Section",
    "build_symptom",
    "list_error_codes",
    "lookup",
    "match_error_code",
    "order_results",
    "parse_phase",
    "render_faq",
    "render_sections",
    "render_symptom",
]

_HOME = {
    "errorcodes": ("CATALOGUE", "ErrorCode", "list_error_codes", "lookup"),
    "faq": ("FAQS", "Faq", "render_faq"),
    "phases": ("PHASE_NAMES", "PHASE_SECTIONS", "PHASE_SUMMARIES", "SECTIONS", "Section", "render_sections"),
    "symptom": ("PHASE_CHOICES", "MatchResult", "build_symptom", "match_error_code", "order_results", "parse_phase",
                "render_symptom"),
}


def __getattr__(name: str) -> Any:
    """Each table is imported when first asked for, so importing one module of the package (the wizard's
    start needs only the scenario titles) does not load the whole catalogue."""
    for module, names in _HOME.items():
        if name in names:
            return getattr(import_module(f"wizard.knowledge.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
