"""What one portal error code is, as data."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.model import DocLink, FixStep, JSONValue, Msg, Phase


@dataclass(frozen=True)
class ErrorCode:
    """One portal error code and everything the wizard knows about it."""

    code: str
    title: Msg
    meaning: Msg
    fixable_in_vm: bool
    related_checks: tuple[str, ...]
    steps: tuple[FixStep, ...]
    docs: tuple[DocLink, ...]
    aliases: tuple[str, ...] = ()
    phase: Phase | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The code followed by its aliases."""
        return (self.code, *self.aliases)

    def to_dict(self) -> dict[str, JSONValue]:
        """The `Diagnosis.symptom` shape: text as message dicts, translated by the presenters."""
        return {
            "code": self.code,
            "aliases": list(self.aliases),
            "title": self.title.to_dict(),
            "meaning": self.meaning.to_dict(),
            "fixable_in_vm": self.fixable_in_vm,
            "related_checks": list(self.related_checks),
            "steps": [s.to_dict() for s in self.steps],
            "docs": [d.to_dict() for d in self.docs],
            "failing_phase": self.phase.value if self.phase else None,
        }
