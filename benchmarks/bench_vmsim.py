#!/usr/bin/env python3
"""The wizard's full live run inside the simulated Azure Linux VM (docs/vmsim.md), medians of N runs.

    sudo python benchmarks/bench_vmsim.py [--runs 5] [--json FILE]

Prints, for the VM as root: the wall time of a full `--cli --json -` run on the healthy VM and with
the WireServer black-holed (every packet to 127.0.0.1:80 and :32526 dropped inside the VM, so
connects time out), the runner's own duration, the peak RSS of the wizard, and how the checks of
the healthy run ended: the share that reached a verdict (ok/info/warning/problem) and every
`not_checked` or `error` check with its reason (the goal is none). Goal (issue 14): the black-holed
run within 0.5 s of the healthy one.

Boots its own VM (about 70 s until the agent is healthy) from the cached tree (built if missing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "vmsim"))

from simvm import tree as tree_module  # noqa: E402
from simvm.session import BusyMeter  # noqa: E402
from simvm.vm import SimVM, missing_requirements  # noqa: E402

BLACKHOLE_PORTS = ("80", "32526")
RSS_WRAPPER = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
               "print('maxrss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(p.returncode)")


def _rule(action: str, port: str) -> list[str]:
    return ["iptables", "-w", action, "OUTPUT", "-d", "127.0.0.1/32", "-p", "tcp", "--dport", port, "-j", "DROP"]


def measure(vm: SimVM, label: str, runs: int) -> dict[str, Any]:
    """`runs` full runs as root: wall time, the runner's duration, peak RSS, machine load around them."""
    walls: list[float] = []
    durations: list[float] = []
    rss: list[int] = []
    doc: dict[str, Any] = {}
    busy: list[float] = []
    env = vm.wizard_env()
    for _ in range(runs):
        argv = [str(vm.python), "-c", RSS_WRAPPER, *vm.wizard_argv()]
        with BusyMeter() as meter:
            t0 = time.monotonic()
            result = vm.exec(argv, check=False, timeout=120, env=env)
            walls.append(time.monotonic() - t0)
        busy.append(meter.percent)
        doc = json.loads(result.stdout)
        durations.append(float(doc["duration_s"]))
        rss.append(int(next(line.split()[1] for line in result.stderr.splitlines() if line.startswith("maxrss_kb"))))
    return {"label": label, "runs": runs, "wall_s": walls, "median_wall_s": round(statistics.median(walls), 2),
            "median_duration_s": round(statistics.median(durations), 2), "peak_rss_mb": round(max(rss) / 1024, 1),
            "machine_busy_percent": busy, "exit_code": result.returncode, "doc": doc}


def coverage(doc: dict[str, Any]) -> dict[str, Any]:
    results = doc["results"]
    verdict = [r for r in results if r["status"] in ("ok", "info", "warning", "problem")]
    unsure = [{"id": r["id"], "status": r["status"], "reason": r["summary"]} for r in results
              if r["status"] in ("not_checked", "error")]
    return {"checks": len(results), "with_verdict": len(verdict), "share_with_verdict": round(len(verdict) /
            max(1, len(results)), 3), "counts": doc["counts"], "not_checked_or_error": unsure}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    reasons = missing_requirements(build=not (tree_module.cache_root() / tree_module.recipe_hash()).exists())
    if reasons:
        print("bench_vmsim: cannot run here: " + "; ".join(reasons), file=sys.stderr)
        return 2
    tree = tree_module.build()
    vm = SimVM(tree)
    try:
        t0 = time.monotonic()
        vm.start()
        healthy_after = vm.wait_healthy(timeout=300)
        print(f"tree {tree.seconds:.1f} s ({'built' if tree.built_now else 'cached'}), boot {vm.timings['boot_s']} s, "
              f"agent healthy after {healthy_after:.1f} s")
        healthy = measure(vm, "healthy", args.runs)
        for port in BLACKHOLE_PORTS:
            vm.exec(_rule("-I", port))
        try:
            blackholed = measure(vm, "blackholed", args.runs)
        finally:
            for port in BLACKHOLE_PORTS:
                vm.exec(_rule("-D", port))
        cov = coverage(healthy["doc"])
        total = time.monotonic() - t0
    finally:
        vm.stop()
    delta = blackholed["median_wall_s"] - healthy["median_wall_s"]
    print(f"{'run (root, in the VM)':24} {'median wall':>12} {'median runner':>14} {'peak RSS':>9}  machine busy")
    for m in (healthy, blackholed):
        print(f"{m['label']:24} {m['median_wall_s']:>10.2f} s {m['median_duration_s']:>12.2f} s "
              f"{m['peak_rss_mb']:>6.1f} MB  {', '.join(f'{b:.0f}%' for b in m['machine_busy_percent'])}")
    goal = "met" if delta <= 0.5 else "NOT met"
    print(f"black-holed minus healthy: {delta:+.2f} s (goal: at most +0.50 s) -> {goal}")
    print(f"healthy run as root: {cov['with_verdict']} of {cov['checks']} checks reached a verdict "
          f"({cov['share_with_verdict']:.0%}); counts {cov['counts']}")
    for item in cov["not_checked_or_error"]:
        print(f"  {item['status']:12} {item['id']:24} {item['reason']}")
    if not cov["not_checked_or_error"]:
        print("  no check ended not_checked or error")
    print(f"whole benchmark {total:.0f} s")
    if args.json:
        out = {"healthy": {k: v for k, v in healthy.items() if k != "doc"},
               "blackholed": {k: v for k, v in blackholed.items() if k != "doc"},
               "delta_s": round(delta, 2), "coverage": cov}
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
