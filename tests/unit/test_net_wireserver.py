"""WireServer checks: TCP 80/32526, `/?comp=versions`, HostGAPlugin `/health`.

Most tests describe a VM with `FakeSystem` (nothing leaves the process); the tests at the end run
the real `SystemProbe` against loopback sockets and a loopback HTTP server (pytest-httpserver).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from wizard import runner
from wizard.checks.net import wireserver
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.model import CheckResult, Component, Msg, Status
from wizard.probes.base import unavailable
from wizard.probes.fake import FakeSystem
from wizard.probes.fake import OverlayProbe as Overlay
from wizard.settings import Settings

JA = Translator("ja")

DATA = Path(__file__).resolve().parents[1] / "data"
WS = "168.63.129.16"
VERSIONS_URL = "http://168.63.129.16/?comp=versions"
HEALTH_URL = "http://168.63.129.16:32526/health"
CONNECTIVITY_CODES = ["UserErrorGuestAgentStatusUnavailable", "ExtensionSnapshotFailedNoNetwork",
                      "ExtensionOperationFailedForManagedDisks"]
PORT_CHECKS = [("net.wireserver_port80", 80), ("net.wireserver_port32526", 32526)]


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


def vm(system: str = "linux", admin: bool = True, azure: bool = True, **kw: Any) -> FakeSystem:
    """A VM; Azure-ness comes from the SMBIOS asset tag, as on a real Azure VM."""
    fake = FakeSystem(system=system, is_admin=admin, **kw)
    if system == "windows":
        fake.user = "Administrator" if admin else "alice"
    else:
        fake.user = "root" if admin else "alice"
    if not azure and system == "windows":
        fake.asset_tag = "To Be Filled By O.E.M."  # a readable firmware tag that is not Azure's
    return fake.on_azure() if azure else fake


def run_one(probe: Any, check_id: str, settings: Settings | None = None) -> CheckResult:
    return runner.run_check(check_id, probe, settings)


def texts(r: CheckResult) -> str:
    parts = [r.summary.id, r.why.id if r.why else ""]
    parts += [s.text.id + " " + (s.command or "") for s in r.fix]
    return "\n".join(parts)


def commands(r: CheckResult) -> list[str]:
    return [s.command for s in r.fix if s.command]


# -- the catalogue -----------------------------------------------------------------------------------


def test_catalogue_entries() -> None:
    ids = [c.id for c in wireserver.CHECKS]
    assert ids == ["net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions",
                   "net.hostplugin_health"]
    for c in wireserver.CHECKS:
        assert c.component is Component.WIRESERVER
        assert c.needs_admin is True
        assert c.platforms == frozenset({"linux", "windows"})
    registry_ids = [c.id for c in ALL_CHECKS]
    assert all(i in registry_ids for i in ids)


# -- TCP ports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_port_connected_is_ok_with_time(check_id: str, port: int) -> None:
    r = run_one(vm(tcp={(WS, port): "connected"}), check_id)
    assert r.status is Status.OK
    assert r.summary.id == "Connected to the Wire Server at {host}:{port} in {ms} ms."
    assert r.summary.params == {"host": WS, "port": port, "ms": 2}
    assert r.evidence["outcome"] == "connected"
    assert r.error_codes == []


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_port_probe_call_is_exactly_host_port_timeout(check_id: str, port: int) -> None:
    probe = Overlay(vm(tcp={(WS, port): "connected"}))
    run_one(probe, check_id)
    tcp_calls = [args for name, args in probe.calls if name == "tcp_connect"]
    assert tcp_calls == [{"host": WS, "port": port, "timeout": Settings().connect_timeout_s}]
    assert not any(name == "http_get" and "168.63.129.16" in args["url"] for name, args in probe.calls)


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_root_refused_is_a_problem_with_linux_firewall_fix(check_id: str, port: int) -> None:
    r = run_one(vm(tcp={(WS, port): "refused"}), check_id)
    assert r.status is Status.PROBLEM
    assert r.summary.id == "The Wire Server at {host}:{port} refused the connection (after {ms} ms)."
    assert r.summary.params == {"host": WS, "port": port, "ms": 1}
    assert r.error_codes == CONNECTIVITY_CODES
    cmds = commands(r)
    assert "sudo iptables -t security -L OUTPUT -nxv" in cmds
    assert "sudo nft list ruleset" in cmds
    assert any(c.startswith("sudo curl --noproxy '*'") for c in cmds)
    assert r.evidence["is_admin"] is True
    urls = [d.url for d in r.docs]
    assert "https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16" in urls
    assert "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/linux-azure-guest-agent" in urls


def test_root_retest_command_matches_the_port() -> None:
    r80 = run_one(vm(tcp={(WS, 80): "refused"}), "net.wireserver_port80")
    r32526 = run_one(vm(tcp={(WS, 32526): "refused"}), "net.wireserver_port32526")
    assert commands(r80)[-1] == "sudo curl --noproxy '*' -sS -o /dev/null -w '%{http_code}\\n' " \
        "'http://168.63.129.16/?comp=versions'"
    assert commands(r32526)[-1] == "sudo curl --noproxy '*' -sS -o /dev/null -w '%{http_code}\\n' " \
        "'http://168.63.129.16:32526/health'"


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_root_timeout_is_a_problem(check_id: str, port: int) -> None:
    r = run_one(vm(tcp={(WS, port): "timeout"}), check_id)
    assert r.status is Status.PROBLEM
    assert r.summary.id == "The Wire Server at {host}:{port} did not answer within {ms} ms."
    assert r.summary.params["ms"] == 3000
    assert r.why is not None and "Take Snapshot" in r.why.id
    assert r.error_codes == CONNECTIVITY_CODES


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_root_unreachable_is_a_problem_with_route_steps_first(check_id: str, port: int) -> None:
    r = run_one(vm(tcp={(WS, port): "unreachable"}), check_id)
    assert r.status is Status.PROBLEM
    assert r.summary.id == "The Wire Server at {host}:{port} is unreachable: the VM has no route to it ({error})."
    assert r.summary.params["error"] == Msg("no route to the host")
    assert r.evidence["error"] == "OSError: [Errno 101] Network is unreachable"
    assert JA.msg(r.summary).endswith("(ホストへの経路がありません)。")
    assert r.fix[0].command == "ip route get 168.63.129.16"
    assert "DHCP" in r.fix[1].text.id


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_linux_non_root_timeout_is_inconclusive_never_blocked(check_id: str, port: int) -> None:
    r = run_one(vm(admin=False, tcp={(WS, port): "timeout"}), check_id)
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == (
        "Inconclusive: the Wire Server at {host}:{port} did not answer, but the wizard is not running as "
        "root, and the VM agent's own firewall admits only root to the Wire Server.")
    assert r.fix[0].command == "sudo vmbackup-wizard --cli"
    assert r.error_codes == []
    assert "blocked" not in texts(r).lower()
    assert r.evidence["is_admin"] is False


@pytest.mark.parametrize("outcome", ["refused", "unreachable", "error"])
def test_linux_non_root_other_failures_are_inconclusive_too(outcome: str) -> None:
    r = run_one(vm(admin=False, tcp={(WS, 80): outcome}), "net.wireserver_port80")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Inconclusive: the connection to the Wire Server at {host}:{port} failed")
    assert "not running as root" in r.summary.id
    assert r.fix[0].command == "sudo vmbackup-wizard --cli"
    assert "blocked" not in texts(r).lower()


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_linux_non_root_connected_is_still_ok(check_id: str, port: int) -> None:
    r = run_one(vm(admin=False, tcp={(WS, port): "connected"}), check_id)
    assert r.status is Status.OK


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_windows_admin_timeout_is_a_problem_with_windows_firewall_fix(check_id: str, port: int) -> None:
    r = run_one(vm("windows", tcp={(WS, port): "timeout"}), check_id)
    assert r.status is Status.PROBLEM
    cmds = commands(r)
    assert any(c.startswith("Get-NetFirewallRule -Enabled True -Direction Outbound -Action Block") for c in cmds)
    assert ("New-NetFirewallRule -DisplayName AzurePlatform -Direction Outbound -RemoteAddress 168.63.129.16 "
            "-Profile Any -Action Allow") in cmds
    assert cmds[-1] == f"Test-NetConnection -ComputerName 168.63.129.16 -Port {port}"
    assert not any("iptables" in c or "sudo" in c for c in cmds)
    urls = [d.url for d in r.docs]
    assert "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/windows-azure-guest-agent" in urls


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_windows_non_admin_timeout_is_inconclusive(check_id: str, port: int) -> None:
    r = run_one(vm("windows", admin=False, tcp={(WS, port): "timeout"}), check_id)
    assert r.status is Status.NOT_CHECKED
    assert "not running as Administrator" in r.summary.id
    assert "only Administrators and SYSTEM" in r.summary.id
    assert "not confirmed by public documentation" in r.evidence["note"].lower()
    assert "blocked" not in texts(r).lower()
    assert r.error_codes == []


def test_windows_non_admin_refused_is_inconclusive() -> None:
    r = run_one(vm("windows", admin=False, tcp={(WS, 80): "refused"}), "net.wireserver_port80")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Inconclusive: the connection to the Wire Server")
    assert "Administrator" in r.summary.id


def test_windows_socket_forbidden_as_admin_is_a_local_block() -> None:
    error = ("PermissionError: [WinError 10013] An attempt was made to access a socket in a way forbidden by "
             "its access permissions")
    probe = Overlay(vm("windows"), tcp_connect={"outcome": "error", "elapsed_ms": 1, "error": error})
    r = run_one(probe, "net.wireserver_port32526")
    assert r.status is Status.PROBLEM
    assert r.summary.id.startswith("The connection to the Wire Server at {host}:{port} was forbidden inside")
    assert r.summary.params["error"] == Msg("{error}", {"error": error})  # an answer without error_msg
    assert r.error_codes == CONNECTIVITY_CODES


def test_unexpected_connect_error_as_root_is_a_warning() -> None:
    probe = Overlay(vm(), tcp_connect={"outcome": "error", "elapsed_ms": 0, "error": "OSError: [Errno 97] "
                                       "Address family not supported by protocol"})
    r = run_one(probe, "net.wireserver_port80")
    assert r.status is Status.WARNING
    assert r.summary.id == ("The connection to the Wire Server at {host}:{port} failed with an unexpected error "
                            "({error}).")


def test_unknown_elevation_makes_a_failure_inconclusive() -> None:
    probe = Overlay(vm(tcp={(WS, 80): "timeout"}), elevation=unavailable("no idea"))
    r = run_one(probe, "net.wireserver_port80")
    assert r.status is Status.NOT_CHECKED
    assert "could not tell whether it runs as Administrator or root" in r.summary.id
    assert r.evidence["is_admin"] is None


def test_unavailable_probe_is_not_checked_never_ok() -> None:
    probe = Overlay(vm(), tcp_connect=unavailable("replay lacks this call"))
    r = run_one(probe, "net.wireserver_port80")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params == {"error": Msg("replay lacks this call")}
    assert r.evidence["unavailable"] is True


@pytest.mark.parametrize(("check_id", "port"), PORT_CHECKS)
def test_no_route_off_azure_is_not_applicable(check_id: str, port: int) -> None:
    r = run_one(vm(azure=False), check_id)  # nothing described: unreachable, IMDS unreachable too
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: this machine does not look like an Azure VM")
    assert r.evidence["is_azure"] is False
    assert r.evidence["outcome"] == "unreachable"
    assert r.error_codes == []


def test_timeout_off_azure_as_non_root_is_not_applicable_rather_than_inconclusive() -> None:
    r = run_one(vm(azure=False, admin=False, tcp={(WS, 80): "timeout"}), "net.wireserver_port80")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: this machine does not look like an Azure VM")


def test_connected_off_azure_reports_what_was_seen() -> None:
    r = run_one(vm(azure=False, tcp={(WS, 80): "connected"}), "net.wireserver_port80")
    assert r.status is Status.OK


def test_port_443_is_never_mentioned() -> None:
    fakes = [vm(tcp={(WS, 80): "timeout", (WS, 32526): "refused"}, http={VERSIONS_URL: (404, "")}),
             vm("windows", tcp={(WS, 80): "unreachable", (WS, 32526): "timeout"})]
    for fake in fakes:
        d = runner.run(wireserver.CHECKS, fake)
        for r in d.results:
            assert "443" not in texts(r)
            assert "443" not in repr(r.evidence)


# -- GET /?comp=versions -----------------------------------------------------------------------------


def test_versions_ok_with_fixture() -> None:
    probe = Overlay(vm(http={VERSIONS_URL: (200, read("wireserver", "versions.xml"))}))
    r = run_one(probe, "net.wireserver_versions")
    assert r.status is Status.OK
    assert r.summary.params == {"url": VERSIONS_URL, "status": 200, "ms": 3, "preferred": ("2012-11-30",)}
    assert r.evidence["preferred"] == ["2012-11-30"]
    assert r.evidence["supported"] == ["2010-12-15", "2010-28-10"]
    assert r.evidence["body_excerpt"].startswith('<?xml version="1.0" encoding="utf-8"?>')
    http_calls = [args for name, args in probe.calls if name == "http_get" and args["url"] == VERSIONS_URL]
    assert http_calls == [{"url": VERSIONS_URL, "headers": {}, "timeout": Settings().http_timeout_s,
                           "connect_timeout": Settings().connect_timeout_s}]


def test_versions_without_2012_11_30_is_a_problem_quoting_the_agent() -> None:
    body = "<Versions><Preferred><Version>2015-04-05</Version></Preferred></Versions>"
    r = run_one(vm(http={VERSIONS_URL: (200, body)}), "net.wireserver_versions")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"preferred": ("2015-04-05",), "supported": "-"}
    assert r.evidence["agent_error_text"] == (
        "Agent supported wire protocol version: 2012-11-30 was not advised by Fabric.")
    assert r.why is not None and "was not advised by Fabric." in r.why.id
    assert r.error_codes == CONNECTIVITY_CODES


def test_versions_truncated_doc_sample_is_a_warning_with_recovered_versions() -> None:
    body = read("wireserver", "versions_doc_truncated.xml")
    r = run_one(vm(http={VERSIONS_URL: (200, body)}), "net.wireserver_versions")
    assert r.status is Status.WARNING
    assert r.summary.id.startswith("The Wire Server answered {url} with HTTP {status}, but the body is not")
    assert r.summary.params["error"].id == "not well-formed XML: {detail}"
    assert r.evidence["recovered"] is True
    assert r.evidence["recovered_advertises_required"] is True
    assert "2012-11-30" in r.evidence["supported"]
    assert r.evidence["body_excerpt"] == body


def test_versions_xml_bomb_is_a_warning_fast() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Versions>&c;</Versions>')
    start = time.monotonic()
    r = run_one(vm(http={VERSIONS_URL: (200, bomb)}), "net.wireserver_versions")
    assert time.monotonic() - start < 3.0
    assert r.status is Status.WARNING
    assert r.evidence["parse_error"].startswith("refused: the document declares a DTD or entities")


def test_versions_html_answer_is_a_warning_with_excerpt() -> None:
    html = "<html><body>" + "Blocked by corporate proxy. " * 200 + "</body></html>"
    r = run_one(vm(http={VERSIONS_URL: (200, html)}), "net.wireserver_versions")
    assert r.status is Status.WARNING
    assert r.evidence["parse_error"] == "not a versions document (root element <html>)"
    assert len(r.evidence["body_excerpt"]) <= 2001


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 403])
def test_versions_transient_status_is_a_warning(status: int) -> None:
    r = run_one(vm(http={VERSIONS_URL: (status, "Service Unavailable")}), "net.wireserver_versions")
    assert r.status is Status.WARNING
    assert r.summary.id == "The Wire Server answered {url} with HTTP {status} instead of 200."
    assert r.summary.params["status"] == status
    assert r.error_codes == ["UserErrorGuestAgentStatusUnavailable"]


def test_versions_410_error_body_is_read_and_shown() -> None:
    body = read("wireserver", "goalstate_410_resource_gone.xml")
    r = run_one(vm(http={VERSIONS_URL: (410, body)}), "net.wireserver_versions")
    assert r.status is Status.WARNING
    assert r.evidence["error_code"] == "ResourceNotAvailable" and r.evidence["error_body_format"] == "xml"
    assert r.evidence["error_message"].startswith("The resource requested is no longer available.")
    assert r.summary.id == "{finding} The answer says: {code}: {message}"
    inner = r.summary.params["finding"]
    assert isinstance(inner, Msg) and inner.id == "The Wire Server answered {url} with HTTP {status} instead of 200."
    assert r.summary.params["code"] == "ResourceNotAvailable"
    shown = JA.msg(r.summary)
    assert "HTTP 410" in shown and "ResourceNotAvailable" in shown and "Please refresh your cache." in shown
    assert "The Wire Server answered" not in shown and "The answer says" not in shown  # both sentences in Japanese


HGAP_502_BODY = (DATA / "hostgaplugin" / "vmsettings_502_blob_content_not_found.json").read_text(encoding="utf-8")


def test_health_502_json_body_is_read_and_shown() -> None:
    r = run_one(vm(http={HEALTH_URL: (502, HGAP_502_BODY)}), "net.hostplugin_health")
    assert r.status is Status.WARNING
    assert r.summary.params["code"] == "VMArtifactsProfileBlobContentNotFound"
    assert r.summary.params["message"] == "VM artifacts profile blob has no content in it."
    assert r.evidence["error_body_format"] == "json"


def test_health_403_json_body_is_shown_with_the_problem() -> None:
    body = '{"errorCode": "Forbidden", "message": "The request is not allowed from this container.", "details": ""}'
    r = run_one(vm(http={HEALTH_URL: (403, body)}), "net.hostplugin_health")
    assert r.status is Status.PROBLEM
    inner = r.summary.params["finding"]
    assert isinstance(inner, Msg) and inner.params["status"] == 403
    assert r.summary.params["code"] == "Forbidden"


def test_an_error_answer_without_a_readable_body_shows_the_status_only() -> None:
    r = run_one(vm(http={HEALTH_URL: (500, "<html>oops</html>")}), "net.hostplugin_health")
    assert r.summary.id == "The HostGAPlugin at {host}:{port} answered HTTP {status} instead of 200, 201 or 202."
    assert r.evidence["error_body_unparsed"] == "not an error document (root element <html>)"


@pytest.mark.parametrize("status", [301, 302, 400, 401, 404, 405])
def test_versions_other_status_is_a_problem(status: int) -> None:
    r = run_one(vm(http={VERSIONS_URL: (status, "")}), "net.wireserver_versions")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"url": VERSIONS_URL, "status": status}
    assert r.error_codes == CONNECTIVITY_CODES


def test_versions_redirect_location_is_evidence() -> None:
    answer = {"outcome": "ok", "status": 302, "headers": {"location": "http://proxy.corp/login"}, "body": "",
              "truncated": False, "elapsed_ms": 5, "error": None}
    r = run_one(Overlay(vm(), http_get=answer), "net.wireserver_versions")
    assert r.status is Status.PROBLEM
    assert r.evidence["location"] == "http://proxy.corp/login"


def test_versions_201_with_versions_is_ok() -> None:
    r = run_one(vm(http={VERSIONS_URL: (201, read("wireserver", "versions.xml"))}), "net.wireserver_versions")
    assert r.status is Status.OK


def test_versions_timeout_as_root_is_a_problem() -> None:
    r = run_one(vm(http={VERSIONS_URL: "timeout"}), "net.wireserver_versions")
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"host": WS, "port": 80, "ms": 4000}
    assert commands(r)[-1] == ("sudo curl --noproxy '*' -sS -o /dev/null -w '%{http_code}\\n' "
                               "'http://168.63.129.16/?comp=versions'")


def test_versions_timeout_as_non_root_is_inconclusive() -> None:
    r = run_one(vm(admin=False, http={VERSIONS_URL: "timeout"}), "net.wireserver_versions")
    assert r.status is Status.NOT_CHECKED
    assert "admits only root" in r.summary.id


def test_versions_windows_retest_command() -> None:
    r = run_one(vm("windows", http={VERSIONS_URL: "refused"}), "net.wireserver_versions")
    assert r.status is Status.PROBLEM
    assert commands(r)[-1] == (
        "$s = New-Object Microsoft.PowerShell.Commands.WebRequestSession; $s.Proxy = New-Object System.Net.WebProxy; "
        "Invoke-WebRequest -UseBasicParsing -WebSession $s -Uri 'http://168.63.129.16/?comp=versions' | "
        "Select-Object StatusCode, Content")


def test_versions_off_azure_is_not_applicable() -> None:
    r = run_one(vm(azure=False), "net.wireserver_versions")
    assert r.status is Status.NOT_CHECKED
    assert r.evidence["is_azure"] is False


def test_versions_unavailable_is_not_checked() -> None:
    r = run_one(Overlay(vm(), http_get=unavailable("replay lacks it")), "net.wireserver_versions")
    assert r.status is Status.NOT_CHECKED
    assert r.evidence["unavailable"] is True


def test_sas_tokens_in_a_body_are_redacted_from_evidence() -> None:
    body = "<Error><Code>X</Code><Message>https://a.blob.core.windows.net/c?sv=1&amp;sig=SECRETSIG</Message></Error>"
    r = run_one(vm(http={VERSIONS_URL: (403, body.replace("&amp;", "&"))}), "net.wireserver_versions")
    assert "SECRETSIG" not in repr(r.evidence)


# -- GET :32526/health ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202])
def test_health_success_codes_are_ok_and_body_is_unconfirmed(status: int) -> None:
    probe = Overlay(vm(http={HEALTH_URL: (status, "")}))
    r = run_one(probe, "net.hostplugin_health")
    assert r.status is Status.OK
    assert r.summary.params == {"host": WS, "port": 32526, "status": status, "ms": 3}
    assert r.evidence["note"].startswith("Not confirmed by public documentation")
    http_calls = [args for name, args in probe.calls if name == "http_get" and args["url"] == HEALTH_URL]
    assert http_calls == [{"url": HEALTH_URL, "headers": {}, "timeout": Settings().http_timeout_s,
                           "connect_timeout": Settings().connect_timeout_s}]


def test_health_502_is_an_internal_error_warning() -> None:
    r = run_one(vm(http={HEALTH_URL: (502, "")}), "net.hostplugin_health")
    assert r.status is Status.WARNING
    assert "HTTP 502" in r.summary.id and "internal error" in r.summary.id


@pytest.mark.parametrize("status", [500, 503, 404, 410, 301])
def test_health_other_status_is_a_problem(status: int) -> None:
    r = run_one(vm(http={HEALTH_URL: (status, "")}), "net.hostplugin_health")
    assert r.status is Status.PROBLEM
    assert r.summary.params["status"] == status
    assert r.error_codes == CONNECTIVITY_CODES


def test_health_refused_as_root_is_a_problem_on_port_32526() -> None:
    r = run_one(vm(http={HEALTH_URL: "refused"}), "net.hostplugin_health")
    assert r.status is Status.PROBLEM
    assert r.summary.params["port"] == 32526


def test_health_timeout_as_non_root_is_inconclusive() -> None:
    r = run_one(vm(admin=False, http={HEALTH_URL: "timeout"}), "net.hostplugin_health")
    assert r.status is Status.NOT_CHECKED
    assert r.fix[0].command == "sudo vmbackup-wizard --cli"


def test_health_windows_non_admin_timeout_is_inconclusive() -> None:
    r = run_one(vm("windows", admin=False, http={HEALTH_URL: "timeout"}), "net.hostplugin_health")
    assert r.status is Status.NOT_CHECKED
    assert "Administrator" in r.summary.id


SILENT_CASES = [("net.hostplugin_health", HEALTH_URL, 32526, "The HostGAPlugin at"),
                ("net.wireserver_versions", VERSIONS_URL, 80, "The Wire Server at")]


@pytest.mark.parametrize("system", ["linux", "windows"])
@pytest.mark.parametrize("admin", [True, False])
@pytest.mark.parametrize(("check_id", "url", "port", "who"), SILENT_CASES)
def test_accepted_connection_without_an_answer_does_not_blame_a_firewall(
        check_id: str, url: str, port: int, who: str, admin: bool, system: str) -> None:
    """A firewall that blocks the traffic stops the connection; one that was accepted and then left without an
    answer points at the host side or something in between, for root and for other users alike."""
    r = run_one(vm(system, admin=admin, http={url: "silent"}), check_id)
    assert r.status is Status.PROBLEM
    assert r.summary.id == who + " {host}:{port} accepted the connection, but its answer did not come within {ms} ms."
    assert r.summary.params == {"host": WS, "port": port, "ms": 6000}
    assert r.why is not None and r.why.id.startswith("A firewall that blocks this traffic stops the connection "
                                                     "itself, so this is not a firewall rule.")
    assert "host side" in r.why.id
    steps = [s.text.id for s in r.fix]
    assert steps[0] == "Run the wizard again in a few minutes."
    assert not any("firewall" in s.lower() or "rule" in s.lower() for s in steps), steps
    assert steps[-1] == "If the answer stays the same, contact Azure support and attach this report."
    assert len(commands(r)) == 1 and f"'{url}'" in commands(r)[0]  # the request to repeat by hand, nothing else
    assert r.evidence["connected"] is True and r.evidence["outcome"] == "timeout"
    assert JA.msg(r.summary) != r.summary.id.format(**r.summary.params) and JA.msg(r.why) != r.why.id


@pytest.mark.parametrize(("check_id", "url", "port", "who"), SILENT_CASES)
def test_a_dropped_connection_still_points_at_the_firewall(check_id: str, url: str, port: int, who: str) -> None:
    r = run_one(vm(http={url: "timeout"}), check_id)
    assert r.summary.id == "The Wire Server at {host}:{port} did not answer within {ms} ms."
    assert r.why is not None and "firewall" in r.why.id
    assert r.evidence["connected"] is None  # the fake (like an older recording) does not say: the old reading


def test_health_off_azure_is_not_applicable() -> None:
    r = run_one(vm(azure=False), "net.hostplugin_health")
    assert r.status is Status.NOT_CHECKED
    assert r.evidence["is_azure"] is False


# -- the real SystemProbe against loopback -----------------------------------------------------------


def system_probe() -> Any:
    from wizard.probes.system import SystemProbe  # must exist: these tests are not skipped

    return SystemProbe(root=None)


def real_is_admin() -> bool:
    return bool(system_probe().call("elevation").get("is_admin"))


@pytest.fixture
def imds(httpserver: HTTPServer) -> HTTPServer:
    """The loopback server also plays IMDS, so the run sees an 'Azure VM' (as with --wireserver/--imds)."""
    httpserver.expect_request("/metadata/instance", query_string="api-version=2021-02-01",
                              headers={"Metadata": "true"}).respond_with_data(
        read("imds", "instance_windows_doc.json"), content_type="application/json")
    return httpserver


def loopback_settings(server: HTTPServer, **kw: Any) -> Settings:
    base: dict[str, Any] = {"wireserver": "127.0.0.1", "wireserver_port": server.port,
                            "hostplugin_port": server.port, "imds": f"127.0.0.1:{server.port}",
                            "connect_timeout_s": 1.0, "http_timeout_s": 2.0}
    base.update(kw)
    return Settings(**base)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except TimeoutError:
                continue
            except OSError:
                return

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield int(server.getsockname()[1])
    stop.set()
    t.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


def test_real_port_check_connects_to_a_loopback_listener(imds: HTTPServer) -> None:
    r = run_one(system_probe(), "net.wireserver_port80", loopback_settings(imds))
    assert r.status is Status.OK
    assert r.evidence["host"] == "127.0.0.1" and r.evidence["port"] == imds.port
    assert isinstance(r.summary.params["ms"], int)


def test_real_port_check_on_a_closed_port(imds: HTTPServer) -> None:
    port = closed_port()
    r = run_one(system_probe(), "net.wireserver_port32526", loopback_settings(imds, hostplugin_port=port))
    assert r.evidence["outcome"] == "refused"
    if real_is_admin():
        assert r.status is Status.PROBLEM
        assert r.summary.id == "The Wire Server at {host}:{port} refused the connection (after {ms} ms)."
    else:
        assert r.status is Status.NOT_CHECKED


def test_real_versions_ok(imds: HTTPServer) -> None:
    imds.expect_request("/", query_string="comp=versions").respond_with_data(
        read("wireserver", "versions.xml"), content_type="text/xml; charset=utf-8")
    r = run_one(system_probe(), "net.wireserver_versions", loopback_settings(imds))
    assert r.status is Status.OK
    assert r.evidence["url"] == f"http://127.0.0.1:{imds.port}/?comp=versions"
    assert r.evidence["preferred"] == ["2012-11-30"]


def test_real_versions_truncated_sample(imds: HTTPServer) -> None:
    imds.expect_request("/", query_string="comp=versions").respond_with_data(
        read("wireserver", "versions_doc_truncated.xml"), content_type="text/xml")
    r = run_one(system_probe(), "net.wireserver_versions", loopback_settings(imds))
    assert r.status is Status.WARNING
    assert r.evidence["recovered"] is True


def test_real_versions_bomb_answers_quickly(imds: HTTPServer) -> None:
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    imds.expect_request("/", query_string="comp=versions").respond_with_data(
        f'<?xml version="1.0"?><!DOCTYPE Versions [{lol}]><Versions>&l9;</Versions>', content_type="text/xml")
    start = time.monotonic()
    r = run_one(system_probe(), "net.wireserver_versions", loopback_settings(imds))
    assert time.monotonic() - start < 5.0
    assert r.status is Status.WARNING
    assert r.evidence["parse_error"].startswith("refused")


def test_real_versions_503(imds: HTTPServer) -> None:
    imds.expect_request("/", query_string="comp=versions").respond_with_data("busy", status=503)
    r = run_one(system_probe(), "net.wireserver_versions", loopback_settings(imds))
    assert r.status is Status.WARNING
    assert r.evidence["status"] == 503


def test_real_versions_silent_server_times_out(imds: HTTPServer, silent_listener: int) -> None:
    """The listener accepts and never answers: that is no firewall, whoever runs the test."""
    settings = loopback_settings(imds, wireserver_port=silent_listener, http_timeout_s=0.5)
    r = run_one(system_probe(), "net.wireserver_versions", settings)
    assert (r.evidence["outcome"], r.evidence["connected"]) == ("timeout", True)
    assert r.status is Status.PROBLEM
    assert r.summary.id == ("The Wire Server at {host}:{port} accepted the connection, but its answer did not come "
                            "within {ms} ms.")


def test_real_health_silent_plugin_is_not_blamed_on_a_firewall(imds: HTTPServer, silent_listener: int) -> None:
    settings = loopback_settings(imds, hostplugin_port=silent_listener, http_timeout_s=0.5)
    r = run_one(system_probe(), "net.hostplugin_health", settings)
    assert (r.evidence["outcome"], r.evidence["connected"]) == ("timeout", True)
    assert r.summary.id.startswith("The HostGAPlugin at {host}:{port} accepted the connection")
    assert r.why is not None and "not a firewall rule" in r.why.id


@pytest.mark.parametrize(("status", "expected"), [(200, Status.OK), (502, Status.WARNING), (500, Status.PROBLEM)])
def test_real_health(imds: HTTPServer, status: int, expected: Status) -> None:
    imds.expect_request("/health").respond_with_data("", status=status)
    r = run_one(system_probe(), "net.hostplugin_health", loopback_settings(imds))
    assert r.status is expected
    assert r.evidence["url"] == f"http://127.0.0.1:{imds.port}/health"
