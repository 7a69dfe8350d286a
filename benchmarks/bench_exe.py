#!/usr/bin/env python3
"""Build the one-file executable and measure it against the budgets (medians of N runs).

    python benchmarks/bench_exe.py [--runs 5] [--no-build]

Budgets (issue 6, on this Linux machine): size at most 45 MB; `--version` at most 1.0 s;
from launch to the first wizard page shown at most 1.5 s. A one-file build unpacks itself to
a temporary folder at every start, which is most of both times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "dist" / ("VMBackupWizard.exe" if sys.platform == "win32" else "vmbackup-wizard")


def _time(args: list[str], env: dict[str, str]) -> float:
    t0 = time.monotonic()
    subprocess.run([str(EXE), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   timeout=60)
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-build", action="store_true")
    opts = ap.parse_args()
    if not opts.no_build:
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "build.spec"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"build: {time.monotonic() - t0:.0f} s")
    size = EXE.stat().st_size
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NO_COLOR": "1"}
    version = [_time(["--version"], env) for _ in range(opts.runs)]
    first_page_env = {**env, "VMBACKUP_WIZARD_EXIT_AFTER_SHOW": "1"}
    first_page = [_time(["--lang", "en", "--scenario", "healthy-linux"], first_page_env) for _ in range(opts.runs)]
    rows = [
        ("size", f"{size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)", size / 1e6 <= 45),
        ("--version (median)", f"{statistics.median(version):.2f} s  [{min(version):.2f}-{max(version):.2f}]",
         statistics.median(version) <= 1.0),
        ("launch to first page (median)", f"{statistics.median(first_page):.2f} s  "
         f"[{min(first_page):.2f}-{max(first_page):.2f}]", statistics.median(first_page) <= 1.5),
    ]
    print(f"{EXE.name}, {opts.runs} runs each")
    for name, value, ok in rows:
        print(f"{name:<32} {value:<32} {'ok' if ok else 'OVER BUDGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
