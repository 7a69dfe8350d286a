"""One test session on one simulated VM: every fault staged once, its wizard run kept for the tests.

`Session.run(fault)` waits until the agent is healthy again and, where CPU matters, the machine is
quiet; then it stages the fault, runs the wizard inside the VM with `--record` at once, undoes the
fault, and caches the run (or the error) so every test about that fault reads the same run. With
`VMSIM_UPDATE_RECORDINGS=1` each recording is also copied to tests/data/vmsim/recordings/ with
the verdicts of the live run beside it, for the replay tests that run everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simvm.faults import Fault
from simvm.vm import DATA, SimVM, VMError, WizardRun

RECORDINGS = DATA / "recordings"
CRASH_LOG_DATA = DATA / "waagent_log_debian12_crash_loop.log"
QUIET_CPU_PERCENT = 50.0
QUIET_WAIT_S = 10.0


def host_cpu_busy(seconds: float = 1.0) -> float:
    """The whole machine's CPU use in percent over `seconds` (from /proc/stat)."""
    with BusyMeter() as meter:
        time.sleep(seconds)
    return meter.percent


class BusyMeter:
    """The machine's average CPU use while the `with` block runs (sampled from /proc/stat)."""

    def __init__(self) -> None:
        self.percent = 0.0

    @staticmethod
    def _sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]) - idle, sum(fields[:8])

    def __enter__(self) -> BusyMeter:
        self._start = self._sample()
        return self

    def __exit__(self, *exc: object) -> None:
        busy, total = self._sample()
        self.percent = round(100.0 * (busy - self._start[0]) / max(1, total - self._start[1]), 1)


def verdicts(run: WizardRun) -> dict[str, Any]:
    return {"exit_code": run.exit_code, "statuses": run.statuses()}


@dataclass
class Session:
    vm: SimVM
    update_recordings: bool = field(default_factory=lambda: os.environ.get("VMSIM_UPDATE_RECORDINGS") == "1")
    runs: dict[str, WizardRun] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)
    timings: dict[str, dict[str, float]] = field(default_factory=dict)

    def wait_quiet(self) -> float:
        """Wait (a while) until the machine is quiet, so a CPU verdict is about the VM and not about other work;
        the busy share of the last sample is returned either way."""
        deadline = time.monotonic() + QUIET_WAIT_S
        busy = host_cpu_busy()
        while busy > QUIET_CPU_PERCENT and time.monotonic() < deadline:
            busy = host_cpu_busy()
        return busy

    def run(self, fault: Fault) -> WizardRun:
        if fault.id in self.errors:
            raise VMError(f"staging {fault.id} failed earlier: {self.errors[fault.id]}") from self.errors[fault.id]
        if fault.id not in self.runs:
            try:
                self.runs[fault.id] = self._stage(fault)
            except BaseException as exc:
                self.errors[fault.id] = exc
                raise
        return self.runs[fault.id]

    def _stage(self, fault: Fault) -> WizardRun:
        vm = self.vm
        t: dict[str, float] = {}
        t0 = time.monotonic()
        if fault.needs_healthy:
            t["wait_healthy_s"] = vm.wait_healthy()
        else:
            vm.wait_for(vm.agent_active, 60, "walinuxagent active")
        if fault.rotate_log:
            vm.rotate_log()
        if fault.cpu_sensitive:
            self.wait_quiet()
        t1 = time.monotonic()
        fault.setup(vm)
        t["setup_s"] = time.monotonic() - t1
        try:
            with BusyMeter() as meter:
                run = vm.run_wizard(fault.id, user=fault.user)
            t["wizard_s"] = run.seconds
            run.host_busy = meter.percent
            t["host_busy_percent"] = meter.percent
        finally:
            t2 = time.monotonic()
            fault.undo(vm)
            t["undo_s"] = time.monotonic() - t2
        t["total_s"] = time.monotonic() - t0
        self.timings[fault.id] = {k: round(v, 2) for k, v in t.items()}
        (vm.out / f"{fault.id}.result.json").write_text(json.dumps(run.doc, indent=1), encoding="utf-8")
        if self.update_recordings:
            self._keep(fault, run)
        return run

    def _keep(self, fault: Fault, run: WizardRun) -> None:
        assert run.recording is not None
        RECORDINGS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run.recording, RECORDINGS / f"{fault.id}.json")
        doc = {"fault": fault.id, "title": fault.title, "user": fault.user, **verdicts(run)}
        (RECORDINGS / f"{fault.id}.verdicts.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n",
                                                              encoding="utf-8")
        if "crash_log" in self.vm.notes and not CRASH_LOG_DATA.exists():
            CRASH_LOG_DATA.write_text(crash_excerpt(self.vm.notes["crash_log"]), encoding="utf-8")


def is_relaunch_line(line: str) -> bool:
    """The daemon's warning that the extension handler it launched died (one per crash)."""
    return " WARNING Daemon " in line and "-run-exthandlers' failed with return code: 1" in line


def crash_excerpt(log: str, crashes: int = 2) -> str:
    """The log up to the `crashes`-th relaunch of the crashed extension handler, plus the daemon's next lines."""
    lines = log.splitlines()
    seen = 0
    for i, line in enumerate(lines):
        if is_relaunch_line(line):
            seen += 1
            if seen == crashes:
                return "\n".join(lines[: i + 4]) + "\n"
    raise VMError(f"the log holds {seen} crashes, not {crashes}")
