"""`net.firewall` on Windows: the rules and profiles read from the registry (PowerShell only when it
cannot be read), judged for SYSTEM's connection to the Wire Server on ports 80 and 32526.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.checks.base import IMDS_IP, CheckContext, Finding, m, step
from wizard.checks.commands import ps
from wizard.checks.docs import IP_168 as DOC_168
from wizard.checks.net.firewall.common import (
    ERROR_CODES,
    EXCERPT,
    PORTS,
    PROFILES_PS_TIMEOUT,
    PS_TIMEOUT,
    VERIFY_WINDOWS,
    WFP_NOTE,
    _ports_text,
    _run_state,
    _stderr,
)
from wizard.checks.net.proxy import DOC_AGENT_EXT, DOC_WINDOWS_AGENT
from wizard.i18n import N_
from wizard.model import FixStep, ListParam, Msg, Status, listed
from wizard.parsers import firewall as fw
from wizard.parsers import win_fw_registry as fwreg
from wizard.probes.base import is_unavailable

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


def _read_windows_firewall(ctx: CheckContext, evidence: dict[str, Any]) -> dict[str, Any] | Finding:
    """The firewall as the PowerShell script reports it (from the registry, else from PowerShell itself), or the
    finding that says why it could not be read."""
    from_registry = _registry_firewall(ctx, evidence)
    if from_registry is not None:
        evidence["read_from"] = "registry"
        evidence["registry_note"] = REGISTRY_NOTE
        return from_registry
    ans = ctx.call("run", argv=WINDOWS_FIREWALL_ARGV, timeout=PS_TIMEOUT)
    state = _run_state(ans)
    evidence.update({"read_from": "PowerShell", "state": state, "elapsed_ms": ans.get("elapsed_ms"),
                     "command": "powershell.exe -NoProfile -NonInteractive -Command "
                                "<WINDOWS_FIREWALL_SCRIPT in wizard/checks/net/firewall/windows.py>"})
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
    return data


def _read_errors(ctx: CheckContext, data: dict[str, Any], evidence: dict[str, Any]) -> Finding | None:
    """The errors the script caught, into the evidence; the finding when the rules themselves could not be read."""
    for key in ("profiles_error", "connections_error", "rules_error"):
        if data.get(key):
            evidence[key] = str(data[key])[:500]
    if not data.get("rules_error"):
        return None
    if ctx.is_admin is False or "denied" in str(data["rules_error"]).lower():
        return _win_not_checked_admin(evidence)
    return Finding(Status.NOT_CHECKED, m("Not checked: the Windows Firewall rules could not be read ({error}).",
                                         error=str(data["rules_error"])[:200]), evidence=evidence)


@dataclass
class _Verdicts:
    """Which ports each block rule and each profile's default outbound action block, or may block."""

    blocked: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # port -> rules that block it
    maybe: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # port -> rules that may block it
    exempt: list[str] = field(default_factory=list)  # rules that would block it but exempt SYSTEM
    policy_block: list[str] = field(default_factory=list)  # profiles whose default outbound action is Block
    policy_blocked: list[int] = field(default_factory=list)  # ports no allow rule admits in those profiles
    policy_maybe: list[int] = field(default_factory=list)  # ports only undecidable allow rules admit


def _judge_rules(wireserver: str, blocks: list[dict[str, Any]], enabled_profiles: list[str] | None) -> _Verdicts:
    v = _Verdicts()
    for port in PORTS:
        for r in blocks:
            applies, parts = fw.win_rule_applies(r, wireserver, port, enabled_profiles)
            if applies is True or (applies is None and fw.is_known_bad_name(r) and parts["address"] is not False):
                v.blocked.setdefault(port, []).append(r)
            elif applies is None:
                v.maybe.setdefault(port, []).append(r)
            elif parts["local_user"] is False and parts["address"] is True and _rule_label(r) not in v.exempt:
                v.exempt.append(_rule_label(r))
    return v


def _judge_policy(v: _Verdicts, wireserver: str, allows: list[dict[str, Any]], profiles: dict[str, dict[str, Any]],
                  enabled_profiles: list[str] | None) -> None:
    v.policy_block = [p for p in (enabled_profiles or sorted(profiles))
                      if profiles.get(p, {}).get("default_outbound") == "Block"]
    if not v.policy_block:
        return
    for port in PORTS:
        verdicts = [fw.win_rule_applies(r, wireserver, port, v.policy_block)[0] for r in allows]
        if True in verdicts:
            continue
        (v.policy_maybe if None in verdicts else v.policy_blocked).append(port)


_DOCS = (DOC_168, DOC_AGENT_EXT, DOC_WINDOWS_AGENT)


def _why_blocked() -> Msg:
    return m("The VM agent and the backup extension run as SYSTEM and must reach 168.63.129.16 on ports 80 and 32526 "
             "during the Take Snapshot phase. In Windows Firewall a block rule wins over any allow rule, so the "
             "snapshot cannot be requested or its status read, and backup fails.")


def _win_blocked(blocked: dict[int, list[dict[str, Any]]], evidence: dict[str, Any]) -> Finding:
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
                   why=_why_blocked(), fix=fix, docs=list(_DOCS), error_codes=list(ERROR_CODES), evidence=evidence)


# Windows Firewall's profiles, by the names Get-NetFirewallProfile and the registry give them (Microsoft Learn ja:
# ドメイン / プライベート / パブリック プロファイル). A name the wizard does not know is shown as it is.
PROFILE_NAMES = {"domain": N_("Domain"), "private": N_("Private"), "public": N_("Public")}


def _profiles(names: list[str]) -> ListParam:
    """The profiles inside a sentence ("in the {profiles} profile"): translated names, joined per language."""
    return listed(Msg(PROFILE_NAMES[n.lower()]) if n.lower() in PROFILE_NAMES else n for n in names)


def _allow_fix() -> FixStep:
    return step("Allow the Azure platform address as Microsoft documents it (in an elevated PowerShell):",
                command="New-NetFirewallRule -DisplayName AzurePlatform -Direction Outbound "
                        "-RemoteAddress 168.63.129.16 -Profile Any -Action Allow")


def _win_policy_blocked(v: _Verdicts, evidence: dict[str, Any]) -> Finding:
    return Finding(Status.PROBLEM, m("Windows Firewall blocks outbound connections by default in the {profiles} "
                                     "profile and no rule allows the Wire Server (168.63.129.16) on port {ports}.",
                                     profiles=_profiles(v.policy_block), ports=_ports_text(v.policy_blocked)),
                   why=_why_blocked(), fix=[_allow_fix(), step("Then check the connection as Administrator "
                                                                "(TcpTestSucceeded should be True):",
                                                                command=VERIFY_WINDOWS)],
                   docs=list(_DOCS), error_codes=list(ERROR_CODES), evidence=evidence)


def _win_maybe(maybe: dict[int, list[dict[str, Any]]], evidence: dict[str, Any]) -> Finding:
    ports = sorted(maybe)
    rule = maybe[ports[0]][0]
    return Finding(Status.WARNING, m("Windows Firewall rule \"{rule}\" may block outbound connections to the Wire "
                                     "Server (168.63.129.16) on port {ports}; its remote address or user "
                                     "conditions cannot be decided here.", rule=_rule_label(rule),
                                     ports=_ports_text(ports)),
                   why=_why_blocked(), fix=[step("Check the rule's remote addresses and users, and make sure it "
                                                  "does not apply to 168.63.129.16 for SYSTEM:",
                                                  command=f"Get-NetFirewallRule -Name {ps(rule['name'])} | "
                                                          "Get-NetFirewallAddressFilter"),
                                             step("Then check the connection as Administrator (TcpTestSucceeded "
                                                  "should be True):", command=VERIFY_WINDOWS)],
                   docs=list(_DOCS), error_codes=list(ERROR_CODES), evidence=evidence)


def _win_policy_maybe(v: _Verdicts, evidence: dict[str, Any]) -> Finding:
    return Finding(Status.WARNING, m("Windows Firewall blocks outbound connections by default in the {profiles} "
                                     "profile; the rules that may allow the Wire Server (168.63.129.16) use "
                                     "conditions the wizard cannot decide.", profiles=_profiles(v.policy_block)),
                   why=_why_blocked(), fix=[_allow_fix()], docs=list(_DOCS), error_codes=list(ERROR_CODES),
                   evidence=evidence)


def _win_not_blocked(blocks: list[dict[str, Any]], enabled_profiles: list[str] | None,
                     evidence: dict[str, Any]) -> Finding:
    """Nothing blocks the Wire Server: still said when a rule blocks IMDS, which the wizard reads."""
    imds = [r for r in blocks if fw.win_rule_applies(r, IMDS_IP, 80, enabled_profiles)[0] is True]
    if imds:
        evidence["imds_block_rules"] = [_rule_label(r) for r in imds[:10]]
        return Finding(Status.INFO, m("Windows Firewall rule \"{rule}\" blocks the Instance Metadata Service "
                                      "(169.254.169.254). Backup does not need it, but the wizard and other tools "
                                      "read VM facts from it.", rule=_rule_label(imds[0])),
                       docs=[DOC_168], evidence=evidence)
    return Finding(Status.OK, m("No Windows Firewall rule blocks the Wire Server (168.63.129.16) on ports 80 and "
                                "32526, and outbound connections are allowed by default."), evidence=evidence)


_BLOCK_RULE_FIELDS = ("name", "display_name", "profile", "remote_address", "protocol", "remote_port", "program",
                      "service", "local_user", "source", "interface_type", "interface_alias")


def _judge(ctx: CheckContext, rules: list[dict[str, Any]], profiles: dict[str, dict[str, Any]],
           enabled_profiles: list[str] | None, evidence: dict[str, Any]) -> Finding:
    """The finding for the rules and profiles read, worst first: a block rule, a default block, then the maybes."""
    blocks = [r for r in rules if r["action"] == "Block"]
    allows = [r for r in rules if r["action"] == "Allow"]
    v = _judge_rules(ctx.settings.wireserver, blocks, enabled_profiles)
    if v.exempt:
        evidence["rules_exempting_system"] = v.exempt[:20]
    _judge_policy(v, ctx.settings.wireserver, allows, profiles, enabled_profiles)
    evidence["block_rules"] = [{k: r[k] for k in _BLOCK_RULE_FIELDS} for r in blocks[:30]]
    evidence["default_outbound_block_profiles"] = v.policy_block
    if v.blocked:
        return _win_blocked(v.blocked, evidence)
    if v.policy_blocked:
        return _win_policy_blocked(v, evidence)
    if v.maybe:
        return _win_maybe(v.maybe, evidence)
    if v.policy_maybe:
        return _win_policy_maybe(v, evidence)
    return _win_not_blocked(blocks, enabled_profiles, evidence)


def check_firewall_windows(ctx: CheckContext) -> Finding:
    evidence: dict[str, Any] = {"note": WFP_NOTE}
    data = _read_windows_firewall(ctx, evidence)
    if isinstance(data, Finding):
        return data
    unread = _read_errors(ctx, data, evidence)
    if unread is not None:
        return unread

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
                                    profiles=_profiles(considered or [])), evidence=evidence)
    return _judge(ctx, rules, profiles, enabled_profiles, evidence)
