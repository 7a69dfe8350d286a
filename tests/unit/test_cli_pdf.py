"""`--pdf FILE` on the command line: with --scenario, with --redact like --report, alone or beside --report
and --json; no browser, a failing browser or an unwritable place is one clear line (no traceback) and
nothing is lost. The browser is a stand-in here; tests/report/test_report_pdf.py prints with the real one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wizard.cli import build_parser, main
from wizard.fileio import write_output
from wizard.i18n import Translator
from wizard.report.pdf import PdfError

EN = Translator("en")
JA = Translator("ja")
SCENARIO = ["--cli", "--scenario", "linux-firewall-drops-wireserver"]


class Printer:
    """Stands for `html_to_pdf`: keeps the page it was given and writes a tiny PDF, or raises `error`."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.pages: list[str] = []

    def __call__(self, html: str, target: str | Path, **_kw: Any) -> str:
        self.pages.append(html)
        if self.error is not None:
            raise self.error
        return write_output(target, b"%PDF-1.7 stand-in")


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> Printer:
    p = Printer()
    monkeypatch.setattr("wizard.report.pdf.html_to_pdf", p)
    return p


def test_pdf_is_documented_in_help() -> None:
    text = build_parser().format_help()
    assert "--pdf PATH" in text and "verdict on page 1" in text


def test_pdf_alone_with_a_scenario(tmp_path: Path, printer: Printer, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "case.pdf"
    assert main([*SCENARIO, "--lang", "ja", "--pdf", str(target)]) == 2  # the scenario's problems, not a failure
    assert target.read_bytes() == b"%PDF-1.7 stand-in"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.pdf"]
    assert '<html lang="ja"' in printer.pages[0]
    assert JA("PDF written to {path}", path=str(target)) in capsys.readouterr().out


def test_pdf_beside_report_and_json_is_masked_like_them(tmp_path: Path, printer: Printer) -> None:
    pdf, report, js = tmp_path / "r.pdf", tmp_path / "r.html", tmp_path / "r.json"
    main([*SCENARIO, "--lang", "en", "--redact=support", "--pdf", str(pdf), "--report", str(report), "--json", str(js)])
    assert pdf.is_file() and report.is_file() and js.is_file()
    assert printer.pages[0] == report.read_text(encoding="utf-8"), "the PDF is the same report, masked the same"
    assert "vm-ubuntu01" in printer.pages[0], "support masking keeps the VM name"
    printer.pages.clear()
    main([*SCENARIO, "--lang", "en", "--redact=public", "--pdf", str(pdf)])
    assert "vm-ubuntu01" not in printer.pages[0] and "rg-backup-demo" not in printer.pages[0]


def test_pdf_to_a_folder_uses_the_default_name(tmp_path: Path, printer: Printer) -> None:
    main([*SCENARIO, "--pdf", str(tmp_path)])
    (made,) = tmp_path.iterdir()
    assert made.name.startswith("vmbackup-report_") and made.suffix == ".pdf"


def test_no_browser_writes_the_html_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "case.pdf"
    monkeypatch.setattr("wizard.report.pdf.html_to_pdf", Printer(PdfError(target, "no_browser")))
    assert main([*SCENARIO, "--lang", "en", "--pdf", str(target)]) == 3
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err
    assert "No web browser that can print a PDF was found" in err
    assert EN("Report written to {path}", path=str(tmp_path / "case.html")) in captured.out
    assert "print it to PDF" in err
    assert not target.exists()
    assert (tmp_path / "case.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")


def test_failed_pdf_with_report_keeps_the_report_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target, report = tmp_path / "case.pdf", tmp_path / "given.html"
    monkeypatch.setattr("wizard.report.pdf.html_to_pdf", Printer(PdfError(target, "timeout", seconds=90)))
    assert main([*SCENARIO, "--lang", "ja", "--pdf", str(target), "--report", str(report)]) == 3
    err = capsys.readouterr().err
    assert JA("The web browser did not finish the PDF within {seconds} seconds.", seconds="90") in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["given.html"]


def test_unwritable_pdf_place_is_one_line(tmp_path: Path, printer: Printer,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "case.pdf"
    assert main([*SCENARIO, "--lang", "en", "--pdf", str(target)]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"Could not write {target}. The folder does not exist." in err


def test_pdf_and_another_output_on_the_same_file_are_refused(tmp_path: Path, printer: Printer,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    same = str(tmp_path / "x")
    assert main([*SCENARIO, "--lang", "en", "--pdf", same, "--report", same]) == 3
    assert "--report and --pdf name the same file" in capsys.readouterr().err
    assert printer.pages == [] and list(tmp_path.iterdir()) == []


def test_pdf_is_refused_with_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--compare", "a.json", "b.json", "--pdf", str(tmp_path / "c.pdf")]) == 3
    assert "--pdf cannot be used with --compare" in capsys.readouterr().err
