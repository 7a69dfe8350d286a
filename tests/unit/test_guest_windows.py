"""The Windows `guest.*` checks (VM assist's agent-health checks, issue 17) on constructed PowerShell outputs.

The samples in tests/data/windows (`guest_ps_healthy_en.json`, `guest_ps_problems_ja.json`) are constructed,
not recorded (see tests/data/windows/SOURCES.md): an English healthy VM and a Japanese VM with problems.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard import runner
from wizard.checks.guest.common import WINDOWS_ARGV, WINDOWS_SCRIPT, WINDOWS_TIMEOUT_S
from wizard.checks.guest.windows import DOTNET_KEYS, MACHINE_CONFIG, SCHANNEL_TLS12
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.model import CheckResult, Status
from wizard.probes.base import Answer
from wizard.probes.fake import FakeSystem
from wizard.probes.smbios import AZURE_ASSET_TAG

DATA = Path(__file__).resolve().parents[1] / "data" / "windows"
HEALTHY = (DATA / "guest_ps_healthy_en.json").read_text(encoding="utf-8")
PROBLEMS_JA = (DATA / "guest_ps_problems_ja.json").read_text(encoding="utf-8")
WCF_ON = (DATA / "machine_config_wcf_debug.config").read_text(encoding="utf-8")
SCRIPT_CHECKS = ("guest.wmi", "guest.crp_cert", "guest.machinekeys", "guest.folder_acl", "guest.modules",
                 "guest.crashes")


def vm(ps: Answer | str | None = HEALTHY, **services: dict[str, Any]) -> FakeSystem:
    fake = FakeSystem(system="windows", is_admin=True, user="azureadmin", asset_tag=AZURE_ASSET_TAG)
    fake.services.update({"WindowsAzureGuestAgent": {}, "RdAgent": {},
                          "KeyIso": {"state": "running", "start_type": "manual"},
                          "Winmgmt": {"state": "running", "start_type": "automatic"}, **services})
    if ps is not None:
        fake.commands[tuple(WINDOWS_ARGV)] = ps
    fake.files[MACHINE_CONFIG] = "<configuration>\r\n  <system.serviceModel/>\r\n</configuration>\r\n"
    return fake


def with_data(**changes: Any) -> str:
    data = json.loads(HEALTHY)
    data.update(changes)
    return json.dumps(data)


def run(probe: Any, check_id: str) -> CheckResult:
    result = runner.run_check(check_id, probe)
    assert result.status is not Status.ERROR, result.evidence
    return result


class Counting:
    """A probe that counts the PowerShell runs it is asked for."""

    def __init__(self, inner: FakeSystem) -> None:
        self.inner = inner
        self.runs: list[list[str]] = []

    def call(self, probe: str, /, **args: Any) -> Answer:
        if probe == "run":
            self.runs.append(list(args["argv"]))
        return self.inner.call(probe, **args)


# -- the catalogue and the one PowerShell run -----------------------------------------------------

def test_every_windows_check_is_declared_with_its_own_id() -> None:
    ids = [c.id for c in ALL_CHECKS if c.id.startswith("guest.") and "windows" in c.platforms]
    assert ids == ["guest.keyiso", "guest.wmi", "guest.crp_cert", "guest.machinekeys", "guest.folder_acl",
                   "guest.modules", "guest.wcf_debug", "guest.crashes", "guest.tls"]


def test_one_powershell_run_answers_all_six_script_checks() -> None:
    probe = Counting(vm())
    diag = runner.run(ALL_CHECKS, probe, only=list(SCRIPT_CHECKS))
    assert {r.id: r.status for r in diag.results} == dict.fromkeys(SCRIPT_CHECKS, Status.OK)
    assert [a for a in probe.runs if a == WINDOWS_ARGV] == [WINDOWS_ARGV]


def test_the_script_only_reads_and_has_a_deadline() -> None:
    writes = ("Set-", "Remove-", "New-Item", "Restart-", "Stop-", "Start-", "Invoke-Expression", "Out-File",
              "Add-Content", "Set-Content", "reg add", "icacls", "Clear-")
    assert not [w for w in writes if w.lower() in WINDOWS_SCRIPT.lower()]
    assert "-OperationTimeoutSec" in WINDOWS_SCRIPT
    assert 0 < WINDOWS_TIMEOUT_S <= 120
    assert WINDOWS_ARGV[:4] == ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command"]


# -- healthy English VM -----------------------------------------------------------------------------

@pytest.mark.parametrize("check_id", ["guest.keyiso", "guest.wmi", "guest.crp_cert", "guest.machinekeys",
                                      "guest.folder_acl", "guest.modules", "guest.wcf_debug", "guest.crashes",
                                      "guest.tls"])
def test_a_healthy_english_vm_passes(check_id: str) -> None:
    assert run(vm(), check_id).status is Status.OK


def test_a_microsoft_signed_module_of_another_company_is_not_third_party() -> None:
    r = run(vm(), "guest.modules")
    assert r.evidence["third_party"] == []
    assert r.evidence["processes"][1]["non_microsoft_company"] == 1  # Newtonsoft.Json, signed by Microsoft


def test_a_crash_of_another_service_is_not_the_agents() -> None:
    r = run(vm(), "guest.crashes")
    assert r.evidence["events"] == []  # the Print Spooler 7031 of the sample is left out
    assert "event_excerpt" not in r.evidence  # nothing of the agent's to show


# -- Japanese VM with problems ----------------------------------------------------------------------

def test_japanese_stdregprov_failure_is_a_problem_and_keeps_the_windows_text() -> None:
    r = run(vm(PROBLEMS_JA), "guest.wmi")
    assert r.status is Status.PROBLEM
    assert r.evidence["stdregprov_error"] == "無効なクラスです "
    assert any(s.command == "winmgmt /verifyrepository" for s in r.fix)


def test_expired_crp_certificate_is_a_problem() -> None:
    r = run(vm(PROBLEMS_JA), "guest.crp_cert")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"start": "2025-10-01", "end": "2026-10-01"}
    assert "ExtensionConfigParsingFailure" in r.error_codes


def test_machinekeys_without_everyone_is_a_warning() -> None:
    r = run(vm(PROBLEMS_JA), "guest.machinekeys")
    assert r.status is Status.WARNING
    assert r.evidence["judgement"] == "broken"


def test_system_missing_from_windowsazure_is_a_problem_and_an_unreadable_packages_is_not() -> None:
    r = run(vm(PROBLEMS_JA), "guest.folder_acl")
    assert r.status is Status.PROBLEM
    assert r.evidence["system_lacks_full_control"] == ["C:\\WindowsAzure"]
    assert r.evidence["folders"]["C:\\Packages"]["error"].startswith("パス")


def test_injected_and_unsigned_modules_are_named() -> None:
    r = run(vm(PROBLEMS_JA), "guest.modules")
    assert r.status is Status.INFO
    assert r.summary.params["modules"] == ("edrhook64.dll", "oldhook.dll")
    assert "edrhook64.dll, oldhook.dll" in Translator("en").msg(r.summary)
    assert "edrhook64.dll、oldhook.dll" in Translator("ja").msg(r.summary)
    flagged = {m["name"]: m["microsoft_signed"] for m in r.evidence["third_party"]}
    assert flagged == {"edrhook64.dll": False, "oldhook.dll": False}


def test_japanese_crash_events_are_matched_on_their_parameter_not_their_text() -> None:
    r = run(vm(PROBLEMS_JA), "guest.crashes")
    assert r.status is Status.WARNING
    assert r.summary.params == {"count": 3, "time": "2026-11-25 08:01:13"}
    assert {e["name"] for e in r.evidence["events"]} == {"Windows Azure Guest Agent", "RdAgent",
                                                         "WindowsAzureGuestAgent.exe"}
    assert "予期せぬ原因" in r.evidence["events"][0]["message"]
    # kept as an event excerpt for the report, newest first, with the source the script filtered on
    entries = r.evidence["event_excerpt"]["entries"]
    sources = {7031: "Service Control Manager", 7034: "Service Control Manager", 1000: "Application Error"}
    assert [(e["provider"], e["id"]) for e in entries] == [(sources[e["id"]], e["id"]) for e in r.evidence["events"]]
    assert entries[0]["lines"] and "予期せぬ原因" in " ".join(entries[0]["lines"]) and entries[0]["gloss"] is None


# -- when PowerShell does not answer ----------------------------------------------------------------

@pytest.mark.parametrize("answer, phrase", [
    (None, "could not be run"),
    ({"timed_out": True, "returncode": None}, "did not finish in time"),
    ("WARNING: something\r\nnot json at all", "no readable answer"),
    ("[1, 2, 3]", "no readable answer"),
])
def test_no_usable_powershell_answer_is_not_checked(answer: Answer | str | None, phrase: str) -> None:
    for check_id in SCRIPT_CHECKS:
        fake = vm(answer, Winmgmt={"state": "running", "start_type": "automatic"})
        r = run(fake, check_id)
        assert r.status is Status.NOT_CHECKED, check_id
        if check_id != "guest.wmi":
            assert phrase in r.summary.id, (check_id, r.summary.id)


def test_a_stopped_wmi_service_is_a_problem_even_without_powershell() -> None:
    r = run(vm(None, Winmgmt={"state": "stopped", "start_type": "disabled"}), "guest.wmi")
    assert r.status is Status.PROBLEM
    assert "not running" in r.summary.id


def test_modules_of_processes_that_could_not_be_opened_are_not_checked() -> None:
    ps = with_data(modules=[{"Process": "WaAppAgent", "Running": True, "Error": "アクセスが拒否されました。"},
                            {"Process": "WindowsAzureGuestAgent", "Running": True,
                             "Error": "Access is denied"}])
    r = run(vm(ps), "guest.modules")
    assert r.status is Status.NOT_CHECKED
    assert "run as administrator" in r.summary.id


def test_no_crp_certificate_is_a_problem_and_no_private_key_too() -> None:
    assert run(vm(with_data(certs=[])), "guest.crp_cert").status is Status.PROBLEM
    cert = dict(json.loads(HEALTHY)["certs"][0], HasPrivateKey=False)
    r = run(vm(with_data(certs=[cert])), "guest.crp_cert")
    assert r.status is Status.PROBLEM and "private key" in r.summary.id


def test_the_newest_crp_certificate_counts() -> None:
    old = dict(json.loads(HEALTHY)["certs"][0], NotBefore="2020-01-01T00:00:00Z", NotAfter="2021-01-01T00:00:00Z")
    new = json.loads(HEALTHY)["certs"][0]
    assert run(vm(with_data(certs=[new, old])), "guest.crp_cert").status is Status.OK
    assert run(vm(with_data(certs=[old])), "guest.crp_cert").status is Status.PROBLEM


def test_machinekeys_with_an_extra_entry_is_information() -> None:
    acls = json.loads(HEALTHY)["acls"]
    acls[0] = {"Path": acls[0]["Path"], "Sddl": "O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)(A;;FA;;;SY)"}
    assert run(vm(with_data(acls=acls)), "guest.machinekeys").status is Status.INFO


# -- services and files ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec, status", [
    ({"state": "running", "start_type": "manual"}, Status.OK),
    ({"state": "stopped", "start_type": "manual"}, Status.INFO),
    ({"state": "stopped", "start_type": "disabled"}, Status.PROBLEM),
])
def test_keyiso(spec: dict[str, str], status: Status) -> None:
    assert run(vm(KeyIso=spec), "guest.keyiso").status is status


def test_a_missing_keyiso_is_a_problem() -> None:
    fake = vm()
    del fake.services["KeyIso"]
    assert run(fake, "guest.keyiso").status is Status.PROBLEM


def test_wcf_debugging_enabled_is_a_problem() -> None:
    fake = vm()
    fake.files[MACHINE_CONFIG] = WCF_ON
    r = run(fake, "guest.wcf_debug")
    assert r.status is Status.PROBLEM
    assert len(r.evidence["matching_lines"]) == 2


def test_no_machine_config_is_not_checked() -> None:
    fake = vm()
    del fake.files[MACHINE_CONFIG]
    assert run(fake, "guest.wcf_debug").status is Status.NOT_CHECKED


@pytest.mark.parametrize("registry, status", [
    ({}, Status.OK),
    ({SCHANNEL_TLS12: {"Enabled": 1, "DisabledByDefault": 0}}, Status.OK),
    ({SCHANNEL_TLS12: {"Enabled": 0}}, Status.PROBLEM),
    ({SCHANNEL_TLS12: {"DisabledByDefault": 1}}, Status.WARNING),
    ({DOTNET_KEYS[1]: {"SchUseStrongCrypto": 0}}, Status.WARNING),
    ({DOTNET_KEYS[0]: {"SchUseStrongCrypto": 1, "SystemDefaultTlsVersions": 1}}, Status.OK),
    ({SCHANNEL_TLS12: {"Enabled": "0"}}, Status.OK),  # not a DWORD: not what turns TLS off
])
def test_tls(registry: dict[str, dict[str, Any]], status: Status) -> None:
    fake = vm()
    fake.registry.update(registry)
    assert run(fake, "guest.tls").status is status
