"""MSP's Guest Proxy Agent: its status file read, its health and mode reported, the backup's requests it
refused found, and the Wire Server port results labelled "through the Guest Proxy Agent" while it
redirects that traffic. Status files: tests/data/windows/gpa_status_*.json (see SOURCES.md there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard import runner
from wizard.checks.facts import GPA_WINDOWS_STATUS
from wizard.checks.registry import ALL_CHECKS
from wizard.model import CheckResult, Status
from wizard.parsers import gpa
from wizard.probes.fake import FakeSystem

DATA = Path(__file__).resolve().parents[1] / "data" / "windows"
WS = "168.63.129.16"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def vm(status_file: str | None, state: str = "running", **kw: object) -> FakeSystem:
    fake = FakeSystem(system="windows", user="Administrator", **kw).on_azure()  # type: ignore[arg-type]
    fake.services["GuestProxyAgent"] = {"state": state, "start_type": "automatic"}
    if status_file is not None:
        fake.files[GPA_WINDOWS_STATUS] = read(status_file)
    return fake


def run(fake: FakeSystem, check_id: str) -> CheckResult:
    return runner.run(ALL_CHECKS, fake, only=[check_id]).results[0]


def test_status_file_is_parsed() -> None:
    found = gpa.parse_status(read("gpa_status_wireserver_running.json"))
    assert found["ok"] and found["overall"] == "SUCCESS" and found["version"] == "1.0.30"
    assert found["secure_channel_state"] == "WireServer" and found["redirecting"] is True
    assert gpa.unhealthy_modules(found) == []
    assert gpa.parse_status(read("gpa_status_disabled.json"))["redirecting"] is False
    assert gpa.unhealthy_modules(gpa.parse_status(read("gpa_status_ebpf_stopped.json"))) == ["ebpfProgramStatus"]


@pytest.mark.parametrize(("text", "error"), [("", "not valid JSON"), ("[]", "no 'proxyAgentStatus' object"),
                                             ('{"proxyAgentStatus": 3}', "no 'proxyAgentStatus' object")])
def test_a_broken_status_file_says_why(text: str, error: str) -> None:
    assert gpa.parse_status(text)["error"].startswith(error)


def test_refused_backup_extension_requests_are_a_problem() -> None:
    r = run(vm("gpa_status_enforce_refuses_extension.json"), "env.guest_proxy_agent")
    assert r.status is Status.PROBLEM
    assert r.summary.params["response"] == "403 Forbidden"
    assert r.summary.params["process"].endswith("IaaSBcdrExtension.exe")


def test_stopped_parts_of_a_running_agent_warn() -> None:
    r = run(vm("gpa_status_ebpf_stopped.json"), "env.guest_proxy_agent")
    assert r.status is Status.WARNING
    assert r.summary.params["modules"] == ("ebpfProgramStatus",)
    assert "Restart-Service GuestProxyAgent" in [s.command for s in r.fix]


def test_a_healthy_agent_still_warns_with_its_mode() -> None:
    r = run(vm("gpa_status_wireserver_running.json"), "env.guest_proxy_agent")
    assert r.status is Status.WARNING
    assert r.summary.params == {"service": "GuestProxyAgent", "state": "running", "mode": ("WireServer",)}


def test_no_agent_is_ok() -> None:
    fake = FakeSystem(system="windows").on_azure()
    assert run(fake, "env.guest_proxy_agent").status is Status.OK


@pytest.mark.parametrize("check_id", ["net.wireserver_port80", "net.wireserver_port32526"])
def test_port_results_through_the_agent_are_labelled(check_id: str) -> None:
    port = 80 if check_id.endswith("80") else 32526
    r = run(vm("gpa_status_wireserver_running.json", tcp={(WS, port): "connected"}), check_id)
    assert r.status is Status.INFO
    assert "through the Guest Proxy Agent" in r.summary.id
    assert r.evidence["guest_proxy_agent"]["redirecting"] is True


def test_port_results_with_a_disabled_channel_or_a_stopped_agent_are_plain() -> None:
    r = run(vm("gpa_status_disabled.json", tcp={(WS, 80): "connected"}), "net.wireserver_port80")
    assert r.status is Status.OK and r.summary.id.startswith("Connected to the Wire Server")
    r = run(vm("gpa_status_wireserver_running.json", state="stopped", tcp={(WS, 80): "connected"}),
            "net.wireserver_port80")
    assert r.status is Status.OK


def test_running_agent_without_a_status_file_may_redirect() -> None:
    r = run(vm(None, tcp={(WS, 80): "connected"}), "net.wireserver_port80")
    assert r.status is Status.INFO and "possibly through the Guest Proxy Agent" in r.summary.id


def test_a_403_through_the_agent_is_inconclusive_not_a_wire_server_retry() -> None:
    url = f"http://{WS}/?comp=versions"
    r = run(vm("gpa_status_wireserver_running.json", http={url: (403, "")}), "net.wireserver_versions")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Inconclusive: {url} was answered with HTTP {status}, most likely by the Guest")
    without = FakeSystem(system="windows", user="Administrator", http={url: (403, "")}).on_azure()
    assert run(without, "net.wireserver_versions").status is Status.WARNING
