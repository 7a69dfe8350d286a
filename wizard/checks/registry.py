"""The explicit list of every check, in catalogue order (no directory scanning: the frozen
executable cannot see dynamic imports). A check's id prefix names its module."""

from __future__ import annotations

from wizard.checks import agent, env, ext, guest, res
from wizard.checks.base import Check
from wizard.checks.net import dhcp, firewall, imds, proxy, wireserver

ALL_CHECKS: tuple[Check, ...] = (
    *env.CHECKS,
    *wireserver.CHECKS,
    *imds.CHECKS,
    *proxy.CHECKS,
    *firewall.CHECKS,
    *dhcp.CHECKS,
    *agent.CHECKS,
    *guest.CHECKS,
    *ext.CHECKS,
    *res.CHECKS,
)


def by_id() -> dict[str, Check]:
    return {c.id: c for c in ALL_CHECKS}
