"""Recording probe calls to a scenario file, and replaying one instead of touching the system.

The file format is documented in `docs/scenarios.md`; in short:

    {"schema": 1, "title": "...", "description": "...", "recorded_at": "...",
     "tool": {"name": ..., "version": ...},
     "calls": [{"probe": "tcp_connect", "args": {"host": "168.63.129.16", "port": 80},
                "answer": {"outcome": "connected", "elapsed_ms": 2}}, ...]}

A replay answers each call with the recorded answer of the same probe and arguments (the
last one wins when a call was recorded twice); a call the scenario lacks gets an
"unavailable" answer, never an exception.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import threading
from pathlib import Path
from typing import Any

from wizard import TOOL_NAME, __version__
from wizard.i18n import N_, Translator, format_text
from wizard.model import Msg
from wizard.probes.base import Answer, Probe, call_key, unavailable
from wizard.probes.fsroot import read_regular
from wizard.redact import strip_secrets_text

SCENARIO_SCHEMA = 1
MAX_SCENARIO_BYTES = 64 * 1024 * 1024


class ScenarioError(Exception):
    """A scenario file that cannot be used; the message is for the user. `str()` is English, `translated(t)` in
    `t`'s language (the path, the file's values and the system's own error text stay as they are)."""

    def __init__(self, message: str, /, **params: str | int) -> None:
        self.message = Msg(message, dict(params))
        super().__init__(format_text(message, params))

    def translated(self, t: Translator) -> str:
        return t.msg(self.message)


def shown(value: Any, limit: int = 40) -> str:
    """A value from a scenario as an error message may quote it: escaped (`repr`: no control character
    reaches the terminal), secrets cut, at most `limit` characters."""
    text = strip_secrets_text(repr(value)) if isinstance(value, str | int | float | bool | None) \
        else type(value).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


class RecordingProbe:
    """Passes every call to another probe and keeps request and answer."""

    def __init__(self, inner: Probe) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.calls: list[dict[str, Any]] = []

    @property
    def gated(self) -> bool:
        """Whether what it records already passed the gate (`wizard.probes.safe`)."""
        return bool(getattr(self._inner, "gated", False))

    def call(self, probe: str, /, **args: Any) -> Answer:
        answer = self._inner.call(probe, **args)
        with self._lock:
            self.calls.append({"probe": probe, "args": copy.deepcopy(args), "answer": copy.deepcopy(answer)})
        return answer

    def scenario(self, title: str = "", description: str = "") -> dict[str, Any]:
        with self._lock:
            calls = sorted(self.calls, key=lambda c: call_key(c["probe"], c["args"]))
        return {
            "schema": SCENARIO_SCHEMA,
            "title": title,
            "description": description,
            "recorded_at": _dt.datetime.now(_dt.UTC).astimezone().isoformat(timespec="seconds"),
            "tool": {"name": TOOL_NAME, "version": __version__},
            "calls": calls,
        }

    def text(self, title: str = "", description: str = "") -> str:
        """The scenario file's text (write it with `wizard.fileio.write_output`)."""
        return scenario_text(self.scenario(title, description))


def scenario_text(scenario: dict[str, Any]) -> str:
    """A scenario document as the text of its file."""
    return json.dumps(scenario, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


class ReplayProbe:
    """Answers calls from a recorded scenario."""

    def __init__(self, scenario: dict[str, Any], source: str = "") -> None:
        self.scenario = scenario
        self.source = source
        # Shown by every presenter but not a probe answer, so secrets are cut here (the gate cuts the answers').
        self.title = _cap(strip_secrets_text(_text(scenario.get("title"))), MAX_TITLE)
        self.description = _cap(strip_secrets_text(_text(scenario.get("description"))), MAX_DESCRIPTION)
        self._answers: dict[str, Answer] = {}
        self.missed: list[str] = []
        self._lock = threading.Lock()
        calls = scenario.get("calls")
        if calls is not None and not isinstance(calls, list):
            raise ScenarioError(N_("'calls' is {value}, expected a list of calls"), value=shown(calls))
        for i, entry in enumerate(calls or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("probe"), str):
                raise ScenarioError(N_("call #{number} has no probe name"), number=i + 1)
            args = entry.get("args")
            args = {} if args is None else args
            answer = entry.get("answer")
            if not isinstance(args, dict) or not isinstance(answer, dict):
                raise ScenarioError(N_("call #{number} ({probe}) needs an object 'args' and 'answer'"), number=i + 1,
                                    probe=shown(entry["probe"]))
            self._answers[call_key(entry["probe"], args)] = answer

    def call(self, probe: str, /, **args: Any) -> Answer:
        key = call_key(probe, args)
        answer = self._answers.get(key)
        if answer is None:
            with self._lock:
                self.missed.append(key)
            return unavailable(N_("not recorded in the scenario"))
        return copy.deepcopy(answer)

    @classmethod
    def load(cls, path: Path) -> ReplayProbe:
        path = Path(path)
        try:  # a regular file only (a FIFO would hang the run), and bounded
            raw = read_regular(path, MAX_SCENARIO_BYTES + 1)
        except OSError as exc:
            raise ScenarioError(N_("cannot read scenario {path}: {error}"), path=str(path),
                                error=str(exc.strerror or exc)) from exc
        if len(raw) > MAX_SCENARIO_BYTES:
            raise ScenarioError(N_("{path} is larger than {limit} bytes, the most a scenario may be"), path=str(path),
                                limit=MAX_SCENARIO_BYTES)
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (ValueError, RecursionError) as exc:  # ValueError: bad UTF-8, bad JSON, a number past 4300 digits
            raise ScenarioError(N_("{path} is not a valid scenario (JSON): {error}"), path=str(path),
                                error=str(exc)) from exc
        if not isinstance(data, dict):
            raise ScenarioError(N_("{path} is not a scenario: the top level must be an object"), path=str(path))
        schema = data.get("schema")
        if schema != SCENARIO_SCHEMA:
            raise ScenarioError(N_("{path} has scenario schema {schema}; this version reads {expected}"),
                                path=str(path), schema=shown(schema), expected=SCENARIO_SCHEMA)
        return cls(data, source=str(path))


MAX_TITLE = 300
MAX_DESCRIPTION = 2000


def _cap(text: str, limit: int) -> str:
    """A title or description is one line or a paragraph on every screen: a longer one is cut (after the
    secret filter, so no secret is cut in half and left readable)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str:
    """A title or description: text as it is; anything else (a scenario may say anything) is dropped."""
    return value if isinstance(value, str) else ""
