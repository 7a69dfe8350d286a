"""Registry values from exported `.reg` files: the `registry` probe for a collected Windows bundle.

A bundle copied from a Windows VM holds the registry only as binary hive files
(`Windows/System32/config/SOFTWARE`, ...), which the wizard does not read. The keys the checks need
can be exported as text instead, with `reg export <key> <file>.reg` or Registry Editor's Export,
into `<bundle>/registry/*.reg`; with `--root` the wizard then answers `registry` calls from them.

The format is the one `reg export` and Registry Editor write (Microsoft Learn, "How to add, modify,
or delete registry subkeys and values by using a .reg file"): a first line `Windows Registry
Editor Version 5.00` (UTF-16 LE with a BOM) or `REGEDIT4` (ANSI); `[HKEY_LOCAL_MACHINE\\...]` key
lines (`[-...]` deletes: ignored); value lines `"Name"="text"` (with `\\\\` and `\\"` escapes),
`@=...` for the default value, `dword:0000001a`, `hex:..` (REG_BINARY), `hex(2):..` (REG_EXPAND_SZ,
UTF-16 LE), `hex(7):..` (REG_MULTI_SZ), `hex(b):..` (REG_QWORD), `hex(0):..` (REG_NONE), other
`hex(n):`; a line ending in `\\` continues on the next one; `;` starts a comment line.

Values come out as the live `registry` probe gives them (`wizard.probes.windows.format_registry_value`):
text as str, DWORD/QWORD as int, binary as a hex string, multi-strings as a list. Pure, bounded,
never raises on hostile text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wizard.probes.windows import MAX_REGISTRY_ITEMS, format_registry_value, split_registry_key

MAX_LINES = 2_000_000
MAX_KEYS = 50_000
MAX_LOGICAL_LINE = 1024 * 1024
TYPES = {0: "REG_NONE", 1: "REG_SZ", 2: "REG_EXPAND_SZ", 3: "REG_BINARY", 4: "REG_DWORD", 7: "REG_MULTI_SZ",
         11: "REG_QWORD"}
_VALUE_RE = re.compile(r'^(@|"(?:[^"\\]|\\.)*")\s*=\s*(.*)$', re.DOTALL)
_HEX_RE = re.compile(r"^hex(?:\(([0-9a-fA-F]{1,8})\))?:(.*)$", re.DOTALL)


@dataclass
class RegistryKey:
    name: str  # as written in the file, hive spelled out
    values: dict[str, tuple[str, Any]] = field(default_factory=dict)


@dataclass
class RegistryExport:
    """Keys (by canonical lower-case path) of one or more `.reg` files; later files win."""

    keys: dict[str, RegistryKey] = field(default_factory=dict)
    skipped: int = 0

    def lookup(self, key: str, value: str | None = None) -> dict[str, Any]:
        """The `registry` probe's answer for `key` (and `value`), from the exports."""
        hive, sub = split_registry_key(key)
        path = (hive + ("\\" + sub if sub else "")).lower()
        found = self.keys.get(path)
        prefix = path + "\\"
        depth = path.count("\\") + 1
        spelled: dict[str, str] = {}
        for lower, entry in self.keys.items():
            if lower.startswith(prefix):
                name = entry.name.split("\\")[depth]
                spelled.setdefault(name.lower(), name)
        children = sorted(spelled)
        if found is None and not children:
            return {"exists": False, "key_exists": False, "value": None, "type": None, "error": None}
        values = found.values if found else {}
        if value is not None:
            for name, (kind, data) in values.items():
                if name.lower() == value.lower():
                    return {"exists": True, "key_exists": True, "value": data, "type": kind, "error": None}
            return {"exists": False, "key_exists": True, "value": None, "type": None, "error": None}
        names = [spelled[c] for c in children]
        items = list(values.items())
        return {"exists": True, "key_exists": True,
                "values": {n: d for n, (_, d) in items[:MAX_REGISTRY_ITEMS]},
                "types": {n: k for n, (k, _) in items[:MAX_REGISTRY_ITEMS]},
                "subkeys": sorted(names)[:MAX_REGISTRY_ITEMS],
                "truncated": len(items) > MAX_REGISTRY_ITEMS or len(names) > MAX_REGISTRY_ITEMS, "error": None}


def _logical_lines(text: str) -> list[str]:
    out: list[str] = []
    pending = ""
    for raw in text.split("\n")[:MAX_LINES]:
        line = raw.rstrip("\r")
        if pending:
            line = pending + line.lstrip()
            pending = ""
        if line.endswith("\\") and not line.startswith("["):
            pending = line[:-1][:MAX_LOGICAL_LINE]
            continue
        out.append(line[:MAX_LOGICAL_LINE])
    if pending:
        out.append(pending)
    return out


def _unquote(text: str) -> str | None:
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        return None
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _hex_bytes(text: str) -> bytes | None:
    digits = re.sub(r"[\s,]", "", text)
    if len(digits) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", digits):
        return None
    return bytes.fromhex(digits)


def parse_value(data: str) -> tuple[str, Any] | None:
    """The (type name, value) of the right-hand side of a value line, or None when it is not one."""
    data = data.strip()
    if data.startswith('"'):
        text = _unquote(data)
        return None if text is None else ("REG_SZ", format_registry_value(text, 1))
    if data.lower().startswith("dword:"):
        digits = data[6:].strip()
        if not re.fullmatch(r"[0-9a-fA-F]{1,8}", digits):
            return None
        return "REG_DWORD", int(digits, 16)
    mo = _HEX_RE.match(data)
    if mo is None:
        return None
    kind = int(mo.group(1), 16) if mo.group(1) else 3
    raw = _hex_bytes(mo.group(2))
    if raw is None:
        return None
    if kind in (1, 2):
        return TYPES[kind], format_registry_value(raw.decode("utf-16-le", "replace").split("\x00")[0], kind)
    if kind == 7:
        items = [s for s in raw.decode("utf-16-le", "replace").split("\x00") if s]
        return "REG_MULTI_SZ", format_registry_value(items, 7)
    if kind == 11:
        return "REG_QWORD", int.from_bytes(raw[:8], "little")
    if kind == 4 and len(raw) >= 4:
        return "REG_DWORD", int.from_bytes(raw[:4], "little")
    return TYPES.get(kind, f"REG_{kind}"), format_registry_value(raw, kind)


def parse_export(text: str, into: RegistryExport | None = None) -> RegistryExport:
    """Parse one `.reg` file's text (already decoded) into `into` (a new export when None)."""
    export = into or RegistryExport()
    if not isinstance(text, str):
        return export
    current: RegistryKey | None = None
    for line in _logical_lines(text.lstrip("\ufeff")):
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            name = stripped[1:-1].strip()
            current = None
            if name.startswith("-"):
                continue
            try:
                hive, sub = split_registry_key(name)
            except ValueError:
                export.skipped += 1
                continue
            path = hive + ("\\" + sub if sub else "")
            if path.lower() not in export.keys and len(export.keys) >= MAX_KEYS:
                export.skipped += 1
                continue
            current = export.keys.setdefault(path.lower(), RegistryKey(path))
            continue
        if current is None:
            continue
        mo = _VALUE_RE.match(stripped)
        if mo is None:
            export.skipped += 1
            continue
        name = "" if mo.group(1) == "@" else (_unquote(mo.group(1)) or "")
        if mo.group(2).strip() == "-":
            current.values.pop(name, None)
            continue
        parsed = parse_value(mo.group(2))
        if parsed is None:
            export.skipped += 1
            continue
        current.values[name] = parsed
    return export
