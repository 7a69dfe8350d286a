"""Portal error codes: The snapshot itself: file systems, VSS, COM+ and MSDTC, limits and timeouts, restore."""

from __future__ import annotations

from wizard.i18n import N_
from wizard.knowledge.errorcodes.model import ErrorCode
from wizard.knowledge.errorcodes.steps import (
    DOC_LINUX_AGENT,
    DOC_MATRIX,
    DOC_TS_VM,
    DOC_WIN_AGENT,
    S_CHECK_RESOURCES,
    S_COMSYSAPP,
    S_JOB_DETAILS,
    S_MSDTC_ACCOUNT,
    S_MSDTC_REINSTALL,
    S_OFF_PEAK,
    S_PORTAL_AGENT_READY,
    S_RESIZE,
    S_RETRY_ON_DEMAND,
    S_STOP_PROTECTION,
    S_UNINSTALL_EXTENSION,
    S_VSS_LIST,
    S_VSS_RESTART_WRITER,
    S_VSS_SERVICE_RESTART,
    S_WIN_AGENT_REINSTALL,
    entry,
    step,
)

ENTRIES: tuple[ErrorCode, ...] = (
    entry(
        "UserErrorFsFreezeFailed",
        title=N_("Failed to freeze one or more mount-points of the VM to take a file-system consistent "
                 "snapshot"),
        meaning=N_("On Linux, the backup extension could not freeze every mounted file system for the "
                   "snapshot: a file system is not clean, cannot be frozen, or is mounted twice."),
        fixable_in_vm=True,
        related=("res.mounts", "ext.backup", "ext.prepost"),
        steps=(step(N_("Find the mount points that failed in the backup extension's log (lines such as "
                        "\"Failed to FITHAW: /boot\")."),
                     "sudo grep -iE 'freeze|thaw' "
                     "/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log | tail -n 50"),
               step(N_("List mount points that are mounted more than once; remove the old entries or rename the "
                        "mount path."),
                     "awk '{print $2}' /proc/mounts | sort | uniq -d"),
               step(N_("Unmount each file system that was not cleanly unmounted, check it with fsck, and mount "
                        "it again."),
                     "sudo umount <mount point> && sudo fsck <device> && sudo mount <mount point>"),
               step(N_("If a mount point cannot be unmounted, skip it: add MountsToSkip (for example "
                        "MountsToSkip = /mnt/resource) to the [SnapshotThread] section of "
                        "/etc/azure/vmbackup.conf."),
                     "sudo cat /etc/azure/vmbackup.conf"),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "UserErrorUnableToOpenMount",
        title=N_("Backups failed because the backup extensions on the VM were unable to open the mount points "
                 "in the VM"),
        meaning=N_("On Linux, a mount point could not be opened, typically a network file system (NFS, CIFS) "
                   "that no longer answers."),
        fixable_in_vm=True,
        related=("res.mounts",),
        steps=(step(N_("As root, check that every mount point can be opened; unmount or repair the ones that "
                        "hang or fail."),
                     "awk '{print $2}' /proc/mounts | while read -r m; do timeout 5 stat -t \"$m\" "
                     ">/dev/null || echo \"cannot open: $m\"; done"),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionSnapshotFailedCOM",
        title=N_("Snapshot operation failed due to COM+ error"),
        meaning=N_("On Windows, the COM+ System Application service (or the Distributed Transaction "
                   "Coordinator it depends on) did not work during the snapshot."),
        fixable_in_vm=True,
        related=("res.vss",),
        steps=(S_COMSYSAPP, S_MSDTC_ACCOUNT, S_MSDTC_REINSTALL),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionInstallationFailedCOM",
        title=N_("Extension installation/operation failed due to a COM+ error"),
        meaning=N_("On Windows, the backup extension could not be installed or run because the COM+ System "
                   "Application service did not work."),
        fixable_in_vm=True,
        related=("res.vss", "ext.backup"),
        steps=(S_COMSYSAPP, S_MSDTC_ACCOUNT, S_MSDTC_REINSTALL),
        docs=(DOC_TS_VM,),
    ),
    entry(
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
    entry(
        "ExtensionFailedVssWriterInBadState",
        title=N_("Snapshot operation failed because VSS writers were in a bad state"),
        meaning=N_("On Windows, one or more VSS writers (the parts of applications that prepare their data for "
                   "a snapshot) were not stable. Low disk space, memory or CPU, and slow disks can cause this."),
        fixable_in_vm=True,
        related=("res.vss", "res.cpu", "res.memory", "res.disk"),
        steps=(S_VSS_LIST, S_VSS_RESTART_WRITER,
               step(N_("If that does not help, stop the extension from creating threads for blob snapshots "
                        "(elevated command prompt)."),
                     "REG ADD \"HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys\" /v SnapshotWithoutThreads "
                     "/t REG_SZ /d True /f"),
               step(N_("If the System or Application log says \"The shadow copy provider timed out while "
                        "holding writes to the volume being shadow copied\", the disks are too busy: spread the "
                        "load over more disks, back up off-peak, or use disks with more IOPS.")),
               S_CHECK_RESOURCES, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionFailedVssServiceInBadState",
        title=N_("Snapshot operation failed due to VSS (Volume Shadow Copy) service in bad state"),
        meaning=N_("On Windows, the Volume Shadow Copy service itself was in a bad state. Restarting VSS and, "
                   "if needed, the VM usually fixes it."),
        fixable_in_vm=True,
        related=("res.vss",),
        steps=(S_VSS_SERVICE_RESTART,
               step(N_("If the error comes back, restart the VM in a maintenance window.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionConfigParsingFailure",
        title=N_("Failure in parsing the config for the backup extension"),
        meaning=N_("On Windows, the permissions of the MachineKeys folder were changed, so the backup extension "
                   "cannot read its protected configuration."),
        fixable_in_vm=True,
        related=("ext.backup",),
        steps=(step(N_("Check the permissions of the MachineKeys folder; the defaults are Everyone: (R,W) and "
                        "BUILTIN\\Administrators: (F)."),
                     "icacls %systemdrive%\\programdata\\microsoft\\crypto\\rsa\\machinekeys"),
               step(N_("If they differ, reset them to the defaults.")),
               step(N_("In the local computer's certificate store (Personal > Certificates), delete the "
                        "certificates issued to Windows Azure CRP Certificate Generator or to the classic "
                        "deployment model.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionStuckInDeletionState",
        title=N_("Extension state is not supportive to the backup operation"),
        meaning=N_("The backup extension is in an inconsistent state (for example, stuck while being "
                   "removed)."),
        fixable_in_vm=False,
        related=("ext.backup", "agent.service"),
        steps=(step(N_("Make sure the VM agent is installed and responding.")),
               S_UNINSTALL_EXTENSION, S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionFailedSnapshotLimitReachedError",
        title=N_("Snapshot operation failed as snapshot limit is exceeded for some of the disks attached"),
        meaning=N_("Some disks already have the maximum number of snapshots, for example because of soft "
                   "delete or Azure Site Recovery."),
        fixable_in_vm=False,
        related=("ext.prepost",),
        steps=(step(N_("Delete disk blob snapshots that are not needed; delete only snapshot blobs, never the "
                        "disk blobs.")),
               step(N_("If soft delete is enabled on the disks' storage accounts, shorten its retention so "
                        "fewer snapshots are kept.")),
               step(N_("If Azure Site Recovery protects the VM, set isanysnapshotfailed to false in "
                        "/etc/azure/vmbackup.conf and schedule Site Recovery at a different time."),
                     "sudo grep -i isanysnapshotfailed /etc/azure/vmbackup.conf")),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionFailedTimeoutVMNetworkUnresponsive",
        title=N_("Snapshot operation failed due to inadequate VM resources"),
        meaning=N_("Network calls during the snapshot were too slow, usually because the VM was short of CPU "
                   "or memory at backup time."),
        fixable_in_vm=True,
        related=("res.cpu", "res.memory"),
        steps=(step(N_("On Windows, make the snapshot be taken through the host (elevated command prompt), "
                        "then retry the backup."),
                     "REG ADD \"HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys\" /v SnapshotMethod /t REG_SZ "
                     "/d firstHostThenGuest /f && REG ADD \"HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys\" "
                     "/v CalculateSnapshotTimeFromHost /t REG_SZ /d True /f"),
               S_OFF_PEAK, S_RESIZE),
        docs=(DOC_TS_VM,),
    ),
    entry(
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
    entry(
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
    entry(
        "UserErrorBCMPremiumStorageQuotaError",
        title=N_("Could not copy the snapshot of the virtual machine, due to insufficient free space in the "
                 "storage account"),
        meaning=N_("On the older backup stack (V1), snapshots of premium VMs are copied to the storage account "
                   "first, and the storage account had no room for the copy."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Use only about half (17.5 TB) of the storage account's total space, so that the "
                        "snapshot copy fits.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    entry(
        "AzureVmOffline",
        aliases=("380008",),
        title=N_("Failed to install Microsoft Recovery Services extension as virtual machine is not running"),
        meaning=N_("The backup extension needs the VM agent, and the agent is not installed or not "
                   "registered on this VM."),
        fixable_in_vm=True,
        related=("agent.installed", "agent.service"),
        steps=(step(N_("Check that the VM agent is installed correctly, and install it if it is missing.")),
               S_WIN_AGENT_REINSTALL, S_PORTAL_AGENT_READY,
               step(N_("Then start the registration (configure backup) again."))),
        docs=(DOC_TS_VM, DOC_WIN_AGENT, DOC_LINUX_AGENT),
    ),
    entry(
        "ExtensionSnapshotBitlockerError",
        title=N_("The snapshot operation failed with the Volume Shadow Copy Service (VSS) operation error This "
                 "drive is locked by BitLocker Drive Encryption. You must unlock this drive from the Control "
                 "Panel."),
        meaning=N_("On Windows, a drive locked by BitLocker stopped VSS from taking the snapshot."),
        fixable_in_vm=True,
        related=("res.vss",),
        steps=(step(N_("Check which drives are locked."), "manage-bde -status"),
               step(N_("Turn off BitLocker for all drives on the VM, then check that the VSS error is gone.")),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionSnapshotFailedNoSecureNetwork",
        title=N_("The snapshot operation failed because of failure to create a secure network communication "
                 "channel"),
        meaning=N_("On Windows, the .NET Framework could not set up a secure (TLS) connection because strong "
                   "cryptography is not enabled."),
        fixable_in_vm=True,
        related=("ext.backup",),
        steps=(step(N_("For each .NET Framework version under HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft"
                        "\\.NETFramework, add the DWORD value SchUseStrongCrypto = 1 (example for "
                        "v4.0.30319, elevated command prompt)."),
                     "reg add \"HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319\" /v SchUseStrongCrypto "
                     "/t REG_DWORD /d 1 /f"),
               S_RETRY_ON_DEMAND),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "ExtensionVCRedistInstallationFailure",
        title=N_("The snapshot operation failed because of failure to install Visual C++ Redistributable for "
                 "Visual Studio 2012"),
        meaning=N_("On Windows, the backup extension could not install the Visual C++ runtime it needs, "
                   "usually because the Windows Installer service is disabled, registry permissions are "
                   "wrong, or antivirus software blocks it."),
        fixable_in_vm=True,
        related=("ext.backup",),
        steps=(step(N_("Install vcredist2013_x64 from the backup extension's folder under "
                        "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot.")),
               step(N_("Check that the Windows Installer service may start: the Start value must be 3, not 4."),
                     "reg query \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\Msiserver\" /v Start"),
               step(N_("If installation still fails, re-register Windows Installer from an elevated command "
                        "prompt."),
                     "msiexec /unregister && msiexec /regserver"),
               step(N_("If the event log shows access errors (for example Error 1401 on Software\\Classes), "
                        "give the account permission on HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes and restart the "
                        "Windows Azure Guest Agent service.")),
               step(N_("Make sure antivirus exclusions allow the installation."))),
        docs=(DOC_TS_VM,),
    ),
    entry(
        "UserErrorRequestDisallowedByPolicy",
        title=N_("An invalid policy is configured on the VM which is preventing Snapshot operation"),
        meaning=N_("An Azure Policy (for example one that enforces tags with a Deny effect) stops Azure Backup "
                   "from creating its restore point resource group."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Change the policy's effect from Deny to Modify, or create the resource group yourself "
                        "with the name Azure Backup expects.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    entry(
        "UserErrorSkuNotAvailable",
        title=N_("VM creation failed as VM size selected is not available"),
        meaning=N_("A restore error: the VM size chosen for the restored VM is not available."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Restore the disks instead, then create the VM from them with a supported size.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    entry(
        "UserErrorMarketPlaceVMNotSupported",
        title=N_("VM creation failed due to Market Place purchase request being not present"),
        meaning=N_("A restore error: the VM's Marketplace plan is no longer available, so a VM cannot be created "
                   "from the restored disks."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Restore the disks and attach the data disks to an existing VM to get the data "
                        "back.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    entry(
        "UserErrorInstantRpNotFound",
        title=N_("Restore failed because the snapshot of the VM was not found. The snapshot could have been "
                 "deleted, please check."),
        meaning=N_("A restore error: the recovery point's snapshot was deleted before it was transferred to the "
                   "vault."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Restore from a different restore point.")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    entry(
        "UserErrorMigrationFromTrustedLaunchVMToNonTrustedVMNotAllowed",
        title=N_("Backup cannot be configured for the VM which has migrated from Trusted Launch mode to non "
                 "Trusted Launch mode."),
        meaning=N_("The VM was moved from Trusted Launch to a standard security type, or a standard VM reuses "
                   "the name of a deleted Trusted Launch VM whose backup data still exists."),
        fixable_in_vm=False,
        related=(),
        steps=(step(N_("Disable soft delete, stop protection of the old VM and delete its backup data, "
                        "re-enable soft delete, then configure protection again (or use a different VM name "
                        "or resource group).")),),
        docs=(DOC_TS_VM,),
        phase=None,
    ),
    entry(
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
    entry(
        "UserErrorSharedDiskBackupNotSupported",
        title=N_("Backup of a VM with a shared disk is not supported"),
        meaning=N_("A shared disk is attached to the VM, and Azure VM Backup does not support shared disks. The "
                   "job fails about 30 minutes after it starts."),
        fixable_in_vm=False,
        related=("res.disk_layout",),
        steps=(step(N_("Detach the shared disk from the VM, or protect its data another way.")),),
        docs=(DOC_MATRIX,),
    ),
    entry(
        "UserErrorStandardSSDNotSupported",
        title=N_("Currently Azure Backup does not support Standard SSD disks"),
        meaning=N_("An old message of the previous backup stack (V1, documented in 2018). Current Azure Backup "
                   "supports Standard SSD disks."),
        fixable_in_vm=False,
        related=("res.disk_layout",),
        steps=(step(N_("Retry the backup; if this message appears again, contact Azure support with the job "
                        "details.")),),
        docs=(DOC_MATRIX,),
        phase=None,
    ),
    # Linux pre-script / post-script framework (application-consistent backups).
)
