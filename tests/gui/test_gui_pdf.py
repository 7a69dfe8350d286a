"""The Save page's "Save as PDF": printed off the UI thread, the button held while it runs, the place said
afterwards; no browser falls back to Qt's simpler PDF; a failing browser or an unwritable place is
explained with nothing lost. The browser itself is faked here (tests/report/test_report_pdf.py runs the
real one)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from test_gui_report import save_page_of

from wizard.fileio import OutputError, write_output
from wizard.gui.pdfexport import Outcome
from wizard.i18n import Translator
from wizard.report.pdf import PdfError

EN = Translator("en")
JA = Translator("ja")


class FakeBrowser:
    """Stands for `html_to_pdf`: records the page and the thread, writes a small PDF or raises."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.pages: list[str] = []
        self.threads: list[threading.Thread] = []
        self.gate = threading.Event()
        self.gate.set()
        self.stopped = threading.Event()

    def __call__(self, html: str, target: Path, cancel: threading.Event) -> str:
        self.pages.append(html)
        self.threads.append(threading.current_thread())
        for _ in range(600):
            if self.gate.wait(0.05):
                break
            if cancel.is_set():  # what html_to_pdf does: kill the browser, say why
                self.stopped.set()
                raise PdfError(target, "cancelled")
        if self.error is not None:
            raise self.error
        return write_output(target, b"%PDF-1.4\n% fake\n")


def page_with(qtbot: Any, make_wizard: Any, browser: FakeBrowser, lang: str = "en") -> Any:
    window = save_page_of(qtbot, make_wizard, lang=lang)
    page = window.save_page
    page.pdf_export.convert = browser
    return page


def finished(qtbot: Any, page: Any) -> None:
    qtbot.waitUntil(lambda: page.pdf_button.isEnabled() and not page.pdf_export.busy(), timeout=15000)


def test_pdf_is_printed_off_the_ui_thread_and_its_place_said(qtbot: Any, make_wizard: Any, seams: Any,
                                                             tmp_path: Path) -> None:
    browser = FakeBrowser()
    browser.gate.clear()
    page = page_with(qtbot, make_wizard, browser)
    assert page.pdf_button.text() == EN("Save as &PDF…")
    seams.save_answers = [str(tmp_path / "case")]
    page.pdf_button.click()
    qtbot.waitUntil(lambda: bool(browser.threads), timeout=5000)
    assert browser.threads[0] is not threading.main_thread()
    assert not page.pdf_button.isEnabled(), "one PDF at a time"
    assert page.pdf_status.isVisibleTo(page) and "Making the PDF" in page.pdf_status.text()
    browser.gate.set()
    finished(qtbot, page)
    assert (tmp_path / "case.pdf").read_bytes().startswith(b"%PDF-")
    assert page.pdf_status.text() == EN("The PDF was saved to {path}.", path=str(tmp_path / "case.pdf"))
    caption, suggestion, filters = seams.named("save_file")[0]
    assert caption == EN("Save the report as PDF")
    assert suggestion.endswith(".pdf") and filters == EN("PDF (*.pdf)")
    # The page printed is the report in the report language, verdict and all.
    assert '<html lang="en"' in browser.pages[0] and 'id="verdict"' in browser.pages[0]
    assert seams.named("error") == []


def test_closing_the_wizard_stops_a_pdf_still_being_made(qtbot: Any, make_wizard: Any, seams: Any,
                                                         tmp_path: Path) -> None:
    browser = FakeBrowser()
    browser.gate.clear()  # the browser never finishes by itself
    page = page_with(qtbot, make_wizard, browser)
    seams.save_answers = [str(tmp_path / "case.pdf")]
    page.pdf_button.click()
    qtbot.waitUntil(lambda: bool(browser.threads), timeout=5000)
    page.window().done(0)  # every way out goes through done() or closeEvent(): both shut down
    assert browser.stopped.is_set(), "the browser was told to stop"
    assert not page.pdf_export.busy(), "the export ended before the wizard did"
    assert not (tmp_path / "case.pdf").exists()


def test_pdf_follows_the_report_language_and_masking(qtbot: Any, make_wizard: Any, seams: Any,
                                                     tmp_path: Path) -> None:
    browser = FakeBrowser()
    page = page_with(qtbot, make_wizard, browser, lang="ja")
    page.mask_check.setChecked(True)
    seams.save_answers = [str(tmp_path / "case.pdf")]
    page.pdf_button.click()
    finished(qtbot, page)
    html = browser.pages[0]
    assert '<html lang="ja"' in html
    assert "vm-ubuntu01" not in html and "rg-backup-demo" not in html
    assert page.pdf_status.text() == JA("The PDF was saved to {path}.", path=str(tmp_path / "case.pdf"))


def test_no_browser_falls_back_to_a_simpler_qt_pdf(qtbot: Any, make_wizard: Any, seams: Any,
                                                   tmp_path: Path) -> None:
    page = page_with(qtbot, make_wizard, FakeBrowser(PdfError(tmp_path / "case.pdf", "no_browser")))
    seams.save_answers = [str(tmp_path / "case.pdf")]
    page.pdf_button.click()
    finished(qtbot, page)
    data = (tmp_path / "case.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 2000
    assert "simpler layout" in page.pdf_status.text()
    assert seams.named("error") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.pdf"], "no temporary file left"


@pytest.mark.parametrize("error", [
    PdfError("x.pdf", "timeout", seconds=90),
    PdfError("x.pdf", "failed", error="exit status 21"),
    OutputError("x.pdf", "permission", "Permission denied"),
])
def test_failure_is_explained_with_nothing_lost(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path,
                                                error: Exception) -> None:
    page = page_with(qtbot, make_wizard, FakeBrowser(error))
    seams.save_answers = [str(tmp_path / "case.pdf")]
    page.pdf_button.click()
    finished(qtbot, page)
    ((title, text),) = seams.named("error")
    assert title == EN("Could not save the PDF")
    assert text.startswith(error.translated(EN))  # type: ignore[attr-defined]
    assert "print it to PDF from a web browser" in text
    assert page.pdf_status.text() == EN("The PDF was not saved.")
    assert not (tmp_path / "case.pdf").exists()


def test_cancelled_dialog_starts_nothing(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    browser = FakeBrowser()
    page = page_with(qtbot, make_wizard, browser)
    page.pdf_button.click()
    assert browser.pages == [] and not page.pdf_export.busy() and page.pdf_button.isEnabled()


def test_an_outcome_delivered_by_the_signal_is_shown(qtbot: Any, make_wizard: Any, tmp_path: Path) -> None:
    page = page_with(qtbot, make_wizard, FakeBrowser())
    page.pdf_export.finished.emit(Outcome(tmp_path / "a.pdf", "<p>x</p>", written=str(tmp_path / "a.pdf")))
    assert page.pdf_status.text() == EN("The PDF was saved to {path}.", path=str(tmp_path / "a.pdf"))
