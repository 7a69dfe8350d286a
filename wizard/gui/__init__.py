"""The Qt step-by-step wizard: the only part of the program that imports PySide6.

`run_gui(args, lang)` opens it. The pages (`wizard.gui.pages`) each own one job; the checks
run in a background `QThread` owned by the Diagnose page (`wizard.gui.worker`); message
boxes, file dialogs, the clipboard, the browser and elevation go through `wizard.gui.seams`
so tests can swap them.
"""

from __future__ import annotations

import argparse


def run_gui(args: argparse.Namespace, lang: str) -> int:
    """Open the wizard; returns the process exit status."""
    from wizard.gui.app import run_gui as _run

    return _run(args, lang)


__all__ = ["run_gui"]
