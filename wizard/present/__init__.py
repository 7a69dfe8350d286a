"""The answer layer and the presenters that render it (no Qt).

`build_answer(diagnosis, lang)` computes, once, everything a presenter shows (`answer.py`): the verdict,
causes with the consequences they explain, the diagram's state, steps for this machine, readable
evidence and the glossary. The terminal view (`terminal.py`), the SVG diagram (`diagram.py`), the plain
summary (`summary.py`), the JSON document (`wizard.jsonio`), the HTML report (`wizard.report`) and the Qt
wizard (`wizard.gui`) render it; none of them orders, judges or words results itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.present.answer import Answer, CauseView, FindingView, GroupView, build_answer

__all__ = ["Answer", "CauseView", "FindingView", "GroupView", "build_answer"]


def __getattr__(name: str) -> Any:
    """The answer layer is imported when first asked for: importing one presenter module (the wizard's
    first page needs only `wizard.present.diagram`'s colours) does not build the whole layer."""
    if name in __all__:
        return getattr(import_module("wizard.present.answer"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
