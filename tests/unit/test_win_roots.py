"""Windows bundles read with --root: trees laid out like a disk collected from a Windows VM
(tests/data/roots/windows-*/, sources in tests/data/roots/SOURCES.md), registry keys exported as .reg
text, and the verdicts the checks reach on them. Also the .reg reader itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.model import Status
from wizard.probes import regfile
from wizard.probes.system import SystemProbe

ROOTS = Path(__file__).resolve().parents[1] / "data" / "roots"


def verdicts(name: str) -> dict[str, tuple[Status, str]]:
    diag = runner.run(ALL_CHECKS, SystemProbe(root=ROOTS / name))
    assert diag.host.os == "windows"
    return {r.id: (r.status, r.summary.id) for r in diag.results}


def test_a_healthy_windows_bundle() -> None:
    found = verdicts("windows-healthy")
    for check_id in ("env.azure", "net.proxy", "net.firewall", "agent.version", "agent.log", "ext.backup"):
        assert found[check_id][0] is Status.OK, (check_id, found[check_id])
    assert found["agent.log"][1].endswith("and the agent last connected to the Azure fabric (wire protocol "
                                          "2012-11-30) at {healthy}.")
    assert not [k for k, (s, _) in found.items() if s is Status.ERROR]


def test_a_broken_windows_bundle() -> None:
    found = verdicts("windows-broken")
    assert found["net.firewall"][0] is Status.PROBLEM  # the rule exported in registry/firewall.reg
    assert found["net.proxy"][0] is Status.WARNING  # WinHTTP and SYSTEM's WinINet blob, no bypass
    assert found["agent.version"][0] is Status.WARNING  # 2.7.41491.949 < 2.7.41491.1010
    assert found["agent.log"][0] is Status.PROBLEM
    assert found["ext.backup"][0] is Status.PROBLEM  # SeqNumber.txt names 7.status, which failed
    assert not [k for k, (s, _) in found.items() if s is Status.ERROR]


def test_the_broken_bundles_details() -> None:
    diag = runner.run(ALL_CHECKS, SystemProbe(root=ROOTS / "windows-broken"),
                      only=["ext.backup", "agent.log", "net.proxy"])
    by_id = {r.id: r for r in diag.results}
    backup = by_id["ext.backup"]
    assert backup.evidence["seq_number_file"]["seq"] == 7
    assert backup.evidence["aggregate_status"]["state"] == "read"  # NUL-padded, still read
    assert backup.evidence["extension_log"]["counts"]["vss"] >= 1
    assert "ExtensionFailedVssWriterInBadState" in backup.error_codes
    log = by_id["agent.log"]
    signatures = log.evidence["signatures"]
    assert signatures["pfx_import_failed"]["count_last_24h"] == 1  # one multi-line failure, one occurrence
    proxy = by_id["net.proxy"]
    assert {s["source"] for s in proxy.evidence["sources"]} == {"winhttp", "wininet_system"}


def test_a_bundle_without_exported_keys_answers_registry_unavailable(tmp_path: Path) -> None:
    (tmp_path / "WindowsAzure" / "Logs").mkdir(parents=True)
    ans = SystemProbe(root=tmp_path).call("registry", key="HKLM\\SOFTWARE\\Microsoft\\Windows Azure", value="VmId")
    assert ans["unavailable"] is True


def test_registry_lookups_from_a_bundle() -> None:
    probe = SystemProbe(root=ROOTS / "windows-healthy")
    ans = probe.call("registry", key="HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest", value="GuestAgentVersion")
    assert (ans["exists"], ans["value"], ans["type"]) == (True, "2.7.41491.1102", "REG_SZ")
    listing = probe.call("registry", key="HKLM\\SOFTWARE\\Microsoft", value=None)
    assert {"Virtual Machine", "Windows Azure", "Windows"} <= set(listing["subkeys"])
    assert probe.call("registry", key="HKLM\\SOFTWARE\\Nope", value=None)["exists"] is False


# -- the .reg reader -----------------------------------------------------------------------------

# The value kinds of Microsoft Learn's "How to add, modify, or delete registry subkeys and values by
# using a .reg file" (Windows Registry Editor Version 5.00 syntax), with a continued hex line.
SAMPLE = """Windows Registry Editor Version 5.00
; a comment
[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\App]
@="default"
"Path"="C:\\\\Program Files\\\\Contoso \\"App\\""
"Count"=dword:0000001a
"Blob"=hex:18,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,\\
  00
"Expand"=hex(2):25,00,54,00,45,00,4d,00,50,00,25,00,00,00
"Multi"=hex(7):61,00,00,00,62,00,00,00,00,00
"Big"=hex(b):01,00,00,00,00,00,00,00
"Removed"=-
"Broken"=dword:xyz

[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Gone]
"Ignored"="yes"

[HKEY_USERS\\S-1-5-18\\Software\\Microsoft]
"x"="y"
"""


def test_every_value_kind_is_read_as_the_live_probe_gives_it() -> None:
    export = regfile.parse_export(SAMPLE)
    key = "HKLM\\SOFTWARE\\Contoso\\App"
    def value(name: str) -> object:
        return export.lookup(key, name)["value"]
    assert value("") == "default"
    assert value("Path") == 'C:\\Program Files\\Contoso "App"'
    assert value("Count") == 26
    assert value("Blob") == "1800000000000000010000000000000000000000"
    assert value("Expand") == "%TEMP%"
    assert value("Multi") == ["a", "b"]
    assert value("Big") == 1
    assert export.lookup(key, "Removed")["exists"] is False
    assert export.lookup(key, "Broken")["exists"] is False and export.skipped == 1
    assert export.lookup("HKLM\\SOFTWARE\\Gone", None)["exists"] is False
    assert export.lookup("HKU\\S-1-5-18\\Software\\Microsoft", "x")["value"] == "y"


def test_later_exports_win() -> None:
    export = regfile.parse_export('[HKEY_LOCAL_MACHINE\\A]\n"v"="1"\n')
    regfile.parse_export('[HKEY_LOCAL_MACHINE\\A]\n"v"="2"\n', export)
    assert export.lookup("HKLM\\A", "v")["value"] == "2"


@pytest.mark.parametrize("text", ["", "REGEDIT4", "[", "[HKEY_NOWHERE\\x]\n\"a\"=\"b\"", "\"a\"=\"b\"",
                                  "[HKEY_LOCAL_MACHINE\\x]\n\"a\"=hex(zz):00"])
def test_odd_files_give_what_they_hold(text: str) -> None:
    regfile.parse_export(text)


@given(st.text(max_size=400))
def test_hostile_text_never_raises(text: str) -> None:
    export = regfile.parse_export(text)
    for key in list(export.keys)[:5]:
        export.lookup(export.keys[key].name, None)


def test_a_windows_bundle_answers_the_guest_checks_it_can(tmp_path: Path) -> None:
    """issue 17: guest.tls from an exported SCHANNEL key, guest.wcf_debug from machine.config; the others need
    the running VM and say so."""
    import shutil

    root = tmp_path / "bundle"
    shutil.copytree(ROOTS / "windows-healthy", root)
    schannel = ("Windows Registry Editor Version 5.00\r\n\r\n"
                "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols"
                "\\TLS 1.2\\Client]\r\n\"Enabled\"=dword:00000000\r\n\"DisabledByDefault\"=dword:00000001\r\n")
    (root / "registry" / "schannel.reg").write_bytes(b"\xff\xfe" + schannel.encode("utf-16-le"))
    config = root / "Windows" / "Microsoft.NET" / "Framework64" / "v4.0.30319" / "Config" / "machine.config"
    config.parent.mkdir(parents=True)
    config.write_text((ROOTS.parent / "windows" / "machine_config_wcf_debug.config").read_text(encoding="utf-8"),
                      encoding="utf-8")
    found = verdicts_of(root)
    assert found["guest.tls"] == (Status.PROBLEM, "TLS 1.2 is turned off for Windows clients (SCHANNEL Enabled = 0).")
    assert found["guest.wcf_debug"][0] is Status.PROBLEM
    for check_id in ("guest.keyiso", "guest.wmi", "guest.crp_cert", "guest.machinekeys", "guest.folder_acl",
                     "guest.modules", "guest.crashes"):
        assert found[check_id][0] is Status.NOT_CHECKED, (check_id, found[check_id])
        assert "not in this bundle" in found[check_id][1], check_id


def verdicts_of(root: Path) -> dict[str, tuple[Status, str]]:
    diag = runner.run(ALL_CHECKS, SystemProbe(root=root))
    return {r.id: (r.status, r.summary.id) for r in diag.results}


def test_without_the_files_the_bundle_says_so(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "bundle"
    shutil.copytree(ROOTS / "windows-healthy", root)
    found = verdicts_of(root)
    assert found["guest.tls"][0] is Status.NOT_CHECKED  # no key exported: unknown, not "not set"
    assert found["guest.wcf_debug"][0] is Status.NOT_CHECKED
    assert "is not in this bundle" in found["guest.wcf_debug"][1]
