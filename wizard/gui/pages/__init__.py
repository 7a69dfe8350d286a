"""The wizard's pages, one job each, in order: Welcome, What did you see?, Diagnose, Results, Save."""

from __future__ import annotations

from enum import IntEnum


class PageId(IntEnum):
    """QWizard page ids, in the order the pages are shown."""

    WELCOME = 0
    SYMPTOM = 1
    DIAGNOSE = 2
    RESULTS = 3
    SAVE = 4
