"""The model: statuses order, exit codes, and the lossless dict round trip."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from wizard.model import (
    CheckResult,
    Component,
    Diagnosis,
    DocLink,
    FixStep,
    HostInfo,
    Msg,
    Phase,
    Status,
    worst,
)


def _result(status: Status, rid: str = "x.y") -> CheckResult:
    return CheckResult(rid, status, Component.AGENT, Phase.TAKE_SNAPSHOT, Msg("T"), Msg("S {a}", {"a": 1}),
                       why=Msg("W"), fix=[FixStep(Msg("F"), "cmd --x")], docs=[DocLink(Msg("D"), "https://e/")],
                       error_codes=["E1"], evidence={"k": [1, "two", None]}, duration_s=0.25)


def _diag(*statuses: Status) -> Diagnosis:
    jst = dt.timezone(dt.timedelta(hours=9))
    return Diagnosis("vmbackup-wizard", "0.1.0", dt.datetime(2026, 11, 25, 10, 0, tzinfo=jst),
                     1.5, HostInfo("h", "linux", "6.8", True, True, {"name": "vm1"}),
                     [_result(s, f"c.{i}") for i, s in enumerate(statuses)])


def test_worst_follows_design_order() -> None:
    assert worst([Status.OK, Status.INFO, Status.NOT_CHECKED]) is Status.NOT_CHECKED
    assert worst([Status.ERROR, Status.WARNING]) is Status.WARNING
    assert worst([Status.OK, Status.PROBLEM, Status.WARNING]) is Status.PROBLEM
    assert worst([]) is None


def test_exit_codes() -> None:
    assert _diag(Status.OK, Status.INFO).exit_code() == 0
    assert _diag(Status.OK, Status.WARNING).exit_code() == 1
    assert _diag(Status.NOT_CHECKED).exit_code() == 1
    assert _diag(Status.ERROR, Status.OK).exit_code() == 1
    assert _diag(Status.PROBLEM, Status.WARNING).exit_code() == 2
    assert _diag().exit_code() == 0


def test_counts_has_every_status() -> None:
    c = _diag(Status.OK, Status.OK, Status.PROBLEM).counts()
    assert c == {"problem": 1, "warning": 0, "error": 0, "not_checked": 0, "info": 0, "ok": 2}


@given(st.lists(st.sampled_from(list(Status)), max_size=8),
       st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=8), st.none()), max_size=4))
def test_round_trip_is_lossless(statuses: list[Status], evidence: dict[str, object]) -> None:
    d = _diag(*statuses)
    for r in d.results:
        r.evidence = evidence
    d.symptom = {"code": "X"}
    d.case = {"activity_id": "a1b2", "tried": "restarted the agent"}
    again = Diagnosis.from_dict(d.to_dict())
    assert again == d
    assert again.started_at.utcoffset() == dt.timedelta(hours=9)


def test_a_message_inside_a_parameter_round_trips() -> None:
    reason = Msg("permission denied")
    outer = Msg("Not checked: could not read {path} ({error}).", {"path": "/etc/waagent.conf", "error": reason})
    data = outer.to_dict()
    assert data == {"id": outer.id, "params": {"path": "/etc/waagent.conf",
                                               "error": {"id": "permission denied", "params": {}}}}
    assert Msg.from_dict(data) == outer
    d = _diag(Status.NOT_CHECKED)
    d.results[0].summary = outer
    assert Diagnosis.from_dict(d.to_dict()) == d


def test_hostile_message_dicts_are_bounded_and_flattened() -> None:
    deep: dict[str, object] = {"id": "leaf", "params": {}}
    for i in range(50):
        deep = {"id": f"level {i} {{x}}", "params": {"x": deep}}
    msg = Msg.from_dict(deep)
    depth = 0
    while isinstance(msg.params.get("x"), Msg):
        msg = msg.params["x"]  # type: ignore[assignment]
        depth += 1
    assert depth == 4 and isinstance(msg.params.get("x"), str)
    odd = Msg.from_dict({"id": "x {a} {b}", "params": {"a": [1, 2], "b": {"not": "a message"}}})
    assert odd.params == {"a": ("1", "2"), "b": "{'not': 'a message'}"}  # a list is a list parameter
    nested = Msg.from_dict({"id": "x {a}", "params": {"a": [[1, [2]], {"id": "m", "params": {}}, None]}})
    assert nested.params == {"a": ("[1, [2]]", Msg("m"), "None")}  # one level: items are texts or messages
