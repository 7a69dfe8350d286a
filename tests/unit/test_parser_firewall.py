"""Firewall parsers and the three-valued chain walk: iptables -S, nft JSON, Windows Firewall JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import firewall as fw

DATA = Path(__file__).resolve().parents[1] / "data"

# Hand-written `iptables -w -t security -S` output of the Linux agent's three rules. The rule text
# is the one in facts §2.1 (WALinuxAgent firewall_manager.py), rendered the way `iptables -S`
# prints rules back (destination with /32, `-m tcp --dport` for `--destination-port`).
AGENT_SECURITY = """-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 53 -j ACCEPT
-A OUTPUT -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT
-A OUTPUT -d 168.63.129.16/32 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP
"""
# The same rules exactly as the agent appends them (facts §2.1), without -S normalisation.
AGENT_SECURITY_RAW = """-A OUTPUT -d 168.63.129.16 -p tcp --destination-port 53 -j ACCEPT
-A OUTPUT -d 168.63.129.16 -p tcp -m owner --uid-owner 0 -j ACCEPT
-A OUTPUT -d 168.63.129.16 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP
"""
# The pre-2.2.26 rule (facts §2.1).
LEGACY = "-A OUTPUT -d 168.63.129.16/32 -p tcp -m conntrack --ctstate INVALID,NEW -j ACCEPT\n"


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


def ipt(text: str, table: str = "filter", port: int = 80, uid: int = 0) -> fw.Walk:
    walk = fw.evaluate_iptables(fw.parse_iptables_save(text, table), fw.Packet(port=port, uid=uid))
    assert walk is not None
    return walk


# -- iptables --------------------------------------------------------------------------------

def test_agent_rules_recognised_in_both_spellings() -> None:
    for text in (AGENT_SECURITY, AGENT_SECURITY_RAW):
        table = fw.parse_iptables_save(text, "security")
        agent = fw.ipt_agent_rules(table)
        assert agent["complete"] and agent["ordered"] and not agent["legacy_accept"]
        assert agent["positions"] == {"dns_accept": 1, "root_accept": 2, "drop": 3}


def test_agent_rules_admit_root_and_drop_others() -> None:
    for port in (80, 32526):
        root = ipt(AGENT_SECURITY, "security", port, 0)
        assert root.outcome == "accepted" and root.by is not None and root.by["agent_kind"] == "root_accept"
        other = ipt(AGENT_SECURITY, "security", port, 1000)
        assert other.outcome == "blocked" and other.by is not None and other.by["agent_kind"] == "drop"
    assert ipt(AGENT_SECURITY, "security", 53, 1000).outcome == "accepted"


def test_legacy_rule_recognised() -> None:
    agent = fw.ipt_agent_rules(fw.parse_iptables_save(LEGACY, "security"))
    assert agent["legacy_accept"] and not agent["complete"]


def test_drop_before_agent_accept_blocks_root() -> None:
    text = "-P OUTPUT ACCEPT\n-A OUTPUT -d 168.63.129.16/32 -j DROP\n" + AGENT_SECURITY
    walk = ipt(text, "security")
    assert walk.outcome == "blocked"
    assert walk.by is not None and walk.by["index"] == 1 and walk.by["agent_kind"] is None


def test_agent_drop_before_accept_is_wrong_order() -> None:
    lines = AGENT_SECURITY.strip().splitlines()
    text = "\n".join([*lines[:3], lines[5], lines[3], lines[4]]) + "\n"
    agent = fw.ipt_agent_rules(fw.parse_iptables_save(text, "security"))
    assert agent["complete"] and not agent["ordered"]
    walk = ipt(text, "security")
    assert walk.outcome == "blocked" and walk.by is not None and walk.by["agent_kind"] == "drop"


def test_policy_drop_and_user_chains() -> None:
    assert ipt("-P OUTPUT DROP\n").outcome == "blocked"
    ufw_like = ("-P OUTPUT DROP\n-N ufw-before-output\n-N ufw-user-output\n"
                "-A OUTPUT -j ufw-before-output\n"
                "-A ufw-before-output -o lo -j ACCEPT\n"
                "-A ufw-before-output -j ufw-user-output\n"
                "-A ufw-user-output -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT\n")
    walk = ipt(ufw_like)
    assert walk.outcome == "accepted" and walk.by is not None and walk.by["chain"] == "ufw-user-output"
    assert ipt(ufw_like, uid=1000).outcome == "blocked"


def test_return_and_goto() -> None:
    text = ("-P OUTPUT DROP\n-N a\n-N b\n-A OUTPUT -j a\n-A OUTPUT -j ACCEPT\n"
            "-A a -j RETURN\n-A a -j DROP\n")
    assert ipt(text).outcome == "accepted"
    goto = "-P OUTPUT DROP\n-N b\n-A OUTPUT -g b\n-A OUTPUT -j ACCEPT\n-A b -p udp -j ACCEPT\n"
    assert ipt(goto).outcome == "blocked"  # falling off a goto'd chain ends the calling built-in chain


def test_ports_protocols_and_negation() -> None:
    reject80 = "-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable\n"
    assert ipt(reject80, port=80).outcome == "blocked"
    assert ipt(reject80, port=32526).outcome == "accepted"
    multi = "-A OUTPUT -p tcp -m multiport --dports 443,32000:33000 -j DROP\n"
    assert ipt(multi, port=32526).outcome == "blocked" and ipt(multi, port=80).outcome == "accepted"
    assert ipt("-A OUTPUT -p udp -j DROP\n").outcome == "accepted"
    assert ipt("-A OUTPUT ! -d 10.0.0.0/8 -j DROP\n").outcome == "blocked"
    assert ipt("-A OUTPUT ! -d 168.63.0.0/255.255.0.0 -j DROP\n").outcome == "accepted"
    assert ipt("-A OUTPUT -o lo -j DROP\n").outcome == "accepted"
    assert ipt("-A OUTPUT -m owner ! --uid-owner 0 -d 168.63.129.16/32 -j DROP\n").outcome == "accepted"
    assert ipt("-A OUTPUT -m state --state RELATED,ESTABLISHED -j DROP\n").outcome == "accepted"
    assert ipt("-A OUTPUT -m iprange --dst-range 168.63.129.1-168.63.129.20 -j DROP\n").outcome == "blocked"
    assert ipt('-A OUTPUT -d 168.63.129.16/32 -m comment --comment "block wire server" -j DROP\n').outcome == "blocked"


def test_undecidable_conditions_are_maybe() -> None:
    assert ipt("-A OUTPUT -s 10.0.0.4/32 -d 168.63.129.16/32 -j DROP\n").outcome == "maybe_blocked"
    assert ipt("-A OUTPUT -o eth0 -j DROP\n").outcome == "maybe_blocked"
    walk = ipt("-P OUTPUT DROP\n-A OUTPUT -m mark --mark 0x1 -j ACCEPT\n")
    assert walk.outcome == "maybe_blocked" and walk.maybe_accepts
    assert ipt("-A OUTPUT -m mark --mark 0x1 -j LOG --log-prefix x\n").outcome == "accepted"


def test_chain_loops_terminate() -> None:
    text = "-N a\n-N b\n-A OUTPUT -j a\n-A a -j b\n-A b -j a\n"
    walk = ipt(text)
    assert walk.outcome == "accepted" and walk.truncated


def test_iptables_save_format_and_noise() -> None:
    text = ("# Warning: iptables-legacy tables present, use iptables-legacy to see them\n*filter\n"
            ":INPUT ACCEPT [0:0]\n:OUTPUT DROP [0:0]\n-A OUTPUT -d 168.63.129.16/32 -j ACCEPT\nCOMMIT\n")
    table = fw.parse_iptables_save(text, "filter")
    assert table.policies["OUTPUT"] == "DROP" and table.warnings
    assert ipt(text).outcome == "accepted"
    assert fw.evaluate_iptables(fw.parse_iptables_save("", "filter"), fw.Packet()) is None


# -- nftables --------------------------------------------------------------------------------

def test_nft_fixture_tables_and_agent_rule() -> None:
    listing = fw.parse_nft_json(read("linux", "nft_json_list_tables.json"))
    assert listing.error is None and listing.tables == [("ip", "walinuxagent")]
    rs = fw.parse_nft_json(read("linux", "nft_json_list_table_walinuxagent.json"))
    assert rs.error is None and rs.version == "1.0.2"
    assert fw.nft_agent_rules(rs) == {"table": True, "rule_count": 1, "drop_rule": True}
    for port in (80, 32526):
        [(chain, root)] = fw.evaluate_nft(rs, fw.Packet(port=port, uid=0))
        assert chain.name == "output" and root.outcome == "accepted" and root.by is None
        [(_, other)] = fw.evaluate_nft(rs, fw.Packet(port=port, uid=1000))
        assert other.outcome == "blocked" and other.by is not None and other.by["handle"] == 2
    [(_, dns)] = fw.evaluate_nft(rs, fw.Packet(port=53, uid=1000))
    assert dns.outcome == "accepted"
    assert "daddr 168.63.129.16" in fw.describe_nft_rule(rs.chains[("ip", "walinuxagent", "output")].rules[0].expr)


def nft_doc(*items: dict[str, Any]) -> str:
    return json.dumps({"nftables": [{"metainfo": {"version": "1.0.9"}}, *items]})


def chain(name: str = "output", policy: str = "accept", family: str = "inet", table: str = "t",
          hook: str | None = "output") -> dict[str, Any]:
    c: dict[str, Any] = {"family": family, "table": table, "name": name, "handle": 1}
    if hook:
        c.update(type="filter", hook=hook, prio=0, policy=policy)
    return {"chain": c}


def rule(*expr: dict[str, Any], chain_name: str = "output", family: str = "inet", table: str = "t",
         handle: int = 5) -> dict[str, Any]:
    return {"rule": {"family": family, "table": table, "chain": chain_name, "handle": handle, "expr": list(expr)}}


def daddr(right: Any, op: str = "==") -> dict[str, Any]:
    return {"match": {"op": op, "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": right}}


def dport(right: Any, proto: str = "tcp", op: str = "==") -> dict[str, Any]:
    return {"match": {"op": op, "left": {"payload": {"protocol": proto, "field": "dport"}}, "right": right}}


def nft_outcome(text: str, port: int = 80, uid: int = 0) -> list[str]:
    return [w.outcome for _, w in fw.evaluate_nft(fw.parse_nft_json(text), fw.Packet(port=port, uid=uid))]


def test_nft_drop_prefix_set_range_and_named_set() -> None:
    assert nft_outcome(nft_doc(chain(), rule(daddr({"prefix": {"addr": "168.63.0.0", "len": 16}}), {"drop": None}))) \
        == ["blocked"]
    assert nft_outcome(nft_doc(chain(), rule(dport({"set": [443, {"range": [32000, 33000]}]}), {"reject": None})),
                       port=32526) == ["blocked"]
    assert nft_outcome(nft_doc(chain(), rule(dport({"set": [443]}), {"drop": None}))) == ["accepted"]
    named = nft_doc({"set": {"family": "inet", "table": "t", "name": "bad", "type": "ipv4_addr",
                             "elem": ["168.63.129.16", "10.0.0.1"]}},
                    chain(), rule(daddr("@bad"), {"drop": None}))
    assert nft_outcome(named) == ["blocked"]
    unknown_set = nft_doc(chain(), rule(daddr("@missing"), {"drop": None}))
    assert nft_outcome(unknown_set) == ["maybe_blocked"]


def test_nft_policy_drop_jump_and_other_protocols() -> None:
    doc = nft_doc(chain(policy="drop"), chain("allow", hook=None),
                  rule({"jump": {"target": "allow"}}),
                  rule(daddr("168.63.129.16"), {"match": {"op": "==", "left": {"meta": {"key": "skuid"}},
                                                          "right": 0}}, {"accept": None}, chain_name="allow"))
    assert nft_outcome(doc) == ["accepted"]
    assert nft_outcome(doc, uid=1000) == ["blocked"]
    assert nft_outcome(nft_doc(chain(), rule(dport(53, proto="udp", op="!="), {"drop": None}))) == ["accepted"]
    ip6_only = nft_doc(chain(family="ip6"), rule({"drop": None}, family="ip6"))
    assert nft_outcome(ip6_only) == []
    ct = {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}
    assert nft_outcome(nft_doc(chain(), rule(ct, {"drop": None}))) == ["accepted"]
    saddr = {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.0.0.4"}}
    assert nft_outcome(nft_doc(chain(), rule(saddr, {"drop": None}))) == ["maybe_blocked"]


def test_nft_skip_tables_and_merge() -> None:
    doc = nft_doc({"table": {"family": "ip", "name": "filter"}},
                  chain(family="ip", table="filter", name="OUTPUT"),
                  rule({"drop": None}, family="ip", table="filter", chain_name="OUTPUT"))
    rs = fw.parse_nft_json(doc)
    assert [w.outcome for _, w in fw.evaluate_nft(rs, fw.Packet())] == ["blocked"]
    assert fw.evaluate_nft(rs, fw.Packet(), frozenset({("ip", "filter")})) == []
    merged = fw.merge_nft([fw.parse_nft_json(read("linux", "nft_json_list_tables.json")),
                           fw.parse_nft_json(read("linux", "nft_json_list_table_walinuxagent.json"))])
    assert merged.tables == [("ip", "walinuxagent")] and merged.rule_count == 1


def test_nft_malformed() -> None:
    assert fw.parse_nft_json("").error == "empty output"
    assert fw.parse_nft_json("{").error is not None
    assert fw.parse_nft_json('{"foo": 1}').error == "no 'nftables' list"
    assert fw.parse_nft_json("[" * 100_000 + "]" * 100_000).error is not None
    rs = fw.parse_nft_json('{"nftables": [1, "x", {"rule": {"expr": "nope"}}, {"chain": null}]}')
    assert rs.error is None and fw.evaluate_nft(rs, fw.Packet()) == []


# -- Windows Firewall --------------------------------------------------------------------------

def test_powershell_json_and_single_objects() -> None:
    value, err = fw.parse_powershell_json('\ufeffWARNING: something\r\n{"rules": {"Name": "x"}}')
    assert err is None and fw.as_list(value["rules"]) == [{"Name": "x"}]
    assert fw.parse_powershell_json("")[1] == "empty output"
    assert fw.parse_powershell_json("no json here")[1] == "no JSON in the output"
    assert fw.parse_powershell_json("{oops")[1] is not None
    assert fw.as_list(None) == [] and fw.as_list([1]) == [1]


def test_windows_address_forms() -> None:
    ws = "168.63.129.16"
    assert fw.win_address_covers(["Any"], ws) is True
    assert fw.win_address_covers("168.63.129.16", ws) is True
    assert fw.win_address_covers(["168.63.129.16/255.255.255.255"], ws) is True
    assert fw.win_address_covers(["168.63.0.0/16"], ws) is True
    assert fw.win_address_covers(["168.63.129.1-168.63.129.20"], ws) is True
    assert fw.win_address_covers(["10.0.0.0/8", "fe80::/64"], ws) is False
    assert fw.win_address_covers(["LocalSubnet"], ws) is False
    assert fw.win_address_covers(["DHCP"], ws) is None
    assert fw.win_address_covers(["Internet"], ws) is None
    assert fw.win_address_covers([], ws) is True


def test_windows_ports_protocol_program_service() -> None:
    assert fw.win_ports_cover(["Any"], 80) is True
    assert fw.win_ports_cover(["80", "443"], 80) is True
    assert fw.win_ports_cover(["1-1024"], 32526) is False
    assert fw.win_ports_cover(["RPC"], 80) is False
    assert fw.win_protocol_tcp("TCP") and fw.win_protocol_tcp("6") and fw.win_protocol_tcp("Any")
    assert fw.win_protocol_tcp("UDP") is False
    assert fw.win_program_is_agent("Any") is True
    assert fw.win_program_is_agent(r"C:\WindowsAzure\GuestAgent_2.7.41491.1102\WindowsAzureGuestAgent.exe") is True
    assert fw.win_program_is_agent(r"C:\Program Files\App\app.exe") is False
    assert fw.win_service_is_agent("RdAgent") is True and fw.win_service_is_agent("Spooler") is False


def test_windows_local_user_sddl() -> None:
    # The kubernetes image-builder rule (facts §3.4): block everyone except SYSTEM and a group.
    cve = "O:LSD:(D;;CC;;;S-1-5-18)(D;;CC;;;S-1-5-21-1-2-3-1001)(A;;CC;;;S-1-1-0)"
    assert fw.sddl_applies_to_system(cve) is False
    assert fw.sddl_applies_to_system("O:LSD:(A;;CC;;;WD)") is True
    assert fw.sddl_applies_to_system("O:LSD:(A;;CC;;;S-1-5-21-1-2-3-1001)") is False
    assert fw.sddl_applies_to_system("Any") is True
    assert fw.sddl_applies_to_system("garbage") is None


def test_windows_rule_applies_and_names() -> None:
    raw = {"Name": "{abc}", "DisplayName": "Block outbound traffic to 168.63.129.16", "Action": 4, "Profile": 0,
           "RemoteAddress": "168.63.129.16", "Protocol": "Any", "RemotePort": "Any", "Program": "Any",
           "Service": "Any", "LocalUser": "Any", "PolicyStoreSourceType": "Local"}
    r = fw.normalise_win_rule(raw)
    assert r is not None and r["action"] == "Block" and r["remote_address"] == ["168.63.129.16"]
    applies, parts = fw.win_rule_applies(r, "168.63.129.16", 80, ["Public"])
    assert applies is True and all(parts.values())
    assert fw.is_known_bad_name(r)
    assert fw.win_profiles("Domain, Private") == ["Domain", "Private"]
    assert fw.win_profiles(4) == ["Public"] and fw.win_profiles("Any") is None
    private_only = dict(r, profile="Private")
    assert fw.win_rule_applies(private_only, "168.63.129.16", 80, ["Public"])[0] is False
    assert fw.normalise_win_rule("x") is None


# -- hostile input ---------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000))
def test_iptables_text_never_raises(text: str) -> None:
    table = fw.parse_iptables_save(text, "filter")
    fw.evaluate_iptables(table, fw.Packet())
    fw.ipt_agent_rules(table)
    fw.parse_nft_json(text)
    fw.parse_powershell_json(text)
    fw.win_address_covers(text, "168.63.129.16")
    fw.win_ports_cover(text, 80)
    fw.sddl_applies_to_system(text)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
                         st.sampled_from(["match", "op", "left", "right", "payload", "protocol", "field", "meta",
                                          "key", "drop", "accept", "jump", "target", "set", "prefix", "range",
                                          "addr", "len", "ct", "elem", "val", "xt", "type"]), inner, max_size=5),
                     max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(_json, max_size=6), st.sampled_from(["accept", "drop", None, 3]))
def test_nft_hostile_structures_never_raise(exprs: list[Any], policy: Any) -> None:
    doc = {"nftables": [{"chain": {"family": "inet", "table": "t", "name": "o", "hook": "output", "policy": policy}},
                        {"rule": {"family": "inet", "table": "t", "chain": "o", "expr": exprs}},
                        {"rule": {"family": "inet", "table": "t", "chain": "o", "expr": [{"jump": {"target": "o"}}]}}]}
    rs = fw.parse_nft_json(json.dumps(doc))
    for _, walk in fw.evaluate_nft(rs, fw.Packet()):
        assert walk.outcome in ("accepted", "blocked", "maybe_blocked")
    fw.nft_agent_rules(rs)
    fw.normalise_win_rule({k: v for k, v in enumerate(exprs)})


def test_huge_rule_sets_are_bounded() -> None:
    start = time.monotonic()
    chains = "".join(f"-N c{i}\n-A OUTPUT -j c{i}\n-A c{i} -m mark --mark {i} -j c{i + 1}\n" for i in range(3000))
    walk = ipt("-P OUTPUT ACCEPT\n" + chains)
    assert walk.outcome in ("accepted", "maybe_blocked")
    many = "".join(f"-A OUTPUT -d 10.{i // 250}.{i % 250}.1/32 -j DROP\n" for i in range(25_000))
    assert ipt(many).outcome == "accepted"
    assert time.monotonic() - start < 20


def test_unicode_digits_are_not_numbers() -> None:
    assert fw.win_ports_cover("²", 80) is False
    assert ipt("-A OUTPUT -p tcp --dport ² -j DROP\n").outcome == "maybe_blocked"
    assert ipt("-A OUTPUT -m owner --uid-owner ٠ -j DROP\n").outcome == "accepted"


def test_iptables_output_that_is_not_rules_is_a_problem_not_an_empty_table() -> None:
    save = "*security\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
    assert fw.iptables_problem(fw.parse_iptables_save(save, "security"), save) is None
    usage = "Usage: iptables -[ACD] chain rule-specification [options]\n"
    table = fw.parse_iptables_save(usage, "filter")
    problem = fw.iptables_problem(table, usage)
    assert problem is not None and problem["error_msg"]["id"] == "the output has no policy, chain or rule line"
    mixed = "-P OUTPUT ACCEPT\nnonsense here\n-A OUTPUT -j ACCEPT\nmore nonsense\n"
    table = fw.parse_iptables_save(mixed, "filter")
    assert (table.recognised, table.unparsed_count, table.unparsed) == (2, 2, ["nonsense here", "more nonsense"])
    assert fw.iptables_problem(table, mixed) == {
        "error": "2 lines of the output are not policy, chain or rule lines",
        "error_msg": {"id": "{count} lines of the output are not policy, chain or rule lines", "params": {"count": 2}}}
    assert fw.parse_nft_json("[1]").error_msg == {"id": "no 'nftables' list", "params": {}}
