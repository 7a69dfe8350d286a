"""The shapes identifiers come in, and how two spellings of one identifier are told to be the same.

Used by `wizard.redact.identifiers`. Nothing here masks anything: it finds candidates in text,
decides what stays (platform addresses, public sites, built-in accounts), and gives each
identifier a canonical key and the spellings it may appear in (`forms`), so that `10.0.0.4` and
`::ffff:10.0.0.4`, a GUID with or without dashes, braces or `%2D`, a MAC with colons, dashes,
dots or nothing, and a name URL-encoded or in upper case all get one pseudonym.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import quote

KEEP_ADDRESSES = frozenset({
    "168.63.129.16", "169.254.169.254", "127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::",  # noqa: S104
})
"""Addresses that identify nobody: the Wire Server, IMDS, loopback, unspecified, broadcast."""

PUBLIC_DOMAINS = (
    "microsoft.com", "azure.com", "azure.net", "aka.ms", "windowsupdate.com", "msftncsi.com", "github.com",
    "githubusercontent.com", "ubuntu.com", "canonical.com", "debian.org", "redhat.com", "python.org",
    "windows.net", "cloudapp.net", "azure.us", "azure.cn", "chinacloudapi.cn", "usgovcloudapi.net",
    "microsoftonline.com",
    "windows.com", "live.com", "office.com", "azureedge.net", "msecnd.net", "digicert.com", "suse.com", "opensuse.org",
    "centos.org", "fedoraproject.org", "almalinux.org", "rockylinux.org", "oracle.com", "kernel.org", "pypi.org",
    "w3.org", "xmlsoap.org", "localdomain",
)
"""URL hosts below these stay visible (documentation, repositories, the platform's own services),
except the customer's own label in front of an Azure suffix (see `azure_host`)."""

_AZURE_LABELLED: tuple[tuple[re.Pattern[str], str], ...] = (
    # <account>.blob.core.windows.net and the other storage services, in every cloud
    (re.compile(r"(?i)^([a-z0-9-]{1,63})\.(?:blob|file|queue|table|dfs|web|z\d{1,2}\.web)\.core\."
                r"(?:windows\.net|chinacloudapi\.cn|usgovcloudapi\.net|cloudapi\.de)$"), "storage"),
    (re.compile(r"(?i)^([a-z0-9-]{1,63})\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$"),
     "key_vault"),
    (re.compile(r"(?i)^([a-z0-9-]{1,63})\.[a-z0-9]{2,32}\.cloudapp\.(?:azure\.com|usgovcloudapi\.net|chinacloudapi\.cn)$"),
     "host"),
    (re.compile(r"(?i)^([a-z0-9-]{1,63})\.(?:azurewebsites\.net|database\.windows\.net|servicebus\.windows\.net|"
                r"azurecr\.io|azure-api\.net|azurefd\.net|trafficmanager\.net)$"), "host"),
)
_INTERNAL_CLOUDAPP = re.compile(r"(?i)^((?:[a-z0-9-]{1,63}\.){1,4})internal\.cloudapp\.net$")
_CLASSIC_CLOUDAPP = re.compile(r"(?i)^([a-z0-9-]{1,63})\.cloudapp\.net$")

SYSTEM_ACCOUNTS = frozenset({
    "root", "system", "administrator", "administrators", "local service", "localservice", "network service",
    "networkservice", "trustedinstaller", "nobody", "daemon", "bin", "sys", "syslog", "messagebus",
    "systemd-network", "systemd-resolve", "systemd-timesync", "www-data", "public", "default", "default user",
    "all users", "defaultuser0", "dwm-1", "umfd-0", "umfd-1", "localsystem", "local system", "guest",
    "defaultaccount", "wdagutilityaccount", "users", "user", "admin", "sudo", "adm", "wheel", "git", "",
})
"""Built-in account, group and profile names: masking them would hide facts and protect no one."""

GENERIC_HOSTS = frozenset({
    "proxy", "gateway", "router", "server", "host", "www", "mail", "web", "api", "db", "dns", "ntp", "files",
    "backup", "storage", "local", "internal", "example", "test", "mirror", "repo", "intranet",
})
"""One-label host names that are plain words: masking them would replace the word everywhere."""

WELL_KNOWN_DOMAINS = frozenset({
    "nt authority", "nt service", "builtin", "workgroup", "window manager", "font driver host", "iis apppool",
    "nt virtual machine", "localhost", "authority", "service", "apppool", "machine",
})
NOT_DOMAINS = frozenset({
    "hklm", "hkcu", "hku", "hkcr", "hkcc", "hkey_local_machine", "hkey_current_user", "hkey_users",
    "hkey_classes_root", "software", "system", "hardware", "sam", "security", "windows", "program files",
    "programdata", "users", "temp", "logs", "packages", "plugins", "windowsazure", "microsoft",
})
"""Upper-case words that stand before a backslash in paths and registry keys, not account domains."""

# --- patterns -------------------------------------------------------------------------------

_HEX4 = "[0-9A-Fa-f]{4}"
_DASH = r"(?:-|%2[Dd])"
GUID_TEXT = rf"[0-9A-Fa-f]{{8}}{_DASH}{_HEX4}{_DASH}{_HEX4}{_DASH}{_HEX4}{_DASH}[0-9A-Fa-f]{{12}}|[0-9A-Fa-f]{{32}}"
GUID_IN_RE = re.compile(rf"(?<![0-9A-Fa-f-])(?:{GUID_TEXT})(?![0-9A-Fa-f])")
IPV4_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
IPV6_RE = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})"
                     r"(?![\w:.])")
MAC_RE = re.compile(r"(?<![0-9A-Fa-f:-])([0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2})(?![0-9A-Fa-f:-])")
MAC_DOTTED_RE = re.compile(r"(?<![\w.])([0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w.])")
SID_RE = re.compile(r"\bS-1-5-21(?:-\d+){3,4}\b")
HOME_RE = re.compile(r"(?:^|(?<=[\s\"'=:(,;\[]))/(?:home|Users)/([^/\s\"'<>:;,)\]]+)")
WIN_PROFILE_RE = re.compile(r"(?i)\b[A-Z]:(?:\\{1,2}|/)+Users(?:\\{1,2}|/)+([^\\/\s\"'<>:;,)]+)")
RESOURCE_SEGMENT_RE = re.compile(
    r"(?i)/(subscriptions|resourcegroups)/([^/\s\"'<>?#,;&\\]+)"
    r"|/providers/([A-Za-z0-9.]+)/([A-Za-z0-9]+)/([^/\s\"'<>?#,;&\\]+)"
)
RESOURCE_KINDS = {
    ("microsoft.compute", "virtualmachines"): "vm",
    ("microsoft.recoveryservices", "vaults"): "vault",
    ("microsoft.keyvault", "vaults"): "key_vault",
    ("microsoft.storage", "storageaccounts"): "storage",
    ("microsoft.classicstorage", "storageaccounts"): "storage",
}
BACKUP_CONTAINER_RE = re.compile(r"(?i)\biaasvmcontainer(?:v2)?;(?!iaasvmcontainer)([^;/\s\"'<>]+);([^;/\s\"'<>]+)")
URL_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*:(?:\\?/){2}(?:([^/@\s:\"'<>\\]+)(?::([^/@\s\"'<>\\]*))?@)?"
                    r"(\[[0-9a-f:.%a-z]+\]|[^/\s:?#\"'<>\\]+)")
USER_AT_RE = re.compile(r"(?<![\w.:/%+-])([A-Za-z0-9_][A-Za-z0-9_.+-]{0,63})@(\d{1,3}(?:\.\d{1,3}){3}|"
                        r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?![\w-])")
PROMPT_RE = re.compile(r"(?<![\w.@-])([a-z_][a-z0-9_.-]{0,31})@([A-Za-z0-9][A-Za-z0-9-]{0,62})"
                       r"(?=:[~/]|\s+[~/]|\s*\][$#]|:\s*[$#])")
ID_OUTPUT_RE = re.compile(r"\b(?:e?uid|e?gid)=\d+\(([^)\s]+)\)")
LOGIN_RE = re.compile(r"(?:(?:Accepted|Failed) \S+ for (?:invalid user )?|[Ii]nvalid user |session (?:opened|closed) "
                      r"for user |\bUSER=|\blogname=|\bruser=)([A-Za-z0-9_][A-Za-z0-9_.$-]{0,63})")
HOST_LINE_RE = re.compile(r"(?im)(?:\b(?:static|transient|pretty)\s+hostname|\bhost\s*name|\bcomputer\s*name|"
                          r"\bmachine\s*name|\bcomputername|\bhostname)\s*[:=]\s*\"?([A-Za-z0-9][A-Za-z0-9.-]{0,253})")
# `\\server\share`, also JSON-escaped; not Windows' object namespace (`\Device\HarddiskVolumeShadowCopy3` in an
# event, which JSON text writes with two backslashes too): those names are the system's, not a host's.
UNC_RE = re.compile(r"(?:^|(?<=[\s\"'=(,;]))\\{2,4}(?!(?:Device|DosDevices|Driver|FileSystem|BaseNamedObjects|"
                    r"GLOBALROOT|Global|Sessions|KnownDlls|ObjectTypes|Callback|RPC Control)\\)"
                    r"([A-Za-z0-9][A-Za-z0-9.-]{0,253})\\")
DOMAIN_USER_RE = re.compile(r"(?<![\w\\/.$%-])([A-Za-z][A-Za-z0-9-]{0,14})\\{1,2}([A-Za-z0-9][A-Za-z0-9._$-]{0,63})"
                            r"(?![\w\\/])")
USER_CONTEXT_RE = re.compile(r"(?i)(?:user(?:\s?name)?|owner|account(?:\s?name)?|logon|run\s?as|/user:|by|principal|"
                             r"identity|login)\W{0,3}$")
AZURE_FQDN_RE = re.compile(
    r"(?i)(?<![\w.-])((?:[a-z0-9-]{1,63}\.){1,5}(?:internal\.cloudapp\.net|cloudapp\.azure\.com|cloudapp\.net|"
    r"core\.windows\.net|vault\.azure\.net|azurewebsites\.net|database\.windows\.net|servicebus\.windows\.net))"
    r"(?![\w-])"
)
"""Host names under an Azure suffix that carries the customer's label, also outside URLs."""
ACCOUNT_NAME_RE = re.compile(r"(?i)\bAccountName=([a-z0-9]{3,24})\b")
TENANT_RE = re.compile(r"(?i)#@([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,4})")
ID_CONTEXT_RE = re.compile(
    r"(?i)\b(vm_?id|vmuniqueid|subscription_?id|tenant_?id|container_?id|role_?instance_?id|deployment_?id|"
    r"object_?id|principal_?id|client_?id|instance_?id)\b[\"']?\s*[:=]\s*[\"']?(?:\{|%7B)?(" + GUID_TEXT + ")"
)
XML_ID_RE = re.compile(r"(?i)<(ContainerId|VmId|SubscriptionId|RoleInstanceId|DeploymentId|InstanceId|TenantId)>\s*"
                       r"([^<\s]+)\s*<")
JSON_ID_RE = re.compile(r"\"(vmId|subscriptionId|resourceGroupName|computerName|adminUsername)\"\s*:\s*"
                        r"\"([^\"]+)\"")
PROXY_TEXT_RE = re.compile(r"(?i)(?:\b(?:https?|ftp|all)_proxy\s*=\s*|httpproxy\.host\s*=\s*|proxy server\(s\)\s*:\s*|"
                           r"proxy-server=)\"?([^\s\"';]+(?:;[^\s\"';]+)*)")
BYPASS_TEXT_RE = re.compile(r"(?i)(?:\bno_proxy\s*=\s*|bypass list\s*:\s*|bypass-list=)\"?([^\s\"']+)")
VERSION_BEFORE_RE = re.compile(r"(?i)(version|ver\.?|agent|release|build|v)\s*[:=]?\s*$")
HEX_RE = re.compile(r"^(?:[0-9A-Fa-f]{2}){12,}$")
HOSTLIKE_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$")


# --- telling values apart ---------------------------------------------------------------------

def valid_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def is_netmask(text: str) -> bool:
    """`255.255.255.0` and the like: a mask, not anybody's address."""
    try:
        value = int(ipaddress.IPv4Address(text))
    except ValueError:
        return False
    inverted = value ^ 0xFFFFFFFF
    return value != 0 and (inverted & (inverted + 1)) == 0


def ipv4_in(text: str) -> Iterator[str]:
    """IPv4 addresses in free text, skipping version numbers (`Agent-2.9.1.1`, `…\\1.0.70.0\\…`, `version: 2.1.0.4`)."""
    for mo in IPV4_RE.finditer(text):
        start, end = mo.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if before and (before.isalnum() or before in "._-"):
            continue
        if after and (after.isalnum() or after == "_" or (after in ".-" and text[end + 1:end + 2].isalnum())):
            continue
        single_sep = bool(before) and before in "/\\" and (start < 2 or text[start - 2] not in "/\\")
        if single_sep and bool(after) and after in "/\\":
            continue
        if VERSION_BEFORE_RE.search(text[max(0, start - 24):start]):
            continue
        if valid_ipv4(mo.group()) and not is_netmask(mo.group()):
            yield mo.group()


def ipv6_in(text: str) -> Iterator[str]:
    for mo in IPV6_RE.finditer(text):
        candidate = mo.group()
        if candidate.count(":") < 2:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield candidate


def canonical_ip(text: str) -> str | None:
    """One spelling per address: IPv6 compressed in lower case, an IPv4-mapped IPv6 as its IPv4."""
    text = text.strip().strip("[]").split("%", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def guid_hex(text: str) -> str | None:
    """The 32 hex digits of a GUID in any spelling (dashes, %2D, braces, %7B, none), or None."""
    value = text.strip().strip("{}").replace("%2D", "-").replace("%2d", "-")
    if value[:3].upper() == "%7B" and value[-3:].upper() == "%7D":
        value = value[3:-3]
    plain = value.replace("-", "")
    if len(plain) != 32 or any(c not in "0123456789abcdefABCDEF" for c in plain):
        return None
    if "-" in value and [len(p) for p in value.split("-")] != [8, 4, 4, 4, 12]:
        return None
    return plain.lower()


def mac_hex(text: str) -> str | None:
    plain = re.sub(r"[:.-]", "", text.strip())
    if len(plain) != 12 or any(c not in "0123456789abcdefABCDEF" for c in plain):
        return None
    return plain.lower()


def is_public_host(host: str) -> bool:
    lowered = host.lower().rstrip(".")
    return any(lowered == d or lowered.endswith("." + d) for d in PUBLIC_DOMAINS)


def azure_host(host: str) -> list[tuple[str, str]] | None:
    """How a host name under an Azure suffix that carries the customer's own label is masked:
    [(kind, value), ...] for the labels that identify the customer, or None for other hosts."""
    for pattern, kind in _AZURE_LABELLED:
        mo = pattern.match(host)
        if mo:
            return [(kind, mo.group(1))]
    mo = _INTERNAL_CLOUDAPP.match(host)
    if mo:  # [host.]<virtual network id>.<region code>.internal.cloudapp.net
        labels = mo.group(1).rstrip(".").split(".")
        if len(labels) >= 3:
            return [("host", labels[0]), ("domain", ".".join(labels[1:]))]
        return [("domain", ".".join(labels))]
    mo = _CLASSIC_CLOUDAPP.match(host)
    if mo:
        return [("host", mo.group(1))]
    return None


# --- canonical keys and the spellings of one identifier ---------------------------------------

GUID_KINDS = frozenset({"vm_id", "guid", "subscription"})


def canonical(kind: str, value: str) -> tuple[str, set[str]] | None:
    """(key, forms): the key two spellings of one identifier share, and the lower-case spellings to
    look for in text. None when `value` is not an identifier of that kind."""
    if kind == "ip":
        key = canonical_ip(value)
        if key is None:
            return None
        forms = {value.lower().strip("[]").split("%", 1)[0], key}
        addr = ipaddress.ip_address(key)
        if isinstance(addr, ipaddress.IPv6Address):
            forms.add(addr.exploded)
        return key, forms
    if kind == "mac":
        plain = mac_hex(value)
        if plain is None:
            return None
        pairs = [plain[i:i + 2] for i in range(0, 12, 2)]
        return "mac:" + plain, {":".join(pairs), "-".join(pairs), plain, f"{plain[:4]}.{plain[4:8]}.{plain[8:]}"}
    if kind in GUID_KINDS:
        plain = guid_hex(value)
        if plain is not None:
            dashed = f"{plain[:8]}-{plain[8:12]}-{plain[12:16]}-{plain[16:20]}-{plain[20:]}"
            return "guid:" + plain, {dashed, plain, dashed.replace("-", "%2d")}
    key = value.lower()
    forms = {key}
    encoded = quote(key, safe="")
    if encoded != key:
        forms.add(encoded)
    return key, forms
