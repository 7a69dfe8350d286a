"""Official documentation pages, one title per page, for every part of the program (checks, error codes,
phases, FAQ). A page linked from two places is defined here once, so it never appears under two names."""

from __future__ import annotations

from wizard.i18n import N_
from wizard.model import DocLink, Msg


def link(title: str, url: str) -> DocLink:
    return DocLink(Msg(title), url)


TS_VM = link(N_("Troubleshoot backup failures on Azure virtual machines"),
             "https://learn.microsoft.com/azure/backup/backup-azure-vms-troubleshoot")
TS_AGENT = link(N_("Troubleshoot Azure Backup failure: Issues with the agent or extension"),
                "https://learn.microsoft.com/azure/backup/backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout")
WIN_AGENT = link(N_("Troubleshoot Azure Windows VM Agent issues"),
                 "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/windows-azure-guest-agent")
LINUX_AGENT = link(N_("Troubleshoot the Azure Linux Agent"),
                   "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/linux-azure-guest-agent")
IP_168 = link(N_("What is IP address 168.63.129.16?"),
              "https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16")
IMDS = link(N_("Azure Instance Metadata Service"),
            "https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service")
MATRIX = link(N_("Support matrix for Azure VM backups"),
              "https://learn.microsoft.com/azure/backup/backup-support-matrix-iaas")
LINUX_APP = link(N_("Application-consistent backup of Azure Linux VMs"),
                 "https://learn.microsoft.com/azure/backup/backup-azure-linux-app-consistent")
INTRO = link(N_("About Azure VM backup"), "https://learn.microsoft.com/azure/backup/backup-azure-vms-introduction")
INSTANT = link(N_("Get improved backup and restore performance with Azure Backup Instant Restore capability"),
               "https://learn.microsoft.com/azure/backup/backup-instant-restore-capability")
FAQ = link(N_("Frequently asked questions - Back up Azure VMs"),
           "https://learn.microsoft.com/azure/backup/backup-azure-vm-backup-faq")
SECURITY = link(N_("Overview of security features in Azure Backup"),
                "https://learn.microsoft.com/azure/backup/security-overview"
                "#internet-connectivity-not-required-for-azure-vm-backup")
