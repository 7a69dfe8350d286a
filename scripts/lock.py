#!/usr/bin/env python3
"""Refresh the dependency lock on purpose: resolve, test the refreshed set, record what changed.

    python scripts/lock.py            # refresh requirements/*.txt, run the suite on them, log to CHANGELOG.md
    python scripts/lock.py --no-test  # refresh only (e.g. to look at the diff first)
    python scripts/lock.py --check    # exit 1 unless the lock satisfies pyproject.toml (no network)
    python scripts/lock.py --keep-pins  # add what pyproject.toml newly asks for, keeping every other pin

Two files, both resolved for CPython 3.11 on Linux *and* Windows (`uv pip compile --universal`),
every distribution with its SHA-256, so an install from them is the same everywhere and a new
release upstream changes nothing until this script is run:

- `requirements/dev.txt`: runtime + test + build dependencies and the build backend. `.ci/run`,
  the README's test command, the executable build and the Windows workflow install it with
  `pip install --require-hashes -r requirements/dev.txt` and then the project itself with
  `pip install --no-deps --no-build-isolation -e .`.
- `requirements/app.txt`: the runtime subset at the same versions (the README's run command).

`pyproject.toml` keeps compatible ranges for people who install the package into their own
environment. The refreshed set must pass the whole suite in a fresh virtual environment before
the new files replace the old ones; what changed is written under "Unreleased" in CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQ = ROOT / "requirements"
DEV = REQ / "dev.txt"
APP = REQ / "app.txt"
BACKEND = REQ / "backend.in"
CHANGELOG = ROOT / "CHANGELOG.md"
UV = "uv==0.13.9"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)
COMPILE = ["pip", "compile", "--universal", "--python-version", "3.11", "--generate-hashes", "--quiet",
           "--no-header", "--annotation-style", "line"]


def pins(text: str) -> dict[str, str]:
    """{normalised name: version} of a lock file's text."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


def _uv() -> list[str]:
    """uv from PATH, or a pinned uv installed into a temporary folder."""
    found = shutil.which("uv")
    if found:
        return [found]
    tools = Path(tempfile.mkdtemp(prefix="vmbackup-lock-uv-"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(tools), UV], check=True)
    exe = next(p for p in (tools / "bin" / "uv", tools / "bin" / "uv.exe") if p.exists())
    return [str(exe)]


def resolve(out_dev: Path, out_app: Path, keep_pins: bool = False) -> None:
    uv = _uv()
    if keep_pins:  # uv prefers the versions already in its output file
        shutil.copyfile(DEV, out_dev)
    subprocess.run([*uv, *COMPILE, "--extra", "test", "--extra", "build", "pyproject.toml", str(BACKEND.relative_to(ROOT)),
                    "-o", str(out_dev)], cwd=ROOT, check=True)
    # The runtime subset at exactly the versions of the full set.
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins(out_dev.read_text()).items())))
        subprocess.run([*uv, *COMPILE, "pyproject.toml", str(BACKEND.relative_to(ROOT)), "-c", str(constraints),
                        "-o", str(out_app)], cwd=ROOT, check=True)


def test_in_fresh_venv(lock: Path) -> int:
    """Install the refreshed set into a new virtual environment and run ruff, mypy and the suite there."""
    with tempfile.TemporaryDirectory(prefix="vmbackup-lock-venv-") as tmp:
        # the suite runs some probes as an unprivileged user with this interpreter: it must reach the venv
        os.chmod(tmp, 0o755)
        env_dir = Path(tmp) / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        py = str(env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python"))
        steps = [
            [py, "-m", "pip", "install", "-q", "--require-hashes", "-r", str(lock)],
            [py, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(ROOT)],
            [py, "-m", "ruff", "check", "wizard", "tests", "scripts", "benchmarks"],
            [py, "-m", "mypy", "wizard"],
            [py, "-m", "mypy", "--platform", "win32", "wizard"],
            [py, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        ]
        for step in steps:
            print("lock: " + " ".join(step[1:4]) + " ...", flush=True)
            rc = subprocess.run(step, cwd=ROOT).returncode
            if rc != 0:
                return rc
    return 0


def changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None:
            lines.append(f"{name} {after} (new)")
        elif after is None:
            lines.append(f"{name} {before} (removed)")
        else:
            lines.append(f"{name} {before} → {after}")
    return lines


def log_changes(lines: list[str], tested: bool = True) -> None:
    """Add one entry under "## [Unreleased]" → "### Changed" in CHANGELOG.md."""
    if not lines:
        return
    text = CHANGELOG.read_text(encoding="utf-8")
    how = "tested on the refreshed set" if tested else "the suite was run separately"
    entry = f"- Dependency lock refreshed ({how}): " + "; ".join(lines) + ".\n"
    head = "## [Unreleased]\n"
    at = text.find(head)
    if at < 0:
        raise SystemExit("CHANGELOG.md has no '## [Unreleased]' section")
    body_start = at + len(head)
    nxt = text.find("\n## [", body_start)
    section = text[body_start: nxt if nxt >= 0 else len(text)]
    if "### Changed\n" in section:
        pos = body_start + section.index("### Changed\n") + len("### Changed\n")
        text = text[:pos] + entry + text[pos:]
    else:
        text = text[:body_start] + "\n### Changed\n" + entry + text[body_start:]
    CHANGELOG.write_text(text, encoding="utf-8")


def check() -> int:
    """The lock pins every dependency pyproject names, at a version its range admits (no network)."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in ("test", "build"):
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    bad = []
    for name, lock in (("dev", DEV), ("app", APP)):
        pinned = pins(lock.read_text(encoding="utf-8"))
        scope = wanted if name == "dev" else [Requirement(r) for r in project["dependencies"]]
        for req in scope:
            key = re.sub(r"[-_.]+", "-", req.name).lower()
            version = pinned.get(key)
            if version is None or not req.specifier.contains(version, prereleases=True):
                bad.append(f"{lock.relative_to(ROOT)}: {req} is pinned at {version}")
    for line in bad:
        print(line)
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-test", action="store_true", help="do not run the suite on the refreshed set")
    ap.add_argument("--check", action="store_true", help="only check that the lock satisfies pyproject.toml")
    ap.add_argument("--keep-pins", action="store_true",
                    help="keep every current pin that still fits; only add or change what pyproject.toml asks")
    args = ap.parse_args(argv)
    if args.check:
        return check()
    old = pins(DEV.read_text(encoding="utf-8")) if DEV.exists() else {}
    before = {path: path.read_bytes() for path in (DEV, APP) if path.exists()}
    with tempfile.TemporaryDirectory(prefix="vmbackup-lock-") as tmp:
        new_dev, new_app = Path(tmp) / "dev.txt", Path(tmp) / "app.txt"
        resolve(new_dev, new_app, keep_pins=args.keep_pins)
        header = ("# Resolved by scripts/lock.py (uv pip compile --universal, CPython 3.11, Linux and Windows).\n"
                  "# Do not edit: change pyproject.toml and run `python scripts/lock.py`.\n")
        # In place while the suite runs: its own lock tests read these files (a dependency newly added to
        # pyproject.toml must be in them); put back as they were if the refreshed set fails.
        DEV.write_text(header + new_dev.read_text(encoding="utf-8"), encoding="utf-8")
        APP.write_text(header + new_app.read_text(encoding="utf-8"), encoding="utf-8")
        if not args.no_test:
            rc = test_in_fresh_venv(DEV)
            if rc != 0:
                for path in (DEV, APP):
                    if path in before:
                        path.write_bytes(before[path])
                    else:
                        path.unlink(missing_ok=True)
                print("lock: the refreshed set fails; the lock is unchanged", file=sys.stderr)
                return rc
    lines = changes(old, pins(DEV.read_text(encoding="utf-8")))
    log_changes(lines, tested=not args.no_test)
    print("lock: " + ("; ".join(lines) if lines else "nothing changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
