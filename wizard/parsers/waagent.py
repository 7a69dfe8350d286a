"""The Linux VM agent (WALinuxAgent): `waagent.conf`, `waagent --version`, `waagent.log`.

Also home of two helpers the Windows agent parser shares:
- `version_tuple` / `compare_versions`: dotted version numbers, robust to junk around them;
- the log-scanning engine (`LogEntry`, `Signature`, `scan`): a log is split into entries (a
  line that starts an entry plus its continuation lines, e.g. a traceback), each entry is
  matched against known error signatures made of plain case-insensitive substrings (no
  backtracking regular expressions, so hostile input costs linear time), and only entries of
  the 24 hours before the newest timestamp in the log are counted (there is no clock probe,
  and a log bundle may be old).

Sources (see the facts file): the `waagent.conf` reader mirrors WALinuxAgent's
`ConfigurationProvider.load` (azurelinuxagent/common/conf.py); the `--version` lines come from
`azurelinuxagent/agent.py version()`; log lines are `<ISO8601 UTC>Z <LEVEL> <thread> ...`
(azurelinuxagent/common/logger.py). Older agents wrote `YYYY/MM/DD HH:MM:SS.ffffff LEVEL ...`
(UNCONFIRMED in our sources; accepted defensively). The error signatures are the messages the
agent's own end-to-end tests classify (tests_e2e/tests/lib/agent_log.py).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MAX_CONF_CHARS = 1024 * 1024
MAX_LINE_CHARS = 4096
MAX_ENTRY_CHARS = 8192
MAX_ENTRY_LINES = 60
MAX_EXCERPT_CHARS = 600
MAX_EXCERPTS = 3
WINDOW = _dt.timedelta(hours=24)

# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------

_VERSION_RE = re.compile(r"(?<![\d.])(\d{1,9}(?:\.\d{1,9}){1,5})")


def version_tuple(text: object) -> tuple[int, ...] | None:
    """The first dotted number in `text` (`"GuestAgent_2.7.41491.1102_2024"` -> (2, 7, 41491, 1102))."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    mo = _VERSION_RE.search(text[:MAX_LINE_CHARS])
    if mo is None:
        return None
    return tuple(int(part) for part in mo.group(1).split("."))


def compare_versions(a: object, b: object) -> int | None:
    """-1, 0 or 1 as version `a` is older than, equal to or newer than `b`; None if either is not a version.

    Missing trailing parts count as zero (`2.7` == `2.7.0.0`).
    """
    ta, tb = version_tuple(a), version_tuple(b)
    if ta is None or tb is None:
        return None
    width = max(len(ta), len(tb))
    pa = ta + (0,) * (width - len(ta))
    pb = tb + (0,) * (width - len(tb))
    return (pa > pb) - (pa < pb)


def version_text(text: object) -> str | None:
    """The first dotted number in `text`, as a string."""
    parsed = version_tuple(text)
    return None if parsed is None else ".".join(str(p) for p in parsed)


# ---------------------------------------------------------------------------------------------
# waagent.conf
# ---------------------------------------------------------------------------------------------


@dataclass
class WaagentConf:
    """`/etc/waagent.conf` read the way the agent reads it (last duplicate wins, `None` means unset)."""

    values: dict[str, str | None] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    ignored: list[tuple[int, str]] = field(default_factory=list)
    ignored_count: int = 0
    line_count: int = 0
    empty: bool = True
    truncated: bool = False

    def raw(self, key: str) -> str | None:
        return self.values.get(key)

    def has(self, key: str) -> bool:
        return key in self.values

    def switch(self, key: str) -> bool | None:
        """The agent's `get_switch`: True for `y`, False for `n` (any case), None (= the default) otherwise."""
        value = self.values.get(key)
        if value is None:
            return None
        if value.lower() == "y":
            return True
        if value.lower() == "n":
            return False
        return None

    def get(self, key: str, default: str | None) -> str | None:
        value = self.values.get(key)
        return default if value is None else value


def parse_conf(text: str) -> WaagentConf:
    """Parse `waagent.conf` text. Never raises; garbage lines are counted and a few kept as samples."""
    conf = WaagentConf()
    if not isinstance(text, str):
        return conf
    if len(text) > MAX_CONF_CHARS:
        text = text[:MAX_CONF_CHARS]
        conf.truncated = True
    text = text.removeprefix("\ufeff")
    conf.empty = not text.strip()
    for number, line in enumerate(text.split("\n"), start=1):
        conf.line_count = number
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "=" not in line:
            conf.ignored_count += 1
            if len(conf.ignored) < 5:
                conf.ignored.append((number, stripped[:200]))
            continue
        key_part, value_part = line.split("=", 1)
        key = key_part.strip()
        value = value_part.split("#")[0].strip('" ').strip()
        if not key:
            conf.ignored_count += 1
            if len(conf.ignored) < 5:
                conf.ignored.append((number, stripped[:200]))
            continue
        key = key[:200]
        if key in conf.lines:
            conf.duplicates.setdefault(key, [conf.lines[key]]).append(number)
        conf.values[key] = None if value == "None" else value[:MAX_LINE_CHARS]
        conf.lines[key] = number
    return conf


def auto_update(conf: WaagentConf) -> tuple[bool, str]:
    """Whether the agent updates itself, and the key that decided it ("default" when none is set).

    `AutoUpdate.UpdateToLatestVersion` (newer agents) wins over the deprecated `AutoUpdate.Enabled`
    (DERIVED from the agent's warning "AutoUpdate.Enabled property is **Deprecated** now but it's
    set to different value from AutoUpdate.UpdateToLatestVersion"); both default to y.
    """
    for key in ("AutoUpdate.UpdateToLatestVersion", "AutoUpdate.Enabled"):
        value = conf.switch(key)
        if value is not None:
            return value, key
    return True, "default"


# ---------------------------------------------------------------------------------------------
# waagent --version
# ---------------------------------------------------------------------------------------------


@dataclass
class WaagentVersion:
    """The three lines of `waagent --version`."""

    agent_version: str | None = None
    distro: str | None = None
    python: str | None = None
    goal_state_version: str | None = None

    @property
    def parsed(self) -> bool:
        return self.agent_version is not None or self.goal_state_version is not None


_AGENT_LINE_RE = re.compile(r"WALinuxAgent-(\d{1,9}(?:\.\d{1,9}){1,5})(?:\s+running on\s+(.{0,200}))?",
                            re.IGNORECASE)
_PYTHON_LINE_RE = re.compile(r"^\s*Python:\s*(\d{1,9}(?:\.\d{1,9}){0,3})", re.IGNORECASE)
_GOAL_LINE_RE = re.compile(r"Goal state agent:\s*(\d{1,9}(?:\.\d{1,9}){1,5})", re.IGNORECASE)


def parse_version_output(text: str) -> WaagentVersion:
    """Parse `waagent --version` (`WALinuxAgent-2.7.0.6 running on redhat 8.10` / `Python: 3.6.8` /
    `Goal state agent: 2.7.0.6`); other lines (warnings on stderr, banners) are skipped."""
    out = WaagentVersion()
    if not isinstance(text, str):
        return out
    for line in text.splitlines()[:200]:
        line = line[:MAX_LINE_CHARS]
        if out.goal_state_version is None and (mo := _GOAL_LINE_RE.search(line)):
            out.goal_state_version = mo.group(1)
            continue
        if out.python is None and (mo := _PYTHON_LINE_RE.match(line)):
            out.python = mo.group(1)
            continue
        if out.agent_version is None and (mo := _AGENT_LINE_RE.search(line)):
            out.agent_version = mo.group(1)
            distro = (mo.group(2) or "").strip()
            out.distro = distro or None
    return out


_AGENT_DIR_RE = re.compile(r"^WALinuxAgent-(\d{1,9}(?:\.\d{1,9}){1,5})$")


def agent_dir_versions(names: Iterable[object]) -> list[str]:
    """Versions of the `WALinuxAgent-<version>` folders in `/var/lib/waagent`, oldest first."""
    found: dict[tuple[int, ...], str] = {}
    for name in names:
        mo = _AGENT_DIR_RE.match(str(name)[:200])
        if mo:
            parsed = version_tuple(mo.group(1))
            if parsed is not None:
                found[parsed] = mo.group(1)
    return [found[k] for k in sorted(found)]


# ---------------------------------------------------------------------------------------------
# The interpreter that runs the agent (for the backup extension's last-resort Python)
# ---------------------------------------------------------------------------------------------

_SHEBANG_RE = re.compile(r"^#!\s*(\S{1,300})(?:[ \t]+(\S{1,300}))?")
_EXECSTART_RE = re.compile(r"^\s*ExecStart\s*=\s*[-@:+!]*(\S{1,300})(?:\s+(\S{1,300}))?", re.MULTILINE)


def _python_of(first: str, second: str | None) -> str | None:
    base = first.rsplit("/", 1)[-1]
    if base == "env" and second:
        return second if second.startswith("python") else None
    return first if base.startswith("python") else None


def interpreter_from_shebang(text: str) -> str | None:
    """The Python a script's `#!` line names (`/usr/bin/python3`, or `python3` for `/usr/bin/env python3`)."""
    if not isinstance(text, str) or not text.startswith("#!"):
        return None
    mo = _SHEBANG_RE.match(text[:MAX_LINE_CHARS])
    return _python_of(mo.group(1), mo.group(2)) if mo else None


def interpreter_from_unit(text: str) -> str | None:
    """The Python a systemd unit's `ExecStart=` runs (`ExecStart=/usr/bin/python3 -u /usr/sbin/waagent -daemon`)."""
    if not isinstance(text, str):
        return None
    for mo in _EXECSTART_RE.finditer(text[:MAX_CONF_CHARS]):
        found = _python_of(mo.group(1), mo.group(2))
        if found:
            return found
    return None


# ---------------------------------------------------------------------------------------------
# Logs: entries, signatures, scanning (shared with wizard.parsers.waappagent)
# ---------------------------------------------------------------------------------------------


@dataclass
class LogEntry:
    """One log entry: the line that starts it and its continuation lines (capped)."""

    line_no: int
    timestamp: _dt.datetime | None
    level: str | None
    text: str


StartParser = Callable[[str], "tuple[bool, _dt.datetime | None, str | None]"]


def split_entries(text: str, start: StartParser) -> list[LogEntry]:
    """Split log text into entries. `start(line)` says whether a line starts an entry, and its time and level.

    Lines before the first entry start form an entry of their own. Entries without a time of
    their own take the time of the entry before them (or, at the very top, of the first
    entry that has one).
    """
    entries: list[LogEntry] = []
    if not isinstance(text, str) or not text:
        return entries
    parts: list[str] = []
    size = 0
    current: LogEntry | None = None

    def close() -> None:
        if current is not None:
            current.text = "\n".join(parts).rstrip()
            entries.append(current)

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:MAX_LINE_CHARS].rstrip("\r")
        is_start, stamp, level = start(line)
        if is_start or current is None:
            close()
            current = LogEntry(number, stamp if is_start else None, level if is_start else None, "")
            parts = [line]
            size = len(line)
            continue
        if len(parts) < MAX_ENTRY_LINES and size < MAX_ENTRY_CHARS:
            parts.append(line)
            size += len(line) + 1
    close()
    _fill_times(entries)
    return entries


def _fill_times(entries: list[LogEntry]) -> None:
    last: _dt.datetime | None = None
    for entry in entries:
        if entry.timestamp is None:
            entry.timestamp = last
        else:
            last = entry.timestamp
    first = next((e.timestamp for e in entries if e.timestamp is not None), None)
    for entry in entries:
        if entry.timestamp is not None:
            break
        entry.timestamp = first


@dataclass(frozen=True)
class Signature:
    """A known log message: it matches an entry when every substring of any one group occurs in it.

    Substrings are lower case; the entry is lower-cased before matching.
    """

    id: str
    groups: tuple[tuple[str, ...], ...]

    def matches(self, folded: str) -> bool:
        return any(all(part in folded for part in group) for group in self.groups)


@dataclass
class Hits:
    """How often one signature occurred: in the window, before it, when, and the latest excerpts."""

    count: int = 0
    older: int = 0
    first: _dt.datetime | None = None
    latest: _dt.datetime | None = None
    excerpts: list[str] = field(default_factory=list)

    def add(self, entry: LogEntry) -> None:
        self.count += 1
        ts = entry.timestamp
        if ts is not None:
            self.first = ts if self.first is None or ts < self.first else self.first
            self.latest = ts if self.latest is None or ts > self.latest else self.latest
        self.excerpts.append(excerpt(entry.text))
        if len(self.excerpts) > MAX_EXCERPTS:
            del self.excerpts[0]


@dataclass
class LogScan:
    """What scanning a log found."""

    entries: int = 0
    in_window: int = 0
    newest: _dt.datetime | None = None
    window_start: _dt.datetime | None = None
    has_timestamps: bool = False
    hits: dict[str, Hits] = field(default_factory=dict)
    healthy: dict[str, Hits] = field(default_factory=dict)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def excerpt(text: str) -> str:
    """A short, printable excerpt of an entry for evidence."""
    cut = text[:MAX_EXCERPT_CHARS]
    cut = _CONTROL_RE.sub("\ufffd", cut)
    return cut + (" [...]" if len(text) > MAX_EXCERPT_CHARS else "")


def scan(entries: list[LogEntry], signatures: Iterable[Signature], healthy: Iterable[Signature] = (),
         window: _dt.timedelta = WINDOW) -> LogScan:
    """Count signature matches in the `window` before the newest timestamp (each entry: first match only)."""
    sigs = list(signatures)
    markers = list(healthy)
    result = LogScan(entries=len(entries))
    stamps = [e.timestamp for e in entries if e.timestamp is not None]
    if stamps:
        result.has_timestamps = True
        result.newest = max(stamps)
        result.window_start = result.newest - window
    for entry in entries:
        recent = (not result.has_timestamps or entry.timestamp is None
                  or (result.window_start is not None and entry.timestamp >= result.window_start))
        if recent:
            result.in_window += 1
        folded = entry.text.lower()
        sig = next((s for s in sigs if s.matches(folded)), None)
        if sig is not None:
            hits = result.hits.setdefault(sig.id, Hits())
            if recent:
                hits.add(entry)
            else:
                hits.older += 1
            continue
        marker = next((s for s in markers if s.matches(folded)), None)
        if marker is not None:
            mh = result.healthy.setdefault(marker.id, Hits())
            if recent:
                mh.add(entry)
            else:
                mh.older += 1
    result.hits = {k: v for k, v in result.hits.items() if v.count or v.older}
    return result


def make_datetime(year: str, month: str, day: str, hour: str, minute: str, second: str,
                  fraction: str | None) -> _dt.datetime | None:
    """A datetime from text fields, or None when they are not a real date (month 13, 2019-02-30, ...)."""
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        stamp = _dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError:
        return None
    if not 1990 <= stamp.year <= 2200:
        return None
    return stamp


def format_time(stamp: _dt.datetime | None) -> str:
    return "-" if stamp is None else stamp.strftime("%Y-%m-%d %H:%M:%S")


# --- waagent.log --------------------------------------------------------------------------------

_LINUX_START_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?\s+(?:(VERBOSE|INFO|WARNING|WARN|ERROR)\b)?"
    r"|^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s+(?:(VERBOSE|INFO|WARNING|WARN|ERROR)\b)?"
)


def waagent_line_start(line: str) -> tuple[bool, _dt.datetime | None, str | None]:
    """Whether a waagent.log line starts an entry (it begins with a timestamp), with its time and level."""
    if not line or not line[0].isdigit():
        return False, None, None
    mo = _LINUX_START_RE.match(line)
    if mo is None:
        return False, None, None
    g = mo.groups()
    fields = g[0:7] if g[0] is not None else g[8:15]
    level = g[7] if g[0] is not None else g[15]
    stamp = make_datetime(*fields)
    if stamp is None:
        return False, None, None
    return True, stamp, level


WIRESERVER_HOSTS = ("http://168.63.129.16/", "http://168.63.129.16:80/")

LINUX_SIGNATURES: tuple[Signature, ...] = (
    Signature("wireserver_unreachable", (
        (WIRESERVER_HOSTS[0], "-- ioerror"),
        (WIRESERVER_HOSTS[1], "-- ioerror"),
        ("no route exists to 168.63.129.16",),
        ("[wireserver exception]", "timed out"),
        ("[wireserver exception]", "connection refused"),
        ("[wireserver exception]", "connection reset"),
        ("[wireserver exception]", "network is unreachable"),
    )),
    Signature("hostgaplugin_unreachable", (
        ("http://168.63.129.16:32526/", "-- ioerror"),
        ("hostgaplugin: exception get api versions",),
        ("hostgaplugin: failed get api versions",),
    )),
    Signature("goal_state_gone", (
        ("resourcegoneerror",),
        ("[410: gone]",),
        ("resource is gone",),
    )),
    Signature("hostgaplugin_transient", (
        ("[internal error in hostgaplugin]",),
        ("get vmsettings [", "]: timeout"),
        ("get vmsettings [", "[http failed]"),
        ("32526/extensionartifact]: [http failed]",),
    )),
    Signature("wire_protocol_not_advised", (("was not advised by fabric",),)),
    Signature("status_report_failed", (("failed to report status",),)),
    Signature("imds_unreachable", (("[imds_connection_error]",), ("unable to connect to imds endpoint",))),
    Signature("storage_download_failed", (
        ("fetch failed", ".blob.core.windows.net"),
        ("download failed, switching to host plugin",),
    )),
    Signature("goal_state_error", (
        ("error fetching the goal state",),
        ("error fetching goal state",),
        ("fetching the goal state is still failing",),
        ("fetching the goal state failed",),
        ("an error occurred while retrieving the goal state",),
        ("processextensionsgoalstate failed",),
    )),
)

LINUX_HEALTHY: tuple[Signature, ...] = (
    Signature("heartbeat", (("[heartbeat] agent walinuxagent-", "is running as the goal state agent"),)),
    Signature("goal_state_processed", (("processextensionsgoalstate completed",), ("processgoalstate completed",))),
    Signature("wire_protocol_ok", (("wire protocol version:2012-11-30",), ("wire server endpoint:168.63.129.16",))),
)


def scan_waagent_log(text: str, window: _dt.timedelta = WINDOW) -> LogScan:
    """Scan `/var/log/waagent.log` text for the known error signatures and healthy markers."""
    return scan(split_entries(text, waagent_line_start), LINUX_SIGNATURES, LINUX_HEALTHY, window)
