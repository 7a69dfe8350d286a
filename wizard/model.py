"""Plain data passed between the layers: statuses, phases, components, results, the diagnosis.

Text in results is held as message ids plus parameters (`Msg`) and translated only by the
presenters, so one Diagnosis can be shown in either language. `Diagnosis.to_dict` /
`Diagnosis.from_dict` round-trip without loss; the public JSON document (with translated
text added) lives in `wizard.jsonio`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

JSONValue = Any
# A message parameter: a plain value, another message translated in its own right (the reason
# a probe or parser gives, see `wizard.probes.base`), which is rendered in the same language, or a list of
# names or messages that the translator joins the way its language does ("a, b" / "a、b": `Translator.join`).
ListParam: TypeAlias = "tuple[str | Msg, ...]"
Param: TypeAlias = "str | int | float | bool | Msg | ListParam | None"
MAX_MSG_DEPTH = 4


class Status(StrEnum):
    """The outcome of one check. `SEVERITY` orders them worst first."""

    PROBLEM = "problem"
    WARNING = "warning"
    ERROR = "error"
    NOT_CHECKED = "not_checked"
    INFO = "info"
    OK = "ok"

    @property
    def rank(self) -> int:
        """0 for the worst status (problem), growing towards ok."""
        return SEVERITY.index(self)


SEVERITY: tuple[Status, ...] = (
    Status.PROBLEM,
    Status.WARNING,
    Status.ERROR,
    Status.NOT_CHECKED,
    Status.INFO,
    Status.OK,
)


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status | None:
    """The worst of some statuses, or None when there are none."""
    return min(statuses, key=lambda s: s.rank) if statuses else None


class Phase(StrEnum):
    """The two sub-tasks of a backup job, as the portal shows them."""

    TAKE_SNAPSHOT = "take_snapshot"
    TRANSFER_TO_VAULT = "transfer_to_vault"


class Component(StrEnum):
    """Boxes of the phase diagram, left to right."""

    GUEST = "guest"
    AGENT = "agent"
    EXTENSION = "extension"
    NETWORK_PATH = "network_path"
    WIRESERVER = "wireserver"
    SNAPSHOT = "snapshot"
    VAULT = "vault"


COMPONENT_ORDER: tuple[str, ...] = tuple(c.value for c in Component)
KNOWN_PLATFORMS = frozenset({"linux", "windows"})


@dataclass(frozen=True)
class Msg:
    """A translatable sentence: the English source text (the gettext msgid) and its parameters.

    A parameter may itself be a `Msg` (a translatable reason inside a sentence); in a dict it is
    `{"id": ..., "params": {...}}`, and `from_dict` turns such dicts back into messages.
    """

    id: str
    params: dict[str, Param] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSONValue]:
        return {"id": self.id, "params": {k: _param_dict(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, JSONValue], _depth: int = 0) -> Msg:
        params = data.get("params")
        return cls(str(data["id"]), {str(k): _param(v, _depth) for k, v in params.items()}
                   if isinstance(params, dict) else {})


def is_msg_dict(value: object) -> bool:
    """A message in its dict form: `{"id": str, "params": dict}` (params may be missing)."""
    return (isinstance(value, dict) and isinstance(value.get("id"), str)
            and isinstance(value.get("params", {}), dict) and set(value) <= {"id", "params"})


def listed(items: Iterable[str | Msg], max_chars: int | None = None) -> ListParam:
    """A list parameter: names (or messages) shown as a list inside a sentence, joined in the reader's language
    when translated (`Translator.join`). With `max_chars`, the items that fit (about that many characters of
    names) and then "..."."""
    out: list[str | Msg] = []
    used = 0
    for item in items:
        size = len(item.id if isinstance(item, Msg) else item) + 2
        if max_chars is not None and used + size > max_chars:
            out.append(item[:max_chars] if not out and isinstance(item, str) else "...")
            break
        out.append(item)
        used += size
    return tuple(out)


def _param_dict(value: Param) -> JSONValue:
    if isinstance(value, Msg):
        return value.to_dict()
    if isinstance(value, tuple):
        return [v.to_dict() if isinstance(v, Msg) else v for v in value]
    return value


def _item(value: JSONValue, depth: int) -> str | Msg:
    if is_msg_dict(value) and depth < MAX_MSG_DEPTH:
        return Msg.from_dict(value, depth + 1)
    return str(value["id"]) if is_msg_dict(value) else str(value)


def _param(value: JSONValue, depth: int) -> Param:
    if is_msg_dict(value):
        if depth >= MAX_MSG_DEPTH:
            return str(value["id"])
        return Msg.from_dict(value, depth + 1)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return tuple(_item(v, depth) for v in value)
    return str(value)


@dataclass(frozen=True)
class FixStep:
    """One numbered step of a fix; `command` is an exact command to copy (never translated).

    `platform` ("linux"/"windows"), `family` (the Linux package family: "apt", "dnf", "zypper") and
    `shell` ("sh", "powershell", "cmd") say where the step applies and what its command is written for;
    None means everywhere (or, for the shell, worked out from the command: `wizard.present.steps`)."""

    text: Msg
    command: str | None = None
    platform: str | None = None
    shell: str | None = None
    family: str | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"text": self.text.to_dict(), "command": self.command}
        for key in ("platform", "shell", "family"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, JSONValue]) -> FixStep:
        return cls(Msg.from_dict(data["text"]), data.get("command"), data.get("platform"), data.get("shell"),
                   data.get("family"))


@dataclass(frozen=True)
class DocLink:
    """A link to official documentation."""

    title: Msg
    url: str

    def to_dict(self) -> dict[str, JSONValue]:
        return {"title": self.title.to_dict(), "url": self.url}

    @classmethod
    def from_dict(cls, data: dict[str, JSONValue]) -> DocLink:
        return cls(Msg.from_dict(data["title"]), str(data["url"]))


@dataclass
class CheckResult:
    """What one check found. Evidence is raw data and is never translated."""

    id: str
    status: Status
    component: Component
    phase: Phase
    title: Msg
    summary: Msg
    why: Msg | None = None
    fix: list[FixStep] = field(default_factory=list)
    docs: list[DocLink] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    evidence: dict[str, JSONValue] = field(default_factory=dict)
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "status": self.status.value,
            "component": self.component.value,
            "phase": self.phase.value,
            "title": self.title.to_dict(),
            "summary": self.summary.to_dict(),
            "why": self.why.to_dict() if self.why else None,
            "fix": [s.to_dict() for s in self.fix],
            "docs": [d.to_dict() for d in self.docs],
            "error_codes": list(self.error_codes),
            "evidence": self.evidence,
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_dict(cls, data: dict[str, JSONValue]) -> CheckResult:
        return cls(
            id=str(data["id"]),
            status=Status(data["status"]),
            component=Component(data["component"]),
            phase=Phase(data["phase"]),
            title=Msg.from_dict(data["title"]),
            summary=Msg.from_dict(data["summary"]),
            why=Msg.from_dict(data["why"]) if data.get("why") else None,
            fix=[FixStep.from_dict(s) for s in data.get("fix") or []],
            docs=[DocLink.from_dict(d) for d in data.get("docs") or []],
            error_codes=[str(c) for c in data.get("error_codes") or []],
            evidence=dict(data.get("evidence") or {}),
            duration_s=float(data.get("duration_s") or 0.0),
        )


@dataclass
class HostInfo:
    """Facts about the machine the diagnosis ran on (or the one a scenario was recorded on)."""

    hostname: str = ""
    os: str = ""
    os_version: str = ""
    is_admin: bool | None = None
    is_azure: bool | None = None
    imds: dict[str, JSONValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "hostname": self.hostname,
            "os": self.os,
            "os_version": self.os_version,
            "is_admin": self.is_admin,
            "is_azure": self.is_azure,
            "imds": dict(self.imds),
        }

    @classmethod
    def from_dict(cls, data: dict[str, JSONValue]) -> HostInfo:
        return cls(
            hostname=str(data.get("hostname") or ""),
            os=str(data.get("os") or ""),
            os_version=str(data.get("os_version") or ""),
            is_admin=data.get("is_admin"),
            is_azure=data.get("is_azure"),
            imds=dict(data.get("imds") or {}),
        )


@dataclass
class Diagnosis:
    """Everything one run found: the host, the user's symptom and case details, every result, timings.

    `case` holds what the user typed for the support case (keys `activity_id`, `started`,
    `tried`), kept verbatim for the report.
    """

    tool_name: str
    tool_version: str
    started_at: _dt.datetime
    duration_s: float
    host: HostInfo
    results: list[CheckResult]
    symptom: dict[str, JSONValue] | None = None
    source: dict[str, JSONValue] = field(default_factory=dict)
    cancelled: bool = False
    case: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many results have each status (every status present, zero included)."""
        out = {s.value: 0 for s in SEVERITY}
        for r in self.results:
            out[r.status.value] += 1
        return out

    def result(self, check_id: str) -> CheckResult | None:
        return next((r for r in self.results if r.id == check_id), None)

    def worst(self) -> Status | None:
        return worst([r.status for r in self.results])

    @property
    def platform_known(self) -> bool:
        """Whether the run could tell what kind of machine this is (no check runs when it could not)."""
        return self.host.os in KNOWN_PLATFORMS

    def exit_code(self) -> int:
        """0: nothing worse than info; 1: warnings, or an incomplete diagnosis (checks that could not look,
        a machine whose kind could not be told); 2: problems."""
        w = self.worst()
        if not self.platform_known:
            return 1
        if w is None or w in (Status.OK, Status.INFO):
            return 0
        if w is Status.PROBLEM:
            return 2
        return 1

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "tool": {"name": self.tool_name, "version": self.tool_version},
            "started_at": self.started_at.isoformat(),
            "duration_s": self.duration_s,
            "host": self.host.to_dict(),
            "symptom": self.symptom,
            "source": dict(self.source),
            "cancelled": self.cancelled,
            "case": dict(self.case),
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict[str, JSONValue]) -> Diagnosis:
        started = _dt.datetime.fromisoformat(str(data["started_at"]))
        return cls(
            tool_name=str(data["tool"]["name"]),
            tool_version=str(data["tool"]["version"]),
            started_at=started,
            duration_s=float(data["duration_s"]),
            host=HostInfo.from_dict(data.get("host") or {}),
            results=[CheckResult.from_dict(r) for r in data.get("results") or []],
            symptom=data.get("symptom"),
            source=dict(data.get("source") or {}),
            cancelled=bool(data.get("cancelled", False)),
            case={str(k): str(v) for k, v in (data.get("case") or {}).items()},
        )
