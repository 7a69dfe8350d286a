"""Causal rules, as data: which finding explains which other findings.

When the in-guest firewall drops the traffic to the Wire Server, the port checks, the versions request
and the HostGAPlugin health check fail too — five problems, one cause. A rule says so:

    CausalRule("firewall-blocks-wireserver", cause="net.firewall", explains=(...wire server checks...))

The answer layer (`wizard.present.causes`) applies the rules to a finished diagnosis: a result
explained by an active rule is shown under its cause as a consequence ("because of the above"), and
only the causes lead. A rule is active when its cause has one of `cause_statuses`; it explains a
result when that result has one of `explained_statuses` and, if `shared_codes` is set, names at least
one portal error code the cause names too (so the extension's fsfreeze failure is put under a
duplicate mount point, but an unrelated extension error is not), and if `unless_evidence` is set, has
none of those (key, value) pairs in its evidence (a request whose connection was accepted was not dropped
by a firewall rule, so the firewall does not explain it). Rules chain: a consequence can be
the cause of others, and everything below a cause is shown under it. `docs/causes.md` lists the rules
and why each holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.i18n import N_
from wizard.model import Status

BAD = frozenset({Status.PROBLEM, Status.WARNING})
BAD_OR_UNSURE = frozenset({Status.PROBLEM, Status.WARNING, Status.NOT_CHECKED, Status.ERROR})
UNSURE = frozenset({Status.NOT_CHECKED})

WIRE_SERVER = ("net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions",
               "net.hostplugin_health")
AGENT_AND_EXTENSIONS = ("agent.service", "agent.version", "agent.config", "agent.log", "agent.python",
                        "ext.backup", "ext.others", "ext.prepost")
# issue 17: VM assist's agent-health checks; those about the agent itself follow from a missing agent
GUEST_AGENT = ("guest.crp_cert", "guest.folder_acl", "guest.modules", "guest.crashes", "guest.unit",
               "guest.agent_python", "guest.agent_package")
GUEST_ALL = ("guest.keyiso", "guest.wmi", "guest.machinekeys", "guest.wcf_debug", "guest.tls", *GUEST_AGENT)
NEEDS_ADMIN = ("net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions",
               "net.hostplugin_health", "net.firewall", "net.proxy", "agent.log", "ext.backup", "ext.others",
               "ext.prepost", "res.vss")


@dataclass(frozen=True)
class CausalRule:
    """One causal link: `cause` (in one of `cause_statuses`) explains the results of `explains`."""

    id: str
    cause: str
    explains: tuple[str, ...]
    note: str
    cause_statuses: frozenset[Status] = BAD
    explained_statuses: frozenset[Status] = BAD
    shared_codes: bool = False
    unless_evidence: tuple[tuple[str, object], ...] = ()


RULES: tuple[CausalRule, ...] = (
    CausalRule(
        "not-azure", "env.azure", tuple(f for f in (*WIRE_SERVER, "net.imds", "net.proxy", "net.firewall",
                                                     "agent.installed", *AGENT_AND_EXTENSIONS, "res.disk_layout",
                                                     "env.guest_proxy_agent", *GUEST_ALL)),
        N_("This follows from the above: on a machine that is not an Azure VM there is no VM agent, backup "
           "extension or Azure platform endpoint to check."),
        explained_statuses=BAD_OR_UNSURE | {Status.INFO}),
    CausalRule(
        "not-elevated", "env.elevation", NEEDS_ADMIN,
        N_("This follows from the above: without administrator or root rights this check cannot give a "
           "conclusive answer. Run the wizard again with those rights."),
        explained_statuses=UNSURE),
    CausalRule(
        "firewall-blocks-wireserver", "net.firewall", (*WIRE_SERVER, "agent.log", "ext.backup", "ext.others"),
        N_("This follows from the above: the in-guest firewall rule drops this traffic, so fixing the rule "
           "fixes this too."),
        shared_codes=False, unless_evidence=(("connected", True),)),
    CausalRule(
        "static-ip-breaks-discovery", "net.dhcp", (*WIRE_SERVER, "agent.log", "ext.backup"),
        N_("This follows from the above: without DHCP the VM agent may not find the Wire Server, so turning "
           "DHCP back on is the fix for this too.")),
    CausalRule(
        "port80-blocked", "net.wireserver_port80", ("net.wireserver_versions", "agent.log", "ext.backup"),
        N_("This follows from the above: nothing reaches the Wire Server on port 80, so this request cannot "
           "succeed either.")),
    CausalRule(
        "port32526-blocked", "net.wireserver_port32526", ("net.hostplugin_health", "ext.backup"),
        N_("This follows from the above: nothing reaches the Wire Server on port 32526, so the HostGAPlugin "
           "cannot answer either.")),
    CausalRule(
        "agent-missing", "agent.installed", (*AGENT_AND_EXTENSIONS, *GUEST_AGENT),
        N_("This follows from the above: without the VM agent there is nothing to run, configure or report "
           "here."),
        cause_statuses=frozenset({Status.PROBLEM}), explained_statuses=BAD_OR_UNSURE),
    CausalRule(
        "agent-not-running", "agent.service", ("ext.backup", "ext.others", "agent.log"),
        N_("This follows from the above: while the VM agent does not run, the extensions are not run and "
           "their status is not updated."),
        cause_statuses=frozenset({Status.PROBLEM})),
    CausalRule(
        "agent-unit-inactive", "agent.service", ("guest.unit",),
        N_("This follows from the above: it is the same stopped agent, seen from its systemd unit."),
        cause_statuses=frozenset({Status.PROBLEM})),
    CausalRule(
        "extensions-disabled", "agent.config", ("ext.backup", "ext.others"),
        N_("This follows from the above: the agent's configuration stops it from running extensions."),
        cause_statuses=frozenset({Status.PROBLEM}), shared_codes=True),
    CausalRule(
        "no-python-for-extension", "agent.python", ("ext.backup",),
        N_("This follows from the above: the backup extension cannot start without a Python it can run."),
        cause_statuses=frozenset({Status.PROBLEM})),
    CausalRule(
        "no-python-for-agent", "agent.python", ("guest.agent_python",),
        N_("This follows from the above: the same missing Python leaves the agent without its interpreter."),
        cause_statuses=frozenset({Status.PROBLEM}), explained_statuses=frozenset({Status.PROBLEM})),
    CausalRule(
        "disk-blocks-extension", "res.disk", ("ext.backup", "ext.others", "agent.log"),
        N_("This follows from the above: the disk problem stops the extension from being installed or run."),
        shared_codes=True),
    CausalRule(
        "mounts-break-fsfreeze", "res.mounts", ("ext.backup",),
        N_("This follows from the above: the extension's freeze of the file systems fails on these mounts."),
        shared_codes=True),
    CausalRule(
        "vss-breaks-snapshot", "res.vss", ("ext.backup",),
        N_("This follows from the above: the snapshot needs every VSS writer to be stable."),
        shared_codes=True),
    CausalRule(
        "busy-vm-times-out", "res.cpu", ("ext.backup", "agent.log"),
        N_("This follows from the above: a VM this busy answers too slowly for the snapshot."),
        shared_codes=True),
    CausalRule(
        "low-memory-times-out", "res.memory", ("ext.backup", "agent.log"),
        N_("This follows from the above: a VM this short of memory answers too slowly for the snapshot."),
        shared_codes=True),
    CausalRule(
        "prepost-fails-backup", "ext.prepost", ("ext.backup",),
        N_("This follows from the above: the backup extension reports the failing pre-script or post-script."),
        shared_codes=True),
    CausalRule(
        "proxy-breaks-downloads", "net.proxy", ("ext.backup", "ext.others", "agent.log"),
        N_("This follows from the above: the proxy setting affects how the agent fetches and reports "
           "extensions."),
        shared_codes=True),
)


def rules_for(cause: str) -> tuple[CausalRule, ...]:
    return tuple(r for r in RULES if r.cause == cause)
