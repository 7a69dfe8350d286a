"""Rendering a Diagnosis as one self-contained HTML page (template `resources/templates/report.html`).

The page is built from the same public document `--json` writes (`jsonio.diagnosis_to_json`), so
its text and the embedded `<script type="application/json" id="diagnosis">` cannot disagree. The
Jinja2 environment escapes everything (`autoescape=True`) and fails on any undefined name
(`StrictUndefined`); the only markup passed through unescaped is ours: the stylesheet, the phase
diagram (whose strings `wizard.diagram` escapes itself, ids prefixed so they cannot clash with
the page's) and the embedded JSON (with `</` and `<!--` escaped so it cannot leave its element).
Template text is translated through Jinja's i18n extension with the same catalog as the rest.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from wizard.i18n import Translator
from wizard.jsonio import diagnosis_to_json
from wizard.knowledge.faq import render_faq
from wizard.knowledge.phases import render_sections
from wizard.knowledge.scenarios import scenario_title
from wizard.model import SEVERITY, Diagnosis, Status
from wizard.paths import resource
from wizard.present import Answer, FindingView, build_answer
from wizard.present.diagram import render_svg
from wizard.present.labels import imds_label, status_label
from wizard.probes.safe import finite

TEMPLATE = "report.html"
STYLESHEET = "report.css"
DIAGRAM_ID_PREFIX = "dg-"


def templates_dir() -> str:
    return str(resource("templates"))


@lru_cache(maxsize=4)
def environment(lang: str) -> jinja2.Environment:
    """The Jinja2 environment for one language: autoescape, StrictUndefined, gettext from our catalog."""
    t = Translator(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["web_url"] = web_url
    env.install_gettext_callables(gettext=t.gettext, ngettext=t.ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def web_url(url: object) -> str:
    """`url` when it is an http(s) address, else "" (a link from a hostile JSON file must not run anything)."""
    text = str(url or "").strip()
    return text if re.match(r"(?i)^https?://[^\s]+$", text) else ""


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return resource("templates", STYLESHEET).read_text(encoding="utf-8")


def _ours(html: str) -> Markup:
    """Markup we made ourselves and made safe: the stylesheet, the diagram (escaped by `wizard.diagram`) and
    the embedded JSON (see `embedded_json`). Nothing else is passed to the template unescaped."""
    return Markup(html)  # noqa: S704


# --- pieces --------------------------------------------------------------------------------


def embedded_json(document: dict[str, Any]) -> str:
    """`document` as the `--json` text, made safe inside a <script> element: `</` becomes `<\\/` and `<!--`
    becomes `\\u003c!--` (both still parse back to the same JSON value)."""
    text = json.dumps(finite(document), ensure_ascii=False, indent=2, allow_nan=False)
    return text.replace("<!--", "\\u003c!--").replace("</", "<\\/")


_ID_ATTR = re.compile(r'\bid="([^"]*)"')
_ID_REF = re.compile(r'((?:xlink:)?href="#|url\(#)([^")]*)')


def inline_diagram(answer: Answer, t: Translator) -> str:
    """The phase diagram as inline SVG: no XML declaration, ids prefixed with `dg-`, labelled for screen readers."""
    svg = render_svg(answer.diagram, t)
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    svg = _ID_ATTR.sub(lambda mo: f'id="{DIAGRAM_ID_PREFIX}{mo.group(1)}"', svg)
    svg = _ID_REF.sub(lambda mo: f"{mo.group(1)}{DIAGRAM_ID_PREFIX}{mo.group(2)}", svg)
    labelled = (f'<svg role="img" aria-labelledby="{DIAGRAM_ID_PREFIX}diagram-title {DIAGRAM_ID_PREFIX}diagram-desc" '
                'focusable="false" ')
    return svg.replace("<svg ", labelled, 1).strip()


def format_time(when: _dt.datetime) -> str:
    """`2026-11-25 19:38:41 UTC+09:00` (the offset the machine had); no offset known: no suffix."""
    text = f"{when:%Y-%m-%d %H:%M:%S}"
    offset = when.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{text} UTC{sign}{hours:02d}:{mins:02d}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def agent_version(diag: Diagnosis, t: Translator) -> str:
    """The VM agent version from the `agent.version` evidence (installed, and the goal state agent on Linux)."""
    r = diag.result("agent.version")
    if r is None:
        return ""
    ev = r.evidence
    installed = _text(ev.get("installed") or ev.get("version") or ev.get("registry_value"))
    goal = _text(ev.get("goal_state_agent"))
    if installed and goal and goal != installed:
        return t("{installed} (goal state agent {goal})", installed=installed, goal=goal)
    return installed or goal


def extension_version(diag: Diagnosis, t: Translator) -> str:
    """The backup extension version from the `ext.backup` evidence: the newest installed, and the one
    that wrote the last status when that differs."""
    r = diag.result("ext.backup")
    if r is None:
        return ""
    ev = r.evidence
    installed = ev.get("installed_versions")
    newest = _text(installed[0]) if isinstance(installed, list) and installed else ""
    inner = ev.get("inner_report")
    reported = _text(inner.get("extension_version")) if isinstance(inner, dict) else ""
    if newest and reported and reported != newest:
        return t("{installed} (last status written by {reported})", installed=newest, reported=reported)
    return newest or reported


def os_text(diag: Diagnosis) -> str:
    host = diag.host
    name = {"linux": "Linux", "windows": "Windows"}.get(host.os.lower(), host.os)
    image = " / ".join(_text(host.imds.get(k)) for k in ("publisher", "offer", "sku") if _text(host.imds.get(k)))
    text = " ".join(p for p in (name, host.os_version) if p)
    return f"{text} ({image})" if image and text else text or image


def yes_no(value: bool | None, t: Translator) -> str:
    if value is None:
        return t("Unknown")
    return t("Yes") if value else t("No")


def elevation_text(value: bool | None, t: Translator) -> str:
    if value is None:
        return t("Unknown")
    if value:
        return t("Yes: run as Administrator or root, so every check could look.")
    return t("No: run as a normal user, so some checks could not look.")


def seconds(value: float, t: Translator) -> str:
    return t("{seconds} s", seconds=f"{value:.2f}")


def pretty(value: Any) -> str:
    return json.dumps(finite(value), ensure_ascii=False, indent=2, sort_keys=False, default=str, allow_nan=False)


def result_anchor(check_id: str) -> str:
    return "check-" + re.sub(r"[^A-Za-z0-9_.-]", "-", check_id)


def _finding_view(f: FindingView, t: Translator) -> dict[str, Any]:
    return {
        "id": f.id,
        "anchor": result_anchor(f.id),
        "link": "#" + result_anchor(f.id) if f.status is not Status.OK else "#row-" + result_anchor(f.id),
        "status": f.status.value,
        "status_label": f.status_label,
        "component": f.component_label,
        "phase": f.phase_label,
        "title": f.title,
        "summary": f.summary,
        "why": f.why if f.needs_detail else "",
        "because": f.because,
        "fix": [{"text": s.text, "command": s.command, "shell_label": s.shell_label} for s in f.steps]
        if f.needs_detail else [],
        "docs": [{"title": d.title, "url": d.url} for d in f.docs],
        "error_codes": list(f.error_codes),
        "evidence": [(row.key, row.value) for row in f.evidence_rows],
        "has_evidence": bool(f.evidence_rows),
        "related": f.related,
    }


SYMPTOM_DEFAULTS: dict[str, Any] = {
    "code": None, "title": "", "meaning": "", "fixable_in_vm": None, "fixable_text": "", "related_checks": [],
    "steps": [], "docs": [], "input": None, "phase": None, "phase_name": "", "matched": False, "note": "",
    "suggestions": [],
}


def symptom_view(symptom: Any) -> dict[str, Any] | None:
    """The translated symptom with every key the template reads (a symptom read from an old or
    hand-made JSON file may lack some)."""
    if not isinstance(symptom, dict):
        return None
    view = {**SYMPTOM_DEFAULTS, **symptom}
    if view["code"] is None:
        view["matched"] = False
    return view


def _related_views(symptom: Any, views: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The results of the checks the error code points at, worst first."""
    if not isinstance(symptom, dict):
        return []
    found = [views[str(c)] for c in symptom.get("related_checks") or [] if str(c) in views]
    return sorted(found, key=lambda v: Status(v["status"]).rank)


def _source_text(diag: Diagnosis, t: Translator) -> str:
    src = diag.source or {}
    kind = src.get("kind")
    if kind == "scenario":
        return t("Replayed from the recorded scenario {path}", path=_text(src.get("path")))
    if kind == "root":
        return t("Files read from the collected folder {path}", path=_text(src.get("path")))
    if kind == "live":
        return t("This machine, looked at directly")
    return t("Unknown")


def context(diag: Diagnosis, lang: str) -> dict[str, Any]:
    """Everything the template shows, as plain values (strings already translated), from the answer."""
    t = Translator(lang)
    answer = build_answer(diag, lang)
    document = diagnosis_to_json(diag, lang)
    host, imds = diag.host, diag.host.imds
    symptom = symptom_view(answer.symptom)
    given = diag.symptom if isinstance(diag.symptom, dict) else {}
    views = {fid: _finding_view(f, t) for fid, f in answer.findings.items()}
    causes = [{**views[c.cause.id], "consequences": [views[f.id] for f in c.consequences], "follows": c.follows}
              for c in answer.causes]
    in_causes = {c.cause.id for c in answer.causes} | {f.id for c in answer.causes for f in c.consequences}
    others = [views[f.id] for g in answer.groups for f in g.findings
              if f.id not in in_causes and f.status is not Status.OK]
    counts = diag.counts()
    case = {k: _text(v) for k, v in diag.case.items()}
    vm_name = _text(imds.get("name")) or host.hostname
    location = _text(imds.get("location"))
    zone = _text(imds.get("zone"))
    return {
        "lang": t.lang,
        "css": _ours(stylesheet()),
        "page_title": t("Azure VM Backup diagnosis: {vm}", vm=vm_name or "?"),
        "tool": {"name": diag.tool_name, "version": diag.tool_version},
        "cover": {
            "vm_name": vm_name,
            "resource_group": _text(imds.get("resource_group")),
            "subscription": _text(imds.get("subscription_id")),
            "region": t("{location} (zone {zone})", location=location, zone=zone) if zone and location else location,
            "size": _text(imds.get("vm_size")),
            "os": os_text(diag),
            "vm_id": _text(imds.get("vm_id")),
            "agent_version": agent_version(diag, t),
            "extension_version": extension_version(diag, t),
            "time": format_time(diag.started_at),
            "error_code": _text(given.get("code") or given.get("input")),
            "input_differs": _text(given.get("input")) != _text(given.get("code")),
            "phase": symptom["phase_name"] if symptom else "",
            "activity_id": case.get("activity_id", ""),
            "started": case.get("started", ""),
            "tried": case.get("tried", ""),
            "elevated": elevation_text(host.is_admin, t),
            "elevated_status": "ok" if host.is_admin else ("warning" if host.is_admin is False else "not_checked"),
        },
        "verdict": answer.verdict,
        "worst": answer.verdict_status.value,
        "counts": [{"status": s.value, "label": status_label(s, t), "n": counts[s.value]} for s in SEVERITY],
        "redacted": bool((diag.source or {}).get("redacted")),
        "source_kind": _text((diag.source or {}).get("kind")),
        "source_title": scenario_title(diag.source or {}, t) if (diag.source or {}).get("title") else "",
        "diagram": _ours(inline_diagram(answer, t)),
        "symptom": symptom,
        "symptom_related": _related_views(symptom, views),
        "causes": causes,
        "others": others,
        "results": [views[fid] for fid in answer.order],
        "glossary": [{"term": g.term, "definition": g.definition} for g in answer.glossary],
        "facts": {
            "hostname": host.hostname,
            "os": os_text(diag),
            "is_azure": yes_no(host.is_azure, t),
            "elevated": elevation_text(host.is_admin, t),
            "source": _source_text(diag, t),
            "started": format_time(diag.started_at),
            "duration": seconds(diag.duration_s, t),
            "imds": [(imds_label(str(k), t), str(k), v if isinstance(v, str) else pretty(v)) for k, v in imds.items()],
        },
        "support": answer.support,
        "sections": render_sections(t),
        "faq": render_faq(t),
        "json": _ours(embedded_json(document)),
    }


def render_report(diag: Diagnosis, lang: str) -> str:
    """The whole report page for `diag`, text in `lang` ("en" or "ja")."""
    ctx = context(diag, lang)
    return environment(ctx["lang"]).get_template(TEMPLATE).render(ctx)
