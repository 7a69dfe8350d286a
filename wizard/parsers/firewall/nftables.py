"""`nft --json list ruleset` parsed (tables, chains, rules, named sets), evaluated for the packet, the
agent's `walinuxagent` table recognised and rules described for people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import N_
from wizard.parsers.firewall.common import MAX_RULES, MAX_TEXT, WIRESERVER, Packet, Tri, _and, _any, _in_address, _not
from wizard.parsers.firewall.walk import Step, Walk, walk_chain
from wizard.probes.base import error_fields

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


def _nft_is_agent_rule(expr: list[Any], wireserver: str = WIRESERVER) -> bool:
    daddr = dport = skuid = drop = False
    for e in expr:
        if not isinstance(e, dict):
            continue
        m = e.get("match")
        if isinstance(m, dict):
            kind, _ = _nft_left_kind(m.get("left"))
            op, right = m.get("op"), m.get("right")
            daddr = daddr or (kind == "daddr" and op == "==" and right == wireserver)
            dport = dport or (kind == "dport" and op == "!=" and right == 53)
            skuid = skuid or (kind == "skuid" and op == "!=")
        drop = drop or "drop" in e
    return daddr and dport and skuid and drop


def nft_agent_rules(rs: NftRuleset, wireserver: str = WIRESERVER) -> dict[str, Any]:
    """Whether the agent's nft table `walinuxagent` and its drop rule are present."""
    table = any(name == "walinuxagent" for _, name in rs.tables) or any(
        c.table == "walinuxagent" for c in rs.chains.values())
    rules = [r for c in rs.chains.values() if c.table == "walinuxagent" for r in c.rules]
    return {"table": table, "rule_count": len(rules),
            "drop_rule": any(_nft_is_agent_rule(r.expr, wireserver) for r in rules)}


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
