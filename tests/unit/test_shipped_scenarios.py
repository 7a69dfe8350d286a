"""The shipped demo scenarios: up to date, complete, and showing what their names promise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.cli import main
from wizard.model import Status
from wizard.paths import resource
from wizard.probes.scenario import ReplayProbe

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.stem for p in resource("scenarios").glob("*.json"))

# name -> {"exit_code": n, "statuses": {check id: status}}; shared with scripts/check_executable.py
EXPECTATIONS = json.loads(resource("scenario-expectations.json").read_text(encoding="utf-8"))
EXPECTED: dict[str, tuple[int, dict[str, str]]] = {
    name: (e["exit_code"], e["statuses"]) for name, e in EXPECTATIONS.items()
}


def test_every_promised_scenario_ships() -> None:
    assert sorted(EXPECTED) == SCENARIOS


def test_shipped_scenarios_are_what_the_builder_makes() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_scenarios.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("name", SCENARIOS)
def test_replay_is_complete_and_as_named(name: str) -> None:
    probe = ReplayProbe.load(resource("scenarios", name + ".json"))
    diag = runner.run(ALL_CHECKS, probe)
    assert probe.missed == [], "a check asked for something the scenario lacks"
    assert not any(r.status is Status.ERROR for r in diag.results), [r.evidence for r in diag.results
                                                                      if r.status is Status.ERROR]
    code, statuses = EXPECTED[name]
    got = {r.id: r.status.value for r in diag.results}
    assert {k: got.get(k) for k in statuses} == statuses
    assert diag.exit_code() == code


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_cli_exit_code_and_language(name: str, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--lang", lang, "--scenario", name, "--json", "-"]) == EXPECTED[name][0]
    doc = json.loads(capsys.readouterr().out)
    assert doc["language"] == lang
    if lang == "ja":
        # every result's summary is shown in Japanese (it contains kana or kanji)
        untranslated = [r["id"] for r in doc["results"]
                        if not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in r["summary"])]
        assert untranslated == []


def test_symptom_card_and_ordering(capsys: pytest.CaptureFixture[str]) -> None:
    pasted = ("Error code: UserErrorGuestAgentStatusUnavailable Error message: VM Agent unable to communicate "
              "with Azure Backup")
    code = main(["--cli", "--lang", "en", "--scenario", "windows-agent-stopped", "--error-code", pasted,
                 "--phase", "take_snapshot"])
    out = capsys.readouterr().out
    assert code == 2
    assert "Portal error code: UserErrorGuestAgentStatusUnavailable" in out
    assert out.index("Results") < out.index("Portal error code:") < out.index("VM agent")
    main(["--cli", "--lang", "en", "--scenario", "windows-agent-stopped", "--error-code",
          "usererrorguestagentstatusunavailable", "--json", "-"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["symptom"]["code"] == "UserErrorGuestAgentStatusUnavailable"
    assert doc["symptom"]["matched"] is True
    related = set(doc["symptom"]["related_checks"])
    assert doc["answer"]["causes"][0]["id"] in related, "the cause the error code points at leads"
    assert [r["id"] for r in doc["results"]] == sorted((r["id"] for r in doc["results"]),
                                                        key=[r["id"] for r in doc["results"]].index)


def test_unknown_code_is_said_to_be_unknown_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--cli", "--lang", "en", "--scenario", "healthy-linux", "--error-code", "UserErrorGuestAgentStatus"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Portal error code not recognised" in out
    assert "UserErrorGuestAgentStatusUnavailable" in out


def test_list_error_codes_in_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-error-codes", "--lang", "ja"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 30
    assert any(line.startswith("UserErrorFsFreezeFailed") for line in lines)


def test_diagram_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg = tmp_path / "d.svg"
    main(["--cli", "--lang", "ja", "--scenario", "linux-firewall-drops-wireserver", "--diagram", str(svg)])
    capsys.readouterr()
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") or text.startswith("<svg")
    assert "168.63.129.16" in text
