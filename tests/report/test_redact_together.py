"""`--record --redact`: one pseudonym table for the diagnosis and the recording of the same run, so the
report, the JSON and the recorded scenario name every identifier alike; every spelling of a value
gets the same pseudonym; and what identifies nobody stays."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_data import SCENARIOS, scenario, with_case

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.jsonio import diagnosis_to_json
from wizard.model import CheckResult, Component, Diagnosis, HostInfo, Msg, Phase, Status
from wizard.paths import resource
from wizard.probes.scenario import ReplayProbe
from wizard.redact.identifiers import redact_diagnosis, redact_scenario, redact_together, redaction_preview
from wizard.report import render_report

PSEUDONYM = re.compile(r"(?<![a-z0-9])(?:host|domain|vm|rg|sub|res|storage|vault|kv|vmid|guid|ip|mac|user|sid|proxy)"
                       r"-\d+(?![0-9])")


def _recording(name: str) -> dict[str, Any]:
    return json.loads(resource("scenarios", name + ".json").read_text(encoding="utf-8"))


def _diag(evidence: dict[str, Any], hostname: str = "vm-app01") -> Diagnosis:
    result = CheckResult(id="x.y", status=Status.INFO, component=Component.GUEST, phase=Phase.TAKE_SNAPSHOT,
                         title=Msg("t"), summary=Msg("s"), evidence=evidence)
    return Diagnosis(tool_name="vmbackup-wizard", tool_version="0", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                     duration_s=0.0, host=HostInfo(hostname=hostname), results=[result])


# --- one value, every spelling, one pseudonym -------------------------------------------------

SPELLINGS = {
    "vm id": ["vmId: 86f4ae0a-61f8-48ae-9199-40f402d56864", "86F4AE0A-61F8-48AE-9199-40F402D56864",
              "{86f4ae0a-61f8-48ae-9199-40f402d56864}", "%7B86f4ae0a%2D61f8%2D48ae%2D9199%2D40f402d56864%7D",
              "86f4ae0a61f848ae919940f402d56864"],
    "IPv6": ["2001:0db8:0000:0000:0000:0000:0000:0042", "2001:db8::42", "[2001:DB8::42]:443"],
    "IPv4": ["10.20.30.40", "::ffff:10.20.30.40", "http://10.20.30.40:8080/"],
    "MAC": ["00:0d:3a:aa:bb:cc", "00-0D-3A-AA-BB-CC", "000D3AAABBCC", "000d.3aaa.bbcc"],
    "host": ["vm-app01", "VM-APP01", "Vm-App01.contoso.local"],
    "resource group": ["/subscriptions/8e037ad4-618f-4466-8bc8-5099d41ac15b/resourceGroups/RG-Prod-01/x",
                       "/SUBSCRIPTIONS/8E037AD4-618F-4466-8BC8-5099D41AC15B/RESOURCEGROUPS/rg-prod-01/x",
                       "%2Fsubscriptions%2F8e037ad4-618f-4466-8bc8-5099d41ac15b%2FresourceGroups%2Frg-prod-01%2F"],
}
PREFIX = {"vm id": "vmid-", "IPv6": "ip-", "IPv4": "ip-", "MAC": "mac-", "host": "host-", "resource group": "rg-"}
ORIGINALS = {"vm id": ["86f4ae0a"], "IPv6": ["2001:", "db8"], "IPv4": ["10.20.30.40"], "MAC": ["0d:3a", "0d-3a",
             "000d3a", "3aaa"], "host": ["vm-app01"], "resource group": ["rg-prod-01", "8e037ad4"]}


@pytest.mark.parametrize("what", sorted(SPELLINGS))
def test_every_spelling_of_one_value_gets_one_pseudonym(what: str) -> None:
    evidence: dict[str, Any] = {f"s{i}": text for i, text in enumerate(SPELLINGS[what])}
    if what == "vm id":
        evidence["vmId"] = "86f4ae0a-61f8-48ae-9199-40f402d56864"
    if what == "MAC":
        evidence["macAddress"] = "000D3AAABBCC"
    red = redact_diagnosis(_diag(evidence))
    values = [red.results[0].evidence[f"s{i}"] for i in range(len(SPELLINGS[what]))]
    found = [{p for p in PSEUDONYM.findall(v) if p.startswith(PREFIX[what])} for v in values]
    assert all(len(ps) == 1 for ps in found), values
    assert len(set.union(*found)) == 1, values
    for value in values:
        for original in ORIGINALS[what]:
            assert original not in value.lower(), values


# --- the diagnosis and its recording ------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_report_json_and_recording_share_one_table_and_keep_no_original(name: str) -> None:
    diag, recording = with_case(scenario(name)), _recording(name)
    diag.case["tried"] = f"Rebooted {diag.host.hostname.upper()} and asked alice@contoso.com"
    preview = redaction_preview(diag, recording)
    red, rec = redact_together(diag, recording)
    assert rec is not None and rec["redacted"] is True and red.source["redacted"] is True
    outputs = {
        "json": json.dumps(diagnosis_to_json(red, "en"), ensure_ascii=False),
        "report": render_report(red, "ja"),
        "recording": json.dumps(rec, ensure_ascii=False),
    }
    for where, text in outputs.items():
        lowered = text.lower()
        for kind, original, _ in preview:
            assert original.lower() not in lowered, (where, kind, original)
    # every pseudonym in the JSON and the recording comes from the one table (the report's markup
    # has ids such as `vault-1` of its own)
    table = {p for _, _, p in preview}
    for where in ("json", "recording"):
        assert set(PSEUDONYM.findall(outputs[where])) <= table, where
    # and the facts both hold are named alike
    if name != "not-azure":
        platform = next(c for c in rec["calls"] if c["probe"] == "platform")
        assert platform["answer"]["hostname"] == red.host.hostname == "host-1"
        imds_call = next(c for c in rec["calls"] if "metadata/instance" in str(c["args"].get("url")))
        compute = json.loads(imds_call["answer"]["body"])["compute"]
        assert compute["vmId"] == red.host.imds["vm_id"] == "vmid-1"
        assert compute["subscriptionId"] == red.host.imds["subscription_id"]
        assert compute["resourceGroupName"] == red.host.imds["resource_group"]
        elevation = next(c for c in rec["calls"] if c["probe"] == "elevation")["answer"]["user"]
        shown = red.result("env.elevation")
        assert shown is not None and shown.evidence["user"] == elevation


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_diagnosis_keeps_the_numbering_redact_diagnosis_gives(name: str) -> None:
    diag = scenario(name)
    alone = {(k, o.lower()): p for k, o, p in redaction_preview(diag)}
    together = {(k, o.lower()): p for k, o, p in redaction_preview(diag, _recording(name))}
    assert {key: together[key] for key in alone} == alone
    red_alone = redact_diagnosis(diag)
    red_together, _ = redact_together(diag, _recording(name))
    assert red_together.host.hostname == red_alone.host.hostname
    assert red_together.host.imds == red_alone.host.imds


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_redacted_recording_replays_to_the_same_verdicts(name: str) -> None:
    recording = _recording(name)
    before = runner.run(ALL_CHECKS, ReplayProbe(recording))
    _, rec = redact_together(before, recording)
    assert rec is not None
    replay = ReplayProbe(json.loads(json.dumps(rec)))
    after = runner.run(ALL_CHECKS, replay)
    assert replay.missed == [], "every call the checks make is answered, under its redacted arguments"
    assert [(r.id, r.status) for r in after.results] == [(r.id, r.status) for r in before.results]
    assert after.exit_code() == before.exit_code()


def test_nothing_is_changed_in_place_and_probe_names_stay() -> None:
    diag, recording = scenario("windows-proxy-no-bypass"), _recording("windows-proxy-no-bypass")
    diag_before, rec_before = copy.deepcopy(diag.to_dict()), copy.deepcopy(recording)
    _, rec = redact_together(diag, recording)
    assert diag.to_dict() == diag_before and recording == rec_before
    assert rec is not None
    assert [c["probe"] for c in rec["calls"]] == [c["probe"] for c in recording["calls"]]
    assert rec["schema"] == recording["schema"] and rec["tool"] == recording["tool"]
    netsh = next(c for c in rec["calls"] if c["probe"] == "run" and c["args"]["argv"][:2] == ["netsh", "winhttp"])
    assert "proxy-1:8080" in netsh["answer"]["stdout"] and "contoso" not in netsh["answer"]["stdout"]
    registry = next(c for c in rec["calls"] if c["args"].get("value") == "WinHttpSettings")
    assert b"proxy-1:8080" in bytes.fromhex(registry["answer"]["value"])


def test_a_recording_alone_can_be_redacted() -> None:
    recording = _recording("linux-not-root")
    rec = redact_scenario(recording)
    text = json.dumps(rec)
    assert "vm-ubuntu01" not in text and "host-1" in text and rec["redacted"] is True


# --- what identifies nobody stays -------------------------------------------------------------

STAYS = [
    "168.63.129.16", "169.254.169.254", "127.0.0.1", "::1", "0.0.0.0", "255.255.255.0",
    "http://168.63.129.16:32526/health", "http://169.254.169.254/metadata/instance?api-version=2021-02-01",
    "https://learn.microsoft.com/azure/backup/backup-azure-vms-troubleshoot", "https://aka.ms/vmagent",
    "http://archive.ubuntu.com/ubuntu", "https://packages.microsoft.com/config/ubuntu/22.04/prod.list",
    "WALinuxAgent-2.15.0.1", "Version: 2.9.1.1", "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot"
    "\\1.0.70.0\\Status", "7783-7084-3265-9085-8269-3286-77", "Writer Id: {d61d61c8-d73a-4eee-8cdd-f6f9786b7124}",
    "NT AUTHORITY\\SYSTEM", "S-1-5-18", "HKLM\\SOFTWARE\\Microsoft\\Windows Azure\\HandlerState", "root",
    "UserErrorGuestAgentStatusUnavailable", "2026-11-25T09:41:02.118402Z", "proxy", "user", "/home/user/.ssh",
    "HttpProxy.Host=None", "-A OUTPUT -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT",
    "blob.core.windows.net", "japaneast.cloudapp.azure.com", "Microsoft.Compute/virtualMachines",
    "activityId a33f6f53-43d6-4625-b322-1a39651a00c9",
]


@pytest.mark.parametrize("text", STAYS)
def test_what_identifies_nobody_stays(text: str) -> None:
    red = redact_diagnosis(_diag({"text": text}))
    assert red.results[0].evidence["text"] == text


# --- hypothesis ------------------------------------------------------------------------------

_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=60),
                  st.sampled_from(["10.0.0.7", "vm-a01", "/home/bob/x", "C:\\Users\\bob", "00:0d:3a:01:02:03",
                                   "http://u:p@proxy.example.net:80", "S-1-5-21-1-2-3-1001", "::ffff:10.0.0.7",
                                   "{86F4AE0A-61F8-48AE-9199-40F402D56864}", "CONTOSO\\bob", "root@vm-a01:~#"]))
_value = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(string.ascii_letters, max_size=12), inner,
                                                                     max_size=4)), max_leaves=20)
_call = st.fixed_dictionaries({"probe": st.sampled_from(["read_file", "run", "platform", "registry"]),
                               "args": st.dictionaries(st.text(string.ascii_letters, max_size=8), _value, max_size=3),
                               "answer": st.dictionaries(st.text(max_size=12), _value, max_size=4)})


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(calls=st.lists(_call, max_size=5), title=st.text(max_size=40))
def test_any_recording_redacts_without_error(calls: list[dict[str, Any]], title: str) -> None:
    recording = {"schema": 1, "title": title, "calls": calls}
    diag = _diag({"ip": "10.0.0.7"}, hostname="vm-a01")
    red, rec = redact_together(diag, recording)
    assert rec is not None
    text = json.dumps(rec) + json.dumps(red.to_dict())
    assert "10.0.0.7" not in text and "vm-a01" not in text.lower()
    assert [c["probe"] for c in rec["calls"]] == [c["probe"] for c in calls]


def test_the_cli_writes_json_report_and_recording_with_one_table(tmp_path: Any) -> None:
    """`--record --redact` end to end: the recording written by the program names the host as the JSON
    does, holds none of the originals, says it is redacted, and replays to the same verdicts."""
    from wizard import cli

    source = _recording("linux-firewall-drops-wireserver")
    original = ReplayProbe(source).call("platform")
    host = str(original.get("hostname") or "")
    assert host and host != "localhost"
    out = {k: tmp_path / f"out.{k}" for k in ("json", "html", "rec")}
    code = cli.main(["--cli", "--lang", "en", "--scenario", "linux-firewall-drops-wireserver", "--redact",
                     "--json", str(out["json"]), "--report", str(out["html"]), "--record", str(out["rec"])])
    assert code == 2
    recording = json.loads(out["rec"].read_text(encoding="utf-8"))
    data = json.loads(out["json"].read_text(encoding="utf-8"))
    for path in out.values():
        assert host.lower() not in path.read_text(encoding="utf-8").lower(), path.name
    assert recording.get("redacted") is True
    assert ReplayProbe(recording).call("platform")["hostname"] == data["host"]["hostname"]
    assert PSEUDONYM.fullmatch(data["host"]["hostname"])
    replayed = runner.run(ALL_CHECKS, ReplayProbe(recording))
    expected = {r["id"]: r["status"] for r in data["results"]}
    assert {r.id: r.status.value for r in replayed.results} == expected
