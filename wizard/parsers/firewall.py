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

import ipaddress
import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import error_fields

WIRESERVER = "168.63.129.16"
IMDS = "169.254.169.254"
MAX_TEXT = 4 * 1024 * 1024
MAX_RULES = 20_000
MAX_DEPTH = 24
MAX_STEPS = 200_000

Tri = bool | None


@dataclass(frozen=True)
class Packet:
    """The connection under test: a new TCP connection from `uid` to `dst`:`port`."""

    dst: str = WIRESERVER
    port: int = 80
    uid: int = 0
    proto: str = "tcp"
    state: str = "new"


def _digits(text: str) -> bool:
    """ASCII digits only (`"²".isdigit()` is True, but int() refuses it)."""
    return text.isascii() and text.isdigit()


def _and(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _not(value: Tri) -> Tri:
    return None if value is None else not value


def _ipv4(text: Any) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(str(text).strip())
    except ValueError:
        return None


def _network(text: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except ValueError:
        return None


def _in_address(spec: str, ip: str) -> Tri:
    """`a.b.c.d`, `a.b.c.d/len`, `a.b.c.d/m.m.m.m` or `a-b` (IPv4) containing `ip`."""
    target = _ipv4(ip)
    if target is None:
        return None
    spec = spec.strip()
    if "-" in spec:
        lo, _, hi = spec.partition("-")
        a, b = _ipv4(lo), _ipv4(hi)
        if a is None or b is None:
            return False if ":" in spec else None
        return a <= target <= b
    if "/" in spec:
        net = _network(spec)
        if net is None:
            return False if ":" in spec else None
        return target in net
    addr = _ipv4(spec)
    if addr is None:
        return False if ":" in spec else None
    return addr == target


def _port_in(spec: str, port: int, sep: str = ":") -> Tri:
    spec = spec.strip()
    if sep in spec:
        lo, _, hi = spec.partition(sep)
        lo, hi = lo.strip() or "0", hi.strip() or "65535"
        if _digits(lo) and _digits(hi):
            return int(lo) <= port <= int(hi)
        return None
    if _digits(spec):
        return int(spec) == port
    return None


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


def _any(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


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


# =========================================================================================
# Generic chain walk
# =========================================================================================

@dataclass
class Step:
    """A rule as the walker sees it: does it match, and what it does."""

    match: Tri
    action: str  # accept | drop | return | jump | goto | continue | unknown
    target: str | None
    ref: dict[str, Any]


@dataclass
class Walk:
    """The outcome of walking one base chain (or a whole table)."""

    decision: str  # accept | drop
    by: dict[str, Any] | None  # the deciding rule; None = the chain's policy
    policy: str | None = None
    maybe_blocks: list[dict[str, Any]] = field(default_factory=list)
    maybe_accepts: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    @property
    def outcome(self) -> str:
        """accepted | blocked | maybe_blocked."""
        if self.decision == "drop":
            return "maybe_blocked" if self.maybe_accepts else "blocked"
        return "maybe_blocked" if self.maybe_blocks else "accepted"


_TERMINAL_BLOCK = frozenset({"DROP", "REJECT", "drop", "reject"})


class _Walker:
    def __init__(self, chains: Callable[[str], list[Step] | None]) -> None:
        self.chains = chains
        self.steps = 0
        self.truncated = False
        self.maybe_blocks: list[dict[str, Any]] = []
        self.maybe_accepts: list[dict[str, Any]] = []

    def walk(self, chain: str, depth: int) -> tuple[str, dict[str, Any] | None]:
        """-> (accept | drop | return | fall, the deciding rule's ref)."""
        rules = self.chains(chain)
        if rules is None or depth > MAX_DEPTH:
            self.truncated = self.truncated or depth > MAX_DEPTH
            return "fall", None
        for step in rules:
            self.steps += 1
            if self.steps > MAX_STEPS:
                self.truncated = True
                return "fall", None
            if step.match is False or step.action == "continue":
                continue
            if step.match is None:
                self._maybe(step, depth)
                continue
            if step.action in ("accept", "drop"):
                return step.action, step.ref
            if step.action == "unknown":
                self.maybe_blocks.append(step.ref)
                continue
            if step.action == "return":
                return "return", step.ref
            if step.action in ("jump", "goto") and step.target:
                res, ref = self.walk(step.target, depth + 1)
                if res in ("accept", "drop"):
                    return res, ref
                if step.action == "goto":
                    return "return", ref
        return "fall", None

    def _maybe(self, step: Step, depth: int) -> None:
        if step.action in ("drop", "unknown"):
            self.maybe_blocks.append(step.ref)
        elif step.action == "accept":
            self.maybe_accepts.append(step.ref)
        elif step.action in ("jump", "goto") and step.target:
            sub = _Walker(self.chains)
            sub.steps = self.steps
            res, ref = sub.walk(step.target, depth + 1)
            self.steps = sub.steps
            self.truncated = self.truncated or sub.truncated
            if res == "drop" or sub.maybe_blocks:
                self.maybe_blocks.append(ref or step.ref)
            if res == "accept" or sub.maybe_accepts:
                self.maybe_accepts.append(ref or step.ref)


def walk_chain(chains: Callable[[str], list[Step] | None], start: str, policy: str | None) -> Walk:
    """Walk a base chain; falling off its end (or returning) applies `policy`."""
    w = _Walker(chains)
    res, ref = w.walk(start, 0)
    if res in ("accept", "drop"):
        return Walk(res, ref, policy, w.maybe_blocks, w.maybe_accepts, w.truncated)
    decision = "drop" if (policy or "accept").lower() == "drop" else "accept"
    return Walk(decision, None, policy, w.maybe_blocks, w.maybe_accepts, w.truncated)


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


def _is_wireserver_dst(rule: IptRule) -> bool:
    d = rule.first("-d", "--destination", "--dst")
    return d is not None and not d[0] and bool(d[1]) and d[1][0] in (WIRESERVER, WIRESERVER + "/32")


def ipt_agent_rule_kind(rule: IptRule) -> str | None:
    """`dns_accept`, `root_accept`, `drop` or `legacy_accept` for the agent's own rules."""
    if not _is_wireserver_dst(rule):
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


def ipt_agent_rules(table: IptTable, chain: str = "OUTPUT") -> dict[str, Any]:
    """Which of the agent's rules are in `chain`, at which positions, in the right order."""
    found: dict[str, int] = {}
    for rule in table.chains.get(chain, []):
        kind = ipt_agent_rule_kind(rule)
        if kind and kind not in found:
            found[kind] = rule.index
    complete = all(k in found for k in ("dns_accept", "root_accept", "drop"))
    ordered = complete and found["root_accept"] < found["drop"] and found["dns_accept"] < found["drop"]
    return {"positions": found, "complete": complete, "ordered": ordered,
            "legacy_accept": "legacy_accept" in found}


# =========================================================================================
# nftables JSON
# =========================================================================================

@dataclass
class NftRule:
    family: str
    table: str
    chain: str
    handle: Any
    index: int
    expr: list[Any]

    def ref(self) -> dict[str, Any]:
        return {"kind": "nft", "family": self.family, "table": self.table, "chain": self.chain,
                "handle": self.handle, "index": self.index, "text": describe_nft_rule(self.expr)}


@dataclass
class NftChain:
    family: str
    table: str
    name: str
    hook: str | None
    prio: Any
    policy: str | None
    type: str | None
    rules: list[NftRule] = field(default_factory=list)


@dataclass
class NftRuleset:
    tables: list[tuple[str, str]] = field(default_factory=list)
    chains: dict[tuple[str, str, str], NftChain] = field(default_factory=dict)
    sets: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)
    version: str | None = None
    error: str | None = None
    error_msg: dict[str, Any] | None = None
    rule_count: int = 0

    def fail(self, fields: dict[str, Any]) -> NftRuleset:
        """Record why the output is not a ruleset (`error_fields`)."""
        self.error, self.error_msg = fields["error"], fields["error_msg"]
        return self


def parse_nft_json(text: str) -> NftRuleset:
    """Parse `nft --json list ruleset|tables|table ...` output; `error` set when it is not that."""
    out = NftRuleset()
    if not isinstance(text, str) or not text.strip():
        return out.fail(error_fields(N_("empty output")))
    if len(text) > MAX_TEXT:
        return out.fail(error_fields(N_("the output is too large ({size} characters)"), size=len(text)))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return out.fail(error_fields(N_("not JSON: {detail}"), detail=str(exc)[:200]))
    items = data.get("nftables") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return out.fail(error_fields(N_("no 'nftables' list")))
    pending: list[dict[str, Any]] = []
    for item in items[:MAX_RULES * 2]:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("metainfo"), dict):
            out.version = str(item["metainfo"].get("version") or "")[:40] or None
        t = item.get("table")
        if isinstance(t, dict):
            out.tables.append((str(t.get("family") or ""), str(t.get("name") or "")))
        c = item.get("chain")
        if isinstance(c, dict):
            key = (str(c.get("family") or ""), str(c.get("table") or ""), str(c.get("name") or ""))
            hook = c.get("hook")
            out.chains[key] = NftChain(*key, str(hook) if hook else None, c.get("prio"),
                                       str(c["policy"]) if c.get("policy") else None,
                                       str(c["type"]) if c.get("type") else None)
        s = item.get("set")
        if isinstance(s, dict):
            key = (str(s.get("family") or ""), str(s.get("table") or ""), str(s.get("name") or ""))
            elems = s.get("elem")
            out.sets[key] = elems[:10_000] if isinstance(elems, list) else []
        r = item.get("rule")
        if isinstance(r, dict) and out.rule_count < MAX_RULES:
            pending.append(r)
            out.rule_count += 1
    for r in pending:
        key = (str(r.get("family") or ""), str(r.get("table") or ""), str(r.get("chain") or ""))
        chain = out.chains.get(key)
        if chain is None:
            chain = out.chains[key] = NftChain(*key, None, None, None, None)
        raw_expr = r.get("expr")
        expr: list[Any] = raw_expr if isinstance(raw_expr, list) else []
        chain.rules.append(NftRule(*key, r.get("handle"), len(chain.rules) + 1, expr[:200]))
    return out


def merge_nft(parts: list[NftRuleset]) -> NftRuleset:
    """One ruleset from several `nft --json list table ...` outputs (errors kept from the first)."""
    out = NftRuleset()
    for rs in parts:
        out.tables += [t for t in rs.tables if t not in out.tables]
        for key, chain in rs.chains.items():
            out.chains.setdefault(key, chain)
        out.sets.update(rs.sets)
        out.version = out.version or rs.version
        if out.error is None and rs.error is not None:
            out.error, out.error_msg = rs.error, rs.error_msg
        out.rule_count += rs.rule_count
    return out


def _unwrap_elem(value: Any) -> Any:
    if isinstance(value, dict) and "elem" in value and isinstance(value["elem"], dict):
        return value["elem"].get("val")
    return value


def _nft_left_kind(left: Any) -> tuple[str, str | None]:
    """('daddr'|'saddr'|'dport'|'sport'|'l4proto'|'skuid'|'skgid'|'oif'|'ctstate'|'ctdir'|
    'nfproto'|'wrongproto'|'unknown', detail)."""
    if not isinstance(left, dict):
        return "unknown", None
    p = left.get("payload")
    if isinstance(p, dict):
        proto = str(p.get("protocol") or "")
        fld = str(p.get("field") or "")
        if proto == "ip":
            return {"daddr": "daddr", "saddr": "saddr", "protocol": "l4proto"}.get(fld, "unknown"), None
        if proto in ("tcp", "th"):
            return {"dport": "dport", "sport": "sport"}.get(fld, "unknown"), None
        if proto in ("udp", "udplite", "sctp", "dccp", "icmp", "ip6", "icmpv6", "arp", "vlan"):
            return "wrongproto", proto
        return "unknown", None
    m = left.get("meta")
    if isinstance(m, dict):
        key = str(m.get("key") or "")
        return {"l4proto": "l4proto", "skuid": "skuid", "skgid": "skgid", "oifname": "oif", "oif": "oif",
                "nfproto": "nfproto"}.get(key, "unknown"), key
    ct = left.get("ct")
    if isinstance(ct, dict):
        key = str(ct.get("key") or "")
        return {"state": "ctstate", "direction": "ctdir"}.get(key, "unknown"), key
    return "unknown", None


def _nft_scalar_eq(kind: str, right: Any, pkt: Packet) -> Tri:
    if isinstance(right, dict):
        if "prefix" in right and isinstance(right["prefix"], dict):
            pre = right["prefix"]
            if kind == "daddr":
                return _in_address(f"{pre.get('addr')}/{pre.get('len')}", pkt.dst)
            return None
        if "range" in right and isinstance(right["range"], list) and len(right["range"]) == 2:
            lo, hi = right["range"]
            if kind == "daddr":
                return _in_address(f"{lo}-{hi}", pkt.dst)
            if kind in ("dport", "skuid"):
                value = pkt.port if kind == "dport" else pkt.uid
                try:
                    return int(lo) <= value <= int(hi)
                except (TypeError, ValueError):
                    return None
            return None
        return None
    if kind == "daddr":
        return _in_address(str(right), pkt.dst)
    if kind == "dport":
        try:
            return int(right) == pkt.port
        except (TypeError, ValueError):
            return None
    if kind == "skuid":
        if right == "root":
            return pkt.uid == 0
        try:
            return int(right) == pkt.uid
        except (TypeError, ValueError):
            return False if pkt.uid == 0 else None
    if kind == "l4proto":
        return str(right).lower() in (pkt.proto, "6")
    if kind == "nfproto":
        return str(right).lower() in ("ipv4", "ip", "2")
    if kind == "ctstate":
        return str(right).lower() == pkt.state
    if kind == "ctdir":
        return str(right).lower() == "original"
    if kind == "oif":
        return False if str(right) in ("lo", "1") else None
    return None


def _nft_contains(kind: str, right: Any, pkt: Packet, family: str, table: str,
                  sets: dict[tuple[str, str, str], list[Any]]) -> Tri:
    if isinstance(right, str) and right.startswith("@"):
        elems = sets.get((family, table, right[1:]))
        if not elems:
            return None
        return _any([_nft_scalar_eq(kind, _unwrap_elem(e), pkt) for e in elems[:10_000]])
    if isinstance(right, dict) and "set" in right:
        elems = right["set"] if isinstance(right["set"], list) else [right["set"]]
        return _any([_nft_scalar_eq(kind, _unwrap_elem(e), pkt) for e in elems[:10_000]])
    if isinstance(right, list):
        return _any([_nft_scalar_eq(kind, _unwrap_elem(e), pkt) for e in right[:10_000]])
    return _nft_scalar_eq(kind, right, pkt)


def _nft_match(m: dict[str, Any], pkt: Packet, family: str, table: str,
               sets: dict[tuple[str, str, str], list[Any]]) -> Tri:
    kind, _ = _nft_left_kind(m.get("left"))
    if kind == "wrongproto":
        return False
    if kind in ("unknown", "saddr", "sport", "skgid"):
        return None
    op = str(m.get("op") or "==")
    right = m.get("right")
    if op in ("==", "in"):
        return _nft_contains(kind, right, pkt, family, table, sets)
    if op == "!=":
        return _not(_nft_contains(kind, right, pkt, family, table, sets))
    if op in ("<", ">", "<=", ">=") and kind in ("dport", "skuid"):
        value = pkt.port if kind == "dport" else pkt.uid
        try:
            bound = int(str(right))
        except ValueError:
            return None
        return {"<": value < bound, ">": value > bound, "<=": value <= bound, ">=": value >= bound}[op]
    return None


_NFT_IGNORED_STMTS = frozenset({"counter", "log", "comment", "mangle", "notrack", "meta", "ct",
                                "limit_name", "set", "flow", "nat", "snat", "dnat", "masquerade",
                                "redirect", "tproxy", "dup", "fwd"})


def _nft_step(rule: NftRule, pkt: Packet, sets: dict[tuple[str, str, str], list[Any]]) -> Step:
    conds: list[Tri] = []
    action = "continue"
    target: str | None = None
    for e in rule.expr:
        if not isinstance(e, dict) or not e:
            continue
        key = next(iter(e))
        val = e[key]
        if key == "match" and isinstance(val, dict):
            conds.append(_nft_match(val, pkt, rule.family, rule.table, sets))
        elif key in ("accept", "drop", "reject", "return"):
            action = {"accept": "accept", "drop": "drop", "reject": "drop", "return": "return"}[key]
        elif key in ("jump", "goto") and isinstance(val, dict):
            action, target = key, str(val.get("target") or "")
        elif key in ("queue", "vmap"):
            action = "unknown"
        elif key == "xt" and isinstance(val, dict):
            if str(val.get("type") or "") == "target":
                name = str(val.get("name") or "")
                action = {"ACCEPT": "accept", "DROP": "drop", "REJECT": "drop"}.get(name, "continue")
            else:
                conds.append(None)
        elif key in ("limit", "quota", "fib", "socket", "osf", "synproxy"):
            conds.append(None)
        elif key in _NFT_IGNORED_STMTS:
            continue
    return Step(_and(conds), action, target, rule.ref())


def evaluate_nft(rs: NftRuleset, pkt: Packet, skip_tables: frozenset[tuple[str, str]] = frozenset()
                 ) -> list[tuple[NftChain, Walk]]:
    """Walk every IPv4 base chain on the output hook (family ip or inet) for the packet."""
    out: list[tuple[NftChain, Walk]] = []
    base = [c for c in rs.chains.values()
            if c.hook == "output" and c.family in ("ip", "inet") and (c.family, c.table) not in skip_tables]

    def prio_key(c: NftChain) -> float:
        try:
            return float(c.prio)
        except (TypeError, ValueError):
            return 0.0

    for chain in sorted(base, key=prio_key)[:100]:
        def steps(name: str, fam: str = chain.family, tab: str = chain.table) -> list[Step] | None:
            c = rs.chains.get((fam, tab, name))
            return None if c is None else [_nft_step(r, pkt, rs.sets) for r in c.rules]

        out.append((chain, walk_chain(steps, chain.name, chain.policy or "accept")))
    return out


def _nft_is_agent_rule(expr: list[Any]) -> bool:
    daddr = dport = skuid = drop = False
    for e in expr:
        if not isinstance(e, dict):
            continue
        m = e.get("match")
        if isinstance(m, dict):
            kind, _ = _nft_left_kind(m.get("left"))
            op, right = m.get("op"), m.get("right")
            daddr = daddr or (kind == "daddr" and op == "==" and right == WIRESERVER)
            dport = dport or (kind == "dport" and op == "!=" and right == 53)
            skuid = skuid or (kind == "skuid" and op == "!=")
        drop = drop or "drop" in e
    return daddr and dport and skuid and drop


def nft_agent_rules(rs: NftRuleset) -> dict[str, Any]:
    """Whether the agent's nft table `walinuxagent` and its drop rule are present."""
    table = any(name == "walinuxagent" for _, name in rs.tables) or any(
        c.table == "walinuxagent" for c in rs.chains.values())
    rules = [r for c in rs.chains.values() if c.table == "walinuxagent" for r in c.rules]
    return {"table": table, "rule_count": len(rules), "drop_rule": any(_nft_is_agent_rule(r.expr) for r in rules)}


def _describe_value(v: Any) -> str:
    if isinstance(v, dict):
        if "prefix" in v and isinstance(v["prefix"], dict):
            return f"{v['prefix'].get('addr')}/{v['prefix'].get('len')}"
        if "range" in v and isinstance(v["range"], list):
            return "-".join(str(x) for x in v["range"][:2])
        if "set" in v and isinstance(v["set"], list):
            return "{ " + ", ".join(_describe_value(_unwrap_elem(x)) for x in v["set"][:10]) + " }"
        return json.dumps(v)[:80]
    if isinstance(v, list):
        return ",".join(str(x) for x in v[:10])
    return str(v)


def describe_nft_rule(expr: list[Any]) -> str:
    """A short nft-like text of a rule's expressions (for evidence and messages)."""
    parts: list[str] = []
    for e in expr[:30]:
        if not isinstance(e, dict) or not e:
            continue
        key = next(iter(e))
        val = e[key]
        if key == "match" and isinstance(val, dict):
            left = val.get("left")
            name = "?"
            if isinstance(left, dict):
                for k in ("payload", "meta", "ct"):
                    if isinstance(left.get(k), dict):
                        d = left[k]
                        name = f"{d.get('protocol') or k} {d.get('field') or d.get('key') or ''}".strip()
                        break
            op = str(val.get("op") or "==")
            op_txt = "" if op in ("==", "in") else f"{op} "
            parts.append(f"{name} {op_txt}{_describe_value(val.get('right'))}")
        elif key in ("jump", "goto") and isinstance(val, dict):
            parts.append(f"{key} {val.get('target')}")
        elif key != "counter":
            parts.append(key)
    return " ".join(parts)[:500]


# =========================================================================================
# Windows Firewall (PowerShell JSON)
# =========================================================================================

def parse_powershell_json(text: str) -> tuple[Any, str | None]:
    """The JSON value in PowerShell's output (BOM, leading warnings skipped) or (None, error)."""
    if not isinstance(text, str) or not text.strip():
        return None, "empty output"
    if len(text) > MAX_TEXT:
        return None, "output too large"
    text = text.lstrip("\ufeff")
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None, "no JSON in the output"
    try:
        return json.loads(text[min(starts):]), None
    except (ValueError, RecursionError) as exc:
        return None, f"not JSON: {str(exc)[:200]}"


def as_list(value: Any) -> list[Any]:
    """PowerShell gives one object instead of a one-element array, and null for none."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


_ACTION_NUM = {0: "NotConfigured", 2: "Allow", 4: "Block"}
_PROFILE_BITS = {1: "Domain", 2: "Private", 4: "Public"}
_CATEGORY_NUM = {0: "Public", 1: "Private", 2: "Domain"}
AGENT_PROGRAMS = ("windowsazureguestagent.exe", "waappagent.exe", "iaasbcdrextension.exe")
AGENT_SERVICES = ("windowsazureguestagent", "rdagent")
SYSTEM_PRINCIPALS = frozenset({"SY", "S-1-5-18", "WD", "S-1-1-0", "AU", "S-1-5-11", "BA", "S-1-5-32-544"})
KNOWN_BAD_RULE_NAMES = ("block outbound traffic to 168.63.129.16", "block outbound traffic to 169.254.169.254")


def _str(v: Any, limit: int = 500) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)[:limit]


def win_action(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return _ACTION_NUM.get(v, str(v))
    return _str(v, 40)


def win_enabled(v: Any) -> Tri:
    """GpoBoolean/bool: True, False, or None for NotConfigured/unknown."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {0: False, 1: True}.get(v)
    s = _str(v, 40).strip().lower()
    return {"true": True, "false": False, "1": True, "0": False}.get(s)


def win_profiles(v: Any) -> list[str] | None:
    """Profile names of a rule's `Profile`; None means Any."""
    if isinstance(v, int) and not isinstance(v, bool):
        names = [n for bit, n in _PROFILE_BITS.items() if v & bit]
        return None if v == 0 or len(names) == 3 else names
    s = _str(v, 200)
    if not s or s.strip().lower() == "any":
        return None
    names = [p.strip().capitalize() for p in re.split(r"[,\s]+", s) if p.strip()]
    return None if "Any" in names else names


def win_category(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool):
        return _CATEGORY_NUM.get(v)
    s = _str(v, 60).lower()
    if s.startswith("domain"):
        return "Domain"
    if s in ("public", "private"):
        return s.capitalize()
    return None


def win_address_covers(entries: Any, ip: str) -> Tri:
    """Whether a rule's RemoteAddress list covers `ip` (Any, address, CIDR, mask, range, keyword)."""
    results: list[Tri] = []
    items = [_str(e, 200) for e in as_list(entries)[:2000]]
    if not items:
        return True
    for item in items:
        for part in item.split(","):
            e = part.strip()
            low = e.lower()
            if low in ("any", "*", ""):
                results.append(True)
            elif low in ("localsubnet", "localsubnet4", "localsubnet6", "defaultgateway", "defaultgateway4",
                         "defaultgateway6", "wins", "wins4", "wins6"):
                results.append(False)
            elif re.fullmatch(r"[a-z][a-z0-9]*", low):
                results.append(None)  # DNS, DHCP (168.63.129.16 on Azure), Internet, Intranet, ...
            else:
                results.append(_in_address(e, ip))
    return _any(results)


def win_ports_cover(entries: Any, port: int) -> Tri:
    items = [_str(e, 100) for e in as_list(entries)[:2000]]
    if not items:
        return True
    results: list[Tri] = []
    for item in items:
        for part in item.split(","):
            e = part.strip()
            if e.lower() in ("any", "*", ""):
                results.append(True)
            elif _digits(e[:1]):
                results.append(_port_in(e, port, "-"))
            else:
                results.append(False)  # RPC, RPCEPMap, IPHTTPSOut, Teredo, ...: never 80 or 32526
    return _any(results)


def win_protocol_tcp(v: Any) -> Tri:
    s = _str(v, 40).strip().lower()
    if s in ("", "any", "256"):
        return True
    if s in ("tcp", "6"):
        return True
    return False


def win_program_is_agent(v: Any) -> Tri:
    s = _str(v, 1000).strip().lower()
    if s in ("", "any", "*"):
        return True
    base = s.replace("/", "\\").rsplit("\\", 1)[-1]
    if base in AGENT_PROGRAMS or "\\windowsazure\\" in s or "\\packages\\plugins\\" in s:
        return True
    return False


def win_service_is_agent(v: Any) -> Tri:
    s = _str(v, 300).strip().lower()
    if s in ("", "any", "*"):
        return True
    return s in AGENT_SERVICES


_ACE_RE = re.compile(r"\(([AD]);[^;()]*;[^;()]*;[^;()]*;[^;()]*;([^;()]+)(?:;[^()]*)?\)")


def sddl_applies_to_system(v: Any) -> Tri:
    """Whether a rule's LocalUser (SDDL) includes SYSTEM, the agent's account. Any -> True."""
    s = _str(v, 4000).strip()
    if s.lower() in ("", "any", "*"):
        return True
    dacl = s.split("D:", 1)[1] if "D:" in s else ""
    aces = _ACE_RE.findall(dacl)
    if not aces:
        return None
    system_aces = [(kind, sid) for kind, sid in aces if sid.strip().upper() in SYSTEM_PRINCIPALS]
    if any(kind == "D" for kind, _ in system_aces):
        return False
    if any(kind == "A" for kind, _ in system_aces):
        return True
    return False


def normalise_win_rule(raw: Any) -> dict[str, Any] | None:
    """One rule object of our PowerShell output -> plain fields (None when not an object)."""
    if not isinstance(raw, dict):
        return None
    return {
        "name": _str(raw.get("Name"), 300),
        "display_name": _str(raw.get("DisplayName"), 300),
        "action": win_action(raw.get("Action")),
        "profile": raw.get("Profile"),
        "source": _str(raw.get("PolicyStoreSourceType"), 60),
        "remote_address": [_str(a, 200) for a in as_list(raw.get("RemoteAddress"))[:200]],
        "protocol": _str(raw.get("Protocol"), 40),
        "remote_port": [_str(p, 100) for p in as_list(raw.get("RemotePort"))[:200]],
        "program": _str(raw.get("Program"), 1000),
        "service": _str(raw.get("Service"), 300),
        "local_user": _str(raw.get("LocalUser"), 2000),
        "interface_type": _str(raw.get("InterfaceType"), 200),
        "interface_alias": [_str(a, 200) for a in as_list(raw.get("InterfaceAlias"))[:50]],
    }


def win_interface_applies(rule: dict[str, Any]) -> Tri:
    """Whether a rule's interface scope includes the VM's network adapter (a wired, LAN-type Hyper-V adapter).

    Any -> True; interface types without Lan/Wired (only Wireless or RemoteAccess) -> False; a rule bound to
    named interfaces -> None (which adapter that is cannot be decided from the rule alone)."""
    types = [t.strip().lower() for t in re.split(r"[,\s]+", str(rule.get("interface_type") or "")) if t.strip()]
    aliases = [a for a in (rule.get("interface_alias") or []) if str(a).strip().lower() not in ("", "any", "*")]
    type_ok: Tri = True
    if types and not ({"any", "all"} & set(types)):
        type_ok = bool({"lan", "wired"} & set(types))
    if type_ok is False:
        return False
    return None if aliases else type_ok


def win_rule_applies(rule: dict[str, Any], ip: str, port: int, active_profiles: list[str] | None
                     ) -> tuple[Tri, dict[str, Tri]]:
    """Whether a (normalised) rule applies to SYSTEM's TCP connection to ip:port in an active profile."""
    profiles = win_profiles(rule.get("profile"))
    profile_ok: Tri = True
    if profiles is not None and active_profiles is not None:
        profile_ok = any(p in active_profiles for p in profiles)
    parts: dict[str, Tri] = {
        "profile": profile_ok,
        "address": win_address_covers(rule.get("remote_address"), ip),
        "protocol": win_protocol_tcp(rule.get("protocol")),
        "port": win_ports_cover(rule.get("remote_port"), port),
        "program": win_program_is_agent(rule.get("program")),
        "service": win_service_is_agent(rule.get("service")),
        "local_user": sddl_applies_to_system(rule.get("local_user")),
        "interface": win_interface_applies(rule),
    }
    return _and(list(parts.values())), parts


def is_known_bad_name(rule: dict[str, Any]) -> bool:
    names = {str(rule.get("name") or "").strip().lower(), str(rule.get("display_name") or "").strip().lower()}
    return any(n in KNOWN_BAD_RULE_NAMES for n in names)
