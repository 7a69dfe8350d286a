"""`res.disk_layout`: the VM's disks against the support matrix (count, size, shared and ephemeral
disks).
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import CheckContext, Finding, error_msg, m, not_applicable_off_azure, step
from wizard.checks.docs import MATRIX as DOC_MATRIX
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.res.common import CODE_DISK_SIZE, CODE_SHARED_DISK, MAX_DATA_DISKS, MAX_DISK_GB, _combine, _Issue
from wizard.i18n import N_
from wizard.knowledge import values
from wizard.model import Status, listed

# -- res.disk_layout ------------------------------------------------------------------------------

def _disk_label(disk: dict[str, Any], fallback: str) -> str:
    name = str(disk.get("name") or "")
    lun = str(disk.get("lun") or "")
    if name and lun:
        return f"{name} (LUN {lun})"
    return name or (f"LUN {lun}" if lun else fallback)


def check_disk_layout(ctx: CheckContext) -> Finding:
    off = not_applicable_off_azure(ctx)
    if off is not None:
        return off
    imds = ctx.fact("imds") or {}
    compute = imds.get("compute") if isinstance(imds, dict) else None
    if not (isinstance(imds, dict) and imds.get("ok")) or not isinstance(compute, dict):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the Instance Metadata Service did not answer ({error}), so the VM's disks "
                         "are unknown.", error=error_msg(imds if isinstance(imds, dict) else None,
                                                          N_("no answer"))),
                       evidence={"imds_outcome": (imds or {}).get("outcome"), "imds_status": (imds or {}).get("status"),
                                 "imds_error": (imds or {}).get("error")})
    os_value, data_value = compute.get("os_disk"), compute.get("data_disks")
    os_disk: dict[str, Any] = os_value if isinstance(os_value, dict) else {}
    raw_data: list[Any] = data_value if isinstance(data_value, list) else []
    data_disks = [d for d in raw_data if isinstance(d, dict)]
    evidence: dict[str, Any] = {
        "os_disk": os_disk,
        "data_disk_count": len(data_disks),
        "data_disks": data_disks[:64],
        "security_type": compute.get("security_type"),
        "vm_size": compute.get("vm_size"),
        "limits": {"max_data_disks": MAX_DATA_DISKS, "max_disk_gb": MAX_DISK_GB},
    }
    if not os_disk:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the Instance Metadata Service answer does not describe the VM's disks."),
                       evidence=evidence)
    disks = [("OS disk", os_disk)] + [(f"data disk {i}", d) for i, d in enumerate(data_disks)]
    issues: list[_Issue] = []
    if len(data_disks) > MAX_DATA_DISKS:
        issues.append(_Issue(
            Status.PROBLEM,
            m("The VM has {count} data disks; Azure VM Backup supports up to 32.", count=len(data_disks)),
            why=m("Azure VM Backup protects VMs with up to 32 data disks; a VM with more cannot be backed up as a "
                  "whole."),
            fix=[step("Detach the data disks you do not need in the backup, so that at most 32 remain.")],
        ))
    big = [(label, d) for label, d in disks if isinstance(d.get("size_gb"), int) and d["size_gb"] > MAX_DISK_GB]
    if big:
        issues.append(_Issue(
            Status.PROBLEM,
            m("Disks larger than 32 TB (32,767 GB) are attached: {disks}.",
              disks=listed((f"{_disk_label(d, label)}: {d['size_gb']} GB" for label, d in big), max_chars=500)),
            why=m("Azure VM Backup supports disks of up to 32 TB each; the backup of a VM with a larger disk fails."),
            fix=[step("Split the data across disks of at most 32 TB, or back up the large disk another way.")],
            codes=[CODE_DISK_SIZE],
        ))
    shared = [(label, d) for label, d in disks if d.get("is_shared")]
    if shared:
        issues.append(_Issue(
            Status.PROBLEM,
            m("Shared disks are attached: {disks}.",
              disks=listed((_disk_label(d, label) for label, d in shared), max_chars=500)),
            why=m("Azure VM Backup does not support VMs with shared disks; the backup job fails (the Japanese support "
                  "blog reports about 30 minutes after it starts)."),
            fix=[step("Detach the shared disks from this VM before it is backed up with Azure VM Backup.")],
            codes=[CODE_SHARED_DISK],
        ))
    if str(os_disk.get("diff_disk_option") or "").lower() == "local":
        issues.append(_Issue(
            Status.PROBLEM,
            m("The OS disk is an ephemeral OS disk (diffDiskSettings option Local)."),
            why=m("Azure VM Backup does not support VMs with an ephemeral OS disk: the OS disk lives on the host's "
                  "local storage and cannot be snapshotted."),
            fix=[step("To protect this VM with Azure VM Backup, recreate it with a managed (persistent) OS disk; "
                      "an ephemeral OS disk cannot be converted in place.")],
        ))
    special = [(label, d) for label, d in disks
               if d.get("is_ultra") or str(d.get("storage_type") or "") in ("UltraSSD_LRS", "PremiumV2_LRS")]
    if special:
        issues.append(_Issue(
            Status.INFO,
            m("Ultra or Premium SSD v2 disks are attached: {disks}.",
              disks=listed((_disk_label(d, label) for label, d in special), max_chars=500)),
            why=m("Azure VM Backup protects VMs with Ultra disks or Premium SSD v2 disks only with an Enhanced "
                  "backup policy."),
            fix=[step("Check that the VM's backup policy is an Enhanced policy.")],
        ))
    security = str(compute.get("security_type") or "")
    if security.lower() in ("trustedlaunch", "confidentialvm"):
        issues.append(_Issue(
            Status.INFO,
            m("The VM's security type is {security_type}.", security_type=values.security_type(security)),
            why=m("Azure VM Backup protects Trusted Launch and Confidential VMs only with an Enhanced backup "
                  "policy."),
            fix=[step("Check that the VM's backup policy is an Enhanced policy.")],
        ))
    docs = [DOC_MATRIX, DOC_TS_AGENT]
    if issues:
        return _combine(issues, evidence, docs)
    sizes = [d["size_gb"] for _, d in disks if isinstance(d.get("size_gb"), int)]
    return Finding(Status.OK,
                   m("Data disks: {count}, largest disk {max_gb} GB. No shared disk, no ephemeral OS disk and no "
                     "disk over 32 TB.", count=len(data_disks), max_gb=max(sizes) if sizes else 0),
                   docs=[DOC_MATRIX], evidence=evidence)
