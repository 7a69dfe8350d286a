"""Windows event log entries of the snapshot's Windows side (VSS, volsnap), and a bounded excerpt of them.

The wizard reads them with one read-only PowerShell run (`wizard.checks.res.vss_events.EVENTS_SCRIPT`):
`Get-WinEvent -FilterHashtable` by log, provider and level (critical, error, warning) since a start time,
at most 50 per query, each message cut to 2,000 characters, printed as JSON:

    {"now": "...", "queries": [{"Log": "Application", "Provider": "VSS", "Errors": [...],
                                "Events": [{"Id": 12289, "Level": 2, "Time": "...", "Message": "...",
                                            "Params": ["...", ...]}]}, ...]}

Events are matched on provider and event id (and the HRESULT codes in their parameters), never on the
message text: the message is in the display language of Windows and is kept as evidence only, with an
English gloss of the known ids beside it.

Known ids, each found in a public Microsoft source (`KNOWN_EVENTS`); anything else the query returns is
kept and shown as "not in the wizard's list":

- VSS (Application log): 8193 (SupportArticles-docs `event-id-8193-when-you-perform-backup.md`, KB 3098315;
  `no-vss-writers-are-listed.md`, KB 2009533), 12289 (`event-12289-vss-backup-restore.md`, KB 978773;
  Microsoft Japan's Ask Core blog "VSS 12289 のイベントが記録される問題について"), 12290 (KB 826936),
  12292 and 11 (`backup-fails-event-12292-11.md`, KB 2009513), 13 and 34 (KB 2009533).
- volsnap (System log): 4, 5, 6, 8, 9, 15, 21 (Windows Server 2008 R2 "Volume Snapshot Driver Integrity",
  learn.microsoft.com previous-versions dd364896), 20 and 28 (KB 887827, KB 833167), 25 (KB 826936; the
  Microsoft CSS Taiwan blog "Volume Shadow Copy Volsnap Event 25"), 32
  (`event-id-32-shadow-copies-are-unexpectedly-deleted.md`).

Not confirmed in any Microsoft source the wizard's authors could read, so left out of the list (they are
still read and shown when Windows logged them as errors or warnings): VSS 8194, 12291, 12293, 12298, 20,
22 and volsnap 33, 35, 36 (their texts appear only in third-party pages or message-table dumps). That the
System log's provider is named `volsnap` on every Windows version is taken from Microsoft's articles
(2013 to 2023), not confirmed for each version.

Every parser takes text from the machine and never raises on it: malformed or hostile input gives an
empty or partial result, bounded in size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wizard.parsers.excerpts import clean_line
from wizard.parsers.firewall.windows import as_list, parse_powershell_json

MAX_TEXT = 2 * 1024 * 1024
MAX_QUERIES = 4
MAX_EVENTS = 50
MAX_PARAMS = 8
MAX_PARAM = 300
MAX_MESSAGE = 2000
EXCERPT_EVENTS = 10
EXCERPT_LINES = 20
EXCERPT_BYTES = 8 * 1024

LEVELS = {1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 0: "Information", 5: "Verbose"}
HRESULT_RE = re.compile(r"\b0x[0-9A-Fa-f]{8}\b")


@dataclass(frozen=True)
class KnownEvent:
    kind: str
    """`io_timeout`, `resources`, `storage`, `com`, `unexpected` or `writer`: what the check tells the user."""
    gloss: str
    """What the event means, in English (evidence; the check's own sentences are translated)."""
    source: str


_DD364896 = ("learn.microsoft.com previous-versions windows-server-2008-R2-and-2008 dd364896 "
             "(Volume Snapshot Driver Integrity)")
_KB2009533 = "SupportArticles-docs backup-and-storage no VSS writers are listed (KB 2009533)"
_KB2009513 = "SupportArticles-docs backup-and-storage/backup-fails-event-12292-11.md (KB 2009513)"
_KB826936 = "support.microsoft.com KB 826936"
_KB887827 = "support.microsoft.com KB 887827 and KB 833167"

KNOWN_EVENTS: dict[tuple[str, int], KnownEvent] = {
    ("vss", 8193): KnownEvent("unexpected", "VSS hit an unexpected error calling a routine; the message names the "
                              "routine and its hr code.",
                              "SupportArticles-docs backup-and-storage/event-id-8193-when-you-perform-backup.md "
                              "(KB 3098315); " + _KB2009533),
    ("vss", 12289): KnownEvent("unexpected", "VSS hit an unexpected error; the message names the failing call and "
                               "its hr code.",
                               "SupportArticles-docs backup-and-storage/event-12289-vss-backup-restore.md (KB 978773)"),
    ("vss", 12290): KnownEvent("writer", "A VSS writer reported a warning (for example an ESENT error of the NTDS "
                               "writer).", _KB826936),
    ("vss", 12292): KnownEvent("com", "VSS could not create the shadow copy provider's COM class.", _KB2009513),
    ("vss", 11): KnownEvent("resources", "VSS could not start a COM server such as the software shadow copy "
                            "provider; Microsoft says the CPU is most likely under heavy load.", _KB2009513),
    ("vss", 13): KnownEvent("com", "VSS could not start a COM server (for example VSSEvent).", _KB2009533),
    ("vss", 34): KnownEvent("com", "The VSS event class is not registered, so no VSS writer receives events.",
                            _KB2009533),
    ("volsnap", 4): KnownEvent("resources", "A shadow copy could not be created: not enough resources for worker "
                               "threads.", _DD364896),
    ("volsnap", 5): KnownEvent("resources", "A shadow copy could not be created: not enough non-paged memory pool.",
                               _DD364896),
    ("volsnap", 6): KnownEvent("resources", "A shadow copy could not create a paged heap: the system may be low on "
                               "virtual memory.", _DD364896),
    ("volsnap", 8): KnownEvent("io_timeout", "Holding writes to the volume for the snapshot timed out while waiting "
                               "for the release command.", _DD364896),
    ("volsnap", 9): KnownEvent("io_timeout", "Holding writes to the volume for the snapshot timed out while waiting "
                               "for file system cleanup.", _DD364896),
    ("volsnap", 15): KnownEvent("resources", "Shadow copies were aborted: not enough paged heap.", _DD364896),
    ("volsnap", 20): KnownEvent("resources", "Shadow copies were aborted because free space could not be computed "
                                "(Microsoft traces it to insufficient system resources).", _KB887827),
    ("volsnap", 21): KnownEvent("resources", "Holding writes for the snapshot was aborted: low available system "
                                "memory.", _DD364896),
    ("volsnap", 25): KnownEvent("io_timeout", "Shadow copies were deleted because the shadow copy storage could not "
                                "grow in time; Microsoft advises reducing the I/O load.", _KB826936),
    ("volsnap", 28): KnownEvent("resources", "A shadow copy could not be created: its on-disk structures could not be "
                                "created (Microsoft traces it to insufficient system resources).", _KB887827),
    ("volsnap", 32): KnownEvent("storage", "Shadow copies were aborted because the shadow copy storage volume was not "
                                "present.",
                                "SupportArticles-docs backup-and-storage/"
                                "event-id-32-shadow-copies-are-unexpectedly-deleted.md"),
}


def known(provider: str, event_id: int | None) -> KnownEvent | None:
    if event_id is None:
        return None
    return KNOWN_EVENTS.get((provider.strip().lower(), event_id))


def _s(value: Any, limit: int) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value)[:limit]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**31) <= value < 2**32 else None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,10}\s*", value):
        return int(value)
    return None


def _event(raw: Any, log: str, provider: str) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    params = [_s(p, MAX_PARAM) for p in as_list(raw.get("Params"))[:MAX_PARAMS]]
    event_id = _int(raw.get("Id"))
    hresults: list[str] = []
    for text in params:
        for code in HRESULT_RE.findall(text):
            if code.lower() not in hresults and len(hresults) < 5:
                hresults.append(code.lower())
    return {"log": log, "provider": provider, "id": event_id, "level": _int(raw.get("Level")),
            "time": _s(raw.get("Time"), 64), "message": _s(raw.get("Message"), MAX_MESSAGE),
            "params": params, "hresults": hresults}


def parse_events(text: str) -> dict[str, Any]:
    """The events script's JSON, normalised: `{"now", "queries": [{"log", "provider", "errors"}], "events": [...]}`
    with the events newest first; `{"error": ...}` when there is no JSON object at all."""
    if not isinstance(text, str):
        return {"error": "not text"}
    if len(text) > MAX_TEXT:
        return {"error": "output too large"}
    data, error = parse_powershell_json(text)
    if error is not None or not isinstance(data, dict):
        return {"error": error or "not a JSON object"}
    queries: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for q in as_list(data.get("queries"))[:MAX_QUERIES]:
        if not isinstance(q, dict):
            continue
        log, provider = _s(q.get("Log"), 40), _s(q.get("Provider"), 80)
        errors = [_s(e, 300) for e in as_list(q.get("Errors"))[:3] if _s(e, 300)]
        queries.append({"log": log, "provider": provider, "errors": errors})
        for raw in as_list(q.get("Events"))[:MAX_EVENTS]:
            event = _event(raw, log, provider)
            if event is not None:
                events.append(event)
    events.sort(key=lambda e: e["time"], reverse=True)
    return {"now": _s(data.get("now"), 64), "queries": queries, "events": events}


def event_excerpt(events: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """A bounded excerpt of event log entries for the report, shaped like `log_excerpt` for a log but with
    `kind: "events"`: `{"kind", "source", "events_read", "entries": [{"time", "log", "provider", "id",
    "level", "lines", "gloss"}], "cut"}`. The newest `EXCERPT_EVENTS` entries, `EXCERPT_LINES` lines of each
    message, `EXCERPT_BYTES` in all; every line passes the secret filter and loses its control characters."""
    budget = EXCERPT_BYTES
    entries: list[dict[str, Any]] = []
    cut = len(events) > EXCERPT_EVENTS
    for e in events[:EXCERPT_EVENTS]:
        raw_lines = [line for line in str(e.get("message") or "").splitlines() if line.strip()]
        if len(raw_lines) > EXCERPT_LINES:
            raw_lines, cut = raw_lines[:EXCERPT_LINES], True
        lines = [clean_line(line.rstrip()) for line in raw_lines]
        size = sum(len(x.encode("utf-8")) + 1 for x in lines) + 80
        if size > budget:
            cut = True
            break
        budget -= size
        event_id = e.get("id")
        info = known(str(e.get("provider") or ""), event_id if isinstance(event_id, int) else None)
        entries.append({"time": clean_line(str(e.get("time") or ""))[:64], "log": clean_line(str(e.get("log") or "")),
                        "provider": clean_line(str(e.get("provider") or "")), "id": event_id,
                        "level": LEVELS.get(e["level"], str(e["level"])) if isinstance(e.get("level"), int) else "",
                        "lines": lines, "gloss": info.gloss if info else None})
    return {"kind": "events", "source": source, "events_read": len(events), "entries": entries, "cut": cut}
