"""`/proc/mounts` parsing, the longest-prefix mount lookup and vmbackup.conf mount settings.

`/proc/mounts` samples are hand-written in the kernel's format (device target fstype options 0 0,
octal escapes for spaces); `linux/vmbackup.conf` is the extension's shipped template (ALE).
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers.mounts import (
    MAX_MOUNTS,
    decode_octal,
    duplicate_targets,
    freezable,
    kind,
    mount_of,
    parse_proc_mounts,
    vmbackup_mount_settings,
)

LINUX_DATA = Path(__file__).resolve().parents[1] / "data" / "linux"

UBUNTU = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
udev /dev devtmpfs rw,nosuid,relatime,size=4010084k,nr_inodes=1002521,mode=755,inode64 0 0
/dev/root / ext4 rw,relatime,discard,errors=remount-ro 0 0
tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=804304k,mode=755,inode64 0 0
cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
/dev/loop0 /snap/core20/2318 squashfs ro,nodev,relatime,errors=continue 0 0
/dev/sda15 /boot/efi vfat rw,relatime,fmask=0077,dmask=0077,codepage=437,iocharset=iso8859-1 0 0
/dev/sdb1 /mnt ext4 rw,relatime 0 0
lxcfs /var/lib/lxcfs fuse.lxcfs rw,nosuid,nodev,relatime,user_id=0,group_id=0,allow_other 0 0
"""


def test_ubuntu_sample() -> None:
    parsed = parse_proc_mounts(UBUNTU)
    mounts = parsed["mounts"]
    assert len(mounts) == 10
    root = mounts[3]
    assert root == {"device": "/dev/root", "target": "/", "fstype": "ext4",
                    "options": ["rw", "relatime", "discard", "errors=remount-ro"], "kind": "freezable", "line": 4}
    kinds = {m["target"]: m["kind"] for m in mounts}
    assert kinds["/proc"] == "pseudo"
    assert kinds["/snap/core20/2318"] == "pseudo"
    assert kinds["/boot/efi"] == "other"
    assert kinds["/var/lib/lxcfs"] == "pseudo"
    assert [m["target"] for m in mounts if freezable(m)] == ["/", "/mnt"]


def test_octal_escapes() -> None:
    assert decode_octal("/mnt/my\\040share\\011tab\\134back") == "/mnt/my share\ttab\\back"
    assert decode_octal("plain") == "plain"
    assert decode_octal("\\999 stays") == "\\999 stays"
    (m,) = parse_proc_mounts("//srv/share /mnt/win\\040share cifs rw,vers=3.0 0 0\n")["mounts"]
    assert m["target"] == "/mnt/win share"
    assert m["device"] == "//srv/share"
    assert m["kind"] == "network"


def test_kinds() -> None:
    assert kind("XFS") == "freezable"
    assert kind("nfs4") == "network"
    assert kind("fuse.sshfs") == "network"
    assert kind("fuse.blobfuse2") == "network"
    assert kind("fuse.mystery") == "fuse"
    assert kind("fuse") == "fuse"
    assert kind("overlay") == "container"
    assert kind("tmpfs") == "pseudo"
    assert kind("vfat") == "other"


def test_loop_devices_are_not_frozen() -> None:
    (m,) = parse_proc_mounts("/dev/loop3 /srv/img ext4 rw 0 0\n")["mounts"]
    assert m["kind"] == "freezable"
    assert freezable(m) is False


def test_mount_of_longest_prefix_and_last_wins() -> None:
    text = ("/dev/sda1 / ext4 rw 0 0\n/dev/sdc1 /var xfs rw,noexec 0 0\n/dev/sdd1 /variable ext4 rw 0 0\n"
            "/dev/sde1 /var/lib/waagent ext4 rw 0 0\n/dev/sdf1 /var/lib/waagent xfs ro 0 0\n")
    mounts = parse_proc_mounts(text)["mounts"]
    assert mount_of(mounts, "/var/lib/waagent")["device"] == "/dev/sdf1"  # type: ignore[index]
    assert mount_of(mounts, "/var/lib/waagent/x/../y")["device"] == "/dev/sdf1"  # type: ignore[index]
    assert mount_of(mounts, "/var/log")["device"] == "/dev/sdc1"  # type: ignore[index]
    assert mount_of(mounts, "/variable/x")["device"] == "/dev/sdd1"  # type: ignore[index]
    assert mount_of(mounts, "/etc")["device"] == "/dev/sda1"  # type: ignore[index]
    assert mount_of(mounts, "relative") is None
    assert mount_of([], "/") is None


def test_duplicate_targets() -> None:
    text = ("/dev/sdc1 /data xfs rw 0 0\n/dev/sdc1 /data xfs rw 0 0\nrootfs / rootfs rw 0 0\n"
            "/dev/sda1 / ext4 rw 0 0\n")
    mounts = parse_proc_mounts(text)["mounts"]
    assert set(duplicate_targets(mounts)) == {"/data", "/"}
    assert set(duplicate_targets(mounts, only={"freezable"})) == {"/data"}


def test_short_lines_are_skipped() -> None:
    parsed = parse_proc_mounts("garbage\n\n/dev/sda1 / ext4\n/dev/sda1 / ext4 rw 0 0\n")
    assert parsed["skipped_lines"] == 2
    assert len(parsed["mounts"]) == 1


def test_mount_count_is_capped() -> None:
    parsed = parse_proc_mounts("/dev/sda1 /x ext4 rw 0 0\n" * (MAX_MOUNTS + 10))
    assert len(parsed["mounts"]) == MAX_MOUNTS
    assert parsed["truncated"] is True


def test_huge_line_is_fast() -> None:
    start = time.monotonic()
    parsed = parse_proc_mounts("a " * 1_000_000 + "\n" + "\\040" * 500_000 + " / ext4 rw\n")
    assert time.monotonic() - start < 5
    assert len(parsed["mounts"]) == 2


def test_vmbackup_conf_template() -> None:
    settings_ = vmbackup_mount_settings((LINUX_DATA / "vmbackup.conf").read_text(encoding="utf-8"))
    assert settings_ == {"only_local_filesystems": None, "mounts_to_skip": [], "fsfreeze": True, "error": None}


def test_vmbackup_conf_settings() -> None:
    text = ("[SnapshotThread]\nfsfreeze = True\nonlyLocalFilesystems = True\n"
            "MountsToSkip = /mnt/nfs_share, /mnt/cifs_share,\n")
    out = vmbackup_mount_settings(text)
    assert out["only_local_filesystems"] is True
    assert out["mounts_to_skip"] == ["/mnt/nfs_share", "/mnt/cifs_share"]
    assert vmbackup_mount_settings("[SnapshotThread]\nfsfreeze: False\n")["fsfreeze"] is False


def test_vmbackup_conf_broken() -> None:
    assert vmbackup_mount_settings("no section here\n")["error"]
    assert vmbackup_mount_settings("")["error"] is None
    assert vmbackup_mount_settings("[Other]\nx=1\n")["mounts_to_skip"] == []
    assert vmbackup_mount_settings(None)["fsfreeze"] is None  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("/ab \\0124\n\t,=ext4nfsfuse.ro")), max_size=2000),
       st.text(alphabet=st.sampled_from(list("/ab.")), max_size=30))
def test_never_raises(text: str, path: str) -> None:
    mounts = parse_proc_mounts(text)["mounts"]
    found = mount_of(mounts, path)
    assert found is None or found in mounts
    duplicate_targets(mounts)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_conf_never_raises(text: str) -> None:
    out = vmbackup_mount_settings(text)
    assert set(out) - {"error_msg"} == {"only_local_filesystems", "mounts_to_skip", "fsfreeze", "error"}
    assert (out["error"] is None) == ("error_msg" not in out)
    parse_proc_mounts(text)
