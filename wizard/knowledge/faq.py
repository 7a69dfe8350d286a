"""Frequently asked questions about Azure VM Backup's network needs and phases, as data.

The first three are the questions of the Japanese support article (seed); the others are
answered by the facts file (§1, §2.4, §7, §9, §10). Questions and answers are English msgids
translated at display time.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.i18n import N_, Translator
from wizard.knowledge.errorcodes import DOC_168, DOC_INTRO, DOC_LINUX_APP, DOC_MATRIX, DOC_TS_VM
from wizard.knowledge.phases import DOC_FAQ, DOC_INSTANT, DOC_SECURITY
from wizard.model import DocLink, JSONValue, Msg


@dataclass(frozen=True)
class Faq:
    """One question with its answer (one or more paragraphs) and documentation links."""

    key: str
    question: Msg
    answer: tuple[Msg, ...]
    docs: tuple[DocLink, ...] = ()

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "key": self.key,
            "question": self.question.to_dict(),
            "answer": [a.to_dict() for a in self.answer],
            "docs": [d.to_dict() for d in self.docs],
        }


def _faq(key: str, question: str, answer: tuple[str, ...], docs: tuple[DocLink, ...] = ()) -> Faq:
    return Faq(key, Msg(question), tuple(Msg(a) for a in answer), docs)


FAQS: tuple[Faq, ...] = (
    _faq(
        "forced_tunnelling",
        N_("We use forced tunnelling. How do we exclude Azure VM Backup's traffic from it? Can a user-defined "
           "route (UDR) do that?"),
        (N_("You do not need to. The traffic Azure VM Backup needs goes to 168.63.129.16, which forced "
            "tunnelling and network security groups do not affect, so the requirement is met as long as the "
            "firewall inside the VM does not block it. No special setup is needed with forced tunnelling."),
         N_("A user-defined route cannot redirect this traffic either.")),
        (DOC_168,),
    ),
    _faq(
        "after_take_snapshot",
        N_("The backup job is still running, but Take Snapshot has finished. May we restart the VM now, and "
           "can we already restore?"),
        (N_("Yes. Once Take Snapshot has completed, the part of the backup that works with the VM is over, so "
            "you may change the OS or restart the VM."),
         N_("The snapshot kept on the host can already be used for an instant restore.")),
        (DOC_INSTANT,),
    ),
    _faq(
        "transfer_load",
        N_("We are worried about the load of the backup data transfer on the VM. Is there a best practice?"),
        (N_("There is nothing to worry about. The data is transferred in Azure's back end and does not pass "
            "through the VM's virtual NIC, so the transfer does not affect the VM."),),
        (DOC_INTRO, DOC_FAQ),
    ),
    _faq(
        "nsg_internet",
        N_("Do we need NSG or Azure Firewall rules, or internet access, for Azure VM Backup?"),
        (N_("No. The VM only needs to reach 168.63.129.16 on TCP ports 80 and 32526, which NSGs and Azure "
            "Firewall do not filter, and the data transfer needs no internet access."),
         N_("One exception: VMs with write accelerator disks need internet access for backups to succeed.")),
        (DOC_SECURITY, DOC_MATRIX),
    ),
    _faq(
        "ports",
        N_("Which ports must the firewall inside the VM allow?"),
        (N_("Outbound TCP ports 80 and 32526 to 168.63.129.16. Older documents also mention port 443, but the "
            "current documentation lists only 80 and 32526."),),
        (DOC_168,),
    ),
    _faq(
        "offline_backup",
        N_("Can a stopped (deallocated) VM be backed up?"),
        (N_("Yes. The snapshot is then taken without the guest OS, so the VM agent is not needed, and the "
            "backup is crash-consistent."),
         N_("Do not start or stop the VM while Take Snapshot is running.")),
        (DOC_MATRIX,),
    ),
    _faq(
        "consistency",
        N_("Why is our backup file-system consistent or crash-consistent rather than application-consistent?"),
        (N_("Application consistency needs the applications to take part: on Windows every VSS writer must "
            "succeed; on Linux the pre-script and post-script must succeed."),
         N_("If some VSS writers fail, or no scripts are configured on Linux, the backup is file-system "
            "consistent. A backup of a stopped (deallocated) VM is crash-consistent.")),
        (DOC_LINUX_APP, DOC_TS_VM),
    ),
    _faq(
        "overlapping_jobs",
        N_("Why did a backup job fail, or skip its transfer, right after another backup?"),
        (N_("A new backup job fails while an earlier job of the same VM is still in Take Snapshot."),
         N_("While an earlier job is still in Transfer data to vault, the new job's transfer phase is skipped "
            "and not retried.")),
        (DOC_INTRO,),
    ),
    _faq(
        "private_endpoints",
        N_("Do private endpoints matter for Azure VM Backup?"),
        (N_("No. Backing up Azure VMs does not use private endpoints; the VM only needs to reach "
            "168.63.129.16."),),
        (DOC_SECURITY,),
    ),
    _faq(
        "test_as_user",
        N_("Our test connection to 168.63.129.16 times out. Is the network blocked?"),
        (N_("Not necessarily. The VM agent lets only root (Linux) or Administrators and SYSTEM (Windows) reach "
            "168.63.129.16, so a test as a normal user times out even when everything is fine."),
         N_("Run the test, or this wizard, as root or Administrator.")),
        (DOC_168,),
    ),
    _faq(
        "high_load",
        N_("Can high CPU or memory usage make a backup fail?"),
        (N_("Yes. Above 90 % CPU or memory usage the snapshot task is queued and delayed, and it may time "
            "out."),
         N_("Run an on-demand backup at a quieter time, move the schedule to off-peak hours, or resize the "
            "VM.")),
        (DOC_TS_VM,),
    ),
    _faq(
        "proxy",
        N_("We use a proxy in the VM. What do we need to configure?"),
        (N_("The VM agents never send their traffic to 168.63.129.16 through a proxy, but make sure the proxy "
            "settings of the system account exclude 168.63.129.16 and 169.254.169.254, so that nothing in "
            "the guest redirects or blocks them."),),
        (DOC_168,),
    ),
    _faq(
        "duration",
        N_("How long does Take Snapshot take, and when does a scheduled backup start?"),
        (N_("Take Snapshot usually takes 5 to 15 minutes. A scheduled backup starts within 2 hours of the time "
            "set in the backup policy."),),
        (DOC_INTRO,),
    ),
    _faq(
        "read_only",
        N_("Does this wizard change anything on the VM?"),
        (N_("No. It only reads settings, files and service states and tests the connection to 168.63.129.16. "
            "Every fix is shown as steps and commands for you to run."),),
    ),
)


def render_faq(translator: Translator) -> list[dict[str, JSONValue]]:
    """Every question and answer, translated, in order."""
    return [
        {
            "key": f.key,
            "question": translator.msg(f.question),
            "answer": [translator.msg(a) for a in f.answer],
            "docs": [{"title": translator.msg(d.title), "url": d.url} for d in f.docs],
        }
        for f in FAQS
    ]
