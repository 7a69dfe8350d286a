"""Proxy settings as text: waagent.conf, environments, systemd drop-ins, WinHTTP and WinINet.

Pure functions that never raise on hostile input and stay linear in its size. They answer two
questions for every place a proxy can be configured: which proxy would an HTTP request to a
given address go through, and does the bypass list (`no_proxy`, WinHTTP bypass list,
WinINet `ProxyOverride`) send 168.63.129.16 and 169.254.169.254 directly instead.

Matching rules:
- Linux `no_proxy` follows the Linux agent's `bypass_proxy` (WALinuxAgent restutil.py): for an
  IPv4 host, an entry matches when it is that exact address or a CIDR (mask 1-32) containing
  it; for a host name, when the name ends with the entry. `*` (bypass everything, honoured by
  curl, Python's urllib and requests) is accepted too.
- Windows bypass lists are `;`-separated patterns with `*` wildcards, matched without regard
  to case; `<local>` matches only host names without a dot, so never an IP address.

Credentials in proxy URLs (`user:password@host`) are masked with `mask_credentials` before any
value leaves this module's callers.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import error_fields

MAX_TEXT = 1024 * 1024
MAX_ENTRIES = 500
MAX_PATTERN = 400

# user:password@ in a proxy value, with or without a scheme in front.
_CRED_RE = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]{0,20}://)?([^\s:/@;,=\"']{1,256}):([^\s/@;,\"']{1,512})@")
_SECRET_NAME_RE = re.compile(r"(?i)(pass|secret|token|credential|auth|key)")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return value[:MAX_TEXT]


def mask_credentials(value: str) -> str:
    """`http://user:pw@host:3128` -> `http://user:***@host:3128` (also without a scheme)."""
    if not value or "@" not in value:
        return value
    return _CRED_RE.sub(lambda mo: f"{mo.group(1) or ''}{mo.group(2)}:***@", value[:MAX_TEXT])


def has_credentials(value: str) -> bool:
    """True when a proxy value carries a user name and password."""
    return bool(value) and "@" in value and _CRED_RE.search(value[:MAX_TEXT]) is not None


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret (its value is never shown)."""
    return bool(_SECRET_NAME_RE.search(name))


def is_proxy_name(name: str) -> bool:
    return "proxy" in name.lower()


# -- /etc/waagent.conf -----------------------------------------------------------------------

def parse_waagent_proxy(text: str) -> dict[str, Any]:
    """`HttpProxy.Host` / `HttpProxy.Port` the way the Linux agent's conf.py reads them.

    A line counts unless it starts with `#`; the value ends at a `#`, quotes and blanks are
    stripped, and `None` means unset. A later line wins. The port is an int or None.
    """
    host: str | None = None
    port_raw: str | None = None
    lines: list[str] = []
    for line in _text(text).split("\n")[:100_000]:
        if line.startswith("#") or "=" not in line:
            continue
        key, _, rest = line.partition("=")
        key = key.strip()
        if key not in ("HttpProxy.Host", "HttpProxy.Port"):
            continue
        value: str | None = rest.split("#")[0].strip("\" ").strip()
        if value == "None":
            value = None
        lines.append(mask_credentials(line.strip()[:300]))
        if key == "HttpProxy.Host":
            host = value or None
        else:
            port_raw = value or None
    port: int | None = None
    if port_raw is not None:
        try:
            port = int(port_raw)
        except ValueError:
            port = None
    return {"host": host, "port": port, "port_raw": port_raw, "lines": lines[-10:]}


# -- environments ----------------------------------------------------------------------------

def parse_environ(text: str) -> dict[str, str]:
    """A `/proc/<pid>/environ` blob (NUL-separated `NAME=value`) -> its proxy-related variables."""
    out: dict[str, str] = {}
    for item in _text(text).split("\x00")[:20_000]:
        name, sep, value = item.partition("=")
        if sep and name and is_proxy_name(name):
            out[name[:100]] = value[:2000]
    return out


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_env_file(text: str) -> dict[str, str]:
    """`/etc/environment` or a systemd `EnvironmentFile=`: `NAME=value` lines (optional
    `export`, quotes, `#` comments). Returns every assignment, the last one winning."""
    out: dict[str, str] = {}
    for raw in _text(text).splitlines()[:100_000]:
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not name or " " in name:
            continue
        out[name[:100]] = _unquote(value)[:2000]
    return out


def split_systemd_assignments(value: str) -> list[str]:
    """The words of an `Environment=` value: `"A=b c" D=e` -> [`A=b c`, `D=e`]."""
    value = value[:20_000]
    try:
        return shlex.split(value, posix=True)
    except ValueError:  # unbalanced quotes: take the words as they are, quotes dropped
        return [w.strip("\"'") for w in value.split()]


def parse_systemd_environment(text: str) -> dict[str, Any]:
    """`Environment=` and `EnvironmentFile=` settings of a unit file or drop-in.

    Returns {"env": {NAME: value} (an empty `Environment=` resets the list, as systemd does),
    "environment_files": [path, ...] (a leading `-` removed), "lines": [...]}.
    """
    env: dict[str, str] = {}
    files: list[str] = []
    lines: list[str] = []
    logical: list[str] = []
    buf = ""
    for raw in _text(text).splitlines()[:100_000]:
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        logical.append(buf + raw)
        buf = ""
    if buf:
        logical.append(buf)
    for line in logical:
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";", "[")):
            continue
        key, sep, value = stripped.partition("=")
        key = key.strip()
        if not sep:
            continue
        if key == "Environment":
            lines.append(mask_credentials(stripped[:500]))
            if not value.strip():
                env.clear()
                continue
            for word in split_systemd_assignments(value):
                name, eq, val = word.partition("=")
                if eq and name:
                    env[name[:100]] = val[:2000]
        elif key == "EnvironmentFile":
            lines.append(stripped[:500])
            path = value.strip().lstrip("-").strip()
            if path and len(files) < 20:
                files.append(path[:500])
    return {"env": env, "environment_files": files, "lines": lines[-20:]}


# -- no_proxy (Linux agent rules) ------------------------------------------------------------

def no_proxy_entries(value: str | None) -> list[str]:
    """`no_proxy` split the way the agent splits it: blanks removed, comma-separated."""
    if not value:
        return []
    return [h for h in value[:20_000].replace(" ", "").split(",") if h][:MAX_ENTRIES]


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def _cidr(text: str) -> ipaddress.IPv4Network | None:
    if text.count("/") != 1:
        return None
    addr, _, bits = text.partition("/")
    if not (bits.isascii() and bits.isdigit()) or not 1 <= int(bits) <= 32 or _ipv4(addr) is None:
        return None
    try:
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return None


def no_proxy_bypasses(entries: list[str], host: str) -> bool:
    """Whether a `no_proxy` list sends `host` directly (agent rules, plus `*`)."""
    ip = _ipv4(host)
    for entry in entries[:MAX_ENTRIES]:
        if entry == "*":
            return True
        if ip is not None:
            net = _cidr(entry)
            if (net is not None and ip in net) or entry == host:
                return True
        elif host.lower().endswith(entry.lower()):
            return True
    return False


def env_proxy_view(env: dict[str, str], hosts: tuple[str, ...]) -> dict[str, Any]:
    """What an environment means for plain-HTTP requests to `hosts`.

    The proxy for `http://` URLs is `http_proxy` (lower case first, as the agent reads it),
    else `HTTP_PROXY`, else `all_proxy`/`ALL_PROXY` (curl, requests). `no_proxy` likewise.
    Returns {"http_proxy": masked or None, "other": {NAME: masked} (e.g. an https-only proxy),
    "no_proxy": str or None, "bypass": {host: bool}, "credentials": bool}.
    """
    def first(*names: str) -> tuple[str | None, str | None]:
        for n in names:
            if n in env and env[n].strip():
                return n, env[n].strip()
        return None, None

    _, http = first("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")
    _, no_proxy = first("no_proxy", "NO_PROXY")
    entries = no_proxy_entries(no_proxy)
    other = {n: mask_credentials(v) for n, v in env.items()
             if is_proxy_name(n) and n.lower() not in ("http_proxy", "all_proxy", "no_proxy")
             and not is_secret_name(n) and v.strip()}
    return {
        "http_proxy": mask_credentials(http) if http else None,
        "other": dict(sorted(other.items())[:20]),
        "no_proxy": no_proxy[:2000] if no_proxy else None,
        "bypass": {h: no_proxy_bypasses(entries, h) for h in hosts},
        "credentials": bool(http and has_credentials(http)),
    }


def merged_no_proxy(existing: str | None, add: tuple[str, ...]) -> str:
    """An existing `no_proxy` value with the addresses in `add` appended (no duplicates)."""
    entries = no_proxy_entries(existing)
    for a in add:
        if a not in entries:
            entries.append(a)
    return ",".join(entries)


# -- Windows: WinHTTP, WinINet ---------------------------------------------------------------

WINHTTP_DIRECT = 0x1
WINHTTP_PROXY = 0x2
WINHTTP_AUTO_URL = 0x4
WINHTTP_AUTO_DETECT = 0x8


def _blob_bytes(value: Any) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value[:65536])
    if isinstance(value, list):
        if all(isinstance(b, int) and 0 <= b <= 255 for b in value[:65536]):
            return bytes(value[:65536])
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()[:131072]
    if text.lower().startswith("hex:"):
        text = text[4:]
    text = re.sub(r"(?i)0x|[\s,:-]", "", text)
    if len(text) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", text):
        return None
    return bytes.fromhex(text)


def _dword(data: bytes, pos: int) -> int | None:
    if pos + 4 > len(data):
        return None
    return int.from_bytes(data[pos:pos + 4], "little")


def _blob_string(data: bytes, pos: int) -> tuple[str | None, int]:
    length = _dword(data, pos)
    if length is None:
        return None, pos
    pos += 4
    if length > len(data) - pos:
        return None, pos
    raw = data[pos:pos + length]
    return raw.split(b"\x00")[0].decode("latin-1"), pos + length


def decode_winhttp_settings(value: Any) -> dict[str, Any]:
    """The `WinHttpSettings` REG_BINARY (hex string, bytes or list of ints) decoded.

    Layout: DWORD version, DWORD counter, DWORD flags, DWORD length + proxy (ASCII),
    DWORD length + bypass list. Flag 0x2 = a proxy is set; 0x1 alone = direct access.
    Returns {"ok", "flags", "direct", "proxy", "bypass", "hex", "error"}.
    """
    data = _blob_bytes(value)
    out: dict[str, Any] = {"ok": False, "flags": None, "direct": None, "proxy": "", "bypass": "",
                           "hex": "", "error": None}
    if data is None:
        out.update(error_fields(N_("not a binary value")))
        return out
    out["hex"] = data[:200].hex()
    flags = _dword(data, 8)
    if flags is None:
        out.update(error_fields(N_("too short")))
        return out
    proxy, pos = _blob_string(data, 12)
    bypass, _ = _blob_string(data, pos) if proxy is not None else (None, pos)
    if proxy is None:
        out.update(error_fields(N_("the proxy text is cut short")))
        return out
    out.update(ok=True, flags=flags, proxy=proxy[:2000], bypass=(bypass or "")[:4000])
    out["direct"] = not (flags & WINHTTP_PROXY and proxy.strip())
    return out


_NETSH_PAIR_RE = re.compile(r"^\s*(\S.*?)\s*[:：]\s+(\S.*?)\s*$")


def parse_netsh_winhttp(text: str) -> dict[str, Any]:
    """`netsh winhttp show proxy` in any display language.

    The output is a header line ending in a colon, then either one sentence (direct access)
    or two `label : value` lines: the proxy server(s), then the bypass list. Labels are
    translated, so only the layout is used: the first `label : value` line is the proxy and
    the second the bypass list; a value wrapped in parentheses (`(none)`, `(なし)`) is empty.
    """
    pairs: list[str] = []
    for line in _text(text).splitlines()[:2000]:
        if "netsh" in line.lower():
            continue
        mo = _NETSH_PAIR_RE.match(line)
        if mo:
            value = mo.group(2)
            if value.startswith("(") and value.endswith(")"):
                value = ""
            pairs.append(value[:2000])
    proxy = pairs[0] if pairs else ""
    bypass = pairs[1] if len(pairs) > 1 else ""
    return {"direct": not proxy, "proxy": proxy, "bypass": bypass}


def proxy_for_http(proxy_server: str) -> str | None:
    """The proxy WinHTTP/WinINet use for `http://` URLs given a proxy-server string.

    `host:port` applies to every scheme; `http=host:port;https=host:port` per scheme (the
    `http` entry, else a `socks` one). None when plain HTTP goes direct.
    """
    value = (proxy_server or "").strip()[:4000]
    if not value:
        return None
    if "=" not in value:
        first = re.split(r"[;\s]+", value)[0]
        return first or None
    per: dict[str, str] = {}
    for part in re.split(r"[;\s]+", value)[:100]:
        scheme, sep, server = part.partition("=")
        if sep and server:
            per.setdefault(scheme.strip().lower(), server.strip())
    return per.get("http") or per.get("socks")


def bypass_list_entries(value: str | None) -> list[str]:
    if not value:
        return []
    return [e for e in re.split(r"[;,\s]+", value[:20_000]) if e][:MAX_ENTRIES]


def glob_match(pattern: str, text: str) -> bool:
    """Case-insensitive `*`/`?` wildcard match in O(len(pattern) * len(text)), no regex."""
    p = pattern.lower()[:MAX_PATTERN]
    subject = text.lower()[:MAX_PATTERN]
    prev = [True] + [False] * len(subject)
    for ch in p:
        cur = [False] * (len(subject) + 1)
        if ch == "*":
            cur[0] = prev[0]
            for j in range(1, len(subject) + 1):
                cur[j] = prev[j] or cur[j - 1]
        else:
            for j in range(1, len(subject) + 1):
                cur[j] = prev[j - 1] and (ch == "?" or ch == subject[j - 1])
        prev = cur
    return prev[len(subject)]


def windows_bypasses(bypass: str | None, host: str) -> bool:
    """Whether a WinHTTP/WinINet bypass list sends `host` (an IP or a name) directly."""
    for entry in bypass_list_entries(bypass):
        e = entry.strip()
        low = e.lower()
        if low == "<local>":
            if "." not in host and _ipv4(host) is None:
                return True
            continue
        if low.startswith("<"):
            continue
        for prefix in ("http://", "https://"):
            if low.startswith(prefix):
                e = e[len(prefix):]
                break
        if glob_match(e, host):
            return True
    return False


def merged_bypass(existing: str | None, add: tuple[str, ...], default_first: str = "<local>") -> str:
    """A Windows bypass list with the addresses in `add` appended (`<local>` first if empty)."""
    entries = bypass_list_entries(existing) or [default_first]
    low = [e.lower() for e in entries]
    for a in add:
        if a.lower() not in low:
            entries.append(a)
            low.append(a.lower())
    return ";".join(entries)
