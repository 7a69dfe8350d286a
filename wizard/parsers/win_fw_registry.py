"""Windows Firewall rules and profiles read from the registry, as `wizard.parsers.firewall` judges them.

Reading the rules from the registry is instant and needs no child process; enumerating them
through the `Get-NetFirewall*Filter` cmdlets walks every rule through CIM and can take tens of
seconds on a small VM. The data is the same:

- rules of the local store: `HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\
  FirewallPolicy\\FirewallRules`; rules of Group Policy:
  `HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules`. Each value is one rule, its
  name the rule id, its data a string in the grammar of [MS-GPFAS] 2.2.2.19 "Firewall Rule and the
  Firewall Rule Grammar Rule" (Microsoft Learn, open specifications):
  `v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=80|RA4=168.63.129.16|Name=...|`; a field
  may repeat (`Profile=`, `RA4=`, `RPort=`, `IFType=`, ...); a missing field means "any".
- profiles: `...\\FirewallPolicy\\DomainProfile|StandardProfile|PublicProfile` (local; Standard is
  the Private profile) and `HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile|
  PrivateProfile|PublicProfile` (Group Policy, which wins), values `EnableFirewall` (1 on) and
  `DefaultOutboundAction` (0 allow, 1 block; absent: allow, Windows' default). Group Policy's
  `AllowLocalPolicyMerge` = 0 makes Windows ignore the local rules ([MS-GPFAS] 2.2.2.x).

The output has the same shape as the JSON the PowerShell fallback gives (`profiles`, `rules` as
`normalise_win_rule` expects), so one judge serves both. Pure, bounded, never raises.
"""

from __future__ import annotations

import re
from typing import Any

LOCAL_POLICY = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
GPO_POLICY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall"
LOCAL_RULES = LOCAL_POLICY + "\\FirewallRules"
GPO_RULES = GPO_POLICY + "\\FirewallRules"
LOCAL_PROFILES = {"Domain": "DomainProfile", "Private": "StandardProfile", "Public": "PublicProfile"}
GPO_PROFILES = {"Domain": "DomainProfile", "Private": "PrivateProfile", "Public": "PublicProfile"}
MAX_RULES = 5000
MAX_RULE_TEXT = 16 * 1024
MAX_VALUES_PER_FIELD = 200
REPEATED = frozenset({"profile", "ra4", "ra6", "ra42", "ra62", "rport", "rport2_10", "iftype", "if", "la4", "la6",
                      "lport", "lport2_10"})
_FIELD_RE = re.compile(r"^([A-Za-z0-9_]{1,40})=(.*)$", re.DOTALL)


def parse_rule_text(text: Any) -> dict[str, Any] | None:
    """One rule string -> {field (lower case): value, or a list for repeatable fields}; None if not a rule."""
    if not isinstance(text, str) or not text.lower().startswith("v"):
        return None
    parts = text[:MAX_RULE_TEXT].split("|")
    version = parts[0][1:].strip()
    if not re.fullmatch(r"\d{1,3}\.\d{1,3}", version):
        return None
    fields: dict[str, Any] = {"version": version}
    for part in parts[1:]:
        mo = _FIELD_RE.match(part)
        if mo is None:
            continue
        key, value = mo.group(1).lower(), mo.group(2)
        if key in REPEATED:
            values = fields.setdefault(key, [])
            if len(values) < MAX_VALUES_PER_FIELD:
                values.extend(v for v in value.split(",") if v)
        else:
            fields.setdefault(key, value)
    return fields


def _true(value: Any) -> bool:
    return str(value or "").strip().upper() == "TRUE"


def _protocol(value: Any) -> str:
    text = str(value or "").strip()
    return {"6": "TCP", "17": "UDP", "256": "Any"}.get(text, text or "Any")


def normalised_rule(rule_id: str, fields: dict[str, Any], source: str) -> dict[str, Any]:
    """A parsed rule in the raw shape `wizard.parsers.firewall.normalise_win_rule` reads (its PowerShell keys)."""
    profiles = fields.get("profile") or []
    return {
        "Name": rule_id[:300],
        "DisplayName": str(fields.get("name") or rule_id)[:300],
        "Action": {"block": "Block", "allow": "Allow", "bypass": "Allow"}.get(str(fields.get("action") or "").lower(),
                                                                             str(fields.get("action") or "")),
        "Profile": ", ".join(profiles) if profiles else "Any",
        "PolicyStoreSourceType": source,
        "RemoteAddress": [*(fields.get("ra4") or []), *(fields.get("ra6") or []), *(fields.get("ra42") or []),
                          *(fields.get("ra62") or [])] or ["Any"],
        "Protocol": _protocol(fields.get("protocol")),
        "RemotePort": [*(fields.get("rport") or []), *(fields.get("rport2_10") or [])] or ["Any"],
        "Program": str(fields.get("app") or "Any"),
        "Service": str(fields.get("svc") or "Any"),
        "LocalUser": str(fields.get("luauth") or "Any"),
        "InterfaceType": ", ".join(fields.get("iftype") or []) or "Any",
        "InterfaceAlias": list(fields.get("if") or []) or ["Any"],
    }


def outbound_rules(values: dict[str, Any], source: str) -> tuple[list[dict[str, Any]], int]:
    """The active outbound rules of one store's `FirewallRules` values, and how many values were not rules."""
    rules: list[dict[str, Any]] = []
    unreadable = 0
    for rule_id, text in list(values.items())[:MAX_RULES]:
        fields = parse_rule_text(text)
        if fields is None:
            unreadable += 1
            continue
        if not _true(fields.get("active")) or str(fields.get("dir") or "").lower() != "out":
            continue
        rules.append(normalised_rule(str(rule_id), fields, source))
    return rules, unreadable


def _dword(values: dict[str, Any], name: str) -> int | None:
    for key, value in values.items():
        if str(key).lower() == name.lower():
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, int):
                return value
            try:
                return int(str(value), 0)
            except ValueError:
                return None
    return None


def profile_state(local: dict[str, dict[str, Any] | None], gpo: dict[str, dict[str, Any] | None]
                  ) -> list[dict[str, str]]:
    """Profiles as the PowerShell fallback reports them: {Name, Enabled, DefaultOutboundAction}.

    `local`/`gpo` map a profile name (Domain/Private/Public) to that key's values (None: key absent)."""
    out: list[dict[str, str]] = []
    for name in ("Domain", "Private", "Public"):
        enabled: int | None = None
        outbound: int | None = None
        for values in (local.get(name), gpo.get(name)):  # Group Policy last: it wins
            if not values:
                continue
            e, o = _dword(values, "EnableFirewall"), _dword(values, "DefaultOutboundAction")
            enabled = e if e is not None else enabled
            outbound = o if o is not None else outbound
        out.append({"Name": name,
                    "Enabled": "True" if enabled in (None, 1) else "False",
                    "DefaultOutboundAction": "Block" if outbound == 1 else "Allow"})
    return out


def local_merge_allowed(gpo: dict[str, dict[str, Any] | None], profiles: list[str] | None = None) -> bool:
    """False when Group Policy turns local rules off (`AllowLocalPolicyMerge` = 0) in every profile considered."""
    names = profiles or ["Domain", "Private", "Public"]
    settings = [_dword(gpo.get(n) or {}, "AllowLocalPolicyMerge") for n in names]
    return not all(s == 0 for s in settings)
