"""`/proc/mounts` and the mount-related settings of `/etc/azure/vmbackup.conf`.

Each `/proc/mounts` line is `device target fstype options dump pass`; the kernel writes space,
tab, newline and backslash inside a field as octal escapes (`\\040`, `\\011`, `\\012`, `\\134`),
which `decode_octal` undoes. Later lines are mounted later: when two mounts share a target, the
last one is the one a path resolves to.

How the Linux backup extension (VMSnapshotLinux) treats mounts, from its source
(Azure/azure-linux-extensions `VMBackup/main/fsfreezer.py`, `safefreeze/src/safefreeze.c`,
`Utils/SizeCalculation.py`, `VMBackup/README.md`):
- it freezes only ext3, ext4, xfs and btrfs file systems that are not on loop devices
  (`FREEZABLE_TYPES`), skips the resource disk and the `MountsToSkip` list, and `safefreeze`
  fails the whole freeze when one `FIFREEZE` fails (a file system mounted twice answers the
  second freeze with EBUSY);
- it measures used space with `df -k` over every mount, waiting up to 300 s, unless
  `onlyLocalFilesystems = True`, which its README recommends when network mounts (NFS, CIFS,
  FUSE, ...) may be unreachable.

Never raises; bounded (at most `MAX_MOUNTS` entries, fields cut to `MAX_FIELD` characters).
"""

from __future__ import annotations

import configparser
import posixpath
import re
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import error_fields

MAX_TEXT = 4 * 1024 * 1024
MAX_MOUNTS = 5000
MAX_FIELD = 1024

FREEZABLE_TYPES = frozenset({"ext3", "ext4", "xfs", "btrfs"})
NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "glusterfs", "ceph", "sshfs", "9p", "afs", "lustre",
    "beegfs", "gpfs", "davfs", "fuse.sshfs", "fuse.glusterfs", "fuse.ceph", "fuse.cephfs",
    "fuse.s3fs", "fuse.gcsfuse", "fuse.rclone", "fuse.davfs", "fuse.blobfuse", "fuse.blobfuse2",
})
PSEUDO_TYPES = frozenset({
    "proc", "sysfs", "cgroup", "cgroup2", "tmpfs", "devtmpfs", "devpts", "mqueue", "debugfs",
    "tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs",
    "binfmt_misc", "efivarfs", "rpc_pipefs", "nsfs", "ramfs", "selinuxfs", "rootfs", "nfsd",
    "fuse.lxcfs", "fuse.snapfuse", "fuse.portal", "fuse.gvfsd-fuse", "fuse.gvfs-fuse-daemon",
    "squashfs", "iso9660", "udf", "zram", "none",
})
CONTAINER_TYPES = frozenset({"overlay", "aufs"})

_OCTAL = re.compile(r"\\([0-7]{3})")


def decode_octal(field: str) -> str:
    """A `/proc/mounts` field with its `\\ooo` octal escapes turned back into characters."""
    return _OCTAL.sub(lambda mo: chr(int(mo.group(1), 8) & 0xFF), field)


def kind(fstype: str) -> str:
    """`freezable`, `network`, `fuse` (possibly remote), `container`, `pseudo` or `other` (local)."""
    t = fstype.lower()
    if t in FREEZABLE_TYPES:
        return "freezable"
    if t in NETWORK_TYPES:
        return "network"
    if t in CONTAINER_TYPES:
        return "container"
    if t in PSEUDO_TYPES:
        return "pseudo"
    if t == "fuse" or t.startswith("fuse.") or t == "fuseblk":
        return "fuse"
    return "other"


def parse_proc_mounts(text: str) -> dict[str, Any]:
    """Parse `/proc/mounts`. Returns {"mounts": [...], "skipped_lines": n, "truncated": bool}.

    Each mount: device, target, fstype, options (list), kind (see `kind`), line (1-based).
    Lines with fewer than four fields are counted in `skipped_lines`.
    """
    if not isinstance(text, str):
        return {"mounts": [], "skipped_lines": 0, "truncated": False}
    truncated = len(text) > MAX_TEXT
    mounts: list[dict[str, Any]] = []
    skipped = 0
    for number, raw in enumerate(text[:MAX_TEXT].splitlines(), start=1):
        fields = raw.split()
        if not fields:
            continue
        if len(fields) < 4:
            skipped += 1
            continue
        if len(mounts) >= MAX_MOUNTS:
            truncated = True
            break
        device, target, fstype, options = (decode_octal(f[:MAX_FIELD]) for f in fields[:4])
        mounts.append({
            "device": device,
            "target": target,
            "fstype": fstype,
            "options": [o for o in options.split(",") if o],
            "kind": kind(fstype),
            "line": number,
        })
    return {"mounts": mounts, "skipped_lines": skipped, "truncated": truncated}


def _holds(target: str, path: str) -> bool:
    if target == "/":
        return path.startswith("/")
    return path == target or path.startswith(target.rstrip("/") + "/")


def mount_of(mounts: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The mount a path lives on: the longest target that is a prefix of it (the last mounted wins)."""
    want = posixpath.normpath(path) if path else ""
    if not want.startswith("/"):
        return None
    best: dict[str, Any] | None = None
    best_len = -1
    for mount in mounts:
        target = str(mount.get("target") or "")
        if not target.startswith("/") or not _holds(target, want):
            continue
        if len(target) >= best_len:
            best, best_len = mount, len(target)
    return best


def is_loop(mount: dict[str, Any]) -> bool:
    return str(mount.get("device") or "").startswith("/dev/loop")


def freezable(mount: dict[str, Any]) -> bool:
    """Whether the backup extension would freeze this mount (ext3/ext4/xfs/btrfs, not a loop device)."""
    return mount.get("kind") == "freezable" and not is_loop(mount)


def duplicate_targets(mounts: list[dict[str, Any]], only: set[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Targets mounted more than once, among the mounts whose kind is in `only` (all when None)."""
    seen: dict[str, list[dict[str, Any]]] = {}
    for mount in mounts:
        if only is not None and mount.get("kind") not in only:
            continue
        seen.setdefault(str(mount.get("target")), []).append(mount)
    return {t: ms for t, ms in seen.items() if len(ms) > 1}


def _truthy(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "1", "yes", "y", "on")


def vmbackup_mount_settings(text: str) -> dict[str, Any]:
    """`onlyLocalFilesystems`, `MountsToSkip` and `fsfreeze` from `/etc/azure/vmbackup.conf` ([SnapshotThread]).

    Returns {"only_local_filesystems": bool|None, "mounts_to_skip": [...], "fsfreeze": bool|None,
    "error": str|None}; None means the key is absent. Keys are matched case-insensitively, as the
    extension's ConfigParser does.
    """
    out: dict[str, Any] = {"only_local_filesystems": None, "mounts_to_skip": [], "fsfreeze": None, "error": None}
    if not isinstance(text, str) or not text.strip():
        return out
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text[:MAX_TEXT])
    except (configparser.Error, ValueError) as exc:
        out.update(error_fields(N_("not a valid INI file: {detail}"),
                                detail=f"{type(exc).__name__}: {str(exc)[:200]}"))
        return out
    if not parser.has_section("SnapshotThread"):
        return out
    section = parser["SnapshotThread"]
    out["only_local_filesystems"] = _truthy(section.get("onlylocalfilesystems"))
    out["fsfreeze"] = _truthy(section.get("fsfreeze"))
    skip = section.get("mountstoskip") or ""
    out["mounts_to_skip"] = [p.strip() for p in skip.split(",") if p.strip()][:200]
    return out
