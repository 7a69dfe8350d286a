"""The public JSON document of a Diagnosis (`--json`), documented in `docs/json.md`.

Text fields are rendered in the chosen language; each result also keeps its message ids and
parameters under `messages`, so `diagnosis_from_json` rebuilds the Diagnosis without loss
and it can be shown again in the other language.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from wizard.i18n import Translator
from wizard.model import CheckResult, Diagnosis, HostInfo
from wizard.present.answer import Answer, build_answer
from wizard.probes.safe import finite

JSON_SCHEMA = 1


class DiagnosisFileError(Exception):
    """A JSON file that is not a Diagnosis we can read; the message is for the user."""


def _result_doc(r: CheckResult, t: Translator) -> dict[str, Any]:
    return {
        "id": r.id,
        "status": r.status.value,
        "component": r.component.value,
        "phase": r.phase.value,
        "title": t.msg(r.title),
        "summary": t.msg(r.summary),
        "why": t.msg(r.why) if r.why else "",
        "fix": [{"text": t.msg(s.text), "command": s.command} for s in r.fix],
        "docs": [{"title": t.msg(d.title), "url": d.url} for d in r.docs],
        "error_codes": list(r.error_codes),
        "evidence": r.evidence,
        "duration_s": r.duration_s,
        "messages": {
            "title": r.title.to_dict(),
            "summary": r.summary.to_dict(),
            "why": r.why.to_dict() if r.why else None,
            "fix": [s.to_dict() for s in r.fix],
            "docs": [d.to_dict() for d in r.docs],
        },
    }


def render_symptom(symptom: dict[str, Any] | None, t: Translator) -> dict[str, Any] | None:
    """The symptom with its text translated (the knowledge base renders catalogue entries)."""
    if not symptom:
        return symptom
    from wizard.knowledge.symptom import render_symptom

    return {**render_symptom(symptom, t), "messages": symptom}


def diagnosis_to_json(diag: Diagnosis, lang: str) -> dict[str, Any]:
    """The public document for `diag`, text in `lang`."""
    t = Translator(lang)
    host: dict[str, Any] = diag.host.to_dict()
    return {
        "schema": JSON_SCHEMA,
        "tool": {"name": diag.tool_name, "version": diag.tool_version},
        "language": t.lang,
        "started_at": diag.started_at.isoformat(timespec="seconds"),
        "duration_s": diag.duration_s,
        "host": host,
        "symptom": render_symptom(diag.symptom, t),
        "source": diag.source,
        "cancelled": diag.cancelled,
        "case": dict(diag.case),
        "results": [_result_doc(r, t) for r in diag.results],
        "counts": diag.counts(),
        "answer": answer_doc(build_answer(diag, lang)),
    }


def answer_doc(answer: Answer) -> dict[str, Any]:
    """What every presenter shows, as the answer layer worked it out: the verdict, the causes in order with
    the results that follow from each, the order of every result, the diagram's state, the terms used."""
    return {
        "verdict": answer.verdict,
        "verdict_status": answer.verdict_status.value,
        "causes": [{"id": c.cause.id, "consequences": [f.id for f in c.consequences]} for c in answer.causes],
        "order": list(answer.order),
        "diagram": {"components": {comp.value: (status.value if status else None)
                                   for comp, status in answer.diagram.statuses.items()},
                    "broken_links": sorted(c.value for c in answer.diagram.broken)},
        "glossary": [g.key for g in answer.glossary],
        "vmassist": {fid: list(f.vmassist) for fid, f in answer.findings.items() if f.vmassist},
        "support": support_doc(answer),
    }


def support_doc(answer: Answer) -> dict[str, Any] | None:
    """What the support engineer reads beyond the findings (`wizard.present.support`): the masking level, the
    case note, problems with the case fields, identity mismatches, the extension status timeline, the scope.
    The excerpts themselves are in the results' evidence (`log_excerpt`, `event_excerpt`)."""
    sv = answer.support
    if sv is None:
        return None
    return {
        "masking": sv.masking_level,
        "case_notes": list(sv.case_notes),
        "case_problems": list(sv.case_problems),
        "identity": list(sv.identity),
        "timeline": [{"sequence_number": r.sequence_number, "operation": r.operation, "status": r.status,
                      "code": r.code, "timestamp": r.timestamp, "file_time": r.file_time, "age": r.age,
                      "before_job": r.against_job, "flags": list(r.flags)} for r in sv.timeline],
        "excerpts": [{"check": e.check_id, "kind": e.kind, "path": e.path} for e in sv.excerpts],
        "scope": {"looked": sv.scope.ran, "not_run": [{"id": i, "why": w} for i, w in sv.scope.not_run]},
    }


def dumps(diag: Diagnosis, lang: str) -> str:
    # NaN and infinities never reach JSON: the gate already turns them into null; this catches any a check
    # computed itself (allow_nan=False would otherwise stop the write).
    return json.dumps(finite(diagnosis_to_json(diag, lang)), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _result_from_doc(document: dict[str, Any]) -> CheckResult:
    msgs = document["messages"]
    return CheckResult.from_dict({
        **{k: document[k] for k in ("id", "status", "component", "phase", "error_codes", "evidence", "duration_s")},
        "title": msgs["title"],
        "summary": msgs["summary"],
        "why": msgs.get("why"),
        "fix": msgs.get("fix") or [],
        "docs": msgs.get("docs") or [],
    })


def diagnosis_from_json(document: dict[str, Any]) -> Diagnosis:
    """Rebuild a Diagnosis from its public document (raises DiagnosisFileError when it is not one)."""
    try:
        if document.get("schema") != JSON_SCHEMA:
            raise DiagnosisFileError(f"unsupported schema {document.get('schema')!r}")
        symptom = document.get("symptom")
        if isinstance(symptom, dict) and "messages" in symptom:
            symptom = symptom["messages"]
        started_at = _dt.datetime.fromisoformat(str(document["started_at"]))
        return Diagnosis(
            tool_name=str(document["tool"]["name"]),
            tool_version=str(document["tool"]["version"]),
            started_at=started_at,
            duration_s=float(document["duration_s"]),
            host=HostInfo.from_dict(document.get("host") or {}),
            results=[_result_from_doc(r) for r in document.get("results") or []],
            symptom=symptom,
            source=dict(document.get("source") or {}),
            cancelled=bool(document.get("cancelled", False)),
            case={str(k): str(v) for k, v in (document.get("case") or {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DiagnosisFileError(f"not a VM Backup Wizard diagnosis: {exc}") from exc

