"""The portal error-code catalogue: what each Azure VM Backup error code means and what to do.

Content is data: one `ErrorCode` per code (spelling variants and numeric ids are aliases),
with the message the portal shows, a plain-words meaning, whether it can be fixed from inside
the VM, the check ids (design §4) that detect its causes, fix steps with exact commands, and
official documentation links. Every sentence is an English msgid marked with `N_()` and
translated at display time. Sources: the error-code table of the facts file (§8) and the
Linux pre/post script error table of "Application-consistent backup of Azure Linux VMs".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.i18n import N_, Translator
from wizard.knowledge import commands, links
from wizard.model import DocLink, FixStep, JSONValue, Msg, Phase


@dataclass(frozen=True)
class ErrorCode:
    """One portal error code and everything the wizard knows about it."""

    code: str
    title: Msg
    meaning: Msg
    fixable_in_vm: bool
    related_checks: tuple[str, ...]
    steps: tuple[FixStep, ...]
    docs: tuple[DocLink, ...]
    aliases: tuple[str, ...] = ()
    phase: Phase | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The code followed by its aliases."""
        return (self.code, *self.aliases)

    def to_dict(self) -> dict[str, JSONValue]:
        """The `Diagnosis.symptom` shape: text as message dicts, translated by the presenters."""
        return {
            "code": self.code,
            "aliases": list(self.aliases),
            "title": self.title.to_dict(),
            "meaning": self.meaning.to_dict(),
            "fixable_in_vm": self.fixable_in_vm,
            "related_checks": list(self.related_checks),
            "steps": [s.to_dict() for s in self.steps],
            "docs": [d.to_dict() for d in self.docs],
            "failing_phase": self.phase.value if self.phase else None,
        }


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


def _step(text: str, command: str | None = None, platform: str | None = None) -> FixStep:
    return FixStep(Msg(text), command, platform or step_platform(text, command), None, step_family(text, command))


def _entry(
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

S_PORTAL_AGENT_READY = _step(N_("In the Azure portal, open the VM and check that its status is Running and "
                                "its Agent status is Ready."))
S_WIN_AGENT_SERVICES = _step(N_("On Windows, check that the Windows Azure Guest Agent and RdAgent services are "
                                "running, and restart them if they are not (elevated PowerShell)."),
                             "Restart-Service -Name WindowsAzureGuestAgent, RdAgent")
S_WIN_AGENT_REINSTALL = _step(N_("On Windows, if the agent is missing or keeps failing, download and install the "
                                 "latest VM agent MSI from https://go.microsoft.com/fwlink/?LinkID=394789 "
                                 "(needs Administrator rights)."))
S_LINUX_AGENT_UPDATE = _step(N_("On Linux, update the VM agent from your distribution's package repository "
                                "(example for Ubuntu)."),
                             "sudo apt-get update && sudo apt-get install --only-upgrade walinuxagent")
S_LINUX_AGENT_RESTART_UBUNTU = _step(N_("On Ubuntu or Debian, restart the VM agent."),
                                     "sudo systemctl restart walinuxagent")
S_LINUX_AGENT_RESTART_OTHER = _step(N_("On other Linux distributions, restart the VM agent."),
                                    "sudo systemctl restart waagent")
S_WIN_TEST_WIRESERVER = _step(N_("On Windows, test the connection to 168.63.129.16 on TCP ports 80 and 32526 "
                                 "from PowerShell run as Administrator; both must succeed."),
                              commands.WINDOWS_WIRESERVER_TEST)
S_LINUX_TEST_WIRESERVER = _step(N_("On Linux, test the Wire Server as root, without any proxy; the answer must be "
                                   "200."),
                                commands.LINUX_WIRESERVER_TEST)
S_NO_FIREWALL_BLOCK = _step(N_("Make sure that no in-guest firewall rule blocks outbound TCP to 168.63.129.16 on "
                               "ports 80 and 32526. Network security groups, Azure Firewall, routes and forced "
                               "tunnelling do not affect this address, so there is nothing to change there."))
S_WIN_FIREWALL_RULES = _step(N_("On Windows, list enabled outbound block rules that name 168.63.129.16."),
                             commands.WINDOWS_BLOCK_RULES)
S_LINUX_FIREWALL_RULES = _step(N_("On Linux, list the firewall rules as root. Only the agent's own rules (accept "
                                  "for root, drop for other users) are expected for 168.63.129.16."),
                               commands.LINUX_ALL_RULES)
S_PROXY_BYPASS = _step(N_("If a proxy is configured, make sure 168.63.129.16 and 169.254.169.254 bypass it "
                          "(Windows: proxy exceptions for the SYSTEM account and WinHTTP; Linux: no_proxy)."))
S_WIN_SHOW_PROXY = _step(N_("On Windows, show the WinHTTP proxy setting."), "netsh winhttp show proxy")
S_LINUX_SHOW_PROXY = _step(N_("On Linux, show the proxy settings of the VM agent's service."),
                           "systemctl show walinuxagent waagent --property=Environment")
S_DHCP = _step(N_("On Windows, keep DHCP enabled on the VM's network adapter; set a static private IP address in "
                  "Azure, not inside the guest."),
               "Get-NetIPInterface -AddressFamily IPv4 | Select-Object InterfaceAlias, Dhcp")
S_WAAGENT_CONF = _step(N_("On Linux, check /etc/waagent.conf: Extensions.Enabled must be y and "
                          "Provisioning.Agent must be auto. Restart the agent after a change."),
                       "grep -E '^(Extensions\\.Enabled|Provisioning\\.Agent)' /etc/waagent.conf")
S_EXTENSIONS_SUCCEEDED = _step(N_("In the Azure portal, open the VM's Extensions + applications page and check "
                                  "that every extension shows Provisioning succeeded."))
S_RETRY_ON_DEMAND = _step(N_("Run an on-demand backup (Backup now) to check the fix."))
S_WIN_APPLOCKER = _step(N_("If AppLocker or another application control policy is used, allow "
                           "IaaSBcdrExtension.exe to run."))
S_RDP_SHUTDOWN = _step(N_("If the VM was shut down from inside the guest (for example over RDP), check its "
                          "status in the portal; shut it down with the portal's Stop button instead."))
S_JOB_DETAILS = _step(N_("In the Recovery Services vault, open Backup jobs, select the failed job and read its "
                         "error details."))
S_UNINSTALL_EXTENSION = _step(N_("In the Azure portal, open the VM's Extensions + applications page, select the "
                                 "backup extension (VMSnapshot or VMSnapshotLinux) and uninstall it. The next "
                                 "backup installs it again."))
S_WIN_EVENTLOG_BCDR = _step(N_("Check the Windows Application event log at the time of the backup for errors "
                           "about IaaSBcdrExtension.exe."),
                        "Get-WinEvent -LogName Application -MaxEvents 2000 | "
                        "Where-Object { $_.Message -like '*IaaSBcdrExtension.exe*' }")
S_VSS_LIST = _step(N_("From an elevated command prompt, list the VSS writers. Every writer should show "
                      "State [1] Stable and Last error No error."),
                   "vssadmin list writers")
S_VSS_RESTART_WRITER = _step(N_("Restart the service of each writer that is not stable, preferably in a "
                                "maintenance window (restarting services can affect production)."),
                             "net stop <service name> && net start <service name>")
S_VSS_SERVICE_RESTART = _step(N_("Restart the Volume Shadow Copy service from an elevated command prompt."),
                              "net stop VSS && net start VSS")
S_COMSYSAPP = _step(N_("Start or restart the COM+ System Application service from an elevated command prompt."),
                    "net start COMSysApp")
S_MSDTC_ACCOUNT = _step(N_("Check that the Distributed Transaction Coordinator (MSDTC) service runs as Network "
                           "Service (SERVICE_START_NAME: NT AUTHORITY\\NetworkService). If not, change it and "
                           "restart the COM+ System Application service."),
                        "sc qc MSDTC")
S_MSDTC_REINSTALL = _step(N_("If the services cannot be restarted, reinstall MSDTC from an elevated command "
                             "prompt, then start the COM+ System Application service and retry the backup."),
                          "net stop MSDTC && msdtc -uninstall && msdtc -install && net start MSDTC")
S_OFF_PEAK = _step(N_("Move the backup schedule to a time when the VM is less busy (less CPU, memory and disk "
                      "activity)."))
S_RESIZE = _step(N_("If the VM is regularly short of CPU or memory, resize it to a larger size."))
S_CHECK_RESOURCES = _step(N_("Check that CPU and memory usage stay below 90 % at backup time and that the disks "
                             "have free space."))
S_STORAGE_BEST_PRACTICES = _step(N_("Follow the Azure VM backup best practices (spread backup schedules, avoid "
                                    "peak hours) and retry the backup."))
S_STOP_PROTECTION = _step(N_("Either re-create the VM with the same name in the same resource group, or stop "
                             "protecting it in the Recovery Services vault (with or without deleting its backup "
                             "data)."))
S_LINUX_PREPOST_LOGS = _step(N_("Look at the logs your pre-script and post-script write, and at the backup "
                                "extension's log."),
                             "sudo tail -n 100 "
                             "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log")
S_LINUX_PREPOST_CONFIG = _step(N_("Check that /etc/azure/VMSnapshotScriptPluginConfig.json names the full paths "
                                  "of the scripts and that the files exist."),
                               "sudo cat /etc/azure/VMSnapshotScriptPluginConfig.json")
S_LINUX_SCRIPT_PERMS = _step(N_("Make root the owner of the script and give it permission 700 (only the owner "
                                "may read, write and run it)."),
                             "sudo chown root:root <script> && sudo chmod 700 <script>")
S_LINUX_CONFIG_PERMS = _step(N_("Make root the owner of the configuration file and give it permission 600."),
                             "sudo chown root:root /etc/azure/VMSnapshotScriptPluginConfig.json && "
                             "sudo chmod 600 /etc/azure/VMSnapshotScriptPluginConfig.json")
S_LINUX_SCRIPT_TIMEOUT = _step(N_("Check why the script is slow, and if it needs more time raise "
                                  "timeoutInSeconds in /etc/azure/VMSnapshotScriptPluginConfig.json (at most "
                                  "1800)."),
                               "sudo grep timeoutInSeconds /etc/azure/VMSnapshotScriptPluginConfig.json")

# --- the catalogue -------------------------------------------------------------------------

CATALOGUE: tuple[ErrorCode, ...] = (
    _entry(
        "UserErrorGuestAgentStatusUnavailable",
        title=N_("VM Agent unable to communicate with Azure Backup"),
        meaning=N_("Azure Backup could not talk to the VM agent inside the VM. The agent is stopped, outdated, "
                   "in a bad state or not installed, or it cannot reach the Wire Server (168.63.129.16) "
                   "because an in-guest firewall or proxy is in the way."),
        fixable_in_vm=True,
        related=(*AGENT, *WIRESERVER, "net.firewall", "net.proxy", "env.guest_proxy_agent"),
        steps=(S_PORTAL_AGENT_READY, S_WIN_AGENT_SERVICES, S_WIN_AGENT_REINSTALL, S_LINUX_AGENT_UPDATE,
               S_LINUX_AGENT_RESTART_UBUNTU, S_LINUX_AGENT_RESTART_OTHER, S_WIN_TEST_WIRESERVER,
               S_LINUX_TEST_WIRESERVER, S_NO_FIREWALL_BLOCK, S_EXTENSIONS_SUCCEEDED, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT, DOC_168, DOC_WIN_AGENT, DOC_LINUX_AGENT),
    ),
    _entry(
        "GuestAgentSnapshotTaskStatusError",
        title=N_("Could not communicate with the VM agent for snapshot status"),
        meaning=N_("The snapshot could not be started or its status could not be read. Usual causes: the VM "
                   "agent does not respond (Windows) or is outdated (Linux), DHCP is disabled in the guest, "
                   "the Linux agent's configuration disables extensions, or AppLocker blocks the backup "
                   "extension."),
        fixable_in_vm=True,
        related=("agent.service", "agent.version", "agent.config", "agent.log", "net.dhcp",
                 "net.wireserver_port80", "net.firewall"),
        steps=(S_WIN_AGENT_SERVICES, S_LINUX_AGENT_UPDATE, S_WAAGENT_CONF, S_DHCP, S_RDP_SHUTDOWN,
               S_WIN_APPLOCKER, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT, DOC_WIN_AGENT, DOC_LINUX_AGENT),
    ),
    _entry(
        "UserErrorVmProvisioningStateFailed",
        title=N_("The VM is in failed provisioning state"),
        meaning=N_("An extension on the VM (not necessarily the backup extension) failed, and that put the "
                   "whole VM into the Failed provisioning state, in which backups cannot run."),
        fixable_in_vm=True,
        related=("ext.others", "ext.backup", "agent.service"),
        steps=(S_EXTENSIONS_SUCCEEDED,
               _step(N_("Fix or remove each extension in a failed state, then wait until the VM's provisioning "
                        "state is Succeeded (not Updating).")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT, DOC_TS_VM),
    ),
    _entry(
        "UserErrorRpCollectionLimitReached",
        title=N_("The Restore Point collection max limit has reached"),
        meaning=N_("The VM has too many restore points (at most 18 instant restore points). Usually a lock on "
                   "the AzureBackupRG_<Geo>_<number> resource group stops Azure Backup from cleaning up old "
                   "ones; too many backups a day can also cause it."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Remove any lock from the resource group named AzureBackupRG_<Geo>_<number>.")),
               _step(N_("Run an on-demand backup; Azure Backup then cleans up old restore points. If it still "
                        "fails, delete the restore point collection."))),
        docs=(DOC_TS_AGENT,),
    ),
    _entry(
        "UserErrorKeyvaultPermissionsNotConfigured",
        title=N_("Backup doesn't have sufficient permissions to the key vault for backup of encrypted VMs"),
        meaning=N_("The VM's disks are encrypted and Azure Backup is not allowed to read the keys and secrets "
                   "in the key vault. This is an Azure permission, not something inside the VM."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Give Azure Backup the permissions it needs on the key vault that holds the VM's "
                        "encryption keys and secrets, then retry the backup.")),),
        docs=(DOC_TS_AGENT,),
    ),
    _entry(
        "ExtensionSnapshotFailedNoNetwork",
        title=N_("Snapshot operation failed due to no network connectivity on the virtual machine"),
        meaning=N_("The backup extension could not take the snapshot or read its status because the VM could "
                   "not reach the Wire Server (168.63.129.16). Inside the guest this means DHCP disabled, a "
                   "firewall rule or a proxy in the way."),
        fixable_in_vm=True,
        related=(*WIRESERVER, *GUEST_PATH),
        steps=(S_DHCP, S_NO_FIREWALL_BLOCK, S_WIN_FIREWALL_RULES, S_LINUX_FIREWALL_RULES, S_PROXY_BYPASS,
               S_WIN_SHOW_PROXY, S_LINUX_SHOW_PROXY,
               S_WIN_TEST_WIRESERVER, S_LINUX_TEST_WIRESERVER,
               _step(N_("VMs with write accelerator disks are an exception: they need internet access for "
                        "backups to succeed.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT, DOC_168, DOC_MATRIX),
    ),
    _entry(
        "ExtensionOperationFailedForManagedDisks",
        aliases=("ExtentionOperationFailedForManagedDisks",),
        title=N_("VMSnapshot extension operation failed"),
        meaning=N_("The backup extension could not start the snapshot. Usual causes: the snapshot status "
                   "could not be read (often DHCP disabled in the guest), or the VM agent does not respond "
                   "(Windows) or is outdated (Linux)."),
        fixable_in_vm=True,
        related=("agent.service", "agent.version", "net.dhcp", "net.wireserver_port80", "ext.backup"),
        steps=(S_DHCP, S_WIN_AGENT_SERVICES, S_LINUX_AGENT_UPDATE, S_WIN_TEST_WIRESERVER,
               S_LINUX_TEST_WIRESERVER, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT,),
    ),
    _entry(
        "BackUpOperationFailed",
        aliases=("BackUpOperationFailedV2",),
        title=N_("Backup failed with an internal error - Please retry the operation in a few minutes"),
        meaning=N_("A general failure. Known causes: problems with the VM agent or the snapshot, a lock on the "
                   "restore point resource group, or a damaged backup extension component on Windows "
                   "(iaasvmprovider.dll)."),
        fixable_in_vm=True,
        related=("agent.service", "agent.version", "ext.backup", "net.wireserver_port80"),
        steps=(S_WIN_AGENT_SERVICES, S_LINUX_AGENT_UPDATE,
               _step(N_("On Windows, reinstall the Visual C++ 2013 x64 redistributable (vcredist2013_x64) from "
                        "the backup extension's folder."),
                     "dir C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot"),
               _step(N_("Remove any lock from the resource group named AzureBackupRG_<Geo>_<number>.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT,),
    ),
    _entry(
        "UserErrorUnsupportedDiskSize",
        title=N_("The configured disk size(s) is currently not supported by Azure Backup"),
        meaning=N_("A disk is larger than Azure Backup supports: more than 32 TB, or more than 4 TB for an "
                   "encrypted disk."),
        fixable_in_vm=False,
        related=("res.disk_layout",),
        steps=(_step(N_("Split the data over smaller disks: attach new disks within the limits, copy the data, "
                        "detach the oversized disk, then retry the backup.")),),
        docs=(DOC_TS_AGENT, DOC_MATRIX),
    ),
    _entry(
        "UserErrorBackupOperationInProgress",
        title=N_("Unable to initiate backup as another backup operation is currently in progress"),
        meaning=N_("An earlier backup job of this VM is still running. A new job fails while an earlier one is "
                   "still in Take Snapshot."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Wait until the running backup job finishes (or cancel it), then start the backup "
                        "again.")),),
        docs=(DOC_TS_AGENT,),
        phase=None,
    ),
    _entry(
        "UserErrorCrpReportedUserError",
        title=N_("Backup failed due to an error. For details, see Job Error Message Details"),
        meaning=N_("The VM reported an error during the backup. This code is only a wrapper: the job's error "
                   "details name the real cause."),
        fixable_in_vm=False,
        related=(),
        steps=(S_JOB_DETAILS,
               _step(N_("Look up the error code shown there with this wizard and follow its steps."))),
        docs=(DOC_TS_AGENT,),
        phase=None,
    ),
    _entry(
        "UserErrorBcmDatasourceNotPresent",
        title=N_("Backup failed: This virtual machine is not (actively) protected by Azure Backup"),
        meaning=N_("The vault no longer protects this VM (for example, protection was stopped), so there is "
                   "nothing to back up."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("In the Recovery Services vault, open Backup items and check whether this VM is "
                        "protected; configure its backup again if it is not.")),),
        docs=(DOC_TS_AGENT,),
        phase=None,
    ),
    _entry(
        "VMRestorePointInternalError",
        title=N_("Antivirus configured in the VM is restricting the execution of backup extension"),
        meaning=N_("Antivirus software in the VM stops the backup extension from running. On Windows the "
                   "Application event log then shows \"Faulting application name: IaaSBcdrExtension.exe\"."),
        fixable_in_vm=True,
        related=("ext.backup", "agent.log"),
        steps=(S_WIN_EVENTLOG_BCDR,
               _step(N_("Exclude these folders in the antivirus configuration: "
                        "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot and "
                        "C:\\WindowsAzure\\Logs\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot.")),
               _step(N_("On Linux, exclude /var/lib/waagent/WALinuxAgent and "
                        "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "CopyingVHDsFromBackUpVaultTakingLongTime",
        title=N_("Copying backed up data from vault timed out"),
        meaning=N_("The data transfer to the vault did not finish in time, because of temporary storage errors "
                   "or too few storage IOPS. This happens in Azure's back end, not inside the VM."),
        fixable_in_vm=False,
        related=(),
        steps=(S_STORAGE_BEST_PRACTICES,),
        docs=(DOC_TS_VM, DOC_INTRO),
        phase=Phase.TRANSFER_TO_VAULT,
    ),
    _entry(
        "UserErrorVmNotInDesirableState",
        aliases=("VmNotInDesirableState",),
        title=N_("VM is not in a state that allows backups"),
        meaning=N_("The VM is in a Failed or transitional state, the VM agent is missing, or on Linux SELinux "
                   "stops the agent from working in /var/lib/waagent."),
        fixable_in_vm=True,
        related=("agent.installed", "agent.service", "ext.others"),
        steps=(_step(N_("If the VM is between Running and Shut down, wait until the state settles, then start "
                        "the backup.")),
               _step(N_("On Linux with SELinux, exclude the agent path /var/lib/waagent from the security "
                        "policy and make sure the backup extension is installed."),
                     "getenforce"),
               _step(N_("If the VM agent is missing, install it and then retry the backup.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "UserErrorFsFreezeFailed",
        title=N_("Failed to freeze one or more mount-points of the VM to take a file-system consistent "
                 "snapshot"),
        meaning=N_("On Linux, the backup extension could not freeze every mounted file system for the "
                   "snapshot: a file system is not clean, cannot be frozen, or is mounted twice."),
        fixable_in_vm=True,
        related=("res.mounts", "ext.backup", "ext.prepost"),
        steps=(_step(N_("Find the mount points that failed in the backup extension's log (lines such as "
                        "\"Failed to FITHAW: /boot\")."),
                     "sudo grep -iE 'freeze|thaw' "
                     "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log | tail -n 50"),
               _step(N_("List mount points that are mounted more than once; remove the old entries or rename the "
                        "mount path."),
                     "awk '{print $2}' /proc/mounts | sort | uniq -d"),
               _step(N_("Unmount each file system that was not cleanly unmounted, check it with fsck, and mount "
                        "it again."),
                     "sudo umount <mount point> && sudo fsck <device> && sudo mount <mount point>"),
               _step(N_("If a mount point cannot be unmounted, skip it: add MountsToSkip (for example "
                        "MountsToSkip = /mnt/resource) to the [SnapshotThread] section of "
                        "/etc/azure/vmbackup.conf."),
                     "sudo cat /etc/azure/vmbackup.conf"),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "UserErrorUnableToOpenMount",
        title=N_("Backups failed because the backup extensions on the VM were unable to open the mount points "
                 "in the VM"),
        meaning=N_("On Linux, a mount point could not be opened, typically a network file system (NFS, CIFS) "
                   "that no longer answers."),
        fixable_in_vm=True,
        related=("res.mounts",),
        steps=(_step(N_("As root, check that every mount point can be opened; unmount or repair the ones that "
                        "hang or fail."),
                     "awk '{print $2}' /proc/mounts | while read -r m; do timeout 5 stat -t \"$m\" "
                     ">/dev/null || echo \"cannot open: $m\"; done"),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionSnapshotFailedCOM",
        title=N_("Snapshot operation failed due to COM+ error"),
        meaning=N_("On Windows, the COM+ System Application service (or the Distributed Transaction "
                   "Coordinator it depends on) did not work during the snapshot."),
        fixable_in_vm=True,
        related=("res.vss",),
        steps=(S_COMSYSAPP, S_MSDTC_ACCOUNT, S_MSDTC_REINSTALL),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionInstallationFailedCOM",
        title=N_("Extension installation/operation failed due to a COM+ error"),
        meaning=N_("On Windows, the backup extension could not be installed or run because the COM+ System "
                   "Application service did not work."),
        fixable_in_vm=True,
        related=("res.vss", "ext.backup"),
        steps=(S_COMSYSAPP, S_MSDTC_ACCOUNT, S_MSDTC_REINSTALL),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionInstallationFailedMDTC",
        title=N_("Extension installation failed with the error \"COM+ was unable to talk to the Microsoft "
                 "Distributed Transaction Coordinator\""),
        meaning=N_("On Windows, COM+ could not reach the Distributed Transaction Coordinator (MSDTC), so the "
                   "backup extension could not be installed."),
        fixable_in_vm=True,
        related=("res.vss", "ext.backup"),
        steps=(S_MSDTC_ACCOUNT, S_MSDTC_REINSTALL, S_COMSYSAPP),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionFailedVssWriterInBadState",
        title=N_("Snapshot operation failed because VSS writers were in a bad state"),
        meaning=N_("On Windows, one or more VSS writers (the parts of applications that prepare their data for "
                   "a snapshot) were not stable. Low disk space, memory or CPU, and slow disks can cause this."),
        fixable_in_vm=True,
        related=("res.vss", "res.cpu", "res.memory", "res.disk"),
        steps=(S_VSS_LIST, S_VSS_RESTART_WRITER,
               _step(N_("If that does not help, stop the extension from creating threads for blob snapshots "
                        "(elevated command prompt)."),
                     "REG ADD \"HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys\" /v SnapshotWithoutThreads "
                     "/t REG_SZ /d True /f"),
               _step(N_("If the System or Application log says \"The shadow copy provider timed out while "
                        "holding writes to the volume being shadow copied\", the disks are too busy: spread the "
                        "load over more disks, back up off-peak, or use disks with more IOPS.")),
               S_CHECK_RESOURCES, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionFailedVssServiceInBadState",
        title=N_("Snapshot operation failed due to VSS (Volume Shadow Copy) service in bad state"),
        meaning=N_("On Windows, the Volume Shadow Copy service itself was in a bad state. Restarting VSS and, "
                   "if needed, the VM usually fixes it."),
        fixable_in_vm=True,
        related=("res.vss",),
        steps=(S_VSS_SERVICE_RESTART,
               _step(N_("If the error comes back, restart the VM in a maintenance window.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionConfigParsingFailure",
        title=N_("Failure in parsing the config for the backup extension"),
        meaning=N_("On Windows, the permissions of the MachineKeys folder were changed, so the backup extension "
                   "cannot read its protected configuration."),
        fixable_in_vm=True,
        related=("ext.backup",),
        steps=(_step(N_("Check the permissions of the MachineKeys folder; the defaults are Everyone: (R,W) and "
                        "BUILTIN\\Administrators: (F)."),
                     "icacls %systemdrive%\\programdata\\microsoft\\crypto\\rsa\\machinekeys"),
               _step(N_("If they differ, reset them to the defaults.")),
               _step(N_("In the local computer's certificate store (Personal > Certificates), delete the "
                        "certificates issued to Windows Azure CRP Certificate Generator or to the classic "
                        "deployment model.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionStuckInDeletionState",
        title=N_("Extension state is not supportive to the backup operation"),
        meaning=N_("The backup extension is in an inconsistent state (for example, stuck while being "
                   "removed)."),
        fixable_in_vm=False,
        related=("ext.backup", "agent.service"),
        steps=(_step(N_("Make sure the VM agent is installed and responding.")),
               S_UNINSTALL_EXTENSION, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionFailedSnapshotLimitReachedError",
        title=N_("Snapshot operation failed as snapshot limit is exceeded for some of the disks attached"),
        meaning=N_("Some disks already have the maximum number of snapshots, for example because of soft "
                   "delete or Azure Site Recovery."),
        fixable_in_vm=False,
        related=("ext.prepost",),
        steps=(_step(N_("Delete disk blob snapshots that are not needed; delete only snapshot blobs, never the "
                        "disk blobs.")),
               _step(N_("If soft delete is enabled on the disks' storage accounts, shorten its retention so "
                        "fewer snapshots are kept.")),
               _step(N_("If Azure Site Recovery protects the VM, set isanysnapshotfailed to false in "
                        "/etc/azure/vmbackup.conf and schedule Site Recovery at a different time."),
                     "sudo grep -i isanysnapshotfailed /etc/azure/vmbackup.conf")),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionFailedTimeoutVMNetworkUnresponsive",
        title=N_("Snapshot operation failed due to inadequate VM resources"),
        meaning=N_("Network calls during the snapshot were too slow, usually because the VM was short of CPU "
                   "or memory at backup time."),
        fixable_in_vm=True,
        related=("res.cpu", "res.memory"),
        steps=(_step(N_("On Windows, make the snapshot be taken through the host (elevated command prompt), "
                        "then retry the backup."),
                     "REG ADD \"HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys\" /v SnapshotMethod /t REG_SZ "
                     "/d firstHostThenGuest /f && REG ADD \"HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys\" "
                     "/v CalculateSnapshotTimeFromHost /t REG_SZ /d True /f"),
               S_OFF_PEAK, S_RESIZE),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ResourceNotFound",
        aliases=("320001",),
        title=N_("Could not perform the operation as VM no longer exists"),
        meaning=N_("The VM was deleted, but its backup policy still tries to back it up."),
        fixable_in_vm=False,
        related=(),
        steps=(S_STOP_PROTECTION,),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "BCMV2VMNotFound",
        aliases=("400094",),
        title=N_("The virtual machine doesn't exist"),
        meaning=N_("The VM was deleted, but its backup policy still tries to back it up."),
        fixable_in_vm=False,
        related=(),
        steps=(S_STOP_PROTECTION,),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorBCMPremiumStorageQuotaError",
        title=N_("Could not copy the snapshot of the virtual machine, due to insufficient free space in the "
                 "storage account"),
        meaning=N_("On the older backup stack (V1), snapshots of premium VMs are copied to the storage account "
                   "first, and the storage account had no room for the copy."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Use only about half (17.5 TB) of the storage account's total space, so that the "
                        "snapshot copy fits.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "AzureVmOffline",
        aliases=("380008",),
        title=N_("Failed to install Microsoft Recovery Services extension as virtual machine is not running"),
        meaning=N_("The backup extension needs the VM agent, and the agent is not installed or not "
                   "registered on this VM."),
        fixable_in_vm=True,
        related=("agent.installed", "agent.service"),
        steps=(_step(N_("Check that the VM agent is installed correctly, and install it if it is missing.")),
               S_WIN_AGENT_REINSTALL, S_PORTAL_AGENT_READY,
               _step(N_("Then start the registration (configure backup) again."))),
        docs=(DOC_TS_VM, DOC_WIN_AGENT, DOC_LINUX_AGENT),
    ),
    _entry(
        "ExtensionSnapshotBitlockerError",
        title=N_("The snapshot operation failed with the Volume Shadow Copy Service (VSS) operation error This "
                 "drive is locked by BitLocker Drive Encryption. You must unlock this drive from the Control "
                 "Panel."),
        meaning=N_("On Windows, a drive locked by BitLocker stopped VSS from taking the snapshot."),
        fixable_in_vm=True,
        related=("res.vss",),
        steps=(_step(N_("Check which drives are locked."), "manage-bde -status"),
               _step(N_("Turn off BitLocker for all drives on the VM, then check that the VSS error is gone.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionSnapshotFailedNoSecureNetwork",
        title=N_("The snapshot operation failed because of failure to create a secure network communication "
                 "channel"),
        meaning=N_("On Windows, the .NET Framework could not set up a secure (TLS) connection because strong "
                   "cryptography is not enabled."),
        fixable_in_vm=True,
        related=("ext.backup",),
        steps=(_step(N_("For each .NET Framework version under HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft"
                        "\\.NETFramework, add the DWORD value SchUseStrongCrypto = 1 (example for "
                        "v4.0.30319, elevated command prompt)."),
                     "reg add \"HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319\" /v SchUseStrongCrypto "
                     "/t REG_DWORD /d 1 /f"),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "ExtensionVCRedistInstallationFailure",
        title=N_("The snapshot operation failed because of failure to install Visual C++ Redistributable for "
                 "Visual Studio 2012"),
        meaning=N_("On Windows, the backup extension could not install the Visual C++ runtime it needs, "
                   "usually because the Windows Installer service is disabled, registry permissions are "
                   "wrong, or antivirus software blocks it."),
        fixable_in_vm=True,
        related=("ext.backup",),
        steps=(_step(N_("Install vcredist2013_x64 from the backup extension's folder under "
                        "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot.")),
               _step(N_("Check that the Windows Installer service may start: the Start value must be 3, not 4."),
                     "reg query \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\Msiserver\" /v Start"),
               _step(N_("If installation still fails, re-register Windows Installer from an elevated command "
                        "prompt."),
                     "msiexec /unregister && msiexec /regserver"),
               _step(N_("If the event log shows access errors (for example Error 1401 on Software\\Classes), "
                        "give the account permission on HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes and restart the "
                        "Windows Azure Guest Agent service.")),
               _step(N_("Make sure antivirus exclusions allow the installation."))),
        docs=(DOC_TS_VM,),
    ),
    _entry(
        "UserErrorRequestDisallowedByPolicy",
        title=N_("An invalid policy is configured on the VM which is preventing Snapshot operation"),
        meaning=N_("An Azure Policy (for example one that enforces tags with a Deny effect) stops Azure Backup "
                   "from creating its restore point resource group."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Change the policy's effect from Deny to Modify, or create the resource group yourself "
                        "with the name Azure Backup expects.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorSkuNotAvailable",
        title=N_("VM creation failed as VM size selected is not available"),
        meaning=N_("A restore error: the VM size chosen for the restored VM is not available."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Restore the disks instead, then create the VM from them with a supported size.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorMarketPlaceVMNotSupported",
        title=N_("VM creation failed due to Market Place purchase request being not present"),
        meaning=N_("A restore error: the VM's Marketplace plan is no longer available, so a VM cannot be created "
                   "from the restored disks."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Restore the disks and attach the data disks to an existing VM to get the data "
                        "back.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorInstantRpNotFound",
        title=N_("Restore failed because the snapshot of the VM was not found. The snapshot could have been "
                 "deleted, please check."),
        meaning=N_("A restore error: the recovery point's snapshot was deleted before it was transferred to the "
                   "vault."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Restore from a different restore point.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorMigrationFromTrustedLaunchVMToNonTrustedVMNotAllowed",
        title=N_("Backup cannot be configured for the VM which has migrated from Trusted Launch mode to non "
                 "Trusted Launch mode."),
        meaning=N_("The VM was moved from Trusted Launch to a standard security type, or a standard VM reuses "
                   "the name of a deleted Trusted Launch VM whose backup data still exists."),
        fixable_in_vm=False,
        related=(),
        steps=(_step(N_("Disable soft delete, stop protection of the old VM and delete its backup data, "
                        "re-enable soft delete, then configure protection again (or use a different VM name "
                        "or resource group).")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorCrossSubscriptionRestore",
        title=N_("Cross-subscription restore failed"),
        meaning=N_("A family of restore errors (codes starting with UserErrorCrossSubscriptionRestore) about "
                   "restoring to another subscription. They concern the restore, not the backup of this VM."),
        fixable_in_vm=False,
        related=(),
        steps=(S_JOB_DETAILS,),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    _entry(
        "UserErrorSharedDiskBackupNotSupported",
        title=N_("Backup of a VM with a shared disk is not supported"),
        meaning=N_("A shared disk is attached to the VM, and Azure VM Backup does not support shared disks. The "
                   "job fails about 30 minutes after it starts."),
        fixable_in_vm=False,
        related=("res.disk_layout",),
        steps=(_step(N_("Detach the shared disk from the VM, or protect its data another way.")),),
        docs=(DOC_MATRIX,),
    ),
    _entry(
        "UserErrorStandardSSDNotSupported",
        title=N_("Currently Azure Backup does not support Standard SSD disks"),
        meaning=N_("An old message of the previous backup stack (V1, documented in 2018). Current Azure Backup "
                   "supports Standard SSD disks."),
        fixable_in_vm=False,
        related=("res.disk_layout",),
        steps=(_step(N_("Retry the backup; if this message appears again, contact Azure support with the job "
                        "details.")),),
        docs=(DOC_MATRIX,),
        phase=None,
    ),
    # Linux pre-script / post-script framework (application-consistent backups).
    _entry(
        "Pre-ScriptExecutionFailed",
        title=N_("The prescript returned an error, so backup might not be application-consistent."),
        meaning=N_("Your pre-script exited with an error, so the backup may fall back to file-system or crash "
                   "consistency."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_LOGS,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "Post-ScriptExecutionFailed",
        title=N_("The post-script returned an error that might impact application state."),
        meaning=N_("Your post-script exited with an error; the application may not have resumed normally."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_LOGS,
               _step(N_("Check that the application is running normally again."))),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "Pre-ScriptNotFound",
        title=N_("The prescript wasn't found at the location that's specified in the "
                 "VMSnapshotScriptPluginConfig.json config file."),
        meaning=N_("The pre-script path in the configuration file does not point to an existing file."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_CONFIG,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "Post-ScriptNotFound",
        title=N_("The post-script wasn't found at the location that's specified in the "
                 "VMSnapshotScriptPluginConfig.json config file."),
        meaning=N_("The post-script path in the configuration file does not point to an existing file."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_CONFIG,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "IncorrectPluginhostFile",
        title=N_("The Pluginhost file, which comes with the VmSnapshotLinux extension, is corrupted, so "
                 "prescript and post-script can't run and the backup won't be application-consistent."),
        meaning=N_("A file that belongs to the Linux backup extension is damaged, so your scripts cannot run."),
        fixable_in_vm=False,
        related=("ext.prepost", "ext.backup"),
        steps=(S_UNINSTALL_EXTENSION,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "IncorrectJSONConfigFile",
        title=N_("The VMSnapshotScriptPluginConfig.json file is incorrect, so prescript and post-script can't "
                 "run and the backup won't be application-consistent."),
        meaning=N_("/etc/azure/VMSnapshotScriptPluginConfig.json is not valid, so your scripts cannot run."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(_step(N_("Check that the file is valid JSON."),
                     "sudo python3 -m json.tool /etc/azure/VMSnapshotScriptPluginConfig.json"),
               _step(N_("If it is not, download a fresh copy from "
                        "https://github.com/MicrosoftAzureBackup/VMSnapshotPluginConfig and configure it "
                        "again.")),
               S_LINUX_CONFIG_PERMS),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "InsufficientPermissionforPre-Script",
        title=N_("For running scripts, \"root\" user should be the owner of the file and the file should have "
                 "\"700\" permissions."),
        meaning=N_("The pre-script is not owned by root or others may access it, so the extension refuses to "
                   "run it."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_SCRIPT_PERMS,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "InsufficientPermissionforPost-Script",
        title=N_("For running scripts, \"root\" user should be the owner of the file and the file should have "
                 "\"700\" permissions."),
        meaning=N_("The post-script is not owned by root or others may access it, so the extension refuses to "
                   "run it."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_SCRIPT_PERMS,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "Pre-ScriptTimeout",
        title=N_("The execution of the application-consistent backup pre-script timed-out."),
        meaning=N_("Your pre-script did not finish within the configured time."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_SCRIPT_TIMEOUT,),
        docs=(DOC_LINUX_APP,),
    ),
    _entry(
        "Post-ScriptTimeout",
        title=N_("The execution of the application-consistent backup post-scripts timed out."),
        meaning=N_("Your post-script did not finish within the configured time."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_SCRIPT_TIMEOUT,),
        docs=(DOC_LINUX_APP,),
    ),
)

_BY_NAME: dict[str, ErrorCode] = {name.lower(): e for e in CATALOGUE for name in e.names}


def lookup(code: str) -> ErrorCode | None:
    """The entry whose code or alias is exactly `code` (case-insensitive), or None."""
    return _BY_NAME.get(code.strip().lower()) if code else None


def all_names() -> dict[str, ErrorCode]:
    """Every code and alias, lower-cased, with its entry."""
    return dict(_BY_NAME)


def list_error_codes(translator: Translator) -> list[tuple[str, str]]:
    """(code, translated portal message) for every entry, in catalogue order (`--list-error-codes`)."""
    return [(e.code, translator.msg(e.title)) for e in CATALOGUE]
