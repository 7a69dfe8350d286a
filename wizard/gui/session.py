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
        self.opened: Path | None = None
        """The kept diagnosis the user opened from the welcome page (None: this run's own)."""
        self.kept: Path | None = None
        """Where this diagnosis was kept automatically (`wizard.autosave`), once it was."""
        self.shared = False
        """True once the report or the JSON file of this diagnosis was saved by the user."""
        self.keeping = True
        """Keep finished diagnoses (`--screenshots` and the build's smoke test do not)."""

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

    def banner_text(self) -> str | None:
        """The strip at the top of every page: a kept diagnosis that was opened, or a demo, or nothing."""
        if self.opened is not None and self.diagnosis is not None:
            return self.t("A kept diagnosis from {when}, opened from {path}. Run again to check this VM now.",
                          when=self.diagnosis.started_at.strftime("%Y-%m-%d %H:%M"), path=str(self.opened))
        return self.demo_text() if self.is_demo else None

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
        self.opened = None
        self.kept = None
        self.shared = False
        self.apply_input()

    def open_diagnosis(self, diag: Diagnosis, path: Path) -> None:
        """Show a kept diagnosis again: its own source, symptom and case details become the input."""
        symptom = diag.symptom or {}
        self._run = diag
        self.opened = path
        self.kept = path
        self.shared = True  # it is already on disk: closing loses nothing
        self.input = UserInput(error_text=str(symptom.get("input") or ""),
                               phase=str(symptom.get("phase") or "unknown"))
        for key in CASE_KEYS:
            self.input.case[key] = str(diag.case.get(key) or "")
        self.apply_input()

    def keep(self) -> Path | None:
        """Keep the finished diagnosis in the user's folder (`wizard.autosave`); None when it could not be.
        A diagnosis opened from the folder is not written again."""
        if not self.keeping or self.diagnosis is None or self.diagnosis.cancelled or self.opened is not None:
            return self.kept
        from wizard import autosave

        try:
            self.kept = autosave.keep(self.diagnosis, self.lang, self.kept)
        except Exception:  # OutputError, OSError: the wizard goes on; the close prompt still protects it
            log.exception("could not keep the diagnosis")
            self.kept = None
        else:
            log.info("kept the diagnosis in %s", self.kept)
        return self.kept

    @property
    def unsaved(self) -> bool:
        """A finished diagnosis whose report (or JSON file) the user has not saved."""
        return self.diagnosis is not None and not self.diagnosis.cancelled and not self.shared

    def apply_input(self) -> None:
        """Finish the Diagnosis anew with what the user told us (symptom, case details); the runner's result
        itself is never changed, so going back and editing the symptom page re-finishes it."""
        from wizard.launch import finish

        self._answers.clear()
        if self._run is None:
            self.diagnosis = None
            return
        source = self._run.source if self.opened is not None else self.source
        self.diagnosis = finish(self._run, source, self.symptom(), self.input.case)

    def answer(self, lang: str | None = None) -> Answer | None:
        """The answer for the diagnosis in `lang` (the wizard's language by default), computed once."""
        if self.diagnosis is None:
            return None
        key = normalise_language(lang or self.lang) or "en"
        if key not in self._answers:
            from wizard.present import build_answer

            self._answers[key] = build_answer(self.diagnosis, key)
        return self._answers[key]
