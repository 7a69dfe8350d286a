"""The runner: concurrency, per-check timeouts, crashes as results, cancellation, progress."""

from __future__ import annotations

import threading

from wizard import runner
from wizard.checks.base import BOTH, LINUX, WINDOWS, Check, CheckContext, Finding, m
from wizard.model import Component, Status
from wizard.probes.fake import FakeSystem


def _check(cid: str, func, platforms=BOTH, timeout_s: float = 5.0) -> Check:  # type: ignore[no-untyped-def]
    return Check(cid, platforms, Component.GUEST, "T", func, timeout_s=timeout_s)


def _ok(ctx: CheckContext) -> Finding:
    return Finding(Status.OK, m("fine"))


def test_checks_run_concurrently() -> None:
    n = 6
    barrier = threading.Barrier(n, timeout=5)

    def meet(ctx: CheckContext) -> Finding:
        barrier.wait()  # breaks (and raises) unless all n checks are running at the same time
        return Finding(Status.OK, m("met"))

    d = runner.run([_check(f"c.{i}", meet) for i in range(n)], FakeSystem())
    assert [r.status for r in d.results] == [Status.OK] * n


def test_a_crashing_check_becomes_an_error_result_with_traceback() -> None:
    def boom(ctx: CheckContext) -> Finding:
        raise ValueError("kaput")

    d = runner.run([_check("a.ok", _ok), _check("a.boom", boom)], FakeSystem())
    assert d.results[0].status is Status.OK
    r = d.results[1]
    assert r.status is Status.ERROR
    assert r.summary.params == {"error": "ValueError"}
    assert "kaput" in r.evidence["traceback"] and "boom" in r.evidence["traceback"]


def test_a_hanging_check_times_out_and_the_run_goes_on() -> None:
    release = threading.Event()

    def hang(ctx: CheckContext) -> Finding:
        release.wait(10)
        return Finding(Status.OK, m("late"))

    try:
        d = runner.run([_check("h.hang", hang, timeout_s=0.3), _check("h.ok", _ok)], FakeSystem())
    finally:
        release.set()
    assert d.results[0].status is Status.ERROR
    assert d.results[0].evidence == {"timeout_s": 0.3}
    assert d.results[1].status is Status.OK


def test_cancel_returns_finished_results_and_marks_the_rest() -> None:
    cancel = threading.Event()
    release = threading.Event()

    def slow(ctx: CheckContext) -> Finding:
        release.wait(10)
        return Finding(Status.OK, m("late"))

    def on_progress(p: runner.Progress) -> None:
        if p.kind == "finished" and p.check_id == "c.fast":
            cancel.set()

    try:
        d = runner.run([_check("c.fast", _ok), _check("c.slow", slow)], FakeSystem(),
                       progress=on_progress, cancel=cancel)
    finally:
        release.set()
    assert d.cancelled
    assert [r.status for r in d.results] == [Status.OK, Status.NOT_CHECKED]
    assert d.results[1].summary.id == "Not checked: the run was cancelled."


def test_platform_filter_and_only() -> None:
    checks = [_check("l.x", _ok, LINUX), _check("w.x", _ok, WINDOWS), _check("b.x", _ok), _check("b.y", _ok)]
    assert [r.id for r in runner.run(checks, FakeSystem(system="linux")).results] == ["l.x", "b.x", "b.y"]
    assert [r.id for r in runner.run(checks, FakeSystem(system="windows")).results] == ["w.x", "b.x", "b.y"]
    assert [r.id for r in runner.run(checks, FakeSystem(), only=["b.y"]).results] == ["b.y"]


def test_progress_reports_each_start_and_finish_in_order_of_completion() -> None:
    events: list[tuple[str, str, int]] = []
    runner.run([_check("p.a", _ok), _check("p.b", _ok)], FakeSystem(),
               progress=lambda p: events.append((p.kind, p.check_id, p.done)))
    assert [e for e in events if e[0] == "started"] == [("started", "p.a", 0), ("started", "p.b", 0)]
    finished = [e for e in events if e[0] == "finished"]
    assert sorted(e[1] for e in finished) == ["p.a", "p.b"]
    assert [e[2] for e in finished] == [1, 2]


def test_secrets_are_stripped_from_evidence() -> None:
    def leaky(ctx: CheckContext) -> Finding:
        return Finding(Status.INFO, m("x"), evidence={
            "blob": "https://acct.blob.core.windows.net/c/b?sv=2020&sr=b&sig=SECRETSIG%3D&se=2026",
            "protectedSettings": "MIIB...secret",
            "proxy": "http://alice:pa55word@proxy.local:3128",
        })

    ev = runner.run([_check("s.x", leaky)], FakeSystem()).results[0].evidence
    text = repr(ev)
    assert "SECRETSIG" not in text and "MIIB" not in text and "pa55word" not in text
    assert "acct.blob.core.windows.net" in ev["blob"]
    assert "alice" in ev["proxy"]


def test_host_facts_come_from_the_probe() -> None:
    d = runner.run([_check("h.x", _ok)], FakeSystem(hostname="vm-a", is_admin=False, user="bob"))
    assert d.host.hostname == "vm-a"
    assert d.host.is_admin is False
    assert d.host.os == "linux"


def test_run_check_runs_one_catalogue_check_and_refuses_one_for_another_platform() -> None:
    import pytest

    r = runner.run_check("env.elevation", FakeSystem(is_admin=False, user="bob"))
    assert (r.id, r.status) == ("env.elevation", Status.WARNING)
    with pytest.raises(ValueError, match="not a check for the probed platform"):
        runner.run_check("res.vss", FakeSystem(system="linux"))


# -- the quiet window: no child process while the CPU is sampled ---------------------------------


class _TimedProbe:
    """A fake VM whose CPU sample takes a while; it notes when each call started and ended."""

    def __init__(self, sample_s: float) -> None:
        self.inner = FakeSystem(system="windows")
        self.sample_s = sample_s
        self.log: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    def call(self, probe: str, /, **args: object) -> dict[str, object]:
        import time

        with self.lock:
            self.log.append(("start", probe, time.monotonic()))
        if probe == "cpu_sample":
            time.sleep(self.sample_s)
        answer = self.inner.call(probe, **args)
        with self.lock:
            self.log.append(("end", probe, time.monotonic()))
        return answer

    def first(self, kind: str, probe: str) -> float:
        return min(t for k, p, t in self.log if k == kind and p == probe)


def test_no_child_process_starts_while_the_cpu_is_sampled() -> None:
    from wizard.checks.registry import ALL_CHECKS

    probe = _TimedProbe(sample_s=0.5)
    d = runner.run(ALL_CHECKS, probe, only=["res.cpu", "res.vss", "net.dhcp", "agent.service", "agent.log"])
    assert {r.id for r in d.results} == {"res.cpu", "res.vss", "net.dhcp", "agent.service", "agent.log"}
    sample_end = probe.first("end", "cpu_sample")
    spawning = [t for k, p, t in probe.log if k == "start" and p in runner.SPAWNING_PROBES]
    assert spawning, "the other checks ran commands and queried services"
    assert min(spawning) >= sample_end
    in_process = [t for k, p, t in probe.log if k == "start" and p in ("registry", "list_dir", "read_file")]
    assert in_process and min(in_process) < sample_end  # only process-starting probes wait


def test_without_a_cpu_check_nothing_waits() -> None:
    from wizard.checks.registry import ALL_CHECKS

    gate = runner.QuietGate(FakeSystem(system="windows"))
    gate.arm(0, 5.0)
    assert gate.call("run", argv=["vssadmin", "list", "writers"])["found"] is False
    assert gate.held_s == 0.0
    d = runner.run(ALL_CHECKS, _TimedProbe(sample_s=5.0), only=["res.vss"])
    assert d.duration_s < 4


def test_the_gate_opens_after_the_quiet_checks_time_limit() -> None:
    gate = runner.QuietGate(FakeSystem(system="windows"))
    gate.arm(1, 0.2)
    gate.call("run", argv=["netsh", "winhttp", "show", "proxy"])
    assert 0.15 <= gate.held_s < 2
