"""The plain-text summary copied to the clipboard for a chat or a ticket (no Qt: plain data in,
text out). Whole translated sentences; evidence and commands are left out on purpose."""

from __future__ import annotations

from wizard.i18n import Translator
from wizard.knowledge.symptom import render_symptom
from wizard.labels import component_label, status_label
from wizard.model import Diagnosis, Status
from wizard.verdict import needs_detail, severity_sorted, verdict

SYMBOLS = {
    Status.PROBLEM: "✖", Status.WARNING: "▲", Status.ERROR: "!", Status.NOT_CHECKED: "?",
    Status.INFO: "i", Status.OK: "✔",
}


def plain_summary(diag: Diagnosis, t: Translator) -> str:
    """A short, translated text: what ran where, the verdict, what the user reported, what needs attention."""
    lines = [t("VM Backup Wizard {version}, {started}", version=diag.tool_version,
               started=diag.started_at.strftime("%Y-%m-%d %H:%M %z").strip())]
    host = diag.host
    lines.append(t("Host: {hostname} ({os})", hostname=host.hostname or "?", os=host.os or "?"))
    if host.imds.get("name"):
        lines.append(t("VM: {name}, {size}, {location}", name=host.imds.get("name"),
                       size=host.imds.get("vm_size", ""), location=host.imds.get("location", "")))
    if diag.source.get("kind") == "scenario":
        lines.append(t("Demo: replaying a recorded scenario, not this machine: {source}",
                       source=str(diag.source.get("title") or diag.source.get("path") or "")))
    lines.extend(_reported(diag, t))
    lines += ["", verdict(diag, t), ""]
    attention = [r for r in severity_sorted(diag.results) if needs_detail(r)]
    for r in attention:
        lines.append(t("{symbol} {status}: {title} ({component})", symbol=SYMBOLS[r.status],
                       status=status_label(r.status, t), title=t.msg(r.title),
                       component=component_label(r.component, t)))
        lines.append("   " + t.msg(r.summary))
    if attention:
        lines.append("")
    counts = diag.counts()
    parts = [f"{status_label(Status(s), t)}: {n}" for s, n in counts.items() if n]
    lines.append(t("Summary: {counts} - finished in {seconds} s", counts=", ".join(parts),
                   seconds=f"{diag.duration_s:.1f}"))
    return "\n".join(lines) + "\n"


def _reported(diag: Diagnosis, t: Translator) -> list[str]:
    """What the user said they saw, and the support-case details they gave."""
    lines: list[str] = []
    if diag.symptom:
        card = render_symptom(diag.symptom, t)
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
