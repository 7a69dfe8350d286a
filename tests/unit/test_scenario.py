"""Recording and replaying probe conversations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.probes.base import call_key
from wizard.probes.fake import FakeSystem
from wizard.probes.scenario import RecordingProbe, ReplayProbe, ScenarioError

AZURE_TAG = "7783-7084-3265-9085-8269-3286-77"


def _fake() -> FakeSystem:
    return FakeSystem(files={"/sys/class/dmi/id/chassis_asset_tag": AZURE_TAG + "\n"},
                      tcp={("168.63.129.16", 80): "connected", ("168.63.129.16", 32526): "timeout"})


def test_record_then_replay_gives_the_same_diagnosis(tmp_path: Path) -> None:
    rec = RecordingProbe(_fake())
    live = runner.run(ALL_CHECKS, rec)
    path = tmp_path / "s.json"
    path.write_text(rec.text(title="t"), encoding="utf-8")
    replayed = runner.run(ALL_CHECKS, ReplayProbe.load(path))
    strip = lambda d: [(r.id, r.status, r.summary, r.evidence) for r in d.results]  # noqa: E731
    assert strip(replayed) == strip(live)
    assert replayed.host == live.host


def test_replay_of_missing_call_is_unavailable_not_a_crash() -> None:
    rp = ReplayProbe({"schema": 1, "calls": []})
    ans = rp.call("tcp_connect", host="168.63.129.16", port=80)
    assert ans["unavailable"] is True
    assert rp.missed == [call_key("tcp_connect", {"host": "168.63.129.16", "port": 80})]


def test_key_ignores_timeouts_only() -> None:
    assert call_key("run", {"argv": ["a"], "timeout": 3}) == call_key("run", {"argv": ["a"], "timeout": 9})
    assert call_key("run", {"argv": ["a"]}) != call_key("run", {"argv": ["b"]})


@pytest.mark.parametrize("content, needle", [
    (b"not json", "not a valid scenario"),
    (b"[]", "top level must be an object"),
    (b'{"schema": 7, "calls": []}', "schema 7"),
    (b'{"schema": 1, "calls": [{"args": {}}]}', "no probe name"),
    (b'{"schema": 1, "calls": [{"probe": "x", "args": [], "answer": {}}]}', "needs an object"),
    (b"\xff\xfe\x00garbage", "not a valid scenario"),
])
def test_bad_scenarios_say_what_is_wrong(tmp_path: Path, content: bytes, needle: str) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(ScenarioError, match=needle):
        ReplayProbe.load(p)


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        ReplayProbe.load(tmp_path / "nope.json")


def test_scenario_with_bom_and_hand_edits_loads(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    data = {"schema": 1, "title": "edited", "calls": [
        {"probe": "platform", "args": {}, "answer": {"system": "linux", "hostname": "h"}}]}
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    rp = ReplayProbe.load(p)
    assert rp.call("platform")["hostname"] == "h"
    assert rp.title == "edited"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=10))
def test_replay_never_crashes_on_arbitrary_json(data: object) -> None:
    try:
        rp = ReplayProbe({"schema": 1, "calls": data if isinstance(data, list) else [data]})
    except ScenarioError:
        return
    assert isinstance(rp.call("platform"), dict)
