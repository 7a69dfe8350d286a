"""The core never imports Qt: only wizard/gui/ may."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

WIZARD = Path(__file__).resolve().parents[2] / "wizard"


def test_no_module_outside_gui_imports_pyside() -> None:
    offenders = []
    for path in WIZARD.rglob("*.py"):
        if "gui" in path.relative_to(WIZARD).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6") for n in names):
                offenders.append(str(path.relative_to(WIZARD)))
    assert offenders == []


def test_terminal_run_loads_no_qt() -> None:
    code = (
        "import sys, wizard.cli, wizard.runner, wizard.checks.registry, wizard.present.terminal, wizard.jsonio;"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=WIZARD.parent)
    assert out.stdout.strip() == "[]"
