"""Official documentation linked from more than one check: one title per page, everywhere."""

from __future__ import annotations

from wizard.checks.base import doc_link

TS_VM = doc_link("Troubleshoot backup failures on Azure virtual machines",
            "https://learn.microsoft.com/azure/backup/backup-azure-vms-troubleshoot")
TS_AGENT = doc_link("Troubleshoot Azure Backup failure: Issues with the agent or extension",
               "https://learn.microsoft.com/azure/backup/backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout")
WIN_AGENT = doc_link("Troubleshoot Azure Windows VM Agent issues",
                "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/windows-azure-guest-agent")
LINUX_AGENT = doc_link("Troubleshoot the Azure Linux Agent",
                  "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/linux-azure-guest-agent")
IP_168 = doc_link("What is IP address 168.63.129.16?",
             "https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16")
IMDS = doc_link("Azure Instance Metadata Service",
           "https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service")
MATRIX = doc_link("Support matrix for Azure VM backups",
             "https://learn.microsoft.com/azure/backup/backup-support-matrix-iaas")
LINUX_APP = doc_link("Application-consistent backup of Azure Linux VMs",
                "https://learn.microsoft.com/azure/backup/backup-azure-linux-app-consistent")
