"""The Welcome page: elevation state and what it means, "Restart as administrator" on Windows, the
sudo command on Linux, and the About box."""

from __future__ import annotations

import os
from typing import Any

import pytest
from gui_helpers import replay

from wizard import __version__, elevation

LIVE = {"kind": "live"}


class OverrideProbe:
    """Answers some probes with fixed answers, the rest from another probe."""

    def __init__(self, inner: Any, **answers: dict[str, Any]) -> None:
        self.inner = inner
        self.answers = answers

    def call(self, probe: str, /, **args: Any) -> dict[str, Any]:
        if probe in self.answers:
            return dict(self.answers[probe])
        return self.inner.call(probe, **args)


def probe_for(scenario: str, **answers: dict[str, Any]) -> OverrideProbe:
    return OverrideProbe(replay(scenario)[0], **answers)


def test_not_root_on_linux_shows_the_sudo_command_to_copy(qtbot: Any, make_wizard: Any, seams: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/vmbackup-wizard", "--lang", "en"])
    probe = probe_for("linux-not-root", elevation={"is_admin": False, "user": "azureuser", "uid": 1000})
    window = make_wizard("linux-not-root", probe=probe, source=LIVE)
    page = window.welcome_page
    assert page.elevation_text.text().startswith("Not running as root (user azureuser)")
    assert page.restart_button is None and page.sudo_box is not None and page.sudo_copy is not None
    assert page.sudo_box.toPlainText() == "sudo -E /usr/local/bin/vmbackup-wizard --lang en"
    page.sudo_copy.click()
    assert seams.clipboard == ["sudo -E /usr/local/bin/vmbackup-wizard --lang en"]


def test_not_admin_on_windows_offers_a_restart_as_administrator(qtbot: Any, make_wizard: Any, seams: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(elevation, "on_windows", lambda: True)
    monkeypatch.setattr(elevation, "relaunch", lambda: ("C:\\wizard.exe", ["--lang", "ja"]))
    monkeypatch.setattr(elevation, "working_folder", lambda: "D:\\cases\\4711")
    probe = probe_for("healthy-windows", elevation={"is_admin": False, "user": "alice", "uid": None})
    window = make_wizard("healthy-windows", probe=probe, source=LIVE)
    page = window.welcome_page
    assert "Not running as Administrator (user alice)" in page.elevation_text.text()
    assert page.restart_button is not None and page.sudo_box is None
    seams.elevate_answer = False
    page.restart_button.click()
    assert seams.named("elevate") == [("C:\\wizard.exe", ["--lang", "ja"], "D:\\cases\\4711")]
    (_title, text), = seams.named("information")
    assert "declined" in text and window.isVisible()
    seams.elevate_answer = True
    page.restart_button.click()
    assert not window.isVisible(), "the elevated copy takes over"


@pytest.mark.parametrize(("system", "words"), [("linux", "Running as root"), ("windows", "Running as Administrator")])
def test_elevated_says_every_check_can_answer(qtbot: Any, make_wizard: Any, system: str, words: str) -> None:
    scenario = "healthy-linux" if system == "linux" else "healthy-windows"
    window = make_wizard(scenario, probe=probe_for(scenario, elevation={"is_admin": True, "user": "root"}),
                         source=LIVE)
    page = window.welcome_page
    assert page.elevation_text.text().startswith(words)
    assert page.elevation_actions.isHidden()


def test_unknown_elevation_is_said_plainly(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard(probe=probe_for("healthy-linux", elevation={"unavailable": True, "error": "x"}),
                         source=LIVE)
    assert window.welcome_page.elevation_text.text().startswith("Could not tell whether the wizard runs")


def test_a_demo_shows_the_recorded_state_and_no_restart(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-not-root")
    page = window.welcome_page
    assert page.elevation_text.text().endswith("(This is the state of the machine the scenario was recorded on.)")
    assert page.sudo_box is None and page.restart_button is None


def test_the_about_box_names_the_version(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    from wizard.gui.window import ABOUT_BUTTON

    window = make_wizard()
    window.button(ABOUT_BUTTON).click()
    (title, text), = seams.named("about")
    assert title == "About VM Backup Wizard"
    assert f"VM Backup Wizard {__version__}" in text and "vmbackup-wizard.log" in text


def test_relaunch_and_sudo_commands() -> None:
    assert elevation.relaunch(["C:\\VMBackupWizard.exe", "--lang", "ja"], "C:\\VMBackupWizard.exe", frozen=True) == \
        ("C:\\VMBackupWizard.exe", ["--lang", "ja"])
    assert elevation.relaunch(["/src/wizard/__main__.py", "--scenario", "x y"], "/usr/bin/python3", frozen=False,
                              cwd="/nowhere") == ("/usr/bin/python3", ["-m", "wizard", "--scenario", "x y"])
    assert elevation.sudo_command(["/src/wizard/__main__.py", "--scenario", "x y"], "/usr/bin/python3",
                                  frozen=False) == "sudo -E /usr/bin/python3 -m wizard --scenario 'x y'"
    assert elevation.sudo_command(["/opt/vmbackup-wizard", "--lang", "ja"], "/opt/vmbackup-wizard",
                                  frozen=True) == "sudo -E /opt/vmbackup-wizard --lang ja"


def test_the_elevated_copy_gets_absolute_paths() -> None:
    """UAC starts the elevated copy in System32: relative paths must already point at the right place."""
    args = ["--cli", "--root", "bundle", "--report=out\\r.html", "--json", "-", "--scenario", "healthy-windows",
            "--scenario", "cases\\x.json", "--diagram", "C:\\abs\\d.svg", "--lang", "ja"]
    found = elevation.absolute_arguments(args, "D:\\cases", windows=True,
                                         exists=lambda p: p == "D:\\cases\\cases\\x.json")
    assert found == ["--cli", "--root", "D:\\cases\\bundle", "--report=D:\\cases\\out\\r.html", "--json", "-",
                     "--scenario", "healthy-windows", "--scenario", "D:\\cases\\cases\\x.json",
                     "--diagram", "C:\\abs\\d.svg", "--lang", "ja"]
    assert elevation.absolute_arguments(["--record", "rec.json"], "/home/a", windows=False) == [
        "--record", "/home/a/rec.json"]
    here = os.getcwd()
    assert elevation.relaunch(["VMBackupWizard.exe", "--report", "r.html"], "C:\\w\\VMBackupWizard.exe",
                              frozen=True)[1] == ["--report", os.path.normpath(os.path.join(here, "r.html"))]
    assert elevation.working_folder() == here
