"""The Windows event log entries `res.vss` reads beside the writer list: VSS (Application) and volsnap (System).

Microsoft's "VSS Error Logging" (MicrosoftDocs/win32 `desktop-src/VSS/vss-error-logging.md`): the VSS
service, its writers and the default provider write their errors to the Application log; "VSS drivers
and lower-level implementation functionality write errors to the System Log" (volsnap, the volume
shadow copy driver). A writer that failed at the last backup is often stable again when the wizard
runs; these entries are then the only trace of why the Take Snapshot phase failed.

One read-only PowerShell run, the same mechanism as the guest checks' script (`wizard.checks.guest.common`):
`Get-WinEvent -FilterHashtable` by log, provider name and level (1 critical, 2 error, 3 warning) since
`EVENTS_DAYS` days ago, at most `EVENTS_MAX` per query, messages cut in PowerShell, JSON out, one deadline
for the whole run (`EVENTS_TIMEOUT_S`). "No events found" is not an error; any other error of a query
(an unknown provider, access denied) is kept in the evidence and does not stop the other query.
Reading these two logs needs no elevation. Matching is on provider and event id
(`wizard.parsers.winevents.KNOWN_EVENTS`, each id with its Microsoft source), never on the message,
which is in Windows' display language and kept as evidence with an English gloss.

How the entries count (DERIVED from the Microsoft articles cited in `wizard.parsers.winevents`):
- volsnap timeouts and deleted shadow copies, low-resource events, and VSS not reaching its COM
  server, provider or event class are a `warning` with the VSS portal codes: each is a way the
  snapshot fails;
- VSS's "unexpected error" events (8193, 12289) and writer warnings are `info`: Microsoft documents
  harmless occurrences of both (8193 when the Cryptographic Services restart on a DHCP server; 12289
  "Ignore intermittent occurrences" for an abandoned writer session), so they explain a failure but
  do not make one;
- ids not in the list are shown and counted as `info`.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import CheckContext, error_msg, m, step
from wizard.checks.guest.common import NOT_CONFIRMED
from wizard.checks.res.common import CODE_COM, CODE_VSS_SERVICE, CODE_VSS_WRITER, _Issue
from wizard.model import FixStep, ListParam, Msg, Status, listed
from wizard.parsers import winevents
from wizard.probes.base import is_unavailable

EVENTS_DAYS = 7
EVENTS_MAX = 50
EVENTS_TIMEOUT_S = 20.0
EVENT_QUERIES = (("Application", "VSS"), ("System", "volsnap"))
EXCERPT_SOURCE = (f"Windows event logs, errors and warnings of the last {EVENTS_DAYS} days: "
                  "Application (source VSS), System (source volsnap)")

_QUERIES_PS = ", ".join(f"@{{ L = '{log}'; P = '{provider}' }}" for log, provider in EVENT_QUERIES)
_STATEMENTS = [
    "$ErrorActionPreference = 'Stop'",
    "$o = [ordered]@{}",
    "$o.now = [DateTime]::UtcNow.ToString('o')",
    f"$since = (Get-Date).AddDays(-{EVENTS_DAYS})",
    f"$o.queries = @(foreach ($q in @({_QUERIES_PS})) {{ "
    "$x = $null; $e = @(); "
    "try { $e = @(Get-WinEvent -FilterHashtable @{ LogName = $q.L; ProviderName = $q.P; Level = 1, 2, 3; "
    f"StartTime = $since }} -MaxEvents {EVENTS_MAX} -ErrorAction SilentlyContinue -ErrorVariable x) }} "
    "catch { $x = @($_) }; "
    "[ordered]@{ Log = $q.L; Provider = $q.P; "
    "Errors = @($x | Where-Object { [string]$_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*' } | "
    "Select-Object -First 3 | ForEach-Object { [string]$_ }); "
    "Events = @($e | ForEach-Object { $m = [string]$_.Message; "
    f"if ($m.Length -gt {winevents.MAX_MESSAGE}) {{ $m = $m.Substring(0, {winevents.MAX_MESSAGE}) }}; "
    "$t = $_.TimeCreated.ToUniversalTime().ToString('o'); $i = [int]$_.Id; $l = [int]$_.Level; "
    f"$p = @($_.Properties | Select-Object -First {winevents.MAX_PARAMS} | ForEach-Object {{ "
    f"$v = [string]$_.Value; if ($v.Length -gt {winevents.MAX_PARAM}) {{ $v.Substring(0, {winevents.MAX_PARAM}) }} "
    "else { $v } }); "
    "[ordered]@{ Id = $i; Level = $l; Time = $t; Message = $m; Params = $p } }) } })",
    "ConvertTo-Json -InputObject $o -Depth 6 -Compress",
]
EVENTS_SCRIPT = "; ".join(_STATEMENTS)
EVENTS_ARGV = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", EVENTS_SCRIPT]
SHOWN_EVENTS_COMMAND = ("Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'VSS'; "
                        f"Level = 1, 2, 3; StartTime = (Get-Date).AddDays(-{EVENTS_DAYS}) }} (and System, volsnap)")

READ_COMMAND = "\n".join(
    f"Get-WinEvent -FilterHashtable @{{ LogName = '{log}'; ProviderName = '{provider}'; Level = 1, 2, 3 }} "
    "-MaxEvents 20 | Format-List TimeCreated, Id, Message" for log, provider in EVENT_QUERIES)

_KNOWN_BY_SOURCE = {name: ", ".join(str(i) for i in sorted(i for q, i in winevents.KNOWN_EVENTS if q == key))
                    for key, name in (("vss", "VSS"), ("volsnap", "volsnap"))}
KNOWN_IDS_NOTE = ("explained: the ids Microsoft's articles describe ("
                  + "; ".join(f"{name} {ids}" for name, ids in _KNOWN_BY_SOURCE.items())
                  + "); any other id is shown with its message only")
SOURCE_NAME_NOTE = ("the System log's source name volsnap is the one Microsoft's articles show; that it is the same on "
                    "every Windows version is " + NOT_CONFIRMED)

# Which kinds make a warning, with which portal codes (DERIVED, see the module docstring).
WARNING_KINDS: dict[str, tuple[str, ...]] = {
    "io_timeout": (CODE_VSS_WRITER,),
    "resources": (CODE_VSS_WRITER,),
    "storage": (CODE_VSS_WRITER,),
    "com": (CODE_VSS_SERVICE, CODE_COM),
}
KIND_ORDER = ("io_timeout", "resources", "storage", "com", "unexpected", "writer", "unknown")


def read_events(ctx: CheckContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The events part of `res.vss`'s evidence (`read` and why not, the queries, the events, the excerpt) and
    the events read, newest first."""
    ans = ctx.call("run", argv=EVENTS_ARGV, timeout=EVENTS_TIMEOUT_S)
    out: dict[str, Any] = {"command": SHOWN_EVENTS_COMMAND, "days": EVENTS_DAYS, "read": False,
                           "matched_on": "event source (provider) and event id, not the localised message",
                           "known_ids": KNOWN_IDS_NOTE, "source_name_note": SOURCE_NAME_NOTE}
    if is_unavailable(ans) or not ans.get("found"):
        out["error"] = str(ans.get("error") or "not found")[:300]
        out["error_msg"] = error_msg(ans).to_dict()  # the reason in the reader's language
        return out, []
    if ans.get("timed_out"):
        out["error"] = f"no answer within {int(EVENTS_TIMEOUT_S)} seconds"
        out["error_msg"] = m("no answer within {seconds} seconds", seconds=int(EVENTS_TIMEOUT_S)).to_dict()
        return out, []
    parsed = winevents.parse_events(str(ans.get("stdout") or ""))
    if "error" in parsed:
        out["error"] = parsed["error"]
        out["stderr"] = str(ans.get("stderr") or "")[:300]
        return out, []
    events = parsed["events"]
    out.update(read=True, queries=parsed["queries"], count=len(events),
               events=[{k: e[k] for k in ("time", "log", "provider", "id", "level", "hresults")} for e in events[:20]])
    out["event_excerpt"] = winevents.event_excerpt(events, EXCERPT_SOURCE)
    return out, events


def _kind(e: dict[str, Any]) -> str:
    info = winevents.known(str(e.get("provider") or ""), e.get("id"))
    return info.kind if info else "unknown"


def _fix(kinds: set[str]) -> list[FixStep]:
    steps: list[FixStep] = [step("Read these events around the time of the failed backup (in Event Viewer, or with "
                                 "these commands); the message names the volume, writer or call that failed.",
                                 command=READ_COMMAND)]
    if "io_timeout" in kinds or "storage" in kinds:
        steps.append(step("Check where the shadow copy storage of each volume is and how large it may grow.",
                          command="vssadmin list shadowstorage"))
        steps.append(step("Reduce the disk load during the backup: move the backup policy's schedule to a quieter "
                          "time or move heavy jobs away from it."))
    if "resources" in kinds:
        steps.append(step("Free memory and CPU for the snapshot (see the memory and CPU results of this report), or "
                          "restart the VM at a scheduled downtime."))
    if "com" in kinds:
        steps.append(step("Restart the COM+ Event System and the Volume Shadow Copy service in an elevated command "
                          "prompt (or restart the VM), then check that the writers are listed.",
                          command="net stop VSS && net stop EventSystem && net start EventSystem && net start VSS"))
    if kinds & {"unexpected", "writer", "unknown"}:
        steps.append(step("Look up the hr code in the message; if the same error comes back at every backup, "
                          "restart the service behind the writer it names, or the VM."))
    return steps


def _listed(events: list[dict[str, Any]]) -> ListParam:
    """"VSS 12289 (3x)、volsnap 25" in the reader's language: the translator joins the list."""
    counts: dict[str, int] = {}
    for e in events:
        key = f"{e.get('provider') or '?'} {e.get('id') if e.get('id') is not None else '?'}"
        counts[key] = counts.get(key, 0) + 1
    return listed([f"{k} ({n}x)" if n > 1 else k for k, n in list(counts.items())[:8]], max_chars=300)


def events_issue(part: dict[str, Any], events: list[dict[str, Any]]) -> _Issue | None:
    """The issue the events make (their kinds noted in `part`), or None when none was logged or read."""
    if not events:
        return None
    kinds = {_kind(e) for e in events}
    serious = [e for e in events if _kind(e) in WARNING_KINDS and e.get("level") in (1, 2)]
    codes: list[str] = []
    for e in serious:
        codes += [c for c in WARNING_KINDS[_kind(e)] if c not in codes]
    part["kinds"] = sorted(kinds, key=KIND_ORDER.index)
    main = next(k for k in KIND_ORDER if k in kinds)
    why = _WHY[main]
    if serious:
        return _Issue(Status.WARNING,
                      m("Windows logged {count} volume shadow copy errors in the last {days} days: {events}.",
                        count=len(serious), days=EVENTS_DAYS, events=_listed(serious)),
                      why, _fix(kinds), codes)
    return _Issue(Status.INFO,
                  m("Windows logged {count} VSS or volume shadow copy events (errors or warnings) in the last {days} "
                    "days: {events}. They are in the report's excerpts.",
                    count=len(events), days=EVENTS_DAYS, events=_listed(events)),
                  why, _fix(kinds))


_WHY: dict[str, Msg] = {
    "io_timeout": m("The volume shadow copy driver could not hold the disk's writes, or grow the shadow copy storage, "
                    "in time: the disk was too busy. The backup extension's snapshot in the Take Snapshot phase fails "
                    "the same way."),
    "resources": m("Windows lacked memory or other resources to create a shadow copy; the backup extension's "
                   "snapshot in the Take Snapshot phase needs one."),
    "storage": m("Shadow copies were removed because their storage volume was missing; a snapshot taken while this "
                 "happens fails."),
    "com": m("VSS could not reach the components it calls through COM (its provider, its event class or the "
             "writers), so it cannot take the application-consistent snapshot the backup extension asks for."),
    "unexpected": m("VSS reported unexpected errors. Microsoft documents harmless occurrences too, so they explain "
                    "a failed snapshot only when they come with it (same time, or a failed writer)."),
    "writer": m("A VSS writer reported a warning; the application behind it may not be consistent in the backup."),
    "unknown": m("These events are not in the wizard's list of known VSS and volume shadow copy events; read them "
                 "in the excerpt."),
}
