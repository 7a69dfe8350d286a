"""`--smoke-test`: the (frozen) program checks that everything it bundles works, then exits.

It checks the compiled catalogs and the report templates, replays every shipped scenario,
renders a report into a temporary folder and reads it back, and builds every wizard page
offscreen. It prints one line per check and exits 0 only if all are well. Then it lists what the
Windows checks assume that only a run on a real Azure VM can confirm (`wizard.windows_unconfirmed`),
so the first run of the executable there says what to look at.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def _catalogs() -> str:
    from wizard.i18n import Translator, catalog_available

    if not catalog_available("ja"):
        raise RuntimeError("the Japanese catalog (i18n/ja/LC_MESSAGES/wizard.mo) is not bundled")
    ja = Translator("ja")
    if ja("Results") == "Results":
        raise RuntimeError("the Japanese catalog does not translate")
    return "ja catalog loads and translates"


def _line_breaking() -> str:
    from wizard.present.linebreak import PHRASE_PROBLEM, _phrase_parser, wrap

    if _phrase_parser() is None:
        raise RuntimeError("BudouX or its Japanese model (budoux/models/ja.json) does not load: "
                           + "; ".join(PHRASE_PROBLEM))
    lines = wrap("この VM の内部で 1 件の問題が見つかりました。", 24)
    if lines != ["この VM の内部で 1 件の", "問題が見つかりました。"]:
        raise RuntimeError(f"Japanese lines break elsewhere than between phrases: {lines}")
    return "Japanese breaks between phrases (BudouX)"


def _templates() -> str:
    from wizard.paths import resource

    missing = [n for n in ("report.html", "report.css") if not resource("templates", n).is_file()]
    if missing:
        raise RuntimeError("missing templates: " + ", ".join(missing))
    return "report templates present"


def _scenarios() -> str:
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS
    from wizard.model import Status
    from wizard.paths import resource
    from wizard.probes.scenario import ReplayProbe

    paths = sorted(resource("scenarios").glob("*.json"))
    if not paths:
        raise RuntimeError("no shipped scenarios")
    for p in paths:
        probe = ReplayProbe.load(p)
        diag = runner.run(ALL_CHECKS, probe)
        broken = [r.id for r in diag.results if r.status is Status.ERROR]
        if probe.missed or broken:
            raise RuntimeError(f"{p.name}: missed calls {len(probe.missed)}, failed checks {broken}")
    return f"{len(paths)} scenarios replay cleanly"


def _report(folder: Path) -> str:
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS
    from wizard.fileio import write_output
    from wizard.jsonio import diagnosis_to_json
    from wizard.paths import resource
    from wizard.probes.scenario import ReplayProbe
    from wizard.report import render_report

    diag = runner.run(ALL_CHECKS, ReplayProbe.load(resource("scenarios", "linux-firewall-drops-wireserver.json")))
    path = Path(write_output(folder / "smoke-report.html", render_report(diag, "ja")))
    html = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="diagnosis">(.*?)</script>', html, re.DOTALL)
    if not found or json.loads(found.group(1).replace("<\\/", "</")) != diagnosis_to_json(diag, "ja"):
        raise RuntimeError("the report's embedded diagnosis does not match")
    return f"report written and read back ({len(html.encode()) // 1024} KiB)"


def _pages(folder: Path) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from wizard.gui.app import smoke_pages

    names = smoke_pages(folder)
    return f"{len(names)} wizard pages built offscreen: {', '.join(names)}"


def run(out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="vmbackup-smoke-") as tmp:
        folder = Path(tmp)
        steps: list[tuple[str, Callable[[], str]]] = [
            ("catalogs", _catalogs),
            ("line breaking", _line_breaking),
            ("templates", _templates),
            ("scenarios", _scenarios),
            ("report", lambda: _report(folder)),
            ("wizard", lambda: _pages(folder)),
        ]
        failed = 0
        for name, step in steps:
            try:
                detail = step()
            except Exception as exc:
                failed += 1
                print(f"FAIL {name}: {type(exc).__name__}: {exc}", file=stream)
                print(traceback.format_exc(limit=3), file=stream)
            else:
                print(f"ok   {name}: {detail}", file=stream)
    print("smoke test " + ("passed" if not failed else f"failed ({failed})"), file=stream)
    from wizard import windows_unconfirmed

    print("Windows: unconfirmed until a run on a real Azure VM (see docs/windows.md):", file=stream)
    for line in windows_unconfirmed.lines():
        print(line, file=stream)
    return 0 if not failed else 1
