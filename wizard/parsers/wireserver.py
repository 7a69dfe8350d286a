"""WireServer (168.63.129.16) XML bodies: the `?comp=versions` list, the goal state, error bodies.

All parsing goes through `defusedxml` with DTDs forbidden, so entity bombs and external
entities are refused at once with a clear error instead of expanding. Bodies longer than
`MAX_XML_CHARS` are refused before parsing. Every function answers plain data and never raises.

A document that is not well-formed (for instance the sample in Microsoft's 168.63.129.16 article,
which stops before `</Versions>`) is reported with its `error`, and `parse_versions` then
recovers what versions it can with a bounded scan (`recovered: True`), so a report can still
show what the server advertised.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

WIRE_PROTOCOL_VERSION = "2012-11-30"
MAX_XML_CHARS = 512 * 1024
MAX_VERSIONS = 100
MAX_VERSION_CHARS = 64
MAX_ROLE_INSTANCES = 16
MAX_TEXT_CHARS = 500
EXCERPT_CHARS = 2000

_VERSION_RE = re.compile(r"<Version>([^<]{0,64})</Version>")
_BLOCKED_LOCALLY_RE = re.compile(
    r"forbidden by its access permissions|WinError 10013|Errno 10013|"
    r"Operation not permitted|Permission denied",
    re.IGNORECASE,
)


def _local(tag: Any) -> str:
    """An element's name without its namespace."""
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(elem: Element | None, name: str) -> Element | None:
    if elem is None:
        return None
    return next((c for c in elem if _local(c.tag) == name), None)


def _children(elem: Element | None, name: str) -> list[Element]:
    if elem is None:
        return []
    return [c for c in elem if _local(c.tag) == name]


def _text(elem: Element | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    if elem is None:
        return None
    return (elem.text or "").strip()[:limit]


def _parse(body: str) -> tuple[Element | None, str | None, bool]:
    """(root, error, well_formed_failure): the parsed root, or why there is none.

    `well_formed_failure` is True only when the text is simply not well-formed XML (the case a
    lenient scan may still make sense of); refused or oversized documents are not scanned.
    """
    if not isinstance(body, str):
        return None, "no text", False
    if len(body) > MAX_XML_CHARS:
        return None, f"document too large ({len(body)} characters, limit {MAX_XML_CHARS})", False
    if not body.strip():
        return None, "empty body", False
    try:
        return fromstring(body, forbid_dtd=True), None, False
    except DefusedXmlException as exc:
        return None, f"refused: the document declares a DTD or entities ({type(exc).__name__})", False
    except ParseError as exc:
        return None, f"not well-formed XML: {exc}", True
    except (ValueError, LookupError, RecursionError, MemoryError) as exc:
        return None, f"not parseable XML: {type(exc).__name__}: {exc}", True


def _versions_of(elem: Element | None) -> list[str]:
    out: list[str] = []
    for v in _children(elem, "Version")[:MAX_VERSIONS]:
        text = _text(v, MAX_VERSION_CHARS)
        if text:
            out.append(text)
    return out


def _scan_versions(text: str) -> list[str]:
    return [mo.group(1).strip() for mo in _VERSION_RE.finditer(text)][:MAX_VERSIONS]


def _recover_versions(body: str) -> tuple[list[str], list[str]]:
    """Versions found by a bounded scan of a body that is not well-formed (Preferred, Supported)."""
    start = body.find("<Versions")
    if start < 0:
        return [], []
    body = body[start:]
    pref_start = body.find("<Preferred>")
    sup_start = body.find("<Supported>")
    preferred: list[str] = []
    supported: list[str] = []
    if pref_start >= 0:
        pref_end = body.find("</Preferred>", pref_start)
        if pref_end < 0:
            pref_end = sup_start if sup_start > pref_start else len(body)
        preferred = _scan_versions(body[pref_start:pref_end])
    if sup_start >= 0:
        sup_end = body.find("</Supported>", sup_start)
        supported = _scan_versions(body[sup_start:] if sup_end < 0 else body[sup_start:sup_end])
    return preferred, supported


def parse_versions(body: str) -> dict[str, Any]:
    """Parse a `GET /?comp=versions` body.

    Returns {"preferred": [...], "supported": [...], "error": None or why it is not a valid
    versions document, "recovered": True when the lists come from a lenient scan of a body that
    is not well-formed XML}.
    """
    root, error, scannable = _parse(body)
    if root is None:
        preferred, supported = _recover_versions(body) if scannable else ([], [])
        return {"preferred": preferred, "supported": supported, "error": error,
                "recovered": bool(preferred or supported)}
    if _local(root.tag) != "Versions":
        return {"preferred": [], "supported": [], "recovered": False,
                "error": f"not a versions document (root element <{_local(root.tag)[:60]}>)"}
    preferred = _versions_of(_child(root, "Preferred"))
    supported = _versions_of(_child(root, "Supported"))
    error = None if (preferred or supported) else "the document lists no versions"
    return {"preferred": preferred, "supported": supported, "error": error, "recovered": False}


def advertises(parsed: dict[str, Any], version: str = WIRE_PROTOCOL_VERSION) -> bool:
    """Whether `version` is the preferred or a supported version of a `parse_versions` result.

    This is the test the Linux agent makes (`check_wire_protocol_version` in WALinuxAgent).
    """
    return version in (parsed.get("preferred") or []) or version in (parsed.get("supported") or [])


def parse_goal_state(body: str) -> dict[str, Any]:
    """Parse a `GET /machine/?comp=goalstate` body.

    Only identifiers and states are returned, never the configuration URIs (what they lead to
    holds SAS tokens and protected settings). Returns {"version", "incarnation",
    "expected_state", "container_id", "role_instances": [{"instance_id", "state",
    "config_name"}], "has_role_instance", "error"}.
    """
    out: dict[str, Any] = {"version": None, "incarnation": None, "expected_state": None,
                           "container_id": None, "role_instances": [], "has_role_instance": False,
                           "error": None}
    root, error, _ = _parse(body)
    if root is None:
        return {**out, "error": error}
    if _local(root.tag) != "GoalState":
        return {**out, "error": f"not a goal state document (root element <{_local(root.tag)[:60]}>)"}
    container = _child(root, "Container")
    instances = []
    for ri in _children(_child(container, "RoleInstanceList"), "RoleInstance")[:MAX_ROLE_INSTANCES]:
        instances.append({
            "instance_id": _text(_child(ri, "InstanceId")),
            "state": _text(_child(ri, "State")),
            "config_name": _text(_child(_child(ri, "Configuration"), "ConfigName")),
        })
    out.update(
        version=_text(_child(root, "Version")),
        incarnation=_text(_child(root, "Incarnation")),
        expected_state=_text(_child(_child(root, "Machine"), "ExpectedState")),
        container_id=_text(_child(container, "ContainerId")),
        role_instances=instances,
        has_role_instance=bool(instances),
    )
    if not out["incarnation"] or not out["container_id"]:
        out["error"] = "the goal state lacks an Incarnation or a ContainerId"
    return out


def parse_error_body(body: str) -> dict[str, Any]:
    """Parse an `<Error><Code/><Message/><Details/></Error>` body (e.g. the 410 ResourceNotAvailable).

    Returns {"code", "message", "details", "error"}; `error` says why there is no such document.
    """
    out: dict[str, Any] = {"code": None, "message": None, "details": None, "error": None}
    root, error, _ = _parse(body)
    if root is None:
        return {**out, "error": error}
    if _local(root.tag) != "Error":
        return {**out, "error": f"not an error document (root element <{_local(root.tag)[:60]}>)"}
    return {**out, "code": _text(_child(root, "Code")), "message": _text(_child(root, "Message")),
            "details": _text(_child(root, "Details"))}


def blocked_locally(error: str | None) -> bool:
    """Whether a connection error says the local system forbade the connection (firewall/filter).

    Windows: WSAEACCES 10013 "An attempt was made to access a socket in a way forbidden by its
    access permissions"; Linux: EPERM/EACCES from a netfilter rule.
    """
    return bool(error) and _BLOCKED_LOCALLY_RE.search(str(error)[:MAX_TEXT_CHARS]) is not None


def excerpt(text: Any, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of a body, for evidence."""
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[:limit] + "…"
