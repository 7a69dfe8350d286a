"""The command line: exit codes, the JSON document, usage errors, replay and record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard import __version__
from wizard.cli import main
from wizard.jsonio import diagnosis_from_json
from wizard.probes.fake import FakeSystem
from wizard.probes.scenario import RecordingProbe

AZURE_TAG = "7783-7084-3265-9085-8269-3286-77"


def _scenario(tmp_path: Path, fake: FakeSystem, name: str = "s.json") -> Path:
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS

    rec = RecordingProbe(fake)
    runner.run(ALL_CHECKS, rec)
    path = tmp_path / name
    path.write_text(rec.text(title="test"), encoding="utf-8")
    return path


def _azure_linux(**kw) -> FakeSystem:  # type: ignore[no-untyped-def]
    files = {"/sys/class/dmi/id/chassis_asset_tag": AZURE_TAG + "\n"}
    files.update(kw.pop("files", {}))
    return FakeSystem(files=files, **kw)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"vmbackup-wizard {__version__}"


def test_usage_errors_exit_3_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--no-such-option"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unrecognized arguments" in err[0]
    assert main(["--cli", "--only", "net.nope"]) == 3
    assert "unknown check id" in capsys.readouterr().err
    assert main(["--cli", "--imds", "nohost"]) == 3
    assert "HOST:PORT" in capsys.readouterr().err
    assert main(["--cli", "--wireserver-port", "70000"]) == 3


def test_missing_and_broken_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--scenario", str(tmp_path / "none.json")]) == 3
    assert "cannot read scenario" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["--cli", "--scenario", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "not a valid scenario" in err and "Traceback" not in err


def test_json_to_stdout_has_the_documented_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scenario(tmp_path, _azure_linux(is_admin=False, user="azureuser"))
    code = main(["--cli", "--lang", "ja", "--scenario", str(path), "--json", "-"])
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert doc["schema"] == 1
    assert doc["tool"] == {"name": "vmbackup-wizard", "version": __version__}
    assert doc["language"] == "ja"
    assert set(doc["host"]) >= {"hostname", "os", "os_version", "is_admin", "is_azure"}
    assert doc["host"]["is_admin"] is False
    assert doc["symptom"] is None
    first = doc["results"][0]
    assert set(first) >= {"id", "status", "component", "phase", "title", "summary", "why", "fix", "docs",
                          "error_codes", "evidence", "duration_s"}
    elev = next(r for r in doc["results"] if r["id"] == "env.elevation")
    assert elev["status"] == "warning" and "azureuser" in elev["summary"] and "root" in elev["summary"]
    assert elev["fix"][0]["command"] == "sudo vmbackup-wizard --cli"
    assert sum(doc["counts"].values()) == len(doc["results"])
    assert code == diagnosis_from_json(doc).exit_code()


def test_json_round_trips_to_the_same_diagnosis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scenario(tmp_path, _azure_linux())
    out = tmp_path / "d.json"
    main(["--cli", "--lang", "en", "--scenario", str(path), "--json", str(out)])
    capsys.readouterr()
    doc = json.loads(out.read_text(encoding="utf-8"))
    again = diagnosis_from_json(doc)
    from wizard.jsonio import diagnosis_to_json

    assert diagnosis_to_json(again, "en") == doc


def test_terminal_view_lists_every_check_and_a_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scenario(tmp_path, _azure_linux(is_admin=False, user="azureuser"))
    code = main(["--cli", "--lang", "en", "--scenario", str(path)])
    out = capsys.readouterr().out
    assert "Demo: replaying a recorded scenario" in out
    assert "Not running as root (user azureuser)" in out
    from wizard.elevation import sudo_command

    assert sudo_command() in out, "the real command that starts this wizard again as root"
    assert "Summary:" in out
    assert "\033[" not in out  # not a TTY: no colour
    assert code in (1, 2)


def test_unwritable_json_path_says_so_and_keeps_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _scenario(tmp_path, _azure_linux())
    target = tmp_path / "no" / "such" / "dir" / "out.json"
    assert main(["--cli", "--lang", "en", "--scenario", str(path), "--json", str(target)]) == 3
    cap = capsys.readouterr()
    assert "Could not write" in cap.err and "Traceback" not in cap.err
    assert "Summary:" in cap.out
    assert not target.parent.exists()


def test_record_writes_a_replayable_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _scenario(tmp_path, _azure_linux(), "src.json")
    rec = tmp_path / "rec.json"
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    main(["--cli", "--scenario", str(src), "--record", str(rec), "--json", str(a)])
    main(["--cli", "--scenario", str(rec), "--json", str(b)])
    capsys.readouterr()
    da, db = json.loads(a.read_text()), json.loads(b.read_text())
    assert [(r["id"], r["status"], r["summary"]) for r in da["results"]] == \
           [(r["id"], r["status"], r["summary"]) for r in db["results"]]


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-checks", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("env.azure") and "linux,windows" in line for line in lines)


def test_root_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--root", str(tmp_path / "missing")]) == 3
    assert "no such folder" in capsys.readouterr().err


def test_report_to_a_folder_uses_the_default_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--cli", "--lang", "ja", "--scenario", "linux-firewall-drops-wireserver", "--report", str(tmp_path)])
    out = capsys.readouterr().out
    written = list(tmp_path.glob("vmbackup-report_vm-ubuntu01_*.html"))
    assert code == 2 and len(written) == 1
    assert str(written[0]) in out
    html = written[0].read_text(encoding="utf-8")
    assert '<html lang="ja"' in html and "168.63.129.16" in html


def test_redact_masks_json_and_report_alike(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.html"
    main(["--cli", "--scenario", "healthy-windows", "--redact", "--report", str(report), "--json", "-"])
    doc = json.loads(capsys.readouterr().out)
    html = report.read_text(encoding="utf-8")
    for secret in ("vm-win01", "azureadmin", "rg-backup-demo"):
        assert secret not in json.dumps(doc, ensure_ascii=False)
        assert secret not in html
    assert doc["source"].get("redacted") is True


def test_unwritable_report_path_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "r.html"
    assert main(["--cli", "--lang", "en", "--scenario", "healthy-linux", "--report", str(target)]) == 3
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err and str(tmp_path / "missing") in cap.err
    assert not target.exists()


def test_no_display_falls_back_to_the_terminal_view(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--lang", "en", "--scenario", "healthy-linux"]) == 0
    cap = capsys.readouterr()
    assert "No display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Showing the terminal view instead." \
        in cap.err
    assert "Summary:" in cap.out
    # In Japanese the two sentences follow each other without a space
    assert main(["--lang", "ja", "--scenario", "healthy-linux"]) == 0
    err = capsys.readouterr().err
    assert "。" in err and "。 " not in err, err


@pytest.mark.posix("os.mkfifo")
def test_outputs_never_replace_a_device_or_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for option in ("--json", "--record", "--report", "--diagram"):
        assert main(["--cli", "--lang", "en", "--scenario", "healthy-linux", option, str(fifo)]) == 3
        err = capsys.readouterr().err
        assert "It is a pipe that nobody reads from." in err, option
        assert not fifo.is_file() and fifo.exists()


@pytest.mark.parametrize(("scenario", "only"), [("linux-firewall-drops-wireserver", None),
                                                ("healthy-windows", None), ("healthy-windows", "net.firewall,res.vss")])
def test_the_header_counts_the_checks_that_run_here(scenario: str, only: str | None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Not every check the wizard has: a Linux VM gets no Windows checks, and --only narrows them."""
    import json
    import re

    from wizard.checks.registry import ALL_CHECKS

    main(["--cli", "--scenario", scenario, *(["--only", only] if only else [])])
    said = re.search(r"checking (\d+) things", capsys.readouterr().out)
    main(["--cli", "--scenario", scenario, "--json", "-", *(["--only", only] if only else [])])
    ran = len(json.loads(capsys.readouterr().out)["results"])
    assert said is not None and int(said.group(1)) == ran
    assert ran == 2 if only else ran < len(ALL_CHECKS)
