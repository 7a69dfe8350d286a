"""The Debian 12 tree of the simulated VM: built once with mmdebstrap, cached outside git.

The cache key is a hash of the build recipe (suite, packages, pinned versions, the files and
edits applied, and this module's source), so a changed recipe builds a new tree and an
unchanged one is reused: `<cache>/<hash>/tree`, with `<hash>/manifest.json` listing what was
installed. The cache folder is `$VMSIM_CACHE` or `/var/cache/vmbackup-wizard/vmsim`.

The tree is Debian's own `waagent` package (2.7.3.0) configured the way the facts file
(agent-emulation.md section 9.1) says: provisioning off, no resource disk, no console log, the
agent's firewall on, and the WireServer address handed over through a dhclient lease with
option 245 = 127.0.0.1. The systemd drop-in lifts `ConditionVirtualization=microsoft` so the
unit starts outside Hyper-V. A user `vmuser` (uid 1000) runs the unprivileged wizard.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path("/var/cache/vmbackup-wizard/vmsim")
SUITE = "bookworm"
PACKAGES = ("waagent", "python3", "iptables", "nftables", "systemd", "systemd-sysv", "openssl", "procps",
            "iproute2", "dbus", "ca-certificates", "curl", "util-linux")
# The versions this suite is about; a build that installs anything else fails (bookworm keeps them).
PINNED = {"waagent": "2.7.3.0-4.1"}
EXPECTED_PREFIXES = {"python3": "3.11.", "systemd": "252."}
VM_USER = "vmuser"
VM_UID = 1000
HOSTNAME = "simvm"

WAAGENT_CONF_SET = {
    "Provisioning.Agent": "disabled",
    "ResourceDisk.Format": "n",
    "OS.EnableFirewall": "y",
    "Logs.Console": "n",
    "Provisioning.MonitorHostName": "n",
    "Logs.Collect": "n",
}
WAAGENT_CONF_COMMENT = ("OS.RootDeviceScsiTimeout",)
LEASE = """lease {
  interface "eth0";
  option unknown-245 7f:0:0:1;
  expire 4 2099/01/01 00:00:00;
}
"""
DROPIN_PATH = "etc/systemd/system/walinuxagent.service.d/10-simulator.conf"
DROPIN = """# The simulated VM is not Hyper-V: let Debian's unit start anyway (docs/vmsim.md).
[Unit]
ConditionVirtualization=
"""


class TreeError(RuntimeError):
    """The tree could not be built or does not hold what the simulation needs."""


def recipe() -> dict[str, object]:
    return {
        "suite": SUITE,
        "variant": "minbase",
        "packages": list(PACKAGES),
        "pinned": PINNED,
        "waagent_conf_set": WAAGENT_CONF_SET,
        "waagent_conf_comment": list(WAAGENT_CONF_COMMENT),
        "lease": LEASE,
        "dropin": DROPIN,
        "user": [VM_USER, VM_UID],
        "hostname": HOSTNAME,
        "source": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    }


def recipe_hash() -> str:
    return hashlib.sha256(json.dumps(recipe(), sort_keys=True).encode("utf-8")).hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("VMSIM_CACHE") or DEFAULT_CACHE)


@dataclass(frozen=True)
class Tree:
    """A built tree: its folder and what it holds."""

    root: Path
    manifest: dict[str, object]
    built_now: bool
    seconds: float


def edit_waagent_conf(text: str) -> str:
    """Debian's /etc/waagent.conf with the simulator's settings (keys replaced in place or appended)."""
    lines = text.splitlines()
    done: set[str] = set()
    out: list[str] = []
    for line in lines:
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in WAAGENT_CONF_SET:
            out.append(f"{key}={WAAGENT_CONF_SET[key]}")
            done.add(key)
        elif "=" in line and not line.lstrip().startswith("#") and key in WAAGENT_CONF_COMMENT:
            out.append("#" + line + "  # vmsim: the agent would write the host's /sys")
        else:
            out.append(line)
    missing = [k for k in WAAGENT_CONF_SET if k not in done]
    if missing:
        out.append("")
        out.append("# vmsim: settings Debian's file does not carry")
        out.extend(f"{k}={WAAGENT_CONF_SET[k]}" for k in missing)
    return "\n".join(out) + "\n"


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def configure(tree: Path) -> None:
    """Apply the simulator's configuration to a freshly built tree."""
    conf = tree / "etc/waagent.conf"
    conf.write_text(edit_waagent_conf(conf.read_text(encoding="utf-8")), encoding="utf-8")
    lease = tree / "var/lib/dhcp/dhclient.eth0.leases"
    lease.parent.mkdir(parents=True, exist_ok=True)
    lease.write_text(LEASE, encoding="utf-8")
    dropin = tree / DROPIN_PATH
    dropin.parent.mkdir(parents=True, exist_ok=True)
    dropin.write_text(DROPIN, encoding="utf-8")
    (tree / "etc/hostname").write_text(HOSTNAME + "\n", encoding="utf-8")
    _run(["chroot", str(tree), "useradd", "--create-home", "--uid", str(VM_UID), "--shell", "/bin/bash", VM_USER])


def installed_versions(tree: Path) -> dict[str, str]:
    out = _run(["chroot", str(tree), "dpkg-query", "-W", "-f", "${Package}\t${Version}\n"]).stdout
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def verify(versions: dict[str, str]) -> None:
    for package, version in PINNED.items():
        if versions.get(package) != version:
            raise TreeError(f"{package} {versions.get(package)!r} installed, the simulation needs {version}")
    for package, prefix in EXPECTED_PREFIXES.items():
        if not versions.get(package, "").startswith(prefix):
            raise TreeError(f"{package} {versions.get(package)!r} installed, expected {prefix}*")


def build(cache: Path | None = None, log: Path | None = None) -> Tree:
    """The tree for the current recipe: reused when cached, else built (mmdebstrap) and configured."""
    cache = cache or cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    key = recipe_hash()
    final = cache / key
    start = time.monotonic()
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / "manifest.json").exists():
            manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
            return Tree(final / "tree", manifest, False, time.monotonic() - start)
        if shutil.which("mmdebstrap") is None:
            raise TreeError("mmdebstrap is not installed (apt-get install mmdebstrap)")
        work = cache / f"{key}.building"
        if work.exists():
            shutil.rmtree(work)
        work.mkdir()
        include = ",".join(f"{p}={PINNED[p]}" if p in PINNED else p for p in PACKAGES)
        argv = ["mmdebstrap", "--variant=minbase", f"--include={include}", SUITE, str(work / "tree")]
        result = subprocess.run(argv, text=True, capture_output=True)
        (work / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        if log is not None:
            log.write_text(result.stdout + result.stderr, encoding="utf-8")
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
            raise TreeError(f"mmdebstrap failed ({result.returncode}):\n{tail}")
        configure(work / "tree")
        versions = installed_versions(work / "tree")
        verify(versions)
        manifest = {"recipe": recipe(), "hash": key, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "build_seconds": round(time.monotonic() - start, 1),
                    "versions": {p: versions.get(p) for p in (*PACKAGES, "python3.11")},
                    "all_packages": versions}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        work.rename(final)
        return Tree(final / "tree", manifest, True, time.monotonic() - start)


def waagent_conf_value(text: str, key: str) -> str | None:
    """The last `key=value` of a waagent.conf text (None when unset)."""
    found = None
    for mo in re.finditer(rf"^\s*{re.escape(key)}\s*=\s*(\S*)", text, re.MULTILINE):
        found = mo.group(1)
    return found
