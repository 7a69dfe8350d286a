"""The program's own folder and its log: private, per user, never written through a planted link."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from wizard import appdata


def test_folders_per_platform(tmp_path: Path) -> None:
    assert appdata.data_dir({"XDG_STATE_HOME": str(tmp_path)}, "linux") == tmp_path / "vmbackup-wizard"
    assert appdata.data_dir({"LOCALAPPDATA": "C:\\Users\\a\\AppData\\Local"}, "win32") == \
        Path("C:\\Users\\a\\AppData\\Local") / "VMBackupWizard"


@pytest.mark.posix("file modes and owners")
def test_the_log_is_private_and_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    handler = appdata.open_log()
    assert isinstance(handler, logging.StreamHandler)
    handler.handle(logging.makeLogRecord({"msg": "first"}))
    handler.close()
    folder = tmp_path / "vmbackup-wizard"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "vmbackup-wizard.log").stat().st_mode & 0o777 == 0o600
    assert "first" in (folder / "vmbackup-wizard.log").read_text(encoding="utf-8")


@pytest.mark.posix("symbolic and hard links")
@pytest.mark.parametrize("kind", ["symlink", "hardlink", "folder-link"])
def test_a_planted_link_gets_no_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    if kind == "folder-link":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (state / "vmbackup-wizard").symlink_to(elsewhere)
        os.link(victim, elsewhere / "vmbackup-wizard.log")
    else:
        (state / "vmbackup-wizard").mkdir(mode=0o700)
        target = state / "vmbackup-wizard" / "vmbackup-wizard.log"
        target.symlink_to(victim) if kind == "symlink" else os.link(victim, target)
    handler = appdata.open_log()
    handler.handle(logging.makeLogRecord({"msg": "should not land"}))
    assert isinstance(handler, logging.NullHandler)
    assert victim.read_text(encoding="utf-8") == "precious\n"
