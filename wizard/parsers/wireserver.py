"""WireServer (168.63.129.16) and HostGAPlugin bodies: the `?comp=versions` list and error answers.

All parsing goes through `defusedxml` with DTDs forbidden, so entity bombs and external
entities are refused at once with a clear error instead of expanding. Bodies longer than
`MAX_XML_CHARS` are refused before parsing. Every function answers plain data and never raises.

A document that is not well-formed (for instance the sample in Microsoft's 168.63.129.16 article,
which stops before `</Versions>`) is reported with its `error`, and `parse_versions` then
recovers what versions it can with a bounded scan (`recovered: True`), so a report can still
show what the server advertised.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from wizard.i18n import N_
from wizard.probes.base import error_fields

WIRE_PROTOCOL_VERSION = "2012-11-30"
MAX_XML_CHARS = 512 * 1024
MAX_VERSIONS = 100
MAX_VERSION_CHARS = 64
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


Problem = dict[str, Any]  # {"error": English text, "error_msg": {...}} (see wizard.probes.base)


def _parse(body: str) -> tuple[Element | None, Problem, bool]:
    """(root, error fields, well_formed_failure): the parsed root, or why there is none.

    `well_formed_failure` is True only when the text is simply not well-formed XML (the case a
    lenient scan may still make sense of); refused or oversized documents are not scanned.
    """
    if not isinstance(body, str):
        return None, error_fields(N_("no text")), False
    if len(body) > MAX_XML_CHARS:
        return None, error_fields(N_("document too large ({size} characters, limit {limit})"), size=len(body),
                                  limit=MAX_XML_CHARS), False
    if not body.strip():
        return None, error_fields(N_("empty body")), False
    try:
        return fromstring(body, forbid_dtd=True), _NO_PROBLEM, False
    except DefusedXmlException as exc:
        return None, error_fields(N_("refused: the document declares a DTD or entities ({detail})"),
                                  detail=type(exc).__name__), False
    except ParseError as exc:
        return None, error_fields(N_("not well-formed XML: {detail}"), detail=str(exc)[:300]), True
    except (ValueError, LookupError, RecursionError, MemoryError) as exc:
        return None, error_fields(N_("not parseable XML: {detail}"),
                                  detail=f"{type(exc).__name__}: {str(exc)[:300]}"), True


_NO_PROBLEM: Problem = {"error": None}


def _root_name(root: Element) -> str:
    return _local(root.tag)[:60]


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
    versions document (with its `error_msg`), "recovered": True when the lists come from a lenient scan of a body that
    is not well-formed XML}.
    """
    root, problem, scannable = _parse(body)
    if root is None:
        preferred, supported = _recover_versions(body) if scannable else ([], [])
        return {"preferred": preferred, "supported": supported, **problem,
                "recovered": bool(preferred or supported)}
    if _local(root.tag) != "Versions":
        return {"preferred": [], "supported": [], "recovered": False,
                **error_fields(N_("not a versions document (root element <{element}>)"),
                                 element=_root_name(root))}
    preferred = _versions_of(_child(root, "Preferred"))
    supported = _versions_of(_child(root, "Supported"))
    problem = _NO_PROBLEM if (preferred or supported) else error_fields(N_("the document lists no versions"))
    return {"preferred": preferred, "supported": supported, **problem, "recovered": False}


def advertises(parsed: dict[str, Any], version: str = WIRE_PROTOCOL_VERSION) -> bool:
    """Whether `version` is the preferred or a supported version of a `parse_versions` result.

    This is the test the Linux agent makes (`check_wire_protocol_version` in WALinuxAgent).
    """
    return version in (parsed.get("preferred") or []) or version in (parsed.get("supported") or [])


def parse_error_body(body: str) -> dict[str, Any]:
    """The code and message of an error answer: WireServer's XML or HostGAPlugin's JSON.

    XML: `<Error><Code/><Message/><Details/></Error>` (e.g. the 410 ResourceNotAvailable); JSON:
    `{"errorCode", "message", "details"}` (HostGAPlugin, e.g. the vmSettings 502
    VMArtifactsProfileBlobContentNotFound), also `{"code"/"Code", "message"/"Message"}` and the same
    inside an `"error"` object, or `{"error": "text"}` (IMDS). Returns {"code", "message", "details",
    "format" ("xml"/"json"/None), "error"} (plus `error_msg` when `error` says why there is no
    error document); texts are cut to 500 characters.
    """
    out: dict[str, Any] = {"code": None, "message": None, "details": None, "format": None, "error": None}
    if not isinstance(body, str):
        return {**out, **error_fields(N_("no text"))}
    text = body.lstrip("\ufeff").strip()
    if text.startswith(("{", "[")):
        return _json_error_body(text, out)
    root, problem, _ = _parse(body)
    if root is None:
        return {**out, **problem}
    if _local(root.tag) != "Error":
        return {**out, **error_fields(N_("not an error document (root element <{element}>)"),
                                      element=_root_name(root))}
    return {**out, "format": "xml", "code": _text(_child(root, "Code")), "message": _text(_child(root, "Message")),
            "details": _text(_child(root, "Details"))}


_JSON_KEYS = {"code": ("errorCode", "code", "Code", "ErrorCode"), "message": ("message", "Message", "errorMessage"),
              "details": ("details", "Details")}


def _json_error_body(text: str, out: dict[str, Any]) -> dict[str, Any]:
    if len(text) > MAX_XML_CHARS:
        return {**out, **error_fields(N_("document too large ({size} characters, limit {limit})"), size=len(text),
                                      limit=MAX_XML_CHARS)}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return {**out, **error_fields(N_("not JSON: {detail}"), detail=str(exc)[:300])}
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        data = data["error"]
    if not isinstance(data, dict):
        return {**out, **error_fields(N_("not an error document (a JSON {kind})"), kind=type(data).__name__)}
    found = {field: next((_short(data[k]) for k in keys if data.get(k) not in (None, "")), None)
             for field, keys in _JSON_KEYS.items()}
    if found["message"] is None and isinstance(data.get("error"), str):
        found["message"] = _short(data["error"])
    if found["code"] is None and found["message"] is None:
        return {**out, **error_fields(N_("not an error document (no code and no message)"))}
    return {**out, **found, "format": "json", "details": found["details"] or ""}


def _short(value: Any) -> str:
    return (value if isinstance(value, str) else json.dumps(value, default=str))[:MAX_TEXT_CHARS]


_LOG_ANSWER_RE = re.compile(r"\[(\d{3}): [^\]\n]{0,80}\] b(['\"])")
_BYTES_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|[nrt'\"\\])")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "'": "'", '"': '"', "\\": "\\"}
MAX_LOG_ANSWER_CHARS = 8192


def error_answer_in_log(text: str) -> dict[str, Any] | None:
    """The HTTP status, code and message of an error answer a waagent.log entry quotes, if it quotes one.

    The agent writes the body as a Python bytes literal after the status, e.g.
    `[HTTP Failed] [502: Bad Gateway] b'{  "errorCode": "VMArtifactsProfileBlobContentNotFound", ...}'` or
    `[410: Gone] b'<?xml ...>\\n<Error ...><Code>ResourceNotAvailable</Code>...'`. Returns {"status",
    "code", "message", "details", "format"} when the body names a code or a message, else None.
    """
    if not isinstance(text, str):
        return None
    text = text[:MAX_LOG_ANSWER_CHARS]
    mo = _LOG_ANSWER_RE.search(text)
    if mo is None:
        return None
    rest = text[mo.end():]
    end = rest.rfind(mo.group(2))
    literal = rest[:end] if end >= 0 else rest
    raw = _BYTES_ESCAPE_RE.sub(_unescape, literal).encode("latin-1", errors="replace")  # one char per byte
    parsed = parse_error_body(raw.decode("utf-8", errors="replace"))
    if not (parsed["code"] or parsed["message"]):
        return None
    return {"status": int(mo.group(1)), **{k: parsed[k] for k in ("code", "message", "details", "format")}}


def _unescape(mo: re.Match[str]) -> str:
    token = mo.group(1)
    if token.startswith("x"):
        return chr(int(token[1:], 16))
    return _SIMPLE_ESCAPES[token]


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
