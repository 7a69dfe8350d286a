"""Portal error codes: The agent, the network path to the Wire Server and the VM's state."""

from __future__ import annotations

from wizard.i18n import N_
from wizard.knowledge.errorcodes.model import ErrorCode
from wizard.knowledge.errorcodes.steps import (
    AGENT,
    DOC_168,
    DOC_INTRO,
    DOC_LINUX_AGENT,
    DOC_MATRIX,
    DOC_TS_AGENT,
    DOC_TS_VM,
    DOC_WIN_AGENT,
    GUEST_PATH,
    S_DHCP,
    S_EXTENSIONS_SUCCEEDED,
    S_JOB_DETAILS,
    S_LINUX_AGENT_RESTART_OTHER,
    S_LINUX_AGENT_RESTART_UBUNTU,
    S_LINUX_AGENT_UPDATE,
    S_LINUX_FIREWALL_RULES,
    S_LINUX_SHOW_PROXY,
    S_LINUX_TEST_WIRESERVER,
    S_NO_FIREWALL_BLOCK,
    S_PORTAL_AGENT_READY,
    S_PROXY_BYPASS,
    S_RDP_SHUTDOWN,
    S_RETRY_ON_DEMAND,
    S_STORAGE_BEST_PRACTICES,
    S_WAAGENT_CONF,
    S_WIN_AGENT_REINSTALL,
    S_WIN_AGENT_SERVICES,
    S_WIN_APPLOCKER,
    S_WIN_EVENTLOG_BCDR,
    S_WIN_FIREWALL_RULES,
    S_WIN_SHOW_PROXY,
    S_WIN_TEST_WIRESERVER,
    WIRESERVER,
    entry,
    step,
)
from wizard.model import Phase

ENTRIES: tuple[ErrorCode, ...] = (
    entry(
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
    entry(
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
    entry(
        "UserErrorVmProvisioningStateFailed",
        title=N_("The VM is in failed provisioning state"),
        meaning=N_("An extension on the VM (not necessarily the backup extension) failed, and that put the "
                   "whole VM into the Failed provisioning state, in which backups cannot run."),
        fixable_in_vm=True,
        related=("ext.others", "ext.backup", "agent.service"),
        steps=(S_EXTENSIONS_SUCCEEDED,
               step(N_("Fix or remove each extension in a failed state, then wait until the VM's provisioning "
                        "state is Succeeded (not Updating).")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT, DOC_TS_VM),
    ),
    entry(
        "UserErrorRpCollectionLimitReached",
        title=N_("The Restore Point collection max limit has reached"),
        meaning=N_("The VM has too many restore points (at most 18 instant restore points). Usually a lock on "
                   "the AzureBackupRG_<Geo>_<number> resource group stops Azure Backup from cleaning up old "
                   "ones; too many backups a day can also cause it."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Remove any lock from the resource group named AzureBackupRG_<Geo>_<number>.")),
               step(N_("Run an on-demand backup; Azure Backup then cleans up old restore points. If it still "
                        "fails, delete the restore point collection."))),
        docs=(DOC_TS_AGENT,),
    ),
    entry(
        "UserErrorKeyvaultPermissionsNotConfigured",
        title=N_("Backup doesn't have sufficient permissions to the key vault for backup of encrypted VMs"),
        meaning=N_("The VM's disks are encrypted and Azure Backup is not allowed to read the keys and secrets "
                   "in the key vault. This is an Azure permission, not something inside the VM."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Give Azure Backup the permissions it needs on the key vault that holds the VM's "
                        "encryption keys and secrets, then retry the backup.")),),
        docs=(DOC_TS_AGENT,),
    ),
    entry(
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
               step(N_("VMs with write accelerator disks are an exception: they need internet access for "
                        "backups to succeed.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT, DOC_168, DOC_MATRIX),
    ),
    entry(
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
    entry(
        "BackUpOperationFailed",
        aliases=("BackUpOperationFailedV2",),
        title=N_("Backup failed with an internal error - Please retry the operation in a few minutes"),
        meaning=N_("A general failure. Known causes: problems with the VM agent or the snapshot, a lock on the "
                   "restore point resource group, or a damaged backup extension component on Windows "
                   "(iaasvmprovider.dll)."),
        fixable_in_vm=True,
        related=("agent.service", "agent.version", "ext.backup", "net.wireserver_port80"),
        steps=(S_WIN_AGENT_SERVICES, S_LINUX_AGENT_UPDATE,
               step(N_("On Windows, reinstall the Visual C++ 2013 x64 redistributable (vcredist2013_x64) from "
                        "the backup extension's folder."),
                     "dir C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot"),
               step(N_("Remove any lock from the resource group named AzureBackupRG_<Geo>_<number>.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_AGENT,),
    ),
    entry(
        "UserErrorUnsupportedDiskSize",
        title=N_("The configured disk size(s) is currently not supported by Azure Backup"),
        meaning=N_("A disk is larger than Azure Backup supports: more than 32 TB, or more than 4 TB for an "
                   "encrypted disk."),
        fixable_in_vm=False,
        related=("res.disk_layout",),
        steps=(step(N_("Split the data over smaller disks: attach new disks within the limits, copy the data, "
                        "detach the oversized disk, then retry the backup.")),),
        docs=(DOC_TS_AGENT, DOC_MATRIX),
    ),
    entry(
        "UserErrorBackupOperationInProgress",
        title=N_("Unable to initiate backup as another backup operation is currently in progress"),
        meaning=N_("An earlier backup job of this VM is still running. A new job fails while an earlier one is "
                   "still in Take Snapshot."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Wait until the running backup job finishes (or cancel it), then start the backup "
                        "again.")),),
        docs=(DOC_TS_AGENT,),
        phase=None,
    ),
    entry(
        "UserErrorCrpReportedUserError",
        title=N_("Backup failed due to an error. For details, see Job Error Message Details"),
        meaning=N_("The VM reported an error during the backup. This code is only a wrapper: the job's error "
                   "details name the real cause."),
        fixable_in_vm=False,
        related=(),
        steps=(S_JOB_DETAILS,
               step(N_("Look up the error code shown there with this wizard and follow its steps."))),
        docs=(DOC_TS_AGENT,),
        phase=None,
    ),
    entry(
        "UserErrorBcmDatasourceNotPresent",
        title=N_("Backup failed: This virtual machine is not (actively) protected by Azure Backup"),
        meaning=N_("The vault no longer protects this VM (for example, protection was stopped), so there is "
                   "nothing to back up."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("In the Recovery Services vault, open Backup items and check whether this VM is "
                        "protected; configure its backup again if it is not.")),),
        docs=(DOC_TS_AGENT,),
        phase=None,
    ),
    entry(
        "VMRestorePointInternalError",
        title=N_("Antivirus configured in the VM is restricting the execution of backup extension"),
        meaning=N_("Antivirus software in the VM stops the backup extension from running. On Windows the "
                   "Application event log then shows \"Faulting application name: IaaSBcdrExtension.exe\"."),
        fixable_in_vm=True,
        related=("ext.backup", "agent.log"),
        steps=(S_WIN_EVENTLOG_BCDR,
               step(N_("Exclude these folders in the antivirus configuration: "
                        "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot and "
                        "C:\\WindowsAzure\\Logs\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot.")),
               step(N_("On Linux, exclude /var/lib/waagent/WALinuxAgent and "
                        "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
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
    entry(
        "UserErrorVmNotInDesirableState",
        aliases=("VmNotInDesirableState",),
        title=N_("VM is not in a state that allows backups"),
        meaning=N_("The VM is in a Failed or transitional state, the VM agent is missing, or on Linux SELinux "
                   "stops the agent from working in /var/lib/waagent."),
        fixable_in_vm=True,
        related=("agent.installed", "agent.service", "ext.others"),
        steps=(step(N_("If the VM is between Running and Shut down, wait until the state settles, then start "
                        "the backup.")),
               step(N_("On Linux with SELinux, exclude the agent path /var/lib/waagent from the security "
                        "policy and make sure the backup extension is installed."),
                     "getenforce"),
               step(N_("If the VM agent is missing, install it and then retry the backup.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
)
