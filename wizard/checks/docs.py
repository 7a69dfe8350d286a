"""Official documentation linked from more than one check: one title per page, everywhere (the pages
themselves are defined once, in `wizard.knowledge.links`)."""

from __future__ import annotations

from wizard.knowledge.links import IMDS, IP_168, LINUX_AGENT, LINUX_APP, MATRIX, TS_AGENT, TS_VM, WIN_AGENT

__all__ = ["IMDS", "IP_168", "LINUX_AGENT", "LINUX_APP", "MATRIX", "TS_AGENT", "TS_VM", "WIN_AGENT"]
