"""The two phases of an Azure VM backup job, explained in translatable paragraphs.

A backup job shows two sub-tasks in the portal: Take Snapshot (inside and around the VM) and
Transfer data to vault (Azure's back end). These texts say what happens in each, what inside
the VM can break them, what overlapping jobs do, and what the consistency levels mean. Sources:
the Japanese support article on network requirements and process (seed), and the facts file
(§1.1, §9, §10).
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.i18n import N_, Translator
from wizard.knowledge import links
from wizard.knowledge.errorcodes import DOC_168, DOC_INTRO, DOC_LINUX_APP, DOC_MATRIX
from wizard.model import DocLink, JSONValue, Msg, Phase

DOC_INSTANT = links.INSTANT
DOC_FAQ = links.FAQ
DOC_SECURITY = links.SECURITY

PHASE_NAMES: dict[Phase, str] = {
    Phase.TAKE_SNAPSHOT: N_("Take Snapshot"),
    Phase.TRANSFER_TO_VAULT: N_("Transfer data to vault"),
}

PHASE_SUMMARIES: dict[Phase, str] = {
    Phase.TAKE_SNAPSHOT: N_("Inside and around the VM: the VM agent and the backup extension talk to the Wire "
                            "Server (168.63.129.16) and the host takes the snapshot."),
    Phase.TRANSFER_TO_VAULT: N_("In Azure's back end: the snapshot is copied to the Recovery Services vault "
                                "without passing through the VM's network interface."),
}


@dataclass(frozen=True)
class Section:
    """One explanatory section: a stable key, a heading, paragraphs and documentation links."""

    key: str
    heading: Msg
    paragraphs: tuple[Msg, ...]
    docs: tuple[DocLink, ...] = ()
    phase: Phase | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "key": self.key,
            "heading": self.heading.to_dict(),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "docs": [d.to_dict() for d in self.docs],
            "phase": self.phase.value if self.phase else None,
        }


def _section(key: str, heading: str, paragraphs: tuple[str, ...], docs: tuple[DocLink, ...] = (),
             phase: Phase | None = None) -> Section:
    return Section(key, Msg(heading), tuple(Msg(p) for p in paragraphs), docs, phase)


TAKE_SNAPSHOT = _section(
    "take_snapshot",
    N_("What happens in Take Snapshot"),
    (
        N_("Take Snapshot is the first phase of every backup job. In an online backup (the VM is running), "
           "the backup extension, run by the VM agent, works with the guest OS to bring the data to a "
           "consistent point, and the snapshot is taken on the physical host that runs the VM. Azure manages "
           "this snapshot; you do not see it as a resource."),
        N_("During this phase the VM agent and the backup extension talk to the Wire Server, 168.63.129.16, "
           "on TCP ports 80 and 32526. This is the only network traffic that Azure VM Backup needs from the "
           "VM."),
        N_("Take Snapshot is the only phase that works with the VM. It usually takes 5 to 15 minutes. Do not "
           "start, stop or restart the VM while it runs, or the backup may fail."),
        N_("When the VM's CPU or memory usage is above 90 %, the snapshot task is queued and delayed, and it "
           "may eventually time out."),
        N_("Once Take Snapshot has completed, you may restart the VM, install updates or resume databases, "
           "even though the job is still running, and the snapshot can already be used for an instant "
           "restore."),
        N_("In an offline backup (the VM is stopped (deallocated)), the snapshot is taken without the guest "
           "OS, so the VM agent is not needed and the backup is crash-consistent."),
    ),
    (DOC_INTRO, DOC_INSTANT),
    Phase.TAKE_SNAPSHOT,
)

TRANSFER_TO_VAULT = _section(
    "transfer_to_vault",
    N_("What happens in Transfer data to vault"),
    (
        N_("Transfer data to vault is the second phase: the snapshot is copied from the host to the Recovery "
           "Services vault, the storage dedicated to backup data, in the same region."),
        N_("The transfer runs in Azure's back end. It does not pass through the VM's network interface (NIC) "
           "and needs no internet access, so it puts no load on the VM's network and needs no firewall or "
           "FQDN rules. The data is encrypted in transit (HTTPS)."),
        N_("Settings inside the VM do not affect this phase. The backup job is complete only when both phases "
           "have finished."),
    ),
    (DOC_INTRO, DOC_FAQ),
    Phase.TRANSFER_TO_VAULT,
)

NETWORK = _section(
    "network",
    N_("What inside the VM matters"),
    (
        N_("Azure VM Backup has the same network requirement as the VM agent: the VM must reach the Wire "
           "Server, 168.63.129.16, on TCP ports 80 and 32526."),
        N_("Only the firewall inside the VM (the guest OS firewall) or a proxy configured in the guest can "
           "block this traffic. Network security groups (NSG), Azure Firewall, user-defined routes (UDR) and "
           "forced tunnelling do not apply to 168.63.129.16, so they need no exception."),
        N_("Port 443 to 168.63.129.16 is not required, and private endpoints play no part in Azure VM "
           "backup."),
        N_("The VM agents let only root (Linux) or Administrators and SYSTEM (Windows) reach 168.63.129.16, so "
           "test the connection as root or Administrator."),
    ),
    (DOC_168, DOC_SECURITY),
)

OVERLAP = _section(
    "overlapping_jobs",
    N_("When backup jobs overlap"),
    (
        N_("A new backup job fails while an earlier job of the same VM is still in Take Snapshot."),
        N_("While an earlier job is still in Transfer data to vault, the new job's transfer phase is skipped "
           "and not retried."),
    ),
    (DOC_INTRO,),
)

CONSISTENCY = _section(
    "consistency",
    N_("Application-, file-system- and crash-consistent backups"),
    (
        N_("Application-consistent: the applications took part in the snapshot. On Windows all VSS writers "
           "succeeded; on Linux the pre-script and post-script succeeded. Applications start cleanly after a "
           "restore."),
        N_("File-system consistent: the file systems were consistent, but the applications were not "
           "prepared, for example when some VSS writers failed on Windows, or on Linux when no scripts are "
           "configured or they failed. The OS boots after a restore; applications may need to recover."),
        N_("Crash-consistent: only what was on the disks at one moment, without the OS taking part, as after "
           "a sudden power loss. Backups of a stopped (deallocated) VM are crash-consistent."),
        N_("The portal shows application-consistent even for applications that have no VSS writer, because "
           "Azure Backup cannot detect them."),
    ),
    (DOC_LINUX_APP, DOC_MATRIX),
)

SECTIONS: tuple[Section, ...] = (TAKE_SNAPSHOT, TRANSFER_TO_VAULT, NETWORK, OVERLAP, CONSISTENCY)

PHASE_SECTIONS: dict[Phase, Section] = {
    Phase.TAKE_SNAPSHOT: TAKE_SNAPSHOT,
    Phase.TRANSFER_TO_VAULT: TRANSFER_TO_VAULT,
}


def render_section(section: Section, translator: Translator) -> dict[str, JSONValue]:
    """One section with its text translated."""
    return {
        "key": section.key,
        "heading": translator.msg(section.heading),
        "paragraphs": [translator.msg(p) for p in section.paragraphs],
        "docs": [{"title": translator.msg(d.title), "url": d.url} for d in section.docs],
        "phase": section.phase.value if section.phase else None,
    }


def render_sections(translator: Translator) -> list[dict[str, JSONValue]]:
    """Every section, translated, in reading order."""
    return [render_section(s, translator) for s in SECTIONS]
