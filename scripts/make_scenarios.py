#!/usr/bin/env python3
"""Rebuild the shipped demo scenarios in resources/scenarios/.

Each scenario is a virtual machine described in plain data (`wizard.probes.fake.FakeSystem`),
built from the real sample files in tests/data/ (copied from the shared fixtures) where they
exist. The real checks run against it while a recorder writes down every probe call, so each
scenario answers everything the checks ask. Where no real sample exists (a healthy
waagent.log of today, an English vssadmin listing, iptables output), the text is written in
the exact format the facts file documents, and the scenario's description says so.

    python scripts/make_scenarios.py          # writes resources/scenarios/*.json
    python scripts/make_scenarios.py --check  # exits 1 if a shipped scenario is out of date
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wizard import runner  # noqa: E402
from wizard.checks.facts import AZURE_ASSET_TAG, IMDS_INSTANCE_PATH  # noqa: E402
from wizard.checks.guest.common import WINDOWS_ARGV as GUEST_PS_ARGV  # noqa: E402
from wizard.checks.guest.linux import PYTHON_PROBE, SYSTEMCTL_ARGV  # noqa: E402
from wizard.checks.net.dhcp import DHCP_ARGV  # noqa: E402
from wizard.checks.net.firewall import CONNECTION_PROFILES_ARGV  # noqa: E402
from wizard.checks.registry import ALL_CHECKS  # noqa: E402
from wizard.checks.res import EVENTS_ARGV  # noqa: E402
from wizard.knowledge.scenarios import TITLES  # noqa: E402
from wizard.parsers import win_fw_registry as fwreg  # noqa: E402
from wizard.probes.fake import FakeFile, FakeSystem  # noqa: E402
from wizard.probes.scenario import RecordingProbe  # noqa: E402

DATA = ROOT / "tests" / "data"
OUT = ROOT / "resources" / "scenarios"
WS = "168.63.129.16"
IMDS_URL = "http://169.254.169.254:80" + IMDS_INSTANCE_PATH
RECORDED_AT = "2026-11-25T10:00:00+00:00"


def data(path: str) -> str:
    return (DATA / path).read_text(encoding="utf-8")


# -- shared pieces ---------------------------------------------------------------------

def imds_document(os_type: str, name: str, size: str) -> str:
    """The IMDS sample from Microsoft's documentation with this VM's name, OS and size."""
    doc = json.loads(data("imds/instance_windows_doc.json"))
    compute = doc["compute"]
    compute.update({"name": name, "osType": os_type, "vmSize": size, "location": "japaneast",
                    "resourceGroupName": "rg-backup-demo"})
    storage = compute["storageProfile"]
    storage["osDisk"]["diffDiskSettings"] = {"option": ""}  # a managed OS disk, not an ephemeral one
    for disk in storage["dataDisks"]:
        disk["isUltraDisk"] = "false"
        disk["managedDisk"]["storageAccountType"] = "Premium_LRS"
    if os_type == "Linux":
        compute.update({"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2"})
    return json.dumps(doc, indent=2)


def wireserver_ok() -> tuple[dict[tuple[str, int], str], dict[str, tuple[int, str] | str]]:
    tcp = {(WS, 80): "connected", (WS, 32526): "connected"}
    http: dict[str, tuple[int, str] | str] = {
        f"http://{WS}/?comp=versions": (200, data("wireserver/versions.xml")),
        f"http://{WS}:32526/health": (200, ""),
    }
    return tcp, http


LINUX_HEALTHY_LOG = """\
2026-11-25T09:41:02.118402Z INFO Daemon Daemon Azure Linux Agent Version: 2.9.1.1
2026-11-25T09:41:02.121783Z INFO Daemon Daemon OS: ubuntu 22.04
2026-11-25T09:41:02.124512Z INFO Daemon Daemon Python: 3.10.12
2026-11-25T09:41:03.538103Z INFO Daemon Daemon Wire server endpoint:168.63.129.16
2026-11-25T09:41:03.671290Z INFO Daemon Daemon Fabric preferred wire protocol version:2015-04-05
2026-11-25T09:41:03.674021Z INFO Daemon Daemon Wire protocol version:2012-11-30
2026-11-25T09:41:12.902817Z INFO ExtHandler ExtHandler Azure Linux Agent (Goal State Agent version 2.15.0.1)
2026-11-25T09:41:13.377209Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState started [Incarnation: 2; Activity Id: 5fd5e3a1-1c4f-4f5e-9b0a-8a7f0b4d2c11; Correlation Id: 0c1e7c9d-3f4a-4a0b-8f5e-2d3c4b5a6978; GS Creation Time: 2026-11-25T09:40:51.284919Z]
2026-11-25T09:41:14.804553Z INFO ExtHandler ExtHandler ProcessExtensionsGoalState completed [Incarnation: 2; 1427 ms]
2026-11-25T09:41:15.049113Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.15.0.1 is running as the goal state agent [DEBUG HeartbeatCounter: 0;HeartbeatId: 9a1b3f4e-6d7c-4e2a-bf1d-5c6e7f8a9b0c;DroppedPackets: 0;UpdateGSErrors: 0;AutoUpdate: 1;UpdateMode: SelfUpdate]
2026-11-25T09:56:15.332917Z INFO ExtHandler ExtHandler [HEARTBEAT] Agent WALinuxAgent-2.15.0.1 is running as the goal state agent [DEBUG HeartbeatCounter: 1;HeartbeatId: 9a1b3f4e-6d7c-4e2a-bf1d-5c6e7f8a9b0c;DroppedPackets: 0;UpdateGSErrors: 0;AutoUpdate: 1;UpdateMode: SelfUpdate]
"""

# The agent's own three rules, as `iptables -t security -S` prints them (facts §2.1).
IPTABLES_SECURITY_AGENT = """\
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 53 -j ACCEPT
-A OUTPUT -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT
-A OUTPUT -d 168.63.129.16/32 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP
"""
IPTABLES_FILTER_EMPTY = "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"
IPTABLES_FILTER_DROP = IPTABLES_FILTER_EMPTY + "-A OUTPUT -d 168.63.129.16/32 -p tcp -m multiport --dports 80,32526 -j DROP\n"
NOT_ROOT = {"returncode": 4, "stdout": "",
            "stderr": "iptables v1.8.7 (nf_tables): Could not fetch rule set generation id: "
                      "Permission denied (you must be root)\n"}

LINUX_MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
udev /dev devtmpfs rw,nosuid,relatime,size=4010548k,nr_inodes=1002637,mode=755,inode64 0 0
tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=812376k,mode=755,inode64 0 0
/dev/sda1 / ext4 rw,relatime,discard,errors=remount-ro 0 0
/dev/sda15 /boot/efi vfat rw,relatime,fmask=0077,dmask=0077,codepage=437,iocharset=iso8859-1 0 0
/dev/sdb1 /mnt ext4 rw,relatime,x-systemd.after=cloud-init.service 0 0
"""


def linux_vm(**changes: object) -> FakeSystem:
    """A healthy Ubuntu 22.04 VM with the agent, the backup extension and its last good status."""
    tcp, http = wireserver_ok()
    http[IMDS_URL] = (200, imds_document("Linux", "vm-ubuntu01", "Standard_D2s_v5"))
    handler = "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0"
    files: dict[str, FakeFile | str] = {
        "/sys/class/dmi/id/chassis_asset_tag": AZURE_ASSET_TAG + "\n",
        "/etc/waagent.conf": data("linux/waagent.conf"),
        "/usr/sbin/waagent": FakeFile(text="#!/usr/bin/python3 -u\n", mode=0o755),
        "/lib/systemd/system/walinuxagent.service": data("linux/walinuxagent.service"),
        "/usr/bin/python3": FakeFile(text="", mode=0o755),
        "/var/lib/dpkg/status": "Package: walinuxagent\nStatus: install ok installed\n",
        "/var/lib/dpkg/info/walinuxagent.list": "/.\n/lib\n/lib/systemd\n/lib/systemd/system\n"
                                                "/lib/systemd/system/walinuxagent.service\n/usr/sbin/waagent\n",
        "/var/log/waagent.log": LINUX_HEALTHY_LOG,
        "/proc/mounts": LINUX_MOUNTS,
        "/etc/azure/vmbackup.conf": data("linux/vmbackup.conf"),
        "/var/lib/waagent/WALinuxAgent-2.15.0.1/HandlerManifest.json": "[]",
        handler + "/HandlerManifest.json": data("linux/vmbackup_HandlerManifest.json"),
        handler + "/status/0.status": data("linux/vmsnapshotlinux_status_success.json"),
    }
    vm = FakeSystem(
        system="linux", hostname="vm-ubuntu01", release="6.8.0-1015-azure",
        version="#17~22.04.1-Ubuntu SMP", is_admin=True, user="root",
        files=files,
        commands={
            ("waagent", "--version"): "WALinuxAgent-2.9.1.1 running on ubuntu 22.04\nPython: 3.10.12\n"
                                      "Goal state agent: 2.15.0.1\n",
            ("iptables", "-w", "-t", "security", "-S"): IPTABLES_SECURITY_AGENT,
            ("iptables", "-w", "-t", "filter", "-S"): IPTABLES_FILTER_EMPTY,
            tuple(SYSTEMCTL_ARGV): data("linux/systemctl_show_agent_units.txt"),
            ("/usr/bin/python3", "-B", "-c", PYTHON_PROBE): "version=3.10.12\nmodule azurelinuxagent.agent=ok\n"
                                                             "module requests=ok\n",
            ("apt-cache", "policy", "walinuxagent"): data("linux/apt_cache_policy_walinuxagent_ubuntu.txt"),
        },
        services={"walinuxagent": {"state": "running", "start_type": "automatic", "enabled": "enabled"}},
        tcp=tcp, http=http,
        cpu_percent=14.0, memory_percent=38.0, memory_total=8 * 1024**3, cores=2,
        disks={"/": (30 * 1024**3, 21 * 1024**3), "/var/lib/waagent": (30 * 1024**3, 21 * 1024**3)},
        processes=[{"pid": 812, "name": "python3", "cmdline": "/usr/bin/python3 -u /usr/sbin/waagent -daemon",
                    "username": "root"},
                   {"pid": 1033, "name": "python3", "username": "root",
                    "cmdline": "python3 -u bin/WALinuxAgent-2.15.0.1-py3.12.egg -run-exthandlers"}],
        cpu_top=[{"pid": 1033, "name": "python3", "percent": 1.2}],
    )
    for k, v in changes.items():
        setattr(vm, k, v)
    return vm


WINDOWS_HEALTHY_LOG = """\
[00000007] 11/25/2026 09:40:12.421 [INFO]  WindowsAzureGuestAgent starting. Version 2.7.41491.1102
[00000007] 11/25/2026 09:40:13.904 [INFO]  Attempting to discover fabric address on interface Ethernet.
[00000007] 11/25/2026 09:40:13.913 [INFO]  Discovered fabric address on interface Ethernet.
[00000011] 11/25/2026 09:40:15.277 [INFO]  GetVersions() succeeded.
[00000011] 11/25/2026 09:40:18.608 [INFO]  Goal state received. Incarnation: 3
"""

VSSADMIN_EN_HEALTHY = """\
vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool
(C) Copyright 2001-2013 Microsoft Corp.

Writer name: 'Task Scheduler Writer'
   Writer Id: {d61d61c8-d73a-4eee-8cdd-f6f9786b7124}
   Writer Instance Id: {1bddd48e-5052-49db-9b07-b96f96727e6b}
   State: [1] Stable
   Last error: No error

Writer name: 'VSS Metadata Store Writer'
   Writer Id: {75dfb225-e2e4-4d39-9ac9-ffaff65ddf06}
   Writer Instance Id: {088e7a7d-09a8-4cc6-a609-ad90e75ddc93}
   State: [1] Stable
   Last error: No error

Writer name: 'System Writer'
   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}
   Writer Instance Id: {7848396d-00b1-47cd-8ba9-769b7ce402d2}
   State: [1] Stable
   Last error: No error

Writer name: 'Registry Writer'
   Writer Id: {afbab4a2-367d-4d15-a586-71dbb18f8485}
   Writer Instance Id: {25428453-2ded-4204-800f-e87204f2508a}
   State: [1] Stable
   Last error: No error
"""

# Windows Firewall as the registry holds it ([MS-GPFAS] 2.2.2.19 rule strings; built-in rule ids and
# @FirewallAPI.dll resource names illustrative), the three profiles enabled, outbound allowed by default.
FIREWALL_RULES = {
    "CoreNet-DNS-Out-UDP": "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|RPort=53|"
                           "App=%SystemRoot%\\system32\\svchost.exe|Svc=dnscache|Name=@FirewallAPI.dll,-25405|",
    "CoreNet-DHCP-Out": "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=17|LPort=68|RPort=67|"
                        "App=%SystemRoot%\\system32\\svchost.exe|Svc=dhcp|Name=@FirewallAPI.dll,-25302|",
    "RemoteDesktop-UserMode-In-TCP": "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|"
                                     "App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|"
                                     "Name=@FirewallAPI.dll,-28775|",
}
FIREWALL_PROFILES = {fwreg.LOCAL_POLICY + "\\" + sub: {"EnableFirewall": 1} for sub in fwreg.LOCAL_PROFILES.values()}
CONNECTION_PROFILES = json.dumps([{"InterfaceAlias": "Ethernet", "NetworkCategory": "Public"}])
DHCP_PS_OK = json.dumps({
    "interfaces": [{"InterfaceAlias": "Ethernet", "InterfaceIndex": 6, "Dhcp": "Enabled", "InterfaceMetric": 10}],
    "routes": [{"InterfaceIndex": 6, "RouteMetric": 0, "NextHop": "10.0.0.1"}],
    "adapters": [{"InterfaceIndex": 6, "InterfaceDescription": "Microsoft Hyper-V Network Adapter", "Status": "Up"}],
    "addresses": [{"InterfaceIndex": 6, "IPAddress": "10.0.0.4", "PrefixOrigin": "Dhcp", "SkipAsSource": "False"}],
})
WINHTTP_DIRECT = "1800000000000000010000000000000000000000"
NETSH_DIRECT_EN = "\nCurrent WinHTTP proxy settings:\n\n    Direct access (no proxy server).\n\n"
WINDOWS_EXT_STATUS = json.dumps([{
    "version": 1.0, "timestampUTC": "2026-11-25T09:47:31Z",
    "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshot", "operation": "Enable", "status": "success",
               "code": 0, "formattedMessage": {"lang": "en-US", "message": "Snapshot taken successfully."}},
}])


# A .NET 4 machine.config without WCF debugging (shortened; constructed).
MACHINE_CONFIG = ('<?xml version="1.0" encoding="UTF-8" ?>\n<configuration>\n    <system.serviceModel>\n'
                  '        <extensions>\n        </extensions>\n    </system.serviceModel>\n</configuration>\n')


def windows_vm(**changes: object) -> FakeSystem:
    """A healthy Windows Server 2022 VM with the guest agent and the VMSnapshot extension."""
    tcp, http = wireserver_ok()
    http[IMDS_URL] = (200, imds_document("Windows", "vm-win01", "Standard_D4s_v5"))
    ext = "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot\\1.0.70.0"
    agent_dir = "C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-23_194431"
    vm = FakeSystem(
        system="windows", hostname="vm-win01", release="2022Server", version="10.0.20348",
        is_admin=True, user="azureadmin",
        files={
            agent_dir + "\\WindowsAzureGuestAgent.exe": "",
            "C:\\WindowsAzure\\Packages\\WaAppAgent.exe": "",
            "C:\\WindowsAzure\\Logs\\WaAppAgent.log": WINDOWS_HEALTHY_LOG,
            "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config": MACHINE_CONFIG,
            ext + "\\Status\\0.status": WINDOWS_EXT_STATUS,
            ext + "\\RuntimeSettings\\0.settings": "{}",
        },
        asset_tag=AZURE_ASSET_TAG,  # read in-process from the firmware table
        commands={
            ("vssadmin", "list", "writers"): VSSADMIN_EN_HEALTHY,
            tuple(CONNECTION_PROFILES_ARGV): CONNECTION_PROFILES,
            tuple(DHCP_ARGV): DHCP_PS_OK,
            ("netsh", "winhttp", "show", "proxy"): NETSH_DIRECT_EN,
            tuple(GUEST_PS_ARGV): data("windows/guest_ps_healthy_en.json"),
            tuple(EVENTS_ARGV): data("windows/events_ps_none.json"),
        },
        services={
            "WindowsAzureGuestAgent": {"state": "running", "start_type": "automatic"},
            "KeyIso": {"state": "running", "start_type": "manual"},
            "Winmgmt": {"state": "running", "start_type": "automatic"},
            "RdAgent": {"state": "running", "start_type": "automatic"},
            "VSS": {"state": "stopped", "start_type": "manual"},
            "COMSysApp": {"state": "stopped", "start_type": "manual"},
            "MSDTC": {"state": "running", "start_type": "manual"},
        },
        registry={
            "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest": {"GuestAgentVersion": "2.7.41491.1102",
                                                                  "DHCPStatus": "Enabled"},
            "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections":
                {"WinHttpSettings": WINHTTP_DIRECT},
            "HKLM\\SOFTWARE\\Microsoft\\Windows Azure": {"VmId": "8d1a2f3b-6c4e-4f7a-9b2d-0e1f2a3b4c5d"},
            fwreg.LOCAL_RULES: dict(FIREWALL_RULES),
            **{k: dict(v) for k, v in FIREWALL_PROFILES.items()},
        },
        tcp=tcp, http=http,
        cpu_percent=9.0, memory_percent=47.0, memory_total=16 * 1024**3, cores=4,
        disks={"C:\\": (127 * 1024**3, 84 * 1024**3)},
        cpu_top=[{"pid": 4120, "name": "MsMpEng.exe", "percent": 2.1}],
    )
    for k, v in changes.items():
        setattr(vm, k, v)
    return vm


# -- the scenarios -----------------------------------------------------------------------

def healthy_linux() -> FakeSystem:
    return linux_vm()


def healthy_windows() -> FakeSystem:
    return windows_vm()


def linux_firewall_drops_wireserver() -> FakeSystem:
    vm = linux_vm()
    vm.commands[("iptables", "-w", "-t", "filter", "-S")] = IPTABLES_FILTER_DROP
    vm.tcp = {(WS, 80): "timeout", (WS, 32526): "timeout"}
    vm.http[f"http://{WS}/?comp=versions"] = "timeout"
    vm.http[f"http://{WS}:32526/health"] = "timeout"
    vm.files["/var/log/waagent.log"] = LINUX_HEALTHY_LOG + data("linux/waagent_log_goalstate_errors.log")
    return vm


def windows_agent_stopped() -> FakeSystem:
    vm = windows_vm()
    vm.services["WindowsAzureGuestAgent"] = {"state": "stopped", "start_type": "automatic"}
    vm.services["RdAgent"] = {"state": "stopped", "start_type": "automatic"}
    guest = json.loads(data("windows/guest_ps_healthy_en.json"))
    guest["modules"] = [{"Process": name, "Running": False} for name in ("WaAppAgent", "WindowsAzureGuestAgent")]
    vm.commands[tuple(GUEST_PS_ARGV)] = json.dumps(guest, separators=(",", ":")) + "\r\n"
    return vm


def linux_not_root() -> FakeSystem:
    vm = linux_vm(is_admin=False, user="azureuser")
    # The agent's own firewall drops non-root traffic to the Wire Server: connects time out.
    vm.tcp = {(WS, 80): "timeout", (WS, 32526): "timeout"}
    vm.http[f"http://{WS}/?comp=versions"] = "timeout"
    vm.http[f"http://{WS}:32526/health"] = "timeout"
    vm.commands[("iptables", "-w", "-t", "security", "-S")] = NOT_ROOT
    vm.commands[("iptables", "-w", "-t", "filter", "-S")] = NOT_ROOT
    vm.files["/var/lib/waagent"] = FakeFile(is_dir=True, mode=0o700, readable=False)
    vm.processes = [{**p, "username": "root"} for p in vm.processes]
    return vm


def high_cpu() -> FakeSystem:
    return linux_vm(cpu_percent=97.5, cpu_top=[
        {"pid": 22817, "name": "java", "percent": 81.4},
        {"pid": 3391, "name": "mysqld", "percent": 12.2},
        {"pid": 1033, "name": "python3", "percent": 1.1},
    ])


def windows_vss_writer_failed_ja() -> FakeSystem:
    vm = windows_vm(hostname="vm-win-ja01")
    text = data("windows/vssadmin_list_writers_ja_healthy.txt")
    marker = "‘System Writer’"
    head, _, tail = text.partition(marker)
    tail = tail.replace("[1] 安定", "[8] 失敗しました", 1).replace("エラーなし", "再試行可能なエラー", 1)
    vm.commands[("vssadmin", "list", "writers")] = head + marker + tail
    vm.commands[("netsh", "winhttp", "show", "proxy")] = data("windows/netsh_winhttp_show_proxy_ja_direct.txt")
    vm.commands[tuple(EVENTS_ARGV)] = data("windows/events_ps_vss_ja.json")
    return vm


def windows_volsnap_timeouts() -> FakeSystem:
    vm = windows_vm()
    vm.commands[tuple(EVENTS_ARGV)] = data("windows/events_ps_volsnap_en.json")
    return vm


def linux_fsfreeze_failed() -> FakeSystem:
    vm = linux_vm()
    outer = json.loads(data("linux/vmsnapshotlinux_status_success.json"))
    inner = json.loads(outer[0]["status"]["substatus"][0]["name"])
    report = inner[0]["status"]
    report["status"] = "error"
    report["code"] = "121"
    report["vmHealthInfo"] = {"vmHealthStatusCode": 121, "vmHealthState": 128}
    report["formattedMessage"]["message"] = "Failed to freeze one or more mount points: FailedRetryableFsFreezeFailed"
    for kv in report.get("telemetryData", []):
        if kv.get("Key") == "extErrorCode":
            kv["Value"] = "FailedRetryableFsFreezeFailed"
    outer[0]["status"]["substatus"][0]["name"] = json.dumps(inner)
    handler = "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0"
    vm.files[handler + "/status/0.status"] = json.dumps(outer)
    vm.files["/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log"] = (
        "2026-11-25 09:47:02 Info: Freezing: /\n2026-11-25 09:47:02 Info: Freezing: /boot\n"
        "2026-11-25 09:48:08 Error: Failed to FITHAW: /boot\n"
    )
    vm.files["/proc/mounts"] = LINUX_MOUNTS + "/dev/sda2 /boot ext4 rw,relatime 0 0\n/dev/sda2 /boot ext4 rw,relatime 0 0\n"
    return vm


def windows_proxy_no_bypass() -> FakeSystem:
    vm = windows_vm()
    proxy, bypass = "proxy.contoso.local:8080", "<local>"
    blob = (bytes.fromhex("2800000000000000") + (3).to_bytes(4, "little") + len(proxy).to_bytes(4, "little")
            + proxy.encode() + len(bypass).to_bytes(4, "little") + bypass.encode()).hex()
    vm.registry["HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"] = {
        "WinHttpSettings": blob}
    vm.commands[("netsh", "winhttp", "show", "proxy")] = (
        "\nCurrent WinHTTP proxy settings:\n\n    Proxy Server(s) :  proxy.contoso.local:8080\n"
        "    Bypass List     :  <local>\n\n")
    return vm


def not_azure() -> FakeSystem:
    vm = linux_vm(hostname="dev-laptop", release="6.1.0-27-amd64", version="#1 SMP Debian 6.1.115-1")
    vm.files = {"/sys/class/dmi/id/chassis_asset_tag": "No Asset Tag\n", "/proc/mounts": LINUX_MOUNTS,
                "/usr/bin/python3": FakeFile(text="", mode=0o755)}
    vm.tcp = {}
    vm.http = {}
    vm.services = {}
    vm.commands = {("iptables", "-w", "-t", "security", "-S"): IPTABLES_FILTER_EMPTY,
                   ("iptables", "-w", "-t", "filter", "-S"): IPTABLES_FILTER_EMPTY}
    vm.processes = []
    return vm


SCENARIOS: dict[str, tuple[str, str, Callable[[], FakeSystem]]] = {
    "healthy-linux": (TITLES["healthy-linux"],
                      "Everything Azure VM Backup needs is in order. Agent files, the backup extension's status "
                      "and waagent.conf are the real samples; the waagent.log lines are written in the agent's "
                      "documented format.", healthy_linux),
    "healthy-windows": (TITLES["healthy-windows"],
                        "Everything Azure VM Backup needs is in order. The vssadmin listing follows the documented "
                        "English format.", healthy_windows),
    "linux-firewall-drops-wireserver": (
        TITLES["linux-firewall-drops-wireserver"],
        "A rule in the filter table drops 168.63.129.16 ports 80 and 32526 for everyone, so even root times "
        "out; waagent.log carries the real goal-state errors the agent team quotes.",
        linux_firewall_drops_wireserver),
    "windows-agent-stopped": (TITLES["windows-agent-stopped"],
                              "WindowsAzureGuestAgent and RdAgent are stopped.", windows_agent_stopped),
    "linux-not-root": (TITLES["linux-not-root"],
                       "Run as a normal user: the agent's own firewall drops non-root traffic to the Wire Server, "
                       "so the connection results are inconclusive, not blocked.", linux_not_root),
    "high-cpu": (TITLES["high-cpu"], "A Java process keeps the CPU at 97 % during the sampling window.",
                 high_cpu),
    "windows-vss-writer-failed-ja": (
        TITLES["windows-vss-writer-failed-ja"],
        "The vssadmin listing is the real Japanese sample, with the System Writer's state line edited to "
        "state [8] (failed at prepare snapshot); the netsh output is the real Japanese sample; the Application "
        "log holds a VSS 12289 error whose Japanese message is the one Microsoft Japan's support blog quotes.",
        windows_vss_writer_failed_ja),
    "windows-volsnap-timeouts": (
        TITLES["windows-volsnap-timeouts"],
        "Every VSS writer is stable now, but the System log holds volsnap 25 and 8 errors of the last hours "
        "(the shadow copy storage could not grow in time: the disk was too busy) and the Application log a "
        "VSS 8193; the messages are the English texts Microsoft's articles quote.", windows_volsnap_timeouts),
    "linux-fsfreeze-failed": (
        TITLES["linux-fsfreeze-failed"],
        "The real VMSnapshotLinux status sample, edited to report FailedRetryableFsFreezeFailed (121); "
        "/boot is mounted twice.", linux_fsfreeze_failed),
    "windows-proxy-no-bypass": (TITLES["windows-proxy-no-bypass"],
                                "WinHTTP sends everything to proxy.contoso.local:8080 and bypasses only <local>.",
                                windows_proxy_no_bypass),
    "not-azure": (TITLES["not-azure"], "A Linux machine outside Azure: no Azure asset tag, no IMDS, no route to "
                  "168.63.129.16.", not_azure),
}


def build(name: str) -> dict:
    title, description, make = SCENARIOS[name]
    rec = RecordingProbe(make())
    runner.run(ALL_CHECKS, rec)
    doc = rec.scenario(title=title, description=description)
    doc["recorded_at"] = RECORDED_AT
    return doc


def render(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 when a shipped scenario is out of date")
    opts = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for name in SCENARIOS:
        text = render(copy.deepcopy(build(name)))
        path = OUT / f"{name}.json"
        if opts.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run: python scripts/make_scenarios.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
