"""The Windows workflow can only run on GitHub; what can be checked here is checked here: it builds and
tests the executables build.spec makes, hands the console twin to the tests that read it, lints the spec
as .ci/run does, keeps its logs and both executables, and docs/windows.md lists what --smoke-test says
only a real VM can confirm."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from wizard import windows_unconfirmed

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")


def test_the_workflow_uses_the_executables_the_spec_builds() -> None:
    for name in ("VMBackupWizard.exe", "VMBackupWizard-cli.exe"):
        assert f"dist\\{name}" in WORKFLOW or f"dist/{name}" in WORKFLOW, name
    assert "pyinstaller --noconfirm --clean build.spec" in WORKFLOW
    assert re.search(r"VMBACKUP_CLI_EXE: dist\\VMBackupWizard-cli\.exe", WORKFLOW)
    exe_tests = (ROOT / "tests" / "windows" / "test_windows_exe.py").read_text(encoding="utf-8")
    assert 'os.environ.get("VMBACKUP_CLI_EXE")' in exe_tests


def test_the_workflow_runs_what_ci_runs_on_linux() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("ruff check wizard tests scripts benchmarks", "ruff check --extension spec:python build.spec"):
        assert command in WORKFLOW and command in ci, command
    assert "mypy --platform win32 wizard" in ci and "mypy wizard" in WORKFLOW
    assert "python -m pip install --require-hashes -r requirements/dev.txt" in WORKFLOW


def test_the_workflow_keeps_logs_and_executables_even_on_failure() -> None:
    uploads = WORKFLOW.split("actions/upload-artifact@v4")[1:]
    assert len(uploads) == 2
    assert "if: always()" in WORKFLOW.split("VMBackupWizard-windows-logs")[0].rsplit("- uses:", 1)[-1]
    assert "path: logs/" in uploads[0]
    assert "VMBackupWizard-cli.exe" in uploads[1] and "VMBackupWizard.exe" in uploads[1]
    for path in ("requirements/dev.txt", "build.spec", "tests/windows/test_windows_exe.py"):
        assert (ROOT / path).is_file(), path


def test_the_spec_lints_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--extension", "spec:python",
                          "build.spec"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_docs_list_every_item_the_smoke_test_calls_unconfirmed() -> None:
    docs = (ROOT / "docs" / "windows.md").read_text(encoding="utf-8")
    missing = [text for _, text in windows_unconfirmed.UNCONFIRMED if text not in docs]
    assert not missing, missing
