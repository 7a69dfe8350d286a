"""The commands the program offers to copy for things it says in many places, written once.

Each is valid in the shell it is for (checked by the tests: `bash -n` for Linux, the PowerShell 5.1 rules
for Windows). Commands built from machine data are quoted by `wizard.checks.commands`.
"""

from __future__ import annotations

WIRESERVER = "168.63.129.16"
VERSIONS_URL = f"http://{WIRESERVER}/?comp=versions"
HEALTH_URL = f"http://{WIRESERVER}:32526/health"


def linux_http_test(url: str = VERSIONS_URL) -> str:
    """Ask the Wire Server (or the HostGAPlugin) directly, as root, around any proxy; prints the HTTP status."""
    return f"sudo curl --noproxy '*' -sS -o /dev/null -w '%{{http_code}}\\n' '{url}'"


def windows_port_test(port: int | None = None) -> str:
    """Test TCP to the Wire Server from PowerShell (both ports when `port` is None)."""
    ports = (80, 32526) if port is None else (port,)
    return "; ".join(f"Test-NetConnection -ComputerName {WIRESERVER} -Port {p}" for p in ports)


LINUX_WIRESERVER_TEST = linux_http_test()
LINUX_HEALTH_TEST = linux_http_test(HEALTH_URL)
WINDOWS_WIRESERVER_TEST = windows_port_test()
WINDOWS_BLOCK_RULES = (
    "Get-NetFirewallRule -Enabled True -Direction Outbound -Action Block | Where-Object { "
    "$a = ($_ | Get-NetFirewallAddressFilter).RemoteAddress; $a -contains 'Any' -or "
    f"$a -contains '{WIRESERVER}' }} | Format-Table DisplayName, Profile, Direction, Action -AutoSize"
)
WINDOWS_FIREWALL_PROFILES = "Get-NetFirewallProfile | Format-Table Name, Enabled, DefaultOutboundAction -AutoSize"
LINUX_AGENT_RULES = "sudo iptables -t security -L OUTPUT -nxv"
LINUX_ALL_RULES = "sudo iptables -t security -L OUTPUT -nxv; sudo nft list ruleset"
