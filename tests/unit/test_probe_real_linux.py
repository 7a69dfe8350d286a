"""Every real-system probe, asked about the Linux machine the tests run on.

Nothing here is faked: procfs, sysfs, /etc, real commands (present and absent), the service
manager, and the machine's CPU, memory, disks and processes. Each answer is compared with what
this machine says through another route (a plain `open()`, `os.statvfs`, `/proc/meminfo`), so a
probe that answers "nothing" or the wrong thing fails, not only one that crashes.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from wizard.cli import main
from wizard.i18n import Translator
from wizard.model import Msg, Status
from wizard.parsers.mounts import parse_proc_mounts
from wizard.probes.system import SystemProbe

pytestmark = pytest.mark.posix("reads this Linux machine's procfs, sysfs and /etc and runs its commands")


@pytest.fixture
def probe() -> SystemProbe:
    return SystemProbe()


# -- procfs and sysfs: size 0, no seek to the end ---------------------------------------------


def test_proc_mounts_is_read_whole_and_parses(probe: SystemProbe) -> None:
    expected = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    answer = probe.call("read_file", path="/proc/mounts", max_bytes=1024 * 1024)
    assert answer["exists"] and answer["is_file"] and answer["readable"], answer
    assert answer["error"] is None and answer["truncated"] is False
    assert answer["text"].splitlines()[0] == expected.splitlines()[0]
    assert len(answer["text"].splitlines()) == len(expected.splitlines()) > 0
    mounts = parse_proc_mounts(answer["text"])["mounts"]
    assert "/" in {m["target"] for m in mounts}
    assert "/proc" in {m["target"] for m in mounts}


def test_a_procfs_file_larger_than_the_limit_is_cut_after_a_whole_line(probe: SystemProbe) -> None:
    answer = probe.call("read_file", path="/proc/self/status", max_bytes=64)
    assert answer["readable"] and answer["truncated"] is True
    assert answer["text"].startswith("Name:\t")
    assert answer["text"].endswith("\n") and len(answer["text"].encode()) <= 64


def test_a_sysfs_attribute_reads_like_open(probe: SystemProbe) -> None:
    path = "/sys/devices/system/cpu/online"
    answer = probe.call("read_file", path=path)
    assert answer["readable"] and answer["truncated"] is False
    assert answer["text"] == Path(path).read_text(encoding="ascii")
    assert re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*\n", answer["text"])


# -- /etc: files, modes, owners, folders ------------------------------------------------------


def test_etc_files_are_read_stat_and_listed_as_they_are(probe: SystemProbe) -> None:
    passwd = probe.call("read_file", path="/etc/passwd")
    assert passwd["readable"] and passwd["text"] == Path("/etc/passwd").read_text(encoding="utf-8", errors="replace")
    assert passwd["text"].startswith("root:x:0:0:")
    info = probe.call("stat", path="/etc/passwd")
    real = os.stat("/etc/passwd")
    assert (info["is_file"], info["is_dir"], info["uid"], info["owner"]) == (True, False, 0, "root")
    assert info["mode"] == stat.S_IMODE(real.st_mode) and info["size"] == real.st_size
    listing = probe.call("list_dir", path="/etc")
    entries = {e["name"]: e["is_dir"] for e in listing["entries"]}
    assert listing["error"] is None and entries["passwd"] is False
    assert entries == {name: os.path.isdir(os.path.join("/etc", name)) for name in entries}
    assert len(entries) == min(len(os.listdir("/etc")), 500)


def test_a_missing_file_and_a_file_that_is_no_folder(probe: SystemProbe) -> None:
    missing = probe.call("read_file", path="/etc/vmbackup-wizard-no-such-file")
    assert (missing["exists"], missing["readable"], missing["error"]) == (False, False, None)
    assert probe.call("stat", path="/proc/self/no-such-entry")["exists"] is False
    not_dir = probe.call("list_dir", path="/etc/passwd")
    assert not_dir["exists"] is True and not_dir["error_msg"] == {"id": "not a folder", "params": {}}
    folder = probe.call("read_file", path="/etc")
    assert folder["exists"] and not folder["is_file"] and folder["error_msg"]["id"] == "not a regular file"


# -- commands: present, absent, the C locale, time-outs -----------------------------------------

COMMANDS = ("sh", "id", "uname", "iptables", "nft", "systemctl", "waagent", "vmbackup-wizard-no-such-command")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_is_found_exactly_when_this_machine_has_it(probe: SystemProbe, command: str) -> None:
    answer = probe.call("run", argv=[command, "--version"], timeout=10)
    present = shutil.which(command) is not None
    assert answer["found"] is present, answer
    if present:
        assert answer["returncode"] is not None and answer["timed_out"] is False
    else:
        assert answer["error_msg"] == {"id": "command not found: {command}", "params": {"command": command}}


def _script(path: Path, first_line: bytes) -> Path:
    path.write_bytes(first_line + b"echo hello\n")
    path.chmod(0o755)
    return path


def test_a_script_whose_interpreter_is_missing_names_the_interpreter(probe: SystemProbe, tmp_path: Path) -> None:
    script = _script(tmp_path / "waagent", b"#!/nonexistent/bin/python3 -u\n")
    answer = probe.call("run", argv=[str(script), "--version"], timeout=10)
    assert answer["found"] is False and answer["returncode"] is None, answer
    assert answer["error_msg"] == {
        "id": "{command} cannot be started: its interpreter {interpreter} (named on its first line) is missing",
        "params": {"command": str(script), "interpreter": "/nonexistent/bin/python3"}}
    assert "command not found" not in answer["error"]


def test_a_script_found_on_path_whose_interpreter_is_missing_names_the_interpreter(tmp_path: Path) -> None:
    from wizard.probes.command import run_bounded

    _script(tmp_path / "agent-tool", b"#!/nonexistent/python3\n")
    answer = run_bounded(["agent-tool"], 10, lambda b: b.decode(), env={"PATH": str(tmp_path)})
    assert answer["found"] is False
    assert answer["error_msg"]["params"] == {"command": "agent-tool", "interpreter": "/nonexistent/python3"}


def test_a_script_saved_with_windows_line_endings_says_so(probe: SystemProbe, tmp_path: Path) -> None:
    script = _script(tmp_path / "pre-script.sh", b"#!/bin/sh\r\n")
    answer = probe.call("run", argv=[str(script)], timeout=10)
    assert answer["found"] is False, answer
    assert answer["error_msg"]["id"].startswith("{command} cannot be started: its first line ends in a Windows "
                                                "line break (CRLF)")
    assert answer["error_msg"]["params"] == {"command": str(script), "interpreter": "/bin/sh"}


def test_a_program_that_exists_but_whose_interpreter_cannot_start_is_not_called_missing(
        probe: SystemProbe, tmp_path: Path) -> None:
    inner = _script(tmp_path / "inner", b"#!/nonexistent/sh\n")  # exists, but cannot run itself
    outer = _script(tmp_path / "outer", b"#!" + str(inner).encode() + b"\n")
    answer = probe.call("run", argv=[str(outer)], timeout=10)
    assert answer["found"] is False, answer
    assert answer["error_msg"] == {"id": "{command} exists but cannot be started: a program it needs (its "
                                         "interpreter or loader) is missing", "params": {"command": str(outer)}}


def test_a_missing_program_given_by_path_is_still_not_found(probe: SystemProbe, tmp_path: Path) -> None:
    answer = probe.call("run", argv=[str(tmp_path / "nothing-here")], timeout=10)
    assert answer["found"] is False
    assert answer["error_msg"] == {"id": "command not found: {command}",
                                   "params": {"command": str(tmp_path / "nothing-here")}}


def test_real_commands_answer_in_the_c_locale(probe: SystemProbe) -> None:
    uname = probe.call("run", argv=["uname", "-s"])
    assert (uname["returncode"], uname["stdout"]) == (0, "Linux\n")
    ident = probe.call("run", argv=["id", "-u"])
    assert ident["stdout"].strip() == str(os.geteuid())
    env = probe.call("run", argv=["sh", "-c", 'echo "$LC_ALL $LANG"'])
    assert env["stdout"] == "C C\n"


def test_a_command_over_its_time_is_stopped(probe: SystemProbe) -> None:
    answer = probe.call("run", argv=["sleep", "5"], timeout=0.3)
    assert answer["timed_out"] is True and answer["elapsed_ms"] < 3000
    assert answer["error_msg"] == {"id": "timed out after {seconds} s", "params": {"seconds": "0.3"}}


def test_the_service_manager_answers_or_says_why_not(probe: SystemProbe) -> None:
    answer = probe.call("service", name="systemd-journald")
    if Path("/run/systemd/system").is_dir():  # systemd runs this machine
        assert not answer.get("unavailable") and answer["exists"] is True, answer
        assert answer["state"] in ("running", "stopped", "failed", "start_pending", "stop_pending")
    elif shutil.which("systemctl"):
        assert answer["unavailable"] is True
        assert answer["error_msg"]["id"] == "systemctl could not answer: {detail}"
        assert answer["error_msg"]["params"]["detail"]  # systemctl's own words
    else:
        assert answer["error_msg"] == {"id": "command not found: {command}", "params": {"command": "systemctl"}}


# -- who we are, and the machine's resources --------------------------------------------------


def test_identity_and_platform(probe: SystemProbe) -> None:
    me = probe.call("elevation")
    assert me == {"is_admin": os.geteuid() == 0, "user": pwd.getpwuid(os.geteuid()).pw_name, "uid": os.geteuid()}
    platform = probe.call("platform")
    assert platform["system"] == "linux" and platform["hostname"] == socket.gethostname()
    assert platform["release"] == os.uname().release and platform["machine"] == os.uname().machine


def test_memory_disk_cpu_and_processes_are_this_machines(probe: SystemProbe) -> None:
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    memory = probe.call("memory")
    assert memory["total"] == int(meminfo["MemTotal"].split()[0]) * 1024
    assert 0 < memory["percent"] < 100 and 0 < memory["available"] <= memory["total"]
    vfs = os.statvfs("/")
    disk = probe.call("disk_usage", path="/")
    assert disk["exists"] is True and disk["total"] == vfs.f_blocks * vfs.f_frsize
    cpu = probe.call("cpu_sample", seconds=0.2)
    assert cpu["cores"] == os.cpu_count() and 0 <= cpu["percent"] <= 100
    procs = {p["pid"]: p for p in probe.call("processes")["processes"]}
    assert 1 in procs and os.getpid() in procs
    assert "python" in procs[os.getpid()]["name"].lower() or "pytest" in procs[os.getpid()]["cmdline"]


# -- the same probes as root and as an unprivileged user (setpriv) ----------------------------

NOBODY = 65534
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "elevation": ("elevation", {}),
    "mounts": ("read_file", {"path": "/proc/mounts"}),
    "cpu_online": ("read_file", {"path": "/sys/devices/system/cpu/online"}),
    "passwd": ("read_file", {"path": "/etc/passwd"}),
    "shadow": ("read_file", {"path": "/etc/shadow"}),
    "pid1_environ": ("read_file", {"path": "/proc/1/environ"}),
    "shadow_stat": ("stat", {"path": "/etc/shadow"}),
    "root_home": ("list_dir", {"path": "/root"}),
    "id": ("run", {"argv": ["id", "-u"]}),
    "missing": ("run", {"argv": ["vmbackup-wizard-no-such-command"]}),
    "memory": ("memory", {}),
    "disk": ("disk_usage", {"path": "/"}),
    "processes": ("processes", {}),
}
REPORT = """
import json, sys
from wizard.probes.system import SystemProbe
p = SystemProbe()
json.dump({k: p.call(name, **args) for k, (name, args) in json.loads(sys.argv[1]).items()}, sys.stdout)
"""


def _probe_report(prefix: list[str]) -> dict[str, dict[str, Any]]:
    """Every call of CALLS answered by the system probe, run through `prefix` (setpriv) or, without one, here."""
    if not prefix:
        probe = SystemProbe()
        return {key: probe.call(name, **args) for key, (name, args) in CALLS.items()}
    out = subprocess.run([*prefix, sys.executable, "-c", REPORT, json.dumps(CALLS)], capture_output=True,
                         text=True, timeout=60, cwd="/")
    assert out.returncode == 0, out.stderr
    report: dict[str, dict[str, Any]] = json.loads(out.stdout)
    return report


def _unprivileged() -> list[str]:
    """How to run a command as an unprivileged user: nobody through setpriv when we are root, else as we are."""
    if os.geteuid() == 0:
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return []


@pytest.fixture
def unsearchable_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH whose first folder the unprivileged user may not search (a user's PATH naming root's folder
    does this): the exec search then says "permission denied" instead of "not found"."""
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0)
    monkeypatch.setenv("PATH", f"{private}:{os.environ.get('PATH', os.defpath)}")


def _assert_present_for_anyone(report: dict[str, dict[str, Any]]) -> None:
    mounts = report["mounts"]
    assert mounts["readable"] and parse_proc_mounts(str(mounts["text"]))["mounts"], mounts
    assert report["cpu_online"]["text"] == Path("/sys/devices/system/cpu/online").read_text(encoding="ascii")
    assert str(report["passwd"]["text"]).startswith("root:x:0:0:")
    shadow_stat = report["shadow_stat"]
    assert shadow_stat["exists"] and shadow_stat["uid"] == 0 and shadow_stat["mode"] == stat.S_IMODE(
        os.stat("/etc/shadow").st_mode)
    assert report["memory"]["total"] == psutil.virtual_memory().total
    assert report["disk"]["total"] == psutil.disk_usage("/").total
    pids = {p["pid"] for p in report["processes"]["processes"]}
    assert 1 in pids and len(pids) > 3


@pytest.mark.usefixtures("unsearchable_path")
def test_probes_as_an_unprivileged_user_answer_and_say_what_they_may_not_read() -> None:
    report = _probe_report(_unprivileged())
    _assert_present_for_anyone(report)
    me = report["elevation"]
    uid = NOBODY if os.geteuid() == 0 else os.geteuid()
    assert me == {"is_admin": False, "user": pwd.getpwuid(uid).pw_name, "uid": uid}
    assert report["id"]["stdout"] == f"{uid}\n"
    denied = {"id": "permission denied", "params": {}}
    for key in ("shadow", "pid1_environ"):
        assert report[key]["exists"] is True and report[key]["readable"] is False, report[key]
        assert report[key]["error_msg"] == denied
    assert report["root_home"]["exists"] is True and report["root_home"]["error_msg"] == denied
    missing = report["missing"]  # not "found but denied" although a PATH folder cannot be searched
    assert missing["found"] is False, missing
    assert missing["error_msg"] == {"id": "command not found: {command}",
                                    "params": {"command": "vmbackup-wizard-no-such-command"}}
    ja = Translator("ja")
    assert ja.msg(Msg.from_dict(denied)) != "permission denied"


@pytest.mark.root("reads /etc/shadow, /proc/1/environ and /root as root")
def test_probes_as_root_read_what_only_root_may() -> None:
    report = _probe_report([])
    _assert_present_for_anyone(report)
    assert report["elevation"] == {"is_admin": True, "user": "root", "uid": 0}
    assert report["shadow"]["readable"] is True and str(report["shadow"]["text"]).startswith("root:")
    assert report["pid1_environ"]["readable"] is _readable("/proc/1/environ")  # a sandbox may refuse even root
    assert report["root_home"]["error"] is None
    names = {e["name"] for e in report["root_home"]["entries"]}
    assert names == set(sorted(os.listdir("/root"))[:500])


def _readable(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except PermissionError:
        return False
    return True


# -- the whole program on this machine --------------------------------------------------------

CLI = ["-m", "wizard", "--cli", "--lang", "en", "--only", "res.mounts,res.disk", "--json", "-"]
LOOPBACK = ["--wireserver", "127.0.0.1", "--wireserver-port", "9", "--hostplugin-port", "9", "--imds", "127.0.0.1:9"]


def _cli(prefix: list[str], extra: list[str]) -> dict[str, dict[str, Any]]:
    out = subprocess.run([*prefix, sys.executable, *CLI, *extra], capture_output=True, text=True, timeout=120,
                         cwd="/", env={**os.environ, "NO_COLOR": "1"})
    assert out.returncode in (0, 1, 2), out.stderr
    doc = json.loads(out.stdout)
    return {r["id"]: r for r in doc["results"]}


def _assert_real_verdicts(results: dict[str, dict[str, Any]]) -> None:
    lines = [line for line in Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
             if line.strip()]
    mounts = results["res.mounts"]
    assert mounts["status"] in ("ok", "info", "warning", "problem"), mounts["summary"]
    evidence = mounts["evidence"]
    assert evidence["mounts_file"]["readable"] is True
    assert evidence["mounts_file"]["entries"] == len(lines)
    disk = results["res.disk"]
    assert disk["status"] in ("ok", "warning", "problem"), disk["summary"]
    usage = {row["path"]: row for row in disk["evidence"]["usage"]}
    assert usage["/"]["total"] == psutil.disk_usage("/").total
    assert disk["evidence"]["waagent_mount"] is not None


@pytest.mark.root("unshare -n needs root; the run has no network at all")
def test_the_program_gives_real_mount_and_disk_verdicts_as_root() -> None:
    _assert_real_verdicts(_cli(["unshare", "-n"], []))


def test_the_program_gives_real_mount_and_disk_verdicts_unprivileged(capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:  # no network at all, then nobody
        results = _cli(["unshare", "-n", *_unprivileged()], [])
    else:  # we are unprivileged already: here, with every address aimed at loopback
        main([*CLI[2:], *LOOPBACK])
        results = {r["id"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    _assert_real_verdicts(results)


def test_agent_service_says_why_the_service_manager_could_not_answer() -> None:
    from wizard.checks.base import Settings
    from wizard.runner import run_check

    loopback = Settings(wireserver="127.0.0.1", wireserver_port=9, hostplugin_port=9, imds="127.0.0.1:9")
    result = run_check("agent.service", SystemProbe(), loopback)  # every address aimed at loopback
    if Path("/run/systemd/system").is_dir():
        assert result.status is not Status.NOT_CHECKED, result.summary
        return
    assert result.status is Status.NOT_CHECKED
    reason = result.summary.params["error"]
    assert isinstance(reason, Msg) and reason.id in ("systemctl could not answer: {detail}",
                                                     "command not found: {command}")
    assert "systemctl" in Translator("ja").msg(result.summary)
