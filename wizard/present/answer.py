"""The answer: everything a presenter shows, computed once from a finished Diagnosis in one language.

    answer = build_answer(diagnosis, "ja")

Plain data, no Qt. The terminal view, the wizard, the HTML report and the JSON document render an
`Answer` and hold no ordering, grouping, verdict or wording of their own, so they can never disagree:
- `verdict`: one or two sentences for the top of every presenter (and its status); `verdict_short`, the
  same in one short line for small windows;
- `causes`: the findings that need attention, each *cause* first with the *consequences* it explains
  under it (causal rules in `wizard.knowledge.causes`), worst first, the portal error code's related
  checks before others of the same status;
- `rest`: every other result, grouped by phase and component, for the full listing;
- `diagram`: the state of each component of the phase diagram (`wizard.present.diagram_state`);
- every finding's text translated, its steps filtered for this machine (`wizard.present.steps`), its
  evidence as readable rows (`wizard.present.evidence`), and the glossary terms it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import Translator
from wizard.knowledge.glossary import GLOSSARY, Term
from wizard.knowledge.scenarios import scenario_title
from wizard.knowledge.symptom import render_symptom
from wizard.knowledge.vmassist import vmassist_names
from wizard.model import CheckResult, Component, Diagnosis, FixStep, Msg, Phase, Status
from wizard.present.causes import CauseGroup, find_causes
from wizard.present.diagram_state import DiagramState, diagram_state
from wizard.present.evidence import EvidenceRow, evidence_rows
from wizard.present.labels import component_label, phase_label, status_label
from wizard.present.steps import Environment, StepView, environment_of, step_views
from wizard.present.support import SupportView, support_view
from wizard.present.verdict import verdict_of

SYMBOLS: dict[Status, str] = {
    Status.PROBLEM: "✖", Status.WARNING: "▲", Status.ERROR: "!", Status.NOT_CHECKED: "?",
    Status.INFO: "i", Status.OK: "✔",
}
ASCII_SYMBOLS: dict[Status, str] = {
    Status.PROBLEM: "X", Status.WARNING: "!", Status.ERROR: "E", Status.NOT_CHECKED: "?",
    Status.INFO: "i", Status.OK: "+",
}
NEEDS_DETAIL = frozenset({Status.PROBLEM, Status.WARNING, Status.ERROR})


@dataclass(frozen=True)
class DocView:
    title: str
    url: str


@dataclass(frozen=True)
class GlossaryView:
    key: str
    term: str
    definition: str


@dataclass(frozen=True)
class FindingView:
    """One check's result, translated and ready to show."""

    id: str
    status: Status
    status_label: str
    symbol: str
    component: Component
    component_label: str
    phase: Phase
    phase_label: str
    title: str
    summary: str
    why: str
    steps: tuple[StepView, ...]
    docs: tuple[DocView, ...]
    error_codes: tuple[str, ...]
    evidence: dict[str, Any]
    evidence_rows: tuple[EvidenceRow, ...]
    related: bool
    because: str
    """For a consequence: why it is listed under its cause ("This follows from the above: …")."""
    terms: tuple[str, ...]
    duration_s: float
    vmassist: tuple[str, ...] = ()
    """The names of the same check in Microsoft's VM assist (English, as that tool prints them); also the first
    evidence row, `VM assist`, so every presenter shows them."""

    @property
    def needs_detail(self) -> bool:
        return self.status in NEEDS_DETAIL


@dataclass(frozen=True)
class CauseView:
    """A finding that needs attention, with the findings it explains."""

    cause: FindingView
    consequences: tuple[FindingView, ...]
    follows: str
    """"Follows from it: …" naming the consequences (empty when there are none)."""


@dataclass(frozen=True)
class GroupView:
    """Results of one component in one phase, for the full listing."""

    phase: Phase
    phase_label: str
    component: Component
    component_label: str
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class Answer:
    lang: str
    verdict: str
    verdict_short: str
    """The verdict in one short line, for small windows (the GUI's compact layout)."""
    verdict_status: Status
    headline_counts: dict[str, int]
    host_line: str
    vm_line: str
    demo_line: str
    symptom: dict[str, Any] | None
    causes: tuple[CauseView, ...]
    groups: tuple[GroupView, ...]
    findings: dict[str, FindingView]
    order: tuple[str, ...]
    """Every result id in the order every presenter lists them: causes with their consequences, then the rest."""
    diagram: DiagramState
    glossary: tuple[GlossaryView, ...]
    summary_line: str
    environment: Environment
    title_line: str
    """"VM Backup Wizard 1.2.3, 2026-12-04 09:05 +0900"."""
    reported: tuple[str, ...]
    """What the user said they saw and the support-case details they gave, one line each."""
    counts: dict[str, int] = field(default_factory=dict)
    support: SupportView | None = None
    """What a support engineer needs beyond the findings: case fields and note, the extension status timeline,
    log excerpts, the scope, identity mismatches and the masking level (`wizard.present.support`)."""

    @property
    def cause_ids(self) -> list[str]:
        return [c.cause.id for c in self.causes]

    def consequences_of(self, check_id: str) -> list[str]:
        return next(([f.id for f in c.consequences] for c in self.causes if c.cause.id == check_id), [])


def _terms(r: CheckResult) -> tuple[str, ...]:
    text = " ".join(m.id for m in (r.title, r.summary, r.why, *(s.text for s in r.fix)) if m).lower()
    return tuple(t.key for t in GLOSSARY if any(marker in text for marker in t.markers))


VMASSIST_ROW = "VM assist"


def _evidence_rows(r: CheckResult, names: tuple[str, ...]) -> tuple[EvidenceRow, ...]:
    rows = evidence_rows(r.evidence)
    return tuple([EvidenceRow(VMASSIST_ROW, "; ".join(names)), *rows] if names else rows)


def finding_view(r: CheckResult, t: Translator, env: Environment, related: set[str],
                 because: str = "") -> FindingView:
    names = vmassist_names(r.id, env.platform)
    return FindingView(
        id=r.id, status=r.status, status_label=status_label(r.status, t), symbol=SYMBOLS[r.status],
        component=r.component, component_label=component_label(r.component, t), phase=r.phase,
        phase_label=phase_label(r.phase, t), title=t.msg(r.title), summary=t.msg(r.summary),
        why=t.msg(r.why) if r.why else "", steps=tuple(step_views(r.fix, t, env)),
        docs=tuple(DocView(t.msg(d.title), d.url) for d in r.docs), error_codes=tuple(r.error_codes),
        evidence=r.evidence, evidence_rows=_evidence_rows(r, names), related=r.id in related,
        because=because, terms=_terms(r), duration_s=r.duration_s, vmassist=names)


def _symptom(diag: Diagnosis, t: Translator, env: Environment) -> tuple[dict[str, Any] | None, set[str]]:
    """The portal error code's card, translated, its steps chosen for this machine."""
    symptom = diag.symptom
    if not symptom or not (symptom.get("code") or symptom.get("input") or symptom.get("phase")):
        return None, set()
    card = render_symptom(symptom, t)
    steps = [FixStep.from_dict(s) for s in symptom.get("steps") or [] if isinstance(s, dict) and "text" in s]
    card["steps"] = [{"text": v.text, "command": v.command, "shell": v.shell, "shell_label": v.shell_label}
                     for v in step_views(steps, t, env)]
    return card, {str(c) for c in card.get("related_checks") or []}


def _groups(results: list[CheckResult], views: dict[str, FindingView], t: Translator) -> tuple[GroupView, ...]:
    groups: dict[tuple[Phase, Component], list[CheckResult]] = {}
    for r in results:
        groups.setdefault((r.phase, r.component), []).append(r)

    def key(item: tuple[tuple[Phase, Component], list[CheckResult]]) -> tuple[int, int, int]:
        (phase, comp), rs = item
        return (list(Phase).index(phase), min(r.status.rank for r in rs), list(Component).index(comp))

    out = []
    for (phase, comp), rs in sorted(groups.items(), key=key):
        ordered = sorted(rs, key=lambda r: r.status.rank)
        out.append(GroupView(phase, phase_label(phase, t), comp, component_label(comp, t),
                             tuple(views[r.id] for r in ordered)))
    return tuple(out)


def build_answer(diag: Diagnosis, lang: str) -> Answer:
    """The answer for `diag` in `lang` (see the module docstring)."""
    t = Translator(lang)
    env = environment_of(diag)
    symptom, related = _symptom(diag, t, env)
    groups = find_causes(diag.results, related)
    notes: dict[str, str] = {}
    for g in groups:
        for cid, note in g.consequences:
            notes[cid] = t(note)
    views = {r.id: finding_view(r, t, env, related, notes.get(r.id, "")) for r in diag.results}
    causes = tuple(
        CauseView(views[g.cause], tuple(views[cid] for cid, _ in g.consequences),
                  t("Follows from it: {checks}", checks=t.join(views[cid].title for cid, _ in g.consequences))
                  if g.consequences else "")
        for g in groups)
    in_causes = [i for c in causes for i in (c.cause.id, *(f.id for f in c.consequences))]
    rest = [r for r in diag.results if r.id not in set(in_causes)]
    grouped = _groups(rest, views, t)
    order = tuple(in_causes + [f.id for g in grouped for f in g.findings])
    used = {k for v in views.values() for k in v.terms}
    glossary = tuple(GlossaryView(term.key, t(term.term), t(term.definition)) for term in GLOSSARY
                     if term.key in used)
    sentence, short, status = verdict_of(diag, groups, t)
    counts = diag.counts()
    return Answer(
        lang=t.lang, verdict=sentence, verdict_short=short, verdict_status=status,
        headline_counts={"causes": len(groups),
                         "consequences": sum(len(g.consequences) for g in groups)},
        host_line=_host_line(diag, t), vm_line=_vm_line(diag, t), demo_line=_demo_line(diag, t),
        symptom=symptom, causes=causes, groups=grouped, findings=views, order=order,
        diagram=diagram_state(diag, groups, t), glossary=glossary,
        summary_line=_summary_line(diag, t), environment=env,
        title_line=t("VM Backup Wizard {version}, {started}", version=diag.tool_version,
                     started=diag.started_at.strftime("%Y-%m-%d %H:%M %z").strip()),
        reported=tuple(_reported(diag, symptom, t)), counts=counts, support=support_view(diag, causes, t))


def _reported(diag: Diagnosis, card: dict[str, Any] | None, t: Translator) -> list[str]:
    """What the user said they saw, and the support-case details they gave."""
    lines: list[str] = []
    if card:
        if card.get("code"):
            lines.append(t("Portal error code: {code} - {title}", code=str(card["code"]), title=str(card["title"])))
        elif card.get("input"):
            lines.append(t("Portal error code not recognised: {text}", text=str(card["input"])[:120]))
        if card.get("phase_name"):
            lines.append(t("Failed sub-task: {phase}", phase=str(card["phase_name"])))
    case = diag.case
    if case.get("activity_id"):
        lines.append(t("Backup job Activity ID: {value}", value=case["activity_id"]))
    if case.get("started"):
        lines.append(t("Problem started: {value}", value=case["started"]))
    if case.get("tried"):
        lines.append(t("Already tried: {value}", value=" ".join(case["tried"].split())))
    return lines


def _host_line(diag: Diagnosis, t: Translator) -> str:
    host = diag.host
    return t("Host: {hostname} ({os})", hostname=host.hostname or "?", os=_os_name(host.os, t))


def _os_name(os_name: str, t: Translator) -> str:
    return {"linux": "Linux", "windows": "Windows"}.get(os_name, os_name or t("unknown"))


def _vm_line(diag: Diagnosis, t: Translator) -> str:
    imds = diag.host.imds
    if not imds.get("name"):
        return ""
    return t("VM: {name}, {size}, {location}", name=imds.get("name"), size=imds.get("vm_size", ""),
             location=imds.get("location", ""))


def _demo_line(diag: Diagnosis, t: Translator) -> str:
    if diag.source.get("kind") != "scenario":
        return ""
    return t("Demo: replaying a recorded scenario, not this machine: {source}",
             source=scenario_title(diag.source, t))


def _summary_line(diag: Diagnosis, t: Translator) -> str:
    parts = [t("{status}: {count}", status=status_label(Status(s), t), count=n) for s, n in diag.counts().items() if n]
    return t("Summary: {counts} - finished in {seconds} s", counts=t.join(parts),
             seconds=f"{diag.duration_s:.1f}")


def term_lookup(answer: Answer) -> dict[str, GlossaryView]:
    return {g.key: g for g in answer.glossary}


def message_text(m: Msg | None, t: Translator) -> str:
    return t.msg(m) if m else ""


__all__ = ["Answer", "CauseGroup", "CauseView", "DocView", "FindingView", "GlossaryView", "GroupView",
           "Term", "build_answer"]
