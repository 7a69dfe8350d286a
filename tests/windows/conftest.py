"""Tests of the Windows probes on Windows itself; every test here is marked `windows` and skipped elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.windows("runs Windows' own commands, registry and services"))
