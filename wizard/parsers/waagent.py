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


@dataclass
class LogVersions:
    """What a waagent.log says about the agent that wrote it (the latest line of each kind wins)."""

    running: str | None = None  # "WALinuxAgent-X is running as the goal state agent", "Goal State Agent version X"
    daemon: str | None = None  # "Azure Linux Agent Version:X" (the installed daemon, older agents)
    python: str | None = None  # "Python: 3.11.2"


_VER = r"(\d{1,9}(?:\.\d{1,9}){1,5})"
_LOG_RUNNING_RES = (re.compile(r"WALinuxAgent-" + _VER + r" is running as the goal state agent"),
                    re.compile(r"Goal State Agent version " + _VER))
_LOG_DAEMON_RE = re.compile(r"Azure Linux Agent Version:\s?" + _VER)
_LOG_PYTHON_RE = re.compile(r"\sPython: (\d{1,2}\.\d{1,3}(?:\.\d{1,4})?)\s*$")


def versions_from_log(text: str) -> LogVersions:
    """The agent and Python versions a waagent.log names (banner and heartbeat lines), latest first wins."""
    out = LogVersions()
    if not isinstance(text, str):
        return out
    for raw in text.split("\n"):
        line = raw[:MAX_LINE_CHARS]
        if "WALinuxAgent-" in line or "Goal State Agent version" in line:
            for regex in _LOG_RUNNING_RES:
                if mo := regex.search(line):
                    out.running = mo.group(1)
        if "Azure Linux Agent Version" in line and (mo := _LOG_DAEMON_RE.search(line)):
            out.daemon = mo.group(1)
        if "Python:" in line and (mo := _LOG_PYTHON_RE.search(line)):
            out.python = mo.group(1)
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
    """One log entry: the line that starts it and its continuation lines (capped).

    `partial` marks the lines at the top of a log tail that continue an entry whose first line was
    cut off: they belong to that earlier entry, so they have no time and no level of their own.
    """

    line_no: int
    timestamp: _dt.datetime | None
    level: str | None
    text: str
    partial: bool = False


StartParser = Callable[[str], "tuple[bool, _dt.datetime | None, str | None]"]


def split_entries(text: str, start: StartParser) -> list[LogEntry]:
    """Split log text into entries. `start(line)` says whether a line starts an entry, and its time and level.

    Lines before the first entry start (the rest of an entry a tail cut off) form a `partial`
    entry without time or level: they belong to the entry before the cut, never to the next
    one. Entries without a time of their own take the time of the entry before them.
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
            current = LogEntry(number, stamp if is_start else None, level if is_start else None, "",
                               partial=not is_start)
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
        if entry.partial:
            continue
        if entry.timestamp is None:
            entry.timestamp = last
        else:
            last = entry.timestamp


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
    last_text: str = ""  # the newest entry whole (bounded like every entry), e.g. to read an error body it quotes

    def add(self, entry: LogEntry) -> None:
        self.count += 1
        self.last_text = entry.text
        ts = entry.timestamp
        if ts is not None:
            self.first = ts if self.first is None or ts < self.first else self.first
            self.latest = ts if self.latest is None or ts > self.latest else self.latest
        self.excerpts.append(excerpt(entry.text))
        if len(self.excerpts) > MAX_EXCERPTS:
            del self.excerpts[0]


@dataclass
class LogScan:
    """What scanning a log found.

    `other_errors`: ERROR entries in the window that no signature knows (neither an error nor a
    benign one); `benign`: known harmless ERROR entries (kept apart so they do not alarm);
    `partial_head`: the tail began inside an entry (its lines are not counted in the window).
    """

    entries: int = 0
    in_window: int = 0
    newest: _dt.datetime | None = None
    window_start: _dt.datetime | None = None
    has_timestamps: bool = False
    hits: dict[str, Hits] = field(default_factory=dict)
    healthy: dict[str, Hits] = field(default_factory=dict)
    other_errors: Hits = field(default_factory=Hits)
    benign: Hits = field(default_factory=Hits)
    partial_head: bool = False


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def excerpt(text: str) -> str:
    """A short, printable excerpt of an entry for evidence."""
    cut = text[:MAX_EXCERPT_CHARS]
    cut = _CONTROL_RE.sub("\ufffd", cut)
    return cut + (" [...]" if len(text) > MAX_EXCERPT_CHARS else "")


def scan(entries: list[LogEntry], signatures: Iterable[Signature], healthy: Iterable[Signature] = (),
         window: _dt.timedelta = WINDOW, benign: Iterable[Signature] = ()) -> LogScan:
    """Count signature matches in the `window` before the newest timestamp (each entry: first match only).

    A `partial` entry at the top counts as older than the window when the log has times (its own
    time is unknown, and it is older than everything after it).
    """
    sigs = list(signatures)
    markers = list(healthy)
    harmless = list(benign)
    result = LogScan(entries=len(entries))
    stamps = [e.timestamp for e in entries if e.timestamp is not None]
    if stamps:
        result.has_timestamps = True
        result.newest = max(stamps)
        result.window_start = result.newest - window
    for entry in entries:
        result.partial_head = result.partial_head or entry.partial
        if entry.partial and result.has_timestamps:
            recent = False
        else:
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
            continue
        if entry.level == "ERROR":
            other = result.benign if any(s.matches(folded) for s in harmless) else result.other_errors
            if recent:
                other.add(entry)
            else:
                other.older += 1
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

# Debian 12's agent 2.7.3.0 on Python 3.11 (agent-emulation facts §6, §9.4): a WARNING "Agent
# WALinuxAgent-2.7.3.0 failed with exception: format_exception() got an unexpected keyword argument
# 'etype'" (and an ERROR event with the same traceback), then from the daemon "Agent ... launched with
# command '... -run-exthandlers' failed with return code: 1", over and over while an error lasts.
ETYPE_CRASH = "format_exception() got an unexpected keyword argument 'etype'"

LINUX_SIGNATURES: tuple[Signature, ...] = (
    Signature("exthandler_crash_etype", ((ETYPE_CRASH.lower(),),)),
    Signature("exthandler_relaunch_failed", (("-run-exthandlers' failed with return code",),
                                             ("-run-exthandlers\" failed with return code",))),
    # The agent's own firewall rules (ga/env.py, common/osutil/default.py, ga/firewall_manager.py; facts §2.1, §5).
    Signature("firewall_setup_failed", (
        ("unable to establish firewall",),
        ("an error occurred while setting up the firewall",),
    )),
    Signature("firewall_reset", (
        ("the firewall is not configured correctly",),
        ("firewall rule to allow dns tcp request to wireserver for a non root user unavailable",),
    )),
    Signature("firewall_added", (
        ("successfully added azure fabric firewall rules",),
        ("the firewall has not been setup",),
        ("the firewall was setup successfully",),
    )),
    Signature("wireserver_unreachable", (
        (WIRESERVER_HOSTS[0], "-- ioerror"),
        (WIRESERVER_HOSTS[1], "-- ioerror"),
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


# ERROR entries known to be harmless: a VM without dmidecode logs one at every agent start (facts
# agent-emulation §3: "Missing dmidecode only logs an ERROR line").
LINUX_BENIGN: tuple[Signature, ...] = (
    Signature("dmidecode_missing", (("dmidecode",),)),
)


def scan_waagent_log(text: str, window: _dt.timedelta = WINDOW) -> LogScan:
    """Scan `/var/log/waagent.log` text for the known error signatures and healthy markers."""
    return scan(split_entries(text, waagent_line_start), LINUX_SIGNATURES, LINUX_HEALTHY, window, LINUX_BENIGN)
