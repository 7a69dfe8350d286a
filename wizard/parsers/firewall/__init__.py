"""Firewall rules as text, and whether they let root / SYSTEM reach the Wire Server.

Three inputs, each parsed by a pure function that never raises and stays bounded:
- `iptables -S` (one table): policies, chains and rules, with the options that matter for a
  packet from root to 168.63.129.16 (destination, protocol, ports, owner, conntrack state,
  output interface); anything else in a rule is *unknown*;
- `nft --json list ruleset` (or `list table`): tables, chains, rules and named sets;
- PowerShell's `ConvertTo-Json` of Windows Firewall rules and profiles.

Evaluation is three-valued: a rule matches (True), does not (False) or may (None: it uses a
condition we cannot decide, such as a source address or a mark). A path that reaches a
verdict only past a *may* is reported as `maybe_blocked`, never as blocked or fine. Chains are
walked the way netfilter does (jump/goto/return, built-in policies), with a depth limit so a
malformed loop cannot hang us.

The Linux agent's own rules (WALinuxAgent firewall_manager.py; facts §2.1, §2.3) are
recognised: iptables security table `tcp dport 53 ACCEPT`, `owner UID 0 ACCEPT`,
`ctstate INVALID,NEW DROP` (and the pre-2.2.26 `ctstate INVALID,NEW ACCEPT`), and the nft table
`walinuxagent` with its single drop rule (`daddr 168.63.129.16`, `dport != 53`, `skuid != 0`).
"""

from __future__ import annotations

from wizard.parsers.firewall.common import IMDS, MAX_DEPTH, MAX_RULES, MAX_STEPS, MAX_TEXT, WIRESERVER, Packet, Tri
from wizard.parsers.firewall.iptables import (
    MAX_UNPARSED_SAMPLES,
    IptRule,
    IptTable,
    evaluate_iptables,
    ipt_agent_rule_kind,
    ipt_agent_rules,
    ipt_rule_matches,
    iptables_problem,
    parse_iptables_save,
)
from wizard.parsers.firewall.nftables import (
    NftChain,
    NftRule,
    NftRuleset,
    describe_nft_rule,
    evaluate_nft,
    merge_nft,
    nft_agent_rules,
    parse_nft_json,
)
from wizard.parsers.firewall.walk import Step, Walk, walk_chain
from wizard.parsers.firewall.windows import (
    AGENT_PROGRAMS,
    AGENT_SERVICES,
    KNOWN_BAD_RULE_NAMES,
    SYSTEM_PRINCIPALS,
    as_list,
    is_known_bad_name,
    normalise_win_rule,
    parse_powershell_json,
    sddl_applies_to_system,
    win_action,
    win_address_covers,
    win_category,
    win_enabled,
    win_interface_applies,
    win_ports_cover,
    win_profiles,
    win_program_is_agent,
    win_protocol_tcp,
    win_rule_applies,
    win_service_is_agent,
)

__all__ = [
    "AGENT_PROGRAMS",
    "AGENT_SERVICES",
    "IMDS",
    "KNOWN_BAD_RULE_NAMES",
    "MAX_DEPTH",
    "MAX_RULES",
    "MAX_STEPS",
    "MAX_TEXT",
    "MAX_UNPARSED_SAMPLES",
    "SYSTEM_PRINCIPALS",
    "WIRESERVER",
    "IptRule",
    "IptTable",
    "NftChain",
    "NftRule",
    "NftRuleset",
    "Packet",
    "Step",
    "Tri",
    "Walk",
    "as_list",
    "describe_nft_rule",
    "evaluate_iptables",
    "evaluate_nft",
    "ipt_agent_rule_kind",
    "ipt_agent_rules",
    "ipt_rule_matches",
    "iptables_problem",
    "is_known_bad_name",
    "merge_nft",
    "nft_agent_rules",
    "normalise_win_rule",
    "parse_iptables_save",
    "parse_nft_json",
    "parse_powershell_json",
    "sddl_applies_to_system",
    "walk_chain",
    "win_action",
    "win_address_covers",
    "win_category",
    "win_enabled",
    "win_interface_applies",
    "win_ports_cover",
    "win_profiles",
    "win_program_is_agent",
    "win_protocol_tcp",
    "win_rule_applies",
    "win_service_is_agent",
]
