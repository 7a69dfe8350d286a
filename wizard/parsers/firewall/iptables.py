"""`iptables -S` (one table) parsed, its rules matched against the packet and walked; the Linux agent's
own iptables rules recognised.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import N_
from wizard.parsers.firewall.common import (
    MAX_RULES,
    MAX_TEXT,
    WIRESERVER,
    Packet,
    Tri,
    _and,
    _any,
    _digits,
    _in_address,
    _not,
    _port_in,
)
from wizard.parsers.firewall.walk import _TERMINAL_BLOCK, Step, Walk, walk_chain
from wizard.probes.base import error_fields

# =========================================================================================
# iptables -S
# =========================================================================================

@dataclass
class IptRule:
    """One `-A CHAIN ...` line of `iptables -S`."""

    table: str
    chain: str
    index: int
    text: str
    opts: list[tuple[str, bool, list[str]]] = field(default_factory=list)
    target: str | None = None
    goto: bool = False

    def ref(self) -> dict[str, Any]:
        return {"kind": "iptables", "table": self.table, "chain": self.chain, "index": self.index,
                "text": self.text, "agent_kind": ipt_agent_rule_kind(self)}

    def first(self, *names: str) -> tuple[bool, list[str]] | None:
        for name, neg, args in self.opts:
            if name in names:
                return neg, args
        return None


@dataclass
class IptTable:
    table: str
    policies: dict[str, str] = field(default_factory=dict)
    chains: dict[str, list[IptRule]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rule_count: int = 0
    recognised: int = 0  # policy, chain and rule lines read
    unparsed: list[str] = field(default_factory=list)  # the first lines that are none of those
    unparsed_count: int = 0


MAX_UNPARSED_SAMPLES = 5


def iptables_problem(table: IptTable, text: str) -> dict[str, Any] | None:
    """Why `iptables -S` output cannot be trusted as the whole rule set (error fields), or None when it can.

    `iptables -S` always prints the built-in chains' policies, so output without a single policy,
    chain or rule line, or with lines of another kind, was not understood: the rules are unknown,
    which is never the same as "no rules".
    """
    if not isinstance(text, str) or not text.strip():
        return error_fields(N_("iptables printed nothing"))
    if table.recognised == 0:
        return error_fields(N_("the output has no policy, chain or rule line"))
    if table.unparsed_count:
        return error_fields(N_("{count} lines of the output are not policy, chain or rule lines"),
                            count=table.unparsed_count)
    return None


def _tokens(line: str) -> list[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError:
        return line.split()


def parse_iptables_save(text: str, table: str) -> IptTable:
    """Parse `iptables [-t table] -S` output (also accepts `iptables-save` rule lines)."""
    out = IptTable(table)
    if not isinstance(text, str):
        return out
    for raw in text[:MAX_TEXT].splitlines():
        line = raw.strip()
        if not line or line.startswith(("*", ":", "COMMIT")):
            out.recognised += bool(line)
            if line.startswith(":") and " " in line:
                name, policy = line[1:].split(" ", 1)
                if policy.split(" ")[0] in ("ACCEPT", "DROP"):
                    out.policies[name] = policy.split(" ")[0]
                out.chains.setdefault(name, [])
            continue
        if line.startswith("#"):
            out.warnings.append(line[:300])
            continue
        toks = _tokens(line)
        if len(toks) >= 3 and toks[0] == "-P":
            out.policies[toks[1]] = toks[2]
            out.chains.setdefault(toks[1], [])
        elif len(toks) >= 2 and toks[0] == "-N":
            out.chains.setdefault(toks[1], [])
        elif len(toks) >= 2 and toks[0] == "-A":
            if out.rule_count < MAX_RULES:
                chain = toks[1]
                rules = out.chains.setdefault(chain, [])
                rule = IptRule(table, chain, len(rules) + 1, line[:1000])
                _parse_ipt_opts(rule, toks[2:])
                rules.append(rule)
                out.rule_count += 1
        else:
            out.unparsed_count += 1
            if len(out.unparsed) < MAX_UNPARSED_SAMPLES:
                out.unparsed.append(line[:300])
            continue
        out.recognised += 1
    return out


def _parse_ipt_opts(rule: IptRule, toks: list[str]) -> None:
    i = 0
    negate = False
    while i < len(toks):
        tok = toks[i]
        if tok == "!":
            negate = True
            i += 1
            continue
        if tok in ("-j", "--jump", "-g", "--goto"):
            rule.target = toks[i + 1] if i + 1 < len(toks) else None
            rule.goto = tok in ("-g", "--goto")
            return  # target options follow; they do not decide a match
        if tok.startswith("-"):
            args: list[str] = []
            j = i + 1
            while j < len(toks) and not toks[j].startswith("-") and toks[j] != "!":
                args.append(toks[j])
                j += 1
            if tok in ("-c", "--set-counters"):
                j = min(len(toks), i + 3)
                args = []
            rule.opts.append((tok, negate, args))
            negate = False
            i = j
            continue
        i += 1


_IPT_IGNORED = frozenset({"-m", "--match", "-c", "--set-counters", "--comment", "--suppl-groups",
                          "-w", "--wait"})
_IPT_UNKNOWN_SOURCE = frozenset({"-s", "--source", "--src", "--sport", "--source-port", "--sports",
                                 "--source-ports", "--src-range", "--gid-owner", "-i", "--in-interface",
                                 "--mark", "--match-set", "--limit", "--limit-burst", "--ctorigsrc",
                                 "--tcp-flags"})


def _uid_spec(spec: str, uid: int) -> Tri:
    spec = spec.strip()
    if "-" in spec:
        lo, _, hi = spec.partition("-")
        if _digits(lo) and _digits(hi):
            return int(lo) <= uid <= int(hi)
        return None
    if _digits(spec):
        return int(spec) == uid
    if spec == "root":
        return uid == 0
    return False if uid == 0 else None


def _ipt_opt_matches(name: str, args: list[str], pkt: Packet) -> Tri:
    arg = args[0] if args else ""
    if name in _IPT_IGNORED:
        return True
    if name in ("-d", "--destination", "--dst"):
        return _any([_in_address(a, pkt.dst) for a in arg.split(",")]) if arg else None
    if name in ("-p", "--protocol"):
        p = arg.lower()
        return True if p in ("all", "0") else p in (pkt.proto, "6") if p else None
    if name in ("--dport", "--destination-port"):
        return _port_in(arg, pkt.port)
    if name in ("--dports", "--destination-ports", "--ports"):
        hit = _any([_port_in(a, pkt.port) for a in arg.split(",")]) if arg else None
        return None if name == "--ports" and hit is False else hit
    if name == "--uid-owner":
        return _uid_spec(arg, pkt.uid)
    if name == "--socket-exists":
        return True
    if name in ("--ctstate", "--state"):
        return pkt.state.upper() in [s.strip().upper() for s in arg.split(",")] if arg else None
    if name == "--ctdir":
        return arg.upper() == "ORIGINAL"
    if name in ("-o", "--out-interface"):
        return False if arg in ("lo", "lo+") else None
    if name in ("-f", "--fragment"):
        return False
    if name == "--syn":
        return True
    if name == "--dst-range":
        return _in_address(arg, pkt.dst)
    if name == "--dst-type":
        types = {t.upper() for t in arg.split(",")}
        return True if "UNICAST" in types else False if types <= {"LOCAL", "BROADCAST", "MULTICAST"} else None
    if name in _IPT_UNKNOWN_SOURCE:
        return None
    return None


def ipt_rule_matches(rule: IptRule, pkt: Packet) -> Tri:
    """Whether the rule's conditions match the packet (three-valued)."""
    results: list[Tri] = []
    proto = rule.first("-p", "--protocol")
    for name, neg, args in rule.opts:
        if name in ("--dport", "--destination-port", "--dports", "--destination-ports") and proto is None:
            results.append(None)  # a port match without -p cannot appear in valid iptables output
            continue
        value = _ipt_opt_matches(name, args, pkt)
        results.append(_not(value) if neg else value)
    return _and(results)


def _ipt_step(rule: IptRule, pkt: Packet, chains: dict[str, list[IptRule]]) -> Step:
    target = rule.target
    if target is None:
        action = "continue"
    elif target == "ACCEPT":
        action = "accept"
    elif target in _TERMINAL_BLOCK:
        action = "drop"
    elif target == "RETURN":
        action = "return"
    elif target in chains:
        action = "goto" if rule.goto else "jump"
    elif target in ("QUEUE", "NFQUEUE"):
        action = "unknown"
    else:
        action = "continue"  # LOG, MARK, CONNMARK, ... do not end the walk
    return Step(ipt_rule_matches(rule, pkt), action, target, rule.ref())


def evaluate_iptables(table: IptTable, pkt: Packet, chain: str = "OUTPUT") -> Walk | None:
    """Walk `chain` of one parsed table for the packet; None when the table has no such chain."""
    if chain not in table.chains and chain not in table.policies:
        return None

    def steps(name: str) -> list[Step] | None:
        rules = table.chains.get(name)
        return None if rules is None else [_ipt_step(r, pkt, table.chains) for r in rules]

    return walk_chain(steps, chain, table.policies.get(chain, "ACCEPT"))


def _is_wireserver_dst(rule: IptRule, wireserver: str = WIRESERVER) -> bool:
    d = rule.first("-d", "--destination", "--dst")
    return d is not None and not d[0] and bool(d[1]) and d[1][0] in (wireserver, wireserver + "/32")


def ipt_agent_rule_kind(rule: IptRule, wireserver: str = WIRESERVER) -> str | None:
    """`dns_accept`, `root_accept`, `drop` or `legacy_accept` for the agent's own rules (for the Wire Server at
    `wireserver`: the address the agent uses, 168.63.129.16 on Azure)."""
    if not _is_wireserver_dst(rule, wireserver):
        return None
    proto = rule.first("-p", "--protocol")
    if proto is None or proto[0] or not proto[1] or proto[1][0].lower() not in ("tcp", "6"):
        return None
    dport = rule.first("--dport", "--destination-port")
    owner = rule.first("--uid-owner")
    state = rule.first("--ctstate", "--state")
    states = {s.upper() for s in state[1][0].split(",")} if state and state[1] and not state[0] else set()
    if rule.target == "ACCEPT" and dport and not dport[0] and dport[1] == ["53"]:
        return "dns_accept"
    if rule.target == "ACCEPT" and owner and not owner[0] and owner[1] and owner[1][0] in ("0", "root"):
        return "root_accept"
    if rule.target == "DROP" and states == {"INVALID", "NEW"} and owner is None:
        return "drop"
    if rule.target == "ACCEPT" and states == {"INVALID", "NEW"} and owner is None:
        return "legacy_accept"
    return None


def ipt_agent_rules(table: IptTable, chain: str = "OUTPUT", wireserver: str = WIRESERVER) -> dict[str, Any]:
    """Which of the agent's rules are in `chain`, at which positions, in the right order."""
    found: dict[str, int] = {}
    for rule in table.chains.get(chain, []):
        kind = ipt_agent_rule_kind(rule, wireserver)
        if kind and kind not in found:
            found[kind] = rule.index
    complete = all(k in found for k in ("dns_accept", "root_accept", "drop"))
    ordered = complete and found["root_accept"] < found["drop"] and found["dns_accept"] < found["drop"]
    return {"positions": found, "complete": complete, "ordered": ordered,
            "legacy_accept": "legacy_accept" in found}
