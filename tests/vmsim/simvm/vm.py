"""The simulated Azure Linux VM: an overlay of the cached tree booted with systemd-nspawn inside the
emulator's empty network namespace, and the real wizard run inside it.

Life cycle (`SimVM.start`, `SimVM.stop`; docs/vmsim.md has the picture):
1. overlayfs over the cached tree (the tree itself is never written);
2. the emulator (`emulator.py`) in a new, empty network namespace (`unshare --net`); it checks the
   namespace itself, and `start` checks it again from outside: `lo` only;
3. `systemd-nspawn --boot --register=no --keep-unit` sharing that namespace
   (`--network-namespace-path`, `--capability=CAP_NET_ADMIN` for the agent's firewall rules), with
   this machine's Python, the wizard's virtual environment and the repository bind-mounted
   read-only at the same paths, so the wizard runs from the working tree inside the VM;
4. commands run inside with `nsenter` into every namespace of the container's PID 1.

Safety: nothing here assigns or routes an address; every command run inside the VM passes
`guard()`, which refuses the platform addresses 168.63.129.16 and 169.254.169.254 and any
`ip addr/route/link add` (the agent's own attempts at 169.254.169.254 fail locally: no route).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simvm import emulator as emu
from simvm.tree import VM_UID, VM_USER, Tree

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DATA = REPO / "tests" / "data" / "vmsim"
PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
FORBIDDEN = emu.FORBIDDEN
HANDLER_DIR = f"/var/lib/waagent/{emu.HANDLER}-{emu.HANDLER_VERSION}"
OUT_IN_VM = "/vmsim-out"
DISK_IN_VM = "/mnt/vmsim-disk"
WIZARD_ADDRESS_ARGS = ("--wireserver", emu.WIRESERVER[0], "--wireserver-port", str(emu.WIRESERVER[1]),
                       "--hostplugin-port", str(emu.HOSTPLUGIN[1]), "--imds", f"{emu.IMDS[0]}:{emu.IMDS[1]}")
SYSTEM_PREFIXES = frozenset(Path(p) for p in ("/", "/usr", "/bin", "/lib", "/etc", "/var"))
REQUIRED_TOOLS = ("unshare", "nsenter", "systemd-nspawn", "setpriv", "ip", "mount", "umount")


class VMError(RuntimeError):
    """The simulated VM could not be started, or did not do what a step needed."""


def guard(argv: Sequence[str]) -> None:
    """Refuse a command that names a platform address or adds an address, route or link."""
    text = " ".join(argv)
    for address in FORBIDDEN:
        if address in text:
            raise VMError(f"refusing to run a command naming {address}: {text[:200]}")
    words = [w for w in text.replace(";", " ").split()]
    for i, word in enumerate(words):
        adds = any(w in ("add", "append", "replace", "change") for w in words[i + 1:i + 4])
        if (word == "ip" or word.endswith("/ip")) and adds:
            raise VMError(f"refusing to add addresses, routes or links inside the simulated VM: {text[:200]}")


def site_packages() -> list[str]:
    """The package folders of the environment the tests run in (a virtual environment's site-packages)."""
    return [p for p in site.getsitepackages() if Path(p).is_relative_to(Path(sys.prefix))]


def missing_requirements(build: bool = True) -> list[str]:
    """Why the simulated VM cannot run on this machine (empty when it can); `build`: the tree must be built."""
    reasons = []
    if os.geteuid() != 0:
        reasons.append("needs root (namespaces, overlayfs, systemd-nspawn)")
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        reasons.append(f"missing {', '.join(missing)} (apt-get install systemd-container util-linux iproute2)")
    if build and shutil.which("mmdebstrap") is None:
        reasons.append("missing mmdebstrap (apt-get install mmdebstrap)")
    try:
        filesystems = Path("/proc/filesystems").read_text(encoding="utf-8")
    except OSError:
        filesystems = ""
    if "overlay" not in filesystems:
        with contextlib.suppress(OSError):
            subprocess.run(["modprobe", "overlay"], capture_output=True, timeout=10)
        if "overlay" not in Path("/proc/filesystems").read_text(encoding="utf-8"):
            reasons.append("the kernel has no overlayfs")
    return reasons


@dataclass
class WizardRun:
    """One run of the wizard inside the VM (or a replay of its recording on this machine)."""

    name: str
    user: str
    argv: list[str]
    exit_code: int
    doc: dict[str, Any]
    stderr: str
    seconds: float
    recording: Path | None = None
    host_busy: float | None = None

    @property
    def busy_host(self) -> bool:
        """The machine outside the VM was busy around this run: the VM shares the host's /proc/stat, so
        res.cpu then measures that work too (a limit of the simulation; CI machines are quiet)."""
        return self.host_busy is not None and self.host_busy > 50.0

    def result(self, check_id: str) -> dict[str, Any]:
        for r in self.doc.get("results") or []:
            if r.get("id") == check_id:
                return r
        raise KeyError(f"{check_id} is not in the {self.name} run")

    def status(self, check_id: str) -> str:
        return str(self.result(check_id)["status"])

    def statuses(self) -> dict[str, str]:
        return {str(r["id"]): str(r["status"]) for r in self.doc.get("results") or []}


@dataclass
class SimVM:
    """One booted simulated VM; `start()` it, run faults and the wizard, then `stop()` it."""

    tree: Tree
    python: Path = field(default_factory=lambda: Path(os.path.realpath(sys.executable)))
    run_dir: Path | None = None
    keep: bool = False

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir or tempfile.mkdtemp(prefix="vmsim-", dir="/var/tmp"))
        self.merged = self.run_dir / "merged"
        self.state = self.run_dir / "emulator"
        self.out = self.run_dir / "out"
        self.disk = self.run_dir / "disk"
        self.emulator: subprocess.Popen[bytes] | None = None
        self.nspawn: subprocess.Popen[bytes] | None = None
        self.init_pid: int | None = None
        self.mounted = False
        self.base_faults: dict[str, Any] = {"incarnation": 1, "extension": {"seq_no": 0}}
        self.faults: dict[str, Any] = {}
        self.booted_at = 0.0
        self.disturbed_at = 0.0
        self.log_rotations = 0
        self.timings: dict[str, float] = {}
        self.notes: dict[str, Any] = {}

    # -- start and stop ------------------------------------------------------------------------

    def start(self) -> None:
        reasons = missing_requirements(build=False)
        if reasons:
            raise VMError("; ".join(reasons))
        t0 = time.monotonic()
        assert self.run_dir is not None
        for folder in ("upper", "work", "merged", "emulator", "out", "disk"):
            (self.run_dir / folder).mkdir(parents=True, exist_ok=True)
        self.out.chmod(0o1777)
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={self.tree.root},upperdir={self.run_dir / 'upper'},workdir={self.run_dir / 'work'}",
                        str(self.merged)], check=True, capture_output=True)
        self.mounted = True
        self._prepare_overlay()
        self._start_emulator()
        self._boot()
        self.booted_at = time.time()
        self.disturbed_at = self.booted_at
        self.timings["boot_s"] = round(time.monotonic() - t0, 1)

    def _prepare_overlay(self) -> None:
        """Let the unprivileged wizard reach the bind-mounted interpreter when it lives under /root."""
        for bound in self._binds():
            if bound.is_relative_to("/root"):
                (self.merged / "root").chmod(0o711)

    def _binds(self) -> list[Path]:
        """What the wizard needs from this machine, bound read-only at the same paths: the repository, the
        virtual environment and the Python installation behind it - unless that Python lives in the system's
        /usr, which must stay the VM's own: then the tree's Python of the same version stands in for it."""
        wanted = {REPO, Path(sys.prefix).resolve()}
        for prefix in (Path(sys.base_prefix).resolve(), self.python.parent.parent):
            if prefix in SYSTEM_PREFIXES:
                version = f"python{sys.version_info.major}.{sys.version_info.minor}"
                if not (self.tree.root / "usr" / "bin" / version).exists():
                    raise VMError(f"the tests run on the system's {version} in {prefix}, which the tree lacks; run "
                                  "them from a virtual environment of Debian 12's python3.11 or of a Python "
                                  "installed outside /usr")
            else:
                wanted.add(prefix)
        out: list[Path] = []
        for p in sorted(wanted - SYSTEM_PREFIXES, key=lambda x: len(x.parts)):
            if not any(p.is_relative_to(q) for q in out):
                out.append(p)
        return out

    def _start_emulator(self) -> None:
        script = Path(emu.__file__).resolve()
        with open(self.run_dir / "emulator.log", "wb") as log:
            self.emulator = subprocess.Popen(
                ["unshare", "--net", "--", str(self.python), str(script), "--data", str(DATA), "--state",
                 str(self.state)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        self._wait(lambda: (self.state / "ready").exists() or self.emulator.poll() is not None, 20, "emulator ready")
        if self.emulator.poll() is not None:
            log = (self.run_dir / "emulator.log").read_text(errors="replace")
            raise VMError("the emulator stopped: " + log[-2000:])
        self.assert_loopback_only()

    def netns_path(self) -> str:
        assert self.emulator is not None
        return f"/proc/{self.emulator.pid}/ns/net"

    def assert_loopback_only(self) -> None:
        """The namespace the emulator, the agent and the wizard share has `lo` and loopback addresses only."""
        links = subprocess.run(["nsenter", f"--net={self.netns_path()}", "ip", "-o", "link"], check=True,
                               capture_output=True, text=True).stdout.splitlines()
        names = [line.split(":")[1].strip().split("@")[0] for line in links if line.strip()]
        if names != ["lo"]:
            raise VMError(f"the simulated VM's network namespace has interfaces {names}; it must have lo only")
        routes = subprocess.run(["nsenter", f"--net={self.netns_path()}", "ip", "route", "show", "table", "all"],
                                check=True, capture_output=True, text=True).stdout
        if any(address in routes for address in FORBIDDEN) or any(
                " dev lo" not in f" {line} " for line in routes.splitlines() if line.strip()):
            raise VMError(f"unexpected routes in the simulated VM's namespace:\n{routes}")

    def _boot(self) -> None:
        argv = ["systemd-nspawn", "--boot", "--register=no", "--keep-unit", "--quiet",
                f"--network-namespace-path={self.netns_path()}", "--capability=CAP_NET_ADMIN",
                "--console=read-only", f"--machine=simvm-{os.getpid()}", "--hostname=simvm",
                "-D", str(self.merged), f"--bind={self.out}:{OUT_IN_VM}", f"--bind={self.disk}:{DISK_IN_VM}"]
        argv += [f"--bind-ro={p}" for p in self._binds()]
        with open(self.run_dir / "nspawn.log", "wb") as log:
            self.nspawn = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True)
        self._wait(lambda: self._find_init() is not None or self.nspawn.poll() is not None, 30, "container init")
        if self.nspawn.poll() is not None:
            log = (self.run_dir / "nspawn.log").read_text(errors="replace")
            raise VMError("systemd-nspawn stopped: " + log[-3000:])
        self.init_pid = self._find_init()

        def running() -> bool:
            state = self.exec(["systemctl", "is-system-running"], check=False, timeout=20).stdout.strip()
            return state in ("running", "degraded")

        self._wait(running, 60, "systemd inside the VM")
        self.assert_loopback_only()

    def _find_init(self) -> int | None:
        """The host PID of the container's systemd (PID 1 in its own PID namespace, below nspawn)."""
        assert self.nspawn is not None
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            nspid = fields.get("NSpid", "").split()
            if len(nspid) >= 2 and nspid[-1] == "1" and fields.get("Name", "").strip() == "systemd" \
                    and self._descends_from(int(entry.name), self.nspawn.pid):
                return int(entry.name)
        return None

    @staticmethod
    def _descends_from(pid: int, ancestor: int) -> bool:
        for _ in range(10):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return False
            ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
            if ppid == ancestor:
                return True
            if ppid <= 1:
                return False
            pid = ppid
        return False

    def stop(self) -> None:
        """Power the VM off, stop the emulator, unmount the overlay; keep the run folder only if `keep`."""
        if self.init_pid is not None and self.nspawn is not None and self.nspawn.poll() is None:
            self.exec(["systemctl", "poweroff"], check=False, timeout=20)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.nspawn.wait(timeout=30)
        for proc in (self.nspawn, self.emulator):
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.merged)], capture_output=True)
            self.mounted = False
        if not self.keep and self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # -- inside the VM -----------------------------------------------------------------------------

    def _nsenter(self, user: str | None) -> list[str]:
        if self.init_pid is None:
            raise VMError("the VM is not running")
        prefix = ["nsenter", "-t", str(self.init_pid), "-a", "-r", "-w", "--"]
        if user and user != "root":
            prefix += ["setpriv", f"--reuid={VM_UID}", f"--regid={VM_UID}", "--init-groups", "--"]
        home = "/root" if not user or user == "root" else f"/home/{VM_USER}"
        return [*prefix, "env", "-i", f"PATH={PATH}", f"HOME={home}", "LANG=C.UTF-8"]

    def exec(self, argv: Sequence[str], *, user: str | None = None, check: bool = True, timeout: float = 60,
             env: dict[str, str] | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `argv` inside the VM (all its namespaces, its root) and return what it printed."""
        guard(argv)
        extra = [f"{k}={v}" for k, v in (env or {}).items()]
        full = self._nsenter(user) + extra + list(argv)
        result = subprocess.run(full, capture_output=True, text=True, timeout=timeout, input=input)
        if check and result.returncode != 0:
            raise VMError(f"{shlex.join(argv)} failed ({result.returncode}): {result.stderr.strip()[-1500:]}")
        return result

    def sh(self, script: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.exec(["sh", "-c", script], **kwargs)

    def read(self, path: str) -> str:
        return self.exec(["cat", path]).stdout

    def exists(self, path: str) -> bool:
        return self.exec(["test", "-e", path], check=False).returncode == 0

    def systemctl(self, *args: str, check: bool = True) -> str:
        return self.exec(["systemctl", *args, "--no-pager"], check=check, timeout=60).stdout.strip()

    # -- the emulator's switch and log ---------------------------------------------------------------

    def set_faults(self, faults: dict[str, Any] | None = None, **base: Any) -> None:
        """Switch the emulator: `faults` on top of the base goal state (`base` updates that base)."""
        self.base_faults.update(base)
        self.faults = dict(faults or {})
        data = {**self.base_faults, **self.faults}
        tmp = self.state / "faults.json.tmp"
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(self.state / "faults.json")

    def requests(self, since: float = 0.0) -> list[dict[str, Any]]:
        path = self.state / "requests.jsonl"
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("t", 0) >= since:
                    out.append(entry)
        return out

    def status_uploads(self, since: float = 0.0) -> list[dict[str, Any]]:
        return [r for r in self.requests(since) if r.get("role") == "hostplugin" and r.get("path") == "/status"
                and r.get("method") == "PUT" and r.get("status") == 200]

    # -- agent health ------------------------------------------------------------------------------

    def agent_active(self) -> bool:
        return self.systemctl("is-active", "walinuxagent", check=False) == "active"

    def handler_ready(self, since: float | None = None) -> bool:
        """The agent uploaded, after `since`, a status in which the backup extension is Ready/success."""
        since = self.disturbed_at if since is None else since
        for upload in reversed(self.status_uploads(since)):
            for name, handler_status, runtime in upload.get("handlers") or []:
                if name == emu.HANDLER:
                    return handler_status == "Ready" and runtime == "success"
        return False

    def wait_healthy(self, timeout: float = 240) -> float:
        """Wait until the agent runs and has reported the backup extension healthy since the last disturbance."""
        t0 = time.monotonic()
        self._wait(lambda: self.agent_active() and self.handler_ready(), timeout, "a healthy agent")
        return time.monotonic() - t0

    def disturbed(self) -> None:
        """Mark that the agent was restarted or its WireServer failed: health must be shown again."""
        self.disturbed_at = time.time()

    def rotate_log(self) -> None:
        """Start a fresh waagent.log, the way logrotate's copytruncate does (the agent opens the file for every
        line it writes, so it simply goes on writing into the empty file)."""
        self.log_rotations += 1
        self.exec(["sh", "-c", "test ! -e /var/log/waagent.log || { cp -p /var/log/waagent.log "
                               f"/var/log/waagent.log.vmsim{self.log_rotations} && : > /var/log/waagent.log; }}"])

    def waagent_log(self) -> str:
        return self.exec(["sh", "-c", "cat /var/log/waagent.log 2>/dev/null || true"]).stdout

    # -- the wizard --------------------------------------------------------------------------------

    def wizard_argv(self, *args: str) -> list[str]:
        return [str(self.python), "-m", "wizard", "--cli", "--lang", "en", "--json", "-", *WIZARD_ADDRESS_ARGS, *args]

    @staticmethod
    def wizard_env() -> dict[str, str]:
        """The wizard's environment inside the VM: this working tree first, then the packages of the
        environment the tests run in. The interpreter is the real binary, never a `python3` symlink, so
        hiding /usr/bin/python3 from the extension (a fault) does not hide it from the wizard."""
        return {"PYTHONPATH": os.pathsep.join([str(REPO), *site_packages()]), "PYTHONNOUSERSITE": "1",
                "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}

    def run_wizard(self, name: str, user: str = "root", record: bool = True, args: Sequence[str] = (),
                   timeout: float = 120) -> WizardRun:
        """Run the wizard from this repository inside the VM as `user`; record its probe calls."""
        self.assert_loopback_only()
        extra = list(args)
        recording = None
        if record:
            recording = self.out / f"{name}.json"
            with contextlib.suppress(FileNotFoundError):
                recording.unlink()
            extra += ["--record", f"{OUT_IN_VM}/{name}.json"]
        argv = self.wizard_argv(*extra)
        t0 = time.monotonic()
        result = self.exec(argv, user=user, check=False, timeout=timeout, env=self.wizard_env())
        seconds = time.monotonic() - t0
        try:
            doc = json.loads(result.stdout)
        except ValueError as exc:
            raise VMError(f"the wizard ({name}, {user}) printed no JSON (exit {result.returncode}): "
                          f"{result.stderr[-2000:]}") from exc
        if recording is not None and not recording.exists():
            raise VMError(f"the wizard ({name}) wrote no recording: {result.stderr[-1000:]}")
        return WizardRun(name, user, argv, result.returncode, doc, result.stderr, seconds, recording)

    def wizard_source(self) -> str:
        """Where the wizard run inside the VM imports its code from."""
        return self.exec([str(self.python), "-c", "import wizard; print(wizard.__file__)"],
                         env=self.wizard_env()).stdout.strip()

    # -- helpers -----------------------------------------------------------------------------------

    def _wait(self, predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.5) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return
            if time.monotonic() > deadline:
                raise VMError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(interval)

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.5) -> None:
        self._wait(predicate, timeout, what, interval)


def replay(recording: Path, python: Path | None = None, timeout: float = 120) -> WizardRun:
    """Replay a recording on this machine (`--scenario`), with the same address flags as the live run."""
    argv = [str(python or sys.executable), "-m", "wizard", "--cli", "--lang", "en", "--json", "-",
            "--scenario", str(recording), *WIZARD_ADDRESS_ARGS]
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    t0 = time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(REPO))
    try:
        doc = json.loads(result.stdout)
    except ValueError as exc:
        raise VMError(f"the replay of {recording} printed no JSON (exit {result.returncode}): "
                      f"{result.stderr[-2000:]}") from exc
    return WizardRun(recording.stem, "replay", argv, result.returncode, doc, result.stderr,
                     time.monotonic() - t0, recording)
