"""VM Backup Wizard: finds out, from inside an Azure VM, why Azure VM Backup fails."""

__version__ = "0.1.0"
TOOL_NAME = "vmbackup-wizard"
