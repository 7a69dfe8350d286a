"""`--redact`: no original identifier survives anywhere in the file, pseudonyms are consistent, facts stay."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_data import LANGS, SCENARIOS, scenario, with_case

from wizard.i18n import Translator
from wizard.jsonio import diagnosis_to_json
from wizard.model import CheckResult, Component, Diagnosis, FixStep, HostInfo, Msg, Phase, Status
from wizard.report import kind_label, redact_diagnosis, redaction_preview, render_report
from wizard.report.identifiers import KIND_LABELS

VERSIONS = ("2.9.1.1", "2.15.0.1", "1.0.9184.0", "1.0.70.0", "2.7.41491.1102", "2.2.32.2", "2012-11-30")


def _originals(diag: Diagnosis) -> list[str]:
    imds = diag.host.imds
    values = [diag.host.hostname, imds.get("name"), imds.get("vm_id"), imds.get("subscription_id"),
              imds.get("resource_group"), imds.get("resource_id", "").rsplit("/", 1)[-1]]
    elevation = diag.result("env.elevation")
    if elevation and elevation.evidence.get("user") not in (None, "root", "Administrator"):
        values.append(elevation.evidence["user"])
    return [v for v in values if v]


def _rich(diag: Diagnosis) -> Diagnosis:
    """The scenario with the identifiers a real VM shows in more places: IPs, a MAC, a user's home, a proxy."""
    diag = with_case(diag)
    diag.results.append(CheckResult(
        id="net.extra", status=Status.INFO, component=Component.NETWORK_PATH, phase=Phase.TAKE_SNAPSHOT,
        title=Msg("Extra"), summary=Msg("Address {ip} on {host}", {"ip": "10.1.2.3", "host": diag.host.hostname}),
        fix=[FixStep(Msg("Do it"), command=f"ssh azureuser@10.1.2.3 'cat /home/alice/x' # {diag.host.hostname}")],
        evidence={
            "ip_addresses": ["10.1.2.3", "fe80::20d:3aff:fe12:3456", "168.63.129.16"],
            "mac": "00-0D-3A-12-34-56",
            "processes": [{"pid": 1, "name": "bash", "username": "CONTOSO\\alice"}],
            "/home/alice/.bashrc": "export http_proxy=http://bob:[redacted]@proxy.contoso.com:3128",
            "profile": "C:\\Users\\alice\\AppData\\Local\\Temp",
            "sid": "S-1-5-21-3623811015-3361044348-30300820-1013",
            "log": f"{diag.host.hostname.upper()} connected from 10.1.2.3 to 169.254.169.254",
        },
    ))
    diag.case["tried"] = f"Rebooted {diag.host.hostname} and pinged 10.1.2.3"
    diag.source = {"kind": "scenario", "path": "/home/alice/cases/vm.json", "title": diag.host.hostname}
    return diag


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_no_original_identifier_anywhere_in_the_file(name: str, lang: str) -> None:
    diag = _rich(scenario(name))
    originals = [*_originals(diag), "10.1.2.3", "fe80::20d:3aff:fe12:3456", "00-0D-3A-12-34-56", "alice", "bob",
                 "azureuser", "proxy.contoso.com", "contoso", "S-1-5-21-3623811015"]
    html = render_report(redact_diagnosis(diag), lang)
    lowered = html.lower()
    for value in originals:
        assert value.lower() not in lowered, value
    # what support needs is still there
    assert "168.63.129.16" in html and "169.254.169.254" in html
    for version in VERSIONS:
        if version in render_report(diag, lang):
            assert version in html, version


@pytest.mark.parametrize("name", SCENARIOS)
def test_redacted_report_embeds_the_redacted_diagnosis(name: str) -> None:
    redacted = redact_diagnosis(_rich(scenario(name)))
    html = render_report(redacted, "en")
    text = html.split('<script type="application/json" id="diagnosis">', 1)[1].split("</script>", 1)[0]
    assert json.loads(text) == json.loads(json.dumps(diagnosis_to_json(redacted, "en")))
    assert json.loads(text)["source"]["redacted"] is True
    assert "Masking: for sharing publicly" in html  # --redact alone: the public level, named at the top


def test_pseudonyms_are_consistent_across_every_field() -> None:
    diag = _rich(scenario("linux-firewall-drops-wireserver"))
    red = redact_diagnosis(diag)
    host = red.host.hostname
    assert host == "host-1"
    extra = red.result("net.extra")
    assert extra is not None
    ip = extra.summary.params["ip"]
    assert ip == "ip-1"
    assert extra.summary.params["host"] == host
    assert extra.evidence["log"] == f"{host} connected from {ip} to 169.254.169.254"
    assert red.case["tried"] == f"Rebooted {host} and pinged {ip}"
    assert red.source["title"] == host
    assert red.source["path"].startswith("/home/user-")
    assert extra.evidence["ip_addresses"][0] == ip and extra.evidence["ip_addresses"][2] == "168.63.129.16"
    assert extra.evidence["mac"] == "mac-1"
    assert extra.fix[0].command is not None and ip in extra.fix[0].command
    imds = red.host.imds
    assert imds["subscription_id"] == "sub-1"
    assert imds["resource_group"] == "rg-1"
    assert imds["vm_id"] == "vmid-1"
    assert imds["resource_id"].startswith("/subscriptions/sub-1/resourceGroups/rg-")
    net_imds = red.result("net.imds")
    assert net_imds is not None and net_imds.evidence["vm_id"] == "vmid-1"
    # message ids and documentation links are untouched
    for before, after in zip(diag.results, red.results, strict=True):
        assert before.summary.id == after.summary.id
        assert [d.url for d in before.docs] == [d.url for d in after.docs]


def test_a_list_parameter_is_masked_item_by_item_and_its_messages_keep_their_ids() -> None:
    from wizard.model import listed

    diag = _rich(scenario("linux-firewall-drops-wireserver"))
    diag.host.hostname = "agent"  # a VM named like a word of an English message id
    extra = diag.result("net.extra")
    assert extra is not None
    extra.summary = Msg("Addresses {ips} in {profiles}", {"ips": listed(["10.1.2.3", "agent"]),
                                                           "profiles": listed([Msg("the agent {x}", {"x": "agent"})])})
    red = redact_diagnosis(diag).result("net.extra")
    assert red is not None
    assert red.summary.params["ips"] == ("ip-1", "host-1")
    assert red.summary.params["profiles"] == (Msg("the agent {x}", {"x": "host-1"}),)
    assert Translator("ja").msg(red.summary).startswith("Addresses ip-1、host-1 in ")


def test_a_reason_inside_a_message_is_masked_but_keeps_its_id() -> None:
    diag = _rich(scenario("linux-firewall-drops-wireserver"))
    diag.host.hostname = "agent"  # a VM named like a word of an English message id
    reason = Msg("the agent could not reach {host} ({detail})", {"host": "agent", "detail": "10.1.2.3 timed out"})
    extra = diag.result("net.extra")
    assert extra is not None
    extra.summary = Msg("Address {ip} failed: {error}", {"ip": "10.1.2.3", "error": reason})
    red = redact_diagnosis(diag).result("net.extra")
    assert red is not None
    inner = red.summary.params["error"]
    assert isinstance(inner, Msg) and inner.id == reason.id
    assert inner.params == {"host": "host-1", "detail": "ip-1 timed out"}
    assert red.summary.params["ip"] == "ip-1"
    assert Translator("en").msg(red.summary) == ("Address ip-1 failed: the agent could not reach host-1 "
                                                 "(ip-1 timed out)")


def test_the_input_is_not_changed_and_no_mapping_is_kept() -> None:
    diag = _rich(scenario("windows-proxy-no-bypass"))
    before = copy.deepcopy(diag.to_dict())
    red = redact_diagnosis(diag)
    assert diag.to_dict() == before
    assert red.source == {**{k: v for k, v in red.source.items() if k != "redacted"}, "redacted": True}
    dumped = json.dumps(red.to_dict())
    for kind, original, _ in redaction_preview(diag):
        assert original.lower() not in dumped.lower(), (kind, original)


def test_proxy_hosts_and_their_hex_copy_are_masked() -> None:
    diag = scenario("windows-proxy-no-bypass")
    preview = redaction_preview(diag)
    assert ("proxy", "proxy.contoso.local", "proxy-1") in preview
    red = redact_diagnosis(diag)
    proxy = red.result("net.proxy")
    assert proxy is not None
    assert proxy.evidence["sources"][0]["proxy"] == "proxy-1:8080"
    assert "proxy-1:8080" in proxy.evidence["netsh_excerpt"]
    assert bytes.fromhex(proxy.evidence["winhttp_settings"]["hex"]).find(b"proxy-1:8080") > 0
    assert proxy.fix[0].command is not None and 'proxy-server="proxy-1:8080"' in proxy.fix[0].command


def test_versions_and_paths_are_not_taken_for_addresses() -> None:
    red = redact_diagnosis(scenario("healthy-windows"))
    ext = red.result("ext.backup")
    agent = red.result("agent.version")
    assert ext is not None and agent is not None
    assert "1.0.70.0" in json.dumps(ext.evidence)
    assert agent.evidence["version"] == "2.7.41491.1102"
    dhcp = red.result("net.dhcp")
    assert dhcp is not None and re.fullmatch(r"ip-\d+", dhcp.evidence["default_routes"][0]["NextHop"])
    linux = redact_diagnosis(scenario("healthy-linux")).result("agent.version")
    assert linux is not None and "Goal state agent: 2.15.0.1" in linux.evidence["output"]


def test_system_accounts_stay() -> None:
    red = redact_diagnosis(scenario("healthy-linux"))
    elevation = red.result("env.elevation")
    assert elevation is not None and elevation.evidence["user"] == "root"
    not_root = redact_diagnosis(scenario("linux-not-root")).result("env.elevation")
    assert not_root is not None and not_root.evidence["user"] == "user-1"


def test_preview_is_grouped_and_every_kind_has_a_label() -> None:
    preview = redaction_preview(_rich(scenario("windows-proxy-no-bypass")))
    kinds = [k for k, _, _ in preview]
    assert kinds == sorted(kinds, key=list(KIND_LABELS).index)
    assert {"host", "ip", "mac", "user", "subscription", "resource_group", "vm_id", "proxy", "sid"} <= set(kinds)
    t = Translator("ja")
    assert all(kind_label(k, t) != KIND_LABELS[k] for k in kinds if k not in ("vm_id",))


# --- hypothesis: same value -> same pseudonym, distinct values -> distinct pseudonyms -------

_KEYS = ("host", "address", "line", "all", "ips", "item")  # a host named like a field of _diag_with renames the field
_label = st.text(string.ascii_lowercase + string.digits, min_size=3, max_size=10).filter(
    lambda s: s[0].isalpha() and not s.startswith(_KEYS) and s not in ("redacted", "localhost"))
_ipv4 = st.tuples(st.integers(11, 223), st.integers(0, 255), st.integers(0, 255), st.integers(1, 254)).map(
    lambda t: ".".join(map(str, t)))


def _diag_with(hosts: list[str], ips: list[str]) -> Diagnosis:
    evidence = {f"item{i}": {"host": f"{h}.example.org", "address": ip, "line": f"{h} at {ip}"}
                for i, (h, ip) in enumerate(zip(hosts, ips, strict=False))}
    evidence["all_ips"] = list(ips)
    result = CheckResult(id="x.y", status=Status.INFO, component=Component.GUEST, phase=Phase.TAKE_SNAPSHOT,
                         title=Msg("t"), summary=Msg("{a}", {"a": " ".join(ips)}), evidence=evidence)
    return Diagnosis(tool_name="vmbackup-wizard", tool_version="0", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                     duration_s=0.0, host=HostInfo(hostname=hosts[0]), results=[result])


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(hosts=st.lists(_label, min_size=1, max_size=5, unique=True), ips=st.lists(_ipv4, min_size=1, max_size=6,
                                                                                  unique=True))
def test_consistent_pseudonyms(hosts: list[str], ips: list[str]) -> None:
    diag = _diag_with(hosts, ips)
    red = redact_diagnosis(diag)
    ev = red.results[0].evidence
    masked_ips = ev["all_ips"]
    assert len(set(masked_ips)) == len(ips)
    assert all(m.startswith("ip-") for m in masked_ips)
    assert red.results[0].summary.params["a"] == " ".join(masked_ips)
    for i, (_h, ip) in enumerate(zip(hosts, ips, strict=False)):
        item = ev[f"item{i}"]
        assert item["address"] == masked_ips[ips.index(ip)]
        host_pseudo = item["host"].split(".", 1)[0]
        assert item["line"] == f"{host_pseudo} at {item['address']}"
    firsts = [ev[f"item{i}"]["host"] for i in range(min(len(hosts), len(ips)))]
    assert len(set(firsts)) == len(firsts)
    dumped = json.dumps(red.to_dict())
    for ip in ips:
        assert ip not in dumped
    assert red.host.hostname == "host-1"


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=80),
                       st.sampled_from(["10.0.0.7", "vm-a01", "/home/bob/x", "C:\\Users\\bob", "00:0d:3a:01:02:03",
                                        "http://u:p@proxy.example.net:80", "S-1-5-21-1-2-3-1001", "::ffff:10.0.0.7"]))
_json = st.recursive(_json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                     max_leaves=25)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(evidence=st.dictionaries(st.text(max_size=12), _json, max_size=5), hostname=st.text(max_size=30),
       tried=st.text(max_size=60))
def test_any_input_redacts_without_error_and_stays_json(evidence: dict[str, object], hostname: str,
                                                        tried: str) -> None:
    diag = _diag_with(["vm-a01"], ["10.0.0.7"])
    diag.host.hostname = hostname
    diag.results[0].evidence = evidence
    diag.case = {"tried": tried}
    red = redact_diagnosis(diag)
    text = json.dumps(red.to_dict())
    assert "10.0.0.7" not in text
    assert red.source["redacted"] is True
    assert redact_diagnosis(red).source["redacted"] is True
