"""The causal rules (data) and how the answer layer applies them: chains, circles, shared codes, order."""

from __future__ import annotations

from pathlib import Path

from wizard.knowledge.causes import RULES
from wizard.model import CheckResult, Component, Msg, Phase, Status
from wizard.present.causes import causal_edges, find_causes

ROOT = Path(__file__).resolve().parents[2]


def r(check_id: str, status: Status, codes: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(check_id, status, Component.GUEST, Phase.TAKE_SNAPSHOT, Msg(check_id), Msg("s"),
                       error_codes=list(codes))


def test_every_rule_is_documented() -> None:
    doc = (ROOT / "docs" / "causes.md").read_text(encoding="utf-8")
    assert [rule.id for rule in RULES if f"| `{rule.id}` |" not in doc] == []
    assert len({rule.id for rule in RULES}) == len(RULES)


def test_a_chain_puts_everything_under_the_first_cause() -> None:
    results = [r("net.firewall", Status.PROBLEM), r("net.wireserver_port80", Status.PROBLEM),
               r("net.wireserver_versions", Status.PROBLEM), r("agent.service", Status.OK)]
    groups = find_causes(results)
    assert [g.cause for g in groups] == ["net.firewall"]
    assert [cid for cid, _ in groups[0].consequences] == ["net.wireserver_port80", "net.wireserver_versions"]


def test_without_the_firewall_the_port_is_the_cause() -> None:
    results = [r("net.firewall", Status.OK), r("net.wireserver_port80", Status.PROBLEM),
               r("net.wireserver_versions", Status.PROBLEM)]
    groups = find_causes(results)
    assert [g.cause for g in groups] == ["net.wireserver_port80"]


def test_a_request_whose_connection_was_accepted_is_not_put_under_the_firewall() -> None:
    """The HostGAPlugin took the connection but did not answer: its own finding says no firewall rule explains
    that, so the firewall cause must not claim it (a dropped request is never accepted)."""
    firewall = r("net.firewall", Status.PROBLEM)
    dropped = r("net.wireserver_versions", Status.PROBLEM)
    dropped.evidence = {"outcome": "timeout", "connected": False}
    accepted = r("net.hostplugin_health", Status.PROBLEM)
    accepted.evidence = {"outcome": "timeout", "connected": True}
    groups = find_causes([firewall, dropped, accepted])
    assert sorted(g.cause for g in groups) == ["net.firewall", "net.hostplugin_health"]
    (under_firewall,) = [g for g in groups if g.cause == "net.firewall"]
    assert [cid for cid, _ in under_firewall.consequences] == ["net.wireserver_versions"]
    accepted.evidence = {"outcome": "timeout", "connected": 1}  # only the JSON true counts, not a look-alike
    assert [g.cause for g in find_causes([firewall, dropped, accepted])] == ["net.firewall"]


def test_shared_codes_decide_whether_the_extension_follows() -> None:
    mounts = r("res.mounts", Status.PROBLEM, ("UserErrorFsFreezeFailed",))
    related = r("ext.backup", Status.PROBLEM, ("UserErrorFsFreezeFailed",))
    unrelated = r("ext.backup", Status.PROBLEM, ("ExtensionSnapshotFailedNoNetwork",))
    assert [g.cause for g in find_causes([mounts, related])] == ["res.mounts"]
    assert sorted(g.cause for g in find_causes([mounts, unrelated])) == ["ext.backup", "res.mounts"]


def test_an_ok_cause_explains_nothing_and_ok_results_are_never_causes() -> None:
    results = [r("net.firewall", Status.OK), r("net.wireserver_port80", Status.OK)]
    assert find_causes(results) == []
    assert causal_edges(results) == {}


def test_causes_are_worst_first_then_related_then_by_reach() -> None:
    results = [r("res.cpu", Status.WARNING), r("net.proxy", Status.WARNING), r("agent.service", Status.PROBLEM),
               r("ext.backup", Status.PROBLEM)]
    groups = find_causes(results)
    assert groups[0].cause == "agent.service"
    assert [cid for cid, _ in groups[0].consequences] == ["ext.backup"]
    assert [g.cause for g in find_causes(results, related={"net.proxy"})][1] == "net.proxy"


def test_no_rule_can_make_a_circle() -> None:
    everything = sorted({x for rule in RULES for x in (rule.cause, *rule.explains)})
    results = [r(cid, Status.PROBLEM) for cid in everything]
    edges = causal_edges(results)
    groups = find_causes(results)
    below = [cid for g in groups for cid, _ in g.consequences]
    assert len(below) == len(set(below)), "a result sits under one cause only"
    assert not {g.cause for g in groups} & set(below)
    assert edges
