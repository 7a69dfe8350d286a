"""Parsers of the Linux VM agent: waagent.conf, `waagent --version`, waagent.log, versions."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import waagent as wa

DATA = Path(__file__).resolve().parents[1] / "data"


def read(sub: str, name: str) -> str:
    return (DATA / sub / name).read_text(encoding="utf-8")


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2.7.41491.1102", (2, 7, 41491, 1102)),
    ("GuestAgent_2.7.41491.1102_2024-01-23_194431", (2, 7, 41491, 1102)),
    ("WALinuxAgent-2.2.51", (2, 2, 51)),
    ("v 1.0", (1, 0)),
    ("no version here", None),
    ("", None),
    (None, None),
    (12, None),
    ("1.2.3.4.5.6.7.8", (1, 2, 3, 4, 5, 6)),
])
def test_version_tuple(text: object, expected: tuple[int, ...] | None) -> None:
    assert wa.version_tuple(text) == expected


def test_compare_versions_pads_and_orders_numerically() -> None:
    assert wa.compare_versions("2.7", "2.7.0.0") == 0
    assert wa.compare_versions("2.7.41491.949", "2.7.41491.1010") == -1
    assert wa.compare_versions("2.15.0.1", "2.2.45") == 1
    assert wa.compare_versions("junk", "2.2") is None
    assert wa.version_text("Agent 2.7.0.6, built") == "2.7.0.6"


def test_agent_dir_versions_keeps_only_agent_folders_sorted() -> None:
    names = ["WALinuxAgent-2.2.53", "WALinuxAgent-2.15.0.1", "WALinuxAgent-2.15.0.1.zip", "history",
             "Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0", "WALinuxAgent-junk", None]
    assert wa.agent_dir_versions(names) == ["2.2.53", "2.15.0.1"]


# --- waagent.conf -----------------------------------------------------------------------------


def test_conf_fixture_shipped_defaults() -> None:
    conf = wa.parse_conf(read("linux", "waagent.conf"))
    assert conf.raw("Extensions.Enabled") == "y"
    assert conf.switch("Extensions.Enabled") is True
    assert conf.raw("Provisioning.Agent") == "auto"
    assert conf.switch("OS.EnableFirewall") is True
    assert not conf.has("HttpProxy.Host")  # commented out in the shipped file
    assert conf.raw("ResourceDisk.MountOptions") is None  # "None" means unset
    assert wa.auto_update(conf) == (True, "default")
    assert conf.ignored_count == 0 and not conf.duplicates and not conf.empty


def test_conf_agent_semantics_crlf_spaces_quotes_inline_comments_duplicates_garbage() -> None:
    text = ("\ufeff# comment\r\n"
            "  Extensions.Enabled = y \r\n"
            "Provisioning.Agent=\"cloud-init\"  # inline comment\r\n"
            "this line is garbage\r\n"
            "=no key\r\n"
            "   # indented comment=with equals\r\n"
            "Extensions.Enabled=N\r\n"
            "AutoUpdate.Enabled=yes\r\n"
            "HttpProxy.Host=proxy.example.com\r\n"
            "HttpProxy.Port=3128\r\n")
    conf = wa.parse_conf(text)
    assert conf.raw("Extensions.Enabled") == "N"
    assert conf.switch("Extensions.Enabled") is False  # last duplicate wins, any case
    assert conf.duplicates == {"Extensions.Enabled": [2, 7]}
    assert conf.lines["Extensions.Enabled"] == 7
    assert conf.raw("Provisioning.Agent") == "cloud-init"
    assert conf.switch("AutoUpdate.Enabled") is None  # "yes" is not a switch value: the default applies
    assert conf.raw("HttpProxy.Host") == "proxy.example.com"
    assert conf.ignored_count == 2
    assert conf.ignored[0] == (4, "this line is garbage")


def test_auto_update_newer_key_wins() -> None:
    assert wa.auto_update(wa.parse_conf("AutoUpdate.Enabled=n\n")) == (False, "AutoUpdate.Enabled")
    both = wa.parse_conf("AutoUpdate.Enabled=n\nAutoUpdate.UpdateToLatestVersion=y\n")
    assert wa.auto_update(both) == (True, "AutoUpdate.UpdateToLatestVersion")
    assert wa.auto_update(wa.parse_conf("AutoUpdate.UpdateToLatestVersion=n\n")) == (
        False, "AutoUpdate.UpdateToLatestVersion")


def test_conf_empty_and_huge() -> None:
    assert wa.parse_conf("").empty
    assert wa.parse_conf("  \n\n").empty
    big = "Extensions.Enabled=y\n" + "x" * (wa.MAX_CONF_CHARS + 10)
    conf = wa.parse_conf(big)
    assert conf.truncated and conf.switch("Extensions.Enabled") is True


# --- waagent --version ------------------------------------------------------------------------


def test_version_output_vmassist_sample() -> None:
    out = wa.parse_version_output("WALinuxAgent-2.7.0.6 running on redhat 8.10\nPython: 3.6.8\n"
                                  "Goal state agent: 2.7.0.6\n")
    assert out == wa.WaagentVersion("2.7.0.6", "redhat 8.10", "3.6.8", "2.7.0.6")
    assert out.parsed


def test_version_output_lower_case_with_noise_and_missing_line() -> None:
    text = ("/usr/lib/python3/dist-packages/azurelinuxagent/x.py:1: DeprecationWarning: something\n"
            "walinuxagent-2.2.45 running on ubuntu 18.04\r\npython: 3.6.9\r\n")
    out = wa.parse_version_output(text)
    assert out.agent_version == "2.2.45" and out.python == "3.6.9" and out.goal_state_version is None


def test_version_output_junk() -> None:
    assert not wa.parse_version_output("command not found").parsed
    assert not wa.parse_version_output("").parsed


def test_interpreters() -> None:
    assert wa.interpreter_from_unit(read("linux", "walinuxagent.service")) == "/usr/bin/python3"
    assert wa.interpreter_from_shebang("#!/usr/bin/python3.12 -u\nimport x\n") == "/usr/bin/python3.12"
    assert wa.interpreter_from_shebang("#!/usr/bin/env python3\n") == "python3"
    assert wa.interpreter_from_shebang("#!/bin/sh\n") is None
    assert wa.interpreter_from_shebang("no shebang") is None
    assert wa.interpreter_from_unit("[Service]\nExecStart=/usr/sbin/waagent -daemon\n") is None


# --- waagent.log ------------------------------------------------------------------------------


def test_log_fixture_counts_only_the_last_24_hours() -> None:
    result = wa.scan_waagent_log(read("linux", "waagent_log_goalstate_errors.log"))
    assert result.entries == 14
    assert result.newest == dt.datetime(2025, 9, 6, 8, 47, 42, 367645)
    assert result.window_start == result.newest - dt.timedelta(hours=24)
    assert result.in_window == 2
    ws = result.hits["wireserver_unreachable"]
    assert (ws.count, ws.older) == (2, 1)
    assert ws.first == dt.datetime(2025, 9, 6, 8, 47, 16, 941247)
    assert len(ws.excerpts) == 2 and "IOError timed out" in ws.excerpts[-1]
    assert {k: (v.count, v.older) for k, v in result.hits.items() if k != "wireserver_unreachable"} == {
        "storage_download_failed": (0, 1),
        "hostgaplugin_transient": (0, 5),
        "goal_state_gone": (0, 4),
        "hostgaplugin_unreachable": (0, 1),
    }


def test_log_whole_fixture_when_window_is_wide() -> None:
    result = wa.scan_waagent_log(read("linux", "waagent_log_goalstate_errors.log"), window=dt.timedelta(days=9999))
    counts = {k: v.count for k, v in result.hits.items()}
    assert counts == {"storage_download_failed": 1, "hostgaplugin_transient": 5, "goal_state_gone": 4,
                      "wireserver_unreachable": 3, "hostgaplugin_unreachable": 1}


def test_log_tracebacks_join_their_entry_and_healthy_markers() -> None:
    text = (
        "2024-05-01T10:00:00.000001Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.10.0.8 is running "
        "as the goal state agent [DEBUG HeartbeatCounter: 1]\n"
        "2024-05-01T10:01:00.000001Z ERROR ExtHandler ExtHandler Unexpected failure\n"
        "Traceback (most recent call last):\n"
        "  Error fetching the goal state: inner text on a continuation line\n"
        "2024-05-01T10:02:00Z WARNING ExtHandler ExtHandler Failed to report status: [ProtocolError] boom\n"
        "2024/05/01 10:03:00.123456 ERROR An error occurred while retrieving the goal state: old format\n"
        "2024-05-01T10:04:00.5Z INFO ExtHandler ProcessExtensionsGoalState completed [incarnation_12; 40 ms]\n"
    )
    result = wa.scan_waagent_log(text)
    assert result.entries == 5
    assert result.hits["goal_state_error"].count == 2
    assert result.hits["status_report_failed"].count == 1
    assert result.healthy["heartbeat"].latest == dt.datetime(2024, 5, 1, 10, 0, 0, 1)
    assert result.healthy["goal_state_processed"].count == 1
    assert result.newest == dt.datetime(2024, 5, 1, 10, 4, 0, 500000)


def test_a_tail_that_begins_inside_an_entry_keeps_those_lines_with_it_not_with_the_next() -> None:
    # the read began in the middle of an earlier entry's traceback (a bounded tail does that): its lines
    # belong to that cut-off entry, whose time is unknown and earlier than everything below
    text = (
        '  File "/usr/lib/python3/dist-packages/azurelinuxagent/ga/update.py", line 268, in run\n'
        "    Error fetching the goal state: [ProtocolError] inner text of the cut-off entry\n"
        "2024-05-01T10:00:00.000001Z INFO ExtHandler ExtHandler Goal State Period: 6 sec\n"
        "2024-05-01T10:01:00.000001Z WARNING ExtHandler ExtHandler Failed to report status: boom\n"
    )
    result = wa.scan_waagent_log(text)
    assert result.partial_head is True and result.entries == 3 and result.in_window == 2
    gs = result.hits["goal_state_error"]
    assert (gs.count, gs.older, gs.latest) == (0, 1, None)  # never dated with the next entry's time
    assert result.hits["status_report_failed"].latest == dt.datetime(2024, 5, 1, 10, 1, 0, 1)


def test_continuation_lines_date_with_the_entry_that_started_them() -> None:
    text = (
        "2024-05-01T08:00:00.000001Z WARNING ExtHandler ExtHandler Traceback (most recent call last):\n"
        "  Fetch failed: [HTTP Failed] GET http://168.63.129.16/machine/ -- IOError timed out -- 6 attempts made\n"
        "2024-05-01T09:00:00.000001Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState completed [x; 4 ms]\n"
    )
    ws = wa.scan_waagent_log(text).hits["wireserver_unreachable"]
    assert ws.count == 1 and ws.latest == dt.datetime(2024, 5, 1, 8, 0, 0, 1)


def test_unknown_error_entries_are_counted_with_the_newest_and_harmless_ones_apart() -> None:
    text = (
        "2024-05-01T10:00:00.000001Z ERROR Daemon Daemon Command: [dmidecode -s system-uuid], return code: [127], "
        "result: [/bin/sh: 1: dmidecode: not found]\n"
        "2024-05-01T10:00:01.000001Z ERROR Daemon Daemon /proc/net/route contains no routes\n"
        "2024-05-01T10:00:03.000001Z ERROR Daemon Daemon /proc/net/route contains no routes\n"
        "2024-05-01T10:00:04.000001Z WARNING Daemon Daemon Dhcp client is not running.\n"
        "2024-05-01T10:00:05.000001Z ERROR ExtHandler ExtHandler Error fetching the goal state: known\n"
    )
    result = wa.scan_waagent_log(text)
    other = result.other_errors
    assert other.count == 2 and other.latest == dt.datetime(2024, 5, 1, 10, 0, 3, 1)
    assert other.excerpts[-1].endswith("/proc/net/route contains no routes")
    assert result.benign.count == 1 and "dmidecode" in result.benign.excerpts[0]
    assert result.hits["goal_state_error"].count == 1


def test_the_debian_12_crash_loop_and_the_agents_firewall_messages() -> None:
    result = wa.scan_waagent_log(read("linux", "waagent_log_debian12_etype_crash_loop.log"))
    assert result.hits["exthandler_crash_etype"].count == 3
    assert result.hits["exthandler_relaunch_failed"].count == 3
    assert result.other_errors.count == 0
    text = "".join(f"2024-01-01T00:00:{i:02d}.000000Z INFO EnvHandler ExtHandler {line}\n" for i, line in enumerate([
        "Unable to establish firewall -- no further attempts will be made: Could not fetch rule set generation id: "
        "Permission denied",
        "The firewall is not configured correctly. The following rules are missing: ['ACCEPT DNS']. Will reset it. "
        "Current state:",
        "Successfully added Azure fabric firewall rules. Current Firewall rules:",
        "An error occurred while setting up the firewall: iptables failed",
    ]))
    counts = {k: v.count for k, v in wa.scan_waagent_log(text).hits.items()}
    assert counts == {"firewall_setup_failed": 2, "firewall_reset": 1, "firewall_added": 1}


def test_versions_named_in_the_log() -> None:
    logged = wa.versions_from_log(read("linux", "waagent_log_debian12_etype_crash_loop.log"))
    assert (logged.running, logged.daemon, logged.python) == ("2.7.3.0", None, None)
    logged = wa.versions_from_log(
        "2024-01-01T00:00:00Z INFO Daemon Daemon Azure Linux Agent Version:2.2.45\n"
        "2024-01-01T00:00:00Z INFO Daemon Daemon Python: 3.6.9\n"
        "2024-01-01T00:00:09Z INFO ExtHandler ExtHandler Azure Linux Agent (Goal State Agent version 2.15.0.1)\n")
    assert (logged.running, logged.daemon, logged.python) == ("2.15.0.1", "2.2.45", "3.6.9")
    assert wa.versions_from_log("Python: " + "9" * 10_000) == wa.LogVersions()


def test_log_signature_order_specific_before_generic() -> None:
    lines = [
        "Error fetching the goal state: [ProtocolError] [Wireserver Exception] [HttpError] [HTTP Failed] GET "
        "http://168.63.129.16/machine/ -- IOError [Errno 111] Connection refused -- 6 attempts made",
        "Error in SendHostPluginHeartbeat: [HttpError] [HTTP Failed] GET http://168.63.129.16:32526/health -- IOError "
        "timed out -- 1 attempts made",
        "No route exists to 168.63.129.16",
        "HostGAPlugin: Exception Get API versions: [HttpError] boom",
        "Error fetching the goal state: [ProtocolError] GET vmSettings [correlation ID: x eTag: 1]: [HTTP Failed] "
        "[403: Forbidden] b'AccessDenied'",
        "Agent supported wire protocol version: 2012-11-30 was not advised by Fabric.",
        "[PERIODIC] [IMDS_CONNECTION_ERROR] Unable to connect to IMDS endpoint 169.254.169.254",
        "Download failed, switching to host plugin",
        "ProcessExtensionsGoalState failed [incarnation 3]",
    ]
    text = "".join(f"2024-01-01T00:00:{i:02d}.000000Z WARNING ExtHandler ExtHandler {line}\n"
                    for i, line in enumerate(lines))
    result = wa.scan_waagent_log(text)
    assert {k: v.count for k, v in result.hits.items()} == {
        "wireserver_unreachable": 1, "hostgaplugin_unreachable": 2, "hostgaplugin_transient": 1,
        "wire_protocol_not_advised": 1, "imds_unreachable": 1, "storage_download_failed": 1,
        "goal_state_error": 1}


def test_log_without_timestamps_counts_everything() -> None:
    result = wa.scan_waagent_log("Error fetching the goal state: x\nmore\n")
    assert not result.has_timestamps and result.newest is None
    assert result.hits["goal_state_error"].count == 1


def test_log_invalid_dates_are_not_entry_starts() -> None:
    text = ("2024-13-40T25:61:61.0Z ERROR Error fetching the goal state: bad date\n"
            "2024-02-30T00:00:00Z ERROR Error fetching the goal state: no such day\n")
    result = wa.scan_waagent_log(text)
    assert result.entries == 1 and not result.has_timestamps


def test_excerpts_are_short_and_printable() -> None:
    text = "2024-01-01T00:00:00Z ERROR Error fetching the goal state: " + "\x00\x1b" + "A" * 5000 + "\n"
    hits = wa.scan_waagent_log(text).hits["goal_state_error"]
    assert len(hits.excerpts[0]) <= wa.MAX_EXCERPT_CHARS + 10
    assert "\x00" not in hits.excerpts[0] and "\x1b" not in hits.excerpts[0]


def test_only_the_last_three_excerpts_are_kept() -> None:
    text = "".join(f"2024-01-01T00:00:{i:02d}Z ERROR Error fetching the goal state: #{i}\n" for i in range(10))
    hits = wa.scan_waagent_log(text).hits["goal_state_error"]
    assert hits.count == 10 and [e[-2:] for e in hits.excerpts] == ["#7", "#8", "#9"]


# --- hostile input ----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parsers_never_raise_on_arbitrary_text(text: str) -> None:
    wa.parse_conf(text)
    wa.parse_version_output(text)
    wa.scan_waagent_log(text)
    wa.version_tuple(text)
    wa.interpreter_from_shebang(text)
    wa.interpreter_from_unit(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "2024-01-01T00:00:00.000Z ERROR ", "Error fetching the goal state", "[Wireserver Exception]", " timed out",
    "http://168.63.129.16/", "-- IOError", "\x00", "\ufffd", "\n", "\r\n", "=", "#", "Extensions.Enabled",
    "WALinuxAgent-", "Goal state agent: ", "9" * 30, ".", "2099/12/31 23:59:59 ",
]), max_size=60))
def test_parsers_never_raise_on_token_soup(tokens: list[str]) -> None:
    text = "".join(tokens)
    wa.scan_waagent_log(text)
    wa.parse_conf(text)
    wa.parse_version_output(text)


def test_huge_lines_and_many_lines_are_bounded() -> None:
    started = time.monotonic()
    huge_line = "2024-01-01T00:00:00Z ERROR " + "[Wireserver Exception] " * 200_000 + "\n"
    many_lines = "\n" * 1_000_000
    nul_soup = "\x00" * 1_000_000
    for text in (huge_line, many_lines, nul_soup, "Error fetching the goal state\n" + "at x\n" * 100_000):
        wa.scan_waagent_log(text)
        wa.parse_conf(text)
        wa.parse_version_output(text)
    assert time.monotonic() - started < 20


def test_the_agents_healthy_start_is_not_unreachable() -> None:
    """Debian 12's agent at every start, when the endpoint comes from the DHCP lease cache (seen live in the
    simulated VM): the route warning is followed, the same millisecond, by the endpoint being found."""
    text = ("2026-12-04T20:43:44.101223Z INFO Daemon Daemon Test for route to 168.63.129.16\n"
            "2026-12-04T20:43:44.101512Z WARNING Daemon Daemon No route exists to 168.63.129.16\n"
            "2026-12-04T20:43:44.101601Z INFO Daemon Daemon Checking for dhcp lease cache\n"
            "2026-12-04T20:43:44.101799Z INFO Daemon Daemon Found lease cache: found endpoint [127.0.0.1]\n"
            "2026-12-04T20:43:44.101866Z INFO Daemon Daemon Wire server endpoint:127.0.0.1\n")
    result = wa.scan_waagent_log(text)
    assert {k: v.count for k, v in result.hits.items() if v.count} == {}
    assert result.other_errors.count == 0
