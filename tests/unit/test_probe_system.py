"""The system probe: dispatch, `--root` rules, commands, services, resources, and the Windows pure parts."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from wizard.probes import linux, machine, windows
from wizard.probes.base import PROBE_NAMES, Probe
from wizard.probes.system import NOT_IN_BUNDLE, SystemProbe, make_system_probe

LIVE_ARGS: dict[str, dict[str, object]] = {
    "platform": {},
    "elevation": {},
    "memory": {},
    "disk_usage": {"path": "/"},
    "proxy_env": {},
    "processes": {},
    "cpu_sample": {"seconds": 0.1},
    "run": {"argv": ["true"]},
    "service": {"name": "walinuxagent"},
    "registry": {"key": "HKLM\\SOFTWARE\\Microsoft\\GuestAgent", "value": None},
}


@pytest.fixture
def probe() -> SystemProbe:
    return SystemProbe()


# -- dispatch --------------------------------------------------------------------------------


def test_every_catalogue_probe_answers_plain_json(probe: SystemProbe) -> None:
    args = {**LIVE_ARGS, "read_file": {"path": "/etc/hostname"}, "stat": {"path": "/etc"},
            "list_dir": {"path": "/etc"}, "tcp_connect": {"host": "127.0.0.1", "port": 9},
            "http_get": {"url": "http://127.0.0.1:9/", "headers": {}}}
    for name in PROBE_NAMES:
        answer = probe.call(name, **args[name])
        assert json.loads(json.dumps(answer)) == answer, name


@pytest.mark.posix("the registry exists on Windows")
def test_registry_is_unavailable_on_linux(probe: SystemProbe) -> None:
    answer = probe.call("registry", key="HKLM\\SOFTWARE", value=None)
    assert answer == {"unavailable": True, "error": "not available on this platform",
                      "error_msg": {"id": "not available on this platform", "params": {}}}


def test_unknown_probes_and_bad_arguments_are_unavailable(probe: SystemProbe) -> None:
    assert probe.call("format_disk")["unavailable"] is True
    assert "unknown probe" in probe.call("format_disk")["error"]
    assert probe.call("stat", nonsense=1)["unavailable"] is True
    assert probe.call("run", argv="echo hi")["unavailable"] is True


def test_an_exception_inside_a_probe_becomes_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, object]:
        raise RuntimeError("psutil exploded")

    monkeypatch.setattr(machine, "memory", broken)
    answer = SystemProbe().call("memory")
    assert answer == {"unavailable": True, "error": "the probe failed (RuntimeError: psutil exploded)",
                      "error_msg": {"id": "the probe failed ({error})",
                                    "params": {"error": "RuntimeError: psutil exploded"}}}


@pytest.mark.posix("the Windows implementation answers on Windows")
def test_the_windows_implementation_degrades_on_linux() -> None:
    probe = SystemProbe(platform="win32")
    assert probe.family == "windows"
    for name in ("registry", "service", "elevation"):
        assert probe.call(name, **LIVE_ARGS[name])["unavailable"] is True


def test_make_system_probe(tmp_path: Path) -> None:
    made: Probe = make_system_probe()
    assert made.call("platform")["system"] == sys.platform
    with pytest.raises(NotADirectoryError):
        make_system_probe(tmp_path / "missing")


# -- --root ----------------------------------------------------------------------------------


def test_with_a_root_only_files_and_platform_answer(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "waagent.conf").write_text("Extensions.Enabled=y\n")
    probe = SystemProbe(tmp_path)
    for name, args in {**LIVE_ARGS, "tcp_connect": {"host": "127.0.0.1", "port": 9},
                       "http_get": {"url": "http://127.0.0.1:9/", "headers": {}}}.items():
        if name in ("platform", "registry"):
            continue
        assert probe.call(name, **args) == {"unavailable": True, "error": NOT_IN_BUNDLE,
                                            "error_msg": {"id": NOT_IN_BUNDLE, "params": {}}}, name
    assert probe.call("read_file", path="/etc/waagent.conf")["text"] == "Extensions.Enabled=y\n"
    assert probe.call("stat", path="/etc")["is_dir"] is True
    assert probe.call("list_dir", path="/etc")["entries"] == [{"name": "waagent.conf", "is_dir": False}]
    platform = probe.call("platform")
    assert platform["root"] == str(tmp_path)
    assert platform["system"] == "linux"  # the bundle's layout, not the machine reading it
    assert platform["hostname"] == tmp_path.name  # no etc/hostname in this bundle


def test_bundle_platform_follows_the_layout(tmp_path: Path) -> None:
    win = tmp_path / "win"
    (win / "WindowsAzure" / "Logs").mkdir(parents=True)
    assert SystemProbe(win).call("platform")["system"] == "windows"
    lin = tmp_path / "lin"
    (lin / "etc").mkdir(parents=True)
    (lin / "etc" / "hostname").write_text("vm-web01\n")
    answer = SystemProbe(lin).call("platform")
    assert (answer["system"], answer["hostname"]) == ("linux", "vm-web01")


# -- run -------------------------------------------------------------------------------------


@pytest.mark.posix("sh")
def test_run_a_real_command(probe: SystemProbe) -> None:
    answer = probe.call("run", argv=["sh", "-c", "echo hi; echo oops >&2; exit 3"])
    assert (answer["found"], answer["returncode"], answer["timed_out"]) == (True, 3, False)
    assert (answer["stdout"], answer["stderr"]) == ("hi\n", "oops\n")
    assert answer["error"] is None


@pytest.mark.posix("sh")
def test_run_uses_the_c_locale(probe: SystemProbe, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    assert probe.call("run", argv=["sh", "-c", 'echo "$LC_ALL $LANG"'])["stdout"] == "C C\n"


def test_run_a_missing_command(probe: SystemProbe) -> None:
    answer = probe.call("run", argv=["no-such-command-vmbackup"])
    assert answer["found"] is False
    assert answer["returncode"] is None
    assert "no-such-command-vmbackup" in answer["error"]


@pytest.mark.posix("sh and sleep")
def test_run_times_out_and_kills(probe: SystemProbe) -> None:
    start = time.monotonic()
    answer = probe.call("run", argv=["sleep", "5"], timeout=0.3)
    assert answer["timed_out"] is True
    assert answer["returncode"] is not None
    assert time.monotonic() - start < 3


@pytest.mark.posix("sh and sleep")
def test_run_timeout_also_stops_what_the_command_started(probe: SystemProbe) -> None:
    start = time.monotonic()
    answer = probe.call("run", argv=["sh", "-c", "sleep 5; echo late"], timeout=0.3)
    assert answer["timed_out"] is True
    assert "late" not in answer["stdout"]
    assert time.monotonic() - start < 3


@pytest.mark.posix("a POSIX command line")
def test_run_output_is_bounded(probe: SystemProbe) -> None:
    answer = probe.call("run", argv=["sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a"])
    assert answer["returncode"] == 0
    assert answer["stdout"] == "a" * (1024 * 1024)
    assert answer["truncated"] is True


@pytest.mark.posix("sh and printf stand in for a Windows command")
def test_windows_run_decodes_with_the_oem_code_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(windows, "oem_codepage", lambda: "cp932")
    answer = windows.run(["sh", "-c", "printf '\\217\\363\\221\\324: [1] \\210\\300\\222\\350\\r\\n'"])
    assert answer["stdout"] == "状態: [1] 安定\n"


# -- service ---------------------------------------------------------------------------------


@pytest.fixture
def fake_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A `systemctl` first on PATH that prints `$FAKE_SYSTEMCTL_OUT` and logs its arguments."""
    script = tmp_path / "systemctl"
    script.write_text('#!/bin/sh\necho "$@" > "$FAKE_SYSTEMCTL_LOG"\nprintf "$FAKE_SYSTEMCTL_OUT"\n'
                      'exit "${FAKE_SYSTEMCTL_RC:-0}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SYSTEMCTL_LOG", str(tmp_path / "args.log"))
    yield tmp_path / "args.log"


@pytest.mark.posix("a shell-script stand-in for systemctl")
def test_service_reads_systemctl_show(
    probe: SystemProbe, fake_systemctl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_OUT", "LoadState=loaded\\nActiveState=active\\nSubState=running\\n"
                       "UnitFileState=enabled\\nDescription=Azure Linux Agent\\n")
    answer = probe.call("service", name="walinuxagent")
    assert fake_systemctl.read_text().split() == [
        "show", "walinuxagent", "--property=LoadState,ActiveState,SubState,UnitFileState,Description",
        "--no-pager",
    ]
    assert answer["exists"] is True
    assert (answer["state"], answer["start_type"], answer["enabled"]) == ("running", "automatic", "enabled")
    assert answer["display_name"] == "Azure Linux Agent"


@pytest.mark.posix("a shell-script stand-in for systemctl")
def test_service_that_does_not_exist(
    probe: SystemProbe, fake_systemctl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_OUT", "LoadState=not-found\\nActiveState=inactive\\nSubState=dead\\n"
                       "UnitFileState=\\nDescription=waagent.service\\n")
    assert probe.call("service", name="waagent")["exists"] is False


@pytest.mark.posix("a shell-script stand-in for systemctl")
def test_service_when_systemd_cannot_answer(
    probe: SystemProbe, fake_systemctl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_OUT", "")
    monkeypatch.setenv("FAKE_SYSTEMCTL_RC", "1")
    answer = probe.call("service", name="walinuxagent")
    assert answer["unavailable"] is True
    assert "systemctl" in answer["error"]


@pytest.mark.parametrize(
    ("active", "unit_file", "state", "start_type"),
    [
        ("active", "enabled", "running", "automatic"),
        ("inactive", "disabled", "stopped", "disabled"),
        ("failed", "enabled", "failed", "automatic"),
        ("activating", "static", "start_pending", "manual"),
        ("deactivating", "masked", "stop_pending", "disabled"),
        ("maintenance", "", "maintenance", "unknown"),
    ],
)
def test_systemd_states_map_onto_the_catalogue(
    active: str, unit_file: str, state: str, start_type: str
) -> None:
    props = linux.parse_systemctl_show(f"LoadState=loaded\nActiveState={active}\nUnitFileState={unit_file}\n")
    answer = linux.service_answer(props)
    assert (answer["state"], answer["start_type"]) == (state, start_type)
    assert answer["enabled"] == (unit_file or None)


# -- elevation, platform, resources ----------------------------------------------------------


@pytest.mark.posix("os.geteuid and a Linux platform answer")
def test_elevation_and_platform(probe: SystemProbe) -> None:
    elevation = probe.call("elevation")
    assert elevation["uid"] == os.geteuid()
    assert elevation["is_admin"] is (os.geteuid() == 0)
    assert elevation["user"]
    platform = probe.call("platform")
    assert platform["system"] == "linux"
    assert platform["hostname"] == socket.gethostname()
    assert "root" not in platform


@pytest.fixture
def busy_child() -> Iterator[subprocess.Popen[bytes]]:
    """A busy process this test started: the tool's own load, like a PowerShell child of a check."""
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


@pytest.fixture
def busy_stranger() -> Iterator[psutil.Process]:
    """A busy process that is not ours: started through an intermediate process that exits at once."""
    launcher = subprocess.run(
        [sys.executable, "-c", "import subprocess, sys; "
         "print(subprocess.Popen([sys.executable, '-c', 'while True: pass'], stdin=subprocess.DEVNULL, "
         "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)"],
        capture_output=True, text=True, check=True, timeout=30)
    stranger = psutil.Process(int(launcher.stdout.strip()))
    try:
        yield stranger
    finally:
        stranger.kill()
        stranger.wait(10)


def test_cpu_sample_tells_our_load_from_the_machine(busy_stranger: psutil.Process) -> None:
    stop = threading.Event()
    started = threading.Event()
    burnt: list[float] = []

    def burn() -> None:
        begin = time.thread_time()
        started.set()
        while not stop.is_set():
            sum(range(1000))
        burnt.append(time.thread_time() - begin)

    burner = threading.Thread(target=burn)
    burner.start()
    started.wait(5)
    try:
        answer = machine.cpu_sample(0.6)
    finally:
        stop.set()
        burner.join()
    cores = answer["cores"]
    assert cores == os.cpu_count()
    assert 0.5 <= answer["seconds"] < 2
    # what the burner thread really got (a shared machine may give it less than a core)
    burner_percent = burnt[0] / (answer["seconds"] * cores) * 100
    assert burner_percent > 1
    assert answer["self_percent"] >= 0.7 * burner_percent
    assert answer["percent"] > 0
    assert answer["percent_excluding_self"] == round(max(0.0, answer["percent"] - answer["self_percent"]), 1)
    top_pids = [row["pid"] for row in answer["top"]]
    # the busy stranger is listed, unless five busier processes of a shared machine crowd it out
    assert busy_stranger.pid in top_pids or len(top_pids) == 5
    assert os.getpid() not in top_pids
    assert len(top_pids) <= 5
    assert all(0 <= row["percent"] <= 100 for row in answer["top"])


def test_cpu_sample_counts_our_children_as_our_load(busy_child: subprocess.Popen[bytes]) -> None:
    child = psutil.Process(busy_child.pid)
    before = sum(child.cpu_times()[:2])
    answer = machine.cpu_sample(0.6)
    child_seconds = sum(child.cpu_times()[:2]) - before
    cores = answer["cores"]
    child_percent = child_seconds / (answer["seconds"] * cores) * 100
    assert answer["children"] >= 1
    assert child_percent > 1
    assert answer["self_percent"] >= 0.8 * child_percent  # the busy child is ours, not the VM's
    assert busy_child.pid not in [row["pid"] for row in answer["top"]]
    assert answer["percent_excluding_self"] == round(max(0.0, answer["percent"] - answer["self_percent"]), 1)


def test_family_delta_counts_new_children_from_zero() -> None:
    assert machine.family_delta({1: 2.0, 2: 5.0}, {1: 2.5, 2: 5.0, 3: 0.75}) == pytest.approx(1.25)
    assert machine.family_delta({1: 2.0}, {1: 1.0}) == 0.0


def test_cpu_sample_window_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(machine.time, "sleep", slept.append)
    machine.cpu_sample(100)
    machine.cpu_sample(0)
    assert slept == [3.0, 0.1]


def test_machine_percent_from_cpu_times() -> None:
    times = namedtuple("times", "user system idle iowait guest")
    assert machine.machine_percent(times(10, 10, 70, 10, 5), times(40, 20, 100, 20, 50)) == 50.0
    assert machine.machine_percent(times(1, 1, 1, 1, 0), times(1, 1, 1, 1, 0)) == 0.0


def test_memory_and_disk_usage(probe: SystemProbe, tmp_path: Path) -> None:
    memory = probe.call("memory")
    assert memory["total"] > 0
    assert 0 <= memory["percent"] <= 100
    assert memory["available"] <= memory["total"]
    disk = probe.call("disk_usage", path=str(tmp_path))
    assert disk["exists"] is True
    assert disk["free"] <= disk["total"]
    assert probe.call("disk_usage", path=str(tmp_path / "missing"))["exists"] is False


def test_proxy_env_lists_proxy_variables_and_hides_passwords(
    probe: SystemProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:s3cret@proxy.example:3128")
    monkeypatch.setenv("no_proxy", "168.63.129.16,169.254.169.254")
    monkeypatch.setenv("VMBACKUP_UNRELATED", "x")
    found = probe.call("proxy_env")["vars"]
    assert found["HTTPS_PROXY"] == "http://alice:***@proxy.example:3128"
    assert found["no_proxy"] == "168.63.129.16,169.254.169.254"
    assert "VMBACKUP_UNRELATED" not in found
    assert "s3cret" not in json.dumps(found)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("http://proxy:8080", "http://proxy:8080"),
        ("user:pw@proxy:8080", "user:***@proxy:8080"),
        ("http://u:p@w@proxy:8080", "http://u:***@proxy:8080"),
        ("http://[::1", "http://[::1"),
        ("", ""),
    ],
)
def test_mask_url_password(value: str, masked: str) -> None:
    assert machine.mask_url_password(value) == masked


def test_processes_include_ourselves_with_a_short_cmdline(probe: SystemProbe) -> None:
    rows = probe.call("processes")["processes"]
    me = next(row for row in rows if row["pid"] == os.getpid())
    assert me["name"]
    assert len(me["cmdline"]) <= 300
    assert "python" in me["cmdline"] or "pytest" in me["cmdline"]
    assert all(len(row["cmdline"]) <= 300 for row in rows)


# -- Windows pure parts ----------------------------------------------------------------------


def test_windows_code_page_names() -> None:
    assert windows.codepage_name(932) == "cp932"
    assert windows.codepage_name(437) == "cp437"
    assert windows.codepage_name(65001) == "utf-8"
    assert windows.codepage_name(0) is None
    assert windows.codepage_name(99999) is None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("HKLM\\SOFTWARE\\Microsoft\\Windows Azure",
         ("HKEY_LOCAL_MACHINE", "SOFTWARE\\Microsoft\\Windows Azure")),
        ("HKEY_LOCAL_MACHINE\\SOFTWARE\\", ("HKEY_LOCAL_MACHINE", "SOFTWARE")),
        ("hklm:\\Software", ("HKEY_LOCAL_MACHINE", "Software")),
        ("HKU\\S-1-5-18\\Software", ("HKEY_USERS", "S-1-5-18\\Software")),
        ("HKLM", ("HKEY_LOCAL_MACHINE", "")),
    ],
)
def test_registry_keys_are_split_into_hive_and_path(key: str, expected: tuple[str, str]) -> None:
    assert windows.split_registry_key(key) == expected


def test_an_unknown_hive_is_refused() -> None:
    with pytest.raises(ValueError, match="hive"):
        windows.split_registry_key("HKXX\\SOFTWARE")


def test_registry_values_become_plain_data() -> None:
    assert windows.format_registry_value(b"\x18\x00\x00\x00\x01", 3) == "1800000001"
    assert windows.format_registry_value(["a", "b"], 7) == ["a", "b"]
    assert windows.format_registry_value(1, 4) == 1
    assert windows.format_registry_value("2.7.41491.1102", 1) == "2.7.41491.1102"
    assert windows.format_registry_value(None, 0) is None
    assert len(windows.format_registry_value(b"\x00" * 100_000, 3)) <= windows.MAX_REGISTRY_TEXT
    assert [windows.registry_type_name(t) for t in (1, 3, 4, 7, 11, 99)] == [
        "REG_SZ", "REG_BINARY", "REG_DWORD", "REG_MULTI_SZ", "REG_QWORD", "REG_99",
    ]


def test_windows_service_answer_from_psutil() -> None:
    answer = windows.service_answer({
        "name": "WindowsAzureGuestAgent", "display_name": "Windows Azure Guest Agent",
        "status": "start_pending", "start_type": "automatic", "pid": 1234,
        "binpath": "C:\\WindowsAzure\\GuestAgent\\WindowsAzureGuestAgent.exe", "username": "LocalSystem",
    })
    assert answer["exists"] is True
    assert (answer["state"], answer["start_type"]) == ("start_pending", "automatic")
    assert answer["display_name"] == "Windows Azure Guest Agent"
    assert json.loads(json.dumps(answer)) == answer
