"""Windows Firewall rules and profiles from PowerShell's `ConvertTo-Json`: normalised, and whether a rule
applies to SYSTEM's connection to the Wire Server.
"""

from __future__ import annotations

import json
import re
from typing import Any

from wizard.parsers.firewall.common import MAX_TEXT, Tri, _and, _any, _digits, _in_address, _port_in

# =========================================================================================
# Windows Firewall (PowerShell JSON)
# =========================================================================================

def parse_powershell_json(text: str) -> tuple[Any, str | None]:
    """The JSON value in PowerShell's output (BOM, leading warnings skipped) or (None, error)."""
    if not isinstance(text, str) or not text.strip():
        return None, "empty output"
    if len(text) > MAX_TEXT:
        return None, "output too large"
    text = text.lstrip("\ufeff")
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None, "no JSON in the output"
    try:
        return json.loads(text[min(starts):]), None
    except (ValueError, RecursionError) as exc:
        return None, f"not JSON: {str(exc)[:200]}"


def as_list(value: Any) -> list[Any]:
    """PowerShell gives one object instead of a one-element array, and null for none."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


_ACTION_NUM = {0: "NotConfigured", 2: "Allow", 4: "Block"}
_PROFILE_BITS = {1: "Domain", 2: "Private", 4: "Public"}
_CATEGORY_NUM = {0: "Public", 1: "Private", 2: "Domain"}
AGENT_PROGRAMS = ("windowsazureguestagent.exe", "waappagent.exe", "iaasbcdrextension.exe")
AGENT_SERVICES = ("windowsazureguestagent", "rdagent")
SYSTEM_PRINCIPALS = frozenset({"SY", "S-1-5-18", "WD", "S-1-1-0", "AU", "S-1-5-11", "BA", "S-1-5-32-544"})
KNOWN_BAD_RULE_NAMES = ("block outbound traffic to 168.63.129.16", "block outbound traffic to 169.254.169.254")


def _str(v: Any, limit: int = 500) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)[:limit]


def win_action(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return _ACTION_NUM.get(v, str(v))
    return _str(v, 40)


def win_enabled(v: Any) -> Tri:
    """GpoBoolean/bool: True, False, or None for NotConfigured/unknown."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {0: False, 1: True}.get(v)
    s = _str(v, 40).strip().lower()
    return {"true": True, "false": False, "1": True, "0": False}.get(s)


def win_profiles(v: Any) -> list[str] | None:
    """Profile names of a rule's `Profile`; None means Any."""
    if isinstance(v, int) and not isinstance(v, bool):
        names = [n for bit, n in _PROFILE_BITS.items() if v & bit]
        return None if v == 0 or len(names) == 3 else names
    s = _str(v, 200)
    if not s or s.strip().lower() == "any":
        return None
    names = [p.strip().capitalize() for p in re.split(r"[,\s]+", s) if p.strip()]
    return None if "Any" in names else names


def win_category(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool):
        return _CATEGORY_NUM.get(v)
    s = _str(v, 60).lower()
    if s.startswith("domain"):
        return "Domain"
    if s in ("public", "private"):
        return s.capitalize()
    return None


def win_address_covers(entries: Any, ip: str) -> Tri:
    """Whether a rule's RemoteAddress list covers `ip` (Any, address, CIDR, mask, range, keyword)."""
    results: list[Tri] = []
    items = [_str(e, 200) for e in as_list(entries)[:2000]]
    if not items:
        return True
    for item in items:
        for part in item.split(","):
            e = part.strip()
            low = e.lower()
            if low in ("any", "*", ""):
                results.append(True)
            elif low in ("localsubnet", "localsubnet4", "localsubnet6", "defaultgateway", "defaultgateway4",
                         "defaultgateway6", "wins", "wins4", "wins6"):
                results.append(False)
            elif re.fullmatch(r"[a-z][a-z0-9]*", low):
                results.append(None)  # DNS, DHCP (168.63.129.16 on Azure), Internet, Intranet, ...
            else:
                results.append(_in_address(e, ip))
    return _any(results)


def win_ports_cover(entries: Any, port: int) -> Tri:
    items = [_str(e, 100) for e in as_list(entries)[:2000]]
    if not items:
        return True
    results: list[Tri] = []
    for item in items:
        for part in item.split(","):
            e = part.strip()
            if e.lower() in ("any", "*", ""):
                results.append(True)
            elif _digits(e[:1]):
                results.append(_port_in(e, port, "-"))
            else:
                results.append(False)  # RPC, RPCEPMap, IPHTTPSOut, Teredo, ...: never 80 or 32526
    return _any(results)


def win_protocol_tcp(v: Any) -> Tri:
    s = _str(v, 40).strip().lower()
    if s in ("", "any", "256"):
        return True
    if s in ("tcp", "6"):
        return True
    return False


def win_program_is_agent(v: Any) -> Tri:
    s = _str(v, 1000).strip().lower()
    if s in ("", "any", "*"):
        return True
    base = s.replace("/", "\\").rsplit("\\", 1)[-1]
    if base in AGENT_PROGRAMS or "\\windowsazure\\" in s or "\\packages\\plugins\\" in s:
        return True
    return False


def win_service_is_agent(v: Any) -> Tri:
    s = _str(v, 300).strip().lower()
    if s in ("", "any", "*"):
        return True
    return s in AGENT_SERVICES


_ACE_RE = re.compile(r"\(([AD]);[^;()]*;[^;()]*;[^;()]*;[^;()]*;([^;()]+)(?:;[^()]*)?\)")


def sddl_applies_to_system(v: Any) -> Tri:
    """Whether a rule's LocalUser (SDDL) includes SYSTEM, the agent's account. Any -> True."""
    s = _str(v, 4000).strip()
    if s.lower() in ("", "any", "*"):
        return True
    dacl = s.split("D:", 1)[1] if "D:" in s else ""
    aces = _ACE_RE.findall(dacl)
    if not aces:
        return None
    system_aces = [(kind, sid) for kind, sid in aces if sid.strip().upper() in SYSTEM_PRINCIPALS]
    if any(kind == "D" for kind, _ in system_aces):
        return False
    if any(kind == "A" for kind, _ in system_aces):
        return True
    return False


def normalise_win_rule(raw: Any) -> dict[str, Any] | None:
    """One rule object of our PowerShell output -> plain fields (None when not an object)."""
    if not isinstance(raw, dict):
        return None
    return {
        "name": _str(raw.get("Name"), 300),
        "display_name": _str(raw.get("DisplayName"), 300),
        "action": win_action(raw.get("Action")),
        "profile": raw.get("Profile"),
        "source": _str(raw.get("PolicyStoreSourceType"), 60),
        "remote_address": [_str(a, 200) for a in as_list(raw.get("RemoteAddress"))[:200]],
        "protocol": _str(raw.get("Protocol"), 40),
        "remote_port": [_str(p, 100) for p in as_list(raw.get("RemotePort"))[:200]],
        "program": _str(raw.get("Program"), 1000),
        "service": _str(raw.get("Service"), 300),
        "local_user": _str(raw.get("LocalUser"), 2000),
        "interface_type": _str(raw.get("InterfaceType"), 200),
        "interface_alias": [_str(a, 200) for a in as_list(raw.get("InterfaceAlias"))[:50]],
    }


def win_interface_applies(rule: dict[str, Any]) -> Tri:
    """Whether a rule's interface scope includes the VM's network adapter (a wired, LAN-type Hyper-V adapter).

    Any -> True; interface types without Lan/Wired (only Wireless or RemoteAccess) -> False; a rule bound to
    named interfaces -> None (which adapter that is cannot be decided from the rule alone)."""
    types = [t.strip().lower() for t in re.split(r"[,\s]+", str(rule.get("interface_type") or "")) if t.strip()]
    aliases = [a for a in (rule.get("interface_alias") or []) if str(a).strip().lower() not in ("", "any", "*")]
    type_ok: Tri = True
    if types and not ({"any", "all"} & set(types)):
        type_ok = bool({"lan", "wired"} & set(types))
    if type_ok is False:
        return False
    return None if aliases else type_ok


def win_rule_applies(rule: dict[str, Any], ip: str, port: int, active_profiles: list[str] | None
                     ) -> tuple[Tri, dict[str, Tri]]:
    """Whether a (normalised) rule applies to SYSTEM's TCP connection to ip:port in an active profile."""
    profiles = win_profiles(rule.get("profile"))
    profile_ok: Tri = True
    if profiles is not None and active_profiles is not None:
        profile_ok = any(p in active_profiles for p in profiles)
    parts: dict[str, Tri] = {
        "profile": profile_ok,
        "address": win_address_covers(rule.get("remote_address"), ip),
        "protocol": win_protocol_tcp(rule.get("protocol")),
        "port": win_ports_cover(rule.get("remote_port"), port),
        "program": win_program_is_agent(rule.get("program")),
        "service": win_service_is_agent(rule.get("service")),
        "local_user": sddl_applies_to_system(rule.get("local_user")),
        "interface": win_interface_applies(rule),
    }
    return _and(list(parts.values())), parts


def is_known_bad_name(rule: dict[str, Any]) -> bool:
    names = {str(rule.get("name") or "").strip().lower(), str(rule.get("display_name") or "").strip().lower()}
    return any(n in KNOWN_BAD_RULE_NAMES for n in names)
