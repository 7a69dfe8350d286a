"""Parsers behind the `guest.*` checks: constructed samples, malformed and hostile input (hypothesis)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import guest as gp

DATA = Path(__file__).resolve().parents[1] / "data"
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000)
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
                       lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=15), inner,
                                                                                    max_size=5), max_leaves=30)


def test_the_english_sample() -> None:
    out = gp.parse_guest_windows((DATA / "windows" / "guest_ps_healthy_en.json").read_text(encoding="utf-8"))
    assert out["stdregprov"] == {"return_value": 0, "value": 2}
    assert out["certs"][0]["friendly_name"] == "TenantEncryptionCert"
    assert [a["path"] for a in out["acls"]] == ["C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys",
                                               "C:\\WindowsAzure", "C:\\Packages"]
    assert out["events"][0]["id"] == 7031


def test_the_japanese_sample_decoded_from_cp932() -> None:
    text = (DATA / "windows" / "guest_ps_problems_ja.json").read_text(encoding="utf-8")
    out = gp.parse_guest_windows(text.encode("cp932").decode("cp932"))
    assert out["stdregprov"] is None and out["stdregprov_error"] == "無効なクラスです "
    assert out["acls"][2]["error"].startswith("パス")
    assert out["modules"][0]["modules"][0]["company"] == "Contoso Security 株式会社"


def test_powershell_quirks_single_objects_warnings_and_a_bom() -> None:
    one = {"certs": {"Subject": "x", "NotAfter": "2027-01-01T00:00:00Z"}, "events": {"Id": "7034", "Name": "RdAgent"},
           "modules": {"Process": "WaAppAgent", "Running": True, "Modules": {"Name": "a.dll"}}}
    out = gp.parse_guest_windows("\ufeffWARNING: slow\r\n" + json.dumps(one))
    assert len(out["certs"]) == 1 and out["events"][0]["id"] == 7034
    assert out["modules"][0]["modules"][0]["name"] == "a.dll"


def test_wrong_types_are_dropped_not_raised() -> None:
    hostile = {"stdregprov": "yes", "certs": "many", "acls": [1, None, {"Path": ["x"], "Sddl": {"a": 1}}],
               "modules": [{"Process": None, "Running": "true", "Modules": [None, 3]}],
               "events": [{"Id": True, "Time": 5}], "now": {"x": 1}}
    out = gp.parse_guest_windows(json.dumps(hostile))
    assert out["stdregprov"] is None and out["certs"] == []
    assert out["acls"] == [{"path": "", "sddl": "", "error": ""}]
    assert out["modules"][0]["running"] is False and out["modules"][0]["modules"] == []
    assert out["events"] == [{"log": "", "id": None, "time": "5", "name": "", "message": ""}]


def test_deep_nesting_and_huge_output_give_an_error() -> None:
    assert "error" in gp.parse_guest_windows("[" * 100_000 + "]" * 100_000)
    assert "error" in gp.parse_guest_windows("{" + " " * (3 * 1024 * 1024) + "}")
    assert "error" in gp.parse_guest_windows("")


def test_long_fields_and_many_items_are_bounded() -> None:
    data = {"events": [{"Message": "x" * 1000, "Id": 7031}] * 1000, "certs": [{"Subject": "s" * 1000}] * 500}
    out = gp.parse_guest_windows(json.dumps(data))
    assert len(out["events"]) == gp.MAX_ITEMS and len(out["events"][0]["message"]) == 400
    assert len(out["certs"]) == gp.MAX_ITEMS and len(out["certs"][0]["subject"]) == gp.MAX_FIELD


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_any_text_parses_without_raising(text: str) -> None:
    assert isinstance(gp.parse_guest_windows(text), dict)
    for parse in (gp.parse_apt_policy, gp.parse_rpm_qf, gp.parse_python_self_report):
        assert isinstance(parse(text), dict)
    assert isinstance(gp.parse_dnf_repo(text), str) and isinstance(gp.parse_zypper_repo(text, "x"), str)
    assert isinstance(gp.parse_systemctl_blocks(text), list)
    assert isinstance(gp.sddl_dacl_aces(text), list)
    assert gp.system_full_access(text) in (True, False, None)
    assert gp.machinekeys_judgement(text) in ("default", "changed", "broken")
    assert gp.parse_time(text) is None or gp.parse_time(text).tzinfo is not None  # type: ignore[union-attr]


@settings(max_examples=200, deadline=None)
@given(JSONISH)
def test_any_json_value_parses_without_raising(value: object) -> None:
    for shape in (value, {"certs": value, "acls": value, "modules": value, "events": value, "stdregprov": value},
                  {"modules": [{"Process": "p", "Running": True, "Modules": value}]}):
        out = gp.parse_guest_windows(json.dumps(shape))
        assert isinstance(out, dict)


# -- SDDL ---------------------------------------------------------------------------------------

def test_sddl() -> None:
    agent = "O:SYG:SYD:PAI(A;OICI;0x1200a9;;;WD)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
    assert gp.system_full_access(agent) is True
    assert gp.system_full_access("O:SYG:SYD:PAI(A;OICI;0x1200a9;;;WD)(A;OICI;FA;;;BA)") is False
    assert gp.system_full_access("O:SYG:SYD:PAI(A;OICIIO;FA;;;SY)") is False  # inherit-only: not the folder
    assert gp.system_full_access("O:SYG:SYD:PAI(D;;FA;;;SY)(A;;FA;;;SY)") is False
    assert gp.system_full_access("O:SYG:SYD:(A;;0x1f01ff;;;S-1-5-18)") is True
    assert gp.system_full_access("O:SYG:SY") is None
    assert gp.machinekeys_judgement(gp.MACHINEKEYS_DEFAULT_SDDL) == "default"
    assert gp.machinekeys_judgement("O:SYG:SYD:P(A;;0x12019f;;;WD)(A;;FA;;;BA)(A;;FA;;;SY)") == "changed"
    assert gp.machinekeys_judgement("O:SYG:SYD:P(A;;FA;;;BA)") == "broken"
    assert gp.machinekeys_judgement("O:SYG:SYD:P(A;;0x12019f;;;WD)(A;;FA;;;BA)(D;;FA;;;WD)") == "broken"
    assert gp.sddl_dacl_aces("D:(A;;FA;;;SY)S:(AU;SA;FA;;;WD)") == [
        {"type": "A", "flags": "", "rights": "FA", "sid": "SY"}]


def test_signatures() -> None:
    ms = {"signature_status": "Valid", "issuer": "CN=Microsoft Code Signing PCA 2011, O=Microsoft Corporation, C=US"}
    assert gp.is_microsoft_signed(ms) is True
    assert gp.is_microsoft_signed({**ms, "signature_status": "HashMismatch"}) is False
    assert gp.is_microsoft_signed({**ms, "issuer": "CN=Contoso CA, O=Contoso"}) is False
    assert gp.is_microsoft_signed({"signature_status": ""}) is None


def test_times() -> None:
    assert gp.parse_time("2026-11-25T09:50:02.1234567Z") == datetime(2026, 11, 25, 9, 50, 2, tzinfo=UTC)
    assert gp.parse_time("2026-11-25T18:50:02+09:00") == datetime(2026, 11, 25, 9, 50, 2, tzinfo=UTC)
    for bad in ("2026-13-45T99:99:99Z", "yesterday", None, 3, "2026-11-25 09:50:02"):
        assert gp.parse_time(bad) is None


# -- Linux outputs ------------------------------------------------------------------------------

def test_apt_policy() -> None:
    out = gp.parse_apt_policy((DATA / "linux" / "apt_cache_policy_walinuxagent_ubuntu.txt").read_text())
    assert out == {"installed": "2.9.1.1-0ubuntu0.22.04.1", "sources": [
        "500 http://azure.archive.ubuntu.com/ubuntu jammy-updates/main amd64 Packages".split(" ", 1)[1],
        "/var/lib/dpkg/status"]}
    local = gp.parse_apt_policy((DATA / "linux" / "apt_cache_policy_walinuxagent_local.txt").read_text())
    assert local["sources"] == ["/var/lib/dpkg/status"]
    assert gp.parse_apt_policy("walinuxagent:\n  Installed: (none)\n")["installed"] == ""


def test_systemctl_blocks() -> None:
    blocks = gp.parse_systemctl_blocks((DATA / "linux" / "systemctl_show_agent_units.txt").read_text())
    assert [b["Id"] for b in blocks] == ["walinuxagent.service", "waagent.service"]
    assert blocks[0]["NRestarts"] == "0" and blocks[1]["LoadState"] == "not-found"
    assert len(gp.parse_systemctl_blocks("a=b\n\n" * 100)) == 10


def test_rpm_dnf_zypper() -> None:
    assert gp.parse_rpm_qf("WALinuxAgent\t2.7.0.6-6.el8\tRed Hat, Inc.\n")["name"] == "WALinuxAgent"
    assert gp.parse_rpm_qf("file /usr/sbin/waagent is not owned by any package\n") == {}
    assert gp.parse_rpm_qf("--setopt=x\t1\tv\n") == {}  # never an option for dnf/zypper
    assert gp.parse_dnf_repo((DATA / "linux" / "dnf_info_walinuxagent_rhel8.txt").read_text()) == \
        "rhui-rhel-8-for-x86_64-appstream-rhui-rpms"
    assert gp.parse_dnf_repo("Repository   : azurelinux-official-base\n") == "azurelinux-official-base"
    row = "i  | python-azure-agent | package | 2.9.1.1-150100.3.50.1 | noarch | SLE-Module-Public-Cloud15-SP5-Updates"
    assert gp.parse_zypper_repo(row, "python-azure-agent") == "SLE-Module-Public-Cloud15-SP5-Updates"


def test_python_self_report_ignores_what_it_did_not_print() -> None:
    out = gp.parse_python_self_report("version=3.11.2\nmodule requests=ok\nmodule x=fail ImportError\n"
                                      "module $(rm -rf /)=ok\nversion=evil\n")
    assert out == {"version": "3.11.2", "modules": {"requests": "ok", "x": "fail ImportError"}}
