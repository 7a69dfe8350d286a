"""What the pages share: the language, where the answers come from, what the user told us, and
the Diagnosis. A thin QObject that only holds plain data and announces language changes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from wizard.i18n import Translator, normalise_language
from wizard.knowledge.scenarios import scenario_title
from wizard.model import Diagnosis
from wizard.probes.base import Probe, is_unavailable
from wizard.settings import Settings

if TYPE_CHECKING:  # the answer layer loads with the first result, not with the first page
    from wizard.present.answer import Answer

log = logging.getLogger("wizard.gui")

CASE_KEYS = ("activity_id", "started", "tried", "vault", "policy", "job_start")


def log_file() -> Path:
    """The log file the command line sets up (the program's own folder); named in error messages."""
    from wizard.appdata import log_path

    return log_path()


@dataclass
class UserInput:
    """What the user typed on the "What did you see?" page (plain data, kept for the Diagnosis)."""

    error_text: str = ""
    phase: str = "unknown"
    case: dict[str, str] = field(default_factory=lambda: dict.fromkeys(CASE_KEYS, ""))


class Session(QObject):
    """Shared state of one wizard window."""

    languageChanged = Signal(str)

    def __init__(self, lang: str, probe: Probe, settings: Settings, source: dict[str, Any],
                 only: list[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lang = normalise_language(lang) or "en"
        self.t = Translator(self.lang)
        self.probe = probe
        self.settings = settings
        self.source = dict(source)
        self.only = only
        self.input = UserInput()
        self.diagnosis: Diagnosis | None = None
        self._run: Diagnosis | None = None
        self._answers: dict[str, Answer] = {}

    # -- language -------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        lang = normalise_language(lang) or "en"
        if lang == self.lang:
            return
        self.lang = lang
        self.t = Translator(lang)
        log.info("language switched to %s", lang)
        self.languageChanged.emit(lang)

    # -- where the answers come from ---------------------------------------------------
    @property
    def is_demo(self) -> bool:
        return self.source.get("kind") == "scenario"

    def demo_text(self) -> str:
        return self.t("Demo: replaying a recorded scenario, not this machine: {source}",
                      source=scenario_title(self.source, self.t))

    def ask_probe(self, name: str) -> dict[str, Any]:
        """One quick probe answer for the GUI thread (platform, elevation); unavailable on any failure."""
        try:
            answer = self.probe.call(name)
        except Exception as exc:  # a probe that breaks must not break the page
            log.exception("probe %s failed", name)
            return {"unavailable": True, "error": str(exc)}
        return answer if isinstance(answer, dict) else {"unavailable": True}

    def platform(self) -> str:
        answer = self.ask_probe("platform")
        return "" if is_unavailable(answer) else str(answer.get("system") or "").lower()

    # -- the symptom, the case and the diagnosis ----------------------------------------
    def symptom(self) -> dict[str, Any] | None:
        from wizard.knowledge.symptom import build_symptom

        return build_symptom(self.input.error_text, self.input.phase)

    def set_diagnosis(self, run: Diagnosis | None) -> None:
        """Keep the runner's result and finish the Diagnosis from it (`wizard.launch.finish`)."""
        self._run = run
        self.apply_input()

    def apply_input(self) -> None:
        """Finish the Diagnosis anew with what the user told us (symptom, case details); the runner's result
        itself is never changed, so going back and editing the symptom page re-finishes it."""
        from wizard.launch import finish

        self._answers.clear()
        if self._run is None:
            self.diagnosis = None
            return
        self.diagnosis = finish(self._run, self.source, self.symptom(), self.input.case)

    def answer(self, lang: str | None = None) -> Answer | None:
        """The answer for the diagnosis in `lang` (the wizard's language by default), computed once."""
        if self.diagnosis is None:
            return None
        key = normalise_language(lang or self.lang) or "en"
        if key not in self._answers:
            from wizard.present import build_answer

            self._answers[key] = build_answer(self.diagnosis, key)
        return self._answers[key]
