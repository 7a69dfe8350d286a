"""Is this Windows machine an Azure VM? The firmware asset tag read in-process, the agent's
presence as evidence, and "could not tell" (never "no") when the tag could not be read and IMDS
did not answer: the reproduction of the review (PowerShell timed out, IMDS timed out, agent
services present) must no longer call the VM "not an Azure VM" nor switch the network checks off."""

from __future__ import annotations

from wizard import runner
from wizard.checks.base import Settings
from wizard.checks.facts import AZURE_ASSET_TAG, IMDS_INSTANCE_PATH, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.registry import ALL_CHECKS
from wizard.model import Status
from wizard.probes.fake import FakeSystem, OverlayProbe

IMDS_URL = Settings().imds_base + IMDS_INSTANCE_PATH
NETWORK_CHECKS = ["net.wireserver_port80", "net.wireserver_port32526", "net.firewall", "net.proxy", "net.dhcp"]


def windows(**kw: object) -> FakeSystem:
    return FakeSystem(system="windows", user="Administrator", **kw)  # type: ignore[arg-type]


def azure_fact(probe: object) -> dict[str, object]:
    diag = runner.run(ALL_CHECKS, probe, only=["env.azure"])  # type: ignore[arg-type]
    return dict(diag.results[0].evidence) | {"status": diag.results[0].status, "is_azure": diag.host.is_azure}


def test_the_firmware_tag_is_read_without_starting_powershell() -> None:
    probe = OverlayProbe(windows(asset_tag=AZURE_ASSET_TAG, http={IMDS_URL: "timeout"}))
    fact = azure_fact(probe)
    assert fact["is_azure"] is True and fact["status"] is Status.OK
    assert fact["asset_tag_match"] is True
    assert not [args for name, args in probe.calls if name == "run"]


def test_powershell_is_only_the_fallback_when_the_firmware_could_not_be_read() -> None:
    probe = OverlayProbe(windows(commands={tuple(WINDOWS_ASSET_TAG_COMMAND): AZURE_ASSET_TAG + "\r\n"}))
    assert azure_fact(probe)["is_azure"] is True
    assert [args["argv"] for name, args in probe.calls if name == "run"] == [WINDOWS_ASSET_TAG_COMMAND]


def test_unknown_tag_and_silent_imds_is_could_not_tell_not_no() -> None:
    vm = windows(commands={tuple(WINDOWS_ASSET_TAG_COMMAND): {"timed_out": True, "returncode": None}},
                 http={IMDS_URL: "timeout"})
    fact = azure_fact(vm)
    assert fact["is_azure"] is None
    assert fact["status"] is Status.NOT_CHECKED


def test_the_reviews_reproduction_with_the_agent_present_is_an_azure_vm() -> None:
    vm = windows(commands={tuple(WINDOWS_ASSET_TAG_COMMAND): {"timed_out": True, "returncode": None}},
                 http={IMDS_URL: "timeout"},
                 services={"RdAgent": {}, "WindowsAzureGuestAgent": {}})
    diag = runner.run(ALL_CHECKS, vm, only=["env.azure", *NETWORK_CHECKS])
    assert diag.host.is_azure is True
    by_id = {r.id: r for r in diag.results}
    assert by_id["env.azure"].status is Status.OK
    assert by_id["env.azure"].evidence["agent_evidence"] == ["service RdAgent", "service WindowsAzureGuestAgent"]
    for check_id in NETWORK_CHECKS:
        assert not by_id[check_id].summary.id.startswith("Not checked: this machine does not look like an Azure VM")


def test_the_vm_id_value_or_the_agent_folder_count_too() -> None:
    silent = {IMDS_URL: "refused"}
    by_key = windows(http=silent, registry={"HKLM\\SOFTWARE\\Microsoft\\Windows Azure": {"VmId": "0d2c-..."}})
    assert azure_fact(by_key)["agent_evidence"] == ["HKLM\\SOFTWARE\\Microsoft\\Windows Azure VmId"]
    by_folder = windows(http=silent, files={"C:\\WindowsAzure\\Logs\\WaAppAgent.log": ""})
    assert azure_fact(by_folder)["agent_evidence"] == ["folder C:\\WindowsAzure"]


def test_a_readable_tag_that_is_not_azures_with_no_agent_is_not_azure() -> None:
    fact = azure_fact(windows(asset_tag="To Be Filled By O.E.M.", http={IMDS_URL: "timeout"}))
    assert fact["is_azure"] is False
    assert fact["status"] is Status.WARNING


def test_linux_keeps_its_rule() -> None:
    fact = azure_fact(FakeSystem(system="linux", http={IMDS_URL: "timeout"}))
    assert fact["is_azure"] is False
