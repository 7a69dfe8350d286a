"""Raw values the probes report (VSS writer states, service states, the VM's security type), as translatable
labels. The presenters show the label; the raw value stays in the evidence, which is never translated."""

from __future__ import annotations

from typing import Any

from wizard.i18n import N_
from wizard.model import Msg

# VSS_WRITER_STATE, all 16 values (Microsoft Learn: vswriter.h, VSS_WRITER_STATE enumeration)
VSS_STATES: dict[int, str] = {
    0: N_("unknown"),
    1: N_("stable"),
    2: N_("waiting for freeze"),
    3: N_("waiting for thaw"),
    4: N_("waiting for post-snapshot"),
    5: N_("waiting for backup complete"),
    6: N_("failed at identify"),
    7: N_("failed at prepare backup"),
    8: N_("failed at prepare snapshot"),
    9: N_("failed at freeze"),
    10: N_("failed at thaw"),
    11: N_("failed at post-snapshot"),
    12: N_("failed at backup complete"),
    13: N_("failed at pre-restore"),
    14: N_("failed at post-restore"),
    15: N_("failed at backup shutdown"),
}

SERVICE_STATES: dict[str, str] = {
    "running": N_("running"),
    "stopped": N_("stopped"),
    "start_pending": N_("starting"),
    "stop_pending": N_("stopping"),
    "paused": N_("paused"),
    "pause_pending": N_("pausing"),
    "continue_pending": N_("resuming"),
}

SECURITY_TYPES: dict[str, str] = {
    "TrustedLaunch": N_("Trusted launch"),
    "ConfidentialVM": N_("Confidential VM"),
    "Standard": N_("Standard"),
}


def _label(table: dict[Any, str], raw: object) -> Msg | str:
    """The translatable label of a known value; an unknown value as it is ("?" when there is none)."""
    label = table.get(raw)
    return Msg(label) if label else ("?" if raw is None or raw == "" else str(raw))


def vss_state(state: int | None) -> Msg | str:
    return _label(VSS_STATES, state)


def service_state(state: str | None) -> Msg | str:
    return _label(SERVICE_STATES, state)


def security_type(value: str | None) -> Msg | str:
    return _label(SECURITY_TYPES, value)
