"""`net.firewall` on Linux (iptables / nft) and Windows (PowerShell JSON), run through the runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard import runner
from wizard.checks.facts import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.net import firewall
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.model import CheckResult, Msg, Status
from wizard.probes.base import Answer, unavailable
from wizard.probes.fake import FakeSystem

DATA = Path(__file__).resolve().parents[1] / "data"
CODES = ["UserErrorGuestAgentStatusUnavailable", "ExtensionSnapshotFailedNoNetwork",
         "ExtensionOperationFailedForManagedDisks"]
IPT_FILTER = ("iptables", "-w", "-t", "filter", "-S")
IPT_SECURITY = ("iptables", "-w", "-t", "security", "-S")
NFT_RULESET = ("nft", "--json", "list", "ruleset")
NFT_TABLES = ("nft", "--json", "list", "tables")
NFT_AGENT_TABLE = ("nft", "--json", "list", "table", "ip", "walinuxagent")

# Hand-written `iptables -S` output. The agent's three rules are the text of facts §2.1
# (WALinuxAgent firewall_manager.py), printed the way `iptables -S` prints rules back.
FILTER_OPEN = "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"
AGENT_RULES = ("-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 53 -j ACCEPT\n"
               "-A OUTPUT -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT\n"
               "-A OUTPUT -d 168.63.129.16/32 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP\n")
SECURITY_AGENT = FILTER_OPEN + AGENT_RULES
LEGACY = "-A OUTPUT -d 168.63.129.16/32 -p tcp -m conntrack --ctstate INVALID,NEW -j ACCEPT\n"


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


def linux_vm(filter_rules: str | Answer | None = FILTER_OPEN, security: str | Answer | None = SECURITY_AGENT,
             nft: str | Answer | None = None, admin: bool = True, azure: bool = True) -> FakeSystem:
    fake = FakeSystem(system="linux", is_admin=admin, user="root" if admin else "alice")
    if azure:
        fake.files["/sys/class/dmi/id/chassis_asset_tag"] = AZURE_ASSET_TAG + "\n"
    for argv, spec in ((IPT_FILTER, filter_rules), (IPT_SECURITY, security), (NFT_RULESET, nft)):
        if spec is not None:
            fake.commands[argv] = spec
    return fake


def run(fake: Any) -> CheckResult:
    d = runner.run(ALL_CHECKS, fake, only=["net.firewall"])
    assert len(d.results) == 1
    return d.results[0]


def commands(r: CheckResult) -> list[str]:
    return [s.command for s in r.fix if s.command]


# -- Linux ----------------------------------------------------------------------------------

def test_linux_agent_rules_are_expected() -> None:
    r = run(linux_vm())
    assert r.status is Status.OK
    assert "own rules that admit only root are in place" in r.summary.id
    assert r.evidence["agent_rules"]["iptables"]["complete"] is True
    assert r.evidence["root"]["80"]["outcome"] == "accepted"
    assert r.evidence["root"]["32526"]["outcome"] == "accepted"
    assert r.evidence["non_root"] == {"80": "blocked", "32526": "blocked"}
    assert r.evidence["states"]["nft"] == "not_found"
    assert r.error_codes == []


def test_linux_no_agent_rules_still_ok() -> None:
    r = run(linux_vm(security=FILTER_OPEN))
    assert r.status is Status.OK
    assert r.summary.id == ("The in-guest firewall lets root reach the Wire Server (168.63.129.16) on ports 80 and "
                            "32526.")


def test_linux_nft_only_fixture() -> None:
    fake = linux_vm(filter_rules=None, security=None, nft=read("linux", "nft_json_list_table_walinuxagent.json"))
    r = run(fake)
    assert r.status is Status.OK
    assert r.evidence["agent_rules"]["nft"] == {"table": True, "rule_count": 1, "drop_rule": True}
    assert r.evidence["nft_tables"] == ["ip walinuxagent"]
    assert r.evidence["states"]["iptables filter"] == "not_found"


def test_linux_nft_fallback_to_list_tables() -> None:
    fake = linux_vm(filter_rules=None, security=None,
                    nft={"returncode": 1, "stderr": "Error: syntax error, unexpected ruleset"})
    fake.commands[NFT_TABLES] = read("linux", "nft_json_list_tables.json")
    fake.commands[NFT_AGENT_TABLE] = read("linux", "nft_json_list_table_walinuxagent.json")
    r = run(fake)
    assert r.status is Status.OK
    assert [c["argv"] for c in r.evidence["commands"] if c["argv"].startswith("nft")] == [
        "nft --json list ruleset", "nft --json list tables", "nft --json list table ip walinuxagent"]
    assert r.evidence["agent_rules"]["nft"]["drop_rule"] is True


def test_linux_customer_drop_in_filter_is_problem() -> None:
    rule = "-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 80 -j DROP"
    r = run(linux_vm(filter_rules=FILTER_OPEN + rule + "\n"))
    assert r.status is Status.PROBLEM
    assert r.error_codes == CODES
    assert r.summary.params == {"ports": ("80",), "rule": rule, "where": "iptables -t filter OUTPUT"}
    assert commands(r)[0] == "sudo iptables -t filter -D OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 80 -j DROP"
    assert "curl --noproxy" in commands(r)[-1]
    assert r.evidence["blocking_rule"]["index"] == 1
    assert r.evidence["root"]["32526"]["outcome"] == "accepted"


def test_linux_drop_before_agent_accept_is_problem() -> None:
    rule = "-A OUTPUT -d 168.63.129.16/32 -j REJECT --reject-with icmp-port-unreachable"
    r = run(linux_vm(security=FILTER_OPEN + rule + "\n" + AGENT_RULES))
    assert r.status is Status.PROBLEM
    assert r.summary.params["ports"] == ("80", "32526")
    assert r.summary.params["where"] == "iptables -t security OUTPUT"


def test_linux_agent_rules_in_wrong_order_is_problem() -> None:
    dns, root, drop = AGENT_RULES.splitlines()
    r = run(linux_vm(security=f"{FILTER_OPEN}{dns}\n{drop}\n{root}\n"))
    assert r.status is Status.PROBLEM
    assert r.summary.id.startswith("The VM agent's own DROP rule")
    assert commands(r)[0] == "sudo systemctl restart walinuxagent || sudo systemctl restart waagent"
    assert r.evidence["agent_rules"]["iptables"]["ordered"] is False


def test_linux_default_drop_policy_without_accept_is_problem() -> None:
    r = run(linux_vm(filter_rules="-P OUTPUT DROP\n-A OUTPUT -o lo -j ACCEPT\n"))
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"where": "iptables -t filter OUTPUT", "policy": "DROP", "ports": ("80", "32526")}
    assert commands(r)[0] == ("sudo iptables -t filter -I OUTPUT 1 -d 168.63.129.16/32 -p tcp -m owner "
                              "--uid-owner 0 -j ACCEPT")


def test_linux_default_drop_policy_with_ufw_style_accept_is_ok() -> None:
    ufw = ("-P OUTPUT DROP\n-N ufw-before-output\n-N ufw-user-output\n-A OUTPUT -j ufw-before-output\n"
           "-A ufw-before-output -o lo -j ACCEPT\n-A ufw-before-output -m conntrack --ctstate RELATED,ESTABLISHED "
           "-j ACCEPT\n-A ufw-before-output -j ufw-user-output\n"
           "-A ufw-user-output -d 168.63.129.16/32 -p tcp -j ACCEPT\n")
    r = run(linux_vm(filter_rules=ufw))
    assert r.status is Status.OK


def test_linux_undecidable_rule_is_warning() -> None:
    rule = "-A OUTPUT -s 10.1.0.4/32 -d 168.63.129.16/32 -j DROP"
    r = run(linux_vm(filter_rules=FILTER_OPEN + rule + "\n"))
    assert r.status is Status.WARNING
    assert r.summary.params["rule"] == rule
    assert r.error_codes == CODES


def test_linux_legacy_rule_is_warning() -> None:
    r = run(linux_vm(security=FILTER_OPEN + LEGACY))
    assert r.status is Status.WARNING
    assert r.summary.params == {"rule": LEGACY.strip()}
    assert "sudo iptables -t security -D OUTPUT" in commands(r)[1]


def test_linux_nft_customer_drop_is_problem() -> None:
    doc = json.dumps({"nftables": [
        {"table": {"family": "inet", "name": "fw", "handle": 3}},
        {"chain": {"family": "inet", "table": "fw", "name": "out", "handle": 1, "type": "filter", "hook": "output",
                   "prio": 0, "policy": "accept"}},
        {"rule": {"family": "inet", "table": "fw", "chain": "out", "handle": 7, "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
                       "right": {"prefix": {"addr": "168.63.0.0", "len": 16}}}},
            {"counter": {"packets": 0, "bytes": 0}}, {"drop": None}]}}]})
    r = run(linux_vm(nft=doc))
    assert r.status is Status.PROBLEM
    assert r.summary.params["where"] == "nft inet fw out"
    assert commands(r)[0] == "sudo nft delete rule inet fw out handle 7"


def test_linux_iptables_nft_tables_are_not_counted_twice() -> None:
    doc = json.dumps({"nftables": [
        {"table": {"family": "ip", "name": "filter"}},
        {"chain": {"family": "ip", "table": "filter", "name": "OUTPUT", "hook": "output", "prio": 0,
                   "policy": "accept"}},
        {"rule": {"family": "ip", "table": "filter", "chain": "OUTPUT", "handle": 4,
                  "expr": [{"xt": {"type": "match", "name": "mark"}}, {"drop": None}]}}]})
    r = run(linux_vm(nft=doc))
    assert r.status is Status.OK  # iptables itself shows that table; its xt match is not re-judged


def test_linux_non_root_is_not_checked_without_running_anything() -> None:
    fake = linux_vm(admin=False)
    calls: list[tuple[str, dict[str, Any]]] = []

    class Spy:
        def call(self, probe: str, /, **args: Any) -> Answer:
            calls.append((probe, args))
            return fake.call(probe, **args)

    r = run(Spy())
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: reading the firewall rules needs root."
    assert commands(r) == ["sudo vmbackup-wizard --cli"]
    assert not [c for c in calls if c[0] == "run"]


def test_linux_permission_errors_when_elevation_unknown() -> None:
    denied = {"returncode": 4, "stderr": "iptables v1.8.7 (nf_tables): Could not fetch rule set generation id: "
                                         "Permission denied (you must be root)"}
    fake = linux_vm(filter_rules=denied, security=denied, nft={"returncode": 1, "stderr": "Operation not permitted"})

    class UnknownElevation:
        def call(self, probe: str, /, **args: Any) -> Answer:
            if probe == "elevation":
                return unavailable("no answer")
            return fake.call(probe, **args)

    r = run(UnknownElevation())
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: reading the firewall rules needs root."


def test_linux_no_tools_is_not_checked() -> None:
    r = run(linux_vm(filter_rules=None, security=None))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: neither iptables nor nft")


def test_linux_old_iptables_without_wait_option_and_missing_security_table() -> None:
    bad_w = {"returncode": 2, "stderr": "iptables: unrecognized option '-w'"}
    fake = linux_vm(filter_rules=bad_w, security=bad_w)
    fake.commands[("iptables", "-t", "filter", "-S")] = FILTER_OPEN
    fake.commands[("iptables", "-t", "security", "-S")] = {
        "returncode": 3, "stderr": "iptables v1.4.7: can't initialize iptables table `security': Table does not "
                                   "exist (do you need to insmod?)"}
    r = run(fake)
    assert r.status is Status.OK
    assert r.evidence["states"] == {"iptables filter": "ok", "iptables security": "no_table", "nft": "not_found"}


def test_linux_unexpected_failure_is_not_checked() -> None:
    broken = {"returncode": 1, "stderr": "iptables: something odd"}
    r = run(linux_vm(filter_rules=broken, security=broken))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params == {"error": Msg("{error}", {"error": "iptables: something odd"})}  # its own words


def test_linux_commands_that_time_out_say_so_in_the_readers_language() -> None:
    slow = {"returncode": None, "timed_out": True, "error": "timed out after 15 s",
            "error_msg": {"id": "timed out after {seconds} s", "params": {"seconds": "15"}}}
    r = run(linux_vm(filter_rules=slow, security=slow))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params == {"error": Msg("timed out after {seconds} s", {"seconds": "15"})}
    assert "15 秒でタイムアウトしました" in Translator("ja").msg(r.summary)


def test_linux_off_azure() -> None:
    r = run(linux_vm(azure=False))
    assert r.status is Status.NOT_CHECKED and r.evidence == {"is_azure": False}


# -- output that cannot be read is "rules unknown", never "no rules" ------------------------------

BUSYBOX_USAGE = "BusyBox v1.36.1 multi-call binary.\n\nUsage: iptables [OPTIONS]\n"


@pytest.mark.parametrize(("security", "error_id"), [
    (BUSYBOX_USAGE, "the output has no policy, chain or rule line"),
    ("", "iptables printed nothing"),
    (SECURITY_AGENT + "Chain OUTPUT (policy ACCEPT)\n", "{count} lines of the output are not policy, chain or rule "
                                                        "lines"),
    ({"stdout": SECURITY_AGENT, "truncated": True}, "the output was cut at {limit} bytes"),
])
def test_linux_iptables_output_it_cannot_read_is_not_checked(security: str | Answer, error_id: str) -> None:
    r = run(linux_vm(security=security))
    assert r.status is Status.NOT_CHECKED, r.summary
    assert r.summary.id.startswith("Not checked: the output of {command} could not be read as firewall rules")
    assert r.summary.params["command"] == "iptables -w -t security -S"
    reason = r.summary.params["error"]
    assert isinstance(reason, Msg) and reason.id == error_id
    (unread,) = r.evidence["unread_output"]
    text = security if isinstance(security, str) else str(security["stdout"])
    assert unread["excerpt"] == text[:2000] and unread["error"]
    assert r.evidence["states"]["iptables security"] == "unparsed"


def test_linux_a_block_found_in_what_could_be_read_is_still_a_problem() -> None:
    blocking = FILTER_OPEN + "-A OUTPUT -d 168.63.129.16/32 -p tcp -j DROP\n"
    r = run(linux_vm(filter_rules=blocking, security=BUSYBOX_USAGE))
    assert r.status is Status.PROBLEM
    assert r.evidence["unread_output"][0]["command"] == "iptables -w -t security -S"


def test_linux_nft_output_it_cannot_read_is_not_checked() -> None:
    fake = linux_vm(nft="nft: unexpected output {")
    fake.commands[NFT_TABLES] = "{not json"
    r = run(fake)
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params["command"] == "nft --json list tables"
    assert isinstance(r.summary.params["error"], Msg) and r.summary.params["error"].id == "not JSON: {detail}"
    assert r.evidence["unread_output"][0]["excerpt"] == "{not json"


def test_linux_nft_table_that_cannot_be_read_is_not_checked_but_a_readable_fallback_is_fine() -> None:
    tables = read("linux", "nft_json_list_tables.json")
    fake = linux_vm(nft="{broken")
    fake.commands[NFT_TABLES] = tables
    fake.commands[NFT_AGENT_TABLE] = "[]"
    r = run(fake)
    assert r.status is Status.NOT_CHECKED and r.summary.params["command"] == "nft --json list table ip walinuxagent"
    fake.commands[NFT_AGENT_TABLE] = read("linux", "nft_json_list_table_walinuxagent.json")
    r = run(fake)
    assert r.status is Status.OK and "unread_output" not in r.evidence


def test_linux_nft_alone_that_cannot_be_read_is_not_checked() -> None:
    fake = linux_vm(filter_rules=None, security=None, nft="nft: unexpected output {")
    fake.commands[NFT_TABLES] = "{not json"
    r = run(fake)
    assert r.status is Status.NOT_CHECKED
    assert r.evidence["states"] == {"iptables filter": "not_found", "iptables security": "not_found",
                                    "nft": "unparsed"}
    assert r.summary.id.startswith("Not checked: the output of {command} could not be read as firewall rules")
    assert r.summary.params["command"] == "nft --json list tables"


def test_linux_iptables_warnings_are_kept_as_evidence() -> None:
    warning = "# Warning: iptables-legacy tables present, use iptables-legacy to see them"
    r = run(linux_vm(filter_rules=warning + "\n" + FILTER_OPEN))
    assert r.status is Status.OK
    assert r.evidence["iptables_warnings"] == [warning]


def test_linux_filter_table_that_cannot_be_read_is_noted_when_nft_is_missing_too() -> None:
    slow = {"returncode": None, "timed_out": True, "error": "timed out after 15 s"}
    r = run(linux_vm(filter_rules=slow))
    assert r.evidence["states"] == {"iptables filter": "timeout", "iptables security": "ok", "nft": "not_found"}
    assert r.evidence["note"] == "iptables filter table could not be read"
    assert r.status is Status.OK  # what could be read (the agent's own rules) admits root
    r = run(linux_vm())
    assert "note" not in r.evidence


def test_linux_empty_nft_ruleset_is_read_as_empty() -> None:
    r = run(linux_vm(nft=""))
    assert r.status is Status.OK and r.evidence["states"]["nft"] == "ok"


# -- Windows --------------------------------------------------------------------------------

PROFILES = [{"Name": "Domain", "Enabled": "True", "DefaultOutboundAction": "NotConfigured"},
            {"Name": "Private", "Enabled": "True", "DefaultOutboundAction": "NotConfigured"},
            {"Name": "Public", "Enabled": "True", "DefaultOutboundAction": "NotConfigured"}]
CONNECTIONS = [{"InterfaceAlias": "Ethernet", "NetworkCategory": "Public"}]


def win_rule(**kw: Any) -> dict[str, Any]:
    base = {"Name": "{9b0e-rule}", "DisplayName": "Some rule", "Action": "Block", "Profile": "Any",
            "PolicyStoreSourceType": "Local", "RemoteAddress": ["Any"], "Protocol": "Any", "RemotePort": ["Any"],
            "Program": "Any", "Service": "Any", "LocalUser": "Any"}
    base.update(kw)
    return base


def windows_vm(rules: Any = None, profiles: Any = None, connections: Any = None, output: Answer | str | None = None,
               admin: bool = True, **extra: Any) -> FakeSystem:
    fake = FakeSystem(system="windows", is_admin=admin, user="Administrator" if admin else "alice")
    fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
    if output is None:
        doc = {"profiles": PROFILES if profiles is None else profiles,
               "connections": CONNECTIONS if connections is None else connections,
               "rules": [] if rules is None else rules, **extra}
        output = json.dumps(doc)
    fake.commands[tuple(firewall.WINDOWS_FIREWALL_ARGV)] = output
    return fake


def test_windows_script_is_single_quoted_and_json() -> None:
    assert '"' not in firewall.WINDOWS_FIREWALL_SCRIPT
    assert "ConvertTo-Json" in firewall.WINDOWS_FIREWALL_SCRIPT
    assert firewall.WINDOWS_FIREWALL_ARGV[:4] == ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command"]


def test_windows_nothing_blocks_is_ok() -> None:
    r = run(windows_vm(rules=[win_rule(RemoteAddress=["10.0.0.0/8"]),
                              win_rule(Action="Allow", RemoteAddress=["168.63.129.16"])]))
    assert r.status is Status.OK
    assert r.evidence["active_profiles"] == ["Public"]
    assert "not confirmed by public documentation" in r.evidence["note"]


def test_windows_block_rule_is_problem() -> None:
    rule = win_rule(DisplayName="Block Azure", RemoteAddress=["168.63.129.16"], Protocol="TCP",
                    RemotePort=["80", "32526"])
    r = run(windows_vm(rules=rule))  # one object, not an array: PowerShell does that
    assert r.status is Status.PROBLEM
    assert r.error_codes == CODES
    assert r.summary.params == {"rule": "Block Azure", "ports": ("80", "32526")}
    assert commands(r)[0] == "Disable-NetFirewallRule -Name '{9b0e-rule}'"
    assert r.evidence["known_test_rule_name"] is False


def test_windows_known_test_rule_with_keyword_address() -> None:
    rule = win_rule(DisplayName="Block outbound traffic to 168.63.129.16", RemoteAddress=["Internet"])
    r = run(windows_vm(rules=[rule]))
    assert r.status is Status.PROBLEM
    assert r.evidence["known_test_rule_name"] is True


def test_windows_group_policy_rule_fix_has_no_command() -> None:
    rule = win_rule(RemoteAddress=["168.63.0.0/255.255.0.0"], PolicyStoreSourceType="GroupPolicy")
    r = run(windows_vm(rules=[rule]))
    assert r.status is Status.PROBLEM
    assert "Group Policy" in r.fix[0].text.id and r.fix[0].command is None


def test_windows_rule_exempting_system_is_ok() -> None:
    cve = win_rule(DisplayName="Block-Outbound-168.63.129.16-port-80-for-cve-2021-27075",
                   RemoteAddress=["168.63.129.16"], Protocol="TCP", RemotePort=["80"],
                   LocalUser="O:LSD:(D;;CC;;;S-1-5-18)(D;;CC;;;S-1-5-21-1-2-3-1001)(A;;CC;;;S-1-1-0)")
    r = run(windows_vm(rules=[cve]))
    assert r.status is Status.OK
    assert r.evidence["rules_exempting_system"] == ["Block-Outbound-168.63.129.16-port-80-for-cve-2021-27075"]


def test_windows_rules_for_other_programs_or_profiles_do_not_count() -> None:
    rules = [win_rule(Program=r"C:\Tools\app.exe"), win_rule(Profile="Domain, Private"),
             win_rule(Protocol="UDP"), win_rule(RemotePort=["443"])]
    assert run(windows_vm(rules=rules)).status is Status.OK


def test_windows_undecidable_rule_is_warning() -> None:
    r = run(windows_vm(rules=[win_rule(DisplayName="Block DNS server", RemoteAddress=["DNS"])]))
    assert r.status is Status.WARNING
    assert r.summary.params == {"rule": "Block DNS server", "ports": ("80", "32526")}


def test_windows_default_outbound_block() -> None:
    profiles = [dict(p, DefaultOutboundAction="Block") for p in PROFILES]
    r = run(windows_vm(profiles=profiles))
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"profiles": (Msg("Public"),), "ports": ("80", "32526")}
    assert Translator("ja").msg(r.summary).startswith("パブリック プロファイルでは、Windows ファイアウォールが")
    assert "New-NetFirewallRule -DisplayName AzurePlatform" in commands(r)[0]
    allow = win_rule(Action="Allow", DisplayName="AzurePlatform", RemoteAddress=["168.63.129.16"])
    assert run(windows_vm(profiles=profiles, rules=[allow])).status is Status.OK
    maybe = win_rule(Action="Allow", RemoteAddress=["Intranet"])
    assert run(windows_vm(profiles=profiles, rules=[maybe])).status is Status.WARNING


def test_windows_imds_block_is_info() -> None:
    r = run(windows_vm(rules=[win_rule(DisplayName="Block outbound traffic to 169.254.169.254",
                                       RemoteAddress=["169.254.169.254"])]))
    assert r.status is Status.INFO
    assert r.summary.params == {"rule": "Block outbound traffic to 169.254.169.254"}


def test_windows_firewall_off_in_active_profile() -> None:
    profiles = [dict(p, Enabled="False") if p["Name"] == "Public" else p for p in PROFILES]
    r = run(windows_vm(profiles=profiles, rules=[win_rule(RemoteAddress=["168.63.129.16"])]))
    assert r.status is Status.OK
    assert r.summary.params == {"profiles": (Msg("Public"),)}


def test_windows_numeric_enums() -> None:
    profiles = [{"Name": "Public", "Enabled": 1, "DefaultOutboundAction": 4}]
    r = run(windows_vm(profiles=profiles, connections=[{"InterfaceAlias": "Ethernet", "NetworkCategory": 0}]))
    assert r.status is Status.PROBLEM
    r = run(windows_vm(rules=[win_rule(Action=4, Profile=0, RemoteAddress="168.63.129.16")]))
    assert r.status is Status.PROBLEM


def test_windows_access_denied_and_failures() -> None:
    r = run(windows_vm(admin=False, rules_error="Access is denied."))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: reading the Windows Firewall rules needs Administrator rights."
    r = run(windows_vm(output={"found": False, "returncode": None, "error": "not found"}))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: the Windows Firewall rules could not be read")
    r = run(windows_vm(output="Get-NetFirewallRule : something went wrong"))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params == {"error": "no JSON in the output"}
    r = run(windows_vm(output={"returncode": 1, "stderr": "boom"}, admin=False))
    assert r.status is Status.NOT_CHECKED and "Administrator" in r.summary.id


def test_windows_rules_that_cannot_be_read_as_administrator_say_why() -> None:
    r = run(windows_vm(rules_error="Get-NetFirewallRule : The RPC server is unavailable."))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: the Windows Firewall rules could not be read ({error})."
    assert r.summary.params == {"error": "Get-NetFirewallRule : The RPC server is unavailable."}
    assert r.evidence["rules_error"] == "Get-NetFirewallRule : The RPC server is unavailable."


def test_linux_hostile_rule_text_is_quoted_token_by_token() -> None:
    import shlex

    rule = '-A OUTPUT -d 168.63.129.16/32 -m comment --comment "$(reboot); `id`" -j DROP'
    r = run(linux_vm(filter_rules=FILTER_OPEN + rule + "\n"))
    assert r.status is Status.PROBLEM
    delete = next(c for c in commands(r) if " -D " in c)
    assert "'$(reboot); `id`'" in delete
    words = shlex.split(delete)
    assert words[words.index("--comment") + 1] == "$(reboot); `id`"


# -- the address under test follows --wireserver (the simulated VM's Wire Server is 127.0.0.1) ---------------

def _run_at(fake: Any, wireserver: str) -> CheckResult:
    from wizard.settings import Settings

    d = runner.run(ALL_CHECKS, fake, Settings(wireserver=wireserver), only=["net.firewall"])
    return d.results[0]


def test_rules_for_the_wire_server_address_under_test_are_judged() -> None:
    agent_here = AGENT_RULES.replace("168.63.129.16", "127.0.0.1")
    r = _run_at(linux_vm(security=FILTER_OPEN + agent_here), "127.0.0.1")
    assert r.status is Status.OK
    assert r.evidence["agent_rules"]["iptables"]["complete"] is True
    assert r.evidence["non_root"] == {"80": "blocked", "32526": "blocked"}
    # The same rules seen from a wizard testing 168.63.129.16 are not the agent's and block nobody there.
    r = run(linux_vm(security=FILTER_OPEN + agent_here))
    assert r.evidence["agent_rules"]["iptables"]["complete"] is False
    assert r.evidence["non_root"] == {"80": "accepted", "32526": "accepted"}


def test_a_drop_of_the_wire_server_address_under_test_is_the_problem() -> None:
    rule = "-A OUTPUT -d 127.0.0.1/32 -p tcp -m tcp --dport 80 -j DROP"
    r = _run_at(linux_vm(filter_rules=FILTER_OPEN + rule + "\n"), "127.0.0.1")
    assert r.status is Status.PROBLEM
    assert r.summary.params["rule"] == rule
    assert r.evidence["root"]["32526"]["outcome"] == "accepted"
    assert run(linux_vm(filter_rules=FILTER_OPEN + rule + "\n")).status is Status.OK
