"""The recordings made in the simulated VM (one per fault, tests/data/vmsim/recordings/), replayed with
`--scenario`: every replay gives the verdicts the live run gave. Runs everywhere, no VM needed.

Refresh them with a live run: `VMSIM_UPDATE_RECORDINGS=1 python -m pytest tests/vmsim -m vmsim`.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from simvm.faults import FAULTS
from simvm.session import RECORDINGS
from simvm.vm import replay

VERDICTS = sorted(RECORDINGS.glob("*.verdicts.json"))


def test_every_fault_has_a_recording() -> None:
    recorded = {p.name.removesuffix(".verdicts.json") for p in VERDICTS}
    assert recorded == {f.id for f in FAULTS}
    assert all((RECORDINGS / f"{name}.json").is_file() for name in recorded)


@pytest.mark.parametrize("verdicts", VERDICTS, ids=[p.name.removesuffix(".verdicts.json") for p in VERDICTS])
def test_the_replay_gives_the_live_verdicts(verdicts: Path) -> None:
    live = json.loads(verdicts.read_text(encoding="utf-8"))
    replayed = replay(RECORDINGS / f"{live['fault']}.json")
    assert replayed.statuses() == live["statuses"]
    assert replayed.exit_code == live["exit_code"]


def test_the_recordings_come_from_inside_the_simulated_vm_and_only_loopback() -> None:
    for path in sorted(RECORDINGS.glob("*.json")):
        if path.name.endswith(".verdicts.json"):
            continue
        calls = json.loads(path.read_text(encoding="utf-8"))["calls"]
        platform = next(c["answer"] for c in calls if c["probe"] == "platform")
        assert platform["hostname"] == "simvm", path.name
        for call in calls:
            if call["probe"] == "tcp_connect":
                assert ipaddress.ip_address(call["args"]["host"]).is_loopback, (path.name, call["args"])
            if call["probe"] == "http_get":
                host = urlsplit(call["args"]["url"]).hostname or ""
                assert ipaddress.ip_address(host).is_loopback, (path.name, call["args"])
