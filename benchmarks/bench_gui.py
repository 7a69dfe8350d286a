#!/usr/bin/env python3
"""How quickly the wizard opens and whether it ever freezes (medians of N runs).

    python benchmarks/bench_gui.py [--runs 5]

Targets (issue 4, from source on this machine): from launch to the first page shown at most
1.0 s; during a full run the GUI thread never stalls: a 10 ms heartbeat timer on it never
fires more than 100 ms late.

- launch: starts `python -m wizard --scenario healthy-linux` with VMBACKUP_WIZARD_EXIT_AFTER_SHOW=1
  and measures, from the moment the process is spawned, until it prints that the first page has
  been shown (and drawn); the process then exits by itself.
- heartbeat: in this process, the wizard over a replayed scenario made live-ish (the CPU sample
  takes 2 s as on a real VM, and every other probe call 20 ms) is walked through every page:
  the run, the Results page, a switch to Japanese and back, the Save page. The largest lateness
  of the heartbeat over that whole walk is one figure; the median over the runs is reported.

Uses Qt's offscreen platform when there is no display. Nothing leaves the machine (replays only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LAUNCH_TARGET_S = 1.0
LAG_TARGET_MS = 100.0
HEARTBEAT_MS = 10
CPU_SAMPLE_S = 2.0
CALL_LATENCY_S = 0.02


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def launch_once() -> tuple[float, float]:
    """(seconds from spawn to the marker, seconds the program itself reports since run_gui started)."""
    from wizard.gui.app import EXIT_AFTER_SHOW_ENV, SHOWN_MARKER

    env = {**_env(), EXIT_AFTER_SHOW_ENV: "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "--scenario", "healthy-linux"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(SHOWN_MARKER):
            elapsed = time.perf_counter() - start
            inner = float(line.split()[-1])
            proc.wait(timeout=30)
            return elapsed, inner
    proc.wait(timeout=30)
    raise RuntimeError(f"the wizard exited ({proc.returncode}) without showing its first page")


class LiveishProbe:
    """A replayed scenario that takes as long as a real VM: a 2 s CPU sample, 20 ms for every other call."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def call(self, probe: str, /, **args: Any) -> dict[str, Any]:
        time.sleep(CPU_SAMPLE_S if probe == "cpu_sample" else CALL_LATENCY_S)
        return self.inner.call(probe, **args)


def heartbeat_once() -> tuple[float, float, int]:
    """(largest heartbeat lateness in ms, run duration in s, heartbeats) over one full walk."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from wizard.checks.base import Settings
    from wizard.cli import resolve_scenario
    from wizard.gui.app import application
    from wizard.gui.pages import PageId
    from wizard.gui.seams import Seams
    from wizard.gui.session import Session
    from wizard.gui.window import BackupWizard
    from wizard.probes.scenario import ReplayProbe

    app = application()
    path = resolve_scenario("linux-firewall-drops-wireserver")
    replay = ReplayProbe.load(path)
    session = Session("en", LiveishProbe(replay), Settings(), {"kind": "scenario", "path": str(path),
                                                              "title": replay.title})
    window = BackupWizard(session, Seams())
    window.show()
    app.processEvents()

    clock = QElapsedTimer()
    worst = 0.0
    beats = 0
    last = 0

    def beat() -> None:
        nonlocal worst, beats, last
        now = clock.elapsed()
        worst = max(worst, now - last - HEARTBEAT_MS)
        last = now
        beats += 1

    timer = QTimer()
    timer.setInterval(HEARTBEAT_MS)
    timer.timeout.connect(beat)
    loop = QEventLoop()
    steps: list[str] = []

    def walk() -> None:
        window.next()                        # What did you see?
        window.next()                        # Diagnose: the run starts
        steps.append("run")
        window.diagnose_page.completeChanged.connect(after_run)

    def after_run() -> None:
        if not window.diagnose_page.isComplete() or "results" in steps:
            return
        steps.append("results")
        window.next()                        # Results: verdict, tree, detail, diagram
        QTimer.singleShot(50, switch)

    def switch() -> None:
        session.set_language("ja")           # every page re-translated, as by one click
        QTimer.singleShot(50, switch_back)

    def switch_back() -> None:
        session.set_language("en")
        QTimer.singleShot(50, save)

    def save() -> None:
        window.next()                        # Save: the summary
        QTimer.singleShot(50, loop.quit)

    clock.start()
    timer.start()
    started = time.perf_counter()
    QTimer.singleShot(0, walk)
    loop.exec()
    duration = time.perf_counter() - started
    timer.stop()
    assert window.currentId() == PageId.SAVE, "the walk did not reach the Save page"
    window.shutdown()
    window.hide()
    window.deleteLater()
    app.processEvents()
    return worst, duration, beats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    runs = max(5, args.runs)
    for key, value in _env().items():
        if key == "QT_QPA_PLATFORM":
            os.environ[key] = value
    # the wizard keeps every finished diagnosis in the per-user folder: a benchmark keeps its own, thrown away
    scratch = tempfile.TemporaryDirectory(prefix="bench-gui-")
    os.environ["XDG_STATE_HOME"] = os.environ["LOCALAPPDATA"] = scratch.name

    launches = [launch_once() for _ in range(runs)]
    spawn = statistics.median(x for x, _ in launches)
    inner = statistics.median(y for _, y in launches)
    print(f"launch to first page shown: median {spawn:.3f} s over {runs} runs "
          f"(each: {', '.join(f'{x:.3f}' for x, _ in launches)}); run_gui to shown {inner:.3f} s; "
          f"target <= {LAUNCH_TARGET_S:.1f} s: {'ok' if spawn <= LAUNCH_TARGET_S else 'MISSED'}")

    beats = [heartbeat_once() for _ in range(runs)]
    lag = statistics.median(w for w, _, _ in beats)
    print(f"heartbeat lateness during a full run (CPU sample {CPU_SAMPLE_S:.0f} s, {CALL_LATENCY_S * 1000:.0f} ms per "
          f"probe call): median of the worst {lag:.0f} ms over {runs} runs "
          f"(each: {', '.join(f'{w:.0f}' for w, _, _ in beats)} ms; walks of "
          f"{statistics.median(d for _, d, _ in beats):.1f} s, {statistics.median(b for _, _, b in beats):.0f} beats); "
          f"target <= {LAG_TARGET_MS:.0f} ms: {'ok' if lag <= LAG_TARGET_MS else 'MISSED'}")
    return 0 if spawn <= LAUNCH_TARGET_S and lag <= LAG_TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
