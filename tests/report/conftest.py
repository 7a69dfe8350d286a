"""Fixtures of the report tests: one real headless Chromium for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_browser import Chromium, find_chromium


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """One real headless Chromium for the session. Missing Chromium is a failure, not a skip:
    CI installs Debian's `chromium` (see .ci/run)."""
    exe = find_chromium()
    if exe is None:
        pytest.fail("Chromium is not installed; the report must be checked in a real browser "
                    "(Debian: apt-get install chromium).")
    browser = Chromium(exe)
    try:
        yield browser
    finally:
        browser.close()
