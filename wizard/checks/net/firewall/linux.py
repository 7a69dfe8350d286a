"""`net.firewall` on Linux: `iptables -S` of the filter and security tables and the nft ruleset, walked
for a new TCP connection from root to the Wire Server on ports 80 and 32526.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wizard.checks.base import CheckContext, Finding, error_msg, m, step
from wizard.checks.commands import RERUN_AS_ROOT, sh, sh_words
from wizard.checks.docs import IP_168 as DOC_168
from wizard.checks.net.firewall.common import (
    _NO_WAIT_WORDS,
    ERROR_CODES,
    EXCERPT,
    IPTABLES_NFT_TABLE_NAMES,
    IPTABLES_TABLES,
    MAX_NFT_TABLES,
    PORTS,
    VERIFY_LINUX,
    _ports_text,
    _run,
    _run_reason,
    _run_state,
    _stderr,
)
from wizard.checks.net.proxy import DOC_AGENT_EXT, DOC_LINUX_AGENT
from wizard.i18n import N_
from wizard.model import FixStep, Msg, Status
from wizard.parsers import firewall as fw
from wizard.probes.base import Answer, error_fields
from wizard.probes.command import MAX_OUTPUT_BYTES

# =========================================================================================
# Linux
# =========================================================================================

Unread = dict[str, Any]  # output that could not be read as rules: command, error, error_msg, excerpt


def _unread(argv: list[str], problem: dict[str, Any], ans: Answer) -> Unread:
    return {"command": " ".join(argv), "error": problem.get("error"), "error_msg": problem.get("error_msg"),
            "excerpt": str(ans.get("stdout") or "")[:EXCERPT]}


def _cut(ans: Answer) -> dict[str, Any] | None:
    """Error fields when a command's output was cut at the probe's limit: the rules after the cut are unknown."""
    return error_fields(N_("the output was cut at {limit} bytes"), limit=MAX_OUTPUT_BYTES) if ans.get(
        "truncated") else None


def _iptables(ctx: CheckContext, table: str, runs: list[dict[str, Any]], unread: list[Unread]
              ) -> tuple[str, fw.IptTable | None, str]:
    """(state, parsed table, raw text) for `iptables -w -t <table> -S`; output it cannot read goes to `unread`."""
    argv = ["iptables", "-w", "-t", table, "-S"]
    ans = _run(ctx, argv, runs)
    state = _run_state(ans)
    if state == "failed" and any(w in _stderr(ans).lower() for w in _NO_WAIT_WORDS):
        argv = ["iptables", "-t", table, "-S"]
        ans = _run(ctx, argv, runs)
        state = _run_state(ans)
    err = _stderr(ans).lower()
    if state == "failed" and "does not exist" in err:
        return "no_table", fw.IptTable(table), ""
    if state != "ok":
        return state, None, ""
    text = str(ans.get("stdout") or "")
    parsed = fw.parse_iptables_save(text, table)
    problem = _cut(ans) or fw.iptables_problem(parsed, text)
    if problem is not None:
        unread.append({**_unread(argv, problem, ans), "unparsed_lines": parsed.unparsed})
        return "unparsed", parsed, text
    return "ok", parsed, text


def _nft(ctx: CheckContext, runs: list[dict[str, Any]], unread: list[Unread]) -> tuple[str, fw.NftRuleset | None]:
    """nft's ruleset: `list ruleset`, or (when that cannot be read) `list tables` and each table on its own."""
    argv = ["nft", "--json", "list", "ruleset"]
    ans = _run(ctx, argv, runs)
    state = _run_state(ans)
    if state in ("not_found", "unavailable", "permission", "timeout"):
        return state, None
    if state == "ok":
        text = str(ans.get("stdout") or "")
        rs = fw.parse_nft_json(text)
        if not text.strip():  # nft prints nothing for an empty ruleset
            return "ok", fw.NftRuleset()
        if rs.error is None and _cut(ans) is None:
            return "ok", rs
    argv = ["nft", "--json", "list", "tables"]
    tables_ans = _run(ctx, argv, runs)
    if _run_state(tables_ans) != "ok":
        return _run_state(tables_ans), None
    listing = fw.parse_nft_json(str(tables_ans.get("stdout") or ""))
    if listing.error:
        unread.append(_unread(argv, {"error": listing.error, "error_msg": listing.error_msg}, tables_ans))
        return "unparsed", None
    parts = [listing]
    for family, name in listing.tables[:MAX_NFT_TABLES]:
        argv = ["nft", "--json", "list", "table", family, name]
        t_ans = _run(ctx, argv, runs)
        if _run_state(t_ans) != "ok":
            continue
        part = fw.parse_nft_json(str(t_ans.get("stdout") or ""))
        problem = _cut(t_ans) or ({"error": part.error, "error_msg": part.error_msg} if part.error else None)
        if problem is not None:
            unread.append(_unread(argv, problem, t_ans))
            continue
        parts.append(part)
    merged = fw.merge_nft(parts)
    merged.error = merged.error_msg = None
    return "ok", merged


def _where(ref: dict[str, Any] | None, label: str) -> str:
    if ref and ref.get("kind") == "iptables":
        return f"iptables -t {ref['table']} {ref['chain']}"
    if ref and ref.get("kind") == "nft":
        return f"nft {ref['family']} {ref['table']} {ref['chain']}"
    return label


def _linux_walks(ipt: dict[str, fw.IptTable], nft: fw.NftRuleset | None, uid: int, port: int, dst: str
                 ) -> list[tuple[str, dict[str, Any], fw.Walk]]:
    """(label, base-chain info, walk) for every place an output packet is filtered."""
    pkt = fw.Packet(port=port, uid=uid, dst=dst)
    out: list[tuple[str, dict[str, Any], fw.Walk]] = []
    for table in IPTABLES_TABLES:
        t = ipt.get(table)
        if t is None:
            continue
        w = fw.evaluate_iptables(t, pkt)
        if w is not None:
            out.append((f"iptables -t {table} OUTPUT", {"kind": "iptables", "table": table, "chain": "OUTPUT"}, w))
    if nft is not None:
        skip = frozenset((fam, name) for fam, name in nft.tables if fam == "ip" and name in IPTABLES_NFT_TABLE_NAMES) \
            if ipt else frozenset()
        for chain, w in fw.evaluate_nft(nft, pkt, skip):
            out.append((f"nft {chain.family} {chain.table} {chain.name}",
                        {"kind": "nft", "family": chain.family, "table": chain.table, "chain": chain.name}, w))
    return out


def _outcome(walks: list[tuple[str, dict[str, Any], fw.Walk]]) -> str:
    outcomes = [w.outcome for _, _, w in walks]
    if "blocked" in outcomes:
        return "blocked"
    if "maybe_blocked" in outcomes:
        return "maybe_blocked"
    return "accepted"


def _walk_evidence(walks: list[tuple[str, dict[str, Any], fw.Walk]]) -> list[dict[str, Any]]:
    return [{"where": label, "outcome": w.outcome, "decided_by": w.by["text"] if w.by else f"policy {w.policy}",
             "maybe_blocks": [r.get("text") for r in w.maybe_blocks[:5]],
             "maybe_accepts": [r.get("text") for r in w.maybe_accepts[:5]], "truncated": w.truncated}
            for label, _, w in walks]


_SAFE_NAME = re.compile(r"^[\w.-]+$")


def _delete_command(ref: dict[str, Any]) -> str | None:
    """The command that deletes a rule, or None when its text is not safe to paste into a shell."""
    text = str(ref.get("text") or "")
    if ref.get("kind") == "iptables" and text.startswith("-A "):
        words = sh_words(text[3:])
        return f"sudo iptables -t {sh(ref['table'])} -D {words}" if words else None
    names = [str(ref.get(k) or "") for k in ("family", "table", "chain", "handle")]
    if ref.get("kind") == "nft" and all(_SAFE_NAME.match(n) for n in names):
        return "sudo nft delete rule {} {} {} handle {}".format(*(sh(n) for n in names))
    return None


def _accept_command(base: dict[str, Any]) -> str | None:
    if not all(_SAFE_NAME.match(str(base.get(k) or "x")) for k in ("family", "table", "chain")):
        return None
    if base["kind"] == "iptables":
        return (f"sudo iptables -t {base['table']} -I {base['chain']} 1 -d 168.63.129.16/32 -p tcp "
                f"-m owner --uid-owner 0 -j ACCEPT")
    return (f"sudo nft insert rule {base['family']} {base['table']} {base['chain']} "
            "ip daddr 168.63.129.16 meta skuid 0 accept")


def _linux_blocked(port_walks: dict[int, list[tuple[str, dict[str, Any], fw.Walk]]], blocked_ports: list[int],
                   evidence: dict[str, Any]) -> Finding:
    label, base, walk = next(lw for lw in port_walks[blocked_ports[0]] if lw[2].outcome == "blocked")
    ports = _ports_text(blocked_ports)
    fix: list[FixStep] = []
    why = m("The VM agent and the backup extension run as root and must reach 168.63.129.16 on ports 80 and 32526 "
            "during the Take Snapshot phase. With this rule they cannot request the snapshot or report its status, "
            "so backup fails.")
    docs = [DOC_168, DOC_AGENT_EXT, DOC_LINUX_AGENT]
    if walk.by is None:
        summary = m("The OUTPUT chain of {where} drops by default (policy {policy}) and no rule before that accepts "
                    "root's connections to the Wire Server (168.63.129.16) on port {ports}.",
                    where=label, policy=str(walk.policy or ""), ports=ports)
        fix.append(step("Accept root's connections to 168.63.129.16 at the top of that chain:",
                        command=_accept_command(base)))
    else:
        ref = walk.by
        evidence["blocking_rule"] = ref
        if ref.get("agent_kind") == "drop":
            summary = m("The VM agent's own DROP rule for the Wire Server (168.63.129.16) comes before its ACCEPT rule "
                        "for root in {where}, so the agent itself is blocked on port {ports}.",
                        where=_where(ref, label), ports=ports)
            fix.append(step("Restart the VM agent: it checks its firewall rules and sets them up again in the right "
                            "order.", command="sudo systemctl restart walinuxagent || sudo systemctl restart waagent"))
        else:
            summary = m("The in-guest firewall blocks root's connections to the Wire Server (168.63.129.16) on port "
                        "{ports}: rule \"{rule}\" in {where}.", ports=ports, rule=str(ref.get("text") or ""),
                        where=_where(ref, label))
            command = _delete_command(ref)
            if command:
                fix.append(step("Delete the rule (or narrow it so that it no longer matches 168.63.129.16):",
                                command=command))
            fix.append(step("Make the same change where the firewall is made permanent (firewalld, ufw, "
                            "/etc/iptables/rules.v4, /etc/sysconfig/iptables or /etc/nftables.conf), or it comes "
                            "back after a reboot."))
    fix.append(step("Then check as root that the Wire Server answers (200 means it does):", command=VERIFY_LINUX))
    return Finding(Status.PROBLEM, summary, why=why, fix=fix, docs=docs, error_codes=list(ERROR_CODES),
                   evidence=evidence)


def _unread_finding(unread: list[Unread], evidence: dict[str, Any]) -> Finding:
    first = unread[0]
    return Finding(
        Status.NOT_CHECKED,
        m("Not checked: the output of {command} could not be read as firewall rules ({error}), so whether the "
          "firewall blocks the Wire Server (168.63.129.16) is not known.", command=first["command"],
          error=error_msg(first)),
        why=m("Output the wizard cannot read is not the same as no rules: a rule it did not understand may block "
              "the VM agent. The raw output is in the evidence."),
        fix=[step("Look at the rules yourself as root and check that none drops or rejects 168.63.129.16 on ports "
                  "80 and 32526.", command="sudo iptables -S; sudo nft list ruleset"),
             step("Then check as root that the Wire Server answers (200 means it does):", command=VERIFY_LINUX)],
        docs=[DOC_168], evidence=evidence)


@dataclass
class _Rules:
    """What `iptables -S` and nft gave: the tables that could be read, the commands run and their states."""

    ipt: dict[str, fw.IptTable] = field(default_factory=dict)
    nft: fw.NftRuleset | None = None
    raw: dict[str, str] = field(default_factory=dict)  # table -> the start of its `iptables -S` text
    states: dict[str, str] = field(default_factory=dict)  # "iptables <table>" / "nft" -> ok, not_found, ...
    runs: list[dict[str, Any]] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)


def _read_rules(ctx: CheckContext) -> _Rules:
    rules = _Rules()
    for table in IPTABLES_TABLES:
        state, parsed, text = _iptables(ctx, table, rules.runs, rules.unread)
        rules.states[f"iptables {table}"] = state
        if parsed is not None:
            rules.ipt[table] = parsed
            rules.raw[table] = text[:EXCERPT]
    rules.states["nft"], rules.nft = _nft(ctx, rules.runs, rules.unread)
    return rules


def _reading_evidence(rules: _Rules) -> dict[str, Any]:
    evidence: dict[str, Any] = {"commands": rules.runs, "states": rules.states}
    if rules.unread:
        evidence["unread_output"] = [{k: v for k, v in u.items() if k != "error_msg"} for u in rules.unread]
    if rules.raw:
        evidence["iptables_rules"] = rules.raw
    warnings = [w for t in rules.ipt.values() for w in t.warnings][:5]
    if warnings:
        evidence["iptables_warnings"] = warnings
    if rules.nft is not None:
        evidence["nft_tables"] = [f"{fam} {name}" for fam, name in rules.nft.tables[:50]]
        evidence["nft_version"] = rules.nft.version
    return evidence


def _nothing_read(rules: _Rules, evidence: dict[str, Any]) -> Finding:
    """Neither iptables nor nft gave rules: why not."""
    values = set(rules.states.values())
    if values <= {"not_found"}:
        return Finding(Status.NOT_CHECKED, m("Not checked: neither iptables nor nft is installed, so the firewall "
                                             "rules could not be read."), evidence=evidence)
    if "permission" in values:
        return Finding(Status.NOT_CHECKED, m("Not checked: reading the firewall rules needs root."),
                       fix=[step("Run the wizard again with sudo.", command=RERUN_AS_ROOT)],
                       evidence=evidence)
    if rules.unread:
        return _unread_finding(rules.unread, evidence)
    failed = next((r for r in rules.runs if r["state"] not in ("ok", "not_found")), None)
    return Finding(Status.NOT_CHECKED, m("Not checked: the firewall rules could not be read ({error}).",
                                         error=_run_reason(failed) if failed else Msg(N_("no details"))),
                   evidence=evidence)


def _linux_maybe_blocked(port_walks: dict[int, list[tuple[str, dict[str, Any], fw.Walk]]], maybe: list[int],
                         evidence: dict[str, Any]) -> Finding:
    label, _, walk = next(lw for lw in port_walks[maybe[0]] if lw[2].outcome == "maybe_blocked")
    ref = walk.by if walk.decision == "drop" else (walk.maybe_blocks[0] if walk.maybe_blocks else None)
    rule = str(ref.get("text") or "") if ref else f"policy {walk.policy}"
    fix = []
    command = _delete_command(ref) if ref else None
    if command:
        fix.append(step("If this rule can match root's traffic to 168.63.129.16, delete it or narrow it:",
                        command=command))
    fix.append(step("Then check as root that the Wire Server answers (200 means it does):", command=VERIFY_LINUX))
    return Finding(
        Status.WARNING,
        m("A firewall rule may block root's connections to the Wire Server (168.63.129.16) on port {ports}: "
          "\"{rule}\" in {where}. Its conditions (for example a source address, an interface or a mark) cannot "
          "be decided here.", ports=_ports_text(maybe), rule=rule, where=_where(ref, label)),
        why=m("The VM agent and the backup extension run as root and must reach 168.63.129.16 on ports 80 and "
              "32526 during the Take Snapshot phase; if this rule matches their traffic, backup fails."),
        fix=fix, docs=[DOC_168, DOC_AGENT_EXT], error_codes=list(ERROR_CODES), evidence=evidence)


def _legacy_accept(ipt: dict[str, fw.IptTable], evidence: dict[str, Any]) -> Finding:
    """The rule agents up to 2.2.25 added, which lets every user reach the Wire Server."""
    security = ipt.get("security")
    legacy = next((r for r in (security.chains.get("OUTPUT", []) if security else [])
                   if fw.ipt_agent_rule_kind(r) == "legacy_accept"), None)
    text = legacy.text if legacy else ""
    fix = [step("Update the VM agent to a supported version and restart it; a current agent removes this rule.",
                command="sudo systemctl restart walinuxagent || sudo systemctl restart waagent")]
    if legacy:
        command = _delete_command(legacy.ref())
        if command:
            fix.append(step("Or delete the rule yourself:", command=command))
    return Finding(
        Status.WARNING,
        m("The firewall still has the rule that VM agent versions up to 2.2.25 added (\"{rule}\"); it lets every "
          "user reach the Wire Server (168.63.129.16).", rule=text),
        why=m("Agent 2.2.26 and later replace this rule with one that admits only root. Backup is not blocked by "
              "it, but it points to a very old VM agent, or one that no longer manages its firewall, and an "
              "outdated agent makes backups fail."),
        fix=fix, docs=[DOC_168, DOC_LINUX_AGENT], evidence=evidence)


def _linux_open(agent: dict[str, Any], evidence: dict[str, Any]) -> Finding:
    """Nothing blocks root: with or without the VM agent's own rules in place."""
    if (agent["iptables"] or {}).get("complete") or (agent["nft"] or {}).get("drop_rule"):
        return Finding(Status.OK, m("The in-guest firewall lets root reach the Wire Server (168.63.129.16) on ports 80 "
                                    "and 32526; the VM agent's own rules that admit only root are in place."),
                       evidence=evidence)
    return Finding(Status.OK, m("The in-guest firewall lets root reach the Wire Server (168.63.129.16) on ports 80 and "
                                "32526."), evidence=evidence)


def check_firewall_linux(ctx: CheckContext) -> Finding:
    if ctx.is_admin is False:
        return Finding(
            Status.NOT_CHECKED,
            m("Not checked: reading the firewall rules needs root."),
            why=m("Without root, iptables and nft cannot list the rules, so the wizard cannot tell whether they block "
                  "the Wire Server (168.63.129.16)."),
            fix=[step("Run the wizard again with sudo.", command=RERUN_AS_ROOT)],
            evidence={"is_admin": False},
        )
    rules = _read_rules(ctx)
    ipt, nft = rules.ipt, rules.nft
    evidence = _reading_evidence(rules)
    if not ipt and nft is None:
        return _nothing_read(rules, evidence)
    if rules.states.get("iptables filter") not in (None, "ok", "not_found") and nft is None:
        evidence["note"] = "iptables filter table could not be read"

    wireserver = ctx.settings.wireserver  # 168.63.129.16, or the address the wizard was told to test
    agent = {"iptables": fw.ipt_agent_rules(ipt["security"], wireserver=wireserver) if "security" in ipt else None,
             "nft": fw.nft_agent_rules(nft, wireserver) if nft is not None else None}
    evidence["agent_rules"] = agent
    port_walks = {port: _linux_walks(ipt, nft, 0, port, wireserver) for port in PORTS}
    evidence["root"] = {str(p): {"outcome": _outcome(w), "chains": _walk_evidence(w)} for p, w in port_walks.items()}
    non_root = {p: _outcome(_linux_walks(ipt, nft, 1000, p, wireserver)) for p in PORTS}
    evidence["non_root"] = {str(p): o for p, o in non_root.items()}

    blocked = [p for p in PORTS if _outcome(port_walks[p]) == "blocked"]
    if blocked:
        return _linux_blocked(port_walks, blocked, evidence)
    maybe = [p for p in PORTS if _outcome(port_walks[p]) == "maybe_blocked"]
    if maybe:
        return _linux_maybe_blocked(port_walks, maybe, evidence)
    if rules.unread:  # nothing that could be read blocks root, but some output could not be read: the rules are unknown
        return _unread_finding(rules.unread, evidence)
    if (agent["iptables"] or {}).get("legacy_accept"):
        return _legacy_accept(ipt, evidence)
    return _linux_open(agent, evidence)
