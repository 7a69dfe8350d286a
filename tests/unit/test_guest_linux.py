"""The Linux `guest.*` checks (VM assist's agent-health checks, issue 17): on FakeSystem VMs built from
constructed samples (tests/data/linux, see SOURCES.md) and on a real `--root` tree read through the guard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard import runner
from wizard.checks.guest.linux import PYTHON_PROBE, SYSTEMCTL_ARGV
from wizard.cli import main
from wizard.model import CheckResult, Status
from wizard.probes.base import Answer
from wizard.probes.fake import FakeFile, FakeSystem
from wizard.probes.smbios import AZURE_ASSET_TAG

DATA = Path(__file__).resolve().parents[1] / "data" / "linux"
UNIT = "/lib/systemd/system/walinuxagent.service"
UNIT_TEXT = (DATA / "walinuxagent.service").read_text(encoding="utf-8")
SYSTEMCTL = (DATA / "systemctl_show_agent_units.txt").read_text(encoding="utf-8")
APT_UBUNTU = (DATA / "apt_cache_policy_walinuxagent_ubuntu.txt").read_text(encoding="utf-8")
APT_LOCAL = (DATA / "apt_cache_policy_walinuxagent_local.txt").read_text(encoding="utf-8")
DNF_RHEL = (DATA / "dnf_info_walinuxagent_rhel8.txt").read_text(encoding="utf-8")
PY_OK = "version=3.10.12\nmodule azurelinuxagent.agent=ok\nmodule requests=ok\n"
DPKG_LIST = "/.\n/lib/systemd/system/walinuxagent.service\n/usr/sbin/waagent\n"
RPM_QF = ("rpm", "-qf", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\n")


def vm(dpkg: bool = True, **commands: Answer | str) -> FakeSystem:
    fake = FakeSystem(system="linux", is_admin=True, user="root")
    fake.files.update({
        "/sys/class/dmi/id/chassis_asset_tag": AZURE_ASSET_TAG + "\n",
        UNIT: UNIT_TEXT,
        "/usr/sbin/waagent": FakeFile(text="#!/usr/bin/python3 -u\n", mode=0o755),
        "/usr/bin/python3": FakeFile(mode=0o755),
    })
    fake.commands[tuple(SYSTEMCTL_ARGV)] = SYSTEMCTL
    fake.commands[("/usr/bin/python3", "-B", "-c", PYTHON_PROBE)] = PY_OK
    if dpkg:
        fake.files["/var/lib/dpkg/status"] = "Package: walinuxagent\n"
        fake.files["/var/lib/dpkg/info/walinuxagent.list"] = DPKG_LIST
        fake.commands[("apt-cache", "policy", "walinuxagent")] = APT_UBUNTU
    for key, value in commands.items():
        fake.commands[tuple(json.loads(key))] = value
    fake.processes = [{"pid": 812, "name": "python3", "username": "root",
                       "cmdline": "/usr/bin/python3 -u /usr/sbin/waagent -daemon"}]
    return fake


def run(probe: Any, check_id: str) -> CheckResult:
    result = runner.run_check(check_id, probe)
    assert result.status is not Status.ERROR, result.evidence
    return result


def systemctl(**props: str) -> str:
    lines = [f"{k}={v}" for k, v in {"Id": "walinuxagent.service", "LoadState": "loaded", "ActiveState": "active",
                                     "SubState": "running", "Result": "success", "NRestarts": "0", **props}.items()]
    return "\n".join(lines) + "\n\nId=waagent.service\nLoadState=not-found\n"


# -- guest.unit ---------------------------------------------------------------------------------

@pytest.mark.parametrize("props, status, phrase", [
    ({}, Status.OK, "has not been restarted"),
    ({"NRestarts": "1"}, Status.INFO, "restarted it"),
    ({"NRestarts": "7"}, Status.WARNING, "has restarted"),
    ({"ActiveState": "failed", "Result": "exit-code"}, Status.PROBLEM, "not active"),
    ({"LoadState": "masked"}, Status.PROBLEM, "masked"),
    ({"NRestarts": "many"}, Status.OK, "has not been restarted"),  # not a number: not counted
])
def test_unit(props: dict[str, str], status: Status, phrase: str) -> None:
    fake = vm()
    fake.commands[tuple(SYSTEMCTL_ARGV)] = systemctl(**props)
    r = run(fake, "guest.unit")
    assert r.status is status
    assert phrase in r.summary.id


def test_the_recorded_systemctl_sample_picks_the_loaded_unit() -> None:
    r = run(vm(), "guest.unit")
    assert r.status is Status.OK
    assert r.evidence["unit"] == "walinuxagent.service" and r.evidence["restarts"] == 0


def test_no_systemctl_is_not_checked_and_no_unit_too() -> None:
    fake = vm()
    del fake.commands[tuple(SYSTEMCTL_ARGV)]
    assert run(fake, "guest.unit").status is Status.NOT_CHECKED
    fake.commands[tuple(SYSTEMCTL_ARGV)] = "Id=waagent.service\nLoadState=not-found\n"
    assert run(fake, "guest.unit").status is Status.NOT_CHECKED


# -- guest.agent_python -------------------------------------------------------------------------

def test_the_agents_python_loads_its_module() -> None:
    r = run(vm(), "guest.agent_python")
    assert r.status is Status.OK
    assert r.evidence["sources"] == {"process": "/usr/bin/python3", "unit_execstart": "/usr/bin/python3",
                                     "waagent_shebang": "/usr/bin/python3"}


def test_the_running_process_wins_over_the_unit() -> None:
    fake = vm()
    fake.processes = [{"pid": 9, "name": "python3.12", "username": "root",
                       "cmdline": "/usr/local/bin/python3.12 -u /usr/sbin/waagent -daemon"}]
    fake.files["/usr/local/bin/python3.12"] = FakeFile(mode=0o755)
    fake.commands[("/usr/local/bin/python3.12", "-B", "-c", PYTHON_PROBE)] = PY_OK.replace("3.10.12", "3.12.1")
    r = run(fake, "guest.agent_python")
    assert r.evidence["python"] == "/usr/local/bin/python3.12"
    assert r.status is Status.INFO and "outside the distribution" in r.summary.id


@pytest.mark.parametrize("output, status, phrase", [
    ("version=2.7.18\nmodule azurelinuxagent.agent=ok\nmodule requests=ok\n", Status.PROBLEM, "Python 2"),
    ("version=3.9.2\nmodule azurelinuxagent.agent=fail ModuleNotFoundError\nmodule requests=ok\n", Status.PROBLEM,
     "cannot load"),
    ("version=3.9.2\nmodule azurelinuxagent.agent=ok\nmodule requests=fail ModuleNotFoundError\n", Status.INFO,
     "but not requests"),
    ("Traceback (most recent call last):\n  ...\nSyntaxError\n", Status.WARNING, "did not run"),
])
def test_what_the_agents_python_says_about_itself(output: str, status: Status, phrase: str) -> None:
    fake = vm()
    fake.commands[("/usr/bin/python3", "-B", "-c", PYTHON_PROBE)] = output
    r = run(fake, "guest.agent_python")
    assert r.status is status
    assert phrase in r.summary.id


def test_a_missing_interpreter_is_a_problem() -> None:
    fake = vm()
    del fake.files["/usr/bin/python3"]
    fake.processes = []
    assert run(fake, "guest.agent_python").status is Status.PROBLEM


# -- guest.agent_package ------------------------------------------------------------------------

def test_ubuntu_package_from_the_archive_is_ok() -> None:
    r = run(vm(), "guest.agent_package")
    assert r.status is Status.OK
    assert r.evidence["package"] == "walinuxagent"
    assert "azure.archive.ubuntu.com" in r.evidence["repository"]


def test_a_package_no_repository_offers_is_information() -> None:
    fake = vm()
    fake.commands[("apt-cache", "policy", "walinuxagent")] = APT_LOCAL
    assert run(fake, "guest.agent_package").status is Status.INFO


def test_files_no_package_owns_are_a_manual_install() -> None:
    fake = vm()
    fake.files["/var/lib/dpkg/info/walinuxagent.list"] = "/.\n/usr/share/doc/walinuxagent\n"
    r = run(fake, "guest.agent_package")
    assert r.status is Status.WARNING and "installed by hand" in r.summary.id


def rpm_vm(repo_output: str) -> FakeSystem:
    fake = vm(dpkg=False)
    fake.commands[(*RPM_QF, UNIT)] = "WALinuxAgent\t2.7.0.6-6.el8_9.2\tRed Hat, Inc.\n"
    fake.commands[("dnf", "-C", "-q", "info", "--installed", "WALinuxAgent")] = repo_output
    return fake


def test_rhel_package_from_rhui_is_ok() -> None:
    r = run(rpm_vm(DNF_RHEL), "guest.agent_package")
    assert r.status is Status.OK
    assert r.evidence["repository"] == "rhui-rhel-8-for-x86_64-appstream-rhui-rpms"


def test_rpm_installed_from_a_file_is_a_warning_and_an_unknown_repository_information() -> None:
    assert run(rpm_vm("From repo    : @commandline\n"), "guest.agent_package").status is Status.WARNING
    r = run(rpm_vm("From repo    : contoso-mirror\n"), "guest.agent_package")
    assert r.status is Status.INFO
    assert "static" in r.evidence["false_positive_note"]


def test_rpm_files_no_package_owns_are_a_manual_install() -> None:
    fake = vm(dpkg=False)
    fake.commands[(*RPM_QF, UNIT)] = {"returncode": 1, "stdout": "file /lib/... is not owned by any package\n"}
    for path in ("/usr/sbin/waagent",):
        fake.commands[(*RPM_QF, path)] = {"returncode": 1, "stdout": ""}
    assert run(fake, "guest.agent_package").status is Status.WARNING


# -- a collected bundle (--root), read through the guard ----------------------------------------

def _put(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _bundle(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    main(["--cli", "--lang", "en", "--root", str(root), "--only",
          "guest.unit,guest.agent_python,guest.agent_package", "--json", "-"])
    return {r["id"]: r for r in json.loads(capsys.readouterr().out)["results"]}


def test_a_bundle_is_read_through_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, "etc/hostname", "vm-bundle\n")
    _put(tmp_path, UNIT.lstrip("/"), UNIT_TEXT)
    _put(tmp_path, "usr/sbin/waagent", "#!/usr/bin/python3 -u\n")
    _put(tmp_path, "usr/bin/python3", "")
    _put(tmp_path, "var/lib/dpkg/status", "Package: walinuxagent\n")
    _put(tmp_path, "var/lib/dpkg/info/walinuxagent.list", DPKG_LIST)
    res = _bundle(tmp_path, capsys)
    assert res["guest.unit"]["status"] == "not_checked"
    assert res["guest.unit"]["evidence"]["unit_files"] == [UNIT]
    assert res["guest.agent_python"]["status"] == "info"
    assert res["guest.agent_python"]["evidence"]["python"] == "/usr/bin/python3"
    assert res["guest.agent_package"]["status"] == "ok"
    assert res["guest.agent_package"]["evidence"]["package"] == "walinuxagent"


def test_a_bundle_with_python2_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, UNIT.lstrip("/"), UNIT_TEXT.replace("/usr/bin/python3", "/usr/bin/python2.7"))
    _put(tmp_path, "usr/bin/python2.7", "")
    assert _bundle(tmp_path, capsys)["guest.agent_python"]["status"] == "problem"


def test_a_symlink_out_of_the_bundle_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.list"
    outside.write_text(DPKG_LIST, encoding="utf-8")
    root = tmp_path / "root"
    _put(root, "usr/sbin/waagent", "#!/usr/bin/python3 -u\n")
    _put(root, "var/lib/dpkg/status", "Package: x\n")
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    (root / "var/lib/dpkg/info/walinuxagent.list").symlink_to(outside)
    res = _bundle(root, capsys)
    assert res["guest.agent_package"]["status"] == "warning"  # the list outside the root was not read


# -- where the answer puts them -----------------------------------------------------------------

def test_an_inactive_unit_is_shown_under_the_stopped_agent_service() -> None:
    from wizard.checks.registry import ALL_CHECKS
    from wizard.present.answer import build_answer

    fake = vm()
    fake.services["walinuxagent"] = {"state": "stopped", "start_type": "automatic", "enabled": "enabled"}
    fake.commands[tuple(SYSTEMCTL_ARGV)] = systemctl(ActiveState="inactive", SubState="dead")
    answer = build_answer(runner.run(ALL_CHECKS, fake, only=["agent.service", "guest.unit"]), "en")
    assert answer.cause_ids == ["agent.service"]
    assert answer.consequences_of("agent.service") == ["guest.unit"]


def test_no_python3_is_led_by_the_backup_extensions_python() -> None:
    from wizard.checks.registry import ALL_CHECKS
    from wizard.present.answer import build_answer

    fake = vm()
    del fake.files["/usr/bin/python3"]
    answer = build_answer(runner.run(ALL_CHECKS, fake, only=["agent.python", "guest.agent_python"]), "en")
    assert answer.cause_ids == ["agent.python"]
    assert answer.consequences_of("agent.python") == ["guest.agent_python"]


def test_off_azure_nothing_is_judged() -> None:
    fake = vm()
    del fake.files["/sys/class/dmi/id/chassis_asset_tag"]
    for check_id in ("guest.unit", "guest.agent_python", "guest.agent_package"):
        r = run(fake, check_id)
        assert r.status is Status.NOT_CHECKED and "not look like an Azure VM" in r.summary.id


def test_a_process_of_another_user_that_looks_like_the_agent_is_ignored() -> None:
    fake = vm()
    fake.processes = [{"pid": 66, "name": "python3", "username": "mallory",
                       "cmdline": "/home/mallory/python3 -u /usr/sbin/waagent -daemon"}]
    fake.files["/home/mallory/python3"] = FakeFile(mode=0o755, uid=1000)
    r = run(fake, "guest.agent_python")
    assert r.evidence["sources"]["process"] is None
    assert r.evidence["python"] == "/usr/bin/python3" and r.status is Status.OK


@pytest.mark.parametrize("spec", [FakeFile(mode=0o755, uid=1000), FakeFile(mode=0o777), FakeFile(mode=0o775)])
def test_an_interpreter_others_can_change_is_not_run(spec: FakeFile) -> None:
    fake = vm()
    fake.files["/usr/bin/python3"] = spec
    del fake.commands[("/usr/bin/python3", "-B", "-c", PYTHON_PROBE)]  # would be "not found" if it were run
    r = run(fake, "guest.agent_python")
    assert r.status is Status.WARNING and "did not run it" in r.summary.id
    assert "self_report" not in r.evidence


def test_an_interpreter_that_could_not_be_started_is_not_checked() -> None:
    fake = vm()
    del fake.commands[("/usr/bin/python3", "-B", "-c", PYTHON_PROBE)]
    r = run(fake, "guest.agent_python")
    assert r.status is Status.NOT_CHECKED and "could not run" in r.summary.id


def test_a_probe_that_could_not_look_is_not_a_verdict() -> None:
    from wizard.probes.base import unavailable

    class Blind:
        def __init__(self, inner: FakeSystem) -> None:
            self.inner = inner

        def call(self, probe: str, /, **args: Any) -> Answer:
            if probe == "stat" and args.get("path") == "/var/lib/dpkg/status":
                return unavailable("not recorded in the scenario")
            return self.inner.call(probe, **args)

    fake = vm()
    del fake.files["/var/lib/dpkg/info/walinuxagent.list"]
    r = run(Blind(fake), "guest.agent_package")
    assert r.status is Status.NOT_CHECKED and "package database" in r.summary.id
