"""Parsers for the outputs behind the `guest.*` checks (the agent-health checks of Microsoft's VM assist).

Windows: the JSON one read-only PowerShell run prints (`wizard.checks.guest.common.WINDOWS_SCRIPT`): the
StdRegProv answer, the CRP certificates of `Cert:\\LocalMachine\\My`, the SDDL of three folders, the modules
loaded into the two agent processes with their Authenticode signers, and the agent services' crash events
of the last day. SDDL strings (Microsoft Learn "Security Descriptor String Format", "ACE Strings") do not
depend on the display language; event messages do and are kept as evidence only.

Linux: `systemctl show` blocks, `apt-cache policy`, `rpm -qf --qf`, `dnf info` ("From repo" / "Repository"),
`zypper se -s`, and what the agent's Python printed about itself.

Every parser takes text from the machine and never raises on it: malformed or hostile input gives an empty
or partial result (bounded in size), never an exception.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from wizard.parsers.firewall.windows import as_list, parse_powershell_json

MAX_ITEMS = 200
MAX_FIELD = 500
MAX_TEXT = 2 * 1024 * 1024

# -- Windows -----------------------------------------------------------------------------------


def _s(value: Any, limit: int = MAX_FIELD) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)[:limit]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as PowerShell's `ToString('o')` writes it (`2026-12-04T09:05:00.1234567Z`), as UTC."""
    text = _s(value, 64).strip()
    mo = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?", text)
    if not mo:
        return None
    try:
        stamp = datetime.fromisoformat(mo.group(1) + (mo.group(2) or "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(UTC)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _certs(value: Any) -> list[dict[str, Any]]:
    out = []
    for c in as_list(value)[:MAX_ITEMS]:
        if isinstance(c, dict):
            out.append({"subject": _s(c.get("Subject")), "issuer": _s(c.get("Issuer")),
                        "friendly_name": _s(c.get("FriendlyName")), "thumbprint": _s(c.get("Thumbprint"), 80),
                        "not_before": _s(c.get("NotBefore"), 64), "not_after": _s(c.get("NotAfter"), 64),
                        "has_private_key": c.get("HasPrivateKey") if isinstance(c.get("HasPrivateKey"), bool)
                        else None})
    return out


def _acls(value: Any) -> list[dict[str, str]]:
    out = []
    for a in as_list(value)[:20]:
        if isinstance(a, dict):
            out.append({"path": _s(a.get("Path")), "sddl": _s(a.get("Sddl"), 4000), "error": _s(a.get("Error"))})
    return out


def _modules(value: Any) -> list[dict[str, Any]]:
    out = []
    for p in as_list(value)[:4]:
        if not isinstance(p, dict):
            continue
        mods = []
        for mod in as_list(p.get("Modules"))[:MAX_ITEMS]:
            if isinstance(mod, dict):
                mods.append({"name": _s(mod.get("Name"), 200), "path": _s(mod.get("Path")),
                             "company": _s(mod.get("Company"), 200), "version": _s(mod.get("Version"), 80),
                             "signature_status": _s(mod.get("SignatureStatus"), 40),
                             "signer": _s(mod.get("Signer")), "issuer": _s(mod.get("Issuer"))})
        out.append({"process": _s(p.get("Process"), 80), "running": p.get("Running") is True,
                     "error": _s(p.get("Error")), "modules": mods})
    return out


def _events(value: Any) -> list[dict[str, Any]]:
    out = []
    for e in as_list(value)[:MAX_ITEMS]:
        if isinstance(e, dict):
            out.append({"log": _s(e.get("Log"), 40), "id": _int(e.get("Id")), "time": _s(e.get("Time"), 64),
                        "name": _s(e.get("Name"), 200), "message": _s(e.get("Message"), 400)})
    return out


def parse_guest_windows(text: str) -> dict[str, Any]:
    """The guest PowerShell run's JSON, normalised; `error` when there is no JSON object at all."""
    if isinstance(text, str) and len(text) > MAX_TEXT:  # the run probe keeps 1 MiB of output anyway
        return {"error": "output too large"}
    data, error = parse_powershell_json(text if isinstance(text, str) else "")
    if error is not None or not isinstance(data, dict):
        return {"error": error or "not a JSON object"}
    std = data.get("stdregprov")
    return {
        "now": _s(data.get("now"), 64),
        "stdregprov": {"return_value": _int(std.get("ReturnValue")), "value": _int(std.get("uValue"))}
        if isinstance(std, dict) else None,
        "stdregprov_error": _s(data.get("stdregprov_error")),
        "certs": _certs(data.get("certs")),
        "certs_error": _s(data.get("certs_error")),
        "acls": _acls(data.get("acls")),
        "modules": _modules(data.get("modules")),
        "events": _events(data.get("events")),
        "events_error": _s(data.get("events_error")),
    }


# SDDL ----------------------------------------------------------------------------------------

_ACE_RE = re.compile(r"\(([^()]*)\)")
FULL_RIGHTS = frozenset({"FA", "GA", "0X1F01FF", "0X10000000"})
SYSTEM_SIDS = frozenset({"SY", "S-1-5-18"})
# The MachineKeys folder's default (VM assist: `O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)`).
MACHINEKEYS_DEFAULT_SDDL = "O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)"


def sddl_dacl_aces(sddl: str) -> list[dict[str, str]]:
    """The ACEs of the DACL part (`D:`) of an SDDL string: type, flags, rights, sid (upper case)."""
    if not isinstance(sddl, str):
        return []
    text = sddl[:8000]
    start = text.find("D:")
    if start < 0:
        return []
    end = text.find("S:", start)
    dacl = text[start:end if end > 0 else None]
    aces = []
    for mo in _ACE_RE.finditer(dacl):
        parts = mo.group(1).split(";")
        if len(parts) < 6:
            continue
        aces.append({"type": parts[0].upper(), "flags": parts[1].upper(), "rights": parts[2].upper(),
                     "sid": parts[5].upper()})
        if len(aces) >= MAX_ITEMS:
            break
    return aces


def system_full_access(sddl: str) -> bool | None:
    """True when SYSTEM has an allow ACE with full control and no deny ACE; None for no DACL."""
    aces = sddl_dacl_aces(sddl)
    if not aces:
        return None
    if any(a["type"] == "D" and a["sid"] in SYSTEM_SIDS for a in aces):
        return False
    return any(a["type"] == "A" and a["sid"] in SYSTEM_SIDS and a["rights"] in FULL_RIGHTS
               and "IO" not in a["flags"] for a in aces)


def machinekeys_judgement(sddl: str) -> str:
    """`default`, `broken` (Everyone or Administrators lost the default access, or a deny ACE) or `changed`."""
    if sddl.strip().upper() == MACHINEKEYS_DEFAULT_SDDL.upper():
        return "default"
    aces = sddl_dacl_aces(sddl)
    if not aces or any(a["type"] == "D" for a in aces):
        return "broken"
    everyone = any(a["type"] == "A" and a["sid"] in ("WD", "S-1-1-0") and a["rights"] in ("0X12019F", *FULL_RIGHTS)
                   for a in aces)
    admins = any(a["type"] == "A" and a["sid"] in ("BA", "S-1-5-32-544") and a["rights"] in FULL_RIGHTS
                 for a in aces)
    return "changed" if everyone and admins else "broken"


MICROSOFT_ISSUER_MARK = "O=Microsoft Corporation"


def is_microsoft_signed(module: dict[str, Any]) -> bool | None:
    """True when a valid Authenticode signature chains to a Microsoft CA; None when the signature was not read."""
    status = str(module.get("signature_status") or "")
    issuer = str(module.get("issuer") or "")
    if not status:
        return None
    return status.lower() == "valid" and MICROSOFT_ISSUER_MARK.lower() in issuer.lower()


# -- Linux -------------------------------------------------------------------------------------


def parse_systemctl_blocks(text: str) -> list[dict[str, str]]:
    """`systemctl show A B -p ...`: one `Key=Value` block per unit, blocks separated by an empty line."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in (text if isinstance(text, str) else "")[:MAX_TEXT].splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, sep, value = line.partition("=")
        if sep and key.strip() and len(current) < 100:
            current[key.strip()[:80]] = value.strip()[:MAX_FIELD]
    if current:
        blocks.append(current)
    return blocks[:10]


def parse_apt_policy(text: str) -> dict[str, Any]:
    """`apt-cache policy PKG`: the installed version and the sources listed under it in the version table."""
    installed = ""
    sources: list[str] = []
    in_installed = False
    for line in (text if isinstance(text, str) else "")[:MAX_TEXT].splitlines():
        stripped = line.strip()
        if stripped.startswith("Installed:"):
            installed = stripped.partition(":")[2].strip()[:80]
            continue
        if stripped.startswith("***"):
            in_installed = True
            continue
        mo = re.match(r"^\s+(-?\d+)\s+(\S.*)$", line)
        if mo and in_installed and len(line) - len(line.lstrip()) >= 6:
            sources.append(mo.group(2).strip()[:MAX_FIELD])
            continue
        if stripped and not mo:
            in_installed = False
        elif mo and len(line) - len(line.lstrip()) < 6:
            in_installed = False
    if installed in ("(none)", ""):
        installed = ""
    return {"installed": installed, "sources": sources[:20]}


# An RPM package name as it may be passed on to dnf/zypper as one argument (never an option).
PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")


def parse_rpm_qf(text: str) -> dict[str, str]:
    """`rpm -qf --qf '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n' PATH`: the owning package, or {} for none."""
    for line in (text if isinstance(text, str) else "")[:MAX_TEXT].splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and PACKAGE_NAME.fullmatch(parts[0].strip()):
            return {"name": parts[0].strip()[:200], "version": parts[1].strip()[:80], "vendor": parts[2].strip()[:200]}
    return {}


def parse_dnf_repo(text: str) -> str:
    """`dnf info --installed PKG`: its "From repo" (where it was installed from; its "Repository" is then
    `@System`), else "Repository" (Azure Linux's tdnf names the origin so), or ''."""
    found: dict[str, str] = {}
    for line in (text if isinstance(text, str) else "")[:MAX_TEXT].splitlines():
        key, sep, value = line.partition(":")
        name = key.strip().lower()
        if sep and name in ("from repo", "repository") and name not in found:
            found[name] = value.strip()[:200]
    return found.get("from repo") or found.get("repository") or ""


def parse_zypper_repo(text: str, name: str) -> str:
    """`zypper se -i -s -t package NAME`: the repository column of the installed row of NAME, or ''."""
    for line in (text if isinstance(text, str) else "")[:MAX_TEXT].splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 6 and cells[0].startswith("i") and cells[1] == name:
            return cells[5][:200]
    return ""


def parse_python_self_report(text: str) -> dict[str, Any]:
    """What `PYTHON -B -c PROBE` printed: `version=3.11.2` and `module NAME=ok|fail REASON` lines."""
    out: dict[str, Any] = {"version": "", "modules": {}}
    for line in (text if isinstance(text, str) else "")[:64 * 1024].splitlines():
        line = line.strip()
        if line.startswith("version=") and re.fullmatch(r"version=\d+\.\d+\.\d+", line):
            out["version"] = line.partition("=")[2]
        mo = re.fullmatch(r"module ([A-Za-z_][\w.]{0,80})=(ok|fail)(?: (\w{1,80}))?", line)
        if mo and len(out["modules"]) < 10:
            out["modules"][mo.group(1)] = mo.group(2) if mo.group(2) == "ok" else f"fail {mo.group(3) or ''}".strip()
    return out


def to_int(value: Any) -> int | None:
    """A whole number from machine text (`"3"`, `3`), or None."""
    return _int(value)
