"""What a check is, what it gets, and the helpers every check is written with.

A check is declarative: a stable id, the platforms it applies to, its diagram component and
phase, whether it needs admin/root for a conclusive answer, a title, and one function from a
`CheckContext` (probe answers + shared facts) to a `Finding`. The runner adds the id,
component, phase, title and timing to turn the finding into a `CheckResult`, strips secrets
from the evidence, and turns an exception into an `error` result.

Messages are written with `m()`, `step()` and `doc_link()` so Babel extracts them (see
`scripts/catalog.py`): whole English sentences with named `{placeholders}`. The reason a probe
answer or a parser result gives for an error goes into a sentence as `error_msg(answer)`, a
message of its own that is shown in the same language (see `wizard.probes.base`); the English
`error` text belongs in the evidence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import N_
from wizard.model import Component, DocLink, FixStep, Msg, Param, Phase, Status, is_msg_dict
from wizard.probes.base import Answer, Probe, is_unavailable, unavailable
from wizard.settings import IMDS_IP as IMDS_IP
from wizard.settings import WIRESERVER_IP as WIRESERVER_IP
from wizard.settings import Settings as Settings

LINUX = frozenset({"linux"})
WINDOWS = frozenset({"windows"})
BOTH = frozenset({"linux", "windows"})



def m(text: str, **params: Param) -> Msg:
    """A translatable message: English source text with named placeholders, and their values."""
    return Msg(text, params)


def error_msg(answer: Mapping[str, Any] | None, default: str = N_("no details")) -> Msg:
    """The reason a probe answer or a parser result gives for its error, as a translatable message.

    Its `error_msg` when it has one; else (an answer recorded before `error_msg` existed) its
    English `error` text as it is; else `default`, an English phrase marked with `N_()`.
    """
    if isinstance(answer, Mapping):
        if is_msg_dict(answer.get("error_msg")):
            return Msg.from_dict(answer["error_msg"])
        text = answer.get("error")
        if text:
            return Msg(N_("{error}"), {"error": str(text)[:500]})
    return Msg(default)


def step(text: str, command: str | None = None, **params: Param) -> FixStep:
    """One fix step; `command` is copied verbatim by the user and never translated."""
    return FixStep(Msg(text, params), command)


def doc_link(title: str, url: str) -> DocLink:
    """A link to official documentation, with a translatable title."""
    return DocLink(Msg(title), url)


@dataclass
class Finding:
    """What a check function returns: everything but the check's own identity and timing."""

    status: Status
    summary: Msg
    why: Msg | None = None
    fix: list[FixStep] = field(default_factory=list)
    docs: list[DocLink] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


class CheckContext:
    """What a running check may use: the probe, the settings, shared facts and the cancel flag."""

    def __init__(self, probe: Probe, settings: Settings, facts: Facts, cancel: threading.Event) -> None:
        self.probe = probe
        self.settings = settings
        self.facts = facts
        self.cancel = cancel

    def call(self, probe: str, /, **args: Any) -> Answer:
        return self.probe.call(probe, **args)

    def fact(self, name: str) -> Any:
        return self.facts.get(name)

    @property
    def system(self) -> str:
        """'linux', 'windows', or another lower-case platform name."""
        return str(self.fact("platform").get("system") or "")

    @property
    def is_admin(self) -> bool | None:
        """True/False when known; None when the probe could not tell."""
        ans = self.fact("elevation")
        return None if is_unavailable(ans) else bool(ans.get("is_admin"))

    @property
    def is_azure(self) -> bool | None:
        return self.fact("azure").get("is_azure")

    @property
    def in_bundle(self) -> bool:
        """True when the probe reads a collected bundle (`--root`): files only, no programs, services or network."""
        return bool(self.fact("platform").get("root"))

    def absent_from_bundle(self, answer: Answer) -> bool:
        """True when reading a bundle and `answer` (read_file/stat/list_dir) says the path is not there:
        in a bundle that means "not collected", never "not on the VM"."""
        return self.in_bundle and not is_unavailable(answer) and answer.get("exists") is False


CheckFunc = Callable[[CheckContext], Finding]


@dataclass(frozen=True)
class Check:
    """One entry of the check catalogue."""

    id: str
    platforms: frozenset[str]
    component: Component
    title: str
    func: CheckFunc
    phase: Phase = Phase.TAKE_SNAPSHOT
    needs_admin: bool = False
    timeout_s: float = 10.0
    # Needs the running VM (programs, services, network, load): never from a bundle. A system name ("linux")
    # limits that to bundles of that system (a Windows bundle's exported registry answers the check).
    live_only: bool | str = False
    # Measures the machine's own load (CPU): while it runs, no probe may start a child process,
    # so the wizard's own PowerShell/vssadmin/systemctl children are not counted as the VM's load.
    quiet: bool = False


class Facts:
    """Facts several checks need (platform, elevation, IMDS, is-Azure), each computed once, on demand.

    A fact is computed by the first check that asks for it, concurrently with checks that do
    not need it; later askers wait for that one computation.
    """

    def __init__(self, providers: Mapping[str, Callable[[Facts], Any]], probe: Probe, settings: Settings) -> None:
        self._providers = providers
        self.probe = probe
        self.settings = settings
        self._values: dict[str, Any] = {}
        self._locks = {name: threading.Lock() for name in providers}

    def get(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        with self._locks[name]:
            if name not in self._values:
                try:
                    self._values[name] = self._providers[name](self)
                except Exception as exc:  # a broken fact must not break every check that asks
                    self._values[name] = unavailable(N_("the wizard could not work it out ({error})"),
                                                     error=f"{type(exc).__name__}: {exc}")
        return self._values[name]

    def known(self) -> dict[str, Any]:
        """The facts computed so far (for the host summary)."""
        return dict(self._values)


def not_in_bundle(evidence: dict[str, Any] | None = None) -> Finding:
    """`not_checked` for what a collected bundle (`--root`) cannot show: it needs the running VM."""
    return Finding(
        Status.NOT_CHECKED,
        m("Not checked: not in this bundle. This needs the running VM (its programs, services, network or load), "
          "and the wizard is reading files collected from it (--root)."),
        why=m("Run the wizard on the VM itself to check this."),
        evidence={"bundle": True, **(evidence or {})},
    )


def file_not_in_bundle(path: str, evidence: dict[str, Any] | None = None) -> Finding:
    """`not_checked` for a file a collected bundle does not hold: not collected, not "missing on the VM"."""
    return Finding(
        Status.NOT_CHECKED,
        m("Not checked: {path} is not in this bundle. The wizard is reading files collected from the VM (--root), "
          "and this one was not among them.", path=path),
        why=m("Collect this file too, or run the wizard on the VM itself to check this."),
        evidence={"bundle": True, "path": path, **(evidence or {})},
    )


def not_applicable_off_azure(ctx: CheckContext) -> Finding | None:
    """A `not_checked` finding when this is clearly not an Azure VM, else None."""
    if ctx.is_azure is False:
        return Finding(
            Status.NOT_CHECKED,
            m("Not checked: this machine does not look like an Azure VM, so the Azure platform "
              "endpoints are not there to test."),
            evidence={"is_azure": False},
        )
    return None
