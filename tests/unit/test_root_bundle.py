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
    # what needs the running VM is "not in this bundle": never a problem (no program, no service, no Python
    # in a files-only bundle) and never ok
    for check in [*LIVE_ONLY_LINUX, "env.azure", "env.guest_proxy_agent", "net.proxy", "agent.version"]:
        assert res[check]["status"] == "not_checked", (check, res[check]["summary"])
        assert res[check]["messages"]["summary"]["id"] == NOT_IN_BUNDLE, check
        assert res[check]["evidence"]["bundle"] is True


LIVE_ONLY_LINUX = ["env.elevation", "net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions",
                   "net.hostplugin_health", "net.imds", "net.firewall", "agent.installed", "agent.service",
                   "agent.python", "res.cpu", "res.memory", "res.disk", "res.disk_layout"]
NOT_IN_BUNDLE = ("Not checked: not in this bundle. This needs the running VM (its programs, services, network or "
                 "load), and the wizard is reading files collected from it (--root).")
FILE_NOT_IN_BUNDLE = ("Not checked: {path} is not in this bundle. The wizard is reading files collected from the VM "
                      "(--root), and this one was not among them.")


def test_a_bundle_without_the_files_says_so_for_every_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, "etc/hostname", "vm-empty\n")
    res = _run(tmp_path, capsys)
    del res["_host"]
    statuses = {cid: r["status"] for cid, r in res.items()}
    assert set(statuses.values()) == {"not_checked"}, statuses
    files = {"agent.config": "/etc/waagent.conf", "agent.log": "/var/log/waagent.log",
             "ext.backup": "/var/lib/waagent", "ext.others": "/var/lib/waagent", "ext.prepost": "/etc/azure",
             "res.mounts": "/proc/mounts", "guest.agent_python": "/usr/sbin/waagent",
             "guest.agent_package": "/usr/sbin/waagent"}
    for check, path in files.items():
        assert res[check]["messages"]["summary"] == {"id": FILE_NOT_IN_BUNDLE, "params": {"path": path}}, check
    for check, r in res.items():
        if check not in files:
            assert r["messages"]["summary"]["id"] == NOT_IN_BUNDLE, (check, r["summary"])


def test_a_bundle_in_japanese_says_not_in_this_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, "etc/hostname", "vm-empty\n")
    main(["--cli", "--lang", "ja", "--root", str(tmp_path), "--only", "agent.python,agent.config", "--json", "-"])
    doc = json.loads(capsys.readouterr().out)
    summaries = {r["id"]: r["summary"] for r in doc["results"]}
    assert summaries["agent.python"].startswith("確認していません: このバンドルにはありません。")
    assert summaries["agent.config"].startswith("確認していません: /etc/waagent.conf はこのバンドルにありません。")


def test_a_bundle_shows_the_agent_version_from_its_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the heartbeat line Microsoft's Linux agent troubleshooting article quotes (SA-LINGA, facts §4.4)
    _put(tmp_path, "var/log/waagent.log",
         "2020-10-08T17:10:37.365590Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.2.51 is running "
         "as the goal state agent [DEBUG HeartbeatCounter: 1;HeartbeatId: 0;DroppedPackets: 0;UpdateGSErrors: 0]\n")
    res = _run(tmp_path, capsys)
    version = res["agent.version"]
    assert version["status"] == "problem"
    assert version["messages"]["summary"]["params"] == {"version": "2.2.51", "minimum": "2.2.53.1"}
    assert version["evidence"]["source"] == "/var/log/waagent.log"


def test_windows_bundle_read_anywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _put(tmp_path, "WindowsAzure/Logs/WaAppAgent.log", DATA / "windows" / "waappagent_log_getversions_503.log")
    _put(tmp_path, "WindowsAzure/GuestAgent_2.7.41491.1102_2024-01-23_194431/WindowsAzureGuestAgent.exe", "")
    res = _run(tmp_path, capsys)
    assert res["_host"]["os"] == "windows"
    assert "agent.log" in res and "res.vss" in res and "agent.python" not in res
    assert res["agent.log"]["status"] == "info"  # one GetVersions() 503 is transient (persistent: 6 or more)
    assert "GetVersions" in json.dumps(res["agent.log"]["evidence"])
