"""The emulator's documents, checked without starting it: loopback URLs only, valid XML/JSON, the
handler package the agent installs, and the namespace checks that keep it off any real network."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from simvm import emulator as emu
from simvm.vm import DATA, VMError, guard


@pytest.fixture
def emulator(tmp_path: Path) -> emu.Emulator:
    return emu.Emulator(DATA, tmp_path)


def _served(e: emu.Emulator) -> dict[str, bytes]:
    faults = {"incarnation": 3, "extension": {"seq_no": 2, "public_settings": {"vmsimStatus": "error"}}}
    return {
        "versions": e.read("wireserver", "versions.xml"),
        "goalstate": e.goal_state(faults),
        "hostingEnvironmentConfig": e.read("wireserver", "hosting_environment_config.xml"),
        "sharedConfig": e.read("wireserver", "shared_config.xml"),
        "extensionsConfig": e.extensions_config(faults),
        "certificates": e.certificates(faults),
        "manifest": e.manifest(),
        "imds": json.dumps(e.imds_document({}, "2021-02-01")).encode(),
        "imds_2018": json.dumps(e.imds_document({}, "2018-02-01")).encode(),
    }


def test_no_served_document_names_a_platform_address(emulator: emu.Emulator) -> None:
    for name, body in _served(emulator).items():
        for address in emu.FORBIDDEN:
            assert address.encode() not in body, f"{name} names {address}"


def test_the_goal_state_points_at_the_emulator(emulator: emu.Emulator) -> None:
    root = ET.fromstring(_served(emulator)["goalstate"])
    assert root.findtext("Incarnation") == "3"
    urls = [el.text for el in root.iter() if el.text and el.text.startswith("http")]
    assert len(urls) == 5
    assert all(u.startswith("http://127.0.0.1:80/") and "incarnation=3" in u for u in urls)


def test_the_extensions_config_carries_the_backup_handler(emulator: emu.Emulator) -> None:
    root = ET.fromstring(_served(emulator)["extensionsConfig"])
    plugin = root.find("Plugins/Plugin")
    assert plugin is not None
    assert (plugin.get("name"), plugin.get("version")) == (emu.HANDLER, emu.HANDLER_VERSION)
    assert plugin.get("location", "").startswith(f"http://{emu.STORAGE[0]}/")
    settings = root.find("PluginSettings/Plugin/RuntimeSettings")
    assert settings is not None and settings.get("seqNo") == "2"
    assert json.loads(settings.text or "")["runtimeSettings"][0]["handlerSettings"]["publicSettings"] == {
        "vmsimStatus": "error"}
    assert (root.findtext("StatusUploadBlob") or "").startswith(f"http://{emu.STORAGE[0]}/")


def test_the_handler_package_holds_the_manifest_and_the_scripts(emulator: emu.Emulator) -> None:
    with zipfile.ZipFile(io.BytesIO(emulator.zip_bytes)) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("HandlerManifest.json"))
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert names == ["HandlerManifest.json", "main/handle.py", "main/handle.sh", "main/status_template.json"]
    assert manifest[0]["handlerManifest"]["enableCommand"] == "main/handle.sh enable"
    assert modes["main/handle.sh"] & 0o111


def test_the_healthy_imds_document_is_a_plain_backup_supported_vm(emulator: emu.Emulator) -> None:
    doc = json.loads(_served(emulator)["imds"])
    os_disk = doc["compute"]["storageProfile"]["osDisk"]
    assert "diffDiskSettings" not in os_disk
    assert doc["network"]["interface"][0]["macAddress"]
    sample = json.loads((DATA / "imds" / "instance_linux_doc.json").read_text(encoding="utf-8"))
    assert sample["compute"]["storageProfile"]["osDisk"]["diffDiskSettings"] == {"option": "Local"}


def test_the_emulator_refuses_a_namespace_with_other_interfaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emu.socket, "if_nameindex", lambda: [(1, "lo"), (2, "eth0")])
    with pytest.raises(emu.UnsafeNamespace):
        emu.check_empty_netns()
    monkeypatch.setattr(emu.socket, "if_nameindex", lambda: [(1, "lo")])
    emu.check_empty_netns()


def test_the_emulator_listens_on_loopback_only(emulator: emu.Emulator) -> None:
    with pytest.raises(emu.UnsafeNamespace):
        emu.make_server(emulator, "imds", ("10.0.0.4", 80))


@pytest.mark.parametrize("argv", [
    ["curl", "http://168.63.129.16/?comp=versions"],
    ["iptables", "-I", "OUTPUT", "-d", "169.254.169.254", "-j", "DROP"],
    ["ip", "addr", "add", "10.0.0.4/24", "dev", "lo"],
    ["sh", "-c", "ip route add default dev lo"],
    ["/usr/sbin/ip", "link", "add", "veth0", "type", "veth"],
])
def test_the_vm_refuses_commands_that_could_reach_off_loopback(argv: list[str]) -> None:
    with pytest.raises(VMError):
        guard(argv)


def test_ordinary_commands_pass_the_guard() -> None:
    guard(["iptables", "-w", "-I", "OUTPUT", "-d", "127.0.0.1/32", "-p", "tcp", "--dport", "80", "-j", "DROP"])
    guard(["nft", "add", "rule", "inet", "t", "output", "ip", "daddr", "127.0.0.1", "tcp", "dport", "32526", "drop"])
    guard(["ip", "-o", "link"])
