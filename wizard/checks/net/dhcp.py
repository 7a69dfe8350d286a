"""`net.dhcp` (Windows): DHCP enabled on the primary network adapter.

Azure hands the VM agent the platform (Wire Server) address through DHCP (option 245, facts
§1.1); Microsoft documents that DHCP must be enabled inside the guest for Azure VM Backup. One
PowerShell command returns, as JSON with enums cast to strings, the connected IPv4 interfaces
(`Get-NetIPInterface`: alias, index, Dhcp, metric), the default routes (to find the primary
adapter: the interface of the lowest-metric 0.0.0.0/0 route) and the adapters (`Get-NetAdapter`,
to leave out the loopback pseudo-interface), and the IPv4 addresses (`Get-NetIPAddress`, with
`SkipAsSource`). `HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest` `DHCPStatus` is kept as evidence
only: its format is UNCONFIRMED. Agent log signatures (Npcap loopback adapter) belong to `agent.log`.

A static configuration is a problem only with a single address: Microsoft's procedure for several
IP configurations on one NIC *requires* them to be set statically inside Windows (azure-docs
"virtual-network-multiple-ip-addresses" OS configuration: "DHCP Enabled . . : No"), and Microsoft's
own guest checker flags a static NIC only when it has exactly one address. With several addresses
what matters is which one Windows uses as source: the lowest one not marked `SkipAsSource`, and
"only the IP address that is set as primary in the Azure portal is allowed to connect to the
Internet and Azure services, such as Azure Backup" (SupportArticles-docs "No Internet access from
Azure Windows VM that has multiple IP addresses"). It is compared with the NIC's first private IP
in IMDS when IMDS answered.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import (
    WINDOWS,
    Check,
    CheckContext,
    Finding,
    doc_link,
    m,
    not_applicable_off_azure,
    step,
)
from wizard.checks.commands import cmd
from wizard.checks.docs import TS_VM as DOC_VM_TS
from wizard.checks.net.proxy import DOC_AGENT_EXT
from wizard.checks.win_shell import ps_quote
from wizard.model import Component, Status, listed
from wizard.parsers.firewall import as_list, parse_powershell_json
from wizard.probes.base import is_unavailable

ERROR_CODES = ["GuestAgentSnapshotTaskStatusError", "ExtensionSnapshotFailedNoNetwork",
               "ExtensionOperationFailedForManagedDisks"]
DOC_MULTI_IP = doc_link("Assign multiple IP addresses to virtual machines (operating system configuration)",
                        "https://learn.microsoft.com/azure/virtual-network/ip-services/"
                        "virtual-network-multiple-ip-addresses-portal#os-config")
DOC_NO_INTERNET_MULTI_IP = doc_link("No Internet access from Azure Windows VM that has multiple IP addresses",
                                    "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/"
                                    "no-internet-access-multi-ip")
GUEST_KEY = "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest"
PS_TIMEOUT = 30.0

_PS_STATEMENTS = [
    "$ErrorActionPreference = 'Stop'",
    "$o = [ordered]@{}",
    "$o.interfaces = @(Get-NetIPInterface -AddressFamily IPv4 -ConnectionState Connected | ForEach-Object { "
    "[ordered]@{ InterfaceAlias = [string]$_.InterfaceAlias; InterfaceIndex = [int]$_.InterfaceIndex; "
    "Dhcp = [string]$_.Dhcp; InterfaceMetric = [int]$_.InterfaceMetric } })",
    "try { $o.routes = @(Get-NetRoute -AddressFamily IPv4 -DestinationPrefix 0.0.0.0/0 | ForEach-Object { "
    "[ordered]@{ InterfaceIndex = [int]$_.InterfaceIndex; RouteMetric = [int]$_.RouteMetric; "
    "NextHop = [string]$_.NextHop } }) } catch { $o.routes_error = [string]$_ }",
    "try { $o.adapters = @(Get-NetAdapter | ForEach-Object { [ordered]@{ InterfaceIndex = [int]$_.ifIndex; "
    "InterfaceDescription = [string]$_.InterfaceDescription; Status = [string]$_.Status } }) } "
    "catch { $o.adapters_error = [string]$_ }",
    "try { $o.addresses = @(Get-NetIPAddress -AddressFamily IPv4 | ForEach-Object { [ordered]@{ "
    "InterfaceIndex = [int]$_.InterfaceIndex; IPAddress = [string]$_.IPAddress; "
    "PrefixOrigin = [string]$_.PrefixOrigin; SkipAsSource = [string]$_.SkipAsSource } }) } "
    "catch { $o.addresses_error = [string]$_ }",
    "ConvertTo-Json -InputObject $o -Depth 4 -Compress",
]
DHCP_SCRIPT = "; ".join(_PS_STATEMENTS)
DHCP_ARGV = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", DHCP_SCRIPT]


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    try:
        return int(str(v).strip())
    except ValueError:
        return None


def dhcp_enabled(v: Any) -> bool | None:
    """`Dhcp` as PowerShell gives it: 'Enabled'/'Disabled' or the enum number 1/0."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {1: True, 0: False}.get(v)
    s = str(v or "").strip().lower()
    return {"enabled": True, "disabled": False, "1": True, "0": False}.get(s)


def interfaces(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Connected IPv4 interfaces, the loopback pseudo-interface left out."""
    adapters = {_int(a.get("InterfaceIndex")) for a in as_list(data.get("adapters")) if isinstance(a, dict)}
    adapters.discard(None)
    out: list[dict[str, Any]] = []
    for i in as_list(data.get("interfaces"))[:200]:
        if not isinstance(i, dict):
            continue
        index = _int(i.get("InterfaceIndex"))
        alias = str(i.get("InterfaceAlias") or "")[:200]
        if index is None or alias.lower().startswith("loopback pseudo-interface"):
            continue
        if adapters and index not in adapters:
            continue
        out.append({"alias": alias, "index": index, "dhcp": dhcp_enabled(i.get("Dhcp")),
                    "dhcp_raw": str(i.get("Dhcp"))[:40], "metric": _int(i.get("InterfaceMetric")) or 0})
    return out


def primary_interface(data: dict[str, Any], ifaces: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The interface of the lowest-metric default route; else the only (or lowest-metric) interface."""
    by_index = {i["index"]: i for i in ifaces}
    routes = []
    for r in as_list(data.get("routes"))[:200]:
        if isinstance(r, dict):
            index = _int(r.get("InterfaceIndex"))
            if index in by_index:
                routes.append(((_int(r.get("RouteMetric")) or 0) + by_index[index]["metric"], index))
    if routes:
        return by_index[min(routes)[1]]
    if ifaces:
        return min(ifaces, key=lambda i: (i["metric"], i["index"]))
    return None


def _ipv4_key(address: str) -> tuple[int, ...]:
    parts = address.split(".")
    try:
        return tuple(int(p) for p in parts) if len(parts) == 4 else (999,)
    except ValueError:
        return (999,)


def addresses_of(data: dict[str, Any], index: int) -> list[dict[str, Any]]:
    """The IPv4 addresses of one interface (APIPA 169.254.x.x left out), lowest first."""
    out = []
    for a in as_list(data.get("addresses"))[:500]:
        if not isinstance(a, dict) or _int(a.get("InterfaceIndex")) != index:
            continue
        ip = str(a.get("IPAddress") or "").strip()[:45]
        if not ip or ip.startswith("169.254.") or _ipv4_key(ip) == (999,):
            continue
        skip = str(a.get("SkipAsSource") or "").strip().lower() in ("true", "1")
        out.append({"ip": ip, "skip_as_source": skip, "origin": str(a.get("PrefixOrigin") or "")[:20]})
    return sorted(out, key=lambda a: _ipv4_key(a["ip"]))


def windows_source_address(addresses: list[dict[str, Any]]) -> str | None:
    """The address Windows sends from: the lowest one not marked SkipAsSource."""
    usable = [a["ip"] for a in addresses if not a["skip_as_source"]]
    return usable[0] if usable else None


def _azure_primary(ctx: CheckContext) -> str | None:
    imds = ctx.fact("imds")
    network = (imds.get("compute") or {}).get("network") if isinstance(imds, dict) else None
    ip = (network or {}).get("primary_private_ip")
    return str(ip) if ip else None


def _multi_ip_finding(ctx: CheckContext, primary: dict[str, Any], addresses: list[dict[str, Any]],
                      evidence: dict[str, Any]) -> Finding:
    alias, index = str(primary["alias"]), primary["index"]
    source = windows_source_address(addresses)
    azure = _azure_primary(ctx)
    evidence["windows_source_address"] = source
    evidence["azure_primary_ip"] = azure
    ips = listed(a["ip"] for a in addresses)
    docs = [DOC_MULTI_IP, DOC_NO_INTERNET_MULTI_IP]
    if azure and source and source != azure:
        others = [a["ip"] for a in addresses if a["ip"] != azure]
        others_list = ", ".join(ps_quote(ip) for ip in others)
        return Finding(
            Status.PROBLEM,
            m("The primary network adapter {alias} has several static IPv4 addresses ({ips}), and Windows sends from "
              "{source}, but the NIC's primary IP address in Azure is {azure}.", alias=alias, ips=ips, source=source,
              azure=azure),
            why=m("Windows uses the lowest address not marked SkipAsSource as its source address, and only the address "
                  "that is primary in Azure may reach Azure services; Microsoft names Azure Backup among the services "
                  "that then fail."),
            fix=[step("Make the Azure primary address Windows' source address and keep the others from being used as "
                      "source (elevated PowerShell):",
                      command=f"Set-NetIPAddress -InterfaceAlias {ps_quote(alias)} -IPAddress {ps_quote(azure)} "
                              f"-SkipAsSource $false; Set-NetIPAddress -InterfaceAlias {ps_quote(alias)} "
                              f"-IPAddress {others_list} -SkipAsSource $true"),
                 step("Check the result:", command=f"Get-NetIPAddress -InterfaceIndex {index} -AddressFamily IPv4 | "
                                                   "Select-Object IPAddress, SkipAsSource")],
            docs=docs, error_codes=list(ERROR_CODES), evidence=evidence)
    if azure and source == azure:
        return Finding(
            Status.INFO,
            m("The primary network adapter {alias} has several static IPv4 addresses ({ips}), as Microsoft's procedure "
              "for several IP configurations requires, and Windows sends from {source}, the NIC's primary IP address "
              "in Azure.", alias=alias, ips=ips, source=source),
            docs=docs, evidence=evidence)
    return Finding(
        Status.INFO,
        m("The primary network adapter {alias} has several static IPv4 addresses ({ips}), as Microsoft's procedure for "
          "several IP configurations requires; Windows sends from {source}. Check that this is the NIC's primary IP "
          "address in Azure.", alias=alias, ips=ips, source=source or "-"),
        why=m("Only the address that is primary in Azure may reach Azure services; if Windows sends from another one, "
              "Azure Backup and the VM agent cannot reach them."),
        fix=[step("Compare with the primary IP configuration of the network interface in the Azure portal:",
                  command=f"Get-NetIPAddress -InterfaceIndex {index} -AddressFamily IPv4 | "
                          "Select-Object IPAddress, SkipAsSource")],
        docs=docs, evidence=evidence)


def check_dhcp(ctx: CheckContext) -> Finding:
    off = not_applicable_off_azure(ctx)
    if off:
        return off
    ans = ctx.call("run", argv=DHCP_ARGV, timeout=PS_TIMEOUT)
    guest = ctx.call("registry", key=GUEST_KEY, value=None)
    evidence: dict[str, Any] = {"command": "powershell.exe -NoProfile -NonInteractive -Command <script>",
                                "script": DHCP_SCRIPT}
    if not is_unavailable(guest) and guest.get("exists") and isinstance(guest.get("values"), dict):
        values = {str(k): v for k, v in guest["values"].items()}
        evidence["guest_registry"] = {k: str(v)[:200] for k, v in values.items()
                                      if k.lower() in ("dhcpstatus", "dhcpwithfabricaddresstime")}
        evidence["guest_registry_note"] = ("the format of DHCPStatus is not confirmed by public documentation; "
                                           "shown as evidence only")
    if is_unavailable(ans) or not ans.get("found") or ans.get("timed_out") or ans.get("returncode") != 0:
        evidence["error"] = str(ans.get("stderr") or ans.get("error") or "")[:500]
        return Finding(Status.NOT_CHECKED, m("Not checked: the network adapters' DHCP settings could not be read "
                                             "({error}).", error=evidence["error"][:200] or "PowerShell failed"),
                       evidence=evidence)
    data, error = parse_powershell_json(str(ans.get("stdout") or ""))
    if not isinstance(data, dict):
        evidence["stdout_excerpt"] = str(ans.get("stdout") or "")[:2000]
        return Finding(Status.NOT_CHECKED, m("Not checked: the network adapters' DHCP settings could not be read "
                                             "({error}).", error=error or "unexpected output"), evidence=evidence)
    ifaces = interfaces(data)
    primary = primary_interface(data, ifaces)
    evidence["interfaces"] = [{k: i[k] for k in ("alias", "index", "dhcp_raw", "metric")} for i in ifaces[:20]]
    evidence["default_routes"] = as_list(data.get("routes"))[:10]
    evidence["adapters"] = as_list(data.get("adapters"))[:20]
    if primary is None or primary["dhcp"] is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: no connected network adapter with a readable DHCP setting "
                                             "was found."), evidence=evidence)
    evidence["primary"] = {k: primary[k] for k in ("alias", "index", "dhcp_raw")}
    addresses = addresses_of(data, primary["index"])
    if data.get("addresses") is not None or data.get("addresses_error"):
        evidence["primary_addresses"] = addresses[:20]
    if data.get("addresses_error"):
        evidence["addresses_error"] = str(data["addresses_error"])[:300]
    if primary["dhcp"] is False and len(addresses) > 1:
        return _multi_ip_finding(ctx, primary, addresses, evidence)
    if primary["dhcp"] is False:
        alias, index = str(primary["alias"]), primary["index"]
        return Finding(
            Status.PROBLEM,
            m("The primary network adapter {alias} (interface {index}) has a static IPv4 configuration: DHCP is "
              "disabled.", alias=alias, index=index),
            why=m("Azure tells the VM agent where the platform (the Wire Server, 168.63.129.16) is through DHCP. "
                  "With a static IP address inside the guest the agent may not find it, so extensions, including "
                  "the backup extension, cannot run or report and the Take Snapshot phase fails. Microsoft "
                  "documents that DHCP must be enabled inside the guest for Azure VM Backup."),
            fix=[step("If the VM needs a fixed address, set it in Azure instead (the network interface's IP "
                      "configuration, assignment Static); Azure then always gives the VM that address through DHCP."),
                 step("Turn DHCP back on for the adapter (in an elevated command prompt; a remote desktop session "
                      "may drop for a moment, so you can also use the Azure serial console):",
                      command=f"netsh interface ipv4 set address name={cmd(alias, always=True)} source=dhcp && "
                              f"netsh interface ipv4 set dnsservers name={cmd(alias, always=True)} source=dhcp"),
                 step("Check that DHCP is now enabled:",
                      command=f"Get-NetIPInterface -InterfaceIndex {_int(index) or 0} -AddressFamily IPv4 | "
                              "Select-Object InterfaceAlias, Dhcp")],
            docs=[DOC_AGENT_EXT, DOC_VM_TS],
            error_codes=list(ERROR_CODES),
            evidence=evidence,
        )
    static_others = [i for i in ifaces if i is not primary and i["dhcp"] is False]
    if static_others:
        return Finding(Status.INFO, m("DHCP is enabled on the primary network adapter {alias}, but these other "
                                      "adapters use a static IPv4 configuration: {others}.", alias=primary["alias"],
                                      others=listed(f"{i['alias']} ({i['index']})" for i in static_others[:10])),
                       docs=[DOC_VM_TS], evidence=evidence)
    return Finding(Status.OK, m("DHCP is enabled on the primary network adapter {alias} (interface {index}).",
                                alias=primary["alias"], index=primary["index"]), evidence=evidence)


CHECKS: list[Check] = [
    Check("net.dhcp", WINDOWS, Component.NETWORK_PATH, "DHCP on the primary network adapter", check_dhcp,
          timeout_s=35.0, live_only=True),
]

