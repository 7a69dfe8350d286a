"""Portal error codes: The Linux pre-scripts and post-scripts ("Application-consistent backup of Azure Linux VMs")."""

from __future__ import annotations

from wizard.i18n import N_
from wizard.knowledge.errorcodes.model import ErrorCode
from wizard.knowledge.errorcodes.steps import (
    DOC_LINUX_APP,
    S_LINUX_CONFIG_PERMS,
    S_LINUX_PREPOST_CONFIG,
    S_LINUX_PREPOST_LOGS,
    S_LINUX_SCRIPT_PERMS,
    S_LINUX_SCRIPT_TIMEOUT,
    S_UNINSTALL_EXTENSION,
    entry,
    step,
)

ENTRIES: tuple[ErrorCode, ...] = (
    entry(
        "Pre-ScriptExecutionFailed",
        title=N_("The prescript returned an error, so backup might not be application-consistent."),
        meaning=N_("Your pre-script exited with an error, so the backup may fall back to file-system or crash "
                   "consistency."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_LOGS,),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
        "Post-ScriptExecutionFailed",
        title=N_("The post-script returned an error that might impact application state."),
        meaning=N_("Your post-script exited with an error; the application may not have resumed normally."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_LOGS,
               step(N_("Check that the application is running normally again."))),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
        "Pre-ScriptNotFound",
        title=N_("The prescript wasn't found at the location that's specified in the "
                 "VMSnapshotScriptPluginConfig.json config file."),
        meaning=N_("The pre-script path in the configuration file does not point to an existing file."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_CONFIG,),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
        "Post-ScriptNotFound",
        title=N_("The post-script wasn't found at the location that's specified in the "
                 "VMSnapshotScriptPluginConfig.json config file."),
        meaning=N_("The post-script path in the configuration file does not point to an existing file."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_PREPOST_CONFIG,),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
        "IncorrectPluginhostFile",
        title=N_("The Pluginhost file, which comes with the VmSnapshotLinux extension, is corrupted, so "
                 "prescript and post-script can't run and the backup won't be application-consistent."),
        meaning=N_("A file that belongs to the Linux backup extension is damaged, so your scripts cannot run."),
        fixable_in_vm=False,
        related=("ext.prepost", "ext.backup"),
        steps=(S_UNINSTALL_EXTENSION,),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
        "IncorrectJSONConfigFile",
        title=N_("The VMSnapshotScriptPluginConfig.json file is incorrect, so prescript and post-script can't "
                 "run and the backup won't be application-consistent."),
        meaning=N_("/etc/azure/VMSnapshotScriptPluginConfig.json is not valid, so your scripts cannot run."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(step(N_("Check that the file is valid JSON."),
                     "sudo python3 -m json.tool /etc/azure/VMSnapshotScriptPluginConfig.json"),
               step(N_("If it is not, download a fresh copy from "
                        "https://github.com/MicrosoftAzureBackup/VMSnapshotPluginConfig and configure it "
                        "again.")),
               S_LINUX_CONFIG_PERMS),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
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
    entry(
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
    entry(
        "Pre-ScriptTimeout",
        title=N_("The execution of the application-consistent backup pre-script timed-out."),
        meaning=N_("Your pre-script did not finish within the configured time."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_SCRIPT_TIMEOUT,),
        docs=(DOC_LINUX_APP,),
    ),
    entry(
        "Post-ScriptTimeout",
        title=N_("The execution of the application-consistent backup post-scripts timed out."),
        meaning=N_("Your post-script did not finish within the configured time."),
        fixable_in_vm=True,
        related=("ext.prepost",),
        steps=(S_LINUX_SCRIPT_TIMEOUT,),
        docs=(DOC_LINUX_APP,),
    ),
)
