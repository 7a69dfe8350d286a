"""What the phase diagram shows for a diagnosis: each component's status and which links are broken.

The diagram must tell the truth about *where* a failure lives, because a non-expert acts on it:
- Each check is drawn on the component its failure lives in (its `Check.component`): VSS writers,
  fsfreeze, mount points and the disk layout are in the guest, never on Azure's host.
- The Wire Server's own box is painted only from what the Wire Server answered. When the VM could not
  reach it (a timeout, a refusal, no route) the failure lives on the way there: the in-guest firewall
  and proxy box takes it and the link into the Wire Server is drawn broken; the Wire Server itself is
  "not checked", since nothing reached it.
- "Snapshot on the host" is painted only on the platform's own evidence: the backup extension's report
  of the host's snapshot call failing with an HTTP error (not the extension's synthetic codes, which
  describe the VM side). Otherwise it stays "Azure side, not checked".
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.i18n import N_, Translator
from wizard.knowledge.phases import PHASE_NAMES
from wizard.model import CheckResult, Component, Diagnosis, Phase, Status, worst
from wizard.present.causes import CauseGroup

COMPONENT_NAMES: dict[Component, str] = {
    Component.GUEST: N_("Guest OS"),
    Component.AGENT: N_("VM agent"),
    Component.EXTENSION: N_("Backup extension"),
    Component.NETWORK_PATH: N_("In-guest firewall / proxy"),
    Component.WIRESERVER: N_("Wire Server"),
    Component.SNAPSHOT: N_("Snapshot on the host"),
    Component.VAULT: N_("Recovery Services vault"),
}
STATUS_NAMES: dict[Status | None, str] = {
    Status.PROBLEM: N_("Problem"),
    Status.WARNING: N_("Warning"),
    Status.ERROR: N_("Check failed"),
    Status.NOT_CHECKED: N_("Not checked"),
    Status.INFO: N_("Info"),
    Status.OK: N_("OK"),
    None: N_("No results"),
}
OUTSIDE_NAME = N_("Not checked (Azure side)")
OUTSIDE_VM = frozenset({Component.SNAPSHOT, Component.VAULT})

DESC_FLOW = N_("Take Snapshot runs inside and around the VM: guest OS, VM agent, backup extension, in-guest "
               "firewall or proxy, the Wire Server 168.63.129.16 on TCP ports 80 and 32526, and the snapshot "
               "on the host. Transfer data to vault then copies the snapshot to the Recovery Services vault "
               "in Azure's back end, without passing through the VM's network interface.")
DESC_COMPONENT = N_("{component}: {status}.")
DESC_BROKEN = N_("The link into {component} is drawn broken because a problem was found there.")
DESC_UNREACHED = N_("The link into the Wire Server is drawn broken because the VM could not reach it.")
DESC_NAMED_PHASE = N_("The portal showed the failure in the {phase}; its bracket is drawn thicker.")

UNREACHED = frozenset({"timeout", "refused", "unreachable", "error"})
WIRE_SERVER_CHECKS = frozenset({"net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions",
                                "net.hostplugin_health"})
SYNTHETIC_HOST_CODES = frozenset({"555", "556", "557", "558"})


@dataclass(frozen=True)
class DiagramState:
    has_diagnosis: bool
    statuses: dict[Component, Status | None]
    broken: frozenset[Component]
    """Components whose incoming link is drawn broken."""
    labels: dict[Component, str]
    """Each component's status in words (translated)."""
    named_phase: Phase | None
    description: str
    """The whole picture in sentences, for screen readers (the SVG's <desc>)."""


def failure_component(r: CheckResult) -> Component | None:
    """Where a result is drawn (None: it says nothing about any box)."""
    if r.id in WIRE_SERVER_CHECKS:
        outcome = str(r.evidence.get("outcome") or "")
        status = r.evidence.get("status")
        answered = isinstance(status, int) and not isinstance(status, bool)
        reached = r.evidence.get("connected") is True  # accepted, then no answer: the far side is slow
        if r.status in (Status.PROBLEM, Status.WARNING) and not reached and (outcome in UNREACHED or not answered):
            return Component.NETWORK_PATH
        if r.status is Status.NOT_CHECKED:
            return None
    return r.component


def host_failed(diag: Diagnosis) -> bool:
    """Whether the platform's own evidence says the host's snapshot failed."""
    ext = diag.result("ext.backup")
    if ext is None or ext.status is not Status.PROBLEM:
        return False
    report = ext.evidence.get("inner_report")
    code = str(report.get("host_status_code_do_snapshot") or "") if isinstance(report, dict) else ""
    return code.isdigit() and int(code) >= 400 and code not in SYNTHETIC_HOST_CODES


def named_phase(diag: Diagnosis | None) -> Phase | None:
    value = (diag.symptom or {}).get("phase") if diag is not None else None
    return Phase(value) if value in {p.value for p in Phase} else None


def diagram_state(diag: Diagnosis | None, groups: list[CauseGroup] | None, t: Translator) -> DiagramState:
    """The diagram's state for a diagnosis, or the plain explanation when there is none."""
    has = diag is not None
    per: dict[Component, list[Status]] = {c: [] for c in Component}
    unreached = False
    if diag is not None:
        for r in diag.results:
            comp = failure_component(r)
            if comp is None:
                continue
            per[comp].append(r.status)
            if r.id in WIRE_SERVER_CHECKS and comp is Component.NETWORK_PATH:
                unreached = True
        if host_failed(diag):
            per[Component.SNAPSHOT].append(Status.PROBLEM)
    statuses: dict[Component, Status | None] = {c: worst(v) for c, v in per.items()}
    if unreached and statuses[Component.WIRESERVER] in (None, Status.OK, Status.INFO):
        statuses[Component.WIRESERVER] = Status.NOT_CHECKED
    broken = {c for c, s in statuses.items() if s is Status.PROBLEM and c is not Component.GUEST}
    if unreached:
        broken.add(Component.WIRESERVER)
    labels: dict[Component, str] = {}
    for comp, status in statuses.items():
        if status is None and has and comp in OUTSIDE_VM:
            labels[comp] = t(OUTSIDE_NAME)
        else:
            labels[comp] = t(STATUS_NAMES[status])
    named = named_phase(diag)
    sentences = [t(DESC_FLOW)]
    if named is not None:
        sentences.append(t(DESC_NAMED_PHASE, phase=t(PHASE_NAMES[named])))
    if has:
        for comp in Component:
            sentences.append(t(DESC_COMPONENT, component=t(COMPONENT_NAMES[comp]), status=labels[comp]))
        for comp in Component:
            if comp is Component.WIRESERVER and unreached:
                sentences.append(t(DESC_UNREACHED))
            elif comp in broken:
                sentences.append(t(DESC_BROKEN, component=t(COMPONENT_NAMES[comp])))
    return DiagramState(has, statuses, frozenset(broken), labels, named, t.sentences(sentences))
