"""Composition, shared by both front-ends: from command-line arguments to the probe, the settings, the
checks to run, and a finished Diagnosis.

`wizard.cli` (the terminal view) and `wizard.gui.app` (the wizard) both build what they run from here, so
neither imports the other. The Diagnosis is finished here, in the core, once: the runner's results plus
where they came from (`source`), what the user saw (`symptom`) and the support-case details they typed
(`case`). Presenters never change it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wizard.i18n import N_, Translator, format_text
from wizard.model import Diagnosis, Msg
from wizard.probes.base import Probe
from wizard.settings import Settings

EXIT_TOOL_FAILED = 3
"""Used wrongly, or an input or output that cannot be used (one line on standard error says which)."""
EXIT_INTERNAL_ERROR = 4
"""A bug in the tool itself: never the answer to any input, however hostile (the property tests check)."""


class UsageError(Exception):
    """Wrong use of the command line; the message is for the user. `str()` is English; `translated(t)` is in
    `t`'s language when the message is a `Msg` (a message already worded in the user's language stays as is)."""

    def __init__(self, message: str | Msg) -> None:
        self.message = message
        super().__init__(format_text(message.id, message.params) if isinstance(message, Msg) else message)

    def translated(self, t: Translator) -> str:
        return t.msg(self.message) if isinstance(self.message, Msg) else str(self.message)


def _port(value: int | None, name: str) -> int | None:
    if value is not None and not 1 <= value <= 65535:
        raise UsageError(Msg(N_("{option} must be between 1 and 65535"), {"option": name}))
    return value


def make_settings(args: argparse.Namespace) -> Settings:
    """Settings with the `--wireserver`, `--wireserver-port`, `--hostplugin-port` and `--imds` test overrides."""
    s = Settings()
    if getattr(args, "wireserver", None):
        s.wireserver = args.wireserver.strip()
    if _port(getattr(args, "wireserver_port", None), "--wireserver-port"):
        s.wireserver_port = args.wireserver_port
    if _port(getattr(args, "hostplugin_port", None), "--hostplugin-port"):
        s.hostplugin_port = args.hostplugin_port
    if getattr(args, "imds", None):
        host, sep, port = args.imds.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise UsageError(Msg(N_("{option} takes HOST:PORT, for example {example}"),
                                   {"option": "--imds", "example": "127.0.0.1:8080"}))
        s.imds = f"{host}:{int(port)}"
    return s


def resolve_scenario(name: str) -> Path:
    """A scenario path, or the name of a shipped one (`healthy-linux` -> resources/scenarios/...)."""
    p = Path(name)
    if p.exists():
        return p
    from wizard.paths import resource

    shipped = resource("scenarios", name if name.endswith(".json") else name + ".json")
    return shipped if shipped.exists() else p


def make_probe(args: argparse.Namespace) -> tuple[Probe, dict[str, Any]]:
    """The probe to run against, behind the gate every answer passes (`wizard.probes.safe`), and a
    description of the source for the Diagnosis."""
    from wizard.probes.safe import SafeProbe

    scenario, root = getattr(args, "scenario", None), getattr(args, "root", None)
    if scenario and root:
        raise UsageError(Msg(N_("{first} and {second} cannot be used together."),
                               {"first": "--scenario", "second": "--root"}))
    if scenario:
        from wizard.probes.scenario import ReplayProbe

        path = resolve_scenario(scenario)
        replay = ReplayProbe.load(path)
        return SafeProbe(replay), {"kind": "scenario", "path": str(path), "title": replay.title}
    from wizard.probes.system import SystemProbe

    if root:
        folder = Path(root)
        if not folder.is_dir():
            reason = N_("--root {path}: not a folder") if folder.exists() else N_("--root {path}: no such folder")
            raise UsageError(Msg(reason, {"path": str(root)}))
        return SafeProbe(SystemProbe(root=folder)), {"kind": "root", "path": str(folder)}
    return SafeProbe(SystemProbe()), {"kind": "live"}


def only_ids(value: str | None) -> list[str] | None:
    """The check ids of `--only ID,ID…` (UsageError for an id the catalogue lacks)."""
    if not value:
        return None
    from wizard.checks.registry import by_id

    ids = [x.strip() for x in str(value).split(",") if x.strip()]
    unknown = [x for x in ids if x not in by_id()]
    if unknown:
        raise UsageError(Msg(N_("unknown check id(s): {ids} (see --list-checks)"), {"ids": tuple(unknown)}))
    return ids


def symptom_of(error_code: str | None, phase: str | None) -> dict[str, Any] | None:
    """The Diagnosis's symptom for what the user named (`--error-code`, `--phase`), or None."""
    if not error_code and not phase:
        return None
    from wizard.knowledge.symptom import build_symptom

    return build_symptom(error_code or "", phase or "unknown")


def finish(diag: Diagnosis, source: dict[str, Any], symptom: dict[str, Any] | None,
           case: dict[str, str] | None = None) -> Diagnosis:
    """The finished Diagnosis: the run's results (in catalogue order) with the source, the symptom and the
    case details. A new object; `diag` is left as the runner returned it."""
    from dataclasses import replace

    return replace(diag, source=dict(source), symptom=symptom,
                   case={k: v.strip() for k, v in (case or {}).items() if v and v.strip()})


def log_path() -> Path:
    from wizard.appdata import log_path as path

    return path()
