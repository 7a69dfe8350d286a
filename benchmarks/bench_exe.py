#!/usr/bin/env python3
"""Build the one-file executable and measure it against the budgets and against a naive build (medians).

    python benchmarks/bench_exe.py [--runs 7] [--no-build] [--no-naive]

Budgets (issue 6, on this Linux machine): size at most 45 MB; `--version` at most 1.0 s; from launch to
the first wizard page shown at most 1.5 s. Issue 12 item 8: from launch to the first page at most half
the time of a *naive* one-file PySide6 build measured in the same run, and the size falling toward 34 MB.

The naive build is a minimal one-page PySide6 QWizard (below) built with PyInstaller's default one-file
settings (`pyinstaller --onefile`, no spec, no excludes) in a temporary folder. Both programs are run
alternately (ours, naive, ours, naive, ...) so the load of a shared machine hits both alike; each program
prints a line once its first page has been drawn, then exits. The figure is the time from launch to that
line: the median of the paired times and the median of the per-pair ratios (the same until exit follows);
the same pairs are also given in CPU time (user + system of the process tree, where the system reports it),
which other work on a shared machine hardly moves. A
one-file build unpacks itself to a temporary folder at every start: most of the time is that, so it falls
with the size of what is unpacked (and with the number of files).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "dist" / ("VMBackupWizard.exe" if sys.platform == "win32" else "vmbackup-wizard")
SHOWN = "first page shown"

NAIVE_APP = '''\
"""A minimal one-page PySide6 wizard: the baseline a plain `pyinstaller --onefile` gives."""
import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWizard, QWizardPage


class FirstShow(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window, self.done = window, False

    def eventFilter(self, watched, event):
        if not self.done and event.type() == QEvent.Type.Show:
            self.done = True
            QTimer.singleShot(0, self.report)
        return False

    def report(self):
        self.window.grab()
        print("first page shown", flush=True)
        self.window.reject()


app = QApplication(sys.argv)
wizard = QWizard()
wizard.setWindowTitle("VM Backup Wizard")
page = QWizardPage()
page.setTitle("Welcome")
layout = QVBoxLayout(page)
layout.addWidget(QLabel("Finds out why Azure VM Backup fails. Azure VM Backup が失敗する理由を調べます。"))
wizard.addPage(page)
wizard.finished.connect(lambda _r: app.quit())
if os.environ.get("VMBACKUP_WIZARD_EXIT_AFTER_SHOW") == "1":
    wizard.installEventFilter(FirstShow(wizard))
wizard.show()
sys.exit(app.exec())
'''


def _children_cpu() -> float | None:
    """CPU seconds (user + system) of every waited-for descendant so far; None where there is no getrusage."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_shown(exe: Path, args: list[str], env: dict[str, str],
               expect_shown: bool = False) -> tuple[float | None, float, float | None]:
    """(seconds until the program printed that its first page is shown, seconds until it exited, CPU seconds).
    The CPU time is that of the whole process tree (the one-file executable's unpacking parent and the program
    it starts), which hardly moves when other work shares the machine."""
    cpu0 = _children_cpu()
    t0 = time.monotonic()
    shown: float | None = None
    with subprocess.Popen([str(exe), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as proc:
        assert proc.stdout is not None
        tail: list[str] = []
        for line in proc.stdout:
            if shown is None and SHOWN in line:
                shown = time.monotonic() - t0
            tail = [*tail, line][-20:]
        rc = proc.wait(timeout=120)
    took = time.monotonic() - t0
    cpu1 = _children_cpu()
    if rc != 0:
        raise SystemExit(f"{exe.name} {' '.join(args)} exited with {rc}: {''.join(tail)[-500:]!r}")
    if expect_shown and shown is None:
        raise SystemExit(f"{exe.name} did not show its first page: {''.join(tail)[-500:]!r}")
    return shown, took, (cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None)


def _time(exe: Path, args: list[str], env: dict[str, str]) -> float:
    return _run_shown(exe, args, env)[1]


def build_ours() -> None:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "build.spec"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"build (ours): {time.monotonic() - t0:.0f} s")


def build_naive(work: Path) -> Path:
    """`pyinstaller --onefile naive.py` with every default, in `work`; returns the executable."""
    script = work / "naive.py"
    script.write_text(NAIVE_APP, encoding="utf-8")
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--onefile", "--name", "naive",
                    "--distpath", str(work / "dist"), "--workpath", str(work / "build"), "--specpath", str(work),
                    str(script)], cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"build (naive): {time.monotonic() - t0:.0f} s")
    return work / "dist" / ("naive.exe" if sys.platform == "win32" else "naive")


def _span(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s  [{min(values):.2f}-{max(values):.2f}]"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-build", action="store_true", help="measure the executable already in dist/")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    ap.add_argument("--naive", metavar="EXE", help="an already built naive executable (skips building it)")
    opts = ap.parse_args()
    if not opts.no_build:
        build_ours()
    size = EXE.stat().st_size
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NO_COLOR": "1"}
    shown_env = {**env, "VMBACKUP_WIZARD_EXIT_AFTER_SHOW": "1"}
    first_args = ["--lang", "en", "--scenario", "healthy-linux"]
    version = [_time(EXE, ["--version"], env) for _ in range(opts.runs)]
    rows = [
        ("size", f"{size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)", size / 1e6 <= 45),
        ("--version (median)", _span(version), statistics.median(version) <= 1.0),
    ]
    work = Path(tempfile.mkdtemp(prefix="bench-naive-"))
    try:
        naive = None if opts.no_naive else Path(opts.naive) if opts.naive else build_naive(work)
        ours: list[tuple[float | None, float, float | None]] = []
        theirs: list[tuple[float | None, float, float | None]] = []
        _run_shown(EXE, first_args, shown_env, expect_shown=True)  # warm the page cache for both alike
        if naive is not None:
            _run_shown(naive, [], shown_env, expect_shown=True)
        for _ in range(opts.runs):
            ours.append(_run_shown(EXE, first_args, shown_env, expect_shown=True))
            if naive is not None:
                theirs.append(_run_shown(naive, [], shown_env, expect_shown=True))
        ours_shown = [s for s, _, _ in ours if s is not None]
        ours_exit = [w for _, w, _ in ours]
        rows.append(("launch to first page (median)", _span(ours_shown), statistics.median(ours_shown) <= 1.5))
        if naive is not None:
            nsize = naive.stat().st_size
            theirs_shown = [s for s, _, _ in theirs if s is not None]
            theirs_exit = [w for _, w, _ in theirs]
            ratios = [a / b for a, b in zip(ours_shown, theirs_shown, strict=True)]
            exit_ratios = [a / b for a, b in zip(ours_exit, theirs_exit, strict=True)]
            rows += [
                ("naive one-file: size", f"{nsize / 1e6:.1f} MB", True),
                ("naive one-file: first page", _span(theirs_shown), True),
                ("ours / naive (median of pairs)", f"{statistics.median(ratios):.2f}x  "
                 f"(medians {statistics.median(ours_shown):.2f} / {statistics.median(theirs_shown):.2f} s)",
                 statistics.median(ratios) <= 0.5),
                ("  the same until both exited", f"{statistics.median(exit_ratios):.2f}x  "
                 f"(medians {statistics.median(ours_exit):.2f} / {statistics.median(theirs_exit):.2f} s)",
                 statistics.median(exit_ratios) <= 0.5),
            ]
            cpu_pairs = [(a, b) for (_, _, a), (_, _, b) in zip(ours, theirs, strict=True) if a and b]
            if cpu_pairs:  # the same pairs in CPU time: steadier than wall time on a shared machine
                rows.append(("  the same in CPU time", f"{statistics.median(a / b for a, b in cpu_pairs):.2f}x  "
                             f"(medians {statistics.median(a for a, _ in cpu_pairs):.2f} / "
                             f"{statistics.median(b for _, b in cpu_pairs):.2f} s)",
                             statistics.median(a / b for a, b in cpu_pairs) <= 0.5))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{EXE.name}, {opts.runs} runs each")
    for name, value, ok in rows:
        print(f"{name:<32} {value:<44} {'ok' if ok else 'OVER BUDGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
