"""Backup extension checks (`ext.*`): the backup extension's last status, other extensions, pre/post scripts.

- `ext.backup`: VMSnapshotLinux (`/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-<ver>/
  status/<seq>.status`, whose real report is the JSON inside `substatus[0].name`) or VMSnapshot
  (`C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot\\<ver>\\Status\\<seq>.status`).
- `ext.others`: any other extension handler whose latest status is an error.
- `ext.prepost`: `/etc/azure` pre/post script configuration and `vmbackup.conf`.

The agent's folders are readable only by root (WALinuxAgent creates /var/lib/waagent with mode
0700) or Administrators, so these checks say `not_checked` when they cannot look.
"""

from __future__ import annotations

from wizard.checks.base import BOTH, LINUX, Check
from wizard.checks.ext.backup import check_backup
from wizard.checks.ext.common import (
    DOC_SNAPSHOT_LINUX,
    DOC_SNAPSHOT_WINDOWS,
    ETC_AZURE,
    HOST_STATUS_NOTES,
    LINUX_AGENT_PREFIX,
    LINUX_EXT_LOG,
    LINUX_HANDLER,
    LINUX_LIB,
    MAX_HANDLER_STATE_SUBKEYS,
    MAX_LOG_BYTES,
    MAX_OTHER_HANDLERS,
    PLUGIN_CONFIG,
    PLUGIN_CONFIG_OLD,
    PLUGINHOST_CONF,
    PROVISIONING_CODES,
    VMBACKUP_CONF,
    WIN_AGGREGATE_STATUS,
    WIN_HANDLER,
    WIN_HANDLER_STATE_KEYS,
    WIN_PLUGINS,
)
from wizard.checks.ext.others import check_others
from wizard.checks.ext.prepost import check_prepost
from wizard.checks.ext.status import WINDOWS_HEALTH_NOTE
from wizard.model import Component

CHECKS: list[Check] = [
    Check("ext.backup", BOTH, Component.EXTENSION, "Backup extension (VMSnapshot / VMSnapshotLinux)", check_backup,
          needs_admin=True, timeout_s=15.0),
    Check("ext.others", BOTH, Component.EXTENSION, "Other VM extensions", check_others, needs_admin=True,
          timeout_s=20.0),
    Check("ext.prepost", LINUX, Component.EXTENSION, "Pre/post script configuration (/etc/azure)", check_prepost,
          needs_admin=True),
]

__all__ = [
    "CHECKS",
    "DOC_SNAPSHOT_LINUX",
    "DOC_SNAPSHOT_WINDOWS",
    "ETC_AZURE",
    "HOST_STATUS_NOTES",
    "LINUX_AGENT_PREFIX",
    "LINUX_EXT_LOG",
    "LINUX_HANDLER",
    "LINUX_LIB",
    "MAX_HANDLER_STATE_SUBKEYS",
    "MAX_LOG_BYTES",
    "MAX_OTHER_HANDLERS",
    "PLUGINHOST_CONF",
    "PLUGIN_CONFIG",
    "PLUGIN_CONFIG_OLD",
    "PROVISIONING_CODES",
    "VMBACKUP_CONF",
    "WINDOWS_HEALTH_NOTE",
    "WIN_AGGREGATE_STATUS",
    "WIN_HANDLER",
    "WIN_HANDLER_STATE_KEYS",
    "WIN_PLUGINS",
    "check_backup",
    "check_others",
    "check_prepost",
]
