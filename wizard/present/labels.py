"""Translatable names of statuses, phases and components, shared by every presenter."""

from __future__ import annotations

from wizard.i18n import N_, Translator
from wizard.model import Component, Phase, Status

STATUS_LABELS: dict[Status, str] = {
    Status.PROBLEM: N_("Problem"),
    Status.WARNING: N_("Warning"),
    Status.ERROR: N_("Check failed"),
    Status.NOT_CHECKED: N_("Not checked"),
    Status.INFO: N_("Info"),
    Status.OK: N_("OK"),
}

PHASE_LABELS: dict[Phase, str] = {
    Phase.TAKE_SNAPSHOT: N_("Take Snapshot phase"),
    Phase.TRANSFER_TO_VAULT: N_("Transfer data to vault phase"),
}

COMPONENT_LABELS: dict[Component, str] = {
    Component.GUEST: N_("Guest OS"),
    Component.AGENT: N_("VM agent"),
    Component.EXTENSION: N_("Backup extension"),
    Component.NETWORK_PATH: N_("In-guest firewall and proxy"),
    Component.WIRESERVER: N_("Wire Server (168.63.129.16)"),
    Component.SNAPSHOT: N_("Snapshot"),
    Component.VAULT: N_("Recovery Services vault"),
}

# The instance metadata the wizard keeps (wizard/model.py HostInfo.imds keys), named as the portal names them.
IMDS_LABELS: dict[str, str] = {
    "vm_id": N_("VM ID"),
    "name": N_("VM name"),
    "resource_group": N_("Resource group"),
    "subscription_id": N_("Subscription ID"),
    "location": N_("Region"),
    "vm_size": N_("VM size"),
    "os_type": N_("OS type"),
    "publisher": N_("Image publisher"),
    "offer": N_("Image offer"),
    "sku": N_("Image SKU"),
    "zone": N_("Availability zone"),
    "security_type": N_("Security type"),
    "resource_id": N_("Resource ID"),
    "os_disk": N_("OS disk"),
    "data_disks": N_("Data disks"),
    "network": N_("Network interfaces"),
}


def imds_label(key: str, t: Translator) -> str:
    """The name of an instance-metadata field in `t`'s language; an unknown field keeps its key."""
    label = IMDS_LABELS.get(key)
    return t(label) if label else key


def status_label(s: Status, t: Translator) -> str:
    return t(STATUS_LABELS[s])


def phase_label(p: Phase, t: Translator) -> str:
    return t(PHASE_LABELS[p])


def component_label(c: Component, t: Translator) -> str:
    return t(COMPONENT_LABELS[c])
