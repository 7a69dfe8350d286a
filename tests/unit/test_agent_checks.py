"""VM agent checks (`agent.*`) against virtual machines described with FakeSystem and real fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wizard import runner
from wizard.checks import agent
from wizard.checks.agent import log as agent_log
from wizard.checks.facts import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.registry import ALL_CHECKS
from wizard.model import CheckResult, Component, Msg, Status
from wizard.probes.base import Answer, unavailable
from wizard.probes.fake import FakeFile, FakeSystem

DATA = Path(__file__).resolve().parents[1] / "data"
VERSION_OUT = "WALinuxAgent-2.2.45 running on ubuntu 18.04\nPython: 3.6.9\nGoal state agent: 2.15.0.1\n"
WIN_LOG = "C:\\WindowsAzure\\Logs\\WaAppAgent.log"
WIN_KEY = "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest"
AGENT_DIR = "C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-23_194431\\WindowsAzureGuestAgent.exe"


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


def linux_vm(admin: bool = True, azure: bool = True, agent_installed: bool = True, **kw: Any) -> FakeSystem:
    fake = FakeSystem(system="linux", is_admin=admin, user="root" if admin else "alice", **kw)
    if azure:
        fake.files["/sys/class/dmi/id/chassis_asset_tag"] = AZURE_ASSET_TAG + "\n"
    fake.files["/usr/bin/python3"] = FakeFile(mode=0o755)
    if agent_installed:
        fake.files.update({
            "/usr/sbin/waagent": FakeFile(text="#!/usr/bin/python3 -u\nimport sys\n", mode=0o755),
            "/etc/waagent.conf": read("linux", "waagent.conf"),
            "/lib/systemd/system/walinuxagent.service": read("linux", "walinuxagent.service"),
            "/var/lib/waagent/WALinuxAgent-2.15.0.1/HandlerManifest.json": "{}",
        })
        if not fake.services:
            fake.services["walinuxagent"] = {}
        fake.commands.setdefault(("waagent", "--version"), VERSION_OUT)
    return fake


def windows_vm(admin: bool = True, azure: bool = True, agent_installed: bool = True, **kw: Any) -> FakeSystem:
    fake = FakeSystem(system="windows", is_admin=admin, user="Administrator" if admin else "alice", **kw)
    if azure:
        fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
    else:
        fake.asset_tag = "To Be Filled By O.E.M."  # a readable firmware tag that is not Azure's
    if agent_installed:
        fake.files.setdefault(AGENT_DIR, "")
        fake.files.setdefault("C:\\WindowsAzure\\Packages\\WaAppAgent.exe", "")
        fake.services.setdefault("WindowsAzureGuestAgent", {})
        fake.services.setdefault("RdAgent", {})
        fake.registry.setdefault(WIN_KEY, {"GuestAgentVersion": "2.7.41491.1102"})
    return fake


class Blind:
    """A probe that could not look: the named probes answer unavailable, the rest pass through."""

    def __init__(self, inner: Any, *blind: str) -> None:
        self.inner = inner
        self.blind = set(blind)

    def call(self, probe: str, /, **args: Any) -> Answer:
        if probe in self.blind:
            return unavailable("replay lacks this answer")
        return self.inner.call(probe, **args)


def run(probe: Any, check_id: str) -> CheckResult:
    diagnosis = runner.run(ALL_CHECKS, probe, only=[check_id])
    assert len(diagnosis.results) == 1, f"{check_id} did not run"
    result = diagnosis.results[0]
    assert result.status is not Status.ERROR, result.evidence
    return result


def commands(result: CheckResult) -> list[str]:
    return [s.command for s in result.fix if s.command]


# --- the catalogue ----------------------------------------------------------------------------


def test_catalogue() -> None:
    ids = [c.id for c in agent.CHECKS]
    assert ids == ["agent.installed", "agent.service", "agent.version", "agent.config", "agent.log", "agent.python"]
    by_id = {c.id: c for c in agent.CHECKS}
    assert by_id["agent.config"].platforms == {"linux"} and by_id["agent.python"].platforms == {"linux"}
    assert by_id["agent.log"].platforms == {"linux", "windows"}
    assert all(c.component is Component.AGENT for c in agent.CHECKS)
    assert {c.id for c in ALL_CHECKS} >= set(ids)


def test_windows_skips_linux_only_checks() -> None:
    ids = [c.id for c in runner.applicable(agent.CHECKS, "windows")]
    assert "agent.config" not in ids and "agent.python" not in ids


# --- agent.installed (Linux) ------------------------------------------------------------------


def test_installed_linux_ok() -> None:
    r = run(linux_vm(), "agent.installed")
    assert r.status is Status.OK
    assert r.summary.params == {"binary": "/usr/sbin/waagent", "service": "walinuxagent"}
    assert r.evidence["config"]["mode"] == "0o644"


def test_installed_linux_missing_is_a_problem() -> None:
    r = run(linux_vm(agent_installed=False), "agent.installed")
    assert r.status is Status.PROBLEM
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable", "AzureVmOffline",
                             "UserErrorVmNotInDesirableState"]
    assert "sudo systemctl enable --now walinuxagent" in commands(r)
    assert any("apt-get" in c for c in commands(r))


def test_installed_linux_missing_off_azure_is_info() -> None:
    r = run(linux_vm(agent_installed=False, azure=False), "agent.installed")
    assert r.status is Status.INFO and r.error_codes == []


def test_installed_linux_config_missing_and_no_lib_dir() -> None:
    fake = linux_vm()
    del fake.files["/etc/waagent.conf"]
    del fake.files["/var/lib/waagent/WALinuxAgent-2.15.0.1/HandlerManifest.json"]
    r = run(fake, "agent.installed")
    assert r.status is Status.PROBLEM
    assert r.summary.id == "The agent's configuration file /etc/waagent.conf is missing."
    assert any(s.text.id == "The agent's working folder /var/lib/waagent does not exist." for s in r.fix)
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable", "UserErrorVmNotInDesirableState"]


def test_installed_linux_binary_not_executable() -> None:
    fake = linux_vm()
    fake.files["/usr/sbin/waagent"] = FakeFile(text="#!/usr/bin/python3\n", mode=0o644)
    r = run(fake, "agent.installed")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"path": "/usr/sbin/waagent", "mode": "0o644"}
    assert "sudo chmod 755 /usr/sbin/waagent" in commands(r)


def test_installed_linux_binary_missing_only() -> None:
    fake = linux_vm()
    del fake.files["/usr/sbin/waagent"]
    r = run(fake, "agent.installed")
    assert r.status is Status.PROBLEM
    assert r.summary.id.startswith("The agent program /usr/sbin/waagent is missing")


def test_installed_linux_lib_dir_missing_is_a_warning() -> None:
    fake = linux_vm()
    del fake.files["/var/lib/waagent/WALinuxAgent-2.15.0.1/HandlerManifest.json"]
    r = run(fake, "agent.installed")
    assert r.status is Status.WARNING
    assert "sudo systemctl enable --now walinuxagent" in commands(r)


def test_installed_linux_waagent_unit_on_other_distros() -> None:
    fake = linux_vm()
    del fake.services["walinuxagent"]
    del fake.files["/lib/systemd/system/walinuxagent.service"]
    fake.files["/usr/lib/systemd/system/waagent.service"] = read("linux", "walinuxagent.service")
    fake.services["waagent"] = {}
    r = run(fake, "agent.installed")
    assert r.status is Status.OK and r.summary.params["service"] == "waagent"


def test_installed_linux_could_not_look() -> None:
    r = run(Blind(linux_vm(), "stat", "service"), "agent.installed")
    assert r.status is Status.NOT_CHECKED


# --- agent.installed (Windows) ----------------------------------------------------------------


def test_installed_windows_ok() -> None:
    r = run(windows_vm(), "agent.installed")
    assert r.status is Status.OK
    assert r.summary.params == {"version": "2.7.41491.1102"}
    assert r.evidence["guest_agent_folders"] == ["GuestAgent_2.7.41491.1102_2024-01-23_194431"]


def test_installed_windows_missing() -> None:
    r = run(windows_vm(agent_installed=False), "agent.installed")
    assert r.status is Status.PROBLEM
    assert "AzureVmOffline" in r.error_codes
    assert any(c.startswith("msiexec.exe /i") for c in commands(r))


def test_installed_windows_missing_off_azure_is_info() -> None:
    r = run(windows_vm(agent_installed=False, azure=False), "agent.installed")
    assert r.status is Status.INFO


def test_installed_windows_one_service_missing() -> None:
    fake = windows_vm()
    del fake.services["RdAgent"]
    r = run(fake, "agent.installed")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"service": "RdAgent"}


def test_installed_windows_files_missing_is_a_warning() -> None:
    fake = windows_vm()
    fake.files.clear()
    fake.files["C:\\WindowsAzure\\Logs\\WaAppAgent.log"] = ""
    fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG
    r = run(fake, "agent.installed")
    assert r.status is Status.WARNING
    assert "GuestAgent_<version>_<date>" in str(r.summary.params["missing"])
    assert "WaAppAgent.exe" in str(r.summary.params["missing"])


def test_installed_windows_packages_folder_with_date_is_accepted() -> None:
    fake = windows_vm()
    del fake.files["C:\\WindowsAzure\\Packages\\WaAppAgent.exe"]
    fake.files["C:\\WindowsAzure\\Packages_20191212_124856\\WaAppAgent.exe"] = ""
    assert run(fake, "agent.installed").status is Status.OK


# --- agent.service ----------------------------------------------------------------------------


def test_service_linux_ok() -> None:
    r = run(linux_vm(), "agent.service")
    assert r.status is Status.OK and r.summary.params == {"service": "walinuxagent"}


def test_service_linux_stopped_is_a_problem_with_restart_command() -> None:
    r = run(linux_vm(services={"walinuxagent": {"state": "failed"}}), "agent.service")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"service": "walinuxagent", "state": "failed"}
    assert commands(r)[0] == "sudo systemctl restart walinuxagent"
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError",
                             "BackUpOperationFailed"]


def test_service_linux_waagent_name_on_redhat() -> None:
    r = run(linux_vm(services={"waagent": {"state": "stopped", "enabled": "disabled", "start_type": "disabled"}}),
            "agent.service")
    assert r.status is Status.PROBLEM
    assert "sudo systemctl restart waagent" in commands(r)
    assert "sudo systemctl enable waagent" in commands(r)


def test_service_linux_running_but_disabled_is_a_warning() -> None:
    r = run(linux_vm(services={"walinuxagent": {"enabled": "disabled"}}), "agent.service")
    assert r.status is Status.WARNING
    assert commands(r) == ["sudo systemctl enable walinuxagent"]


def test_service_linux_masked() -> None:
    r = run(linux_vm(services={"walinuxagent": {"enabled": "masked"}}), "agent.service")
    assert commands(r) == ["sudo systemctl unmask walinuxagent", "sudo systemctl enable walinuxagent"]


def test_service_linux_static_unit_is_fine() -> None:
    assert run(linux_vm(services={"walinuxagent": {"enabled": "static"}}), "agent.service").status is Status.OK


def test_service_linux_starting_is_a_warning() -> None:
    r = run(linux_vm(services={"walinuxagent": {"state": "start_pending"}}), "agent.service")
    assert r.status is Status.WARNING


def test_service_linux_none_is_a_problem_on_azure_and_not_checked_elsewhere() -> None:
    assert run(linux_vm(agent_installed=False), "agent.service").status is Status.PROBLEM
    assert run(linux_vm(agent_installed=False, azure=False), "agent.service").status is Status.NOT_CHECKED


def test_service_linux_could_not_look() -> None:
    r = run(Blind(linux_vm(), "service"), "agent.service")
    assert r.status is Status.NOT_CHECKED and r.evidence["services"]["walinuxagent"]["unavailable"]


def test_service_windows_ok() -> None:
    assert run(windows_vm(), "agent.service").status is Status.OK


def test_service_windows_stopped() -> None:
    r = run(windows_vm(services={"RdAgent": {"state": "stopped"}}), "agent.service")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"service": "RdAgent", "state": Msg("stopped")}  # a label the catalog translates
    assert commands(r)[0] == "net start RdAgent"


def test_service_windows_stuck_stopping() -> None:
    r = run(windows_vm(services={"WindowsAzureGuestAgent": {"state": "stop_pending"}}), "agent.service")
    assert r.status is Status.PROBLEM
    assert "taskkill /F /IM WindowsAzureGuestAgent.exe" in commands(r)


def test_service_windows_manual_start_is_a_warning() -> None:
    r = run(windows_vm(services={"RdAgent": {"start_type": "manual"}}), "agent.service")
    assert r.status is Status.WARNING
    assert commands(r) == ["sc config RdAgent start= auto"]


def test_service_windows_missing_and_off_azure() -> None:
    fake = windows_vm()
    del fake.services["WindowsAzureGuestAgent"]
    assert run(fake, "agent.service").status is Status.PROBLEM
    assert run(windows_vm(agent_installed=False, azure=False), "agent.service").status is Status.NOT_CHECKED


def test_service_windows_could_not_look() -> None:
    assert run(Blind(windows_vm(), "service"), "agent.service").status is Status.NOT_CHECKED


# --- agent.version ----------------------------------------------------------------------------


def test_version_linux_goal_state_newer_is_ok() -> None:
    r = run(linux_vm(), "agent.version")
    assert r.status is Status.OK
    assert r.summary.params == {"installed": "2.2.45", "goal": "2.15.0.1"}
    assert r.evidence["python"] == "3.6.9"


def test_version_linux_identical_is_info() -> None:
    out = "WALinuxAgent-2.7.0.6 running on redhat 8.10\nPython: 3.6.8\nGoal state agent: 2.7.0.6\n"
    r = run(linux_vm(commands={("waagent", "--version"): out}, services={"waagent": {}}), "agent.version")
    assert r.status is Status.INFO and r.summary.params == {"version": "2.7.0.6"}
    assert r.error_codes == []
    assert "sudo systemctl restart waagent" in commands(r)


def test_version_linux_goal_state_older_is_info() -> None:
    out = "WALinuxAgent-2.9.1.1 running on ubuntu 22.04\nPython: 3.8.10\nGoal state agent: 2.7.0.6\n"
    r = run(linux_vm(commands={("waagent", "--version"): out}), "agent.version")
    assert r.status is Status.INFO and r.summary.params == {"goal": "2.7.0.6", "installed": "2.9.1.1"}
    assert r.evidence["minimum"] == "2.2.53.1"


@pytest.mark.parametrize(("installed", "goal"), [("2.2.45", "2.2.45"), ("2.2.53.1", "2.2.49.2"), ("2.1.7", "2.2.52")])
def test_version_linux_below_the_documented_minimum_is_a_problem(installed: str, goal: str) -> None:
    out = f"WALinuxAgent-{installed} running on ubuntu 18.04\nPython: 3.6.9\nGoal state agent: {goal}\n"
    r = run(linux_vm(commands={("waagent", "--version"): out}), "agent.version")
    assert r.status is Status.PROBLEM
    assert r.summary.id.startswith("The VM agent runs version {version}, older than {minimum}")
    assert r.summary.params == {"version": goal, "minimum": "2.2.53.1"}  # the goal state agent is compared
    assert r.error_codes == ["GuestAgentSnapshotTaskStatusError", "ExtensionOperationFailedForManagedDisks"]
    assert "sudo apt-get update && sudo apt-get install --only-upgrade waagent" in commands(r)
    assert any("support-extensions-agent-version" in d.url for d in r.docs)


def test_version_linux_package_below_minimum_but_auto_updated_is_ok() -> None:
    r = run(linux_vm(), "agent.version")  # package 2.2.45, goal state agent 2.15.0.1
    assert r.status is Status.OK and r.evidence["installed"] == "2.2.45"


def test_version_linux_debian_12_agent_on_python_3_11_is_a_warning_with_the_fix() -> None:
    out = "WALinuxAgent-2.7.3.0 running on debian 12\nPython: 3.11.2\nGoal state agent: 2.7.3.0\n"
    r = run(linux_vm(commands={("waagent", "--version"): out}), "agent.version")
    assert r.status is Status.WARNING
    assert r.summary.params == {"version": "2.7.3.0", "python": "3.11.2", "fixed": "2.9.0.4"}
    assert ("sudo sed -i 's/^[[:space:]]*AutoUpdate\\.Enabled[[:space:]]*=.*/AutoUpdate.Enabled=y/' "
            "/etc/waagent.conf") in commands(r)
    assert "sudo systemctl restart walinuxagent" in commands(r)
    assert "https://github.com/Azure/WALinuxAgent/issues/2753" in [d.url for d in r.docs]
    # the identical-versions hint still comes along
    assert any(s.text.id.startswith("The VM agent package and the version the agent runs are both") for s in r.fix)


@pytest.mark.parametrize(("goal", "python", "status"), [
    ("2.8.0.11", "3.10.12", Status.WARNING),  # reported in WALinuxAgent issue 2753
    ("2.6.0.2", "3.10.12", Status.INFO),  # before the fix, not confirmed: said, not claimed
    ("2.7.3.0", "3.9.2", Status.OK),  # the crash needs Python 3.10 or later
    ("2.9.0.4", "3.11.2", Status.OK),  # the fixed version
])
def test_version_linux_python_crash_only_where_it_applies(goal: str, python: str, status: Status) -> None:
    out = f"WALinuxAgent-2.7.0.6 running on debian 12\nPython: {python}\nGoal state agent: {goal}\n"
    r = run(linux_vm(commands={("waagent", "--version"): out}), "agent.version")
    assert r.status is status, r.summary
    # the evidence names the defect and its fix wherever the crash may apply, and only there
    defect = r.evidence.get("known_defect")
    assert (defect is not None) is (status is not Status.OK)
    if defect is not None:
        assert defect["fixed_in"] == "2.9.0.4" and "2753" in defect["source"]


def test_version_linux_falls_back_to_full_path() -> None:
    fake = linux_vm(commands={("/usr/sbin/waagent", "--version"): VERSION_OUT})
    del fake.commands[("waagent", "--version")]
    r = run(fake, "agent.version")
    assert r.status is Status.OK and r.evidence["command"] == "/usr/sbin/waagent --version"


def test_version_linux_not_runnable_uses_agent_folders() -> None:
    fake = linux_vm()
    del fake.commands[("waagent", "--version")]
    r = run(fake, "agent.version")
    assert r.status is Status.INFO and r.summary.params["version"] == "2.15.0.1"


def test_version_linux_not_found_anywhere() -> None:
    fake = linux_vm(agent_installed=False)
    r = run(fake, "agent.version")
    assert r.status is Status.NOT_CHECKED and "command not found" in str(r.summary.params["error"])


def test_version_linux_unreadable_output() -> None:
    fake = linux_vm(agent_installed=False, commands={("waagent", "--version"): {"returncode": 1, "stderr": "boom"}})
    r = run(fake, "agent.version")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: the output of waagent --version could not be read."


def test_version_linux_replay_without_run_answers() -> None:
    r = run(Blind(linux_vm(agent_installed=False), "run"), "agent.version")
    assert r.status is Status.NOT_CHECKED


def test_version_windows_ok() -> None:
    r = run(windows_vm(), "agent.version")
    assert r.status is Status.OK and r.evidence["source"] == "registry"


def test_version_windows_below_vmassist_minimum_is_a_warning() -> None:
    r = run(windows_vm(registry={WIN_KEY: {"GuestAgentVersion": "2.7.41491.949"}}), "agent.version")
    assert r.status is Status.WARNING
    assert r.summary.params == {"version": "2.7.41491.949", "minimum": "2.7.41491.1010"}
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError"]


def test_version_windows_below_documented_minimum_is_a_problem() -> None:
    r = run(windows_vm(registry={WIN_KEY: {"GuestAgentVersion": "2.6.1198.700"}}), "agent.version")
    assert r.status is Status.PROBLEM and r.summary.params["minimum"] == "2.6.1198.718"


def test_version_windows_from_folders_when_registry_lacks_it() -> None:
    fake = windows_vm(registry={WIN_KEY: {"GuestAgentVersion": "Unknown"}})
    fake.files["C:\\WindowsAzure\\GuestAgent_2.7.41491.1120_2025-01-01_000000\\x.exe"] = ""
    r = run(fake, "agent.version")
    assert r.status is Status.OK and r.evidence["source"] == "GuestAgent folder name"
    assert r.evidence["version"] == "2.7.41491.1120"


def test_version_windows_unknown_and_unavailable() -> None:
    assert run(windows_vm(agent_installed=False), "agent.version").status is Status.NOT_CHECKED
    r = run(Blind(windows_vm(), "registry", "list_dir"), "agent.version")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: could not read the VM agent's version."


# --- agent.config -----------------------------------------------------------------------------


def conf_vm(text: str, **kw: Any) -> FakeSystem:
    fake = linux_vm(**kw)
    fake.files["/etc/waagent.conf"] = text
    return fake


def test_config_fixture_is_ok() -> None:
    r = run(linux_vm(), "agent.config")
    assert r.status is Status.OK
    assert r.evidence["Extensions.Enabled"] == {"raw": "y", "line": 7, "effective": "y"}
    assert r.evidence["auto_update"]["decided_by"] == "default"
    assert r.evidence["OS.EnableFirewall"] == "y"


def test_config_extensions_disabled_is_a_problem() -> None:
    text = read("linux", "waagent.conf").replace("Extensions.Enabled=y", "Extensions.Enabled=n")
    r = run(conf_vm(text), "agent.config")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"value": "n", "line": 7}
    assert r.error_codes == ["GuestAgentSnapshotTaskStatusError"]
    assert commands(r) == [
        "sudo sed -i 's/^[[:space:]]*Extensions\\.Enabled[[:space:]]*=.*/Extensions.Enabled=y/' /etc/waagent.conf",
        "sudo systemctl restart walinuxagent"]


def test_config_provisioning_and_auto_update_warnings_combine() -> None:
    text = "Extensions.Enabled=y\r\nProvisioning.Agent=cloud-init\r\nAutoUpdate.Enabled=n\r\ngarbage\r\n"
    r = run(conf_vm(text), "agent.config")
    assert r.status is Status.WARNING
    assert r.summary.params == {"value": "cloud-init", "line": 2}
    assert any(s.text.params == {"key": "AutoUpdate.Enabled", "value": "n", "line": 3} for s in r.fix)
    assert r.error_codes == ["GuestAgentSnapshotTaskStatusError", "ExtensionOperationFailedForManagedDisks"]
    assert r.evidence["ignored_lines"] == {"count": 1, "samples": ["4: garbage"]}


def test_config_newer_auto_update_key_wins() -> None:
    text = "AutoUpdate.Enabled=n\nAutoUpdate.UpdateToLatestVersion=y\n"
    assert run(conf_vm(text), "agent.config").status is Status.OK


def test_config_duplicates_last_wins_and_unknown_switch_values() -> None:
    text = "Extensions.Enabled=n\nExtensions.Enabled=y\nExtensions.Enabled=maybe\n"
    r = run(conf_vm(text), "agent.config")
    assert r.status is Status.OK  # "maybe" is not y/n: the agent uses its default (y)
    assert r.evidence["duplicate_keys"] == {"Extensions.Enabled": [1, 2, 3]}
    assert "note" in r.evidence["Extensions.Enabled"]


def test_config_legacy_provisioning_keys_are_accepted() -> None:
    r = run(conf_vm("Provisioning.Enabled=n\nProvisioning.UseCloudInit=y\n"), "agent.config")
    assert r.status is Status.OK
    assert r.evidence["legacy_provisioning"]["Provisioning.Enabled"] == "n"


def test_config_proxy_noted_in_evidence() -> None:
    r = run(conf_vm("HttpProxy.Host=10.0.0.5\nHttpProxy.Port=3128\n"), "agent.config")
    assert r.status is Status.OK
    assert r.evidence["HttpProxy.Host"] == "10.0.0.5" and "proxy_note" in r.evidence


def test_config_missing_empty_unreadable_unavailable() -> None:
    fake = linux_vm()
    del fake.files["/etc/waagent.conf"]
    assert run(fake, "agent.config").status is Status.PROBLEM
    r = run(conf_vm("\n  \n"), "agent.config")
    assert r.status is Status.PROBLEM and r.summary.id == "/etc/waagent.conf is empty."
    fake = linux_vm(admin=False)
    fake.files["/etc/waagent.conf"] = FakeFile(text="x", readable=False, mode=0o600)
    r = run(fake, "agent.config")
    assert r.status is Status.NOT_CHECKED and commands(r) == ["sudo vmbackup-wizard --cli"]
    assert run(Blind(linux_vm(), "read_file"), "agent.config").status is Status.NOT_CHECKED


# --- agent.log --------------------------------------------------------------------------------


def test_log_linux_fixture_recent_timeouts_are_info() -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = read("linux", "waagent_log_goalstate_errors.log")
    r = run(fake, "agent.log")
    assert r.status is Status.INFO
    assert r.summary.params == {"count": 2, "latest": "2025-09-06 08:47:42"}
    assert r.error_codes == []
    sig = r.evidence["signatures"]["wireserver_unreachable"]
    assert sig["count_last_24h"] == 2 and sig["older"] == 1 and len(sig["excerpts"]) == 2
    assert r.evidence["newest_entry"] == "2025-09-06 08:47:42"


def persistent_log(n: int) -> str:
    lines = [f"2025-09-06T08:{i:02d}:00.000000Z ERROR ExtHandler ExtHandler Error fetching the goal state: "
             "[ProtocolError] [Wireserver Exception] [HttpError] [HTTP Failed] GET http://168.63.129.16/machine/ "
             "-- IOError timed out -- 6 attempts made" for i in range(n)]
    lines.append("2025-09-06T09:00:00.000000Z WARNING ExtHandler ExtHandler Failed to report status: boom")
    lines.append("2025-09-06T09:01:00.000000Z WARNING ExtHandler ExtHandler Error in SendHostPluginHeartbeat: "
                 "[ResourceGoneError] [HTTP Failed] [410: Gone]")
    return "\n".join(lines) + "\n"


def test_log_linux_persistent_wireserver_errors_are_a_warning_and_combine() -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = persistent_log(7)
    r = run(fake, "agent.log")
    assert r.status is Status.WARNING
    assert r.summary.params == {"count": 7, "latest": "2025-09-06 08:06:00"}
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable", "ExtensionSnapshotFailedNoNetwork",
                             "ExtensionOperationFailedForManagedDisks"]
    summaries = [s.text.id for s in r.fix if s.command is None]
    assert any(t.startswith("The agent log shows that the VM agent could not report its status") for t in summaries)
    assert any(t.startswith("The agent log shows goal states that changed") for t in summaries)
    from wizard.knowledge.commands import LINUX_WIRESERVER_TEST

    assert LINUX_WIRESERVER_TEST in commands(r)
    assert len(commands(r)) == len(set(commands(r)))  # shared steps appear once


def test_log_linux_healthy_is_ok() -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = (
        "2025-01-01T00:00:00.000000Z ERROR ExtHandler ExtHandler Error fetching the goal state: long ago\n"
        "2025-03-01T10:00:00.000000Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.12.0.4 is running "
        "as the goal state agent [DEBUG HeartbeatCounter: 9]\n")
    r = run(fake, "agent.log")
    assert r.status is Status.OK
    assert r.summary.params == {"newest": "2025-03-01 10:00:00", "healthy": "2025-03-01 10:00:00"}
    assert r.evidence["signatures"]["goal_state_error"]["older"] == 1


def test_log_linux_no_errors_without_markers_is_ok() -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = "2025-03-01T10:00:00.000000Z INFO Daemon Daemon hello\n"
    r = run(fake, "agent.log")
    assert r.status is Status.OK and r.summary.params == {"newest": "2025-03-01 10:00:00"}


def test_log_debian_12_crash_loop_is_a_problem_with_the_steps() -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = read("linux", "waagent_log_debian12_etype_crash_loop.log")
    r = run(fake, "agent.log")
    assert r.status is Status.PROBLEM
    assert r.summary.id.startswith("The agent log shows the VM agent's extension handler crashing on a known defect")
    assert r.summary.params == {"fixed": "2.9.0.4", "count": 3, "restarts": 3, "latest": "2024-03-10 08:05:14"}
    assert ("sudo sed -i 's/^[[:space:]]*AutoUpdate\\.Enabled[[:space:]]*=.*/AutoUpdate.Enabled=y/' "
            "/etc/waagent.conf") in commands(r)
    assert "sudo systemctl restart walinuxagent" in commands(r)
    assert "apt-cache policy waagent" in commands(r)
    assert any("etype" in c for c in commands(r))
    assert "https://github.com/Azure/WALinuxAgent/issues/2753" in [d.url for d in r.docs]
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError"]
    # the relaunch lines are part of the loop, not a finding of their own
    assert not any(s.text.id.startswith("The agent log shows that the VM agent's extension handler stopped")
                   for s in r.fix)


def test_log_one_crash_is_a_warning_and_a_relaunch_alone_is_named() -> None:
    lines = read("linux", "waagent_log_debian12_etype_crash_loop.log").splitlines()
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = "\n".join(lines[:2]) + "\n"
    assert run(fake, "agent.log").status is Status.WARNING
    fake.files["/var/log/waagent.log"] = "\n".join([lines[0], lines[2]]) + "\n"
    r = run(fake, "agent.log")
    assert r.status is Status.WARNING
    assert r.summary.id.startswith("The agent log shows that the VM agent's extension handler stopped with an error")


def test_log_other_error_entries_are_surfaced_with_count_newest_text_and_time() -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = (
        "2024-05-01T10:00:00.000001Z ERROR Daemon Daemon Command: [dmidecode -s system-uuid], return code: [127]\n"
        "2024-05-01T10:00:01.000001Z ERROR Daemon Daemon /proc/net/route contains no routes\n"
        "2024-05-01T10:00:03.000001Z ERROR Daemon Daemon Failed to do something new: "
        "https://x.blob.core.windows.net/c?sv=2020&sig=SECRET123&se=2030\n")
    r = run(fake, "agent.log")
    assert r.status is Status.INFO
    assert r.summary.params["count"] == 2 and r.summary.params["time"] == "2024-05-01 10:00:03"
    entry = str(r.summary.params["entry"])
    assert "Failed to do something new" in entry and "SECRET123" not in entry  # secrets never reach a message
    assert r.evidence["benign_errors"]["count_last_24h"] == 1


def test_log_an_error_answer_quoted_in_the_log_is_shown() -> None:
    fixture = read("linux", "waagent_log_goalstate_errors.log").splitlines()
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = fixture[1] + "\n"  # the vmSettings 502 with its JSON body
    r = run(fake, "agent.log")
    assert r.summary.id == "{finding} The host's last error answer: HTTP {status}, {code}: {message}"
    assert r.summary.params["status"] == 502
    assert r.summary.params["code"] == "VMArtifactsProfileBlobContentNotFound"
    inner = r.summary.params["finding"]
    assert isinstance(inner, Msg) and inner.id.startswith("The agent log shows error answers or time-outs from the "
                                                          "HostGAPlugin")


@pytest.mark.parametrize(("line", "times", "status"), [
    ("Unable to establish firewall -- no further attempts will be made: Could not fetch rule set generation id: "
     "Permission denied", 1, Status.INFO),
    ("The firewall is not configured correctly. Will reset it. Current state:", 2, Status.INFO),
    ("The firewall is not configured correctly. Will reset it. Current state:", 6, Status.WARNING),
    ("Successfully added Azure fabric firewall rules. Current Firewall rules:", 1, Status.OK),  # once per start
    ("Successfully added Azure fabric firewall rules. Current Firewall rules:", 3, Status.INFO),
])
def test_log_the_agents_firewall_messages(line: str, times: int, status: Status) -> None:
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = "".join(
        f"2024-01-01T00:{i:02d}:00.000000Z INFO EnvHandler ExtHandler {line}\n" for i in range(times))
    r = run(fake, "agent.log")
    assert r.status is status, r.summary
    if status is not Status.OK:
        assert "firewall" in r.summary.id


def test_log_missing_empty_unreadable_unavailable() -> None:
    r = run(linux_vm(), "agent.log")
    assert r.status is Status.NOT_CHECKED and r.summary.params == {"path": "/var/log/waagent.log"}
    fake = linux_vm()
    fake.files["/var/log/waagent.log"] = ""
    assert run(fake, "agent.log").status is Status.INFO
    fake = linux_vm(admin=False)
    fake.files["/var/log/waagent.log"] = FakeFile(text="x", readable=False)
    r = run(fake, "agent.log")
    assert r.status is Status.NOT_CHECKED and commands(r) == ["sudo vmbackup-wizard --cli"]
    assert run(Blind(linux_vm(), "read_file"), "agent.log").status is Status.NOT_CHECKED


def test_log_reads_a_bounded_tail() -> None:
    calls: list[dict[str, Any]] = []

    class Spy:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def call(self, probe: str, /, **args: Any) -> Answer:
            if probe == "read_file":
                calls.append(args)
            return self.inner.call(probe, **args)

    run(Spy(linux_vm()), "agent.log")
    assert {"path": "/var/log/waagent.log", "max_bytes": 1024 * 1024} in calls


@pytest.mark.parametrize(("fixture", "status", "summary_start"), [
    # one 503 is a passing failure (the agent retries; persistent means 6 or more, as on Linux)
    ("waappagent_log_getversions_503.log", Status.INFO,
     "The agent log shows that the VM agent could not get the protocol versions"),
    # "forbidden by its access permissions" is a block inside the VM: it does not pass by itself
    ("waappagent_log_hostgaplugin_32526_socket_forbidden.log", Status.WARNING,
     "The agent log shows that a rule inside the VM forbade the VM agent's connection to the HostGAPlugin"),
    ("waappagent_log_npcap_fabric_discovery.log", Status.PROBLEM,
     "The agent log shows that the VM agent looked for the Azure fabric address on the Npcap"),
])
def test_log_windows_fixtures(fixture: str, status: Status, summary_start: str) -> None:
    fake = windows_vm()
    fake.files[WIN_LOG] = read("windows", fixture)
    r = run(fake, "agent.log")
    assert r.status is status
    assert r.summary.id.startswith(summary_start)
    assert r.summary.params["count"] == 1
    assert ("ExtensionSnapshotFailedNoNetwork" in r.error_codes) is (status is not Status.INFO)


def test_log_windows_getversions_failing_six_times_is_a_warning() -> None:
    entry = read("windows", "waappagent_log_getversions_503.log")
    fake = windows_vm()
    fake.files[WIN_LOG] = "".join(f"[0000001{i}] [12/11/2018 06:2{i}:55.66] " + entry for i in range(6))
    r = run(fake, "agent.log")
    assert r.status is Status.WARNING
    assert r.summary.params["count"] == 6
    assert "ExtensionSnapshotFailedNoNetwork" in r.error_codes


def test_log_windows_healthy_sequence_is_ok_and_cites_it() -> None:
    fake = windows_vm()
    fake.files[WIN_LOG] = (
        "[07/11/2019 21:04:30.13] [INFO]  Attempting to discover fabric address on interface Ethernet 2.\n"
        "[07/11/2019 21:04:30.14] [ERROR] Did not discover fabric address on interface Ethernet 2\n"
        "[07/11/2019 21:04:40.25] [INFO]  Discovered fabric address on interface Local Area Connection 3.\n"
        "[07/11/2019 21:04:40.61] [INFO]  ControlSystem initialized with version 2012-11-30.\n")
    r = run(fake, "agent.log")
    assert r.status is Status.OK
    assert r.summary.params == {"newest": "2019-07-11 21:04:40", "healthy": "2019-07-11 21:04:40"}
    assert r.evidence["resolved_by_later_success"]["fabric_discovery_failed"]["count_last_24h"] == 1


def test_log_windows_certificate_failure_with_its_continuation_is_one_occurrence() -> None:
    fake = windows_vm()
    fake.files[WIN_LOG] = (
        "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86\n\n"
        "[00000003] [10/21/2020 02:37:45.98] [ERROR] Installing certificates in the LocalMachine store failed with "
        "exception: Microsoft.WindowsAzure.GuestAgent.CertificateManager.CryptographyNative+PInvokeException: \n"
        "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86.\n"
        "   at Microsoft.WindowsAzure.GuestAgent.CertificateManager.CertificateManager.InstallCertificates()\n")
    r = run(fake, "agent.log")
    assert r.status is Status.PROBLEM
    assert r.summary.params["count"] == 1
    assert [f.text.id for f in r.fix].count(r.summary.id) == 0  # one finding, not a second one as a step
    assert r.evidence["leading_fragment_not_counted"].startswith("PInvoke PFXImportCertStore")


def test_log_windows_no_timestamps_shows_dash() -> None:
    fake = windows_vm()
    fake.files[WIN_LOG] = read("windows", "waappagent_log_getversions_503.log")
    r = run(fake, "agent.log")
    assert r.summary.params["latest"] == "-"
    assert r.evidence["window"] == "whole tail read (no timestamps found)"
    assert "Test-NetConnection -ComputerName 168.63.129.16 -Port 80" in commands(r)


def test_log_windows_clean_log_is_ok() -> None:
    fake = windows_vm()
    fake.files[WIN_LOG] = "[00000006] [06/20/2019 07:44:28.93] [INFO] Agent started\n"
    r = run(fake, "agent.log")
    assert r.status is Status.OK


def test_log_windows_unknown_error_entries_are_surfaced_too() -> None:
    fake = windows_vm()
    fake.files[WIN_LOG] = ("[00000006] [06/20/2019 07:44:28.93] [INFO] Agent started\n"
                           "[00000008] [06/20/2019 07:45:01.10] [ERROR] Something the wizard does not know\n")
    r = run(fake, "agent.log")
    assert r.status is Status.INFO and r.summary.params["count"] == 1
    assert "Something the wizard does not know" in str(r.summary.params["entry"])
    assert commands(r) == ["Select-String -Path 'C:\\WindowsAzure\\Logs\\WaAppAgent.log' -Pattern '\\[ERROR\\]' | "
                           "Select-Object -Last 20"]


def test_log_windows_unreadable_as_non_admin() -> None:
    fake = windows_vm(admin=False)
    fake.files[WIN_LOG] = FakeFile(text="x", readable=False)
    r = run(fake, "agent.log")
    assert r.status is Status.NOT_CHECKED
    assert r.fix[0].text.id == "Close the wizard and start it again with \"Run as administrator\"."


def test_every_log_signature_has_its_own_explanation() -> None:
    from wizard.parsers.waagent import LINUX_SIGNATURES
    from wizard.parsers.waappagent import WINDOWS_SIGNATURES

    linux = {agent_log._linux_log_issue(s.id, 1, "-", None).summary.id for s in LINUX_SIGNATURES}
    windows = {agent_log._windows_log_issue(s.id, 1, "-").summary.id for s in WINDOWS_SIGNATURES}
    assert len(linux) == len(LINUX_SIGNATURES)
    assert len(windows) == len(WINDOWS_SIGNATURES)
    issue = agent_log._linux_log_issue("wireserver_unreachable", agent.PERSISTENT_COUNT - 1, "-", None)
    assert issue.status is Status.INFO
    issue = agent_log._linux_log_issue("wireserver_unreachable", agent.PERSISTENT_COUNT, "-", None)
    assert issue.status is Status.WARNING


# --- agent.python -----------------------------------------------------------------------------


def test_python_ok() -> None:
    r = run(linux_vm(), "agent.python")
    assert r.status is Status.OK and r.summary.params == {"python": "/usr/bin/python3"}


def test_python_prefers_listed_order() -> None:
    fake = linux_vm()
    fake.files["/usr/bin/python3.6"] = FakeFile(mode=0o755)
    fake.files["/usr/local/bin/python3.8"] = FakeFile(mode=0o755)
    r = run(fake, "agent.python")
    assert r.summary.params == {"python": "/usr/bin/python3.6"}
    assert r.evidence["found"] == ["/usr/bin/python3.6", "/usr/bin/python3", "/usr/local/bin/python3.8"]


def test_python_only_local_bin() -> None:
    fake = linux_vm()
    del fake.files["/usr/bin/python3"]
    fake.files["/usr/local/bin/python3"] = FakeFile(mode=0o755)
    assert run(fake, "agent.python").summary.params == {"python": "/usr/local/bin/python3"}


def test_python_none_is_a_problem() -> None:
    fake = linux_vm()
    del fake.files["/usr/bin/python3"]
    fake.files["/usr/sbin/waagent"] = FakeFile(text="#!/usr/bin/env python3\n", mode=0o755)
    r = run(fake, "agent.python")
    assert r.status is Status.PROBLEM
    assert "sudo apt-get update && sudo apt-get install python3" in commands(r)


def test_python_falls_back_to_the_agents_interpreter() -> None:
    fake = linux_vm()
    del fake.files["/usr/bin/python3"]
    fake.files["/lib/systemd/system/walinuxagent.service"] = read("linux", "walinuxagent.service").replace(
        "/usr/bin/python3", "/usr/bin/python3.12")
    fake.files["/usr/bin/python3.12"] = FakeFile(mode=0o755)
    r = run(fake, "agent.python")
    assert r.status is Status.INFO and r.summary.params == {"python": "/usr/bin/python3.12"}


def test_python_not_executable_is_a_warning() -> None:
    fake = linux_vm()
    fake.files["/usr/bin/python3"] = FakeFile(mode=0o644)
    r = run(fake, "agent.python")
    assert r.status is Status.WARNING and commands(r) == ["sudo chmod 755 /usr/bin/python3"]


def test_python_could_not_look() -> None:
    assert run(Blind(linux_vm(), "stat"), "agent.python").status is Status.NOT_CHECKED


# --- message hygiene --------------------------------------------------------------------------


def test_every_result_is_json_round_trippable_and_messages_have_their_params() -> None:
    fakes = [linux_vm(services={"walinuxagent": {"state": "failed", "enabled": "masked"}}),
             windows_vm(services={"RdAgent": {"state": "stopped", "start_type": "disabled"}})]
    fakes[0].files["/var/log/waagent.log"] = persistent_log(8)
    fakes[1].files[WIN_LOG] = read("windows", "waappagent_log_npcap_fabric_discovery.log")
    for fake in fakes:
        diagnosis = runner.run(agent.CHECKS, fake)
        for r in diagnosis.results:
            assert r.status is not Status.ERROR, r.evidence
            assert CheckResult.from_dict(r.to_dict()) == r
            for msg in [r.summary, *([r.why] if r.why else []), *(s.text for s in r.fix)]:
                msg.id.format(**msg.params)  # every placeholder has a value
