"""The committed lock is the one every environment installs from: it must pin every dependency that
pyproject.toml names, at a version its range admits, with hashes, for Linux and Windows alike."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import lock  # noqa: E402


def test_the_lock_satisfies_pyproject(capsys) -> None:  # type: ignore[no-untyped-def]
    assert lock.check() == 0, capsys.readouterr().out


def test_every_pin_has_a_hash_and_windows_gets_its_own_packages() -> None:
    for path in (lock.DEV, lock.APP):
        entries: list[list[str]] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if not line.startswith(" "):
                entries.append([])
            entries[-1].append(line)
        assert len(entries) >= 5, path
        unhashed = [e[0] for e in entries if not any("--hash=sha256:" in line for line in e)]
        assert unhashed == [], path
        assert all("==" in e[0] for e in entries), path
    dev = lock.DEV.read_text(encoding="utf-8")
    assert "colorama==" in dev and "sys_platform == 'win32'" in dev  # pytest's Windows dependency


def test_the_runtime_lock_is_the_same_versions_as_the_full_one() -> None:
    dev, app = lock.pins(lock.DEV.read_text(encoding="utf-8")), lock.pins(lock.APP.read_text(encoding="utf-8"))
    assert app and all(dev[name] == version for name, version in app.items())
    assert "pytest" in dev and "pytest" not in app


def test_changes_are_described_one_by_one() -> None:
    assert lock.changes({"babel": "2.18.0", "old": "1"}, {"babel": "2.19.0", "new": "2"}) == [
        "babel 2.18.0 → 2.19.0", "new 2 (new)", "old 1 (removed)"]
