"""The IMDS check: it reads the shared `imds` fact (never asks IMDS again) and explains what it found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from wizard import runner
from wizard.checks.facts import IMDS_INSTANCE_PATH
from wizard.checks.net import imds
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.model import CheckResult, Component, Msg, Status
from wizard.probes.base import Answer, unavailable
from wizard.probes.fake import FakeSystem
from wizard.probes.fake import OverlayProbe as Overlay
from wizard.settings import Settings

EN = Translator("en")

DATA = Path(__file__).resolve().parents[1] / "data" / "imds"
IMDS_URL = "http://169.254.169.254:80" + IMDS_INSTANCE_PATH


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def vm(system: str = "linux", asset_tag: bool = True, **kw: Any) -> FakeSystem:
    fake = FakeSystem(system=system, **kw)
    return fake.on_azure() if asset_tag else fake


def run_imds(probe: Any, settings: Settings | None = None) -> CheckResult:
    return runner.run_check("net.imds", probe, settings)


def test_catalogue_entry() -> None:
    (check,) = imds.CHECKS
    assert check.id == "net.imds"
    assert check.component is Component.NETWORK_PATH
    assert check.needs_admin is False
    assert check.platforms == frozenset({"linux", "windows"})


def test_ok_with_vm_facts_from_the_windows_doc_sample() -> None:
    r = run_imds(vm("windows", http={IMDS_URL: (200, read("instance_windows_doc.json"))}))
    assert r.status is Status.OK
    assert r.summary.id == ("The Instance Metadata Service answered: VM {name} ({size}, {os}) in {location}, "
                            "with {disks} data disks.")
    assert r.summary.params == {"name": "examplevmname", "size": "Standard_A3", "os": "Windows",
                                "location": "westus", "disks": 1}
    assert r.evidence["vm_id"] == "02aab8a4-74ef-476e-8182-f6d2ba4166a6"
    assert r.evidence["data_disks"] == 1
    assert r.evidence["os_disk_size_gb"] == 30
    assert r.evidence["security_type"] == "TrustedLaunch"
    assert r.evidence["status"] == 200


def test_ok_with_the_older_linux_sample_has_no_disk_count() -> None:
    r = run_imds(vm(http={IMDS_URL: (200, read("instance_wala_valid.json"))}))
    assert r.status is Status.OK
    assert r.summary.id == "The Instance Metadata Service answered: VM {name} ({size}, {os}) in {location}."
    assert r.summary.params == {"name": "health", "size": "Standard_D2_V2", "os": "Linux", "location": "westus"}
    assert r.evidence["data_disks"] is None
    assert r.evidence["vm_id"] == "e7fdbfc4-2deb-4a4e-8615-ea6aaf50162e"


def test_imds_is_asked_exactly_once_per_run() -> None:
    probe = Overlay(vm(http={IMDS_URL: (200, read("instance_windows_doc.json"))}))
    run_imds(probe)
    imds_calls = [a for name, a in probe.calls if name == "http_get" and "/metadata/" in a["url"]]
    assert imds_calls == [{"url": IMDS_URL, "headers": {"Metadata": "true"}, "timeout": Settings().http_timeout_s,
                           "connect_timeout": Settings().connect_timeout_s}]


@pytest.mark.parametrize("outcome", ["timeout", "refused", "unreachable"])
def test_unreachable_on_azure_is_info_with_proxy_advice(outcome: str) -> None:
    r = run_imds(vm(http={IMDS_URL: outcome}))
    assert r.status is Status.INFO
    assert r.summary.id == "The Instance Metadata Service (169.254.169.254) did not answer ({error})."
    assert r.why is not None and "proxy" in r.why.id and "168.63.129.16" in r.why.id
    assert r.fix[0].command == ('curl -s -H Metadata:true --noproxy "*" '
                                '"http://169.254.169.254/metadata/instance?api-version=2021-02-01"')
    assert r.error_codes == []


def test_unreachable_on_windows_gives_a_powershell_test() -> None:
    r = run_imds(vm("windows", http={IMDS_URL: "timeout"}))
    assert r.status is Status.INFO
    assert r.fix[0].command == (
        "$s = New-Object Microsoft.PowerShell.Commands.WebRequestSession; $s.Proxy = New-Object System.Net.WebProxy; "
        'Invoke-RestMethod -WebSession $s -Headers @{"Metadata"="true"} -Method GET '
        '-Uri "http://169.254.169.254/metadata/instance?api-version=2021-02-01" | ConvertTo-Json -Depth 64')


def test_400_is_a_warning() -> None:
    r = run_imds(vm(http={IMDS_URL: (400, read("error_400_api_version_missing.json"))}))
    assert r.status is Status.WARNING
    assert r.summary.id == "The Instance Metadata Service answered HTTP 400 (Bad Request) to the wizard's request."
    assert r.evidence["status"] == 400
    assert r.why is not None and "X-Forwarded-For" in r.why.id


def test_200_that_is_not_an_instance_document_is_a_warning() -> None:
    r = run_imds(vm(http={IMDS_URL: (200, "<html>proxy login</html>")}))
    assert r.status is Status.WARNING
    reason = r.summary.params["error"]
    assert isinstance(reason, Msg) and reason.id == "not JSON: {detail}"
    assert EN.msg(r.summary).startswith("The Instance Metadata Service answered HTTP 200, but the answer is not an "
                                        "instance metadata document (not JSON: Expecting value")


def test_200_with_the_400_error_body_is_a_warning_too() -> None:
    r = run_imds(vm(http={IMDS_URL: (200, read("error_400_api_version_missing.json"))}))
    assert r.status is Status.WARNING
    assert r.summary.params == {"error": Msg("no 'compute' section")}


@pytest.mark.parametrize("status", [429, 500, 503, 404])
def test_other_status_is_info(status: int) -> None:
    r = run_imds(vm(http={IMDS_URL: (status, "")}))
    assert r.status is Status.INFO
    assert r.summary.params == {"status": str(status)}


def test_off_azure_is_not_checked() -> None:
    r = run_imds(vm(asset_tag=False))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: this machine does not look like an Azure VM")
    assert r.evidence["is_azure"] is False
    assert r.evidence["outcome"] == "unreachable"


def test_unavailable_probe_is_not_checked() -> None:
    r = run_imds(Overlay(vm(), http_get=unavailable("replay lacks it")))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params == {"error": Msg("replay lacks it")}


def test_a_broken_fact_is_not_checked() -> None:
    class Broken(FakeSystem):
        def _p_http_get(self, url: str, headers: Any = None, timeout: Any = None, **_: Any) -> Answer:
            raise RuntimeError("boom")

    r = run_imds(Broken(system="linux"))
    assert r.status is Status.NOT_CHECKED
    assert "RuntimeError: boom" in EN.msg(r.summary)
    assert "RuntimeError: boom" in r.evidence["error"]


# -- the real SystemProbe against a loopback IMDS ----------------------------------------------------


def test_real_imds_on_loopback(httpserver: HTTPServer) -> None:
    from wizard.probes.system import SystemProbe  # must exist: this test is not skipped

    httpserver.expect_request("/metadata/instance", query_string="api-version=2021-02-01",
                              headers={"Metadata": "true"}).respond_with_data(
        read("instance_windows_doc.json"), content_type="application/json")
    r = run_imds(SystemProbe(root=None), Settings(imds=f"127.0.0.1:{httpserver.port}", http_timeout_s=2.0))
    assert r.status is Status.OK
    assert r.summary.params["name"] == "examplevmname"
    assert r.evidence["url"] == f"http://127.0.0.1:{httpserver.port}{IMDS_INSTANCE_PATH}"


def test_real_imds_400_on_loopback(httpserver: HTTPServer) -> None:
    from wizard.probes.system import SystemProbe

    httpserver.expect_request("/metadata/instance").respond_with_data(
        read("error_400_api_version_missing.json"), status=400, content_type="application/json")
    settings = Settings(imds=f"127.0.0.1:{httpserver.port}", http_timeout_s=2.0)
    d = runner.run(ALL_CHECKS, SystemProbe(root=None), settings=settings, only=["net.imds"])
    (r,) = d.results
    # IMDS answered 400, so whether this machine is "Azure" rests on its real SMBIOS asset tag.
    if d.host.is_azure is False:
        assert r.status is Status.NOT_CHECKED
    else:
        assert r.status is Status.WARNING
        assert r.evidence["status"] == 400
