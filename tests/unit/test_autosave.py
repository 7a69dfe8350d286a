"""Kept diagnoses (wizard/autosave.py): the private folder, secrets cut a second time, one file per run,
the newest first (runs in the same second told apart), at most KEEP, and a read that explains."""

from __future__ import annotations

import datetime as _dt
import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from wizard import autosave
from wizard.model import CheckResult, Component, Diagnosis, HostInfo, Msg, Phase, Status
from wizard.present.compare import CompareInputError


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "state"))
    return tmp_path / "state"


def diagnosis(second: int = 0, secret: str = "") -> Diagnosis:
    result = CheckResult(id="agent.service", status=Status.PROBLEM, component=Component.AGENT,
                         phase=Phase.TAKE_SNAPSHOT, title=Msg("t"), summary=Msg("s"),
                         evidence={"proxy": f"http://user:{secret}@proxy:8080"} if secret else {})
    return Diagnosis(tool_name="vmbackup-wizard", tool_version="0", duration_s=0.1,
                     started_at=_dt.datetime(2026, 12, 5, 7, 0, second, tzinfo=_dt.UTC),
                     host=HostInfo(hostname="vm-1"), results=[result])


def test_kept_privately_and_without_secrets() -> None:
    # a secret that slipped past the probe gate (a check computed it) is cut before it reaches the disk
    path = autosave.keep(diagnosis(secret="S3cr3tPassw0rd"), "en")
    assert path.parent == autosave.folder()
    text = path.read_text(encoding="utf-8")
    assert "S3cr3tPassw0rd" not in text and json.loads(text)["results"][0]["id"] == "agent.service"
    if hasattr(os, "geteuid"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert autosave.load(path).results[0].status is Status.PROBLEM


def test_one_file_per_run_newest_first() -> None:
    first = autosave.keep(diagnosis(0), "en")
    again = autosave.keep(diagnosis(0), "en", first)  # the same run kept again (case fields edited)
    assert again == first
    same_second = autosave.keep(diagnosis(0), "en")  # another run started in the same second
    later = autosave.keep(diagnosis(1), "en")
    assert same_second != first
    assert autosave.saved() == [later, same_second, first]
    assert autosave.last() == later and autosave.last(exclude=later) == same_second


def test_at_most_keep_files() -> None:
    base = diagnosis()
    for i in range(autosave.KEEP + 2):
        autosave.keep(replace(base, started_at=base.started_at + _dt.timedelta(minutes=i)), "en")
    kept = autosave.saved()
    assert len(kept) == autosave.KEEP
    assert kept[-1].name == autosave.file_name(replace(base, started_at=base.started_at + _dt.timedelta(minutes=2)))


def test_other_files_and_links_are_not_listed(tmp_path: Path) -> None:
    path = autosave.keep(diagnosis(), "en")
    (path.parent / "notes.txt").write_text("x", encoding="utf-8")
    if hasattr(os, "symlink"):
        (path.parent / "diagnosis-20991231-000000.json").symlink_to(tmp_path)
    assert autosave.saved() == [path]


def test_a_file_that_is_not_a_diagnosis_is_explained(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CompareInputError, match=r"x\.json"):
        autosave.load(bad)
