"""The Save page's "Save as PDF": the report printed to PDF off the UI thread, with feedback.

The printing itself is the core's `wizard.report.pdf.html_to_pdf` (a headless Edge, Chrome or Chromium,
bytes written through the one writer). It runs on a worker thread, since a cold browser start takes
seconds; the outcome comes back to the UI thread through a queued signal. Only when no browser is
installed does the wizard fall back to Qt's own `QTextDocument` printed into `QPdfWriter` (a simpler
layout: no diagram, fewer styles), and says so. Nothing is lost when no PDF can be made: the message
points to the HTML report, which any browser prints.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QBuffer, QIODevice, QObject, Signal
from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QWidget

from wizard.fileio import OutputError, write_output
from wizard.gui.seams import Seams
from wizard.gui.session import Session
from wizard.i18n import Translator
from wizard.model import Diagnosis

log = logging.getLogger("wizard.gui")

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_TOC = re.compile(r'<nav class="toc".*?</nav>', re.DOTALL)
_VERDICT = re.compile(r'<section id="verdict".*?</section>', re.DOTALL)
_CASE = '<section id="case"'


def simple_page(html: str) -> str:
    """Our report page as Qt's rich-text engine can print it: no script, no contents list (no links on
    paper), and the verdict moved before the case details so it is on page 1 (QTextDocument ignores the
    print stylesheet that does this in a browser)."""
    html = _TOC.sub("", _SCRIPT.sub("", html))
    verdict = _VERDICT.search(html)
    if verdict and _CASE in html[:verdict.start()]:
        html = html[:verdict.start()] + html[verdict.end():]
        at = html.index(_CASE)
        html = html[:at] + verdict.group(0) + html[at:]
    return html


class SavePage(Protocol):
    """What of the Save page (wizard.gui.pages.save) the export uses; a protocol, so this module does not
    import the page that imports it."""

    session: Session
    seams: Seams
    report_box: QGroupBox
    pdf_button: QPushButton
    pdf_status: QLabel
    pdf_export: PdfExport
    _report_folder: Path | None

    @property
    def t(self) -> Translator: ...

    def window(self) -> QWidget: ...

    def shared_diagnosis(self) -> Diagnosis | None: ...

    def report_language(self) -> str: ...

    def _failed(self, title: str, exc: BaseException) -> None: ...

    def _note(self, lab: QLabel, note: Callable[[Translator], str] | None) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """How one export ended: the path written, or the error (a PdfError, an OutputError or a bug)."""

    target: Path
    html: str
    written: str | None = None
    error: BaseException | None = None


class PdfExport(QObject):
    """Runs `convert(html, target)` on a thread of its own; `finished` carries the Outcome to the UI thread."""

    finished = Signal(object)

    def __init__(self, parent: QObject | None = None,
                 convert: Callable[[str, Path, threading.Event], str] | None = None) -> None:
        super().__init__(parent)
        self.convert = convert or _browser_pdf
        self._thread: threading.Thread | None = None
        self.cancelled = threading.Event()  # set when the wizard closes: the browser is stopped, not orphaned

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, html: str, target: Path) -> None:
        self.cancelled.clear()
        self._thread = threading.Thread(target=self._work, args=(html, target), name="pdf-export", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def cancel(self, wait: float = 15.0) -> None:
        """Stop an export still running (the wizard is closing) and wait until its browser and private folder
        are gone, so nothing outlives the wizard."""
        if self.busy():
            self.cancelled.set()
            self.wait(wait)

    def _work(self, html: str, target: Path) -> None:
        from wizard.report.pdf import PdfError

        try:
            outcome = Outcome(target, html, written=self.convert(html, target, self.cancelled))
        except Exception as exc:  # PdfError, OutputError, or a bug: the UI thread words it
            if not isinstance(exc, (PdfError, OutputError)):
                log.exception("the PDF export failed")
            outcome = Outcome(target, html, error=exc)
        try:
            self.finished.emit(outcome)
        except RuntimeError:  # the page went away meanwhile
            log.info("PDF export finished after its page was closed")


def _browser_pdf(html: str, target: Path, cancel: threading.Event) -> str:
    """The core's browser print (imported when first used: the report modules are not needed at start-up)."""
    from wizard.report.pdf import html_to_pdf

    return html_to_pdf(html, target, cancel=cancel)


def qt_pdf(html: str, target: str | Path) -> str:
    """The last resort without a browser: Qt's rich-text engine prints the page into a PDF in memory, and
    the bytes go through the one writer. Must run on the UI thread."""
    doc = QTextDocument()
    doc.setHtml(simple_page(html))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setTitle("VM Backup Wizard")
    doc.print_(writer)
    del writer  # finishes the PDF
    buffer.close()
    return write_output(target, bytes(buffer.data().data()))


def add_pdf_button(page: SavePage) -> tuple[QPushButton, QLabel]:
    """The button (its text is set by `retranslate_pdf`) and its status line; the export lives on the page."""
    from wizard.gui.widgets.text import label

    button = QPushButton(page.report_box)
    status = label(selectable=True)
    status.hide()
    export = PdfExport(page.report_box)
    export.finished.connect(lambda outcome: finish_pdf(page, outcome))
    page.pdf_export = export
    button.clicked.connect(lambda: save_pdf(page))
    return button, status


def retranslate_pdf(page: SavePage) -> None:
    t = page.t
    page.pdf_button.setText(t("Save as &PDF…"))
    page.pdf_button.setToolTip(t("The same report as a PDF, with the verdict on page 1. A web browser on this "
                                 "computer prints it; this takes a few seconds."))


def save_pdf(page: SavePage) -> None:
    """Ask where, render the report in its language (masked when masking is on), print it off the UI thread."""
    from wizard.report import default_report_path, render_report

    if page.session.diagnosis is None or page.pdf_export.busy():
        return
    t = page.t
    try:
        diag = page.shared_diagnosis()
        assert diag is not None
        default = default_report_path(diag).with_suffix(".pdf")
        html = render_report(diag, page.report_language())
    except Exception as exc:
        page._failed(t("Could not make the PDF"), exc)
        return
    folder = page._report_folder
    suggestion = str(folder / default.name if folder is not None else default)
    chosen = page.seams.save_file(page.window(), t("Save the report as PDF"), suggestion, t("PDF (*.pdf)"))
    if not chosen:
        return
    target = Path(chosen)
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    page.pdf_button.setEnabled(False)
    page._note(page.pdf_status, lambda t: t("Making the PDF… A web browser prints it in the background."))
    log.info("printing the report to PDF at %s", target)
    page.pdf_export.start(html, target)


def finish_pdf(page: SavePage, outcome: Outcome) -> None:
    """Back on the UI thread: say where the PDF is, or why there is none (and fall back when no browser)."""
    from wizard.report.pdf import PdfError

    page.pdf_button.setEnabled(True)
    t = page.t
    error, written = outcome.error, outcome.written
    simple = False
    if isinstance(error, PdfError) and error.reason == "no_browser":
        log.info("no browser for the PDF; Qt prints it in a simpler layout")
        try:
            written, error, simple = qt_pdf(outcome.html, outcome.target), None, True
        except Exception as exc:  # OutputError, or a Qt failure
            error = exc
    if error is None and written is not None:
        where = str(written)
        page._report_folder = Path(where).parent
        if simple:
            page._note(page.pdf_status, lambda t: t(
                "The PDF was saved to {path}. No web browser was found, so it has a simpler layout; for the full "
                "one, save the HTML report and print it to PDF from a web browser.", path=where))
        else:
            page._note(page.pdf_status, lambda t: t("The PDF was saved to {path}.", path=where))
        return
    page._note(page.pdf_status, lambda t: t("The PDF was not saved."))
    if isinstance(error, (PdfError, OutputError)):
        hint = t("Nothing was lost: save the HTML report and print it to PDF from a web browser.")
        page.seams.error(page.window(), t("Could not save the PDF"), t.sentences([error.translated(t), hint]))
    elif error is not None:
        page._failed(t("Could not make the PDF"), error)
