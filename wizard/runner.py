"""Runs checks concurrently with per-check timeouts, progress reports and cancellation.

Each check runs on its own daemon thread, so the whole run takes about as long as the slowest
check (never the sum), and a probe stuck past its timeout cannot keep the program from
exiting. A check that raises becomes an `error` result with the traceback as evidence; one
that overruns its timeout becomes an `error` result saying so; a cancelled run returns what
finished and marks the rest `not_checked`.

Checks marked `quiet` measure the machine's own load (the CPU sample). Until they finish (at
most their timeout), probe calls that start a child process (`run`, and `service`, which runs
systemctl on Linux) wait: otherwise the wizard's own PowerShell, vssadmin or systemctl children,
started at the same instant by the other checks, would be counted as the VM's load, which on a
1-2 vCPU VM reads as "CPU above 90 %".
"""

from __future__ import annotations

import datetime as _dt
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wizard import TOOL_NAME, __version__
from wizard.checks.base import Check, CheckContext, Facts, Finding, m, not_in_bundle
from wizard.checks.facts import PROVIDERS
from wizard.model import CheckResult, Diagnosis, HostInfo, Msg, Status
from wizard.probes.base import Answer, Probe, is_unavailable
from wizard.probes.safe import SafeProbe, finite
from wizard.redact import strip_secrets
from wizard.settings import Settings


@dataclass(frozen=True)
class Progress:
    """One progress report: a check started or finished (`result` set when finished)."""

    kind: str
    check_id: str
    done: int
    total: int
    result: CheckResult | None = None


ProgressCallback = Callable[[Progress], None]


SPAWNING_PROBES = frozenset({"run", "service"})


class QuietGate:
    """A probe wrapper that holds back process-starting calls while quiet checks measure the machine."""

    def __init__(self, probe: Probe) -> None:
        self.inner = probe
        self._pending = 0
        self._limit_s = 0.0
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self.held_s = 0.0

    def arm(self, quiet_checks: int, limit_s: float) -> None:
        """Close the gate until `quiet_checks` have finished, or `limit_s` seconds per waiting call."""
        with self._lock:
            self._pending = quiet_checks
            self._limit_s = limit_s
            if quiet_checks > 0:
                self._open.clear()

    def call(self, probe: str, /, **args: Any) -> Answer:
        if probe in SPAWNING_PROBES and not self._open.is_set():
            start = time.monotonic()
            self._open.wait(self._limit_s)
            with self._lock:
                self.held_s = max(self.held_s, time.monotonic() - start)
        return self.inner.call(probe, **args)

    def quiet_check_done(self) -> None:
        with self._lock:
            self._pending -= 1
            if self._pending <= 0:
                self._open.set()

    def release(self) -> None:
        self._open.set()


def applicable(checks: Iterable[Check], system: str) -> list[Check]:
    """The checks that apply to this platform, in catalogue order."""
    return [c for c in checks if system in c.platforms]


def _result(check: Check, finding: Finding, duration: float) -> CheckResult:
    return CheckResult(
        id=check.id,
        status=finding.status,
        component=check.component,
        phase=check.phase,
        title=Msg(check.title),
        summary=finding.summary,
        why=finding.why,
        fix=list(finding.fix),
        docs=list(finding.docs),
        error_codes=list(finding.error_codes),
        evidence=strip_secrets(finite(finding.evidence)),
        duration_s=round(duration, 3),
    )


def _crash(check: Check, exc: BaseException, duration: float) -> CheckResult:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return _result(
        check,
        Finding(
            Status.ERROR,
            m("The check itself failed ({error}); this is a bug in VM Backup Wizard, not a finding "
              "about your VM.", error=type(exc).__name__),
            why=m("This check could not look, so it says nothing about whether backup works. "
                  "Please report it with the evidence below."),
            evidence={"exception": f"{type(exc).__name__}: {exc}", "traceback": tb[-8000:]},
        ),
        duration,
    )


def _timed_out(check: Check) -> CheckResult:
    return _result(
        check,
        Finding(
            Status.ERROR,
            m("The check did not finish within {seconds} seconds.", seconds=int(check.timeout_s)),
            why=m("Something on the VM answered too slowly for this check to finish, so it says nothing "
                  "about whether backup works."),
            evidence={"timeout_s": check.timeout_s},
        ),
        check.timeout_s,
    )


def _cancelled(check: Check) -> CheckResult:
    return _result(check, Finding(Status.NOT_CHECKED, m("Not checked: the run was cancelled.")), 0.0)


def _host(facts: Facts) -> HostInfo:
    plat = facts.get("platform")
    elev = facts.get("elevation")
    azure = facts.get("azure")
    imds = facts.get("imds")
    compute = imds.get("compute") or {}
    os_version = " ".join(str(x) for x in (plat.get("release"), plat.get("version")) if x)
    return HostInfo(
        hostname=str(plat.get("hostname") or ""),
        os=str(plat.get("system") or ""),
        os_version=os_version,
        is_admin=None if is_unavailable(elev) else bool(elev.get("is_admin")),
        is_azure=azure.get("is_azure"),
        imds={k: v for k, v in compute.items() if k not in ("os_disk", "data_disks", "network")},
    )


def run(
    checks: Iterable[Check],
    probe: Probe,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    only: Iterable[str] | None = None,
) -> Diagnosis:
    """Run the checks that apply to the probed platform; return the Diagnosis."""
    settings = settings or Settings()
    cancel = cancel or threading.Event()
    probe = SafeProbe.wrap(probe)
    started = _dt.datetime.now().astimezone().replace(microsecond=0)
    t0 = time.monotonic()
    gate = QuietGate(probe)
    facts = Facts(PROVIDERS, gate, settings)
    system = facts.get("platform").get("system") or ""
    selected = applicable(checks, system)
    if only is not None:
        wanted = set(only)
        selected = [c for c in selected if c.id in wanted]
    quiet = [c for c in selected if c.quiet]
    gate.arm(len(quiet), max((c.timeout_s for c in quiet), default=0.0))

    def gather_host_facts() -> None:
        for name in ("elevation", "imds", "azure"):
            facts.get(name)

    host_facts = threading.Thread(target=gather_host_facts, name="host-facts", daemon=True)
    host_facts.start()
    total = len(selected)
    done_q: queue.Queue[tuple[int, CheckResult]] = queue.Queue()
    ctx = CheckContext(gate, settings, facts, cancel)

    def work(i: int, check: Check) -> None:
        t = time.monotonic()
        try:
            finding = not_in_bundle() if ctx.in_bundle and check.live_only in (True, ctx.system) else check.func(ctx)
            res = _result(check, finding, time.monotonic() - t)
        except Exception as exc:  # a crashing check is a result, not a crash
            res = _crash(check, exc, time.monotonic() - t)
        finally:
            if check.quiet:
                gate.quiet_check_done()
        done_q.put((i, res))

    starts: dict[int, float] = {}
    for i, check in enumerate(selected):
        if progress:
            progress(Progress("started", check.id, 0, total))
        starts[i] = time.monotonic()
        threading.Thread(target=work, args=(i, check), name=f"check-{check.id}", daemon=True).start()

    results: dict[int, CheckResult] = {}
    while len(results) < total and not cancel.is_set():
        now = time.monotonic()
        for i, check in enumerate(selected):
            if i not in results and now - starts[i] > check.timeout_s:
                results[i] = _timed_out(check)
                if progress:
                    progress(Progress("finished", check.id, len(results), total, results[i]))
        try:
            i, res = done_q.get(timeout=0.05)
        except queue.Empty:
            continue
        if i in results:
            continue
        results[i] = res
        if progress:
            progress(Progress("finished", res.id, len(results), total, res))

    gate.release()
    cancelled = cancel.is_set() and len(results) < total
    for i, check in enumerate(selected):
        if i not in results:
            results[i] = _cancelled(check)

    if not cancelled:  # a cancelled run returns at once; the host facts are not waited for
        host_facts.join(timeout=max(0.0, settings.http_timeout_s + settings.connect_timeout_s))
    if cancelled or host_facts.is_alive():
        host = HostInfo(hostname=str(facts.known().get("platform", {}).get("hostname") or ""), os=system)
    else:
        host = _host(facts)
    return Diagnosis(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        started_at=started,
        duration_s=round(time.monotonic() - t0, 3),
        host=host,
        results=[results[i] for i in range(total)],
        cancelled=cancelled,
    )


def run_check(check_id: str, probe: Probe, settings: Settings | None = None) -> CheckResult:
    """Run one check of the catalogue (with the facts it needs) and return its result."""
    from wizard.checks.registry import ALL_CHECKS

    diag = run(ALL_CHECKS, probe, settings, only=[check_id])
    if len(diag.results) != 1:
        raise ValueError(f"{check_id} is not a check for the probed platform")
    return diag.results[0]
