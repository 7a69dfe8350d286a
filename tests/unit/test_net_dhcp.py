"""`net.dhcp` (Windows): DHCP on the primary network adapter, from PowerShell JSON."""

from __future__ import annotations

import json
from typing import Any

from wizard import runner
from wizard.checks.facts import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.net import dhcp
from wizard.checks.registry import ALL_CHECKS
from wizard.model import CheckResult, Status
from wizard.probes.base import Answer
from wizard.probes.fake import FakeSystem

LOOPBACK = {"InterfaceAlias": "Loopback Pseudo-Interface 1", "InterfaceIndex": 1, "Dhcp": "Disabled",
            "InterfaceMetric": 75}
ETH0 = {"InterfaceAlias": "Ethernet", "InterfaceIndex": 6, "Dhcp": "Enabled", "InterfaceMetric": 15}
ETH1 = {"InterfaceAlias": "Ethernet 2", "InterfaceIndex": 9, "Dhcp": "Disabled", "InterfaceMetric": 25}
ADAPTERS = [{"InterfaceIndex": 6, "InterfaceDescription": "Microsoft Hyper-V Network Adapter", "Status": "Up"},
            {"InterfaceIndex": 9, "InterfaceDescription": "Microsoft Hyper-V Network Adapter #2", "Status": "Up"}]
ROUTES = [{"InterfaceIndex": 6, "RouteMetric": 0, "NextHop": "10.0.0.1"}]


def windows_vm(interfaces: Any = None, routes: Any = None, adapters: Any = None, output: Answer | str | None = None,
               azure: bool = True, guest: dict[str, Any] | None = None) -> FakeSystem:
    fake = FakeSystem(system="windows", user="Administrator")
    if azure:
        fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
    else:
        fake.asset_tag = "To Be Filled By O.E.M."  # a readable firmware tag that is not Azure's
    if output is None:
        output = json.dumps({"interfaces": [LOOPBACK, ETH0] if interfaces is None else interfaces,
                             "routes": ROUTES if routes is None else routes,
                             "adapters": ADAPTERS if adapters is None else adapters})
    fake.commands[tuple(dhcp.DHCP_ARGV)] = output
    if guest is not None:
        fake.registry[dhcp.GUEST_KEY] = guest
    return fake


def run(fake: Any) -> CheckResult:
    d = runner.run(ALL_CHECKS, fake, only=["net.dhcp"])
    assert len(d.results) == 1
    return d.results[0]


def test_script_has_no_double_quotes() -> None:
    assert '"' not in dhcp.DHCP_SCRIPT and "ConvertTo-Json" in dhcp.DHCP_SCRIPT


def test_dhcp_enabled_is_ok_and_loopback_ignored() -> None:
    r = run(windows_vm(guest={"DHCPStatus": "Enabled", "GuestAgentVersion": "2.7.41491.1102"}))
    assert r.status is Status.OK
    assert r.summary.params == {"alias": "Ethernet", "index": 6}
    assert [i["index"] for i in r.evidence["interfaces"]] == [6]
    assert r.evidence["guest_registry"] == {"DHCPStatus": "Enabled"}
    assert "not confirmed by public documentation" in r.evidence["guest_registry_note"]


def test_static_primary_is_problem() -> None:
    static = dict(ETH0, Dhcp="Disabled")
    r = run(windows_vm(interfaces=[LOOPBACK, static]))
    assert r.status is Status.PROBLEM
    assert r.error_codes == ["GuestAgentSnapshotTaskStatusError", "ExtensionSnapshotFailedNoNetwork",
                             "ExtensionOperationFailedForManagedDisks"]
    assert r.summary.params == {"alias": "Ethernet", "index": 6}
    commands = [s.command for s in r.fix if s.command]
    assert commands[0] == ('netsh interface ipv4 set address name="Ethernet" source=dhcp && '
                           'netsh interface ipv4 set dnsservers name="Ethernet" source=dhcp')
    assert "Get-NetIPInterface -InterfaceIndex 6" in commands[1]
    assert r.why is not None and "Take Snapshot" in r.why.id


def test_primary_follows_the_default_route_and_secondary_static_is_info() -> None:
    r = run(windows_vm(interfaces=[ETH1, ETH0]))
    assert r.status is Status.INFO
    assert r.summary.params == {"alias": "Ethernet", "others": ("Ethernet 2 (9)",)}
    r = run(windows_vm(interfaces=[ETH1, ETH0], routes=[{"InterfaceIndex": 9, "RouteMetric": 0}]))
    assert r.status is Status.PROBLEM and r.summary.params["index"] == 9


def test_without_routes_the_lowest_metric_interface_is_primary() -> None:
    r = run(windows_vm(interfaces=[ETH1, ETH0], routes=[]))
    assert r.evidence["primary"]["index"] == 6


def test_single_objects_and_numeric_enums() -> None:
    output = json.dumps({"interfaces": dict(ETH0, Dhcp=0), "routes": ROUTES[0], "adapters": ADAPTERS[0]})
    r = run(windows_vm(output=output))
    assert r.status is Status.PROBLEM
    output = json.dumps({"interfaces": dict(ETH0, Dhcp=1), "routes": None, "adapters_error": "not supported"})
    assert run(windows_vm(output=output)).status is Status.OK


def test_unreadable_output_is_not_checked() -> None:
    r = run(windows_vm(output={"returncode": 1, "stderr": "Get-NetIPInterface : Access denied"}))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params == {"error": "Get-NetIPInterface : Access denied"}
    r = run(windows_vm(output="garbage"))
    assert r.status is Status.NOT_CHECKED and r.summary.params == {"error": "no JSON in the output"}
    r = run(windows_vm(output={"found": False, "returncode": None, "error": "command not found: powershell.exe"}))
    assert r.status is Status.NOT_CHECKED


def test_no_interfaces_is_not_checked() -> None:
    r = run(windows_vm(interfaces=[LOOPBACK]))
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: no connected network adapter")
    r = run(windows_vm(interfaces=[dict(ETH0, Dhcp="Weird")]))
    assert r.status is Status.NOT_CHECKED


def test_not_applicable_off_azure_and_not_on_linux() -> None:
    r = run(windows_vm(azure=False))
    assert r.status is Status.NOT_CHECKED and r.evidence == {"is_azure": False}
    d = runner.run(ALL_CHECKS, FakeSystem(system="linux"), only=["net.dhcp"])
    assert d.results == []


# -- several static IP addresses on the primary NIC (Microsoft's multi-IP procedure) -------------
# The multi-IP layout follows azure-docs "Assign multiple IP addresses ... (os-config)" (static addresses
# inside Windows) and SupportArticles-docs "No Internet access from Azure Windows VM that has multiple
# IP addresses" (Windows uses the lowest address not marked SkipAsSource).

STATIC_ETH0 = dict(ETH0, Dhcp="Disabled")


def addr(ip: str, skip: bool = False, index: int = 6) -> dict[str, Any]:
    return {"InterfaceIndex": index, "IPAddress": ip, "PrefixOrigin": "Manual", "SkipAsSource": str(skip)}


def multi_ip_vm(addresses: list[dict[str, Any]], azure_primary: str | None) -> FakeSystem:
    fake = windows_vm(output=json.dumps({"interfaces": [LOOPBACK, STATIC_ETH0], "routes": ROUTES,
                                         "adapters": ADAPTERS, "addresses": addresses}))
    if azure_primary is not None:
        from wizard.checks.base import Settings
        from wizard.checks.facts import IMDS_INSTANCE_PATH

        doc = {"compute": {"vmId": "x", "name": "vm"},
               "network": {"interface": [{"ipv4": {"ipAddress": [{"privateIpAddress": azure_primary},
                                                                 {"privateIpAddress": "10.0.0.7"}]}}]}}
        fake.http[Settings().imds_base + IMDS_INSTANCE_PATH] = (200, json.dumps(doc))
    return fake


def test_a_single_static_address_is_still_a_problem() -> None:
    r = run(multi_ip_vm([addr("10.0.0.10"), addr("169.254.10.2")], azure_primary="10.0.0.10"))
    assert r.status is Status.PROBLEM
    assert r.summary.id.startswith("The primary network adapter {alias} (interface {index}) has a static IPv4")


def test_several_static_addresses_with_the_azure_primary_as_source_are_info() -> None:
    r = run(multi_ip_vm([addr("10.0.0.7", skip=True), addr("10.0.0.10")], azure_primary="10.0.0.10"))
    assert r.status is Status.INFO
    assert r.summary.params == {"alias": "Ethernet", "ips": ("10.0.0.7", "10.0.0.10"), "source": "10.0.0.10"}
    assert r.error_codes == []


def test_windows_sending_from_another_address_than_azures_primary_is_a_problem() -> None:
    r = run(multi_ip_vm([addr("10.0.0.10"), addr("10.0.0.7")], azure_primary="10.0.0.10"))
    assert r.status is Status.PROBLEM
    assert r.summary.params == {"alias": "Ethernet", "ips": ("10.0.0.7", "10.0.0.10"), "source": "10.0.0.7",
                                "azure": "10.0.0.10"}
    assert r.fix[0].command == (
        "Set-NetIPAddress -InterfaceAlias 'Ethernet' -IPAddress '10.0.0.10' -SkipAsSource $false; "
        "Set-NetIPAddress -InterfaceAlias 'Ethernet' -IPAddress '10.0.0.7' -SkipAsSource $true")
    assert "GuestAgentSnapshotTaskStatusError" in r.error_codes


def test_several_static_addresses_without_imds_ask_to_compare() -> None:
    r = run(multi_ip_vm([addr("10.0.0.10"), addr("10.0.0.7")], azure_primary=None))
    assert r.status is Status.INFO
    assert r.summary.params["source"] == "10.0.0.7"
    assert r.evidence["azure_primary_ip"] is None


def test_the_address_list_of_another_adapter_does_not_count() -> None:
    r = run(multi_ip_vm([addr("10.0.0.10"), addr("10.1.0.4", index=9)], azure_primary="10.0.0.10"))
    assert r.status is Status.PROBLEM  # one address on the primary adapter: static single IP


def test_a_quote_in_an_adapter_name_stays_inside_the_literal() -> None:
    fake = multi_ip_vm([addr("10.0.0.10"), addr("10.0.0.7")], azure_primary="10.0.0.10")
    fake.commands[tuple(dhcp.DHCP_ARGV)] = json.dumps({
        "interfaces": [dict(STATIC_ETH0, InterfaceAlias="Bob's NIC")], "routes": ROUTES, "adapters": ADAPTERS,
        "addresses": [addr("10.0.0.10"), addr("10.0.0.7")]})
    r = run(fake)
    assert "-InterfaceAlias 'Bob''s NIC'" in r.fix[0].command  # type: ignore[operator]


def test_imds_network_is_parsed_from_microsofts_sample() -> None:
    from pathlib import Path

    from wizard.parsers.imds import parse_instance

    text = (Path(__file__).resolve().parents[1] / "data" / "imds" / "instance_windows_doc.json").read_text()
    assert parse_instance(text)["network"]["primary_private_ip"] == "10.144.133.132"
