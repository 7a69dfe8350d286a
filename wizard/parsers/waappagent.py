"""The Windows VM agent: `C:\\WindowsAzure\\Logs\\WaAppAgent.log` entries and error signatures, and the
agent's version from `GuestAgent_<version>_<date>_<time>` folder names.

WaAppAgent.log lines look like `[00000011] [12/11/2018 06:27:55.66] [WARN]  message` (thread,
month/day/year time, level) or, in newer agents, `[00000018] 2021-01-12T16:35:45Z [INFO]  message`;
excerpts also show `[07/11/2019 21:04:07.05] [INFO]  message` (time first, no thread) and a bare
`[ERROR] message`. .NET stack traces and wrapped exception messages follow on continuation lines,
which belong to the entry that started them: one multi-line error is one occurrence. Only a line
that starts with one of these shapes starts an entry. Lines before the first entry (the end of an
entry the bounded tail cut off) are kept aside as a fragment, not counted: its own entry and time
are unknown, and the same error usually appears whole in the next entry.

Sources: the Microsoft support article "Troubleshoot Azure Windows VM Agent issues" (SA-WINGA in the
facts file: the entry shapes and every error signature) and Microsoft's Azure IaaS VM support
workflow "Guest Agent Workflow" (public mirror of the supportability wiki: the healthy sequence
"Attempting to discover fabric address on interface X" / "Discovered fabric address on interface X"
/ "ControlSystem initialized with version 2012-11-30"). A fabric-address discovery that failed on one
interface and then succeeded on another (the normal sequence on a VM with several adapters, or with
a Npcap loopback adapter next to the real one) is resolved, not an error.

The signatures key on the agent's own English messages and on language-independent tokens
(exception type names, `168.63.129.16:32526`, error numbers), never on Windows' localized
socket or .NET error texts alone, so they work on Japanese Windows too; the one exception is the
socket error WSAEACCES (a local block), recognised in English and Japanese wording.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard.parsers.waagent import (
    WINDOW,
    Hits,
    LogEntry,
    LogScan,
    Signature,
    excerpt,
    make_datetime,
    scan,
    split_entries,
    version_tuple,
)

_LEVELS = r"(?:INFO|WARN|WARNING|ERROR|VERBOSE)"
_START_RE = re.compile(
    r"^\[\d{1,12}\]\s+(?:\[\d{1,2}/\d{1,2}/\d{4}\s|\d{4}-\d{2}-\d{2}[T ]|\[" + _LEVELS + r"\])"
    r"|^\[\d{1,2}/\d{1,2}/\d{4}\s\d{1,2}:\d{2}:\d{2}(?:\.\d{1,7})?\]\s+\[" + _LEVELS + r"\]"
    r"|^\[" + _LEVELS + r"\]",
    re.IGNORECASE,
)
_US_TIME_RE = re.compile(r"\[(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\]")
_ISO_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?Z?")
_LEVEL_RE = re.compile(r"\[(INFO|WARN|WARNING|ERROR|VERBOSE)\]", re.IGNORECASE)


def waappagent_line_start(line: str) -> tuple[bool, _dt.datetime | None, str | None]:
    """Whether a WaAppAgent.log line starts an entry (`[thread]` or `[LEVEL]` first), with its time and level."""
    if not line.startswith("[") or _START_RE.match(line[:120]) is None:
        return False, None, None
    head = line[:80]
    stamp: _dt.datetime | None = None
    if mo := _US_TIME_RE.search(head):
        month, day, year, hour, minute, second, fraction = mo.groups()
        stamp = make_datetime(year, month, day, hour, minute, second, fraction)
    elif mo := _ISO_TIME_RE.search(head):
        stamp = make_datetime(*mo.groups())
    level_mo = _LEVEL_RE.search(head)
    return True, stamp, (level_mo.group(1).upper() if level_mo else None)


WINDOWS_SIGNATURES: tuple[Signature, ...] = (
    Signature("npcap_fabric_discovery", (("did not discover fabric address", "npcap"),)),
    Signature("rdcrypt_init_failed", (("rdcrypt initialization failed",),)),
    Signature("pfx_import_failed", (("pfximportcertstore failed", "error code: 86"),)),
    Signature("bad_image_format", (("badimageformatexception",),)),
    # WSAEACCES: a local firewall or filter forbade the connection (not a transient failure)
    Signature("hostgaplugin_blocked", (
        ("168.63.129.16:32526", "forbidden by its access permissions"),
        ("168.63.129.16:32526", "アクセス許可で禁じられた"),
    )),
    Signature("hostgaplugin_unreachable", (
        ("exception while fetching supported versions from hostgaplugin",),
        ("socketexception", "168.63.129.16:32526"),
    )),
    Signature("getversions_failed", (("getversions() failed",),)),
    Signature("fabric_discovery_failed", (("did not discover fabric address",),)),
    Signature("stuck_stopping", (("windowsazureguestagent could not be stopped",),)),
)


WINDOWS_HEALTHY: tuple[Signature, ...] = (
    Signature("control_system_ready", (("controlsystem initialized with version",),)),
    Signature("fabric_discovered", (("discovered fabric address on interface",),)),
)
DISCOVERY_FAILURES = frozenset({"npcap_fabric_discovery", "fabric_discovery_failed"})
_DISCOVERY_FAILED = "did not discover fabric address"
_DISCOVERY_OK = "discovered fabric address on interface"


@dataclass
class WaAppAgentScan:
    """What scanning WaAppAgent.log found: the scan, the failures a later success resolved, and the
    leading fragment (lines before the first entry) that was not counted."""

    result: LogScan
    resolved: dict[str, Hits] = field(default_factory=dict)
    fragment: str | None = None


def _last_index(entries: list[LogEntry], wanted: str, unless: str | None = None) -> int:
    last = -1
    for i, entry in enumerate(entries):
        folded = entry.text.lower()
        if wanted in folded and (unless is None or unless not in folded):
            last = i
    return last


def scan_waappagent(text: str, window: _dt.timedelta = WINDOW) -> WaAppAgentScan:
    """Scan WaAppAgent.log text for the known error signatures and healthy markers."""
    entries = split_entries(text, waappagent_line_start)
    fragment: str | None = None
    if len(entries) > 1 and not waappagent_line_start(entries[0].text.split("\n", 1)[0])[0]:
        fragment = excerpt(entries.pop(0).text)
    result = scan(entries, WINDOWS_SIGNATURES, WINDOWS_HEALTHY, window)
    out = WaAppAgentScan(result, fragment=fragment)
    if _last_index(entries, _DISCOVERY_OK, unless=_DISCOVERY_FAILED) > _last_index(entries, _DISCOVERY_FAILED):
        for sid in DISCOVERY_FAILURES & set(result.hits):
            out.resolved[sid] = result.hits.pop(sid)
    return out


def scan_waappagent_log(text: str, window: _dt.timedelta = WINDOW) -> LogScan:
    """`scan_waappagent(text, window).result`: the signatures still standing and the healthy markers."""
    return scan_waappagent(text, window).result


_GUEST_AGENT_DIR_RE = re.compile(r"^GuestAgent_(\d{1,9}(?:\.\d{1,9}){1,5})(?:_|$)", re.IGNORECASE)


def guest_agent_dir_versions(names: Iterable[object]) -> list[str]:
    """Versions of `GuestAgent_<version>_<date>_<time>` folder names, oldest first (duplicates merged)."""
    found: dict[tuple[int, ...], str] = {}
    for name in names:
        mo = _GUEST_AGENT_DIR_RE.match(str(name)[:300])
        if mo:
            parsed = version_tuple(mo.group(1))
            if parsed is not None:
                found[parsed] = mo.group(1)
    return [found[k] for k in sorted(found)]
