"""`res.mounts` (Linux): what VMSnapshotLinux will freeze, read from /proc/mounts and vmbackup.conf.
"""

from __future__ import annotations

import shlex
from typing import Any

from wizard.checks.base import CheckContext, Finding, file_not_in_bundle, m, step
from wizard.checks.commands import one_line
from wizard.checks.docs import LINUX_APP as DOC_LINUX_APP
from wizard.checks.docs import MATRIX as DOC_MATRIX
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.res.common import CODE_FREEZE, CONF_MAX_BYTES, PROC_MOUNTS, VMBACKUP_CONF, _combine, _Issue
from wizard.checks.res.disk import _mount_brief, _read_mounts
from wizard.model import Status, listed
from wizard.parsers import mounts as mounts_parser
from wizard.probes.base import is_unavailable

# -- res.mounts -----------------------------------------------------------------------------------

def _read_vmbackup_conf(ctx: CheckContext) -> dict[str, Any]:
    ans = ctx.call("read_file", path=VMBACKUP_CONF, max_bytes=CONF_MAX_BYTES)
    if is_unavailable(ans) or not ans.get("readable"):
        return {"path": VMBACKUP_CONF, "exists": ans.get("exists"), "readable": ans.get("readable"),
                "only_local_filesystems": None, "mounts_to_skip": [], "fsfreeze": None}
    settings = mounts_parser.vmbackup_mount_settings(str(ans.get("text") or ""))
    return {"path": VMBACKUP_CONF, "exists": True, "readable": True, **settings}


CONTAINER_MANAGER_DIR = "/run/host/"

def check_mounts(ctx: CheckContext) -> Finding:
    mounts, mounts_info = _read_mounts(ctx)
    if mounts is None and ctx.in_bundle and mounts_info.get("exists") is False:
        return file_not_in_bundle(PROC_MOUNTS, {"mounts_file": mounts_info})
    if mounts is None:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not read the mounted file systems from {path}.", path=PROC_MOUNTS),
                       evidence={"mounts_file": mounts_info})
    conf = _read_vmbackup_conf(ctx)
    skip = set(conf.get("mounts_to_skip") or [])
    freeze_off = conf.get("fsfreeze") is False
    real_kinds = {"freezable", "network", "fuse", "container", "other"}
    duplicates = {t: ms for t, ms in mounts_parser.duplicate_targets(mounts, only=real_kinds).items()
                  if any(mounts_parser.freezable(x) for x in ms)}
    # A container manager's own mounts (systemd's container interface puts them under /run/host): seen only when
    # the wizard runs inside a container, they are not the VM's file systems.
    manager = sorted(t for t in duplicates if t.startswith(CONTAINER_MANAGER_DIR))
    for target in manager:
        del duplicates[target]
    remote = [x for x in mounts if x["kind"] in ("network", "fuse")]
    containers = [x for x in mounts if x["kind"] == "container"]
    read_only = [x for x in mounts if mounts_parser.freezable(x) and "ro" in x["options"]
                 and not str(x["target"]).startswith(CONTAINER_MANAGER_DIR)]
    evidence: dict[str, Any] = {
        "mounts_file": mounts_info,
        "vmbackup_conf": conf,
        "duplicate_targets": {t: [_mount_brief(x) for x in ms] for t, ms in list(duplicates.items())[:20]},
        "network_or_fuse": [_mount_brief(x) for x in remote[:30]],
        "container_mounts": len(containers),
        "container_manager_duplicates": manager,
        "read_only_local": [_mount_brief(x) for x in read_only[:30]],
        "freezable": [x["target"] for x in mounts if mounts_parser.freezable(x)][:60],
        "note": "What the extension freezes (ext3/ext4/xfs/btrfs, not loop devices, minus MountsToSkip) and its "
                "df-based size step come from VMSnapshotLinux's source (azure-linux-extensions VMBackup).",
    }
    issues: list[_Issue] = []
    active_dups = sorted(t for t in duplicates if t not in skip)
    if active_dups:
        status = Status.INFO if freeze_off else Status.PROBLEM
        issues.append(_Issue(
            status,
            m("Mount points mounted more than once: {targets}.", targets=listed(active_dups, max_chars=500)),
            why=m("Before the snapshot the backup extension freezes every ext3/ext4/xfs/btrfs mount point; a file "
                  "system mounted twice cannot be frozen a second time, so the freeze fails and so does the "
                  "file-system-consistent snapshot."),
            fix=[step("See every entry of the duplicated mount points.",
                      command=f"findmnt {shlex.quote(active_dups[0])}"),
                 step("Unmount the extra entry and remove the duplicate line from /etc/fstab (or rename the mount "
                      "path), then retry the backup.", command=f"sudo umount {shlex.quote(active_dups[0])}"),
                 step("If a mount point cannot be unmounted, tell the backup extension to skip it: add a "
                      "MountsToSkip line under [SnapshotThread] in /etc/azure/vmbackup.conf.",
                      command=f"MountsToSkip = {one_line(','.join(active_dups))[:500]}")],
            codes=[CODE_FREEZE],
        ))
    if remote:
        shares = listed(f"{x['target']} ({x['fstype']})" for x in remote[:10])
        only_local = conf.get("only_local_filesystems") is True
        if only_local:
            issues.append(_Issue(
                Status.INFO,
                m("Network or FUSE file systems are mounted: {mounts}. They are not part of the backup, and "
                  "onlyLocalFilesystems is already set in /etc/azure/vmbackup.conf.", mounts=shares),
                why=m("Azure VM Backup backs up only the disks attached to the VM; shares mounted from elsewhere "
                      "are not included."),
            ))
        else:
            issues.append(_Issue(
                Status.WARNING,
                m("Network or FUSE file systems are mounted: {mounts}.", mounts=shares),
                why=m("They are not part of the backup (only disks attached to the VM are). The backup extension "
                      "measures every mounted file system with df and waits up to 300 seconds for it, so an "
                      "unreachable share delays the Take Snapshot phase or makes it time out."),
                fix=[step("Check that every share answers (this command hangs on an unreachable one).",
                          command="timeout 30 df -h"),
                     step("Let the extension measure only local file systems: add this line under [SnapshotThread] "
                          "in /etc/azure/vmbackup.conf.", command="onlyLocalFilesystems = True")],
            ))
    if containers:
        issues.append(_Issue(
            Status.INFO,
            m("Container (overlay) file systems are mounted: {count}.", count=len(containers)),
            why=m("They are not frozen themselves; the files behind them live on the VM's disks and are backed up "
                  "with them. Excluding Docker mount points from the backup is not supported."),
        ))
    if read_only:
        issues.append(_Issue(
            Status.INFO,
            m("Local file systems mounted read-only: {mounts}.",
              mounts=listed(x["target"] for x in read_only[:10])),
            why=m("Read-only file systems need no freeze and do not block the backup; if one turned read-only by "
                  "itself, it may have errors worth checking."),
        ))
    docs = [DOC_TS_VM, DOC_LINUX_APP, DOC_MATRIX]
    if issues:
        return _combine(issues, evidence, docs)
    frozen = [x for x in mounts if mounts_parser.freezable(x)]
    return Finding(Status.OK,
                   m("No duplicate mount point and no network or FUSE mount was found (local file systems to "
                     "freeze: {count}).", count=len(frozen)),
                   evidence=evidence)
