"""Guest resource checks (`res.*`): CPU, memory, disk space, VSS, mounts and the disk layout.

Thresholds and their sources (facts file §9, §8, §4.5, §3.5):
- CPU and memory: above 90 % the snapshot task "is queued and delayed. Eventually it times out"
  (backup-azure-vms-troubleshoot). CPU between 75 and 90 % is `info`, not `warning`: the
  documented limit is 90 %, and a two-second sample taken now says little about the load at the
  scheduled backup time; the busiest processes are in the evidence for the reader to judge.
- Minimum VM size: "at least two CPU cores and 1 GB of RAM" (support matrix). The OS reports
  less memory than the VM size (firmware, kernel and crash-kernel reservations), so the memory
  warning starts below `MIN_MEMORY_BYTES` (0.7 GiB), not at exactly 1 GiB.
- Windows system drive: < 1 GB free warning, < 100 MB problem (VMASSIST). Linux: a file system
  >= 90 % used is a warning (VMASSIST); < 100 MB free is a problem (DERIVED: the extension is
  unpacked and writes its status and logs there); `noexec` or read-only on the mount holding
  /var/lib/waagent is a problem (the agent runs the extension from there).
- Mounts: what VMSnapshotLinux freezes and how it measures disks comes from its source, see
  `wizard.parsers.mounts`.
- Disk layout (support matrix): up to 32 data disks, each up to 32 TB (32,767 GB), no shared
  disks, no ephemeral OS disk; ultra disks, Premium SSD v2, Trusted Launch and Confidential VMs
  need an Enhanced policy.
"""

from __future__ import annotations

from wizard.checks.base import BOTH, LINUX, WINDOWS, Check
from wizard.checks.res.common import (
    CODE_COM,
    CODE_COM_INSTALL,
    CODE_DISK_SIZE,
    CODE_FREEZE,
    CODE_MSDTC,
    CODE_SHARED_DISK,
    CODE_TIMEOUT,
    CODE_VSS_SERVICE,
    CODE_VSS_WRITER,
    CONF_MAX_BYTES,
    CPU_HIGH,
    CPU_PROBLEM,
    DOC_RESIZE,
    EXCERPT,
    GB,
    LINUX_FREE_PROBLEM,
    LINUX_FULL_WARN,
    MAX_DATA_DISKS,
    MAX_DISK_GB,
    MB,
    MEMORY_PROBLEM,
    MIN_CORES,
    MIN_MEMORY_BYTES,
    MOUNTS_MAX_BYTES,
    PROC_MOUNTS,
    VMBACKUP_CONF,
    VSSADMIN_ARGV,
    VSSADMIN_TIMEOUT_S,
    WAAGENT_DIR,
    WINDOWS_FREE_PROBLEM,
    WINDOWS_FREE_WARN,
    WINDOWS_SYSTEM_DRIVE,
)
from wizard.checks.res.disk import check_disk
from wizard.checks.res.layout import check_disk_layout
from wizard.checks.res.load import check_cpu, check_memory
from wizard.checks.res.mounts import check_mounts
from wizard.checks.res.vss import VSS_SERVICES, check_vss
from wizard.checks.res.vss_events import EVENTS_ARGV, EVENTS_TIMEOUT_S
from wizard.model import Component

CHECKS: list[Check] = [
    Check("res.cpu", BOTH, Component.GUEST, "CPU load", check_cpu, timeout_s=10.0, live_only=True, quiet=True),
    Check("res.memory", BOTH, Component.GUEST, "Memory use", check_memory, live_only=True),
    Check("res.disk", BOTH, Component.GUEST, "Free disk space", check_disk, live_only=True),
    Check("res.vss", WINDOWS, Component.GUEST, "VSS writers and services", check_vss, needs_admin=True,
          timeout_s=VSSADMIN_TIMEOUT_S + EVENTS_TIMEOUT_S + 15.0, live_only=True),
    Check("res.mounts", LINUX, Component.GUEST, "Mount points and file system freeze", check_mounts),
    Check("res.disk_layout", BOTH, Component.GUEST, "Disk layout (from IMDS)", check_disk_layout, timeout_s=12.0,
          live_only=True),
]

__all__ = [
    "CHECKS",
    "CODE_COM",
    "CODE_COM_INSTALL",
    "CODE_DISK_SIZE",
    "CODE_FREEZE",
    "CODE_MSDTC",
    "CODE_SHARED_DISK",
    "CODE_TIMEOUT",
    "CODE_VSS_SERVICE",
    "CODE_VSS_WRITER",
    "CONF_MAX_BYTES",
    "CPU_HIGH",
    "CPU_PROBLEM",
    "DOC_RESIZE",
    "EVENTS_ARGV",
    "EVENTS_TIMEOUT_S",
    "EXCERPT",
    "GB",
    "LINUX_FREE_PROBLEM",
    "LINUX_FULL_WARN",
    "MAX_DATA_DISKS",
    "MAX_DISK_GB",
    "MB",
    "MEMORY_PROBLEM",
    "MIN_CORES",
    "MIN_MEMORY_BYTES",
    "MOUNTS_MAX_BYTES",
    "PROC_MOUNTS",
    "VMBACKUP_CONF",
    "VSSADMIN_ARGV",
    "VSSADMIN_TIMEOUT_S",
    "VSS_SERVICES",
    "WAAGENT_DIR",
    "WINDOWS_FREE_PROBLEM",
    "WINDOWS_FREE_WARN",
    "WINDOWS_SYSTEM_DRIVE",
    "check_cpu",
    "check_disk",
    "check_disk_layout",
    "check_memory",
    "check_mounts",
    "check_vss",
]
