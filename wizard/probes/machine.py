"""The probes psutil and the standard library answer the same way on Linux and Windows.

`platform`, `cpu_sample`, `memory`, `disk_usage`, `proxy_env`, `processes`. All of them look at
the live machine only.

`cpu_sample` measures the machine's CPU from two `psutil.cpu_times()` snapshots (not
`psutil.cpu_percent`, whose hidden module state would be shared with any other caller), and
this tool's own share from the CPU time of its process and of every process it started (its
descendants: a PowerShell or vssadmin child counts as the tool's load, not the VM's) over the
same window, so a check can tell the machine's load apart from the load we add. Every percentage
in its answer, the top processes' included, is a share of the whole machine (0-100), not of one
core; `top` lists only processes that used CPU in the window, never this tool or its children.
(A child that starts and ends inside the window is not seen; the runner starts no child process
while the sample runs.)

`proxy_env` masks a password in a proxy URL (`http://user:***@host:3128`): the host and port
are what matter, and the answer may be recorded to a scenario file.
"""

from __future__ import annotations

import os
import platform as platform_module
import socket
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

from wizard.probes.base import Answer

MAX_CPU_SECONDS = 3.0
MIN_CPU_SECONDS = 0.1
TOP_PROCESSES = 5
MAX_PROCESSES = 2000
MAX_CMDLINE = 300
_IDLE_FIELDS = ("idle", "iowait")
_GUEST_FIELDS = ("guest", "guest_nice")


def platform_facts() -> Answer:
    """The `platform` answer: what this machine runs."""
    uname = platform_module.uname()
    return {
        "system": uname.system.lower() or "unknown",
        "release": uname.release,
        "version": uname.version,
        "hostname": socket.gethostname(),
        "machine": uname.machine,
        "python": platform_module.python_version(),
    }


def _busy_and_total(times: Any) -> tuple[float, float]:
    fields = times._asdict()
    total = sum(value for name, value in fields.items() if name not in _GUEST_FIELDS)
    idle = sum(fields.get(name, 0.0) for name in _IDLE_FIELDS)
    return total - idle, total


def machine_percent(before: Any, after: Any) -> float:
    """Busy share of all CPUs between two `psutil.cpu_times()` snapshots, 0-100."""
    busy_before, total_before = _busy_and_total(before)
    busy_after, total_after = _busy_and_total(after)
    total = total_after - total_before
    if total <= 0:
        return 0.0
    return _clamp_percent((busy_after - busy_before) / total * 100)


def _clamp_percent(value: float) -> float:
    return round(min(100.0, max(0.0, value)), 1)


def _process_seconds(proc: psutil.Process) -> float | None:
    try:
        times = proc.cpu_times()
    except (psutil.Error, OSError):
        return None
    return float(times.user + times.system)


def own_family(me: psutil.Process) -> list[psutil.Process]:
    """This process and every process it started (recursively) that is still running."""
    try:
        return [me, *me.children(recursive=True)]
    except (psutil.Error, OSError):
        return [me]


def family_seconds(family: list[psutil.Process]) -> dict[int, float]:
    """CPU seconds used so far by each process of `family` that can still be read, by pid."""
    out: dict[int, float] = {}
    for proc in family:
        seconds = _process_seconds(proc)
        if seconds is not None:
            out[proc.pid] = seconds
    return out


def family_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the family used between two readings; a process new in `after` counts from zero."""
    return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())


def _other_processes(exclude: set[int]) -> list[tuple[psutil.Process, float]]:
    started: list[tuple[psutil.Process, float]] = []
    for proc in psutil.process_iter():
        if proc.pid in exclude or len(started) >= MAX_PROCESSES:
            continue
        seconds = _process_seconds(proc)
        if seconds is not None:
            started.append((proc, seconds))
    return started


def _top(started: list[tuple[psutil.Process, float]], window: float, cores: int,
         exclude: set[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for proc, before in started:
        if proc.pid in exclude:
            continue
        after = _process_seconds(proc)
        if after is None or after <= before:
            continue
        try:
            name = proc.name()
        except (psutil.Error, OSError):
            name = ""
        rows.append({"pid": proc.pid, "name": name,
                     "percent": _clamp_percent((after - before) / (window * cores) * 100)})
    rows.sort(key=lambda row: (-row["percent"], row["pid"]))
    return rows[:TOP_PROCESSES]


def cpu_sample(seconds: float = 1.0) -> Answer:
    """The `cpu_sample` answer: the machine's CPU over `seconds` (at most 3), without and with us."""
    window = min(MAX_CPU_SECONDS, max(MIN_CPU_SECONDS, float(seconds)))
    cores = psutil.cpu_count() or 1
    me = psutil.Process()
    family = own_family(me)
    excluded = {p.pid for p in family} | {os.getpid()}
    started = _other_processes(excluded)
    own_before = family_seconds(family)
    machine_before = psutil.cpu_times()
    clock = time.monotonic()
    time.sleep(window)
    machine_after = psutil.cpu_times()
    elapsed = max(time.monotonic() - clock, 1e-3)
    family_after = own_family(me)
    excluded |= {p.pid for p in family_after}
    own_after = family_seconds(family_after)
    percent = machine_percent(machine_before, machine_after)
    self_percent = _clamp_percent(family_delta(own_before, own_after) / (elapsed * cores) * 100)
    return {
        "percent": percent,
        "self_percent": self_percent,
        "percent_excluding_self": _clamp_percent(percent - self_percent),
        "cores": cores,
        "seconds": round(elapsed, 3),
        "children": max(0, len(family_after) - 1),
        "top": _top(started, elapsed, cores, excluded),
    }


def memory() -> Answer:
    """The `memory` answer, in bytes and percent."""
    virtual = psutil.virtual_memory()
    swap = psutil.swap_memory()
    return {
        "total": virtual.total,
        "available": virtual.available,
        "percent": float(virtual.percent),
        "swap_total": swap.total,
        "swap_percent": float(swap.percent),
    }


def disk_usage(path: str) -> Answer:
    """The `disk_usage` answer for the file system holding `path`."""
    try:
        usage = psutil.disk_usage(path)
    except FileNotFoundError:
        return {"exists": False, "total": None, "used": None, "free": None, "percent": None, "error": None}
    return {"exists": True, "total": usage.total, "used": usage.used, "free": usage.free,
            "percent": float(usage.percent), "error": None}


def mask_url_password(value: str) -> str:
    """`value` with the password of a URL's user part replaced by `***`; anything else unchanged."""
    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
        password = parts.password
    except ValueError:
        return value
    if not password:
        return value
    host = parts.netloc.rsplit("@", 1)[1]
    masked = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    text = urlunsplit(masked)
    return text if "://" in value else text.removeprefix("http://")


def proxy_env(environ: dict[str, str] | None = None) -> Answer:
    """The `proxy_env` answer: environment variables whose name contains "proxy"."""
    source = os.environ if environ is None else environ
    found = {name: mask_url_password(value) for name, value in source.items() if "proxy" in name.lower()}
    return {"vars": dict(sorted(found.items()))}


def _process_row(info: dict[str, Any]) -> dict[str, Any]:
    cmdline = info.get("cmdline") or []
    return {
        "pid": info.get("pid"),
        "name": info.get("name") or "",
        "cmdline": " ".join(str(part) for part in cmdline)[:MAX_CMDLINE],
        "username": info.get("username"),
    }


def processes() -> Answer:
    """The `processes` answer: at most 2000 processes; fields we may not read are null."""
    rows: list[dict[str, Any]] = []
    truncated = False
    for proc in psutil.process_iter(["pid", "name", "cmdline", "username"], ad_value=None):
        if len(rows) >= MAX_PROCESSES:
            truncated = True
            break
        rows.append(_process_row(proc.info))
    rows.sort(key=lambda row: row["pid"] or 0)
    return {"processes": rows, "truncated": truncated}
