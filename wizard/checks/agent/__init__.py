"""VM agent checks (`agent.*`): installed, services, version, waagent.conf, known log errors, Python.

The VM agent (WALinuxAgent on Linux; WindowsAzureGuestAgent + RdAgent on Windows) installs and
runs the backup extension and carries its status to Azure, so every backup's Take Snapshot phase
goes through it. Facts and their sources: facts file §3 (Windows agent), §4 (Linux agent),
§5.3 (the Linux backup extension's Python launcher), §8 (portal error codes).
"""

from __future__ import annotations

from wizard.checks.agent.common import (
    CONF_MAX_BYTES,
    CRASH_CONFIRMED_VERSIONS,
    DOC_LINUX_MIN_VERSION,
    DOC_LINUX_UPDATE,
    DOC_WALA_ISSUE_2753,
    DOC_WIN_AGENT_OVERVIEW,
    E_AGENT_UNAVAILABLE,
    E_BACKUP_FAILED,
    E_CONFIG_PARSING,
    E_MANAGED_DISKS,
    E_NO_NETWORK,
    E_NOT_DESIRABLE,
    E_SNAPSHOT_TASK,
    E_VM_OFFLINE,
    FORMAT_EXCEPTION_FIXED,
    LINUX_BINARIES,
    LINUX_CONF,
    LINUX_LIB,
    LINUX_LOG,
    LINUX_MIN_DOC,
    LINUX_MIN_SOURCE,
    LINUX_SERVICES,
    LINUX_UNITS,
    LOG_MAX_BYTES,
    PERSISTENT_COUNT,
    PYTHON_CANDIDATES,
    PYTHON_DIRS,
    PYTHON_NAMES,
    WHY_AGENT_NEEDED,
    WIN_LOG,
    WIN_MIN_DOC,
    WIN_MIN_VMASSIST,
    WIN_RDAGENT_EXE,
    WIN_ROOT,
    WIN_SERVICES,
    WIN_VERSION_KEY,
    Issue,
    combine,
)
from wizard.checks.agent.config import check_config
from wizard.checks.agent.installed import check_installed
from wizard.checks.agent.log import LINUX_WIRESERVER_TEST, NET_CODES, WIN_DHCP_STEP, check_log
from wizard.checks.agent.python import check_python
from wizard.checks.agent.service import SERVICE_CODES, WHY_SERVICE_STOPPED, check_service
from wizard.checks.agent.version import check_version
from wizard.checks.base import BOTH, LINUX, Check
from wizard.model import Component

# --- the catalogue ----------------------------------------------------------------------------

CHECKS: list[Check] = [
    Check("agent.installed", BOTH, Component.AGENT, "VM agent installation", check_installed, timeout_s=15.0,
          live_only=True),
    Check("agent.service", BOTH, Component.AGENT, "VM agent services", check_service, timeout_s=15.0, live_only=True),
    Check("agent.version", BOTH, Component.AGENT, "VM agent version", check_version, timeout_s=25.0),
    Check("agent.config", LINUX, Component.AGENT, "VM agent configuration (waagent.conf)", check_config,
          timeout_s=15.0),
    Check("agent.log", BOTH, Component.AGENT, "Known errors in the VM agent log", check_log, timeout_s=20.0),
    Check("agent.python", LINUX, Component.AGENT, "Python for the Linux backup extension", check_python,
          timeout_s=15.0, live_only=True),
]

__all__ = [
    "CHECKS",
    "CONF_MAX_BYTES",
    "CRASH_CONFIRMED_VERSIONS",
    "DOC_LINUX_MIN_VERSION",
    "DOC_LINUX_UPDATE",
    "DOC_WALA_ISSUE_2753",
    "DOC_WIN_AGENT_OVERVIEW",
    "E_AGENT_UNAVAILABLE",
    "E_BACKUP_FAILED",
    "E_CONFIG_PARSING",
    "E_MANAGED_DISKS",
    "E_NOT_DESIRABLE",
    "E_NO_NETWORK",
    "E_SNAPSHOT_TASK",
    "E_VM_OFFLINE",
    "FORMAT_EXCEPTION_FIXED",
    "LINUX_BINARIES",
    "LINUX_CONF",
    "LINUX_LIB",
    "LINUX_LOG",
    "LINUX_MIN_DOC",
    "LINUX_MIN_SOURCE",
    "LINUX_SERVICES",
    "LINUX_UNITS",
    "LINUX_WIRESERVER_TEST",
    "LOG_MAX_BYTES",
    "NET_CODES",
    "PERSISTENT_COUNT",
    "PYTHON_CANDIDATES",
    "PYTHON_DIRS",
    "PYTHON_NAMES",
    "SERVICE_CODES",
    "WHY_AGENT_NEEDED",
    "WHY_SERVICE_STOPPED",
    "WIN_DHCP_STEP",
    "WIN_LOG",
    "WIN_MIN_DOC",
    "WIN_MIN_VMASSIST",
    "WIN_RDAGENT_EXE",
    "WIN_ROOT",
    "WIN_SERVICES",
    "WIN_VERSION_KEY",
    "Issue",
    "check_config",
    "check_installed",
    "check_log",
    "check_python",
    "check_service",
    "check_version",
    "combine",
]
