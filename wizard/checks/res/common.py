"""What the `res.*` checks share: portal error codes, thresholds, limits, the `_Issue` helper that
combines several findings of one check, and the steps for a snapshot that timed out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.checks.base import Finding, doc_link, step
from wizard.model import DocLink, FixStep, Msg, Status
from wizard.probes.base import Answer

DOC_RESIZE = doc_link("Resize a virtual machine", "https://learn.microsoft.com/azure/virtual-machines/resize-vm")

CODE_TIMEOUT = "ExtensionFailedTimeoutVMNetworkUnresponsive"
CODE_VSS_WRITER = "ExtensionFailedVssWriterInBadState"
CODE_VSS_SERVICE = "ExtensionFailedVssServiceInBadState"
CODE_COM = "ExtensionSnapshotFailedCOM"
CODE_COM_INSTALL = "ExtensionInstallationFailedCOM"
CODE_MSDTC = "ExtensionInstallationFailedMDTC"
CODE_FREEZE = "UserErrorFsFreezeFailed"
CODE_DISK_SIZE = "UserErrorUnsupportedDiskSize"
CODE_SHARED_DISK = "UserErrorSharedDiskBackupNotSupported"

CPU_PROBLEM = 90.0
CPU_HIGH = 75.0
MEMORY_PROBLEM = 90.0
MIN_CORES = 2
MIN_MEMORY_BYTES = int(0.7 * 1024**3)
GB = 1024**3
MB = 1024**2
WINDOWS_SYSTEM_DRIVE = "C:\\"
WINDOWS_FREE_WARN = 1 * GB
WINDOWS_FREE_PROBLEM = 100 * MB
LINUX_FULL_WARN = 90.0
LINUX_FREE_PROBLEM = 100 * MB
WAAGENT_DIR = "/var/lib/waagent"
PROC_MOUNTS = "/proc/mounts"
VMBACKUP_CONF = "/etc/azure/vmbackup.conf"
MOUNTS_MAX_BYTES = 1024 * 1024
CONF_MAX_BYTES = 64 * 1024
VSSADMIN_ARGV = ["vssadmin", "list", "writers"]
VSSADMIN_TIMEOUT_S = 30.0
MAX_DATA_DISKS = 32
MAX_DISK_GB = 32767
EXCERPT = 2000


# -- combining several findings of one check ---------------------------------------------------

@dataclass
class _Issue:
    """One thing a check found; a check with several reports the worst and every fix."""

    status: Status
    summary: Msg
    why: Msg | None = None
    fix: list[FixStep] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def _combine(issues: list[_Issue], evidence: dict[str, Any], docs: list[DocLink]) -> Finding:
    ordered = sorted(issues, key=lambda i: i.status.rank)
    first = ordered[0]
    fix: list[FixStep] = []
    codes: list[str] = []
    for issue in ordered:
        for s in issue.fix:
            if s not in fix:
                fix.append(s)
        if issue.status in (Status.PROBLEM, Status.WARNING):
            codes += [c for c in issue.codes if c not in codes]
    if len(ordered) > 1:
        evidence = {**evidence, "findings": [
            {"status": i.status.value, "message": i.summary.id, "params": i.summary.to_dict()["params"]}
            for i in ordered]}
    return Finding(first.status, first.summary, why=first.why, fix=fix, docs=docs, error_codes=codes,
                   evidence=evidence)


def _gb(n: float) -> float:
    return round(float(n) / GB, 1)


def _mb(n: float) -> int:
    return int(float(n) // MB)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _excerpt(text: Any) -> str:
    return str(text or "")[:EXCERPT]


# -- res.cpu --------------------------------------------------------------------------------------

def _cpu_percent(ans: Answer) -> float | None:
    pct = _num(ans.get("percent_excluding_self"))
    if pct is not None:
        return pct
    total, own = _num(ans.get("percent")), _num(ans.get("self_percent"))
    if total is None:
        return None
    return round(max(0.0, total - (own or 0.0)), 1)


def _top(ans: Answer) -> list[dict[str, Any]]:
    top = ans.get("top")
    rows: list[Any] = top if isinstance(top, list) else []
    out = []
    for row in rows[:5]:
        if isinstance(row, dict):
            out.append({"pid": row.get("pid"), "name": str(row.get("name") or "")[:100],
                        "percent": row.get("percent")})
    return out


def _timeout_fix(windows: bool) -> list[FixStep]:
    steps = [
        step("Find what keeps the VM busy (the busiest processes are in the evidence) and reduce that load, "
             "or move the backup policy's schedule to a quieter time."),
        step("When the load is lower, start an on-demand backup (Backup now) from the portal."),
    ]
    if windows:
        steps.append(step(
            "If snapshots still time out, let the host take the snapshot: run these commands in an elevated "
            "command prompt, then retry the backup.",
            command='REG ADD "HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys" /v SnapshotMethod /t REG_SZ '
                    '/d firstHostThenGuest /f\nREG ADD "HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys" '
                    '/v CalculateSnapshotTimeFromHost /t REG_SZ /d True /f'))
    steps.append(step("If the VM is busy all the time, resize it to a size with more vCPUs and memory."))
    return steps
