"""Plain words for the terms a VM owner meets in the results, in both languages.

Each entry has the term as shown, a one-sentence explanation, and the English words that mark it in a
message (messages are English source text, so one list finds the term whatever the display language).
The answer layer lists the entries a diagnosis uses in the order of this table — the most specific terms
first, so a view with room for one footnote explains the word a non-expert is least likely to know; the
wizard shows them as tooltips, the report as a glossary section, the terminal view as footnotes.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.i18n import N_


@dataclass(frozen=True)
class Term:
    key: str
    term: str
    definition: str
    markers: tuple[str, ...]


GLOSSARY: tuple[Term, ...] = (
    Term("wireserver", N_("Wire Server (168.63.129.16)"),
         N_("Azure's own address inside every VM. The VM agent and the backup extension talk to it to receive "
            "their work and report back; if the VM cannot reach it, the snapshot cannot start."),
         ("wire server", "wireserver", "168.63.129.16")),
    Term("hostgaplugin", N_("HostGAPlugin (port 32526)"),
         N_("The part of the Wire Server on TCP port 32526 that hands out extension settings and packages and "
            "takes their status."),
         ("hostgaplugin", "32526", "host plugin")),
    Term("vss", N_("VSS writer"),
         N_("Windows' Volume Shadow Copy Service asks each writer (one per application, such as SQL Server or "
            "the registry) to pause writes so the snapshot is consistent; a writer in a failed state stops it."),
         ("vss", "volume shadow copy")),
    Term("fsfreeze", N_("fsfreeze"),
         N_("On Linux the backup extension briefly freezes the file systems so the snapshot is consistent; a "
            "mount it cannot freeze makes the snapshot fail."),
         ("fsfreeze", "freeze")),
    Term("gpa", N_("Guest Proxy Agent"),
         N_("The program of Azure's Metadata Security Protocol that sits between the VM and the Wire Server and "
            "IMDS; its documentation says it does not yet work with Azure Backup."),
         ("guest proxy agent", "metadata security protocol")),
    Term("prepost", N_("Pre-script and post-script"),
         N_("Your own scripts that the Linux backup extension runs before and after the snapshot, for example "
            "to pause a database, so the backup is application-consistent."),
         ("pre-script", "post-script", "pre/post")),
    Term("in_guest_firewall", N_("In-guest firewall"),
         N_("The firewall of the operating system inside the VM (Windows Defender Firewall, iptables, nftables). "
            "Unlike network security groups in Azure, it can block the Wire Server."),
         ("in-guest firewall", "firewall rule", "iptables", "nftables")),
    Term("proxy_bypass", N_("Proxy exception"),
         N_("An address that programs reach directly instead of through the proxy server. 168.63.129.16 and "
            "169.254.169.254 must be exceptions wherever a proxy is set."),
         ("no_proxy", "bypass", "proxy exception")),
    Term("goal_state", N_("Goal state"),
         N_("The list of what the VM agent should do (which extensions, with which settings) that it fetches "
            "from the Wire Server."),
         ("goal state",)),
    Term("imds", N_("IMDS (169.254.169.254)"),
         N_("The Instance Metadata Service: an address inside every Azure VM that tells the VM its own name, "
            "size and disks. Backup does not need it; the wizard reads the VM's facts from it."),
         ("imds", "169.254.169.254", "instance metadata")),
    Term("agent", N_("VM agent"),
         N_("The Azure program inside the VM (WindowsAzureGuestAgent on Windows, waagent on Linux) that runs "
            "extensions such as the backup extension."),
         ("vm agent", "guest agent", "waagent", "walinuxagent", "windowsazureguestagent")),
    Term("extension", N_("Backup extension"),
         N_("The small program (VMSnapshot on Windows, VMSnapshotLinux on Linux) that the VM agent installs "
            "for the first backup and runs at every backup to prepare the snapshot."),
         ("backup extension", "vmsnapshot", "extension")),
    Term("vault", N_("Recovery Services vault"),
         N_("The Azure resource that holds the backup policy, runs the backup jobs and stores the recovery "
            "points."),
         ("recovery services vault", "vault")),
    Term("take_snapshot", N_("Take Snapshot phase"),
         N_("The first sub-task of a backup job: the VM agent and the backup extension inside the VM prepare "
            "the disks and Azure takes the snapshot. Nearly every failure a VM owner can fix happens here."),
         ("take snapshot",)),
    Term("transfer", N_("Transfer data to vault phase"),
         N_("The second sub-task: Azure copies the snapshot into the vault in its back end. It does not pass "
            "through the VM's network, so nothing inside the VM takes part in it."),
         ("transfer data to vault",)),
)
