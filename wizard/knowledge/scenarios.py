"""Titles of the shipped demo scenarios (resources/scenarios/*.json), marked for translation.

The JSON files keep their English `title` (scripts/make_scenarios.py takes it from here); the presenters show
it through the catalog with `scenario_title`, so a Japanese reader sees the demo banner in Japanese. A
recording of one's own keeps whatever title it was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from wizard.i18n import N_, Translator

TITLES: dict[str, str] = {
    "healthy-linux": N_("Healthy Linux VM (Ubuntu 22.04)"),
    "healthy-windows": N_("Healthy Windows VM (Windows Server 2022)"),
    "linux-firewall-drops-wireserver": N_("Linux: an iptables rule drops the Wire Server for root too"),
    "windows-agent-stopped": N_("Windows: the guest agent services are stopped"),
    "linux-not-root": N_("Linux: run without sudo"),
    "high-cpu": N_("Linux: CPU above 90 %"),
    "windows-vss-writer-failed-ja": N_("Japanese Windows: a VSS writer has failed"),
    "windows-volsnap-timeouts": N_("Windows: the disk was too busy for its shadow copies (volsnap)"),
    "linux-fsfreeze-failed": N_("Linux: fsfreeze failed (health code 121)"),
    "windows-proxy-no-bypass": N_("Windows: WinHTTP proxy without a bypass for 168.63.129.16"),
    "not-azure": N_("Not an Azure VM"),
}


def scenario_title(source: Mapping[str, object], t: Translator) -> str:
    """The replayed scenario's title in the reader's language (its file name when it has no title)."""
    title = str(source.get("title") or "")
    if title:
        return t.gettext(title)
    return Path(str(source.get("path") or "")).name
