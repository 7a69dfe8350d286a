"""What a support engineer needs beyond the findings, computed once from a finished Diagnosis:

- the support-case fields the user gave (vault, policy type, failed job start with its time zone,
  error code, Activity ID), validated, with a check that the error code belongs to the phase chosen;
- a one-line **case note** per cause to paste into case notes ("Cause: … Consequences: … Fix given: …");
- the backup extension's **status timeline** (every status file, its age against the diagnosis and
  against the failed job), stale or inconsistent status flagged;
- **log excerpts** the checks kept as evidence (bounded, secrets already stripped);
- the **scope**: which checks ran, which did not and why, what the wizard cannot see from inside the
  VM and what the engineer must still check in Azure;
- **identity** mismatches (VM name vs resource ID, OS build vs image SKU) flagged, not masked away;
- the **masking** level the outputs were written with.

Plain data, no Qt; every presenter renders it and none words or judges it itself.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from wizard.i18n import N_, Translator
from wizard.model import Diagnosis, Msg, Status, is_msg_dict

POLICY_TYPES = ("standard", "enhanced")
CASE_KEYS = ("vault", "policy", "job_start", "error_code", "activity_id", "started", "tried")
STALE_DAYS = 7
CLOCK_SKEW = _dt.timedelta(days=1)
MAX_NOTE_PART = 240

_VAULT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,49}$")
_GUID_RE = re.compile(r"^\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\}?$")
_TZ_WORDS = {"utc": "+00:00", "gmt": "+00:00", "z": "+00:00", "jst": "+09:00"}

MASKING_LEVELS = ("support", "public")
MASKING_TEXT = {
    "support": N_("Masking: for Microsoft support. Secrets were removed; user names, host names and IP and MAC "
                  "addresses were replaced by placeholders; the Azure IDs support needs to find the backup job "
                  "(subscription, resource group, VM name, resource ID, vmId) are kept."),
    "public": N_("Masking: for sharing publicly. Secrets were removed and every identifier (host names, IP and MAC "
                 "addresses, subscription, resource and VM IDs, user names, proxy details) was replaced by "
                 "placeholders such as host-1; the same value always has the same placeholder."),
    "none": N_("Masking: none. Secrets were removed; identifiers are shown as found."),
}

CANNOT_SEE = (
    N_("The Recovery Services vault and the backup job itself (its sub-tasks, error details and Activity ID)."),
    N_("The backup policy (Standard or Enhanced) and its schedule."),
    N_("The restore point collection (resource group AzureBackupRG_<region>_<number>) and any lock on it."),
    N_("Snapshot and restore point limits and quotas of the disks."),
    N_("The Transfer data to vault phase, which runs in Azure's back end and never passes this VM's network."),
)
STILL_CHECK = (
    N_("In the portal, open the failed job's details: note the error code, the failed sub-task and the Activity "
       "ID."),
    N_("On the VM's page, check that the VM agent status is Ready and that no extension is in a failed state."),
    N_("Check that no lock (Delete or ReadOnly) is set on the restore point collection's resource group "
       "AzureBackupRG_<region>_<number>."),
    N_("Check the policy type: Trusted Launch and Confidential VMs, Ultra and Premium SSD v2 disks need the "
       "Enhanced policy."),
    N_("If the job failed in Transfer data to vault, the cause is on Azure's side: open a support case with the "
       "Activity ID."),
)


# --- the case fields -------------------------------------------------------------------------


def parse_job_start(text: str) -> _dt.datetime | None:
    """The failed job's start time, only with a time zone: `2026-12-04 09:00 +09:00`, `2026-12-04T00:00Z`,
    `2026-12-04 09:00 JST`, `2026-12-04 00:00 UTC`. None when it cannot be read or has no time zone."""
    s = " ".join(str(text or "").split())
    if not s or len(s) > 60:
        return None
    mo = re.match(r"^(.*?)[ ]?(utc|gmt|z|jst)$", s, re.IGNORECASE)
    if mo and not re.search(r"[+-]\d\d:?\d\d$", mo.group(1)):
        s = mo.group(1).strip() + _TZ_WORDS[mo.group(2).lower()]
    s = re.sub(r"\s*([+-]\d\d):?(\d\d)$", r"\1:\2", s)
    try:
        when = _dt.datetime.fromisoformat(s.replace(" ", "T", 1))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def case_problems(case: dict[str, str], symptom: dict[str, Any] | None) -> list[tuple[str, str, dict[str, str]]]:
    """What is wrong with the case fields: (field, message id, parameters). Empty when all is well.
    The CLI refuses an unreadable field; the report shows every problem next to the field."""
    out: list[tuple[str, str, dict[str, str]]] = []
    vault = case.get("vault", "")
    if vault and not _VAULT_RE.match(vault):
        out.append(("vault", N_("The vault name {value} is not a valid Recovery Services vault name (2 to 50 "
                                "letters, digits and hyphens, starting with a letter)."), {"value": vault[:80]}))
    policy = case.get("policy", "")
    if policy and policy.lower() not in POLICY_TYPES:
        out.append(("policy", N_("The policy type {value} is neither Standard nor Enhanced."), {"value": policy[:40]}))
    job = case.get("job_start", "")
    if job and parse_job_start(job) is None:
        out.append(("job_start", N_("The job start time {value} could not be read; give it with its time zone, "
                                    "for example 2026-12-04 09:00 +09:00."), {"value": job[:80]}))
    activity = case.get("activity_id", "")
    if activity and not _GUID_RE.match(activity.strip()):
        out.append(("activity_id", N_("The Activity ID {value} does not look like one (a GUID such as "
                                      "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9)."), {"value": activity[:80]}))
    if isinstance(symptom, dict):
        code, chosen, belongs = symptom.get("code"), symptom.get("phase"), symptom.get("failing_phase")
        if code and chosen and belongs and chosen != belongs:
            out.append(("error_code", N_("The error code {code} belongs to the {belongs} phase, but the {chosen} "
                                         "phase was chosen as the one that failed; check the job's details."),
                        {"code": str(code), "belongs": str(belongs), "chosen": str(chosen)}))
    return out


# --- the views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    key: str
    label: str
    value: str
    problem: str


@dataclass(frozen=True)
class TimelineRow:
    sequence_number: str
    operation: str
    status: str
    code: str
    message: str
    timestamp: str
    file_time: str
    age: str
    against_job: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ExcerptView:
    check_id: str
    title: str
    path: str
    """The log file, or (kind `events`) which event logs were read, worded."""
    lines_read: int
    blocks: tuple[tuple[str, tuple[str, ...], str, str], ...]
    """(heading, lines, note, gloss) per block: "Around line 12" and the log's lines round an error; or an
    event's time, log, source, id and level, its message lines (in Windows' display language), a note and
    the English gloss of a known event id (evidence: never translated, as the message is not)."""
    tail_line: int
    tail: tuple[str, ...]
    cut: bool
    kind: str = "log"
    read_label: str = ""
    """"20 lines read" / "3 events read"."""
    note: str = ""
    """Why there is nothing to show: no event logged in the window, or the event logs could not be read."""


@dataclass(frozen=True)
class ScopeView:
    ran: int
    not_run: tuple[tuple[str, str], ...]
    """(check id, why) of every check that did not look: not for this OS, not selected, or could not look."""
    cannot_see: tuple[str, ...]
    still_check: tuple[str, ...]
    statement: str


@dataclass(frozen=True)
class SupportView:
    case_rows: tuple[CaseRow, ...]
    case_problems: tuple[str, ...]
    case_notes: tuple[str, ...]
    timeline: tuple[TimelineRow, ...]
    timeline_note: str
    excerpts: tuple[ExcerptView, ...]
    scope: ScopeView
    identity: tuple[str, ...]
    masking: str
    masking_level: str


CASE_LABELS = {
    "vault": N_("Recovery Services vault"),
    "policy": N_("Backup policy type"),
    "job_start": N_("Failed job's start time"),
    "error_code": N_("Error code shown in the portal"),
    "activity_id": N_("Backup job Activity ID"),
    "started": N_("When the problem started"),
    "tried": N_("What was already tried"),
}
POLICY_LABELS = {"standard": N_("Standard"), "enhanced": N_("Enhanced")}


def masking_level(diag: Diagnosis) -> str:
    """"support", "public" (every `--redact` before the levels existed) or "none"."""
    src = diag.source or {}
    if not src.get("redacted"):
        return "none"
    level = str(src.get("masking") or "public")
    return level if level in MASKING_LEVELS else "public"


_AGO = {
    ("days", False): N_("{n} days before"), ("hours", False): N_("{n} hours before"),
    ("minutes", False): N_("{n} minutes before"), ("days", True): N_("{n} days after"),
    ("hours", True): N_("{n} hours after"), ("minutes", True): N_("{n} minutes after"),
}


def _ago(delta: _dt.timedelta, t: Translator) -> str:
    """How long before (or after) a reference time something was written, as a whole phrase."""
    seconds = delta.total_seconds()
    later, seconds = seconds < 0, abs(seconds)
    unit, size = ("days", 86400) if seconds >= 2 * 86400 else ("hours", 3600) if seconds >= 2 * 3600 else \
        ("minutes", 60)
    return t(_AGO[unit, later], n=int(seconds // size))  # no literal inside t(): see tests/i18n/test_catalog.py


def _when(value: Any) -> _dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=_dt.UTC)


def _timeline(diag: Diagnosis, t: Translator) -> tuple[tuple[TimelineRow, ...], str]:
    r = diag.result("ext.backup")
    files = r.evidence.get("status_files") if r is not None else None
    if not isinstance(files, list) or not files:
        return (), t("No status file of the backup extension was read, so there is no timeline.")
    now = diag.started_at if diag.started_at.tzinfo else diag.started_at.replace(tzinfo=_dt.UTC)
    job = parse_job_start(diag.case.get("job_start", ""))
    failing = bool(diag.symptom and (diag.symptom.get("code") or diag.symptom.get("input")))
    rows = []
    for entry in files[:20]:
        if not isinstance(entry, dict):
            continue
        stamp, mtime = _when(entry.get("timestamp")), _when(entry.get("file_time"))
        written = stamp or mtime
        status = str(entry.get("status") or entry.get("state") or "")
        flags: list[str] = []
        if written is not None and now - written > _dt.timedelta(days=STALE_DAYS):
            days = int((now - written).total_seconds() // 86400)
            if status.lower() == "success" and (failing or job is not None):
                flags.append(t("Stale: this status says succeeded, but it was written {days} days before this "
                               "diagnosis, while backups fail now; the extension has not reported since.", days=days))
            else:
                flags.append(t("Stale: written {days} days before this diagnosis; the extension has not reported "
                               "since.", days=days))
        if written is not None and written - now > CLOCK_SKEW:
            flags.append(t("The time in this status is after the diagnosis: the VM's clock or the file is wrong."))
        if stamp is not None and mtime is not None and abs(stamp - mtime) > CLOCK_SKEW:
            flags.append(t("Inconsistent: the time inside the file ({inside}) and the file's own time ({file}) "
                           "differ by {days} days; the file may have been copied or restored.",
                           inside=_fmt(stamp), file=_fmt(mtime), days=int(abs(stamp - mtime).total_seconds() // 86400)))
        if job is not None and written is not None and written < job:
            flags.append(t("Written before the failed job started, so it says nothing about that job."))
        rows.append(TimelineRow(
            sequence_number=str(entry.get("sequence_number", "")), operation=str(entry.get("operation") or ""),
            status=status, code=str(entry.get("code") if entry.get("code") is not None else ""),
            message=str(entry.get("message") or "")[:300], timestamp=_fmt(stamp), file_time=_fmt(mtime),
            age=_ago(now - written, t) if written else "",
            against_job=_ago(job - written, t) if job is not None and written else "",
            flags=tuple(flags)))
    note = t("Ages are counted back from the time of the diagnosis ({now}) and from the failed job's start time "
             "({job}).", now=_fmt(now), job=_fmt(job)) if job is not None else t(
        "Ages are counted back from the time of the diagnosis ({now}). Give the failed job's start time to compare "
        "with it too.", now=_fmt(now))
    return tuple(rows), note


def _fmt(when: _dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


_EXCERPT_SOURCES = (
    ("agent.log", ("log_excerpt",)),
    ("ext.backup", ("extension_log", "log_excerpt")),
    ("ext.backup", ("extension_log", "shell_log_excerpt")),
    ("res.vss", ("events", "event_excerpt")),
    ("guest.crashes", ("event_excerpt",)),
)
LEVEL_NAMES = {"Critical": N_("Critical"), "Error": N_("Error"), "Warning": N_("Warning"),
               "Information": N_("Information"), "Verbose": N_("Verbose")}
EVENT_LOG_NAMES = {
    "res.vss": N_("Windows event logs: Application (source VSS) and System (source volsnap), errors and warnings of "
                  "the last {days} days"),
    "guest.crashes": N_("Windows event logs: System (Service Control Manager 7031, 7034) and Application "
                        "(Application Error 1000) for the VM agent, last 24 hours"),
}


def _event_blocks(node: dict[str, Any], t: Translator) -> tuple[tuple[str, tuple[str, ...], str, str], ...]:
    blocks = []
    for e in node.get("entries") or []:
        if not isinstance(e, dict):
            continue
        when = _when(e.get("time"))
        level = str(e.get("level") or "")
        heading = t("{time} · {log} · {source} {id} · {level}", time=_fmt(when) if when else str(e.get("time") or "?"),
                    log=str(e.get("log") or "?"), source=str(e.get("provider") or "?"),
                    id=str(e.get("id") if e.get("id") is not None else "?"),
                    level=t(LEVEL_NAMES[level]) if level in LEVEL_NAMES else level or "?")
        gloss = str(e.get("gloss") or "")
        note = t("What it means (in English, from Microsoft's articles):") if gloss else \
            t("This event id is not in the wizard's list of known events; read its message.")
        lines = tuple(str(x) for x in (e.get("lines") or [])[:40])
        blocks.append((heading, lines, note, gloss))
    return tuple(blocks)


def _event_view(check_id: str, title: str, holder: dict[str, Any], node: Any, t: Translator) -> ExcerptView | None:
    """The excerpt of event log entries of `res.vss` (`holder` is its `events` evidence) or `guest.crashes`."""
    days = holder.get("days") if isinstance(holder.get("days"), int) else 7
    path = t(EVENT_LOG_NAMES[check_id], days=days)
    if not isinstance(node, dict):
        if check_id == "res.vss" and holder.get("read") is False:
            reason = holder.get("error_msg")
            why = t.msg(Msg.from_dict(reason)) if isinstance(reason, dict) and is_msg_dict(reason) else \
                str(holder.get("error") or "?")[:300]
            return ExcerptView(check_id=check_id, title=title, path=path, lines_read=0, blocks=(), tail_line=0,
                               tail=(), cut=False, kind="events", read_label=t("not read"),
                               note=t("The event logs could not be read: {error}", error=why))
        return None
    count = int(node.get("events_read") or 0)
    blocks = _event_blocks(node, t)
    return ExcerptView(check_id=check_id, title=title, path=path, lines_read=count, blocks=blocks, tail_line=0,
                       tail=(), cut=bool(node.get("cut")), kind="events",
                       read_label=t("events read: {n}", n=count),
                       note="" if blocks else t("No error or warning of these sources was logged in this time."))


def _excerpts(diag: Diagnosis, t: Translator) -> tuple[ExcerptView, ...]:
    out = []
    for check_id, path in _EXCERPT_SOURCES:
        r = diag.result(check_id)
        node: Any = r.evidence if r is not None else None
        holder: Any = node
        for key in path:
            holder = node if isinstance(node, dict) else None
            node = node.get(key) if isinstance(node, dict) else None
        title = t.msg(r.title) if r is not None else check_id
        if path[-1] == "event_excerpt":
            view = _event_view(check_id, title, holder, node, t) if isinstance(holder, dict) else None
            if view is not None:
                out.append(view)
            continue
        if not isinstance(node, dict):
            continue
        blocks = []
        for block in node.get("around") or []:
            if isinstance(block, dict) and isinstance(block.get("lines"), list):
                blocks.append((t("Around line {n}", n=int(block.get("line") or 0)),
                               tuple(str(x) for x in block["lines"][:40]), "", ""))
        raw_tail = node.get("tail")
        tail: dict[str, Any] = raw_tail if isinstance(raw_tail, dict) else {}
        lines = tuple(str(x) for x in (tail.get("lines") or [])[:40])
        lines_read = int(node.get("lines_read") or 0)
        out.append(ExcerptView(check_id=check_id, title=title, path=str(node.get("path") or ""),
                               lines_read=lines_read, blocks=tuple(blocks), tail_line=int(tail.get("line") or 0),
                               tail=lines, cut=bool(node.get("cut")), read_label=t("{n} lines read", n=lines_read)))
    return tuple(out)


def _scope(diag: Diagnosis, t: Translator) -> ScopeView:
    from wizard.checks.registry import ALL_CHECKS

    ran = {r.id for r in diag.results}
    not_run: list[tuple[str, str]] = []
    for c in ALL_CHECKS:
        if c.id in ran:
            continue
        if diag.host.os and diag.host.os not in c.platforms:
            not_run.append((c.id, t("Does not apply to {os}.", os={"linux": "Linux", "windows": "Windows"}.get(
                diag.host.os, diag.host.os))))
        else:
            not_run.append((c.id, t("Not run in this diagnosis (not selected, or the run was cancelled).")))
    for r in diag.results:
        if r.status is Status.NOT_CHECKED:
            not_run.append((r.id, t.msg(r.summary)))
    looked = sum(1 for r in diag.results if r.status is not Status.NOT_CHECKED)
    statement = t("{looked} of the {total} checks looked and gave a result; {missing} did not (listed below with "
                  "the reason). The wizard sees only the inside of this VM.", looked=looked, total=len(ALL_CHECKS),
                  missing=len(not_run))
    return ScopeView(ran=looked, not_run=tuple(not_run), cannot_see=tuple(t(x) for x in CANNOT_SEE),
                     still_check=tuple(t(x) for x in STILL_CHECK), statement=statement)


_WINDOWS_BUILDS = {"14393": "2016", "17763": "2019", "20348": "2022", "26100": "2025"}
_RID_RE = re.compile(r"(?i)/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Compute/"
                     r"virtualMachines/([^/]+)")


def identity_flags(diag: Diagnosis, t: Translator) -> tuple[str, ...]:
    """Where the VM's own facts disagree (shown, never masked away: masking is consistent, so a
    mismatch stays a mismatch between placeholders)."""
    imds = diag.host.imds
    out: list[str] = []
    mo = _RID_RE.search(str(imds.get("resource_id") or ""))
    if mo:
        pairs = ((N_("The VM name {value} differs from the name in the resource ID ({other})."),
                  imds.get("name"), mo.group(3)),
                 (N_("The resource group {value} differs from the one in the resource ID ({other})."),
                  imds.get("resource_group"), mo.group(2)),
                 (N_("The subscription {value} differs from the one in the resource ID ({other})."),
                  imds.get("subscription_id"), mo.group(1)))
        for text, value, other in pairs:
            if value and str(value).lower() != other.lower():
                out.append(t(text, value=str(value), other=other))
    build = re.search(r"\b10\.0\.(\d{5})\b", diag.host.os_version or "")
    sku = str(imds.get("sku") or "")
    year = re.search(r"\b(20\d\d)\b", sku)
    if build and year and build.group(1) in _WINDOWS_BUILDS and _WINDOWS_BUILDS[build.group(1)] != year.group(1):
        out.append(t("The OS build {build} is Windows Server {release}, but the image SKU is {sku}.",
                     build=build.group(1), release=_WINDOWS_BUILDS[build.group(1)], sku=sku))
    return tuple(out)


def _case_rows(diag: Diagnosis, t: Translator,
               problems: list[tuple[str, str, dict[str, str]]]) -> tuple[CaseRow, ...]:
    case = dict(diag.case)
    symptom = diag.symptom if isinstance(diag.symptom, dict) else {}
    if not case.get("error_code") and (symptom.get("code") or symptom.get("input")):
        case["error_code"] = str(symptom.get("code") or symptom.get("input"))
    by_field = {f: _problem_text(msg, params, t) for f, msg, params in problems}
    rows = []
    for key in CASE_KEYS:
        value = case.get(key, "")
        if key == "policy" and value.lower() in POLICY_LABELS:
            value = t(POLICY_LABELS[value.lower()])
        rows.append(CaseRow(key, t(CASE_LABELS[key]), " ".join(value.split()), by_field.get(key, "")))
    return tuple(rows)


def _problem_text(msg: str, params: dict[str, str], t: Translator) -> str:
    from wizard.knowledge.phases import PHASE_NAMES
    from wizard.model import Phase

    shown = {k: (t(PHASE_NAMES[Phase(v)]) if k in ("belongs", "chosen") and v in {p.value for p in Phase} else v)
             for k, v in params.items()}
    return t(msg, **shown)


def _cut(text: str) -> str:
    flat = " ".join(text.split()).rstrip(".。")
    return flat if len(flat) <= MAX_NOTE_PART else flat[:MAX_NOTE_PART - 1] + "…"


def case_notes(causes: Any, t: Translator) -> tuple[str, ...]:
    """One line per cause for the engineer's case notes (see the module docstring)."""
    notes = []
    for c in causes:
        f = c.cause
        step = next((s for s in f.steps if s.command), f.steps[0] if f.steps else None)
        fix = (step.command or step.text) if step is not None else t("none given")
        if step is not None and step.command and "\n" in step.command:  # one line: "a; b" runs in sh and PowerShell
            fix = "; ".join(line.strip() for line in step.command.splitlines() if line.strip())
        cause = _cut(f"{f.title}: {f.summary}")
        if c.consequences:
            notes.append(t("Cause: {cause}. Consequences: {consequences}. Fix given: {fix}", cause=cause,
                           consequences=_cut(t.join(x.title for x in c.consequences)), fix=_cut(fix or "")))
        else:
            notes.append(t("Cause: {cause}. Consequences: none found. Fix given: {fix}", cause=cause,
                           fix=_cut(fix or "")))
    if not notes:
        notes.append(t("Cause: none found inside the VM. Consequences: none. Fix given: none; check the Azure side "
                       "(see the scope of this diagnosis)."))
    return tuple(notes)


def support_view(diag: Diagnosis, causes: Any, t: Translator) -> SupportView:
    problems = case_problems(dict(diag.case), diag.symptom if isinstance(diag.symptom, dict) else None)
    timeline, note = _timeline(diag, t)
    level = masking_level(diag)
    return SupportView(
        case_rows=_case_rows(diag, t, problems),
        case_problems=tuple(_problem_text(msg, p, t) for _, msg, p in problems),
        case_notes=case_notes(causes, t), timeline=timeline, timeline_note=note, excerpts=_excerpts(diag, t),
        scope=_scope(diag, t), identity=identity_flags(diag, t), masking=t(MASKING_TEXT[level]),
        masking_level=level)
