"""Debian 12's agent (2.7.3.0 on Python 3.11) crashes in every error path that formats an exception; the
simulated VM reproduced it (a 410 on the goal state after start-up), and the real log it wrote is kept
in tests/data/vmsim/waagent_log_debian12_crash_loop.log. The wizard must recognise that signature in
waagent.log and say what to do (update to 2.9.0.4 or later). Runs everywhere, on a --root bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from simvm.session import CRASH_LOG_DATA, is_relaunch_line

from wizard.probes.system import SystemProbe
from wizard.runner import run_check


def test_the_kept_log_is_the_real_crash_loop() -> None:
    log = CRASH_LOG_DATA.read_text(encoding="utf-8")
    assert log.count("TypeError: format_exception() got an unexpected keyword argument 'etype'") >= 2
    assert sum(1 for line in log.splitlines() if is_relaunch_line(line)) == 2
    assert "[ResourceGoneError] [HTTP Failed] [410: Gone]" in log
    assert "Agent WALinuxAgent-2.7.3.0 failed with exception: format_exception()" in log


def test_agent_log_recognises_the_crash_loop(tmp_path: Path) -> None:
    log_dir = tmp_path / "var" / "log"
    log_dir.mkdir(parents=True)
    shutil.copyfile(CRASH_LOG_DATA, log_dir / "waagent.log")
    result = run_check("agent.log", SystemProbe(root=tmp_path))
    evidence = json.dumps(result.evidence)
    assert result.status.value == "problem", (result.status, result.summary)
    assert "format_exception" in evidence and "2.9.0.4" in evidence
