"""The portal error-code catalogue: what each Azure VM Backup error code means and what to do.

Content is data: one `ErrorCode` per code (spelling variants and numeric ids are aliases),
with the message the portal shows, a plain-words meaning, whether it can be fixed from inside
the VM, the check ids (design §4) that detect its causes, fix steps with exact commands, and
official documentation links. Every sentence is an English msgid marked with `N_()` and
translated at display time. Sources: the error-code table of the facts file (§8) and the
Linux pre/post script error table of "Application-consistent backup of Azure Linux VMs".
"""

from __future__ import annotations

from wizard.i18n import Translator
from wizard.knowledge.errorcodes import agent_network, scripts, snapshot
from wizard.knowledge.errorcodes.model import ErrorCode
from wizard.knowledge.errorcodes.steps import (
    DOC_168,
    DOC_INTRO,
    DOC_LINUX_APP,
    DOC_MATRIX,
    DOC_TS_AGENT,
    DOC_TS_VM,
    step_family,
    step_platform,
)

CATALOGUE: tuple[ErrorCode, ...] = (*agent_network.ENTRIES, *snapshot.ENTRIES, *scripts.ENTRIES)
"""Every known code, in the order the facts file lists them."""

_BY_NAME: dict[str, ErrorCode] = {name.lower(): e for e in CATALOGUE for name in e.names}

__all__ = ["CATALOGUE", "DOC_168", "DOC_INTRO", "DOC_LINUX_APP", "DOC_MATRIX", "DOC_TS_AGENT", "DOC_TS_VM",
           "ErrorCode", "all_names", "list_error_codes", "lookup", "step_family", "step_platform"]


def lookup(code: str) -> ErrorCode | None:
    """The entry whose code or alias is exactly `code` (case-insensitive), or None."""
    return _BY_NAME.get(code.strip().lower()) if code else None


def all_names() -> dict[str, ErrorCode]:
    """Every code and alias, lower-cased, with its entry."""
    return dict(_BY_NAME)


def list_error_codes(translator: Translator) -> list[tuple[str, str]]:
    """(code, translated portal message) for every entry, in catalogue order (`--list-error-codes`)."""
    return [(e.code, translator.msg(e.title)) for e in CATALOGUE]
