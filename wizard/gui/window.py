"""The wizard window: five pages with ids from `PageId`, the About and language buttons, and
a shutdown that always stops and waits for a run still going.

Only the first page is built with the window; each other page is built (and its module imported) when it is
first needed: Next to it, or code that reaches it through its attribute (`window.results_page`). A
double-click of the one-file executable then shows the first page sooner (issue 12 item 8)."""

from __future__ import annotations

import functools
import itertools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QPushButton,
    QWidget,
    QWizard,
)

from wizard import __version__
from wizard.checks.base import Check
from wizard.gui.icons import app_icon
from wizard.gui.pages import PageId
from wizard.gui.pages.base import BasePage
from wizard.gui.pages.welcome import WelcomePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session, log_file
from wizard.gui.theme import accessible_palette
from wizard.gui.widgets.focus import FocusRing

if TYPE_CHECKING:
    from wizard.gui.pages.diagnose import DiagnosePage
    from wizard.gui.pages.results import ResultsPage
    from wizard.gui.pages.save import SavePage
    from wizard.gui.pages.symptom import SymptomPage
    from wizard.gui.widgets.compare import CompareDialog

log = logging.getLogger("wizard.gui")

DEFAULT_SIZE = QSize(1120, 680)
MINIMUM_SIZE = QSize(600, 400)
SCREEN_SHARE = 0.9
"""The window opens at most this share of the screen's available area (a remote session's 1024x768, a
laptop at 150 %), so every button is on the screen."""
COMPACT_WIDTH, COMPACT_HEIGHT = 900, 600
"""Below either, the pages use their compact layout (the Results list above the detail, a one-line verdict)."""


def _tab_stop(w: QWidget, page: QWidget) -> bool:
    if not (w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus) or w.focusProxy():
        return False
    parent = w.parentWidget()
    while parent is not None and parent is not page:  # parts of a compound control are not stops of their own
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return False
        parent = parent.parentWidget()
    return True


def _page_rect(w: QWidget, top: QWidget) -> QRect:
    """Where `w` is on the page as if nothing were scrolled."""
    x = y = 0
    cur: QWidget | None = w
    while cur is not None and cur is not top:
        parent = cur.parentWidget()
        area = parent.parentWidget() if parent is not None else None
        if not (isinstance(area, QAbstractScrollArea) and parent is area.viewport()):
            x, y = x + cur.x(), y + cur.y()
        cur = parent
    return QRect(x, y, w.width(), w.height())


def _reading_order(a: QRect, b: QRect) -> int:
    """Side by side (their heights overlap by half): left first; else the higher first."""
    overlap = min(a.bottom(), b.bottom()) - max(a.top(), b.top())
    if overlap * 2 >= min(a.height(), b.height()):
        return a.left() - b.left()
    return a.top() - b.top()


def fit_size(available: QSize) -> QSize:
    """The window's first size on a screen whose available area is `available` (logical pixels)."""
    width = min(DEFAULT_SIZE.width(), int(available.width() * SCREEN_SHARE))
    height = min(DEFAULT_SIZE.height(), int(available.height() * SCREEN_SHARE))
    return QSize(max(width, min(MINIMUM_SIZE.width(), available.width())),
                 max(height, min(MINIMUM_SIZE.height(), available.height())))
ABOUT_BUTTON = QWizard.WizardButton.CustomButton1
LANGUAGE_BUTTON = QWizard.WizardButton.CustomButton2


class BackupWizard(QWizard):
    """The whole step-by-step interface over one Session."""

    def __init__(self, session: Session, seams: Seams | None = None, checks: tuple[Check, ...] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        QApplication.setPalette(accessible_palette(QApplication.palette()))  # WCAG AA text, light or dark
        self.session = session
        self.seams = seams or Seams()
        self.setObjectName("backupWizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.setOption(QWizard.WizardOption.HaveCustomButton1)
        self.setOption(QWizard.WizardOption.HaveCustomButton2)
        self.setOption(QWizard.WizardOption.NoDefaultButton)  # the window sets it itself: see _make_default
        self.setButtonLayout([ABOUT_BUTTON, LANGUAGE_BUTTON, QWizard.WizardButton.Stretch,
                              QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                              QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton])
        self.customButtonClicked.connect(self._on_custom_button)
        self.setWindowIcon(app_icon())
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setSizeGripEnabled(True)
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(DEFAULT_SIZE)
        self.fit_to_screen = True
        """Fit the window to its screen when first shown (`--screenshots` keeps the default size instead)."""
        self._placed = False
        self.compact: bool | None = None

        self._checks = checks
        self._built: dict[PageId, BasePage] = {}
        self._prefill: tuple[str | None, str | None] = (None, None)
        self.welcome_page = WelcomePage(session, self.seams)
        self._add_page(PageId.WELCOME, self.welcome_page)
        self.setStartId(PageId.WELCOME)
        self.welcome_page.openLastRequested.connect(self.open_kept)
        self.compare_dialog: CompareDialog | None = None
        self.currentIdChanged.connect(self._on_page)
        session.languageChanged.connect(lambda _lang: self.retranslate())
        self._order_buttons()
        self.focus_ring = FocusRing(self, fixed=self.buttons())
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.save_report_now)
        self.retranslate()

    # -- pages, each built when first needed ---------------------------------------------
    def pages(self) -> dict[PageId, BasePage]:
        """Every page (building those not built yet), in order."""
        return {page_id: self.page_for(page_id) for page_id in PageId}

    def built_pages(self) -> list[BasePage]:
        """The pages built so far (the others get the language and layout when they are built)."""
        return list(self._built.values())

    def _add_page(self, page_id: PageId, page: BasePage) -> None:
        self._built[page_id] = page
        self.setPage(page_id, page)
        page.completeChanged.connect(self._make_default)  # Qt drops a default that was disabled

    def page_for(self, page_id: PageId) -> BasePage:
        """The page `page_id`, built now if it was not yet."""
        page = self._built.get(page_id)
        if page is not None:
            return page
        page = self._build(page_id)
        if self.compact is not None:
            page.set_compact(self.compact)
        page.retranslate()
        self._add_page(page_id, page)
        return page

    def _build(self, page_id: PageId) -> BasePage:
        if page_id == PageId.SYMPTOM:
            from wizard.gui.pages.symptom import SymptomPage

            symptom = SymptomPage(self.session, self.seams)
            symptom.prefill(*self._prefill)
            return symptom
        if page_id == PageId.DIAGNOSE:
            from wizard.gui.pages.diagnose import DiagnosePage

            return DiagnosePage(self.session, self.seams, self._checks)
        if page_id == PageId.RESULTS:
            from wizard.gui.pages.results import ResultsPage

            results = ResultsPage(self.session, self.seams)
            results.runAgainRequested.connect(self.run_again)
            results.compareRequested.connect(self.compare_with)
            return results
        if page_id == PageId.SAVE:
            from wizard.gui.pages.save import SavePage

            return SavePage(self.session, self.seams)
        raise ValueError(page_id)

    @property
    def symptom_page(self) -> SymptomPage:
        return cast("SymptomPage", self.page_for(PageId.SYMPTOM))

    @property
    def diagnose_page(self) -> DiagnosePage:
        return cast("DiagnosePage", self.page_for(PageId.DIAGNOSE))

    @property
    def results_page(self) -> ResultsPage:
        return cast("ResultsPage", self.page_for(PageId.RESULTS))

    @property
    def save_page(self) -> SavePage:
        return cast("SavePage", self.page_for(PageId.SAVE))

    def prefill(self, error_text: str | None, phase: str | None) -> None:
        """What the command line named (`--error-code`, `--phase`), for the Symptom page when it is built."""
        self._prefill = (error_text, phase)
        page = self._built.get(PageId.SYMPTOM)
        if page is not None:
            cast("SymptomPage", page).prefill(error_text, phase)

    def nextId(self) -> int:
        """The page after the current one in `PageId` order (built or not); -1 on the last."""
        current = self.currentId()
        return current + 1 if PageId.WELCOME <= current < PageId.SAVE else -1

    def validateCurrentPage(self) -> bool:
        """Qt asks this before it goes on (Next): the next page is built here, the first time."""
        if not super().validateCurrentPage():
            return False
        following = self.nextId()
        if following != -1:
            self.page_for(PageId(following))
        return True

    # -- language and text --------------------------------------------------------------
    def retranslate(self) -> None:
        t = self.session.t
        self.setWindowTitle(t("VM Backup Wizard"))
        self.setButtonText(QWizard.WizardButton.BackButton, t("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, t("&Next >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, t("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, t("&Close"))
        self.setButtonText(ABOUT_BUTTON, t("&About"))
        other = "en" if self.session.lang == "ja" else "ja"
        self.setButtonText(LANGUAGE_BUTTON, "English (&L)" if other == "en" else "日本語 (&L)")
        language = self.button(LANGUAGE_BUTTON)
        language.setAccessibleName(t("Switch the language"))
        language.setToolTip(t("Switch the language"))
        closing = t("Close the wizard. If the report has not been saved, you are asked first.")
        for which, text in ((QWizard.WizardButton.BackButton, t("Back to the previous page. Nothing is lost.")),
                            (QWizard.WizardButton.NextButton, t("On to the next page.")),
                            (QWizard.WizardButton.FinishButton, closing),
                            (QWizard.WizardButton.CancelButton, closing),
                            (ABOUT_BUTTON, t("The version, and where the log file is."))):
            self.button(which).setAccessibleDescription(text)
        for page in self.built_pages():
            page.retranslate()

    def _on_custom_button(self, which: int) -> None:
        if which == ABOUT_BUTTON.value:
            self.show_about()
        elif which == LANGUAGE_BUTTON.value:
            self.session.set_language("en" if self.session.lang == "ja" else "ja")

    def show_about(self) -> None:
        t = self.session.t
        text = "\n\n".join([
            t("VM Backup Wizard {version}", version=__version__),
            t("Finds out, from inside an Azure VM, why Azure VM Backup fails, and explains it in Japanese or "
              "English. It changes nothing on the VM."),
            t("Log file: {path}", path=str(log_file())),
        ])
        self.seams.about(self, t("About VM Backup Wizard"), text)

    # -- size and keyboard -------------------------------------------------------------------
    def _order_buttons(self) -> None:
        """Tab order of the buttons at the bottom in reading order: About, language, Back, Next, Finish, Close."""
        order = self.buttons()
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def buttons(self) -> list[QAbstractButton]:
        """The buttons at the bottom of the window, in tab order."""
        return [self.button(b) for b in (ABOUT_BUTTON, LANGUAGE_BUTTON, QWizard.WizardButton.BackButton,
                                         QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
                                         QWizard.WizardButton.CancelButton)]

    def tab_chain(self) -> list[QWidget]:
        """The controls Tab visits, in reading order: the page's, top to bottom and left to right (controls
        made later, such as the detail's Copy buttons, included), then the buttons at the bottom."""
        page = self.currentPage()
        found = [w for w in page.findChildren(QWidget) if _tab_stop(w, page)] if page is not None else []
        found.sort(key=functools.cmp_to_key(lambda a, b: _reading_order(_page_rect(a, page), _page_rect(b, page))))
        return found + [b for b in self.buttons() if b.isVisible()]

    def reorder_focus(self) -> None:
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Before Tab or Shift+Tab moves the focus (Qt passes it up from the focused control to the window),
        the chain is put in reading order (pages rebuild parts of themselves). No application-wide event filter:
        one would run Python for every event, from the first page on."""
        self.reorder_focus()
        return super().focusNextPrevChild(next)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._placed and self.fit_to_screen:
            self._placed = True
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is not None:
                area = screen.availableGeometry()
                size = fit_size(area.size())
                self.resize(size)
                self.move(area.x() + (area.width() - size.width()) // 2,
                          area.y() + (area.height() - size.height()) // 2)
        super().showEvent(event)
        self._make_default()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        compact = self.width() < COMPACT_WIDTH or self.height() < COMPACT_HEIGHT
        if compact != self.compact:
            self.compact = compact
            for page in self.built_pages():
                page.set_compact(compact)

    def _make_default(self) -> None:
        """Next is the default button (Enter) on every page; Finish on the last."""
        next_button = self.button(QWizard.WizardButton.NextButton)
        finish = self.button(QWizard.WizardButton.FinishButton)
        last = self.currentId() == PageId.SAVE
        for b in self.buttons():
            if isinstance(b, QPushButton):
                b.setDefault(False)
                b.setAutoDefault(False)
        target = finish if last else next_button
        if isinstance(target, QPushButton):
            target.setDefault(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc never throws the results away: on Results and Save it does nothing."""
        if event.key() == Qt.Key.Key_Escape and self.currentId() in (PageId.RESULTS, PageId.SAVE):
            event.accept()
            return
        super().keyPressEvent(event)

    # -- flow ---------------------------------------------------------------------------
    def _on_page(self, page_id: int) -> None:
        if page_id == PageId.RESULTS:
            self.session.keep()
        elif page_id == PageId.WELCOME and self.session.opened is not None:
            self.session.set_diagnosis(None)  # back from a kept diagnosis: start afresh
        self._make_default()
        page = self.currentPage()
        if isinstance(page, BasePage):
            page.banner.show_text(self.session.banner_text())
            page.focus_first()

    def open_kept(self, path: Path | None = None) -> bool:
        """Show a kept diagnosis (the newest by default) on the Results page; says why when it cannot."""
        from wizard import autosave
        from wizard.present.compare import CompareInputError

        t = self.session.t
        path = path or autosave.last()
        if path is None:
            self.seams.information(self, t("VM Backup Wizard"), t("No earlier diagnosis was kept yet."))
            return False
        try:
            diag = autosave.load(path)
        except CompareInputError as exc:
            log.warning("could not open the kept diagnosis: %s", exc)
            self.seams.error(self, t("Could not open the diagnosis"),
                             t("The diagnosis in {path} could not be read ({error}).", path=str(path), error=str(exc)))
            return False
        self._stop_run()
        self.session.open_diagnosis(diag, path)
        self.symptom_page.show_input()
        while self.currentId() != PageId.RESULTS:
            self.next()
        return True

    def run_again(self) -> None:
        """From Results: back to the Diagnose page and start a fresh run."""
        if self.session.opened is not None:  # a kept diagnosis: run on this machine from the start
            self.session.set_diagnosis(None)
            self.restart()
            while self.currentId() != PageId.DIAGNOSE:
                self.next()
            return
        if self.currentId() == PageId.RESULTS:
            self.back()
        self.diagnose_page.start()

    def compare_with(self, path: Path | None = None) -> CompareDialog | None:
        """Compare this diagnosis with an earlier one: `path`, else the newest kept before this one, else one
        the user chooses. The comparison is the core's (`wizard.present.compare`); the dialog only shows it."""
        from wizard import autosave
        from wizard.present.compare import CompareInputError, compare

        t = self.session.t
        after = self.session.diagnosis
        if after is None:
            return None
        self.session.keep()
        before_path = path or autosave.last(exclude=self.session.kept)
        if before_path is None:
            before_path = self._choose_before()
            if before_path is None:
                return None
        try:
            before = autosave.load(before_path)
        except CompareInputError as exc:
            log.warning("could not compare: %s", exc)
            self.seams.error(self, t("Could not open the diagnosis"),
                             t("The diagnosis in {path} could not be read ({error}).", path=str(before_path),
                               error=str(exc)))
            return None
        from wizard.gui.widgets.compare import CompareDialog

        if self.compare_dialog is not None:
            self.compare_dialog.close()
            self.compare_dialog.deleteLater()
        dialog = CompareDialog(compare(before, after, self.session.lang), str(before_path), t, self)
        dialog.chooseAnother.connect(self._compare_another)
        self.compare_dialog = dialog
        dialog.open()
        return dialog

    def _choose_before(self) -> Path | None:
        from wizard import autosave

        t = self.session.t
        chosen = self.seams.open_file(self, t("Choose the earlier diagnosis"), str(autosave.folder()),
                                      t("Diagnoses and reports (*.json *.html *.htm);;All files (*)"))
        return Path(chosen) if chosen else None

    def _compare_another(self) -> None:
        chosen = self._choose_before()
        if chosen is not None:
            self.compare_with(chosen)

    def save_report_now(self) -> None:
        """Ctrl+S on Results or Save: to the Save page, and save the report (the save dialog asks where)."""
        if self.currentId() == PageId.RESULTS:
            self.next()
        if self.currentId() == PageId.SAVE:
            self.save_page.save_report()

    def confirm_close(self) -> bool:
        """True when the window may close: nothing unsaved, or the user said to close anyway."""
        if not self.session.unsaved:
            return True
        t = self.session.t
        kept = self.session.kept
        text = t.sentences([t("The report has not been saved."), (
            t("The diagnosis itself is kept in {path}; the first page can open it again.", path=str(kept))
            if kept is not None else t("The diagnosis will be lost."))])
        return self.seams.ask(self, t("Close VM Backup Wizard?"), text, t("Close without saving"), t("Go back"))

    def reject(self) -> None:
        if self.confirm_close():
            super().reject()

    def accept(self) -> None:
        if self.confirm_close():
            super().accept()

    def shutdown(self) -> None:
        """Stop and wait for a run or a PDF export still going (called on every way out)."""
        self._stop_run()
        save = self._built.get(PageId.SAVE)
        if save is not None:
            cast("SavePage", save).pdf_export.cancel()

    def _stop_run(self) -> None:
        page = self._built.get(PageId.DIAGNOSE)
        if page is not None:  # never built: no run to stop
            cast("DiagnosePage", page).stop()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)  # QDialog asks reject(), which asks the user when the report is unsaved
        if event.isAccepted():
            self.shutdown()
