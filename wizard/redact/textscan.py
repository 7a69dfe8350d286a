"""What the patterns of `wizard.redact.formats` find in free text, handed to the collector of
`wizard.redact.identifiers` topic by topic: proxies and URLs, host names, addresses, accounts, Azure IDs.

The order of the topics, and of the patterns in each, is the order in which values are first seen, so it
decides the pseudonyms' numbers (`host-1`, `host-2`, ...): keep it.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import unquote

from wizard.redact import formats as f

ID_KINDS = {"vmid": "vm_id", "subscriptionid": "subscription", "vmuniqueid": "vm_id"}
"""The kind of a GUID by the (lower-case, underscore-free) name it is given."""
_XML_ID_KINDS = {"vmid": "vm_id", "subscriptionid": "subscription"}
_JSON_ID_KINDS = {"vmId": "vm_id", "subscriptionId": "subscription", "resourceGroupName": "resource_group",
                  "computerName": "host", "adminUsername": "user"}


class _Table(Protocol):
    def add(self, kind: str, value: object) -> None: ...


class Collector(Protocol):
    """What the scan needs of `wizard.redact.identifiers._Collector`."""

    @property
    def table(self) -> _Table: ...

    def host(self, name: object) -> None: ...

    def domain(self, name: str) -> None: ...

    def url_host(self, host: str, kind: str = "host") -> None: ...

    def user(self, value: object) -> None: ...

    def guid(self, kind: str, value: str) -> None: ...

    def proxy_spec(self, spec: object, bypass: bool) -> None: ...

    def password(self, value: str | None) -> None: ...


def scan(c: Collector, text: str, versions: bool) -> None:
    """Every identifier the patterns find in `text` (IPv4 addresses not when it holds version numbers)."""
    _proxies_and_urls(c, text)
    _host_names(c, text)
    _addresses(c, text, versions)
    _accounts(c, text)
    _azure_ids(c, text)


def _proxies_and_urls(c: Collector, text: str) -> None:
    for mo in f.PROXY_TEXT_RE.finditer(text):
        c.proxy_spec(mo.group(1), bypass=False)
    for mo in f.BYPASS_TEXT_RE.finditer(text):
        c.proxy_spec(mo.group(1), bypass=True)
    for mo in f.URL_RE.finditer(text):
        if mo.group(1):
            c.user(unquote(mo.group(1)))
        c.password(mo.group(2))
        c.url_host(mo.group(3))
    for mo in f.USER_AT_RE.finditer(text):
        host = mo.group(2)
        if f.valid_ipv4(host) or f.HOSTLIKE_RE.match(host):
            c.user(mo.group(1))
            c.url_host(host)


def _host_names(c: Collector, text: str) -> None:
    for mo in f.PROMPT_RE.finditer(text):
        c.user(mo.group(1))
        c.host(mo.group(2))
    for mo in f.AZURE_FQDN_RE.finditer(text):
        c.host(mo.group(1))
    for mo in f.UNC_RE.finditer(text):
        c.url_host(mo.group(1))
    for mo in f.HOST_LINE_RE.finditer(text):
        c.host(mo.group(1))


def _addresses(c: Collector, text: str, versions: bool) -> None:
    for mo in f.MAC_RE.finditer(text):
        c.table.add("mac", mo.group(1))
    for mo in f.MAC_DOTTED_RE.finditer(text):
        c.table.add("mac", mo.group(1))
    if not versions:
        for ip in f.ipv4_in(text):
            c.table.add("ip", ip)
    for ip in f.ipv6_in(text):
        c.table.add("ip", ip)


def _accounts(c: Collector, text: str) -> None:
    for mo in f.SID_RE.finditer(text):
        c.table.add("sid", mo.group())
    for pattern in (f.HOME_RE, f.WIN_PROFILE_RE, f.ID_OUTPUT_RE, f.LOGIN_RE):
        for mo in pattern.finditer(text):
            c.user(mo.group(1))


def _azure_ids(c: Collector, text: str) -> None:
    for mo in f.ACCOUNT_NAME_RE.finditer(text):
        c.table.add("storage", mo.group(1))
    for mo in f.TENANT_RE.finditer(text):
        c.domain(mo.group(1))
    _resource_ids(c, text)
    for mo in f.ID_CONTEXT_RE.finditer(text):
        key = mo.group(1).lower().replace("_", "")
        c.guid(ID_KINDS.get(key, "guid"), mo.group(2))
    _xml_ids(c, text)
    _json_ids(c, text)


def _resource_ids(c: Collector, text: str) -> None:
    for mo in f.RESOURCE_SEGMENT_RE.finditer(text):
        if mo.group(1):
            kind = "subscription" if mo.group(1).lower() == "subscriptions" else "resource_group"
            c.table.add(kind, mo.group(2))
        else:
            kind = f.RESOURCE_KINDS.get((mo.group(3).lower(), mo.group(4).lower()), "resource")
            c.table.add(kind, mo.group(5))
    for mo in f.BACKUP_CONTAINER_RE.finditer(text):
        c.table.add("resource_group", mo.group(1))
        c.table.add("vm", mo.group(2))


def _xml_ids(c: Collector, text: str) -> None:
    for mo in f.XML_ID_RE.finditer(text):
        kind = _XML_ID_KINDS.get(mo.group(1).lower(), "guid")
        inner = f.GUID_IN_RE.search(mo.group(2))
        if inner:
            c.table.add(kind, inner.group())
        elif kind == "subscription":
            c.table.add(kind, mo.group(2))


def _json_ids(c: Collector, text: str) -> None:
    """Also in JSON cut short, which `json.loads` refuses."""
    for mo in f.JSON_ID_RE.finditer(text):
        kind, value = _JSON_ID_KINDS[mo.group(1)], mo.group(2)
        if kind == "host":
            c.host(value)
        elif kind == "user":
            c.user(value)
        else:
            c.table.add(kind, value)
