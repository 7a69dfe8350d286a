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


def _fake_lock(tmp: Path, monkeypatch, rc: int) -> list[str]:  # type: ignore[no-untyped-def]
    dev, app, changelog = tmp / "dev.txt", tmp / "app.txt", tmp / "CHANGELOG.md"
    dev.write_text("babel==2.18.0 \\\n    --hash=sha256:aa\n", encoding="utf-8")
    app.write_text("old app\n", encoding="utf-8")
    changelog.write_text("# Changelog\n\n## [Unreleased]\n\n## [1.0.0]\n", encoding="utf-8")
    monkeypatch.setattr(lock, "DEV", dev)
    monkeypatch.setattr(lock, "APP", app)
    monkeypatch.setattr(lock, "CHANGELOG", changelog)

    def resolve(out_dev: Path, out_app: Path, keep_pins: bool = False) -> None:
        assert keep_pins
        out_dev.write_text("babel==2.18.0 \\\n    --hash=sha256:aa\nzstandard==0.25.0 \\\n    --hash=sha256:bb\n",
                           encoding="utf-8")
        out_app.write_text("new app\n", encoding="utf-8")

    seen: list[str] = []

    def test_in_fresh_venv(lock_file: Path) -> int:
        seen.append(dev.read_text(encoding="utf-8"))  # what the suite's own lock tests would read
        assert lock_file == dev
        return rc

    monkeypatch.setattr(lock, "resolve", resolve)
    monkeypatch.setattr(lock, "test_in_fresh_venv", test_in_fresh_venv)
    return seen


def test_keep_pins_tests_the_new_lock_in_place_and_puts_the_old_back_if_it_fails(tmp_path: Path,
                                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen = _fake_lock(tmp_path, monkeypatch, rc=1)
    before = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert lock.main(["--keep-pins"]) == 1
    assert "zstandard==0.25.0" in seen[0]
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == before


def test_keep_pins_keeps_the_new_lock_and_logs_what_changed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _fake_lock(tmp_path, monkeypatch, rc=0)
    assert lock.main(["--keep-pins"]) == 0
    dev = (tmp_path / "dev.txt").read_text(encoding="utf-8")
    assert dev.startswith("# Resolved by scripts/lock.py") and "zstandard==0.25.0" in dev
    assert (tmp_path / "app.txt").read_text(encoding="utf-8").endswith("new app\n")
    assert "- Dependency lock refreshed (tested on the refreshed set): zstandard 0.25.0 (new).\n" in (
        tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
