"""`net.firewall` on Windows: the rules and profiles read from the registry (PowerShell only when it
cannot be read), judged for SYSTEM's connection to the Wire Server on ports 80 and 32526.
"""

from __future__ import annotations

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
from wizard.model import FixStep, Status
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
            applies, parts = fw.win_rule_applies(r, ctx.settings.wireserver, port, enabled_profiles)
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
            verdicts = [fw.win_rule_applies(r, ctx.settings.wireserver, port, policy_block)[0] for r in allows]
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
