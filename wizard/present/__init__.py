"""The answer layer and the presenters that render it (no Qt).

`build_answer(diagnosis, lang)` computes, once, everything a presenter shows (`answer.py`): the verdict,
causes with the consequences they explain, the diagram's state, steps for this machine, readable
evidence and the glossary. The terminal view (`terminal.py`), the SVG diagram (`diagram.py`), the plain
summary (`summary.py`), the JSON document (`wizard.jsonio`), the HTML report (`wizard.report`) and the Qt
wizard (`wizard.gui`) render it; none of them orders, judges or words results itself.
"""

from __future__ import annotations

from wizard.present.answer import Answer, CauseView, FindingView, GroupView, build_answer

__all__ = ["Answer", "CauseView", "FindingView", "GroupView", "build_answer"]
