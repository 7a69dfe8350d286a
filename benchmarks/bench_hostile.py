#!/usr/bin/env python3
"""The hostile-input properties of `tests/hostile/` with many more examples (issue 10), counted, not asserted.

    python benchmarks/bench_hostile.py [--examples 10000] [--entry scenario,root,network] [--workers N]
                                       [--seed 0]

For each entry point — `--scenario FILE` (mutated shipped scenarios, random JSON and bytes, FIFOs, huge and
special files), `--root DIR` (hostile bundle trees) and the network checks against a loopback HTTP fake
(random, slow, huge, broken answers) — it runs `--examples` random inputs (hypothesis, seeded: the same
inputs on every run with the same seed) split over worker processes, and prints per entry point: inputs
tried, crashes (`error` results, tracebacks, exceptions), hangs (over the deadline), secrets leaked, stray
writes, internal-error exits (status 4), other broken rules (undocumented status, invalid JSON, control
characters on the terminal), the slowest input and the wall time. Every count should be zero; the inputs
behind any non-zero count are written to a file named at the end.

When run as root with `unshare` and `ip` available it re-runs itself in an empty network namespace with only
loopback up, so nothing can leave the machine whatever the tool does (everything is aimed at 127.0.0.1
anyway). Workspaces go to /dev/shm when there is one (`HOSTILE_TMP` to choose).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

ENTRIES = ("scenario", "root", "network")
LABELS = {"scenario": "--scenario FILE", "root": "--root DIR", "network": "HTTP (loopback fakes)"}
HARD_LIMIT_S = 120.0
"""An input still running after this long is a hang for certain: the worker records it and stops."""
COLUMNS = ("crash", "hang", "secret", "stray_write", "internal_error")
OTHER = ("bad_exit", "bad_json", "terminal")


def _worker(entry: str, examples: int, seed: int, budget: float, out: Any, failures_path: str) -> None:
    """Run `examples` inputs of `entry`; put (tried, counts, slowest) on `out`; append failures to a file."""
    import hostile_inputs as hi
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    tried = 0
    counts: Counter[str] = Counter()
    slowest = 0.0
    current = {"input": "", "since": time.monotonic()}
    lock = threading.Lock()

    def watchdog() -> None:
        while True:
            time.sleep(1.0)
            with lock:
                if current["input"] and time.monotonic() - current["since"] > HARD_LIMIT_S:
                    _record(failures_path, entry, current["input"], [f"hang: still running after {HARD_LIMIT_S} s"])
                    out.put((entry, tried + 1, {**counts, "hang": counts["hang"] + 1}, HARD_LIMIT_S))
                    os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    strategy = {"scenario": hi.scenario_inputs(), "root": hi.root_trees(), "network": hi.network_answers()}[entry]

    @hseed(seed)
    @settings(max_examples=examples, derandomize=False, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(inp=strategy, lang=st.sampled_from(["en", "ja"]), redact=st.booleans())
    def run(inp: Any, lang: str, redact: bool) -> None:
        nonlocal tried, slowest
        with lock:
            current["input"], current["since"] = str(inp)[:4000], time.monotonic()
        start = time.monotonic()
        if entry == "scenario":
            broken = hi.scenario_property(inp, lang, redact)
        elif entry == "root":
            broken = hi.root_property(inp, lang, redact)
        else:
            broken = hi.network_property(inp, budget)
        slowest = max(slowest, time.monotonic() - start)
        with lock:
            current["input"] = ""
            tried += 1
            for kind in {v.kind for v in broken}:
                counts[kind] += 1
        if broken:
            _record(failures_path, entry, str(inp)[:4000], [str(v) for v in broken])

    run()
    out.put((entry, tried, dict(counts), slowest))


def _record(path: str, entry: str, description: str, broken: list[str]) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"== {entry}: {description}\n" + "".join(f"   {b}\n" for b in broken))


def run_entry(entry: str, examples: int, workers: int, seed: int, budget: float, failures: str) -> dict[str, Any]:
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    out = ctx.Queue()
    shares = [examples // workers + (1 if i < examples % workers else 0) for i in range(workers)]
    procs = [ctx.Process(target=_worker, args=(entry, n, seed * 1000 + i, budget, out, failures))
             for i, n in enumerate(shares) if n]
    start = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.monotonic() - start
    counts: Counter[str] = Counter()
    for _, _, c, _ in results:
        counts.update(c)
    return {"entry": entry, "tried": sum(r[1] for r in results), "counts": counts,
            "slowest": max(r[3] for r in results), "wall": wall, "workers": len(procs)}


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("entry point", "inputs tried", "crashes", "hangs", "secrets leaked", "stray writes",
            "internal-error exits", "other", "slowest input", "wall time")
    lines = [head]
    for r in rows:
        c = r["counts"]
        lines.append((LABELS[r["entry"]], str(r["tried"]), *(str(c.get(k, 0)) for k in COLUMNS),
                      str(sum(c.get(k, 0) for k in OTHER)), f"{r['slowest']:.2f} s",
                      f"{r['wall']:.0f} s ({r['workers']} worker{'s' if r['workers'] != 1 else ''})"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    fmt = [" | ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line))
           for line in lines]
    return "\n".join([fmt[0], "-+-".join("-" * w for w in widths), *fmt[1:]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="inputs per entry point (default 10000)")
    parser.add_argument("--entry", default=",".join(ENTRIES), help="entry points to run (default: all three)")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes (default: one per core; four per core for the network, which waits)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    opts = parser.parse_args()
    entries = [e.strip() for e in opts.entry.split(",") if e.strip()]
    unknown = set(entries) - set(ENTRIES)
    if unknown:
        parser.error(f"unknown entry point(s): {', '.join(sorted(unknown))}")

    if os.environ.get("BENCH_NETNS") != "1" and hasattr(os, "geteuid") and os.geteuid() == 0 \
            and shutil.which("unshare") and shutil.which("ip"):
        cmd = ["ip link set lo up && exec \"$0\" \"$@\"", sys.executable, str(Path(__file__).resolve()),
               *sys.argv[1:]]
        return subprocess.call(["unshare", "-n", "sh", "-c", *cmd], env={**os.environ, "BENCH_NETNS": "1"})

    import hostile_harness as hh

    cores = os.cpu_count() or 1
    failures = tempfile.NamedTemporaryFile(prefix="bench-hostile-failures-", suffix=".txt", delete=False).name
    budget = hh.network_budget(hh.black_holed_seconds()) if "network" in entries else 0.0
    print(f"network namespace isolated: {os.environ.get('BENCH_NETNS') == '1'}; cores: {cores}; "
          f"examples per entry point: {opts.examples}; seed: {opts.seed}")
    print(f"secret corpus: {hh.CORPUS_SOURCE} ({len(hh.SECRETS)} needles in {len(hh.SECRET_TEXTS)} texts); "
          f"deadline per CLI run: {hh.CLI_DEADLINE_S:.0f} s" +
          (f"; network budget: {budget:.2f} s (black-holed run x1.5 + 1 s; request deadlines "
           f"{hh.NETWORK_TIMEOUTS['connect_timeout_s']} s connect, {hh.NETWORK_TIMEOUTS['http_timeout_s']} s HTTP)"
           if budget else ""), flush=True)
    rows = []
    for entry in entries:
        workers = opts.workers or (4 * cores if entry == "network" else cores)
        row = run_entry(entry, opts.examples, workers, opts.seed, budget, failures)
        rows.append(row)
        print(f"  {LABELS[entry]}: {row['tried']} inputs in {row['wall']:.0f} s", flush=True)
    print()
    print(_table(rows))
    total = sum(sum(r["counts"].values()) for r in rows)
    if total:
        print(f"\nThe inputs behind the non-zero counts: {failures}")
    else:
        os.unlink(failures)
        print("\nAll counts are zero.")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
