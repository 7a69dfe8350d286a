"""`--redact`: every identifier format we know of, one row each, with the kind of pseudonym it gets.

Each row puts one text where a Diagnosis carries machine data (evidence, or the case notes) of a
VM whose host name is `vm-app01`, redacts, and asserts that the identifier is gone in every
spelling listed, that a pseudonym of the expected kind took its place, that the preview lists it,
and that the non-identifying text named in `stays` is still there.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest

from wizard.model import CheckResult, Component, Diagnosis, HostInfo, Msg, Phase, Status
from wizard.redact.formats import canonical
from wizard.redact.identifiers import KIND_PREFIX, redact_diagnosis, redaction_preview

SUB = "8e037ad4-618f-4466-8bc8-5099d41ac15b"
VMID = "86f4ae0a-61f8-48ae-9199-40f402d56864"
RID = f"/subscriptions/{SUB}/resourceGroups/rg-prod-01/providers/Microsoft.Compute/virtualMachines/vm-app02"


@dataclass(frozen=True)
class Fmt:
    id: str
    text: str
    kind: str  # the pseudonym kind the identifier gets
    value: str  # the identifier as the preview lists it (compared without case)
    gone: tuple[str, ...] = ()  # spellings that must not survive (value is always one)
    stays: tuple[str, ...] = ()  # what must survive
    where: str = "evidence"  # evidence | case | keyed:<field>


FORMATS: list[Fmt] = [
    # subscriptions, resource groups, resources
    Fmt("subscription in a resource id", RID, "subscription", SUB, stays=("/providers/Microsoft.Compute/",)),
    Fmt("resource group in a resource id", RID, "resource_group", "rg-prod-01"),
    Fmt("VM name in a resource id", RID, "vm", "vm-app02"),
    Fmt("resource id in upper case", RID.upper(), "subscription", SUB, gone=(SUB.upper(), "RG-PROD-01", "VM-APP02")),
    Fmt("resource id URL-encoded", "resourceId=" + RID.replace("/", "%2F"), "resource_group", "rg-prod-01",
        gone=(SUB, "vm-app02")),
    Fmt("resource id with JSON-escaped slashes", '{"id":"' + RID.replace("/", "\\/") + '"}', "vm", "vm-app02",
        gone=(SUB, "rg-prod-01")),
    Fmt("subscription in a portal link", f"https://portal.azure.com/#@contoso.onmicrosoft.com/resource/subscriptions/"
        f"{SUB}/overview", "subscription", SUB, gone=("contoso",), stays=("https://portal.azure.com/#@",)),
    Fmt("tenant domain in a portal link", "https://portal.azure.com/#@fabrikam.onmicrosoft.com/resource", "domain",
        "fabrikam.onmicrosoft.com", stays=("portal.azure.com",)),
    Fmt("subscriptionId in IMDS JSON", json.dumps({"compute": {"subscriptionId": SUB, "vmId": VMID}}),
        "subscription", SUB),
    Fmt("SubscriptionId XML element", f"<SubscriptionId>{SUB}</SubscriptionId>", "subscription", SUB),
    Fmt("SubscriptionId XML element that is not a GUID", "<SubscriptionId>contoso-sub-7</SubscriptionId>",
        "subscription", "contoso-sub-7", stays=("<SubscriptionId>",)),
    Fmt("resource group in IMDS JSON", json.dumps({"compute": {"resourceGroupName": "rg-imds-01", "vmId": VMID}}),
        "resource_group", "rg-imds-01"),
    Fmt("VM name in IMDS JSON", json.dumps({"compute": {"name": "vm-imds01", "vmId": VMID}}), "vm", "vm-imds01"),
    Fmt("computerName in IMDS JSON", json.dumps({"compute": {"osProfile": {"computerName": "vm-comp01"}}}),
        "host", "vm-comp01"),
    Fmt("adminUsername in IMDS JSON", json.dumps({"compute": {"osProfile": {"adminUsername": "azadmin7"}}}),
        "user", "azadmin7"),
    Fmt("Recovery Services vault in a resource id",
        f"/subscriptions/{SUB}/resourceGroups/rg-prod-01/providers/Microsoft.RecoveryServices/vaults/rsv-backup-01/"
        "backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg-prod-01;vm-app02",
        "vault", "rsv-backup-01", gone=("rg-prod-01", "vm-app02"), stays=("iaasvmcontainerv2",)),
    Fmt("key vault in a resource id", "/providers/Microsoft.KeyVault/vaults/kv-contoso-01", "key_vault",
        "kv-contoso-01", stays=("Microsoft.KeyVault/vaults/",)),
    Fmt("key vault in a URL", "https://kv-contoso-02.vault.azure.net/secrets/dbpw/0123", "key_vault", "kv-contoso-02",
        stays=(".vault.azure.net/secrets/",)),
    Fmt("storage account in a resource id", "/providers/Microsoft.Storage/storageAccounts/contosodiag01", "storage",
        "contosodiag01"),
    Fmt("storage account in a blob URL", "https://contosodiag02.blob.core.windows.net/vhds/os.vhd", "storage",
        "contosodiag02", stays=(".blob.core.windows.net/vhds/os.vhd",)),
    Fmt("storage account in a file share path", "\\\\contosofiles03.file.core.windows.net\\share", "storage",
        "contosofiles03", stays=(".file.core.windows.net",)),
    Fmt("storage account in a connection string",
        "DefaultEndpointsProtocol=https;AccountName=contosodiag04;EndpointSuffix=core.windows.net", "storage",
        "contosodiag04", stays=("EndpointSuffix=core.windows.net",)),
    Fmt("other resource in a resource id", "/providers/Microsoft.Network/networkInterfaces/nic-app02-01", "resource",
        "nic-app02-01"),
    # GUIDs that are ids
    Fmt("vmId in JSON", json.dumps({"vmId": VMID}), "vm_id", VMID),
    Fmt("vmId in upper case", f"vmId: {VMID.upper()}", "vm_id", VMID, gone=(VMID.upper(),)),
    Fmt("vmId in braces", f"VmId={{{VMID.upper()}}}", "vm_id", VMID, gone=(VMID.upper(),)),
    Fmt("vmId URL-encoded", f"vmId=%7B{VMID.replace('-', '%2D')}%7D", "vm_id", VMID, gone=(VMID.replace("-", "%2D"),)),
    Fmt("vmId without dashes", f"vmId={VMID.replace('-', '')}", "vm_id", VMID, gone=(VMID.replace("-", ""),)),
    Fmt("VmId XML element", f"<VmId>{VMID}</VmId>", "vm_id", VMID),
    Fmt("container id in the goal state", "<ContainerId>c6d5526c-5ac2-4200-b6e2-56f2b70c5ab2</ContainerId>", "guid",
        "c6d5526c-5ac2-4200-b6e2-56f2b70c5ab2"),
    Fmt("role instance id, also %2D-encoded in a URL",
        "<InstanceId>bc8b9d47-b5ed-4704-85d9-fd74cc967ec2.MachineRole_IN_0</InstanceId> http://168.63.129.16:80/"
        "machine/865a6683-91d8-450f-99ae/bc8b9d47%2Db5ed%2D4704%2D85d9%2Dfd74cc967ec2.%5Fcanary?comp=config",
        "guid", "bc8b9d47-b5ed-4704-85d9-fd74cc967ec2", gone=("bc8b9d47%2Db5ed%2D4704%2D85d9%2Dfd74cc967ec2",),
        stays=("http://168.63.129.16:80/machine/", ".MachineRole_IN_0", "?comp=config")),
    Fmt("tenant id in JSON", json.dumps({"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}), "guid",
        "72f988bf-86f1-41af-91ab-2d7cd011db47"),
    # IP addresses
    Fmt("private IPv4", "connected from 10.1.2.3", "ip", "10.1.2.3"),
    Fmt("public IPv4", "public address 20.48.1.2 assigned", "ip", "20.48.1.2"),
    Fmt("IPv4 with a port", "proxy at 10.1.2.4:8080 refused", "ip", "10.1.2.4", stays=(":8080",)),
    Fmt("IPv4 in a URL", "GET http://10.1.2.5:3128/ failed", "ip", "10.1.2.5", stays=(":3128/",)),
    Fmt("IPv4 publicIpAddress in IMDS JSON", json.dumps({"publicIpAddress": "52.1.2.3"}), "ip", "52.1.2.3"),
    Fmt("IPv6 in full", "addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up", "ip", "2001:db8:85a3::8a2e:370:7334",
        gone=("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "8a2e:0370:7334")),
    Fmt("IPv6 compressed", "addr 2001:db8:85a3::8a2e:370:7335 up", "ip", "2001:db8:85a3::8a2e:370:7335"),
    Fmt("IPv6 link-local with a zone", "inet6 fe80::20d:3aff:fe12:3456%eth0 scope link", "ip",
        "fe80::20d:3aff:fe12:3456", stays=("scope link",)),
    Fmt("IPv6 in brackets in a URL", "GET http://[2001:db8::1]:8080/health", "ip", "2001:db8::1",
        stays=(":8080/health",)),
    Fmt("IPv4-mapped IPv6", "peer ::ffff:10.1.2.6 closed", "ip", "10.1.2.6"),
    # MAC addresses
    Fmt("MAC with colons", "ether 00:0d:3a:12:34:56 brd", "mac", "00:0d:3a:12:34:56"),
    Fmt("MAC with dashes, upper case", "Physical Address: 00-0D-3A-12-34-57", "mac", "00-0d-3a-12-34-57"),
    Fmt("MAC as 12 hex digits in IMDS JSON", json.dumps({"macAddress": "000D3A123458"}), "mac", "000d3a123458"),
    Fmt("MAC dotted", "mac 000d.3a12.3459 learned", "mac", "000d.3a12.3459"),
    # host names
    Fmt("host name", "vm-app01 waagent[812]: started", "host", "vm-app01"),
    Fmt("host name in upper case", "COMPUTERNAME=VM-APP01", "host", "vm-app01", gone=("VM-APP01",)),
    Fmt("host FQDN", "vm-app01.contoso.local resolved", "host", "vm-app01", gone=("contoso.local",)),
    Fmt("other host in a URL", "https://db01.corp.fabrikam.com/api", "host", "db01.corp.fabrikam.com",
        gone=("fabrikam",), stays=("/api",)),
    Fmt("one-label host in a URL", "GET http://wsus01:8530/ClientWebService", "host", "wsus01",
        stays=(":8530/ClientWebService",)),
    Fmt("*.internal.cloudapp.net name", "search vm-app03.abcdefghijklmnopqrstuvwx.bx.internal.cloudapp.net", "host",
        "vm-app03", gone=("abcdefghijklmnopqrstuvwx",), stays=(".internal.cloudapp.net",)),
    Fmt("cloudapp.azure.com DNS label", "ssh azureuser@myapp-dns.japaneast.cloudapp.azure.com", "host",
        "myapp-dns", stays=(".japaneast.cloudapp.azure.com",)),
    Fmt("UNC host", "copy \\\\fileserver01\\backup$\\x.log", "host", "fileserver01", stays=("\\backup$\\x.log",)),
    Fmt("Host Name line of systeminfo", "Host Name:                 VM-WIN07\nOS Name: Windows", "host", "vm-win07"),
    Fmt("hostnamectl", "   Static hostname: vm-app09\n         Icon name: computer-vm", "host", "vm-app09"),
    # user names
    Fmt("user in /home", "open /home/alice/.bashrc", "user", "alice", stays=("/home/", "/.bashrc")),
    Fmt("user in C:\\Users", "C:\\Users\\bob\\AppData\\Local", "user", "bob", stays=("C:\\Users\\",)),
    Fmt("user in C:/Users", "C:/Users/carol/Desktop/x.txt", "user", "carol", stays=("C:/Users/",)),
    Fmt("DOMAIN\\user", "Owner: CONTOSO\\dave", "user", "dave", gone=("CONTOSO",)),
    Fmt("host\\user from whoami", "vm-app01\\azureadmin", "user", "azureadmin", gone=("vm-app01",)),
    Fmt("UPN", "signed in as erin@contoso.com", "user", "erin", gone=("contoso.com",)),
    Fmt("id output", "uid=1000(frank) gid=1000(frank) groups=1000(frank),27(sudo)", "user", "frank",
        stays=("uid=1000(", "27(sudo)")),
    Fmt("shell prompt", "grace@vm-app04:~$ sudo waagent --version", "user", "grace", gone=("vm-app04",)),
    Fmt("root prompt", "root@vm-app05:~# systemctl status", "host", "vm-app05", stays=("root@",)),
    Fmt("RHEL prompt", "[heidi@vm-app06 ~]$ ls", "user", "heidi", gone=("vm-app06",)),
    Fmt("sshd log", "Accepted publickey for ivan from 203.0.113.9 port 51234 ssh2", "user", "ivan",
        gone=("203.0.113.9",), stays=("Accepted publickey for ", " port 51234 ssh2")),
    Fmt("user in a keyed field", "mallory", "user", "mallory", where="keyed:username"),
    # SIDs
    Fmt("account SID", "S-1-5-21-3623811015-3361044348-30300820-1013", "sid",
        "S-1-5-21-3623811015-3361044348-30300820-1013"),
    Fmt("SID in a registry path", "HKU\\S-1-5-21-1004336348-1177238915-682003330-512\\Software", "sid",
        "S-1-5-21-1004336348-1177238915-682003330-512", stays=("HKU\\", "\\Software")),
    # proxies
    Fmt("proxy in http_proxy", "http_proxy=http://proxy.contoso.local:3128", "proxy", "proxy.contoso.local",
        stays=(":3128",)),
    Fmt("proxy user in a URL", "https_proxy=http://judy:REDACTED@proxy2.contoso.local:8080", "user", "judy",
        gone=("proxy2.contoso.local",)),
    Fmt("proxy without a scheme", "HTTPS_PROXY=proxy3.contoso.local:8080", "proxy", "proxy3.contoso.local"),
    Fmt("proxy in netsh output", "    Proxy Server(s) :  proxy4.contoso.local:8080", "proxy",
        "proxy4.contoso.local"),
    Fmt("proxy in waagent.conf", "HttpProxy.Host=proxy5.contoso.local", "proxy", "proxy5.contoso.local"),
    Fmt("proxy per protocol (WinINet)", "http=proxy6.contoso.local:8080;https=proxy7.contoso.local:8443", "proxy",
        "proxy6.contoso.local", gone=("proxy7.contoso.local",), where="keyed:ProxyServer"),
    Fmt("bypass list", "NO_PROXY=*.corp.contoso.local,10.0.0.5,db02", "domain", "corp.contoso.local",
        gone=("10.0.0.5", "db02")),
    # the case notes
    Fmt("e-mail address in the case notes", "Contact: kate.smith@fabrikam.co.jp", "user", "kate.smith",
        gone=("fabrikam",), where="case"),
    Fmt("e-mail address in upper case", "CC: KATE.SMITH@FABRIKAM.CO.JP", "user", "kate.smith", gone=("FABRIKAM",),
        where="case"),
    Fmt("host name in the case notes", "Rebooted VM-APP01 twice", "host", "vm-app01", gone=("VM-APP01",),
        where="case"),
]


def _diag(fmt: Fmt) -> Diagnosis:
    evidence: dict[str, Any] = {"text": fmt.text} if fmt.where == "evidence" else {}
    if fmt.where.startswith("keyed:"):
        evidence[fmt.where.split(":", 1)[1]] = fmt.text
    result = CheckResult(id="x.formats", status=Status.INFO, component=Component.GUEST, phase=Phase.TAKE_SNAPSHOT,
                         title=Msg("t"), summary=Msg("s"), evidence=evidence)
    return Diagnosis(tool_name="vmbackup-wizard", tool_version="0", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                     duration_s=0.0, host=HostInfo(hostname="vm-app01"), results=[result],
                     case={"tried": fmt.text} if fmt.where == "case" else {})


def test_there_are_at_least_56_formats() -> None:
    assert len(FORMATS) >= 56 and len({f.id for f in FORMATS}) == len(FORMATS)


def strings(value: Any) -> list[str]:
    """Every string in plain data (keys too), as it is, not JSON-escaped."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def _same(kind: str, a: str, b: str) -> bool:
    ka, kb = canonical(kind, a), canonical(kind, b)
    return ka is not None and kb is not None and ka[0] == kb[0]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.id)
def test_identifier_format_is_masked_with_the_right_kind(fmt: Fmt) -> None:
    diag = _diag(fmt)
    red = redact_diagnosis(diag)
    out = "\n".join(strings(red.to_dict()))
    lowered = out.lower()
    for spelling in (fmt.value, *fmt.gone):
        assert spelling.lower() not in lowered, f"{spelling!r} survived: {out}"
    preview = redaction_preview(diag)
    entries = [(kind, original, pseudo) for kind, original, pseudo in preview if _same(kind, original, fmt.value)]
    assert entries, f"{fmt.value!r} not in the preview: {preview}"
    assert entries[0][0] == fmt.kind, entries
    assert entries[0][2].startswith(KIND_PREFIX[fmt.kind] + "-")
    assert entries[0][2] in out
    for text in fmt.stays:
        assert text in out, f"{text!r} was lost: {out}"


@pytest.mark.parametrize("text", [
    "\\Device\\HarddiskVolumeShadowCopy3",  # a volsnap event's parameter
    '{"Params": ["\\\\Device\\\\HarddiskVolumeShadowCopy3", "C:"]}',  # the same inside PowerShell's JSON
    "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1",
])
def test_windows_object_names_are_not_taken_for_a_host(text: str) -> None:
    """`\\Device\\...` is Windows' own object namespace, not a `\\\\server\\share` path: masking "Device" as a host
    would also mask every "device" elsewhere in the report (e.g. the page's `width=device-width`)."""
    fmt = Fmt("object name", text, "host", "Device")
    preview = redaction_preview(_diag(fmt))
    assert [original for _, original, _ in preview if original.lower() in ("device", "globalroot")] == []
    assert "HarddiskVolumeShadowCopy" in "\n".join(strings(redact_diagnosis(_diag(fmt)).to_dict()))
