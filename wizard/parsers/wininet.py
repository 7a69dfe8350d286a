"""WinINet's `DefaultConnectionSettings` blob: the proxy settings programs using WinINet really get.

`HKEY_USERS\\S-1-5-18\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections`
(SYSTEM's settings; `HKLM\\...\\Internet Settings\\Connections` when the `ProxySettingsPerUser`
policy is 0) holds the REG_BINARY value `DefaultConnectionSettings`. WinINet keeps the older
`ProxyEnable`/`ProxyServer`/`ProxyOverride`/`AutoConfigURL` values in step with it, but tools such as
`bitsadmin /util /setieproxy localsystem ...` and Group Policy write the blob, and it alone carries
"Automatically detect settings" (WPAD).

Layout (the same length-prefixed shape as WinHTTP's `WinHttpSettings`, plus the script URL): DWORD
version, DWORD change counter, DWORD flags, DWORD length + proxy server (ASCII), DWORD length +
bypass list, DWORD length + automatic configuration script URL, then data this module ignores. The
layout is not documented by Microsoft (it is widely described, and used by Microsoft's support
scripts through the same offsets); the flag values are the documented `INTERNET_PER_CONN_FLAGS`
(Microsoft Learn, INTERNET_PER_CONN_OPTION structure): PROXY_TYPE_DIRECT 0x1, PROXY_TYPE_PROXY 0x2,
PROXY_TYPE_AUTO_PROXY_URL 0x4, PROXY_TYPE_AUTO_DETECT 0x8.

Pure, bounded, never raises on hostile input.
"""

from __future__ import annotations

import re
from typing import Any

PROXY_TYPE_DIRECT = 0x1
PROXY_TYPE_PROXY = 0x2
PROXY_TYPE_AUTO_PROXY_URL = 0x4
PROXY_TYPE_AUTO_DETECT = 0x8
MAX_BLOB = 64 * 1024
LAYOUT_NOTE = ("The layout of DefaultConnectionSettings is not documented by Microsoft (it is widely described); its "
               "flag values are the documented INTERNET_PER_CONN_FLAGS.")


def blob_bytes(value: Any) -> bytes | None:
    """A REG_BINARY value as bytes: from bytes, a hex string (as the registry probe gives it), or a list of ints."""
    if isinstance(value, bytes | bytearray):
        return bytes(value[:MAX_BLOB])
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in value[:MAX_BLOB]):
        return bytes(value[:MAX_BLOB])
    if isinstance(value, str):
        text = re.sub(r"[\s,]", "", value)[: 2 * MAX_BLOB]
        if len(text) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]*", text):
            return bytes.fromhex(text)
    return None


def _dword(data: bytes, pos: int) -> int | None:
    if pos + 4 > len(data):
        return None
    return int.from_bytes(data[pos:pos + 4], "little")


def _string(data: bytes, pos: int) -> tuple[str | None, int]:
    length = _dword(data, pos)
    if length is None:
        return None, pos
    pos += 4
    if length > len(data) - pos:
        return None, pos
    return data[pos:pos + length].split(b"\x00")[0].decode("latin-1"), pos + length


def decode_connection_settings(value: Any) -> dict[str, Any]:
    """The blob decoded: {ok, flags, direct, manual, auto_config, auto_detect, proxy, bypass, pac_url, hex, error}.

    `manual` is a proxy server that is switched on (flag 0x2 and a server named); `auto_config` a
    script URL that is switched on (0x4 and a URL); `auto_detect` the WPAD flag (0x8); `direct`
    when none of the three applies."""
    out: dict[str, Any] = {"ok": False, "flags": None, "direct": None, "manual": False, "auto_config": False,
                           "auto_detect": False, "proxy": "", "bypass": "", "pac_url": "", "hex": "", "error": None}
    data = blob_bytes(value)
    if data is None:
        out["error"] = "not a binary value"
        return out
    out["hex"] = data[:200].hex()
    flags = _dword(data, 8)
    if flags is None:
        out["error"] = "too short"
        return out
    proxy, pos = _string(data, 12)
    if proxy is None:
        out["error"] = "proxy string cut short"
        return out
    bypass, pos = _string(data, pos)
    pac, _ = _string(data, pos) if bypass is not None else (None, pos)
    out.update(ok=True, flags=flags, proxy=proxy.strip()[:2000], bypass=(bypass or "").strip()[:4000],
               pac_url=(pac or "").strip()[:2000])
    out["manual"] = bool(flags & PROXY_TYPE_PROXY) and bool(out["proxy"])
    out["auto_config"] = bool(flags & PROXY_TYPE_AUTO_PROXY_URL) and bool(out["pac_url"])
    out["auto_detect"] = bool(flags & PROXY_TYPE_AUTO_DETECT)
    out["direct"] = not (out["manual"] or out["auto_config"] or out["auto_detect"])
    return out


def encode_connection_settings(flags: int, proxy: str = "", bypass: str = "", pac_url: str = "",
                               version: int = 0x46, counter: int = 1) -> bytes:
    """A blob in the same layout (for tests and fakes): the inverse of `decode_connection_settings`."""
    def part(text: str) -> bytes:
        raw = text.encode("latin-1")
        return len(raw).to_bytes(4, "little") + raw

    head = version.to_bytes(4, "little") + counter.to_bytes(4, "little") + flags.to_bytes(4, "little")
    return head + part(proxy) + part(bypass) + part(pac_url) + bytes(32)
