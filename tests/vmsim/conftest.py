"""Fixtures of the simulated Azure Linux VM tests (docs/vmsim.md): one VM per test session.

The `vmsim` fixture builds (or reuses) the Debian 12 tree, boots it once, waits until the real
agent reports the backup extension healthy (about 70 s: the agent's hard-coded IMDS address fails
locally twice, 31 s each) and hands out the `Session` that stages the faults. It skips, saying
why, when this machine cannot run the VM (not root, tools or overlayfs missing) - unless
`VMSIM_REQUIRED=1` (set by .ci/run), which turns that skip into a failure; every other trouble
fails. `VMSIM_KEEP=1` keeps the run folder (logs, recordings, the overlay's upper layer).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simvm import tree as tree_module
from simvm.session import Session
from simvm.vm import SimVM, missing_requirements

_STATE: dict[str, Any] = {}


@pytest.fixture(scope="session")
def vmsim() -> Iterator[Session]:
    cached = (tree_module.cache_root() / tree_module.recipe_hash() / "manifest.json").exists()
    reasons = missing_requirements(build=not cached)
    if reasons:
        message = "the simulated Azure Linux VM cannot run on this machine: " + "; ".join(reasons)
        if os.environ.get("VMSIM_REQUIRED") == "1":
            pytest.fail(message + " (VMSIM_REQUIRED=1: CI must run these tests)")
        pytest.skip(message)
    t0 = time.monotonic()
    tree = tree_module.build()
    started: dict[str, Any] = {"tree_s": round(tree.seconds, 1), "tree_built_now": tree.built_now,
                               "tree": str(tree.root)}
    vm = SimVM(tree, keep=os.environ.get("VMSIM_KEEP") == "1")
    try:
        vm.start()
        started["boot_s"] = vm.timings["boot_s"]
        started["healthy_s"] = round(vm.wait_healthy(timeout=300), 1)
    except BaseException:
        vm.keep = True
        vm.stop()
        raise
    session = Session(vm)
    _STATE.update(session=session, started=started, t0=t0)
    yield session
    _STATE["total_s"] = round(time.monotonic() - t0, 1)
    _STATE["run_dir"] = str(vm.run_dir) if vm.keep else None
    vm.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    session = _STATE.get("session")
    if session is None:
        return
    write = terminalreporter.write_line
    started = _STATE["started"]
    write("")
    write(f"vmsim: tree {started['tree_s']} s ({'built' if started['tree_built_now'] else 'cached'}: "
          f"{started['tree']}), boot {started['boot_s']} s, agent healthy after {started['healthy_s']} s, "
          f"whole session {_STATE.get('total_s', '?')} s")
    for fault_id, timing in session.timings.items():
        write(f"vmsim:   {fault_id:32} " + ", ".join(f"{k} {v}" for k, v in timing.items()))
    if _STATE.get("run_dir"):
        write(f"vmsim: run folder kept at {_STATE['run_dir']}")
