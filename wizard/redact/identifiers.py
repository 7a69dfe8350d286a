"""`--redact`: the customer's identifiers replaced by consistent pseudonyms, in a Diagnosis and in a
recorded scenario, with one table for both.

What is masked: this machine's host name (and its DNS domain), the VM name, resource group,
subscription id, resource ids (each segment, also URL-encoded or with `\\/`), storage account,
Recovery Services vault and key vault names (in resource ids and in their URLs), the vmId and
other GUIDs in identifying fields (upper or lower case, braced, URL-encoded, without dashes),
IPv4/IPv6 (with ports, zones, brackets, IPv4-mapped) and MAC addresses (any separator), host
names in URLs, UNC paths, prompts and `Host Name:` lines, the customer's label in Azure host names
(`<label>.<region>.cloudapp.azure.com`, `*.internal.cloudapp.net`), user names (the elevation
user, process owners, `/home/<user>`, `C:\\Users\\<user>`, `DOMAIN\\user`, UPNs and e-mail
addresses, `uid=1000(<user>)`, `user@host:~$` prompts, sshd log lines), Windows account SIDs,
proxy host names and credentials. The platform endpoints 168.63.129.16 and 169.254.169.254,
loopback, unspecified and netmask addresses, public Microsoft and distribution sites, built-in
accounts, message ids, documentation links and version numbers stay: they say nothing about the
customer.

It works in two passes:
1. collect every identifier (from the fields that name one, from patterns in any text, from JSON
   documents inside strings), giving each a canonical key so that every spelling of one value
   (case, encoding, IPv6 compression, MAC separators, GUID dashes) shares one entry; pseudonyms
   are numbered per kind in the order values were first seen: `host-1`, `vm-1`, `ip-1`, ...;
2. replace them everywhere in one regular-expression pass, so a pseudonym is never replaced again
   and the same value gets the same pseudonym in the host facts, message parameters, fix commands,
   evidence (keys and values), the symptom input, the case fields, the source and, with
   `redact_together`, every argument and answer of a recorded scenario.

No mapping back to the originals is kept in the result; `redaction_preview` lists it for the
user's eyes only.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from wizard.i18n import N_, Translator
from wizard.model import Diagnosis, is_msg_dict
from wizard.redact import formats as f
from wizard.redact import textscan
from wizard.redact.textscan import ID_KINDS

KIND_PREFIX: dict[str, str] = {
    "host": "host", "domain": "domain", "vm": "vm", "resource_group": "rg", "subscription": "sub",
    "resource": "res", "storage": "storage", "vault": "vault", "key_vault": "kv", "vm_id": "vmid", "guid": "guid",
    "ip": "ip", "mac": "mac", "user": "user", "sid": "sid", "proxy": "proxy", "secret": "secret",
}
KIND_ORDER = tuple(KIND_PREFIX)

LEVELS = ("support", "public")
"""`public`: every identifier pseudonymised (`--redact` alone). `support`: personal data masked, the Azure IDs
support needs kept (SUPPORT_KEEPS; also a host name that is the VM's name, so the resource ID stays whole)."""
SUPPORT_KEEPS = frozenset({"vm", "resource_group", "subscription", "resource", "storage", "vault", "key_vault",
                           "vm_id", "guid"})

KIND_LABELS: dict[str, str] = {
    "host": N_("Host name"),
    "domain": N_("Domain name"),
    "vm": N_("VM name"),
    "resource_group": N_("Resource group"),
    "subscription": N_("Subscription ID"),
    "resource": N_("Resource name"),
    "storage": N_("Storage account"),
    "vault": N_("Recovery Services vault"),
    "key_vault": N_("Key vault"),
    "vm_id": N_("VM ID"),
    "guid": N_("Identifier (GUID)"),
    "ip": N_("IP address"),
    "mac": N_("MAC address"),
    "user": N_("User name"),
    "sid": N_("Account SID"),
    "proxy": N_("Proxy server"),
    "secret": N_("Password"),
}

# A value first seen as a weaker kind takes the stronger one when a later source says so: a GUID
# found in text that IMDS names the vmId, a resource name a resource id says is a VM.
_RANK = {"guid": 0, "resource": 0, "domain": 0}


def kind_label(kind: str, translator: Translator) -> str:
    """The translated name of a kind of identifier, for the preview on the Save page."""
    return translator(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


VERSION_KEY_RE = re.compile(r"(?i)version|^installed$|^goal|^python$|kernel|release|^build|^minimum|^min_|^max_")
GUID_KEY_RE = re.compile(r"(?i)^(vm_?id|subscription_?id|tenant_?id|container_?id|role_?instance_?id|"
                         r"object_?id|principal_?id|client_?id|deployment_?id|vm_?unique_?id)$")
USER_KEYS = frozenset({"user", "username", "user_name", "owner", "account", "run_as", "runas", "adminusername",
                       "admin_username", "login", "logon_user", "logname", "sudo_user"})
HOST_KEYS = frozenset({"hostname", "host_name", "computer_name", "computername", "fqdn", "machine_name",
                       "dnsname", "dns_name"})
VM_KEYS = frozenset({"vm_name", "vmname", "computername"})
RG_KEYS = frozenset({"resource_group", "resourcegroup", "resourcegroupname", "resource_group_name"})
SUB_KEYS = frozenset({"subscription_id", "subscriptionid", "subscription"})
MAC_KEYS = frozenset({"mac", "macaddress", "mac_address", "permanentaddress", "physical_address", "physicaladdress"})
PROXY_KEYS = frozenset({"proxy", "proxy_for_http", "proxy_for_https", "http_proxy", "https_proxy", "all_proxy",
                        "ftp_proxy", "proxyserver", "proxy_server", "httpproxy.host", "winhttp_proxy"})
BYPASS_KEYS = frozenset({"bypass", "bypass_list", "no_proxy", "proxyoverride", "proxy_override", "proxy_bypass"})
_SKIP_SCENARIO_KEYS = frozenset({"schema", "tool", "recorded_at", "probe"})
_MAX_JSON_TEXT = 4 << 20


def _norm(value: str) -> str:
    return value.strip().lower()


def _is_kept(key: str) -> bool:
    return key in f.KEEP_ADDRESSES or key in ("localhost", "localhost.localdomain", "[redacted]", "redacted")


@dataclass
class _Entry:
    kind: str
    original: str
    order: int
    forms: set[str]
    pseudonym: str = ""
    kinds: set[str] = field(default_factory=set)


@dataclass
class _Table:
    """Identifiers by canonical key; pseudonyms are numbered by `finish` in the order first seen."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)  # lower-case spelling -> pseudonym, after finish

    def add(self, kind: str, value: object) -> None:
        if not isinstance(value, str):
            return
        value = value.strip().strip("[]\"'").strip()
        if kind not in f.GUID_KINDS:
            value = value.strip("{}")
        if not value or _is_kept(_norm(value)):
            return
        if kind == "user" and _norm(value) in f.SYSTEM_ACCOUNTS:
            return
        found = f.canonical(kind, value)
        if found is None:
            return
        key, forms = found
        if _is_kept(key):
            return
        entry = self.entries.get(key)
        if entry is None:
            self.entries[key] = _Entry(kind, value, len(self.entries), set(forms), kinds={kind})
            return
        entry.forms |= forms
        entry.kinds.add(kind)
        if _RANK.get(entry.kind, 2) < _RANK.get(kind, 2):
            entry.kind = kind

    def known(self, value: str, *kinds: str) -> bool:
        found = f.canonical(kinds[0] if kinds else "host", value)
        entry = self.entries.get(found[0]) if found else None
        return entry is not None and (not kinds or entry.kind in kinds)

    def finish(self, level: str = "public") -> None:
        if level not in LEVELS:
            raise ValueError(f"unknown masking level {level!r}")
        if level == "support":
            self.entries = {k: e for k, e in self.entries.items() if not (e.kinds & SUPPORT_KEEPS)}
        counters: dict[str, int] = {}
        for entry in sorted(self.entries.values(), key=lambda e: e.order):
            counters[entry.kind] = counters.get(entry.kind, 0) + 1
            entry.pseudonym = f"{KIND_PREFIX[entry.kind]}-{counters[entry.kind]}"
            for form in entry.forms:
                self.forms.setdefault(form, entry.pseudonym)

    def pseudonym(self, value: str) -> str | None:
        hit = self.forms.get(_norm(value))
        if hit is not None:
            return hit
        for kind in ("ip", "mac", "guid"):
            found = f.canonical(kind, value.strip())
            if found is not None and found[0] in self.entries and self.entries[found[0]].pseudonym:
                return self.entries[found[0]].pseudonym
        return None


# --- collecting ----------------------------------------------------------------------------


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
    """Walks plain data and fills the table."""

    def __init__(self) -> None:
        self.table = _Table()
        self.texts: list[str] = []  # every string seen, for the pass that needs the whole table

    # names that come with their kind
    def host(self, name: object) -> None:
        if not isinstance(name, str) or not name.strip():
            return
        name = name.strip().rstrip(".")
        if f.valid_ipv4(name):
            self.table.add("ip", name)
            return
        azure = f.azure_host(name)
        if azure is not None:
            for kind, value in azure:
                self.table.add(kind, value)
            return
        if f.is_public_host(name) or not f.HOSTLIKE_RE.match(name):
            return
        labels = name.split(".")
        self.table.add("host", labels[0])
        if len(labels) > 2 or (len(labels) == 2 and labels[1].lower() not in ("local", "localdomain", "internal")):
            self.domain(".".join(labels[1:]))

    def domain(self, name: str) -> None:
        name = name.strip().rstrip(".")
        lowered = name.lower()
        if f.is_public_host(lowered) or ("." not in lowered and len(lowered) < 3):
            return
        self.table.add("domain", name)

    def url_host(self, host: str, kind: str = "host") -> None:
        """A host named in a URL, a proxy setting or an address: masked whole (its first label may be
        a plain word such as `proxy` or `www`), with its DNS domain."""
        host = host.strip("[]").rstrip(".")
        lowered = host.lower()
        if not host or _is_kept(lowered):
            return
        if f.valid_ipv4(host) or ":" in host:
            self.table.add("ip", host)
            return
        azure = f.azure_host(host)
        if azure is not None:
            for k, v in azure:
                self.table.add(k, v)
            return
        if f.is_public_host(host) or not f.HOSTLIKE_RE.match(host) or lowered in f.GENERIC_HOSTS:
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
            dom = dom.strip("\\")
            if dom and _norm(dom) not in f.WELL_KNOWN_DOMAINS and not self.table.known(dom):
                self.table.add("domain", dom)
            value = name
        elif "@" in value:
            name, _, dom = value.partition("@")
            self.domain(dom)
            value = name
        self.table.add("user", value)

    def guid(self, kind: str, value: str) -> None:
        if f.guid_hex(value) is not None:
            self.table.add(kind, value)

    def proxy_spec(self, spec: object, bypass: bool) -> None:
        if not isinstance(spec, str):
            return
        for part in re.split(r"[;,\s]+", spec):
            part = part.strip()
            if not part or part.lower() in ("<local>", "<-loopback>", "direct", "none", "null", "false", "(none)"):
                continue
            if "=" in part and "://" not in part.split("=", 1)[0]:
                part = part.split("=", 1)[1]
            cred = f.URL_RE.match(part)
            if cred and cred.group(1):
                self.user(cred.group(1))
                self.password(cred.group(2))
            elif "@" in part and ":" in part.split("@", 1)[0]:
                self.user(part.split(":", 1)[0])
            wildcard = part.startswith(("*.", "."))
            host = _split_host_port(part).lstrip("*.").strip()
            if not host or "*" in host:
                continue
            if bypass and wildcard:  # *.corp.contoso.com: a DNS domain
                self.domain(host)
            else:
                self.url_host(host, "host" if bypass else "proxy")

    def password(self, value: str | None) -> None:
        if value and value not in ("[redacted]", "***", "REDACTED"):
            self.table.add("secret", value)

    # generic text
    def text(self, text: str, *, versions: bool = False) -> None:
        if not text:
            return
        self.texts.append(text)
        self._patterns(text, versions)
        if "%" in text:
            decoded = unquote(text)
            if decoded != text:
                self._patterns(decoded, versions)
        if "\\/" in text:
            self._patterns(text.replace("\\/", "/"), versions)
        if f.HEX_RE.match(text):
            decoded = bytes.fromhex(text).decode("latin-1")
            if sum(c.isprintable() for c in decoded) >= 4:
                self.text(decoded)
        stripped = text.lstrip()
        if stripped[:1] in ("{", "[") and len(text) < _MAX_JSON_TEXT:
            try:
                parsed = json.loads(text)
            except ValueError:
                return
            if isinstance(parsed, dict | list):
                self.walk(parsed, fields=True)

    def _patterns(self, text: str, versions: bool) -> None:
        textscan.scan(self, text, versions)

    def second_pass(self) -> None:
        """What needs the identifiers found so far: the DNS domain after a known host name, and
        `DOMAIN\\user` where DOMAIN is a known host or domain (or upper case, or after `User:`)."""
        hosts = [e.original for e in self.table.entries.values() if e.kind == "host" and "." not in e.original]
        fqdn = re.compile(r"(?i)(?<![\w.-])(?:" + "|".join(re.escape(h) for h in hosts) +
                          r")\.([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6})(?![\w-])") if hosts else None
        for text in self.texts:
            if fqdn is not None:
                for mo in fqdn.finditer(text):
                    if not mo.group(1).split(".")[-1].isdigit():
                        self.domain(mo.group(1))
            if "\\" in text:
                for mo in f.DOMAIN_USER_RE.finditer(text):
                    self._domain_user(text, mo)

    def _domain_user(self, text: str, mo: re.Match[str]) -> None:
        dom, name = mo.group(1), mo.group(2)
        low = dom.lower()
        if low in f.NOT_DOMAINS or low in f.WELL_KNOWN_DOMAINS or name.lower() in f.NOT_DOMAINS:
            return
        before = text[max(0, mo.start() - 24):mo.start()]
        if re.search(r"(?i)\b(?:nt|iis|window|font driver|nt virtual)\s$", before):
            return
        known = self.table.known(dom, "host", "domain")
        if known or (dom.isupper() and len(dom) >= 2) or f.USER_CONTEXT_RE.search(before):
            if not known:
                self.table.add("domain", dom)
            self.table.add("user", name)

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
        if k in MAC_KEYS:
            self.table.add("mac", value)
        if GUID_KEY_RE.match(key) and k not in SUB_KEYS:
            self.guid(ID_KINDS.get(k.replace("_", ""), "guid"), value)
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
            listing = "is_dir" in value  # a directory entry: its name is a file name (`1.0.70.0`), not an address
            for k, v in value.items():
                if not fields:
                    self.text(str(k))
                if listing and k == "name" and isinstance(v, str):
                    if not fields:
                        self.text(v, versions=True)
                    continue
                self.walk(v, key if versions else str(k), fields=fields, depth=depth + 1)
        elif isinstance(value, list | tuple):
            for item in value:
                self.walk(item, key, fields=fields, depth=depth + 1)


# --- replacing -----------------------------------------------------------------------------

_BOUNDARY_L = r"(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))"  # `%2F` before a name is a boundary too
_BOUNDARY_R = r"(?![A-Za-z0-9])"
_MIN_INLINE = 3


class _Replacer:
    def __init__(self, table: _Table) -> None:
        self.table = table
        literals = sorted((form for form in table.forms if len(form) >= _MIN_INLINE), key=len, reverse=True)
        self.pattern = (re.compile(_BOUNDARY_L + "(?:" + "|".join(re.escape(v) for v in literals) + ")" + _BOUNDARY_R,
                                   re.IGNORECASE) if literals else None)

    def _sub_group(self, mo: re.Match[str], group: int) -> str:
        name = mo.group(group)
        pseudo = self.table.pseudonym(name) if name else None
        if pseudo is None:
            return mo.group(0)
        start = mo.start(group) - mo.start(0)
        return mo.group(0)[:start] + pseudo + mo.group(0)[start + len(name):]

    def _sub_segment(self, mo: re.Match[str]) -> str:
        return self._sub_group(mo, 2 if mo.group(1) else 5)

    def text(self, text: str) -> str:
        if not text:
            return text
        whole = self.table.pseudonym(text)
        if whole is not None:
            return whole
        if f.HEX_RE.match(text):
            decoded = bytes.fromhex(text).decode("latin-1")
            replaced = self.text(decoded)
            if replaced != decoded:
                return replaced.encode("latin-1", "replace").hex()
            return text
        # names shorter than the inline minimum still go where their place says what they are
        text = f.HOME_RE.sub(lambda mo: self._sub_group(mo, 1), text)
        text = f.WIN_PROFILE_RE.sub(lambda mo: self._sub_group(mo, 1), text)
        text = f.RESOURCE_SEGMENT_RE.sub(self._sub_segment, text)
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


# --- a diagnosis and a recording -------------------------------------------------------------


Part = tuple[dict[str, Any] | list[Any], Any]  # (container, key): a dict and its key, or a list and an index


def _value_at(container: dict[str, Any] | list[Any], key: Any) -> Any:
    if isinstance(container, list):
        return container[key] if isinstance(key, int) and 0 <= key < len(container) else None
    return container.get(key)


def _msg_params(msg: dict[str, Any] | None, depth: int = 0) -> Iterator[Part]:
    """(params, key) of every parameter value of a message; a message inside a parameter is walked into,
    so its id (English source text) is never masked."""
    if not (isinstance(msg, dict) and isinstance(msg.get("params"), dict)) or depth > 8:
        return
    params = msg["params"]
    for k in list(params):
        if is_msg_dict(params[k]):
            yield from _msg_params(params[k], depth + 1)
        elif isinstance(params[k], list) and any(is_msg_dict(v) for v in params[k]):
            items = params[k]  # a list parameter with messages in it: their ids stay, their parameters and
            for i, item in enumerate(items):  # the plain items are masked
                if is_msg_dict(item):
                    yield from _msg_params(item, depth + 1)
                else:
                    yield items, i
        else:
            yield params, k


def _result_parts(r: dict[str, Any]) -> Iterator[Part]:
    """(container, key) pairs of every VM-derived value of a result (never message ids or doc URLs)."""
    for name in ("title", "summary", "why"):
        yield from _msg_params(r.get(name))
    for step in r.get("fix") or []:
        yield from _msg_params(step.get("text"))
        yield step, "command"
    for d in r.get("docs") or []:
        yield from _msg_params(d.get("title"))
    yield r, "evidence"


def _parts(data: dict[str, Any]) -> Iterator[Part]:
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


def _scenario_parts(scenario: dict[str, Any]) -> Iterator[Part]:
    """(container, key) pairs of a recorded scenario that may hold machine data: the title and
    description, every call's arguments and answer (never probe names, the schema or the tool)."""
    for k in scenario:
        if k not in _SKIP_SCENARIO_KEYS and k != "calls":
            yield scenario, k
    for call in scenario.get("calls") or []:
        if isinstance(call, dict):
            for k in call:
                if k not in _SKIP_SCENARIO_KEYS:
                    yield call, k


def _collect(data: dict[str, Any] | None, scenario: dict[str, Any] | None, level: str = "public",
             more: tuple[dict[str, Any], ...] = ()) -> _Table:
    c = _Collector()
    datas = ([data] if data is not None else []) + list(more)
    for one in datas:
        host = one["host"]
        c.host(host.get("hostname"))
        imds = host.get("imds") or {}
        c.table.add("vm", imds.get("name"))
        c.table.add("resource_group", imds.get("resource_group"))
        c.table.add("subscription", imds.get("subscription_id"))
        c.table.add("vm_id", imds.get("vm_id"))
    groups = [list(_parts(one)) for one in datas] + \
             ([list(_scenario_parts(scenario))] if scenario is not None else [])
    for parts in groups:  # the diagnosis first: its pseudonyms are numbered as redact_diagnosis numbers them
        for fields in (True, False):
            for container, key in parts:
                c.walk(_value_at(container, key), key if isinstance(key, str) else "", fields=fields)
    c.second_pass()
    c.table.finish(level)
    return c.table


def _apply(parts: Iterable[Part], replace: Callable[[Any], Any]) -> None:
    for container, key in list(parts):
        if isinstance(container, list) or key in container:
            container[key] = replace(_value_at(container, key))


def _preview(table: _Table) -> list[tuple[str, str, str]]:
    rows = [(e.kind, e.original, e.pseudonym) for e in table.entries.values()]
    return sorted(rows, key=lambda e: (KIND_ORDER.index(e[0]), int(e[2].rsplit("-", 1)[1])))


def redaction_preview(diag: Diagnosis, scenario: dict[str, Any] | None = None,
                      level: str = "public") -> list[tuple[str, str, str]]:
    """What `redact_diagnosis` (or `redact_together` with `scenario`) would mask at `level`: (kind,
    original, pseudonym), grouped by kind. For the user's eyes before saving; never written into a report."""
    return _preview(_collect(copy.deepcopy(diag.to_dict()), scenario, level))


def redact_diagnosis(diag: Diagnosis, level: str = "public") -> Diagnosis:
    """A deep copy of `diag` with identifiers replaced by consistent pseudonyms (at `level`, see `LEVELS`);
    `source` gets `{"redacted": true, "masking": level}`. The input is not changed."""
    return redact_together(diag, None, level)[0]


def redact_together(diag: Diagnosis, scenario: dict[str, Any] | None,
                    level: str = "public") -> tuple[Diagnosis, dict[str, Any] | None]:
    """The diagnosis and the recorded scenario of the same run, redacted with ONE pseudonym table,
    so the report, the JSON and the recording (`--record --redact`) name every identifier alike.

    The diagnosis is collected first, so its pseudonyms are those `redact_diagnosis` gives; the
    scenario may add identifiers only it holds. Probe names, the schema and the tool stay; every
    argument and answer is replaced, so a replay of the redacted recording asks for the redacted
    paths it answers. The scenario gets `"redacted": true`. Neither input is changed."""
    data = copy.deepcopy(diag.to_dict())
    recording = copy.deepcopy(scenario) if scenario is not None else None
    table = _collect(data, recording, level)
    replacer = _Replacer(table)
    _apply(_parts(data), replacer.value)
    data["source"] = {**(data.get("source") or {}), "redacted": True, "masking": level}
    if recording is not None:
        _apply(_scenario_parts(recording), replacer.value)
        recording["redacted"] = True
        recording["masking"] = level
    return Diagnosis.from_dict(data), recording


def redact_scenario(scenario: dict[str, Any]) -> dict[str, Any]:
    """A recorded scenario alone, redacted (its own pseudonym table)."""
    table = _collect(None, recording := copy.deepcopy(scenario))
    _apply(_scenario_parts(recording), _Replacer(table).value)
    recording["redacted"] = True
    return recording


def redact_all(diags: list[Diagnosis], level: str = "public") -> list[Diagnosis]:
    """Several diagnoses (the before and after of `--compare`) redacted with ONE pseudonym table, so the
    same identifier has the same placeholder in all of them."""
    datas = [copy.deepcopy(d.to_dict()) for d in diags]
    if not datas:
        return []
    table = _collect(None, None, level, tuple(datas))
    replacer = _Replacer(table)
    out = []
    for data in datas:
        _apply(_parts(data), replacer.value)
        data["source"] = {**(data.get("source") or {}), "redacted": True, "masking": level}
        out.append(Diagnosis.from_dict(data))
    return out
