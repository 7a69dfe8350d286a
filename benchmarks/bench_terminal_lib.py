#!/usr/bin/env python3
"""Our hand-written terminal view against the `rich` library, on the start-up and size budgets (issue 11).

    python benchmarks/bench_terminal_lib.py [--runs 9] [--rich-python PATH]

Prints the median import time, in fresh interpreters, of what the terminal view needs: our
`wizard.present.terminal` (widths, wrapping, kinsoku, progress) and `rich`'s console, table, live and
progress modules, and the size on disk of each with what it pulls in. `rich` is not a dependency of the
project: point `--rich-python` at an interpreter that has it (e.g. a throw-away venv with `pip install rich`).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = ("import time, sys; t = time.perf_counter(); import {mods}; "
         "print((time.perf_counter() - t) * 1000)")
SIZE = ("import importlib, pathlib, sys; total = 0\n"
        "for name in sys.argv[1:]:\n"
        "    mod = importlib.import_module(name); p = pathlib.Path(mod.__file__).parent\n"
        "    total += sum(f.stat().st_size for f in p.rglob('*') if f.is_file() and '__pycache__' not in f.parts)\n"
        "print(total / 1e6)")


def _median_ms(python: str, mods: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([python, "-c", PROBE.format(mods=mods)], capture_output=True, text=True, check=True,
                             cwd=ROOT, timeout=60)
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--rich-python", default=sys.executable)
    args = ap.parse_args()
    ours = _median_ms(sys.executable, "wizard.present.terminal", args.runs)
    own_files = [ROOT / "wizard" / "present" / n for n in ("terminal.py", "linebreak.py")]
    print(f"{'terminal view':32} {'median import':>14} {'size on disk':>14}")
    own_mb = sum(f.stat().st_size for f in own_files) / 1e6
    print(f"{'ours (terminal.py, linebreak.py)':32} {ours:11.1f} ms {own_mb:11.2f} MB"
          "   (the import includes the answer layer it renders)")
    try:
        rich = _median_ms(args.rich_python, "rich.console, rich.table, rich.live, rich.progress", args.runs)
    except (subprocess.CalledProcessError, OSError):
        print(f"rich: not importable with {args.rich_python}; give --rich-python")
        return 0
    size = subprocess.run([args.rich_python, "-c", SIZE, "rich", "pygments", "markdown_it"], capture_output=True,
                          text=True, check=False, timeout=60).stdout.strip() or "?"
    print(f"{'rich (+ pygments, markdown-it)':32} {rich:11.1f} ms {float(size):11.2f} MB"
          "   (added on top of ours: the answer layer stays)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
