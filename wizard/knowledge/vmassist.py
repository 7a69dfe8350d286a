"""Our check ids beside the names an engineer knows from Microsoft's guest checker, VM assist.

VM assist (Azure/azure-support-scripts `vmassist/`): Windows `vmassist.ps1` (read at 04267e53) names each
check with `New-Check -name '...'`; Linux `vmassist.sh` prints report labels ("Agent Service:", "- Unit
package:", ...) and `vmassist.py` prints its own ("Agent service", "=> source pkg", ...). The names are
kept in English as the tool prints them (it is English only), so an engineer can search its log and
`.htm` report for them; they are never translated. The answer layer adds them to every finding's evidence
(`wizard.present.answer`), so every presenter shows the same. docs/vmassist-parity.md is the full table,
with the checks we choose not to make and why.
"""

from __future__ import annotations

WINDOWS: dict[str, tuple[str, ...]] = {
    "agent.installed": ("C:\\WindowsAzure folder exists", "WindowsAzureGuestAgent.exe exists in C:\\WindowsAzure",
                        "WaAppAgent.exe exists in C:\\WindowsAzure", "VM agent installed",
                        "VM agent installed by MSI / by provisioning agent"),
    "agent.service": ("RdAgent service", "WindowsAzureGuestAgent service"),
    "agent.version": ("VM agent is supported version",),
    "guest.wmi": ("Winmgmt service", "StdRegProv WMI class"),
    "guest.keyiso": ("Keyiso service",),
    "guest.crashes": ("RdAgent service crashes", "Windows Azure Guest Agent service crashes",
                      "WaAppagent process errors", "WindowsAzureGuestAgent process errors"),
    "net.proxy": ("Netsh Proxy configured",),
    "guest.crp_cert": ("TenantEncryptionCert installed", "TenantEncryptionCert within validity period"),
    "guest.wcf_debug": ("WCF debugging config",),
    "net.wireserver_port80": ("Wireserver endpoint 168.63.129.16:80 reachable",),
    "net.wireserver_port32526": ("Wireserver endpoint 168.63.129.16:32526 reachable",),
    "net.wireserver_versions": ("Wireserver endpoint http://168.63.129.16/?comp=versions reachable",),
    "net.imds": ("IMDS endpoint 169.254.169.254:80 reachable", "IMDS endpoint http://169.254.169.254/metadata/instance"),
    "guest.modules": ("Third-party modules in WaAppAgent", "Third-party modules in WindowsAzureGuestAgent"),
    "net.firewall": ("Enabled firewall rules (report tab Firewall)",),
    "guest.machinekeys": ("MachineKeys folder permissions",),
    "guest.folder_acl": ("C:\\WindowsAzure permissions", "C:\\Packages permissions"),
    "res.disk": ("Disk space check (<1GB Warn, <100MB Critical)",),
    "net.dhcp": ("DHCP-assigned IP addresses",),
    "ext.backup": ("aggregatestatus.json / handler states (report tab Extensions)",),
    "ext.others": ("aggregatestatus.json / handler states (report tab Extensions)",),
}

LINUX: dict[str, tuple[str, ...]] = {
    "agent.installed": ("Agent Service (unit found)", "Binary check of waagent"),
    "agent.service": ("Agent Service - status", "Agent service => status", "Agent service => config state"),
    "guest.unit": ("Agent Service - status", "- Unit file"),
    "guest.agent_package": ("- Unit package", "- Repo for Unit", "Agent service => source pkg",
                            "Agent service => repository"),
    "guest.agent_python": ("python path", "- version", "- mod reqests", "- mod waagent",
                           "Binary check of python (path in local/opt/home)"),
    "agent.version": ("Agent version => Main version", "Agent version => Goal state",
                      "Agent/Goal versions", "GoalState version mismatch to wireserver"),
    "agent.config": ("Extensions", "AutoUpgrade", "WAA Extension", "WAA AutoUpgrade"),
    "net.wireserver_port80": ("WIRE HTTP CODE (a GET on port 80)",),
    "net.wireserver_versions": ("WIRE HTTP CODE", "Wire Server port 80"),
    "net.wireserver_port32526": ("WIRE EXTN PORT", "Wire Server port 32526"),
    "net.imds": ("IMDS HTTP CODE", "IMDS"),
    "net.proxy": ("ProxyCheck (environment variables named *proxy*)",),
    "res.disk": ("Volumes >80%", "Disk util > N%", "Found /var/lib/waagent with noexec bit set"),
}

# Our checks that VM assist has no counterpart for: the backup-specific ones it lacks (docs/vmassist-parity.md).
BACKUP_ONLY = frozenset({
    "env.azure", "env.elevation", "env.guest_proxy_agent", "net.hostplugin_health", "agent.log", "agent.python",
    "ext.prepost", "res.cpu", "res.memory", "res.vss", "res.mounts", "res.disk_layout", "guest.tls",
})


def vmassist_names(check_id: str, system: str) -> tuple[str, ...]:
    """The VM assist check names that correspond to `check_id` on `system` ("windows"/"linux"), or ()."""
    table = WINDOWS if system == "windows" else LINUX if system == "linux" else {}
    return table.get(check_id, ())
