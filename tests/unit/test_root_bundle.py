"""`--root DIR`: diagnosing a collected log bundle of a Linux or a Windows VM."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wizard.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


def _put(root: Path, rel: str, src: Path | str) -> None:
    dest = root / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(src, Path):
        shutil.copyfile(src, dest)
    else:
        dest.write_text(src, encoding="utf-8")


def _run(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    main(["--cli", "--lang", "en", "--root", str(root), "--json", "-"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"]["kind"] == "root"
    return {r["id"]: r for r in doc["results"]} | {"_host": doc["host"]}


def test_linux_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, "etc/hostname", "vm-from-bundle\n")
    _put(tmp_path, "etc/waagent.conf", DATA / "linux" / "waagent.conf")
    _put(tmp_path, "var/log/waagent.log", DATA / "linux" / "waagent_log_goalstate_errors.log")
    handler = "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0"
    _put(tmp_path, handler + "/status/0.status", DATA / "linux" / "vmsnapshotlinux_status_success.json")
    res = _run(tmp_path, capsys)
    assert res["_host"]["hostname"] == "vm-from-bundle"
    assert res["_host"]["os"] == "linux"
    assert res["agent.config"]["status"] == "ok"
    assert res["agent.log"]["status"] in ("info", "warning")  # the real goal-state errors are found
    assert res["agent.log"]["evidence"]
    assert res["ext.backup"]["status"] == "ok"
    # live-system probes are not answered for a bundle: those checks say they could not look
    assert res["net.wireserver_port80"]["status"] == "not_checked"
    assert res["res.cpu"]["status"] == "not_checked"


def test_windows_bundle_read_anywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, "WindowsAzure/Logs/WaAppAgent.log", DATA / "windows" / "waappagent_log_getversions_503.log")
    _put(tmp_path, "WindowsAzure/GuestAgent_2.7.41491.1102_2024-01-23_194431/WindowsAzureGuestAgent.exe", "")
    res = _run(tmp_path, capsys)
    assert res["_host"]["os"] == "windows"
    assert "agent.log" in res and "res.vss" in res and "agent.python" not in res
    assert res["agent.log"]["status"] == "info"  # one GetVersions() 503 is transient (persistent: 6 or more)
    assert "GetVersions" in json.dumps(res["agent.log"]["evidence"])
