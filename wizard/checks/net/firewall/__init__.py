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

from wizard.checks.base import BOTH, Check, CheckContext, Finding, not_applicable_off_azure
from wizard.checks.net.firewall.common import (
    ERROR_CODES,
    EXCERPT,
    IPTABLES_NFT_TABLE_NAMES,
    IPTABLES_TABLES,
    MAX_NFT_TABLES,
    PORTS,
    PROFILES_PS_TIMEOUT,
    PS_TIMEOUT,
    RUN_TIMEOUT,
    VERIFY_LINUX,
    VERIFY_WINDOWS,
    WFP_NOTE,
)
from wizard.checks.net.firewall.linux import Unread, check_firewall_linux
from wizard.checks.net.firewall.windows import (
    CONNECTION_PROFILES_ARGV,
    CONNECTION_PROFILES_SCRIPT,
    REGISTRY_NOTE,
    WINDOWS_FIREWALL_ARGV,
    WINDOWS_FIREWALL_SCRIPT,
    check_firewall_windows,
)
from wizard.model import Component


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

__all__ = [
    "CHECKS",
    "CONNECTION_PROFILES_ARGV",
    "CONNECTION_PROFILES_SCRIPT",
    "ERROR_CODES",
    "EXCERPT",
    "IPTABLES_NFT_TABLE_NAMES",
    "IPTABLES_TABLES",
    "MAX_NFT_TABLES",
    "PORTS",
    "PROFILES_PS_TIMEOUT",
    "PS_TIMEOUT",
    "REGISTRY_NOTE",
    "RUN_TIMEOUT",
    "VERIFY_LINUX",
    "VERIFY_WINDOWS",
    "WFP_NOTE",
    "WINDOWS_FIREWALL_ARGV",
    "WINDOWS_FIREWALL_SCRIPT",
    "Unread",
    "check_firewall",
    "check_firewall_linux",
    "check_firewall_windows",
]
