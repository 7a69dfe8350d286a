"""What the firewall parsers share: the packet under test, the limits, and three-valued logic over
addresses and ports (True matches, False does not, None may).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

WIRESERVER = "168.63.129.16"
IMDS = "169.254.169.254"
MAX_TEXT = 4 * 1024 * 1024
MAX_RULES = 20_000
MAX_DEPTH = 24
MAX_STEPS = 200_000

Tri = bool | None


@dataclass(frozen=True)
class Packet:
    """The connection under test: a new TCP connection from `uid` to `dst`:`port`."""

    dst: str = WIRESERVER
    port: int = 80
    uid: int = 0
    proto: str = "tcp"
    state: str = "new"


def _digits(text: str) -> bool:
    """ASCII digits only (`"²".isdigit()` is True, but int() refuses it)."""
    return text.isascii() and text.isdigit()


def _and(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _not(value: Tri) -> Tri:
    return None if value is None else not value


def _ipv4(text: Any) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(str(text).strip())
    except ValueError:
        return None


def _network(text: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except ValueError:
        return None


def _in_address(spec: str, ip: str) -> Tri:
    """`a.b.c.d`, `a.b.c.d/len`, `a.b.c.d/m.m.m.m` or `a-b` (IPv4) containing `ip`."""
    target = _ipv4(ip)
    if target is None:
        return None
    spec = spec.strip()
    if "-" in spec:
        lo, _, hi = spec.partition("-")
        a, b = _ipv4(lo), _ipv4(hi)
        if a is None or b is None:
            return False if ":" in spec else None
        return a <= target <= b
    if "/" in spec:
        net = _network(spec)
        if net is None:
            return False if ":" in spec else None
        return target in net
    addr = _ipv4(spec)
    if addr is None:
        return False if ":" in spec else None
    return addr == target


def _port_in(spec: str, port: int, sep: str = ":") -> Tri:
    spec = spec.strip()
    if sep in spec:
        lo, _, hi = spec.partition(sep)
        lo, hi = lo.strip() or "0", hi.strip() or "65535"
        if _digits(lo) and _digits(hi):
            return int(lo) <= port <= int(hi)
        return None
    if _digits(spec):
        return int(spec) == port
    return None


def _any(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False
