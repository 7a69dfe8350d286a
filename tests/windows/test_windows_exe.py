"""The built console twin, `VMBackupWizard-cli.exe --cli --json -`, diagnosing this Windows machine with
the Wire Server, HostGAPlugin and IMDS played by fakes on 127.0.0.1 (nothing leaves the machine).

The `windows` workflow builds the executable first and names it in VMBACKUP_CLI_EXE; without that
variable these tests skip, saying so (set it to a built VMBackupWizard-cli.exe to run them by hand)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

DATA = Path(__file__).resolve().parents[1] / "data"
EXE = os.environ.get("VMBACKUP_CLI_EXE")


@pytest.fixture
def exe() -> Path:
    if not EXE:
        pytest.skip("VMBACKUP_CLI_EXE is not set (the windows workflow sets it after building the executable)")
    path = Path(EXE)
    assert path.is_file(), f"VMBACKUP_CLI_EXE names {path}, which does not exist"
    return path


@pytest.fixture
def fakes() -> tuple[HTTPServer, HTTPServer]:
    wire, plugin = HTTPServer(host="127.0.0.1"), HTTPServer(host="127.0.0.1")
    wire.expect_request("/").respond_with_data((DATA / "wireserver" / "versions.xml").read_text(encoding="utf-8"),
                                               content_type="text/xml")
    wire.expect_request("/metadata/instance").respond_with_data(
        (DATA / "imds" / "instance_windows_doc.json").read_text(encoding="utf-8"), content_type="application/json")
    plugin.expect_request("/health").respond_with_data("", status=200)
    wire.start()
    plugin.start()
    try:
        yield wire, plugin
    finally:
        wire.stop()
        plugin.stop()


def test_the_console_twin_prints_json_and_keeps_the_exit_code(exe: Path, fakes: tuple[HTTPServer, HTTPServer],
                                                              tmp_path: Path) -> None:
    wire, plugin = fakes
    report = tmp_path / "report.html"
    out = subprocess.run(
        [str(exe), "--cli", "--lang", "en", "--json", "-", "--report", str(report),
         "--wireserver", "127.0.0.1", "--wireserver-port", str(wire.port), "--hostplugin-port", str(plugin.port),
         "--imds", f"127.0.0.1:{wire.port}"],
        capture_output=True, timeout=300)
    assert out.returncode in (0, 1, 2), out.stderr.decode("utf-8", "replace")[-3000:]
    doc = json.loads(out.stdout.decode("utf-8"))
    assert doc["host"]["os"] == "windows"
    results = {r["id"]: r for r in doc["results"]}
    errors = {k: r["summary"] for k, r in results.items() if r["status"] == "error"}
    assert not errors, errors
    assert results["net.wireserver_versions"]["status"] in ("ok", "not_checked"), results["net.wireserver_versions"]
    assert results["net.wireserver_port80"]["status"] in ("ok", "info", "not_checked")
    assert {"net.firewall", "net.dhcp", "res.vss", "agent.service"} <= set(results)
    assert report.is_file() and report.stat().st_size > 10_000
    assert doc_exit_code_matches(doc, out.returncode)
    print(json.dumps({k: r["status"] for k, r in results.items()}, indent=1))  # kept in the workflow's log


def doc_exit_code_matches(doc: dict[str, object], code: int) -> bool:
    statuses = {r["status"] for r in doc["results"]}  # type: ignore[union-attr]
    expected = 2 if "problem" in statuses else 1 if statuses & {"warning", "not_checked", "error"} else 0
    return code == expected


def test_the_console_twin_smoke_test_lists_what_a_real_vm_must_confirm(exe: Path) -> None:
    out = subprocess.run([str(exe), "--smoke-test"], capture_output=True, timeout=300,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    text = out.stdout.decode("utf-8", "replace")
    assert out.returncode == 0, text[-3000:] + out.stderr.decode("utf-8", "replace")[-2000:]
    assert "unconfirmed until a run on a real Azure VM" in text
