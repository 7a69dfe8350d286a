"""Pictures of every page at the screen sizes the wizard must fit, taken under Xvfb with real scale factors,
and the layout checks of tests/gui/layout_checks.py run on each (non-zero exit when one fails).

    python scripts/size_screenshots.py [--out docs/screenshots/sizes] [--scenario NAME]

Sizes: 1024x768 at 100 %, 1366x768 at 150 %, 1920x1080 at 200 % (QT_SCALE_FACTOR; the window fits itself to
the screen), and a 760x520 window on a 1024x768 screen; each in English and Japanese. Needs xvfb-run.
Nothing leaves the machine: the wizard replays a shipped scenario.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (  # label, screen, scale, fixed window size (None: the wizard fits itself)
    ("1024x768-100", "1024x768", "1", None),
    ("1366x768-150", "1366x768", "1.5", None),
    ("1920x1080-200", "1920x1080", "2", None),
    ("760x520", "1024x768", "1", (760, 520)),
)


def child(out: Path, label: str, scenario: str, lang: str, fixed: tuple[int, int] | None) -> int:
    sys.path.insert(0, str(ROOT / "tests" / "gui"))
    from layout_checks import problems
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from wizard.gui.app import application
    from wizard.gui.pages import PageId
    from wizard.gui.pages.results import DIAGRAM_TAB, FINDINGS_TAB
    from wizard.gui.seams import Seams
    from wizard.gui.session import Session
    from wizard.gui.window import BackupWizard
    from wizard.launch import resolve_scenario
    from wizard.probes.scenario import ReplayProbe
    from wizard.settings import Settings

    app = application()
    path = resolve_scenario(scenario)
    probe = ReplayProbe.load(path)
    session = Session(lang, probe, Settings(), {"kind": "scenario", "path": str(path), "title": probe.title})
    window = BackupWizard(session, Seams())
    window.show()
    app.processEvents()
    if fixed:
        window.resize(*fixed)
    window.setProperty("target_width", window.width())
    window.setProperty("target_height", window.height())
    failures = 0
    n = 0

    def shoot(name: str) -> None:
        nonlocal n, failures
        for _ in range(5):
            app.processEvents()
            time.sleep(0.02)
        n += 1
        image = window.grab().toImage().convertToFormat(
            QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither)
        image.save(str(out / f"{label}-{lang}-{n}-{name}.png"))
        found = problems(window)
        for p in found:
            print(f"{label} {lang} {name}: {p}")
        failures += len(found)

    shoot("welcome")
    window.next()
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    window.symptom_page.update_card()
    shoot("symptom")
    window.next()
    deadline = time.monotonic() + 60
    while not window.diagnose_page.isComplete() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    shoot("diagnose")
    window.next()
    shoot("results")
    window.results_page.tabs.setCurrentIndex(DIAGRAM_TAB)
    shoot("diagram")
    window.results_page.tabs.setCurrentIndex(FINDINGS_TAB)
    window.next()
    assert window.currentId() == PageId.SAVE
    shoot("save")
    print(f"{label} {lang}: window {window.width()}x{window.height()} (logical), {failures} problem(s)")
    window.done(0)
    QApplication.processEvents()
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "sizes"))
    parser.add_argument("--scenario", default="linux-firewall-drops-wireserver")
    parser.add_argument("--child", nargs=3, metavar=("LABEL", "LANG", "FIXED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = Path(args.out)
    if args.child:
        label, lang, fixed = args.child
        size = tuple(int(x) for x in fixed.split("x")) if fixed != "-" else None
        return child(out, label, args.scenario, lang, size)  # type: ignore[arg-type]
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    state = tempfile.mkdtemp(prefix="vmbackup-wizard-sizes-")  # kept diagnoses go here, not to the user's folder
    for label, screen, scale, fixed in CONFIGS:
        for lang in ("en", "ja"):
            env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": scale,
                   "XDG_STATE_HOME": state}
            cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable, __file__, "--out", str(out),
                   "--scenario", args.scenario, "--child", label, lang, f"{fixed[0]}x{fixed[1]}" if fixed else "-"]
            status |= subprocess.call(cmd, env=env)
    return status


if __name__ == "__main__":
    sys.exit(main())
