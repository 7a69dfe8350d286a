"""Before and after: two finished Diagnoses of one VM compared, so the helpdesk can show that a fix worked.

    comparison = compare(before, after, "ja")

Plain data, no Qt. Each cause of either diagnosis (as the answer layer groups them) is **fixed** (a cause
before, passing now), **remaining** (a cause in both), **new** (a cause only now) or **not checked again**
(a cause before whose check could not look now: never claimed as fixed). Every other check whose status
changed is listed too, with the evidence keys that changed. Warnings say when the two are not of the same
machine, or not masked alike. The terminal view, `--json` and `--report` render this; none compares
anything itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.i18n import Translator
from wizard.model import Diagnosis, Status
from wizard.present.answer import Answer, build_answer
from wizard.present.labels import status_label

KINDS = ("fixed", "remaining", "new", "not_checked_again", "changed")
MAX_CHANGED_KEYS = 12
PASSING = frozenset({Status.OK, Status.INFO})


@dataclass(frozen=True)
class ComparedCheck:
    id: str
    kind: str
    title: str
    before_status: str
    before_label: str
    after_status: str
    after_label: str
    before_summary: str
    after_summary: str
    changed_evidence: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    lang: str
    headline: str
    before_line: str
    after_line: str
    before_verdict: str
    after_verdict: str
    rows: tuple[ComparedCheck, ...]
    warnings: tuple[str, ...]
    counts: dict[str, int]

    def of(self, kind: str) -> list[ComparedCheck]:
        return [r for r in self.rows if r.kind == kind]


class CompareInputError(Exception):
    """A file given to `--compare` that is not a diagnosis; the message is for the user."""


def load_diagnosis(path: str) -> Diagnosis:
    """A Diagnosis from a `--json` file or from a saved report (its embedded JSON)."""
    from wizard.jsonio import DiagnosisFileError, diagnosis_from_json

    p = Path(path)
    try:
        raw = p.read_bytes()[: 64 << 20].decode("utf-8", errors="replace")
    except OSError as exc:
        raise CompareInputError(f"{path}: {exc.strerror or exc}") from exc
    text = embedded_json_text(raw) if raw.lstrip()[:1] == "<" else raw
    if text is None:
        raise CompareInputError(f"{path}: an HTML file without the embedded diagnosis of a VM Backup Wizard report")
    try:
        document = json.loads(text)
        if not isinstance(document, dict):
            raise DiagnosisFileError("not a JSON object")
        return diagnosis_from_json(document)
    except (ValueError, DiagnosisFileError) as exc:
        raise CompareInputError(f"{path}: {exc}") from exc


def embedded_json_text(html: str) -> str | None:
    """The JSON inside a report's `<script type="application/json" id="diagnosis">` (None if absent)."""
    start_tag = '<script type="application/json" id="diagnosis">'
    start = html.find(start_tag)
    if start < 0:
        return None
    end = html.find("</script>", start)
    if end < 0:
        return None
    return html[start + len(start_tag):end]


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    keys = [k for k in dict.fromkeys([*before, *after])
            if json.dumps(before.get(k), sort_keys=True, default=str) !=
            json.dumps(after.get(k), sort_keys=True, default=str)]
    return tuple(str(k) for k in keys[:MAX_CHANGED_KEYS])


def _machine(diag: Diagnosis) -> tuple[str, str]:
    return str(diag.host.imds.get("vm_id") or "").lower(), (diag.host.hostname or "").lower()


def compare(before: Diagnosis, after: Diagnosis, lang: str) -> Comparison:
    t = Translator(lang)
    a_before, a_after = build_answer(before, lang), build_answer(after, lang)
    causes_before, causes_after = set(a_before.cause_ids), set(a_after.cause_ids)
    ids = list(dict.fromkeys([*a_before.order, *a_after.order]))
    rows: list[ComparedCheck] = []
    for cid in ids:
        rb, ra = before.result(cid), after.result(cid)
        if cid in causes_before and cid in causes_after:
            kind = "remaining"
        elif cid in causes_before:
            if ra is not None and ra.status in PASSING:
                kind = "fixed"
            elif ra is None or ra.status in (Status.NOT_CHECKED, Status.ERROR):
                kind = "not_checked_again"
            else:  # still failing, now explained by another cause
                kind = "remaining"
        elif cid in causes_after:
            kind = "new"
        elif rb is not None and ra is not None and rb.status != ra.status:
            kind = "changed"
        else:
            continue
        rows.append(_row(cid, kind, a_before, a_after, before, after, t))
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: order[r.kind])
    counts = {k: sum(1 for r in rows if r.kind == k) for k in KINDS}
    warnings: list[str] = []
    (vm_b, host_b), (vm_a, host_a) = _machine(before), _machine(after)
    if (vm_b and vm_a and vm_b != vm_a) or (host_b and host_a and host_b != host_a):
        warnings.append(t("These two diagnoses are of different machines ({before} and {after}); the comparison "
                          "says little.", before=host_b or vm_b, after=host_a or vm_a))
    if bool(before.source.get("redacted")) != bool(after.source.get("redacted")):
        warnings.append(t("Only one of the two diagnoses is masked, so identifiers in their evidence differ."))
    if after.started_at < before.started_at:
        warnings.append(t("The diagnosis given as after is older than the one given as before."))
    if counts["remaining"] or counts["new"]:
        headline = t("Not fixed yet: {fixed} cause(s) fixed, {remaining} remaining, {new} new.",
                     fixed=counts["fixed"], remaining=counts["remaining"], new=counts["new"])
    elif counts["fixed"]:
        headline = t("The fix worked: {fixed} cause(s) fixed and no cause remains.", fixed=counts["fixed"])
    else:
        headline = t("No cause was found before or after.")
    return Comparison(
        lang=t.lang, headline=headline,
        before_line=t("Before: {title}", title=a_before.title_line),
        after_line=t("After: {title}", title=a_after.title_line),
        before_verdict=a_before.verdict, after_verdict=a_after.verdict, rows=tuple(rows),
        warnings=tuple(warnings), counts=counts)


def _row(cid: str, kind: str, a_before: Answer, a_after: Answer, before: Diagnosis, after: Diagnosis,
         t: Translator) -> ComparedCheck:
    rb, ra = before.result(cid), after.result(cid)
    fb, fa = a_before.findings.get(cid), a_after.findings.get(cid)
    shown = fa or fb
    title = shown.title if shown is not None else cid
    return ComparedCheck(
        id=cid, kind=kind, title=title,
        before_status=rb.status.value if rb else "", before_label=status_label(rb.status, t) if rb else "—",
        after_status=ra.status.value if ra else "", after_label=status_label(ra.status, t) if ra else "—",
        before_summary=fb.summary if fb else "", after_summary=fa.summary if fa else "",
        changed_evidence=_changed_keys(rb.evidence if rb else {}, ra.evidence if ra else {}))


def kind_heading(kind: str, t: Translator) -> str:
    return {
        "fixed": t("Fixed"),
        "remaining": t("Remaining"),
        "new": t("New"),
        "not_checked_again": t("Could not be checked again"),
        "changed": t("Other changes"),
    }[kind]


def comparison_doc(c: Comparison) -> dict[str, Any]:
    """The `--compare --json` document (see docs/json.md)."""
    return {
        "schema": 1,
        "kind": "comparison",
        "language": c.lang,
        "headline": c.headline,
        "before": {"title": c.before_line, "verdict": c.before_verdict},
        "after": {"title": c.after_line, "verdict": c.after_verdict},
        "counts": dict(c.counts),
        "warnings": list(c.warnings),
        "checks": [{"id": r.id, "kind": r.kind, "title": r.title, "before": r.before_status or None,
                    "after": r.after_status or None, "before_summary": r.before_summary,
                    "after_summary": r.after_summary, "changed_evidence": list(r.changed_evidence)}
                   for r in c.rows],
    }
