"""`--redact`: a copy of a Diagnosis with the customer's identifiers replaced by consistent pseudonyms.

What is masked: this machine's host name (and its DNS domain), the VM name, resource group,
subscription id, resource ids (each segment), the vmId and other GUIDs in identifying fields,
IPv4/IPv6 and MAC addresses, user names (the elevation user, process owners, `/home/<user>`,
`C:\\Users\\<user>`, `DOMAIN\\user`), Windows account SIDs, proxy host names and credentials, and
the hosts of URLs that are not public Microsoft (or distribution) sites. The platform endpoints
168.63.129.16 and 169.254.169.254, loopback and unspecified addresses stay as they are: they say
nothing about the customer.

It works in two passes over the diagnosis:
1. collect every identifier (from the fields that name one, and from patterns in any text),
   giving each distinct value (case-insensitively) the next pseudonym of its kind: `host-1`,
   `vm-1`, `ip-1`, `sub-1`, `user-1`, ...;
2. replace them everywhere in one regular-expression pass, so a pseudonym is never replaced
   again and the same value gets the same pseudonym in the host facts, message parameters,
   fix commands, evidence (keys and values), the symptom input, the case fields and the source.

Message ids, documentation links and version numbers are left alone. No mapping back to the
originals is kept in the result; `redaction_preview` lists it for the user's eyes only.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import N_, Translator
from wizard.model import Diagnosis, is_msg_dict

KEEP_ADDRESSES = frozenset({
    "168.63.129.16", "169.254.169.254", "127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::",  # noqa: S104
})
"""Addresses that identify nobody: the Wire Server, IMDS, loopback, unspecified, broadcast."""

PUBLIC_DOMAINS = (
    "microsoft.com", "azure.com", "azure.net", "aka.ms", "windowsupdate.com", "msftncsi.com", "github.com",
    "githubusercontent.com", "ubuntu.com", "canonical.com", "debian.org", "redhat.com", "python.org",
)
"""URL hosts below these stay visible (documentation and public repositories, not the customer's)."""

SYSTEM_ACCOUNTS = frozenset({
    "root", "system", "administrator", "administrators", "local service", "localservice", "network service",
    "networkservice", "trustedinstaller", "nobody", "daemon", "bin", "sys", "syslog", "messagebus",
    "systemd-network", "systemd-resolve", "systemd-timesync", "www-data", "public", "default", "default user",
    "all users", "defaultuser0", "dwm-1", "umfd-0", "umfd-1", "localsystem", "local system", "guest",
    "defaultaccount", "wdagutilityaccount", "",
})
"""Built-in account and profile names: masking them would hide facts and protect no one."""

WELL_KNOWN_DOMAINS = frozenset({
    "nt authority", "nt service", "builtin", "workgroup", "window manager", "font driver host", "iis apppool",
    "nt virtual machine", "localhost",
})

KIND_PREFIX: dict[str, str] = {
    "host": "host", "domain": "domain", "vm": "vm", "resource_group": "rg", "subscription": "sub",
    "resource": "res", "vm_id": "vmid", "guid": "guid", "ip": "ip", "mac": "mac", "user": "user",
    "sid": "sid", "proxy": "proxy", "secret": "secret",
}
KIND_ORDER = tuple(KIND_PREFIX)

KIND_LABELS: dict[str, str] = {
    "host": N_("Host name"),
    "domain": N_("Domain name"),
    "vm": N_("VM name"),
    "resource_group": N_("Resource group"),
    "subscription": N_("Subscription ID"),
    "resource": N_("Resource name"),
    "vm_id": N_("VM ID"),
    "guid": N_("Identifier (GUID)"),
    "ip": N_("IP address"),
    "mac": N_("MAC address"),
    "user": N_("User name"),
    "sid": N_("Account SID"),
    "proxy": N_("Proxy server"),
    "secret": N_("Password"),
}


def kind_label(kind: str, translator: Translator) -> str:
    """The translated name of a kind of identifier, for the preview on the Save page."""
    return translator(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


# --- patterns ------------------------------------------------------------------------------

_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
GUID_RE = re.compile(rf"\{{?({_GUID})\}}?")
IPV4_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
IPV6_RE = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})"
                     r"(?![\w:])")
MAC_RE = re.compile(r"(?<![0-9A-Fa-f:-])([0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2})(?![0-9A-Fa-f:-])")
MAC_PLAIN_RE = re.compile(r"^[0-9A-Fa-f]{12}$")
SID_RE = re.compile(r"\bS-1-5-21(?:-\d+){3,4}\b")
HOME_RE = re.compile(r"(?:^|(?<=[\s\"'=:(,;]))/(?:home|Users)/([^/\s\"'<>:;,)]+)")
WIN_PROFILE_RE = re.compile(r"(?i)\b[A-Z]:[\\/]+Users[\\/]+([^\\/\s\"'<>:;,)]+)")
RESOURCE_SEGMENT_RE = re.compile(
    r"(?i)/(subscriptions|resourcegroups)/([^/\s\"'<>?#,;]+)"
    r"|/providers/([A-Za-z0-9.]+)/([A-Za-z0-9]+)/([^/\s\"'<>?#,;]+)"
)
URL_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://(?:([^/@\s:\"'<>]+)(?::([^/@\s\"'<>]*))?@)?"
                    r"(\[[0-9a-f:.]+\]|[^/\s:?#\"'<>\\]+)")
USER_AT_RE = re.compile(r"(?<![\w.:/%+-])([A-Za-z_][A-Za-z0-9_.-]{0,63})@(\d{1,3}(?:\.\d{1,3}){3}|"
                        r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?![\w-])")
HOSTLIKE_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$")
XML_ID_RE = re.compile(r"<(ContainerId|VmId|SubscriptionId|RoleInstanceId|DeploymentId|InstanceId)>\s*([^<\s]+)\s*<",
                       re.IGNORECASE)
JSON_ID_RE = re.compile(r"\"(vmId|subscriptionId|resourceGroupName|computerName|adminUsername|name)\"\s*:\s*"
                        r"\"([^\"]+)\"")
VERSION_BEFORE_RE = re.compile(r"(?i)(version|ver\.?|agent|release|build|v)\s*[:=]?\s*$")
HEX_RE = re.compile(r"^(?:[0-9A-Fa-f]{2}){12,}$")

VERSION_KEY_RE = re.compile(r"(?i)version|^installed$|^goal|^python$|kernel|release|^build|^minimum|^min_|^max_")
GUID_KEY_RE = re.compile(r"(?i)^(vm_?id|subscription_?id|tenant_?id|container_?id|role_?instance_?id|"
                         r"object_?id|principal_?id|client_?id|deployment_?id)$")
USER_KEYS = frozenset({"user", "username", "user_name", "owner", "account", "run_as", "runas", "adminusername",
                       "admin_username", "login", "logon_user"})
HOST_KEYS = frozenset({"hostname", "host_name", "computer_name", "computername", "fqdn", "machine_name"})
VM_KEYS = frozenset({"vm_name", "vmname", "computername"})
RG_KEYS = frozenset({"resource_group", "resourcegroup", "resourcegroupname", "resource_group_name"})
SUB_KEYS = frozenset({"subscription_id", "subscriptionid", "subscription"})
PROXY_KEYS = frozenset({"proxy", "proxy_for_http", "proxy_for_https", "http_proxy", "https_proxy", "all_proxy",
                        "ftp_proxy", "proxyserver", "proxy_server", "httpproxy.host", "winhttp_proxy"})
BYPASS_KEYS = frozenset({"bypass", "bypass_list", "no_proxy", "proxyoverride", "proxy_override", "proxy_bypass"})
PROXY_TEXT_RE = re.compile(r"(?i)(?:\b(?:https?|ftp|all)_proxy\s*=\s*|httpproxy\.host\s*=\s*|proxy server\(s\)\s*:\s*|"
                           r"proxy-server=)\"?([^\s\"';]+)")
BYPASS_TEXT_RE = re.compile(r"(?i)(?:\bno_proxy\s*=\s*|bypass list\s*:\s*|bypass-list=)\"?([^\s\"']+)")


def _norm(value: str) -> str:
    return value.strip().lower()


@dataclass
class _Table:
    """Pseudonyms by normalised value, in the order values were first seen."""

    entries: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, value: object) -> None:
        if not isinstance(value, str):
            return
        value = value.strip().strip("{}[]").strip()
        key = _norm(value)
        if not key or key in self.entries or _is_kept(key):
            return
        if kind == "user" and key in SYSTEM_ACCOUNTS:
            return
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        self.entries[key] = (kind, value, f"{KIND_PREFIX[kind]}-{n}")

    def pseudonym(self, value: str) -> str | None:
        hit = self.entries.get(_norm(value))
        return hit[2] if hit else None


def _is_kept(key: str) -> bool:
    return key in KEEP_ADDRESSES or key in ("localhost", "localhost.localdomain", "[redacted]", "redacted")


# --- collecting ----------------------------------------------------------------------------


def _valid_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _ipv4_in(text: str) -> Iterator[str]:
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
        if _valid_ipv4(mo.group()):
            yield mo.group()


def _ipv6_in(text: str) -> Iterator[str]:
    for mo in IPV6_RE.finditer(text):
        candidate = mo.group()
        if candidate.count(":") < 2:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield candidate


def _split_host_port(text: str) -> str:
    text = text.strip().strip("\"'")
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.rsplit("@", 1)[-1]
    text = text.split("/", 1)[0]
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text


class _Collector:
    """Walks the diagnosis and fills the table."""

    def __init__(self) -> None:
        self.table = _Table()

    # names that come with their kind
    def host(self, name: object) -> None:
        if not isinstance(name, str) or not name.strip():
            return
        name = name.strip().rstrip(".")
        if _valid_ipv4(name):
            self.table.add("ip", name)
            return
        labels = name.split(".")
        self.table.add("host", labels[0])
        if len(labels) > 2 or (len(labels) == 2 and labels[1].lower() not in ("local", "localdomain", "internal")):
            self.domain(".".join(labels[1:]))

    def domain(self, name: str) -> None:
        lowered = name.lower()
        if lowered.endswith(PUBLIC_DOMAINS) or ("." not in lowered and len(lowered) < 3):
            return
        self.table.add("domain", name)

    def url_host(self, host: str, kind: str = "host") -> None:
        host = host.strip("[]").rstrip(".")
        lowered = host.lower()
        if not host or _is_kept(lowered):
            return
        if _valid_ipv4(host):
            self.table.add("ip", host)
            return
        if ":" in host:
            try:
                ipaddress.IPv6Address(host.split("%", 1)[0])
            except ValueError:
                return
            self.table.add("ip", host)
            return
        if any(lowered == d or lowered.endswith("." + d) for d in PUBLIC_DOMAINS):
            return
        if not HOSTLIKE_RE.match(host):
            return
        self.table.add(kind, host)
        labels = host.split(".")
        if len(labels) >= 3:
            self.domain(".".join(labels[1:]))

    def user(self, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        value = value.strip()
        if "\\" in value:
            dom, _, name = value.rpartition("\\")
            if dom and _norm(dom) not in WELL_KNOWN_DOMAINS and not self.table.pseudonym(dom):
                self.table.add("domain", dom)
            value = name
        elif "@" in value:
            name, _, dom = value.partition("@")
            self.domain(dom)
            value = name
        self.table.add("user", value)

    def proxy_spec(self, spec: object, bypass: bool) -> None:
        if not isinstance(spec, str):
            return
        for part in re.split(r"[;,\s]+", spec):
            part = part.strip()
            if not part or part.lower() in ("<local>", "<-loopback>", "direct"):
                continue
            if "=" in part and "://" not in part.split("=", 1)[0]:
                part = part.split("=", 1)[1]
            cred = URL_RE.match(part)
            if cred and cred.group(1):
                self.user(cred.group(1))
                if cred.group(2) and cred.group(2) not in ("[redacted]", "***"):
                    self.table.add("secret", cred.group(2))
            host = _split_host_port(part).lstrip("*.").strip()
            if not host or "*" in host:
                continue
            self.url_host(host, "host" if bypass else "proxy")

    # generic text
    def text(self, text: str, *, versions: bool = False) -> None:
        if not text:
            return
        for mo in PROXY_TEXT_RE.finditer(text):
            self.proxy_spec(mo.group(1), bypass=False)
        for mo in BYPASS_TEXT_RE.finditer(text):
            self.proxy_spec(mo.group(1), bypass=True)
        for mo in URL_RE.finditer(text):
            if mo.group(1):
                self.user(mo.group(1))
            if mo.group(2) and mo.group(2) not in ("[redacted]", "***", "REDACTED"):
                self.table.add("secret", mo.group(2))
            self.url_host(mo.group(3))
        for mo in USER_AT_RE.finditer(text):
            host = mo.group(2)
            if _valid_ipv4(host) or HOSTLIKE_RE.match(host):
                self.user(mo.group(1))
                self.url_host(host)
        for mo in MAC_RE.finditer(text):
            self.table.add("mac", mo.group(1))
        if not versions:
            for ip in _ipv4_in(text):
                self.table.add("ip", ip)
        for ip in _ipv6_in(text):
            self.table.add("ip", ip)
        for mo in SID_RE.finditer(text):
            self.table.add("sid", mo.group())
        for mo in HOME_RE.finditer(text):
            self.user(mo.group(1))
        for mo in WIN_PROFILE_RE.finditer(text):
            self.user(mo.group(1))
        for mo in RESOURCE_SEGMENT_RE.finditer(text):
            if mo.group(1):
                kind = "subscription" if mo.group(1).lower() == "subscriptions" else "resource_group"
                self.table.add(kind, mo.group(2))
            else:
                vm = mo.group(3).lower() == "microsoft.compute" and mo.group(4).lower() == "virtualmachines"
                self.table.add("vm" if vm else "resource", mo.group(5))
        for mo in XML_ID_RE.finditer(text):
            tag = mo.group(1).lower()
            self.table.add({"vmid": "vm_id", "subscriptionid": "subscription"}.get(tag, "guid"), mo.group(2))
        for mo in JSON_ID_RE.finditer(text):
            key, value = mo.group(1), mo.group(2)
            if key == "name":
                if '"vmId"' in text:
                    self.table.add("vm", value)
                continue
            kinds = {"vmId": "vm_id", "subscriptionId": "subscription", "resourceGroupName": "resource_group",
                     "computerName": "host", "adminUsername": "user"}
            if kinds[key] == "host":
                self.host(value)
            elif kinds[key] == "user":
                self.user(value)
            else:
                self.table.add(kinds[key], value)
        if HEX_RE.match(text):
            decoded = bytes.fromhex(text).decode("latin-1")
            if sum(c.isprintable() for c in decoded) >= 4:
                self.text(decoded)

    def keyed(self, key: str, value: Any) -> None:
        """What a field's name says about its value."""
        k = key.lower()
        if not isinstance(value, str):
            return
        if k in HOST_KEYS:
            self.host(value)
        if k in VM_KEYS:
            self.table.add("vm", value)
        if k in RG_KEYS:
            self.table.add("resource_group", value)
        if k in SUB_KEYS:
            self.table.add("subscription", value)
        if k in USER_KEYS:
            self.user(value)
        if k in ("mac", "macaddress", "mac_address", "permanentaddress", "physical_address"):
            self.table.add("mac", value)
        if GUID_KEY_RE.match(key) and k not in SUB_KEYS:
            kind = "vm_id" if k.replace("_", "") == "vmid" else "guid"
            if GUID_RE.fullmatch(value.strip()):
                self.table.add(kind, value)
        if k in PROXY_KEYS or k in BYPASS_KEYS:
            self.proxy_spec(value, bypass=k in BYPASS_KEYS)

    def walk(self, value: Any, key: str = "", *, fields: bool, depth: int = 0) -> None:
        """Collect from what field names say (`fields`), or from patterns in the text."""
        if depth > 60:
            return
        versions = bool(key and VERSION_KEY_RE.search(key))
        if isinstance(value, str):
            if fields:
                self.keyed(key, value)
            else:
                self.text(value, versions=versions)
        elif isinstance(value, dict):
            if fields and any(str(k).lower() in ("vm_id", "vmid") for k in value):
                for k in ("name", "vm_name", "computer_name"):
                    self.table.add("vm", value.get(k))
            for k, v in value.items():
                if not fields:
                    self.text(str(k))
                self.walk(v, key if versions else str(k), fields=fields, depth=depth + 1)
        elif isinstance(value, list | tuple):
            for item in value:
                self.walk(item, key, fields=fields, depth=depth + 1)


# --- replacing -----------------------------------------------------------------------------

_BOUNDARY_L = r"(?<![A-Za-z0-9])"
_BOUNDARY_R = r"(?![A-Za-z0-9])"
_MIN_INLINE = 3


class _Replacer:
    def __init__(self, table: _Table) -> None:
        self.table = table
        literals = sorted((e[1] for e in table.entries.values() if len(e[1]) >= _MIN_INLINE), key=len, reverse=True)
        self.pattern = (re.compile(_BOUNDARY_L + "(?:" + "|".join(re.escape(v) for v in literals) + ")" + _BOUNDARY_R,
                                   re.IGNORECASE) if literals else None)

    def _sub_user_path(self, mo: re.Match[str]) -> str:
        name = mo.group(1)
        pseudo = self.table.pseudonym(name)
        if pseudo is None:
            return mo.group(0)
        start = mo.start(1) - mo.start(0)
        return mo.group(0)[:start] + pseudo + mo.group(0)[start + len(name):]

    def text(self, text: str) -> str:
        if not text:
            return text
        whole = self.table.pseudonym(text)
        if whole is not None:
            return whole
        if HEX_RE.match(text):
            decoded = bytes.fromhex(text).decode("latin-1")
            replaced = self.text(decoded)
            if replaced != decoded:
                return replaced.encode("latin-1", "replace").hex()
            return text
        text = HOME_RE.sub(self._sub_user_path, text)
        text = WIN_PROFILE_RE.sub(self._sub_user_path, text)
        if self.pattern is not None:
            text = self.pattern.sub(lambda mo: self.table.pseudonym(mo.group()) or mo.group(), text)
        return text

    def value(self, value: Any, depth: int = 0) -> Any:
        if depth > 60:
            return "[too deeply nested]"
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for k, v in value.items():
                nk = self.text(k) if isinstance(k, str) else k
                while nk in out:
                    nk = f"{nk}~"
                out[nk] = self.value(v, depth + 1)
            return out
        if isinstance(value, list | tuple):
            return [self.value(v, depth + 1) for v in value]
        return value


# --- the diagnosis -------------------------------------------------------------------------


def _msg_params(msg: dict[str, Any] | None, depth: int = 0) -> Iterator[tuple[dict[str, Any], str]]:
    """(params, key) of every parameter value of a message; a message inside a parameter is walked into,
    so its id (English source text) is never masked."""
    if not (isinstance(msg, dict) and isinstance(msg.get("params"), dict)) or depth > 8:
        return
    params = msg["params"]
    for k in list(params):
        if is_msg_dict(params[k]):
            yield from _msg_params(params[k], depth + 1)
        else:
            yield params, k


def _result_parts(r: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(container, key) pairs of every VM-derived value of a result (never message ids or doc URLs)."""
    for name in ("title", "summary", "why"):
        yield from _msg_params(r.get(name))
    for step in r.get("fix") or []:
        yield from _msg_params(step.get("text"))
        yield step, "command"
    for d in r.get("docs") or []:
        yield from _msg_params(d.get("title"))
    yield r, "evidence"


def _parts(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    host = data["host"]
    for k in ("hostname", "os_version", "imds"):
        yield host, k
    for r in data["results"]:
        yield from _result_parts(r)
    if isinstance(data.get("symptom"), dict) and "input" in data["symptom"]:
        yield data["symptom"], "input"
    for k in list(data.get("case") or {}):
        yield data["case"], k
    for k in list(data.get("source") or {}):
        yield data["source"], k


def _collect(data: dict[str, Any]) -> _Table:
    c = _Collector()
    host = data["host"]
    c.host(host.get("hostname"))
    imds = host.get("imds") or {}
    c.table.add("vm", imds.get("name"))
    c.table.add("resource_group", imds.get("resource_group"))
    c.table.add("subscription", imds.get("subscription_id"))
    c.table.add("vm_id", imds.get("vm_id"))
    parts = list(_parts(data))
    for fields in (True, False):
        for container, key in parts:
            c.walk(container.get(key), key, fields=fields)
    return c.table


def _apply(data: dict[str, Any], replace: Callable[[Any], Any]) -> None:
    for container, key in list(_parts(data)):
        if key in container:
            container[key] = replace(container[key])


def _collect_diagnosis(diag: Diagnosis) -> tuple[dict[str, Any], _Table]:
    data = copy.deepcopy(diag.to_dict())
    return data, _collect(data)


def redaction_preview(diag: Diagnosis) -> list[tuple[str, str, str]]:
    """What `redact_diagnosis` would mask: (kind, original, pseudonym), grouped by kind.

    For the user's eyes before saving; never written into a report.
    """
    _, table = _collect_diagnosis(diag)
    rows = list(table.entries.values())
    return sorted(rows, key=lambda e: (KIND_ORDER.index(e[0]), int(e[2].rsplit("-", 1)[1])))


def redact_diagnosis(diag: Diagnosis) -> Diagnosis:
    """A deep copy of `diag` with identifiers replaced by consistent pseudonyms; `source` gets
    `{"redacted": true}`. The input is not changed."""
    data, table = _collect_diagnosis(diag)
    replacer = _Replacer(table)
    _apply(data, replacer.value)
    data["source"] = {**(data.get("source") or {}), "redacted": True}
    return Diagnosis.from_dict(data)
