"""Building blocks of the catalogue: how a step learns its platform and package family, the documentation
pages, the related check ids, and the steps several codes share."""

from __future__ import annotations

import re

from wizard.i18n import N_
from wizard.knowledge import commands, links
from wizard.knowledge.errorcodes.model import ErrorCode
from wizard.model import DocLink, FixStep, Msg, Phase

_WINDOWS_TEXT = ("On Windows", "From an elevated command prompt", "Check the Windows", "In the local computer's")
_WINDOWS_WORDS = re.compile(r"C:\\|event log|MachineKeys|BitLocker|\.NET Framework|vcredist|System or Application "
                            r"log|Windows Installer")
_LINUX_TEXT = ("On Linux", "On Ubuntu", "On other Linux", "As root", "On Red Hat", "On SUSE")
_WINDOWS_COMMAND = re.compile(r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b|^(?:net|sc|reg|netsh|vssadmin|manage-bde|msdtc|msiexec|"
                              r"bcdedit|wevtutil|icacls)\b|HKEY_|HKLM\\|%\w+%|[A-Z]:\\", re.M | re.I)
_LINUX_COMMAND = re.compile(r"\bsudo\b|^(?:grep|cat|tail|awk|systemctl|mount|umount|findmnt|fsck|curl|iptables|nft|"
                            r"getenforce)\b|(?:^|\s)/(?:etc|var|usr|opt|proc)/", re.M)


def step_platform(text: str, command: str | None) -> str | None:
    """The platform a catalogue step is for: from its wording ("On Windows, ...") or its command."""
    if text.startswith(_WINDOWS_TEXT):
        return "windows"
    if text.startswith(_LINUX_TEXT):
        return "linux"
    if command and _WINDOWS_COMMAND.search(command):
        return "windows"
    if command and _LINUX_COMMAND.search(command):
        return "linux"
    if _WINDOWS_WORDS.search(text):
        return "windows"
    return None


def step_family(text: str, command: str | None) -> str | None:
    """The Linux package families a step is for ("apt", or "dnf,zypper"), when its wording or command says."""
    if text.startswith("On Ubuntu or Debian") or (command and "apt-get" in command):
        return "apt"
    if text.startswith("On other Linux"):
        return "dnf,zypper"
    return None


def step(text: str, command: str | None = None, platform: str | None = None) -> FixStep:
    return FixStep(Msg(text), command, platform or step_platform(text, command), None, step_family(text, command))


def entry(
    code: str,
    *,
    title: str,
    meaning: str,
    fixable_in_vm: bool,
    related: tuple[str, ...],
    steps: tuple[FixStep, ...],
    docs: tuple[DocLink, ...],
    aliases: tuple[str, ...] = (),
    phase: Phase | None = Phase.TAKE_SNAPSHOT,
) -> ErrorCode:
    return ErrorCode(code, Msg(title), Msg(meaning), fixable_in_vm, related, steps, docs, aliases, phase)


# --- documentation -------------------------------------------------------------------------

DOC_TS_VM = links.TS_VM
DOC_TS_AGENT = links.TS_AGENT
DOC_168 = links.IP_168
DOC_MATRIX = links.MATRIX
DOC_LINUX_APP = links.LINUX_APP
DOC_WIN_AGENT = links.WIN_AGENT
DOC_LINUX_AGENT = links.LINUX_AGENT
DOC_INTRO = links.INTRO

# --- related check ids (design §4) ---------------------------------------------------------

AGENT = ("agent.installed", "agent.service", "agent.version", "agent.log")
WIRESERVER = ("net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions",
              "net.hostplugin_health")
GUEST_PATH = ("net.firewall", "net.proxy", "net.dhcp")

# --- steps shared by several codes ---------------------------------------------------------

S_PORTAL_AGENT_READY = step(N_("In the Azure portal, open the VM and check that its status is Running and "
                                "its Agent status is Ready."))
S_WIN_AGENT_SERVICES = step(N_("On Windows, check that the Windows Azure Guest Agent and RdAgent services are "
                                "running, and restart them if they are not (elevated PowerShell)."),
                             "Restart-Service -Name WindowsAzureGuestAgent, RdAgent")
S_WIN_AGENT_REINSTALL = step(N_("On Windows, if the agent is missing or keeps failing, download and install the "
                                 "latest VM agent MSI from https://go.microsoft.com/fwlink/?LinkID=394789 "
                                 "(needs Administrator rights)."))
S_LINUX_AGENT_UPDATE = step(N_("On Linux, update the VM agent from your distribution's package repository "
                                "(example for Ubuntu)."),
                             "sudo apt-get update && sudo apt-get install --only-upgrade walinuxagent")
S_LINUX_AGENT_RESTART_UBUNTU = step(N_("On Ubuntu or Debian, restart the VM agent."),
                                     "sudo systemctl restart walinuxagent")
S_LINUX_AGENT_RESTART_OTHER = step(N_("On other Linux distributions, restart the VM agent."),
                                    "sudo systemctl restart waagent")
S_WIN_TEST_WIRESERVER = step(N_("On Windows, test the connection to 168.63.129.16 on TCP ports 80 and 32526 "
                                 "from PowerShell run as Administrator; both must succeed."),
                              commands.WINDOWS_WIRESERVER_TEST)
S_LINUX_TEST_WIRESERVER = step(N_("On Linux, test the Wire Server as root, without any proxy; the answer must be "
                                   "200."),
                                commands.LINUX_WIRESERVER_TEST)
S_NO_FIREWALL_BLOCK = step(N_("Make sure that no in-guest firewall rule blocks outbound TCP to 168.63.129.16 on "
                               "ports 80 and 32526. Network security groups, Azure Firewall, routes and forced "
                               "tunnelling do not affect this address, so there is nothing to change there."))
S_WIN_FIREWALL_RULES = step(N_("On Windows, list enabled outbound block rules that name 168.63.129.16."),
                             commands.WINDOWS_BLOCK_RULES)
S_LINUX_FIREWALL_RULES = step(N_("On Linux, list the firewall rules as root. Only the agent's own rules (accept "
                                  "for root, drop for other users) are expected for 168.63.129.16."),
                               commands.LINUX_ALL_RULES)
S_PROXY_BYPASS = step(N_("If a proxy is configured, make sure 168.63.129.16 and 169.254.169.254 bypass it "
                          "(Windows: proxy exceptions for the SYSTEM account and WinHTTP; Linux: no_proxy)."))
S_WIN_SHOW_PROXY = step(N_("On Windows, show the WinHTTP proxy setting."), "netsh winhttp show proxy")
S_LINUX_SHOW_PROXY = step(N_("On Linux, show the proxy settings of the VM agent's service."),
                           "systemctl show walinuxagent waagent --property=Environment")
S_DHCP = step(N_("On Windows, keep DHCP enabled on the VM's network adapter; set a static private IP address in "
                  "Azure, not inside the guest."),
               "Get-NetIPInterface -AddressFamily IPv4 | Select-Object InterfaceAlias, Dhcp")
S_WAAGENT_CONF = step(N_("On Linux, check /etc/waagent.conf: Extensions.Enabled must be y and "
                          "Provisioning.Agent must be auto. Restart the agent after a change."),
                       "grep -E '^(Extensions\\.Enabled|Provisioning\\.Agent)' /etc/waagent.conf")
S_EXTENSIONS_SUCCEEDED = step(N_("In the Azure portal, open the VM's Extensions + applications page and check "
                                  "that every extension shows Provisioning succeeded."))
S_RETRY_ON_DEMAND = step(N_("Run an on-demand backup (Backup now) to check the fix."))
S_WIN_APPLOCKER = step(N_("If AppLocker or another application control policy is used, allow "
                           "IaaSBcdrExtension.exe to run."))
S_RDP_SHUTDOWN = step(N_("If the VM was shut down from inside the guest (for example over RDP), check its "
                          "status in the portal; shut it down with the portal's Stop button instead."))
S_JOB_DETAILS = step(N_("In the Recovery Services vault, open Backup jobs, select the failed job and read its "
                         "error details."))
S_UNINSTALL_EXTENSION = step(N_("In the Azure portal, open the VM's Extensions + applications page, select the "
                                 "backup extension (VMSnapshot or VMSnapshotLinux) and uninstall it. The next "
                                 "backup installs it again."))
S_WIN_EVENTLOG_BCDR = step(N_("Check the Windows Application event log at the time of the backup for errors "
                           "about IaaSBcdrExtension.exe."),
                        "Get-WinEvent -LogName Application -MaxEvents 2000 | "
                        "Where-Object { $_.Message -like '*IaaSBcdrExtension.exe*' }")
S_VSS_LIST = step(N_("From an elevated command prompt, list the VSS writers. Every writer should show "
                      "State [1] Stable and Last error No error."),
                   "vssadmin list writers")
S_VSS_RESTART_WRITER = step(N_("Restart the service of each writer that is not stable, preferably in a "
                                "maintenance window (restarting services can affect production)."),
                             "net stop <service name> && net start <service name>")
S_VSS_SERVICE_RESTART = step(N_("Restart the Volume Shadow Copy service from an elevated command prompt."),
                              "net stop VSS && net start VSS")
S_COMSYSAPP = step(N_("Start or restart the COM+ System Application service from an elevated command prompt."),
                    "net start COMSysApp")
S_MSDTC_ACCOUNT = step(N_("Check that the Distributed Transaction Coordinator (MSDTC) service runs as Network "
                           "Service (SERVICE_START_NAME: NT AUTHORITY\\NetworkService). If not, change it and "
                           "restart the COM+ System Application service."),
                        "sc qc MSDTC")
S_MSDTC_REINSTALL = step(N_("If the services cannot be restarted, reinstall MSDTC from an elevated command "
                             "prompt, then start the COM+ System Application service and retry the backup."),
                          "net stop MSDTC && msdtc -uninstall && msdtc -install && net start MSDTC")
S_OFF_PEAK = step(N_("Move the backup schedule to a time when the VM is less busy (less CPU, memory and disk "
                      "activity)."))
S_RESIZE = step(N_("If the VM is regularly short of CPU or memory, resize it to a larger size."))
S_CHECK_RESOURCES = step(N_("Check that CPU and memory usage stay below 90 % at backup time and that the disks "
                             "have free space."))
S_STORAGE_BEST_PRACTICES = step(N_("Follow the Azure VM backup best practices (spread backup schedules, avoid "
                                    "peak hours) and retry the backup."))
S_STOP_PROTECTION = step(N_("Either re-create the VM with the same name in the same resource group, or stop "
                             "protecting it in the Recovery Services vault (with or without deleting its backup "
                             "data)."))
S_LINUX_PREPOST_LOGS = step(N_("Look at the logs your pre-script and post-script write, and at the backup "
                                "extension's log."),
                             "sudo tail -n 100 "
                             "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log")
S_LINUX_PREPOST_CONFIG = step(N_("Check that /etc/azure/VMSnapshotScriptPluginConfig.json names the full paths "
                                  "of the scripts and that the files exist."),
                               "sudo cat /etc/azure/VMSnapshotScriptPluginConfig.json")
S_LINUX_SCRIPT_PERMS = step(N_("Make root the owner of the script and give it permission 700 (only the owner "
                                "may read, write and run it)."),
                             "sudo chown root:root <script> && sudo chmod 700 <script>")
S_LINUX_CONFIG_PERMS = step(N_("Make root the owner of the configuration file and give it permission 600."),
                             "sudo chown root:root /etc/azure/VMSnapshotScriptPluginConfig.json && "
                             "sudo chmod 600 /etc/azure/VMSnapshotScriptPluginConfig.json")
S_LINUX_SCRIPT_TIMEOUT = step(N_("Check why the script is slow, and if it needs more time raise "
                                  "timeoutInSeconds in /etc/azure/VMSnapshotScriptPluginConfig.json (at most "
                                  "1800)."),
                               "sudo grep timeoutInSeconds /etc/azure/VMSnapshotScriptPluginConfig.json")
