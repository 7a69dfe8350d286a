"""The commands and registry reads the checks make, run for real: the PowerShell scripts return JSON
the checks can read, the firewall registry holds rules in the grammar the parser reads, vssadmin and
netsh answer in a shape the parsers know. (The `windows` workflow runs these on windows-latest.)"""

from __future__ import annotations

import pytest

from wizard.checks.facts import WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.net import dhcp, firewall
from wizard.checks.res import VSSADMIN_ARGV, vss_events
from wizard.parsers import firewall as fw
from wizard.parsers import proxy as px
from wizard.parsers import vssadmin, winevents
from wizard.parsers import win_fw_registry as fwreg
from wizard.probes.system import SystemProbe


def run(argv: list[str], timeout: float = 60.0) -> dict[str, object]:
    answer = SystemProbe().call("run", argv=argv, timeout=timeout)
    assert answer["found"] and not answer["timed_out"], answer
    return answer


def test_the_dhcp_script_returns_json_with_interfaces_and_addresses() -> None:
    answer = run(dhcp.DHCP_ARGV)
    data, error = fw.parse_powershell_json(str(answer["stdout"]))
    assert error is None and isinstance(data, dict), answer
    interfaces = dhcp.interfaces(data)
    assert interfaces, data
    assert all(i["dhcp"] in (True, False) for i in interfaces), interfaces
    primary = dhcp.primary_interface(data, interfaces)
    assert primary is not None
    assert dhcp.addresses_of(data, primary["index"]), data


def test_the_firewall_fallback_script_returns_json_within_its_limit() -> None:
    answer = run(firewall.WINDOWS_FIREWALL_ARGV, timeout=firewall.PS_TIMEOUT)
    data, error = fw.parse_powershell_json(str(answer["stdout"]))
    assert error is None and isinstance(data, dict), answer
    assert not data.get("rules_error"), data.get("rules_error")
    assert {p["Name"] for p in fw.as_list(data["profiles"])} == {"Domain", "Private", "Public"}
    print(f"firewall fallback script: {answer['elapsed_ms']} ms")  # kept in the workflow's log


def test_the_connection_profiles_script_returns_json() -> None:
    answer = run(firewall.CONNECTION_PROFILES_ARGV, timeout=firewall.PROFILES_PS_TIMEOUT)
    data, error = fw.parse_powershell_json(str(answer["stdout"]))
    assert error is None, answer
    assert all(fw.win_category(c.get("NetworkCategory")) for c in fw.as_list(data)), data


def test_the_firewall_rules_in_the_registry_are_in_the_grammar_the_parser_reads() -> None:
    answer = SystemProbe().call("registry", key=fwreg.LOCAL_RULES, value=None)
    assert answer["exists"] is True, answer
    values = answer["values"]
    assert len(values) > 50, len(values)
    rules, unreadable = fwreg.outbound_rules(values, "Local")
    assert rules, "a stock Windows has enabled outbound rules"
    assert unreadable <= len(values) // 20, f"{unreadable} of {len(values)} values were not read as rules"
    assert all(fw.normalise_win_rule(r) for r in rules)


def test_the_asset_tag_fallback_command_answers() -> None:
    answer = run(WINDOWS_ASSET_TAG_COMMAND, timeout=30)
    assert answer["returncode"] == 0, answer


def test_netsh_winhttp_is_parsed() -> None:
    answer = run(["netsh", "winhttp", "show", "proxy"])
    parsed = px.parse_netsh_winhttp(str(answer["stdout"]))
    assert parsed["direct"] in (True, False)


def test_vssadmin_lists_writers_when_elevated() -> None:
    if not SystemProbe().call("elevation")["is_admin"]:
        pytest.skip("vssadmin list writers needs an elevated session (the workflow's runner is elevated)")
    answer = run(VSSADMIN_ARGV, timeout=60)
    assert answer["returncode"] == 0, answer
    parsed = vssadmin.parse_writers(str(answer["stdout"]))
    assert parsed["writers"], answer["stdout"]
    assert all(w["state"] is not None for w in parsed["writers"]), parsed
    assert vssadmin.listing_kind(str(answer["stdout"]), parsed["writers"]) == "writers"


def test_the_guest_checks_script_returns_every_part_within_its_limit() -> None:
    from wizard.checks.guest.common import WINDOWS_ARGV, WINDOWS_TIMEOUT_S
    from wizard.parsers.guest import parse_guest_windows, sddl_dacl_aces

    answer = run(WINDOWS_ARGV, timeout=WINDOWS_TIMEOUT_S)
    data = parse_guest_windows(str(answer["stdout"]))
    assert "error" not in data, answer
    assert data["now"] and (data["stdregprov"] or data["stdregprov_error"]), data
    machinekeys = data["acls"][0]
    assert machinekeys["path"].lower().endswith("\\crypto\\rsa\\machinekeys"), data["acls"]
    assert sddl_dacl_aces(machinekeys["sddl"]), machinekeys  # a runner has the folder; its DACL parses
    assert [p["process"] for p in data["modules"]] == ["WaAppAgent", "WindowsAzureGuestAgent"]
    assert not data["events_error"], data["events_error"]
    print(f"guest checks script: {answer['elapsed_ms']} ms")  # kept in the workflow's log


def test_the_vss_event_script_answers_both_queries_within_its_limit() -> None:
    """The real Get-WinEvent: both logs queried by provider and level, "no events" not reported as an error."""
    answer = run(vss_events.EVENTS_ARGV, timeout=vss_events.EVENTS_TIMEOUT_S)
    parsed = winevents.parse_events(str(answer["stdout"]))
    assert "error" not in parsed, answer
    assert [(q["log"], q["provider"]) for q in parsed["queries"]] == list(vss_events.EVENT_QUERIES), parsed
    assert all(q["errors"] == [] for q in parsed["queries"]), parsed["queries"]
    assert all(e["level"] in (1, 2, 3) and e["id"] is not None for e in parsed["events"]), parsed["events"][:3]
    print(f"vss event script: {answer['elapsed_ms']} ms, {len(parsed['events'])} events")
