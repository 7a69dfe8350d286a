"""Windows Firewall read from the registry: rule strings in the grammar of [MS-GPFAS] 2.2.2.19, the
profiles of the local store and Group Policy, interface-scoped rules, and the PowerShell fallback
kept for when the registry cannot be read.

Rule strings are built from that grammar; the blocking rule's name is the one Microsoft's support
test harness uses to simulate a block (facts §3.4); the allow rule is Microsoft's documented
"AzurePlatform" rule (prepare-for-upload-vhd-image); the Cortana-style rules with RA42 keywords are
the shape public hardening scripts write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wizard import runner
from wizard.checks.net import firewall
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.model import CheckResult, Msg, Status
from wizard.parsers import firewall as fw
from wizard.parsers import win_fw_registry as fwreg
from wizard.probes.fake import FakeSystem, OverlayProbe

BLOCK_WS = ("v2.31|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=80|RPort=32526|RA4=168.63.129.16|"
            "Name=Block outbound traffic to 168.63.129.16|")
ALLOW_AZURE = "v2.31|Action=Allow|Active=TRUE|Dir=Out|RA4=168.63.129.16|Name=AzurePlatform|"
DNS_OUT = ("v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|App=%SystemRoot%\\system32\\svchost.exe|"
           "Svc=dnscache|Name=@FirewallAPI.dll,-25405|Desc=@FirewallAPI.dll,-25406|EmbedCtxt=@FirewallAPI.dll,-25000|")
CORTANA = ("v2.26|Action=Block|Active=TRUE|Dir=Out|RA42=IntErnet|RA62=IntErnet|App=C:\\Windows\\SystemApps\\"
           "Microsoft.Windows.Cortana_cw5n1h2txyewy\\ActionUriServer.exe|Name=Block Cortana ActionUriServer.exe|")
CONNECTIONS = json.dumps([{"InterfaceAlias": "Ethernet", "NetworkCategory": "Public"}])


def vm(rules: dict[str, str], profiles: dict[str, dict[str, Any]] | None = None,
       gpo_rules: dict[str, str] | None = None, gpo_profiles: dict[str, dict[str, Any]] | None = None,
       connections: str | None = CONNECTIONS) -> FakeSystem:
    fake = FakeSystem(system="windows", user="Administrator").on_azure()
    fake.registry[fwreg.LOCAL_RULES] = dict(rules)
    for name, sub in fwreg.LOCAL_PROFILES.items():
        fake.registry[fwreg.LOCAL_POLICY + "\\" + sub] = (profiles or {}).get(name, {"EnableFirewall": 1})
    if gpo_rules is not None:
        fake.registry[fwreg.GPO_RULES] = dict(gpo_rules)
    for name, values in (gpo_profiles or {}).items():
        fake.registry[fwreg.GPO_POLICY + "\\" + fwreg.GPO_PROFILES[name]] = values
    if connections is not None:
        fake.commands[tuple(firewall.CONNECTION_PROFILES_ARGV)] = connections
    return fake


def run(probe: Any) -> CheckResult:
    return runner.run(ALL_CHECKS, probe, only=["net.firewall"]).results[0]


def test_rule_strings_are_parsed_with_repeated_fields() -> None:
    fields = fwreg.parse_rule_text(BLOCK_WS)
    assert fields is not None
    assert (fields["action"], fields["active"], fields["dir"], fields["protocol"]) == ("Block", "TRUE", "Out", "6")
    assert fields["rport"] == ["80", "32526"] and fields["ra4"] == ["168.63.129.16"]
    assert fwreg.parse_rule_text("BlockCortana|Action=Block|") is None
    assert fwreg.parse_rule_text(12) is None


def test_normalised_rules_are_judged_like_powershells() -> None:
    rule = fw.normalise_win_rule(fwreg.normalised_rule("{id}", fwreg.parse_rule_text(BLOCK_WS) or {}, "Local"))
    assert rule is not None
    applies, parts = fw.win_rule_applies(rule, "168.63.129.16", 32526, ["Public"])
    assert applies is True and parts["interface"] is True
    dns = fw.normalise_win_rule(fwreg.normalised_rule("{dns}", fwreg.parse_rule_text(DNS_OUT) or {}, "Local"))
    assert dns is not None and fw.win_rule_applies(dns, "168.63.129.16", 80, ["Public"])[0] is False


def test_a_block_rule_in_the_registry_is_found_without_the_slow_powershell() -> None:
    probe = OverlayProbe(vm({"{A}": BLOCK_WS, "{B}": DNS_OUT, "{C}": CORTANA}))
    r = run(probe)
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"rule": "Block outbound traffic to 168.63.129.16", "ports": ("80", "32526")}
    assert Translator("en").msg(r.summary).endswith("on port 80, 32526.")
    assert "ポート 80、32526 " in Translator("ja").msg(r.summary)
    assert r.evidence["read_from"] == "registry"
    argvs = [a["argv"] for p, a in probe.calls if p == "run"]
    assert firewall.WINDOWS_FIREWALL_ARGV not in argvs
    assert argvs == [firewall.CONNECTION_PROFILES_ARGV]


def test_inactive_or_inbound_rules_do_not_count() -> None:
    rules = {"{A}": BLOCK_WS.replace("Active=TRUE", "Active=FALSE"), "{B}": BLOCK_WS.replace("Dir=Out", "Dir=In")}
    r = run(vm(rules))
    assert r.status is Status.OK


def test_a_default_block_policy_needs_the_azure_platform_rule() -> None:
    blocked = {"Public": {"EnableFirewall": 1, "DefaultOutboundAction": 1}}
    assert run(vm({}, profiles=blocked)).status is Status.PROBLEM
    assert run(vm({"{Z}": ALLOW_AZURE}, profiles=blocked)).status is Status.OK


def test_group_policy_profile_settings_win() -> None:
    r = run(vm({}, gpo_profiles={"Public": {"DefaultOutboundAction": 1}}))
    assert r.status is Status.PROBLEM
    off = run(vm({"{A}": BLOCK_WS}, gpo_profiles={"Public": {"EnableFirewall": 0}}))
    assert off.status is Status.OK and off.summary.params == {"profiles": (Msg("Public"),)}
    assert "(Public)" in Translator("en").msg(off.summary)
    assert "(パブリック)" in Translator("ja").msg(off.summary)  # the name Windows shows in Japanese


def test_group_policy_rules_count_and_can_switch_local_rules_off() -> None:
    r = run(vm({}, gpo_rules={"{G}": BLOCK_WS}))
    assert r.status is Status.PROBLEM and r.evidence["blocking_rule"]["source"] == "GroupPolicy"
    ignored = run(vm({"{A}": BLOCK_WS}, gpo_rules={},
                     gpo_profiles={n: {"AllowLocalPolicyMerge": 0} for n in ("Domain", "Private", "Public")}))
    assert ignored.status is Status.OK
    assert "AllowLocalPolicyMerge" in ignored.evidence["local_rules_ignored"]


@pytest.mark.parametrize(("scope", "status"), [
    ("IFType=Wireless|IFType=RemoteAccess|", Status.OK),  # never the VM's wired Hyper-V adapter
    ("IFType=Lan|", Status.PROBLEM),
    ("IF={6A1A2B5C-0000-4000-8000-000000000001}|", Status.WARNING),  # a named adapter: may block
])
def test_interface_scoped_rules(scope: str, status: Status) -> None:
    rule = BLOCK_WS.replace("Block outbound traffic to 168.63.129.16", "Corp egress lockdown")
    r = run(vm({"{A}": rule + scope}))
    assert r.status is status


def test_a_profile_scoped_rule_counts_only_in_an_active_profile() -> None:
    domain_only = BLOCK_WS + "Profile=Domain|"
    assert run(vm({"{A}": domain_only})).status is Status.OK
    assert run(vm({"{A}": BLOCK_WS + "Profile=Public|Profile=Private|"})).status is Status.PROBLEM


def test_without_the_registry_the_powershell_fallback_runs_with_60_seconds() -> None:
    fake = FakeSystem(system="windows", user="Administrator").on_azure()
    fake.commands[tuple(firewall.WINDOWS_FIREWALL_ARGV)] = json.dumps({
        "profiles": [{"Name": "Public", "Enabled": "True", "DefaultOutboundAction": "Allow"}],
        "connections": [{"InterfaceAlias": "Ethernet", "NetworkCategory": "Public"}],
        "rules": [{"Name": "{A}", "DisplayName": "x", "Action": "Block", "Profile": "Any", "RemoteAddress": ["Any"],
                   "Protocol": "TCP", "RemotePort": ["80"], "Program": "Any", "Service": "Any", "LocalUser": "Any",
                   "InterfaceType": "Wireless", "InterfaceAlias": ["Any"]}]})
    probe = OverlayProbe(fake)
    r = run(probe)
    assert r.evidence["read_from"] == "PowerShell"
    assert r.status is Status.OK  # the block rule is for wireless adapters only
    [call] = [a for p, a in probe.calls if p == "run" and a["argv"] == firewall.WINDOWS_FIREWALL_ARGV]
    assert call["timeout"] == 60.0
    assert "Get-NetFirewallInterfaceTypeFilter" in firewall.WINDOWS_FIREWALL_SCRIPT


def test_unknown_connection_categories_consider_every_profile() -> None:
    r = run(vm({"{A}": BLOCK_WS + "Profile=Domain|"}, connections=None))
    assert r.status is Status.PROBLEM
    assert r.evidence["active_profiles"] is None


def test_hostile_registry_values_are_skipped() -> None:
    rules = {"{A}": "v2.31|" + "|" * 10000, "{B}": "\x00" * 100, "{C}": 7, "{D}": BLOCK_WS}
    r = run(vm(rules))  # type: ignore[arg-type]
    assert r.status is Status.PROBLEM
    assert r.evidence["registry_values_not_rules"] == 2
