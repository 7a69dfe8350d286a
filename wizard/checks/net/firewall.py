"""`net.firewall`: in-guest firewall rules that block root/SYSTEM from the Wire Server.

Linux: `iptables -S` of the filter and security tables (whole tables, so jumps into ufw,
firewalld or custom chains are followed) and `nft --json list ruleset` (fallback: `list tables`
then `list table <family> <name>` for each). The packet under test is a new TCP connection from
root (uid 0) to 168.63.129.16 on port 80 and on port 32526. The agent's own rules (facts §2.1,
§2.3) admit root and drop everyone else: they are recognised and expected; a DROP/REJECT that
hits root first, or a DROP policy with nothing accepting root, is a problem; a rule that may
hit (conditions we cannot decide) is a warning; so is the pre-2.2.26 ACCEPT-all rule. Listing
rules needs root: without it the check says not checked.

Windows: the rules and profiles are read from the registry, in-process and at once (the local
store and Group Policy, see `wizard.parsers.win_fw_registry`); a short PowerShell query adds the
network category of each connection (which profiles are active). Only when the registry cannot be
read does one PowerShell command read the same from the active policy store: profiles, connection
categories, and the enabled outbound rules joined with their address, port, program, service,
local-user and interface filters (block rules, and allow rules that could admit the agent), as
JSON ("no matching rule", ObjectNotFound, is an empty list), within 60 seconds. Block rules
covering 168.63.129.16 on TCP 80/32526 that apply to SYSTEM on the VM's adapter in an active
profile are problems (a rule bound to named interfaces "may block"); a default-block outbound
policy without an allow rule for 168.63.129.16 too. The Windows guest agent's own WFP filter/rule
names are UNCONFIRMED (facts §3.4, §12), so the check relies on semantics, not names, and says so
in its evidence.
"""

from __future__ import annotations

import re
from typing import Any

from wizard.checks.base import (
    BOTH,
    IMDS_IP,
    WIRESERVER_IP,
    Check,
    CheckContext,
    Finding,
    error_msg,
    m,
    not_applicable_off_azure,
    step,
)
from wizard.checks.commands import RERUN_AS_ROOT, ps, sh, sh_words
from wizard.checks.docs import IP_168 as DOC_168
from wizard.checks.net.proxy import DOC_AGENT_EXT, DOC_LINUX_AGENT, DOC_WINDOWS_AGENT
from wizard.i18n import N_
from wizard.knowledge import commands
from wizard.model import Component, FixStep, Msg, Status
from wizard.parsers import firewall as fw
from wizard.parsers import win_fw_registry as fwreg
from wizard.probes.base import Answer, error_fields, is_unavailable
from wizard.probes.command import MAX_OUTPUT_BYTES

PORTS = (80, 32526)
ERROR_CODES = ["UserErrorGuestAgentStatusUnavailable", "ExtensionSnapshotFailedNoNetwork",
               "ExtensionOperationFailedForManagedDisks"]
IPTABLES_TABLES = ("filter", "security")
IPTABLES_NFT_TABLE_NAMES = frozenset({"filter", "security", "raw", "mangle", "nat"})
MAX_NFT_TABLES = 20
EXCERPT = 2000
RUN_TIMEOUT = 15.0
PS_TIMEOUT = 60.0
PROFILES_PS_TIMEOUT = 20.0
WFP_NOTE = ("The Windows guest agent limits the Wire Server to Administrators and SYSTEM with its own firewall "
            "rules/WFP filters whose names are not confirmed by public documentation; this check judges rules by "
            "what they match, not by name, and reads Windows Firewall rules from the active store "
            "(Get-NetFirewallRule), not raw WFP filters (netsh wfp show filters dir=OUT remoteaddr=168.63.129.16).")
VERIFY_LINUX = commands.LINUX_WIRESERVER_TEST
VERIFY_WINDOWS = commands.WINDOWS_WIRESERVER_TEST

_PERMISSION_WORDS = ("permission denied", "must be root", "operation not permitted", "access is denied")
_NO_WAIT_WORDS = ("unrecognized option", "unknown option", "invalid option")


def _ports_text(ports: list[int]) -> str:
    return ", ".join(str(p) for p in ports)


def _stderr(ans: Answer) -> str:
    return str(ans.get("stderr") or ans.get("error") or "")[:500]


def _run_state(ans: Answer) -> str:
    """ok | unavailable | not_found | permission | timeout | failed."""
    if is_unavailable(ans):
        return "unavailable"
    if not ans.get("found"):
        return "not_found"
    if ans.get("timed_out"):
        return "timeout"
    if ans.get("returncode") == 0:
        return "ok"
    err = _stderr(ans).lower()
    if any(w in err for w in _PERMISSION_WORDS):
        return "permission"
    return "failed"


def _run(ctx: CheckContext, argv: list[str], runs: list[dict[str, Any]], timeout: float = RUN_TIMEOUT) -> Answer:
    ans = ctx.call("run", argv=argv, timeout=timeout)
    record = {"argv": " ".join(argv), "state": _run_state(ans), "returncode": ans.get("returncode"),
              "stderr": _stderr(ans)[:300]}
    if ans.get("error_msg"):
        record["error_msg"] = ans["error_msg"]
    runs.append(record)
    return ans


def _run_reason(run: dict[str, Any]) -> Msg:
    """Why a command gave no rules: its own words on stderr, else the probe's reason, else its exit code."""
    if run.get("error_msg"):
        return error_msg(run)
    if run.get("stderr"):
        return error_msg({"error": run["stderr"][:200]})
    return Msg(N_("exit code {code}"), {"code": run.get("returncode")})


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


def _linux_walks(ipt: dict[str, fw.IptTable], nft: fw.NftRuleset | None, uid: int, port: int
                 ) -> list[tuple[str, dict[str, Any], fw.Walk]]:
    """(label, base-chain info, walk) for every place an output packet is filtered."""
    pkt = fw.Packet(port=port, uid=uid)
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
    runs: list[dict[str, Any]] = []
    unread: list[Unread] = []
    ipt: dict[str, fw.IptTable] = {}
    raw: dict[str, str] = {}
    states: dict[str, str] = {}
    for table in IPTABLES_TABLES:
        state, parsed, text = _iptables(ctx, table, runs, unread)
        states[f"iptables {table}"] = state
        if parsed is not None:
            ipt[table] = parsed
            raw[table] = text[:EXCERPT]
    nft_state, nft = _nft(ctx, runs, unread)
    states["nft"] = nft_state
    evidence: dict[str, Any] = {"commands": runs, "states": states}
    if unread:
        evidence["unread_output"] = [{k: v for k, v in u.items() if k != "error_msg"} for u in unread]
    if raw:
        evidence["iptables_rules"] = raw
    warnings = [w for t in ipt.values() for w in t.warnings][:5]
    if warnings:
        evidence["iptables_warnings"] = warnings
    if nft is not None:
        evidence["nft_tables"] = [f"{fam} {name}" for fam, name in nft.tables[:50]]
        evidence["nft_version"] = nft.version

    if not ipt and nft is None:
        values = set(states.values())
        if values <= {"not_found"}:
            return Finding(Status.NOT_CHECKED, m("Not checked: neither iptables nor nft is installed, so the firewall "
                                                 "rules could not be read."), evidence=evidence)
        if "permission" in values:
            return Finding(Status.NOT_CHECKED, m("Not checked: reading the firewall rules needs root."),
                           fix=[step("Run the wizard again with sudo.", command=RERUN_AS_ROOT)],
                           evidence=evidence)
        if unread:
            return _unread_finding(unread, evidence)
        failed = next((r for r in runs if r["state"] not in ("ok", "not_found")), None)
        return Finding(Status.NOT_CHECKED, m("Not checked: the firewall rules could not be read ({error}).",
                                             error=_run_reason(failed) if failed else Msg(N_("no details"))),
                       evidence=evidence)
    if "iptables filter" in states and states["iptables filter"] not in ("ok", "not_found") and nft is None:
        evidence["note"] = "iptables filter table could not be read"

    agent = {"iptables": fw.ipt_agent_rules(ipt["security"]) if "security" in ipt else None,
             "nft": fw.nft_agent_rules(nft) if nft is not None else None}
    evidence["agent_rules"] = agent
    port_walks = {port: _linux_walks(ipt, nft, 0, port) for port in PORTS}
    evidence["root"] = {str(p): {"outcome": _outcome(w), "chains": _walk_evidence(w)} for p, w in port_walks.items()}
    non_root = {p: _outcome(_linux_walks(ipt, nft, 1000, p)) for p in PORTS}
    evidence["non_root"] = {str(p): o for p, o in non_root.items()}

    blocked = [p for p in PORTS if _outcome(port_walks[p]) == "blocked"]
    if blocked:
        return _linux_blocked(port_walks, blocked, evidence)
    maybe = [p for p in PORTS if _outcome(port_walks[p]) == "maybe_blocked"]
    if maybe:
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

    if unread:  # nothing that could be read blocks root, but some output could not be read: the rules are unknown
        return _unread_finding(unread, evidence)
    ipt_agent = agent["iptables"] or {}
    if ipt_agent.get("legacy_accept"):
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

    nft_agent = agent["nft"] or {}
    if ipt_agent.get("complete") or nft_agent.get("drop_rule"):
        return Finding(Status.OK, m("The in-guest firewall lets root reach the Wire Server (168.63.129.16) on ports 80 "
                                    "and 32526; the VM agent's own rules that admit only root are in place."),
                       evidence=evidence)
    return Finding(Status.OK, m("The in-guest firewall lets root reach the Wire Server (168.63.129.16) on ports 80 and "
                                "32526."), evidence=evidence)


# =========================================================================================
# Windows
# =========================================================================================

_PS_STATEMENTS = [
    "$ErrorActionPreference = 'Stop'",
    "$o = [ordered]@{}",
    "try { $o.profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object { [ordered]@{ "
    "Name = [string]$_.Name; Enabled = [string]$_.Enabled; DefaultOutboundAction = [string]$_.DefaultOutboundAction "
    "} }) } catch { $o.profiles_error = [string]$_ }",
    "try { $o.connections = @(Get-NetConnectionProfile | ForEach-Object { [ordered]@{ "
    "InterfaceAlias = [string]$_.InterfaceAlias; NetworkCategory = [string]$_.NetworkCategory } }) } "
    "catch { $o.connections_error = [string]$_ }",
    "try { "
    "$af = @{}; Get-NetFirewallAddressFilter -PolicyStore ActiveStore | ForEach-Object { $af[$_.InstanceID] = $_ }; "
    "$pf = @{}; Get-NetFirewallPortFilter -PolicyStore ActiveStore | ForEach-Object { $pf[$_.InstanceID] = $_ }; "
    "$apf = @{}; Get-NetFirewallApplicationFilter -PolicyStore ActiveStore | "
    "ForEach-Object { $apf[$_.InstanceID] = $_ }; "
    "$sf = @{}; Get-NetFirewallServiceFilter -PolicyStore ActiveStore | ForEach-Object { $sf[$_.InstanceID] = $_ }; "
    "$uf = @{}; Get-NetFirewallSecurityFilter -PolicyStore ActiveStore | ForEach-Object { $uf[$_.InstanceID] = $_ }; "
    "$tf = @{}; Get-NetFirewallInterfaceTypeFilter -PolicyStore ActiveStore | "
    "ForEach-Object { $tf[$_.InstanceID] = $_ }; "
    "$nf = @{}; Get-NetFirewallInterfaceFilter -PolicyStore ActiveStore | ForEach-Object { $nf[$_.InstanceID] = $_ }; "
    "$o.rules = @(Get-NetFirewallRule -PolicyStore ActiveStore -Enabled True -Direction Outbound | ForEach-Object { "
    "$id = $_.InstanceID; $p = $pf[$id]; "
    "$ra = @($af[$id].RemoteAddress | ForEach-Object { [string]$_ }); "
    "$prog = [string]$apf[$id].Program; $svc = [string]$sf[$id].Service; $act = [string]$_.Action; "
    "if ($act -eq 'Block' -or ($ra -match '\\d') -or ($prog -match 'WindowsAzure|WaAppAgent|Packages') -or "
    "($svc -match 'WindowsAzureGuestAgent|RdAgent') -or "
    "(($ra -contains 'Any') -and ($prog -eq 'Any') -and ($svc -eq 'Any'))) { [ordered]@{ "
    "Name = [string]$_.Name; DisplayName = [string]$_.DisplayName; Action = $act; Profile = [string]$_.Profile; "
    "PolicyStoreSourceType = [string]$_.PolicyStoreSourceType; RemoteAddress = $ra; Protocol = [string]$p.Protocol; "
    "RemotePort = @($p.RemotePort | ForEach-Object { [string]$_ }); Program = $prog; Service = $svc; "
    "LocalUser = [string]$uf[$id].LocalUser; InterfaceType = [string]$tf[$id].InterfaceType; "
    "InterfaceAlias = @($nf[$id].InterfaceAlias | ForEach-Object { [string]$_ }) } } } | Select-Object -First 500) "
    "} catch { if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { $o.rules = @() } "
    "else { $o.rules_error = [string]$_ } }",
    "ConvertTo-Json -InputObject $o -Depth 5 -Compress",
]
WINDOWS_FIREWALL_SCRIPT = "; ".join(_PS_STATEMENTS)
WINDOWS_FIREWALL_ARGV = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", WINDOWS_FIREWALL_SCRIPT]
CONNECTION_PROFILES_SCRIPT = "; ".join([
    "$ErrorActionPreference = 'Stop'",
    "ConvertTo-Json -Compress -InputObject @(Get-NetConnectionProfile | ForEach-Object { [ordered]@{ "
    "InterfaceAlias = [string]$_.InterfaceAlias; NetworkCategory = [string]$_.NetworkCategory } })",
])
CONNECTION_PROFILES_ARGV = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
                            CONNECTION_PROFILES_SCRIPT]
REGISTRY_NOTE = ("Rules and profiles were read from the registry (local store and Group Policy, in the grammar of "
                 "[MS-GPFAS] 2.2.2.19); rules added at run time by services (not stored there) are not seen.")


def _registry_values(ctx: CheckContext, key: str) -> tuple[str, dict[str, Any]]:
    """(state, values) of a registry key: ok | missing | unavailable | error."""
    ans = ctx.call("registry", key=key, value=None)
    if is_unavailable(ans):
        return "unavailable", {}
    if ans.get("exists") and isinstance(ans.get("values"), dict):
        return "ok", ans["values"]
    err = str(ans.get("error") or "").lower()
    return ("missing" if not err or "cannot find" in err or "not found" in err else "error"), {}


def _registry_firewall(ctx: CheckContext, evidence: dict[str, Any]) -> dict[str, Any] | None:
    """The firewall as the PowerShell script reports it, built from the registry; None when it cannot be read."""
    state, local_rules = _registry_values(ctx, fwreg.LOCAL_RULES)
    evidence["registry_local_rules"] = state
    if state != "ok":
        return None
    gpo_state, gpo_rules = _registry_values(ctx, fwreg.GPO_RULES)
    evidence["registry_gpo_rules"] = gpo_state
    local_profiles: dict[str, dict[str, Any] | None] = {}
    gpo_profiles: dict[str, dict[str, Any] | None] = {}
    for name, sub in fwreg.LOCAL_PROFILES.items():
        st, values = _registry_values(ctx, fwreg.LOCAL_POLICY + "\\" + sub)
        local_profiles[name] = values if st == "ok" else None
    for name, sub in fwreg.GPO_PROFILES.items():
        st, values = _registry_values(ctx, fwreg.GPO_POLICY + "\\" + sub)
        gpo_profiles[name] = values if st == "ok" else None
    rules, unreadable = fwreg.outbound_rules(gpo_rules, "GroupPolicy")
    if fwreg.local_merge_allowed(gpo_profiles):
        local, bad = fwreg.outbound_rules(local_rules, "Local")
        rules += local
        unreadable += bad
    else:
        evidence["local_rules_ignored"] = "Group Policy sets AllowLocalPolicyMerge = 0: local rules do not apply"
    evidence["registry_values_not_rules"] = unreadable
    data: dict[str, Any] = {"profiles": fwreg.profile_state(local_profiles, gpo_profiles),
                            "rules": [r for r in rules if r["Action"] == "Block" or _may_allow_agent(r)]}
    ans = ctx.call("run", argv=CONNECTION_PROFILES_ARGV, timeout=PROFILES_PS_TIMEOUT)
    if _run_state(ans) == "ok":
        connections, error = fw.parse_powershell_json(str(ans.get("stdout") or ""))
        if error is None:
            data["connections"] = connections
    if "connections" not in data:
        data["connections_error"] = _stderr(ans) or "Get-NetConnectionProfile gave no answer"
    return data


def _may_allow_agent(raw: dict[str, Any]) -> bool:
    """The same preselection the PowerShell script makes for allow rules."""
    addresses = [str(a) for a in fw.as_list(raw.get("RemoteAddress"))]
    program, service = str(raw.get("Program") or ""), str(raw.get("Service") or "")
    return (any(ch.isdigit() for a in addresses for ch in a)
            or any(w in program for w in ("WindowsAzure", "WaAppAgent", "Packages"))
            or any(w in service for w in ("WindowsAzureGuestAgent", "RdAgent"))
            or ("Any" in addresses and program == "Any" and service == "Any"))


def _win_not_checked_admin(evidence: dict[str, Any]) -> Finding:
    return Finding(Status.NOT_CHECKED, m("Not checked: reading the Windows Firewall rules needs Administrator rights."),
                   fix=[step("Close the wizard and start it again with \"Run as administrator\".")],
                   evidence=evidence)


def _profile_state(data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str] | None]:
    profiles: dict[str, dict[str, Any]] = {}
    for p in fw.as_list(data.get("profiles")):
        if isinstance(p, dict) and p.get("Name"):
            name = str(p["Name"]).strip().capitalize()
            profiles[name] = {"enabled": fw.win_enabled(p.get("Enabled")),
                              "default_outbound": fw.win_action(p.get("DefaultOutboundAction"))}
    active: list[str] | None = None
    cats = [fw.win_category(c.get("NetworkCategory")) for c in fw.as_list(data.get("connections"))
            if isinstance(c, dict)]
    if cats and all(cats):
        active = sorted({c for c in cats if c})
    return profiles, active


def _rule_label(rule: dict[str, Any]) -> str:
    return str(rule.get("display_name") or rule.get("name") or "")[:300]


def check_firewall_windows(ctx: CheckContext) -> Finding:
    evidence: dict[str, Any] = {"note": WFP_NOTE}
    data: Any = _registry_firewall(ctx, evidence)
    if data is not None:
        evidence["read_from"] = "registry"
        evidence["registry_note"] = REGISTRY_NOTE
    else:
        ans = ctx.call("run", argv=WINDOWS_FIREWALL_ARGV, timeout=PS_TIMEOUT)
        state = _run_state(ans)
        evidence.update({"read_from": "PowerShell", "state": state, "elapsed_ms": ans.get("elapsed_ms"),
                         "command": "powershell.exe -NoProfile -NonInteractive -Command "
                                    "<WINDOWS_FIREWALL_SCRIPT in wizard/checks/net/firewall.py>"})
        if state != "ok":
            evidence["stderr"] = _stderr(ans)
            if state == "permission" or ctx.is_admin is False:
                return _win_not_checked_admin(evidence)
            return Finding(Status.NOT_CHECKED, m("Not checked: the Windows Firewall rules could not be read "
                                                 "({error}).", error=_stderr(ans)[:200] or state), evidence=evidence)
        data, error = fw.parse_powershell_json(str(ans.get("stdout") or ""))
        if not isinstance(data, dict):
            evidence["stdout_excerpt"] = str(ans.get("stdout") or "")[:EXCERPT]
            return Finding(Status.NOT_CHECKED, m("Not checked: the Windows Firewall rules could not be read "
                                                 "({error}).", error=error or "unexpected output"), evidence=evidence)
    for key in ("profiles_error", "connections_error", "rules_error"):
        if data.get(key):
            evidence[key] = str(data[key])[:500]
    if data.get("rules_error"):
        if ctx.is_admin is False or "denied" in str(data["rules_error"]).lower():
            return _win_not_checked_admin(evidence)
        return Finding(Status.NOT_CHECKED, m("Not checked: the Windows Firewall rules could not be read ({error}).",
                                             error=str(data["rules_error"])[:200]), evidence=evidence)

    profiles, active = _profile_state(data)
    evidence["profiles"] = profiles
    evidence["active_profiles"] = active
    considered = active if active is not None else (sorted(profiles) or None)
    enabled_profiles = [p for p in (considered or []) if profiles.get(p, {}).get("enabled") is not False] \
        if considered is not None else None
    rules = [r for r in (fw.normalise_win_rule(x) for x in fw.as_list(data.get("rules"))[:2000]) if r]
    evidence["rules_read"] = len(rules)
    if enabled_profiles is not None and not enabled_profiles:
        return Finding(Status.OK, m("Windows Firewall is turned off for the active network profile ({profiles}), so "
                                    "it does not block the Wire Server (168.63.129.16).",
                                    profiles=", ".join(considered or [])), evidence=evidence)

    blocks = [r for r in rules if r["action"] == "Block"]
    allows = [r for r in rules if r["action"] == "Allow"]
    blocked: dict[int, list[dict[str, Any]]] = {}
    maybe: dict[int, list[dict[str, Any]]] = {}
    exempt: list[str] = []
    for port in PORTS:
        for r in blocks:
            applies, parts = fw.win_rule_applies(r, WIRESERVER_IP, port, enabled_profiles)
            if applies is True or (applies is None and fw.is_known_bad_name(r) and parts["address"] is not False):
                blocked.setdefault(port, []).append(r)
            elif applies is None:
                maybe.setdefault(port, []).append(r)
            elif parts["local_user"] is False and parts["address"] is True and _rule_label(r) not in exempt:
                exempt.append(_rule_label(r))
    if exempt:
        evidence["rules_exempting_system"] = exempt[:20]
    policy_block = [p for p in (enabled_profiles or sorted(profiles))
                    if profiles.get(p, {}).get("default_outbound") == "Block"]
    policy_blocked: list[int] = []
    policy_maybe: list[int] = []
    if policy_block:
        for port in PORTS:
            verdicts = [fw.win_rule_applies(r, WIRESERVER_IP, port, policy_block)[0] for r in allows]
            if True in verdicts:
                continue
            (policy_maybe if None in verdicts else policy_blocked).append(port)
    evidence["block_rules"] = [{k: r[k] for k in ("name", "display_name", "profile", "remote_address", "protocol",
                                                  "remote_port", "program", "service", "local_user", "source",
                                                  "interface_type", "interface_alias")}
                               for r in blocks[:30]]
    evidence["default_outbound_block_profiles"] = policy_block

    why = m("The VM agent and the backup extension run as SYSTEM and must reach 168.63.129.16 on ports 80 and 32526 "
            "during the Take Snapshot phase. In Windows Firewall a block rule wins over any allow rule, so the "
            "snapshot cannot be requested or its status read, and backup fails.")
    docs = [DOC_168, DOC_AGENT_EXT, DOC_WINDOWS_AGENT]
    if blocked:
        ports = sorted(blocked)
        rule = blocked[ports[0]][0]
        evidence["blocking_rule"] = {k: rule[k] for k in ("name", "display_name", "remote_address", "remote_port",
                                                          "source")}
        evidence["known_test_rule_name"] = fw.is_known_bad_name(rule)
        fix: list[FixStep] = []
        if rule["source"].lower() == "grouppolicy":
            fix.append(step("This rule comes from Group Policy: remove it there, or narrow its remote addresses so "
                            "that they no longer include 168.63.129.16."))
        else:
            fix.append(step("Disable the rule (in an elevated PowerShell), or narrow its remote addresses so that "
                            "they no longer include 168.63.129.16:",
                            command=f"Disable-NetFirewallRule -Name {ps(rule['name'])}"))
        fix.append(step("Then check the connection as Administrator (TcpTestSucceeded should be True):",
                        command=VERIFY_WINDOWS))
        return Finding(Status.PROBLEM, m("Windows Firewall rule \"{rule}\" blocks outbound connections to the Wire "
                                         "Server (168.63.129.16) on port {ports}.", rule=_rule_label(rule),
                                         ports=_ports_text(ports)),
                       why=why, fix=fix, docs=docs, error_codes=list(ERROR_CODES), evidence=evidence)
    allow_fix = step("Allow the Azure platform address as Microsoft documents it (in an elevated PowerShell):",
                     command="New-NetFirewallRule -DisplayName AzurePlatform -Direction Outbound "
                             "-RemoteAddress 168.63.129.16 -Profile Any -Action Allow")
    if policy_blocked:
        return Finding(Status.PROBLEM, m("Windows Firewall blocks outbound connections by default in the {profiles} "
                                         "profile and no rule allows the Wire Server (168.63.129.16) on port {ports}.",
                                         profiles=", ".join(policy_block), ports=_ports_text(policy_blocked)),
                       why=why, fix=[allow_fix, step("Then check the connection as Administrator (TcpTestSucceeded "
                                                     "should be True):", command=VERIFY_WINDOWS)],
                       docs=docs, error_codes=list(ERROR_CODES), evidence=evidence)
    if maybe:
        ports = sorted(maybe)
        rule = maybe[ports[0]][0]
        return Finding(Status.WARNING, m("Windows Firewall rule \"{rule}\" may block outbound connections to the Wire "
                                         "Server (168.63.129.16) on port {ports}; its remote address or user "
                                         "conditions cannot be decided here.", rule=_rule_label(rule),
                                         ports=_ports_text(ports)),
                       why=why, fix=[step("Check the rule's remote addresses and users, and make sure it does not "
                                          "apply to 168.63.129.16 for SYSTEM:",
                                          command=f"Get-NetFirewallRule -Name {ps(rule['name'])} | "
                                                  "Get-NetFirewallAddressFilter"),
                                     step("Then check the connection as Administrator (TcpTestSucceeded should be "
                                          "True):", command=VERIFY_WINDOWS)],
                       docs=docs, error_codes=list(ERROR_CODES), evidence=evidence)
    if policy_maybe:
        return Finding(Status.WARNING, m("Windows Firewall blocks outbound connections by default in the {profiles} "
                                         "profile; the rules that may allow the Wire Server (168.63.129.16) use "
                                         "conditions the wizard cannot decide.", profiles=", ".join(policy_block)),
                       why=why, fix=[allow_fix], docs=docs, error_codes=list(ERROR_CODES), evidence=evidence)
    imds = [r for r in blocks if fw.win_rule_applies(r, IMDS_IP, 80, enabled_profiles)[0] is True]
    if imds:
        evidence["imds_block_rules"] = [_rule_label(r) for r in imds[:10]]
        return Finding(Status.INFO, m("Windows Firewall rule \"{rule}\" blocks the Instance Metadata Service "
                                      "(169.254.169.254). Backup does not need it, but the wizard and other tools "
                                      "read VM facts from it.", rule=_rule_label(imds[0])),
                       docs=[DOC_168], evidence=evidence)
    return Finding(Status.OK, m("No Windows Firewall rule blocks the Wire Server (168.63.129.16) on ports 80 and "
                                "32526, and outbound connections are allowed by default."), evidence=evidence)


def check_firewall(ctx: CheckContext) -> Finding:
    off = not_applicable_off_azure(ctx)
    if off:
        return off
    if ctx.system == "windows":
        return check_firewall_windows(ctx)
    return check_firewall_linux(ctx)


CHECKS: list[Check] = [
    Check("net.firewall", BOTH, Component.NETWORK_PATH, "In-guest firewall rules", check_firewall,
          needs_admin=True, timeout_s=75.0, live_only="linux"),
]
