"""Agent-health checks of Microsoft's guest checker VM assist that the wizard lacked (`guest.*`, issue 17).

Windows (`wizard.checks.guest.windows`): CNG Key Isolation, WMI and StdRegProv, the CRP certificate, the
MachineKeys permissions, SYSTEM's access to C:\\WindowsAzure and C:\\Packages, modules injected into the
agent processes, WCF debugging, agent crashes of the last day, and TLS 1.2 for the agent. Linux
(`wizard.checks.guest.linux`): the agent's unit and restart count, the Python it runs, its package and
repository. docs/vmassist-parity.md maps every VM assist check to a wizard check id.
"""

from __future__ import annotations

from wizard.checks.base import LINUX, WINDOWS, Check
from wizard.checks.guest import linux, windows
from wizard.checks.guest.common import on_azure_only as az
from wizard.model import Component

CHECKS: list[Check] = [
    Check("guest.keyiso", WINDOWS, Component.AGENT, "CNG Key Isolation service", az(windows.check_keyiso),
          live_only=True),
    Check("guest.wmi", WINDOWS, Component.AGENT, "WMI service and StdRegProv", az(windows.check_wmi), timeout_s=75.0,
          live_only=True),
    Check("guest.crp_cert", WINDOWS, Component.AGENT, "CRP certificate for extension settings",
          az(windows.check_crp_cert), timeout_s=75.0, live_only=True),
    Check("guest.machinekeys", WINDOWS, Component.AGENT, "MachineKeys folder permissions",
          az(windows.check_machinekeys), timeout_s=75.0, live_only=True),
    Check("guest.folder_acl", WINDOWS, Component.AGENT, "Permissions on C:\\WindowsAzure and C:\\Packages",
          az(windows.check_folder_acl), timeout_s=75.0, live_only=True),
    Check("guest.modules", WINDOWS, Component.AGENT, "Third-party modules in the agent processes",
          az(windows.check_modules), needs_admin=True, timeout_s=75.0, live_only=True),
    Check("guest.wcf_debug", WINDOWS, Component.AGENT, "WCF debugging", az(windows.check_wcf_debug)),
    Check("guest.crashes", WINDOWS, Component.AGENT, "VM agent crashes in the last day", az(windows.check_crashes),
          timeout_s=75.0, live_only=True),
    Check("guest.tls", WINDOWS, Component.AGENT, "TLS 1.2 for the VM agent", az(windows.check_tls)),
    Check("guest.unit", LINUX, Component.AGENT, "VM agent unit and restarts", az(linux.check_unit), timeout_s=15.0),
    Check("guest.agent_python", LINUX, Component.AGENT, "Python the VM agent runs", az(linux.check_agent_python),
          timeout_s=25.0),
    Check("guest.agent_package", LINUX, Component.AGENT, "VM agent package and repository",
          az(linux.check_agent_package), timeout_s=45.0),
]

__all__ = ["CHECKS"]
