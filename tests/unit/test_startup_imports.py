"""The wizard's first page loads only what it shows: the answer layer, the runner and the checks, the masking
and the report (Jinja2) load with the first run, result or saved file. Each module kept out is start-up time
saved at every double-click of the one-file executable (issue 12 item 8)."""

from __future__ import annotations

import json
import subprocess
import sys

LATER = ("wizard.present.answer", "wizard.runner", "wizard.checks.registry", "wizard.redact", "wizard.report",
         "wizard.report.pdf", "jinja2", "wizard.jsonio")
LATER_PAGES = ("wizard.gui.pages.symptom", "wizard.gui.pages.diagnose", "wizard.gui.pages.results",
               "wizard.gui.pages.save", "wizard.gui.pdfexport", "wizard.gui.widgets.compare")
"""The pages after the first are built, and their modules imported, when first needed (Next, or code that
reaches them through the window)."""


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_importing_the_wizard_loads_nothing_the_first_page_does_not_show() -> None:
    loaded = _modules_after("import wizard.cli, wizard.gui.app")
    assert "wizard.gui.window" in loaded and "wizard.gui.pages.welcome" in loaded
    assert sorted(m for m in LATER + LATER_PAGES if m in loaded) == []


def test_the_window_builds_only_the_first_page_and_the_rest_on_next() -> None:
    code = ("import os, json, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from wizard.gui.app import application\n"
            "from wizard.gui.session import Session\n"
            "from wizard.gui.window import BackupWizard\n"
            "from wizard.launch import resolve_scenario\n"
            "from wizard.probes.scenario import ReplayProbe\n"
            "from wizard.settings import Settings\n"
            "app = application()\n"
            "path = resolve_scenario('healthy-linux')\n"
            "w = BackupWizard(Session('en', ReplayProbe.load(path), Settings(), {'kind': 'scenario'}))\n"
            "w.show()\n"
            "app.processEvents()\n"
            "print(json.dumps(sorted(sys.modules)))\n"
            "assert w.nextId() != -1, 'Next, not Finish, on the first page'\n"
            "w.next()\n"
            "assert w.currentPage() is w.symptom_page\n")
    out = subprocess.run([sys.executable, "-c", code + "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120)
    shown, after_next = (set(json.loads(line)) for line in out.stdout.splitlines()[-2:])
    assert sorted(m for m in LATER_PAGES if m in shown) == []
    assert "wizard.gui.pages.symptom" in after_next and "wizard.gui.pages.results" not in after_next


def test_the_lazy_packages_still_give_every_name() -> None:
    import wizard.knowledge as knowledge
    import wizard.present as present

    for name in knowledge.__all__:
        assert getattr(knowledge, name) is not None
    for name in present.__all__:
        assert getattr(present, name) is not None
    from wizard.knowledge import lookup
    from wizard.present import build_answer

    assert callable(lookup) and callable(build_answer)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    import pytest

    import wizard.knowledge as knowledge
    import wizard.present as present

    for module in (knowledge, present):
        with pytest.raises(AttributeError):
            module.no_such_name  # noqa: B018


def test_the_first_page_makes_no_python_type_it_does_not_use() -> None:
    """PySide6 creates a Qt class's Python type, with all its enums, when its name is first read, and creates
    the types of a whole module when asked for a Qt-made widget of a class it has not seen (the parent of the
    wizard's buttons): the first page, focus on Next included, reads neither QMessageBox nor QFileDialog and
    never needs the whole of QtWidgets (e.g. QCalendarWidget)."""
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "sys.argv = ['vmbackup-wizard', '--lang', 'en', '--scenario', 'healthy-linux']\n"
            "os.environ['VMBACKUP_WIZARD_EXIT_AFTER_SHOW'] = '1'\n"
            "from wizard.cli import main\n"
            "assert main() == 0\n"
            "import PySide6.QtWidgets as W\n"
            "print(json.dumps(sorted(k for k, v in vars(W).items() if isinstance(v, type))))\n")
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True,
                         timeout=120)
    assert "first page shown" in out.stdout
    made = set(json.loads(out.stdout.splitlines()[-1]))
    assert {"QWizard", "QPushButton"} <= made
    assert not made & {"QMessageBox", "QFileDialog", "QCalendarWidget", "QTreeWidget"}
