"""The Windows VM agent: `C:\\WindowsAzure\\Logs\\WaAppAgent.log` entries and error signatures, and the
agent's version from `GuestAgent_<version>_<date>_<time>` folder names.

WaAppAgent.log lines look like `[00000011] [12/11/2018 06:27:55.66] [WARN]  message` (thread,
month/day/year time, level) or, in newer agents, `[00000018] 2021-01-12T16:35:45Z [INFO]  message`;
.NET stack traces follow on continuation lines. Both shapes are in the Microsoft support article
"Troubleshoot Azure Windows VM Agent issues" (SA-WINGA in the facts file), which is also the
source of every signature below.

The signatures key on the agent's own English messages and on language-independent tokens
(exception type names, `168.63.129.16:32526`, error numbers), never on Windows' localized
socket or .NET error texts, so they work on Japanese Windows too.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable

from wizard.parsers.waagent import (
    WINDOW,
    LogScan,
    Signature,
    make_datetime,
    scan,
    split_entries,
    version_tuple,
)

_THREAD_RE = re.compile(r"^\[\d{1,12}\]")
_LEVEL_START_RE = re.compile(r"^\[(INFO|WARN|WARNING|ERROR|VERBOSE)\]", re.IGNORECASE)
_US_TIME_RE = re.compile(r"\[(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\]")
_ISO_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?Z?")
_LEVEL_RE = re.compile(r"\[(INFO|WARN|WARNING|ERROR|VERBOSE)\]", re.IGNORECASE)


def waappagent_line_start(line: str) -> tuple[bool, _dt.datetime | None, str | None]:
    """Whether a WaAppAgent.log line starts an entry (`[thread]` or `[LEVEL]` first), with its time and level."""
    if not line.startswith("["):
        return False, None, None
    if _THREAD_RE.match(line) is None and _LEVEL_START_RE.match(line) is None:
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
    Signature("hostgaplugin_unreachable", (
        ("exception while fetching supported versions from hostgaplugin",),
        ("socketexception", "168.63.129.16:32526"),
    )),
    Signature("getversions_failed", (("getversions() failed",),)),
    Signature("fabric_discovery_failed", (("did not discover fabric address",),)),
    Signature("stuck_stopping", (("windowsazureguestagent could not be stopped",),)),
)


def scan_waappagent_log(text: str, window: _dt.timedelta = WINDOW) -> LogScan:
    """Scan WaAppAgent.log text for the known error signatures (no healthy markers are documented)."""
    return scan(split_entries(text, waappagent_line_start), WINDOWS_SIGNATURES, (), window)


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
