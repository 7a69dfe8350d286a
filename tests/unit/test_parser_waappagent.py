"""Parser of the Windows VM agent's WaAppAgent.log and GuestAgent folder names."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import waappagent as wapp

DATA = Path(__file__).resolve().parents[1] / "data"


def read(name: str) -> str:
    return (DATA / "windows" / name).read_text(encoding="utf-8")


def counts(text: str, window: dt.timedelta = wapp.WINDOW) -> dict[str, int]:
    return {k: v.count for k, v in wapp.scan_waappagent_log(text, window).hits.items()}


def test_getversions_503_fixture_has_no_timestamps() -> None:
    result = wapp.scan_waappagent_log(read("waappagent_log_getversions_503.log"))
    assert result.entries == 1 and not result.has_timestamps
    hits = result.hits["getversions_failed"]
    assert hits.count == 1 and hits.latest is None
    assert "(503) Server Unavailable" in hits.excerpts[0]  # the continuation line belongs to the entry


def test_socket_forbidden_fixture_is_one_entry_with_its_stack_trace() -> None:
    result = wapp.scan_waappagent_log(read("waappagent_log_hostgaplugin_32526_socket_forbidden.log"))
    assert result.entries == 1
    hits = result.hits["hostgaplugin_blocked"]  # WSAEACCES: forbidden inside the VM, not a passing failure
    assert hits.count == 1 and hits.latest == dt.datetime(2018, 12, 11, 6, 27, 55, 660000)
    assert "168.63.129.16:32526" in hits.excerpts[0]


def test_npcap_fixture() -> None:
    result = wapp.scan_waappagent_log(read("waappagent_log_npcap_fabric_discovery.log"))
    assert result.entries == 3
    assert {k: v.count for k, v in result.hits.items()} == {"npcap_fabric_discovery": 1}
    assert result.newest == dt.datetime(2019, 6, 20, 7, 44, 28, 930000)


def test_line_start_shapes() -> None:
    assert wapp.waappagent_line_start("[00000011] [12/11/2018 06:27:55.66] [WARN]  x") == (
        True, dt.datetime(2018, 12, 11, 6, 27, 55, 660000), "WARN")
    assert wapp.waappagent_line_start("[00000018] 2021-01-12T16:35:45Z [INFO]  Test extract") == (
        True, dt.datetime(2021, 1, 12, 16, 35, 45), "INFO")
    assert wapp.waappagent_line_start("[ERROR] GetVersions() failed") == (True, None, "ERROR")
    assert wapp.waappagent_line_start("[00000004] [13/45/2019 00:30:47.24] [ERROR] bad date") == (True, None, "ERROR")
    assert wapp.waappagent_line_start("at System.Net.WebClient.DownloadString(Uri address)")[0] is False
    assert wapp.waappagent_line_start("[not a thread] text")[0] is False


def test_documented_signatures() -> None:
    text = (
        "[00000004] [01/12/2019 00:30:47.24] [ERROR] RdCrypt Initialization failed. Error Code: -2147023143.\n"
        "[00000003] [10/21/2020 02:37:45.98] [ERROR] Installing certificates in the LocalMachine store failed with "
        "exception: Microsoft.WindowsAzure.GuestAgent.CertificateManager.CryptographyNative+PInvokeException: "
        "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86.\n"
        "[00000010] 2021-01-12T16:35:45Z [ERROR] InstallPlugins() failed with exception: System.AggregateException: "
        "One or more errors occurred. ---> System.BadImageFormatException: An attempt was made to load a program "
        "with an incorrect format. (Exception from HRESULT: 0x8007000B)\n"
        "   at Microsoft.WindowsAzure.GuestAgent.ExtensionStateMachine.PluginInstaller.PackageExpand(String a)\n"
        "[00000004] [07/18/2019 14:46:28.89] [WARN] WindowsAzureGuestAgent could not be stopped. Exception: "
        "System.NullReferenceException: Object reference not set to an instance of an object.\n"
        "[00000006] [06/20/2019 07:44:28.93] [ERROR] Did not discover fabric address on interface Ethernet 2\n"
    )
    assert counts(text, dt.timedelta(days=9999)) == {
        "rdcrypt_init_failed": 1, "pfx_import_failed": 1, "bad_image_format": 1, "stuck_stopping": 1,
        "fabric_discovery_failed": 1}


def test_localized_socket_message_still_matches_on_tokens() -> None:
    text = ("[00000011] [12/11/2018 06:27:55.66] [WARN]  (Ignoring) 例外: System.Net.WebException: "
            "リモート サーバーに接続できません。\n"
            "---> System.Net.Sockets.SocketException: "
            "アクセス許可で禁じられた方法でソケットにアクセスしようとしました。 "
            "168.63.129.16:32526\n")
    assert counts(text) == {"hostgaplugin_blocked": 1}
    forbidden = "アクセス許可で禁じられた方法でソケットにアクセスしようとしました。"
    other = text.replace(forbidden, "接続済みの呼び出し先が...")
    assert counts(other) == {"hostgaplugin_unreachable": 1}


def test_window_is_relative_to_the_newest_entry() -> None:
    text = ("[00000001] [01/01/2024 00:00:00.00] [ERROR] GetVersions() failed with exception: old\n"
            "[00000001] [01/03/2024 00:00:00.00] [ERROR] GetVersions() failed with exception: new\n"
            "[00000001] [01/03/2024 01:00:00.00] [INFO]  fine\n")
    hits = wapp.scan_waappagent_log(text).hits["getversions_failed"]
    assert (hits.count, hits.older) == (1, 1)


def test_guest_agent_dir_versions() -> None:
    names = ["GuestAgent_2.7.41491.1102_2024-01-23_194431", "GuestAgent_2.7.41491.949_2023-01-01_000000",
             "guestagent_2.7.41491.1102_2024-02-01_000000", "GuestAgent", "Packages", "GuestAgent_x_y", None]
    assert wapp.guest_agent_dir_versions(names) == ["2.7.41491.949", "2.7.41491.1102"]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    wapp.scan_waappagent_log(text)
    wapp.guest_agent_dir_versions(text.split())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "[00000011] ", "[12/11/2018 06:27:55.66] ", "[99/99/9999 99:99:99.99] ", "2021-01-12T16:35:45Z ", "[ERROR] ",
    "GetVersions() failed", "SocketException", "168.63.129.16:32526", "\n", "\x00", "[", "]", "npcap",
    "Did not discover fabric address",
]), max_size=60))
def test_never_raises_on_token_soup(tokens: list[str]) -> None:
    wapp.scan_waappagent_log("".join(tokens))


def test_huge_input_is_bounded() -> None:
    started = time.monotonic()
    wapp.scan_waappagent_log("[00000001] [ERROR] " + "SocketException " * 300_000)
    wapp.scan_waappagent_log("[1]\n" * 300_000)
    wapp.scan_waappagent_log("\x00" * 1_000_000)
    assert time.monotonic() - started < 20


# -- entries: a continuation line belongs to the entry that started it ---------------------------

# SA-WINGA "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86" block, as
# published (its first line is the tail of an entry whose start the excerpt does not show).
PFX_BLOCK = (
    "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86\n"
    "\n"
    "[00000003] [10/21/2020 02:37:45.98] [WARN] Could not get transport certificate from agent runtime for "
    "subject name: 12345678-dae3-4c2f-be57-55c0ab7a44e5. Installing certificates in the LocalMachine store failed.\n"
    "[00000003] [10/21/2020 02:37:45.98] [ERROR] Installing certificates in the LocalMachine store failed with "
    "exception: Microsoft.WindowsAzure.GuestAgent.CertificateManager.CryptographyNative+PInvokeException: "
    "PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86.\n"
)


def test_one_certificate_import_failure_is_one_occurrence() -> None:
    found = wapp.scan_waappagent(PFX_BLOCK)
    assert {k: v.count for k, v in found.result.hits.items()} == {"pfx_import_failed": 1}
    assert found.fragment is not None and found.fragment.startswith("PInvoke PFXImportCertStore failed")


def test_a_multi_line_exception_is_one_entry_even_when_a_line_starts_with_a_bracket() -> None:
    text = (
        "[00000003] [10/21/2020 02:37:45.98] [ERROR] Installing certificates in the LocalMachine store failed "
        "with exception: Microsoft.WindowsAzure.GuestAgent.CertificateManager.CryptographyNative+PInvokeException:\n"
        "[0x80070056] PInvoke PFXImportCertStore failed and null handle is returned. Error Code: 86.\n"
        "   at Microsoft.WindowsAzure.GuestAgent.CertificateManager.CryptographyNative.PFXImportCertStore()\n"
        "[3] inner exception 3 of the same error\n"
        "[00000003] [10/21/2020 02:37:46.01] [INFO]  Next entry\n"
    )
    found = wapp.scan_waappagent(text)
    assert found.result.entries == 2
    assert {k: v.count for k, v in found.result.hits.items()} == {"pfx_import_failed": 1}
    assert "inner exception 3" in found.result.hits["pfx_import_failed"].excerpts[0]


def test_time_first_lines_start_entries() -> None:
    assert wapp.waappagent_line_start("[07/11/2019 21:04:40.25] [INFO]  Discovered fabric address on interface X.") \
        == (True, dt.datetime(2019, 7, 11, 21, 4, 40, 250000), "INFO")
    assert wapp.waappagent_line_start("[1] Stable")[0] is False
    assert wapp.waappagent_line_start("[0x80070056] text")[0] is False


# The healthy sequence of Microsoft's "Guest Agent Workflow" (supportability wiki), with a failed
# first attempt on another interface before it, as on a VM with two adapters.
HEALTHY_AFTER_RETRY = (
    "[07/11/2019 21:04:07.05] [INFO]  WindowsAzureGuestAgent starting. Version 2.7.41491.911\n"
    "[07/11/2019 21:04:29.86] [INFO]  Initializing ControlSystem.\n"
    "[07/11/2019 21:04:30.13] [INFO]  Attempting to discover fabric address on interface Ethernet 2.\n"
    "[07/11/2019 21:04:30.13] [WARN]  Empty DHCP option data returned\n"
    "[07/11/2019 21:04:30.14] [ERROR] Did not discover fabric address on interface Ethernet 2\n"
    "[07/11/2019 21:04:30.15] [INFO]  Attempting to discover fabric address on interface Local Area Connection 3.\n"
    "[07/11/2019 21:04:40.25] [INFO]  Discovered fabric address on interface Local Area Connection 3.\n"
    "[07/11/2019 21:04:40.25] [INFO]  Using fabric address 168.63.129.16 from DHCP.\n"
    "[07/11/2019 21:04:40.25] [INFO]  Using fabric URI http://168.63.129.16/.\n"
    "[07/11/2019 21:04:40.61] [INFO]  ControlSystem initialized with version 2012-11-30.\n"
)


def test_a_discovery_failure_followed_by_success_is_resolved_and_healthy_markers_are_seen() -> None:
    found = wapp.scan_waappagent(HEALTHY_AFTER_RETRY)
    assert found.result.hits == {}
    assert found.resolved["fabric_discovery_failed"].count == 1
    assert found.result.healthy["control_system_ready"].latest == dt.datetime(2019, 7, 11, 21, 4, 40, 610000)
    assert found.result.healthy["fabric_discovered"].count == 1


def test_npcap_first_then_the_real_adapter_is_resolved_too() -> None:
    text = read("waappagent_log_npcap_fabric_discovery.log") + (
        "[00000006] [06/20/2019 07:44:29.10] [INFO] Discovered fabric address on interface Ethernet\n")
    found = wapp.scan_waappagent(text)
    assert found.result.hits == {} and set(found.resolved) == {"npcap_fabric_discovery"}


def test_a_success_before_the_failure_does_not_resolve_it() -> None:
    text = (HEALTHY_AFTER_RETRY
            + "[07/12/2019 08:00:00.00] [ERROR] Did not discover fabric address on interface Local Area Connection 3\n")
    found = wapp.scan_waappagent(text)
    assert found.result.hits["fabric_discovery_failed"].count == 2
    assert found.resolved == {}
