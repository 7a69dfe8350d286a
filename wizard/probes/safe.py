"""The gate every probe answer passes before anything else sees it: `SafeProbe`.

Whatever the source — the live system, a `--root` bundle, a replayed scenario, a test fake — an
answer leaves the gate
- **shaped**: an object whose fields have the types the probe catalogue (`base.py`) promises.
  A field of the wrong type (a replayed scenario may say anything) turns the whole answer into an
  unavailable one that names the field, so a check says "could not read" instead of crashing;
- **finite**: NaN, infinities and integers too large for a float become null (the field is listed under
  `nonfinite`), so they are "could not measure", never a value that compares as ok or overflows a
  computation, and never reach JSON;
- **without secrets**: SAS tokens, keys, passwords, protected settings and credentials are stripped
  (`wizard.redact.strip_secrets`) here, once, so no check, presenter or recording ever holds one.

`SafeProbe` is put around the probe by the composition (`wizard.cli.make_probe`), so a recording made
with `--record` records what passed the gate; the runner puts it around any probe it is given that
does not have it yet, so no path around it exists. Wrapping twice is harmless and done once.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from wizard.probes.base import Answer, Probe, unavailable
from wizard.redact import strip_secrets

NUMBER = "number"
INT = "int"
STR = "str"
BOOL = "bool"
LIST = "list"
DICT = "dict"

# Field -> the kinds a value may have (None is always allowed: a field may be unknown).
Shape = dict[str, tuple[str, ...]]

_COMMON_ERROR: Shape = {"error": (STR,)}
SHAPES: dict[str, Shape] = {
    "platform": {"system": (STR,), "release": (STR,), "version": (STR,), "hostname": (STR,), "machine": (STR,),
                 "root": (STR,)},
    "elevation": {"is_admin": (BOOL,), "user": (STR,), "uid": (INT,)},
    "tcp_connect": {"outcome": (STR,), "elapsed_ms": (NUMBER,)},
    "http_get": {"outcome": (STR,), "status": (INT,), "headers": (DICT,), "body": (STR,), "truncated": (BOOL,),
                 "elapsed_ms": (NUMBER,), "connected": (BOOL,)},
    "read_file": {"exists": (BOOL,), "is_file": (BOOL,), "readable": (BOOL,), "size": (NUMBER,),
                  "mtime": (NUMBER,), "text": (STR,), "truncated": (BOOL,)},
    "stat": {"exists": (BOOL,), "is_dir": (BOOL,), "is_file": (BOOL,), "mode": (INT,), "uid": (INT,), "gid": (INT,),
             "owner": (STR,), "size": (NUMBER,), "mtime": (NUMBER,)},
    "list_dir": {"exists": (BOOL,), "entries": (LIST,), "truncated": (BOOL,)},
    "run": {"found": (BOOL,), "returncode": (INT,), "stdout": (STR,), "stderr": (STR,), "timed_out": (BOOL,),
            "elapsed_ms": (NUMBER,), "truncated": (BOOL,)},
    "service": {"exists": (BOOL,), "state": (STR,), "start_type": (STR,), "enabled": (STR,),
                "display_name": (STR,)},
    "cpu_sample": {"percent": (NUMBER,), "self_percent": (NUMBER,), "percent_excluding_self": (NUMBER,),
                   "cores": (INT,), "seconds": (NUMBER,), "top": (LIST,)},
    "memory": {"total": (NUMBER,), "available": (NUMBER,), "percent": (NUMBER,), "swap_total": (NUMBER,),
               "swap_percent": (NUMBER,)},
    "disk_usage": {"exists": (BOOL,), "total": (NUMBER,), "used": (NUMBER,), "free": (NUMBER,),
                   "percent": (NUMBER,)},
    "proxy_env": {"vars": (DICT,)},
    "registry": {"exists": (BOOL,), "key_exists": (BOOL,), "type": (STR,), "values": (DICT,), "types": (DICT,),
                 "subkeys": (LIST,), "value": (STR, INT, LIST, NUMBER, BOOL)},
    "processes": {"processes": (LIST,)},
}
# The items of list fields: field -> shape of each item (items must be objects).
ITEMS: dict[tuple[str, str], Shape] = {
    ("list_dir", "entries"): {"name": (STR,), "is_dir": (BOOL,)},
    ("cpu_sample", "top"): {"pid": (INT,), "name": (STR,), "percent": (NUMBER,)},
    ("processes", "processes"): {"pid": (INT,), "name": (STR,), "cmdline": (STR,), "username": (STR,)},
}
# Values inside dict fields that must be text.
TEXT_VALUES = {("proxy_env", "vars"), ("http_get", "headers")}

MAX_DEPTH = 40


def _kind_ok(value: Any, kinds: tuple[str, ...]) -> bool:
    if value is None:
        return True
    for kind in kinds:
        if kind == BOOL and isinstance(value, bool):
            return True
        if kind == INT and isinstance(value, int) and not isinstance(value, bool):
            return True
        if kind == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if kind == STR and isinstance(value, str):
            return True
        if kind == LIST and isinstance(value, list):
            return True
        if kind == DICT and isinstance(value, dict):
            return True
    return False


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def shape_problem(probe: str, answer: Answer) -> str | None:
    """None when `answer` has the shape `probe` promises, else which field is wrong, in words."""
    if answer.get("unavailable"):
        return None if isinstance(answer.get("error"), str | type(None)) else "field 'error' is not text"
    fields = {**_COMMON_ERROR, **SHAPES.get(probe, {})}
    for name, kinds in fields.items():
        value = answer.get(name)
        if not _kind_ok(value, kinds):
            return f"field '{name}' is {_type_name(value)}, expected {' or '.join(kinds)}"
        item_shape = ITEMS.get((probe, name))
        if item_shape is not None and isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    return f"item {i + 1} of field '{name}' is {_type_name(item)}, expected an object"
                for sub, sub_kinds in item_shape.items():
                    if not _kind_ok(item.get(sub), sub_kinds):
                        return (f"field '{name}[{i}].{sub}' is {_type_name(item.get(sub))}, "
                                f"expected {' or '.join(sub_kinds)}")
        if (probe, name) in TEXT_VALUES and isinstance(value, dict):
            for key, sub in value.items():
                if not isinstance(key, str) or not isinstance(sub, str | type(None)):
                    return f"field '{name}.{key}' is {_type_name(sub)}, expected text"
    return None


def finite(value: Any, path: str = "", found: list[str] | None = None, depth: int = 0) -> Any:
    """A copy of `value` with NaN, infinities and integers beyond any float (a check that computes with one
    overflows) replaced by None; their paths appended to `found`."""
    if depth > MAX_DEPTH:
        return None
    if (isinstance(value, float) and not math.isfinite(value)) or (
            isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max):
        if found is not None:
            found.append(path or "(value)")
        return None
    if isinstance(value, dict):
        return {k: finite(v, f"{path}.{k}" if path else str(k), found, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v, f"{path}[{i}]", found, depth + 1) for i, v in enumerate(value)]
    return value


def too_deep(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(too_deep(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(too_deep(v, depth + 1) for v in value)
    return False


def safe_answer(probe: str, answer: Any) -> Answer:
    """The answer as it leaves the gate (see the module docstring)."""
    if not isinstance(answer, dict):
        return unavailable(f"could not read the answer: it is {_type_name(answer)}, expected an object")
    if too_deep(answer):
        return unavailable("could not read the answer: it is nested too deeply")
    bad: list[str] = []
    answer = finite(answer, found=bad)
    problem = shape_problem(probe, answer)
    if problem is not None:
        return unavailable(f"could not read the answer: {problem}")
    if bad:
        answer["nonfinite"] = bad
    cleaned: Answer = strip_secrets(answer)
    return cleaned


class SafeProbe:
    """Passes every call to another probe and every answer through the gate."""

    gated = True

    def __init__(self, inner: Probe) -> None:
        self.inner = inner

    @classmethod
    def wrap(cls, probe: Probe) -> Probe:
        """`probe` behind the gate, unless its answers already pass one (a SafeProbe, or a recorder of one)."""
        return probe if getattr(probe, "gated", False) else cls(probe)

    def call(self, probe: str, /, **args: Any) -> Answer:
        try:
            answer = self.inner.call(probe, **args)
        except Exception as exc:  # a probe that raises is a probe that could not look
            return unavailable(f"the {probe} probe failed: {type(exc).__name__}: {exc}")
        return safe_answer(probe, answer)

    def __getattr__(self, name: str) -> Any:
        """The wrapped probe's other attributes (a replay's title and missed calls, a recorder's text)."""
        return getattr(self.inner, name)
