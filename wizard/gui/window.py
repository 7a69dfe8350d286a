"""The wizard window: five pages with ids from `PageId`, the About and language buttons, and
a shutdown that always stops and waits for a run still going."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget, QWizard

from wizard import __version__
from wizard.checks.base import Check
from wizard.gui.icons import app_icon
from wizard.gui.pages import PageId
from wizard.gui.pages.base import BasePage
from wizard.gui.pages.diagnose import DiagnosePage
from wizard.gui.pages.results import ResultsPage
from wizard.gui.pages.save import SavePage
from wizard.gui.pages.symptom import SymptomPage
from wizard.gui.pages.welcome import WelcomePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session, log_file

log = logging.getLogger("wizard.gui")

DEFAULT_SIZE = QSize(1120, 680)
MINIMUM_SIZE = QSize(760, 520)
ABOUT_BUTTON = QWizard.WizardButton.CustomButton1
LANGUAGE_BUTTON = QWizard.WizardButton.CustomButton2


class BackupWizard(QWizard):
    """The whole step-by-step interface over one Session."""

    def __init__(self, session: Session, seams: Seams | None = None, checks: tuple[Check, ...] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.seams = seams or Seams()
        self.setObjectName("backupWizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.setOption(QWizard.WizardOption.HaveCustomButton1)
        self.setOption(QWizard.WizardOption.HaveCustomButton2)
        self.setButtonLayout([ABOUT_BUTTON, LANGUAGE_BUTTON, QWizard.WizardButton.Stretch,
                              QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                              QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton])
        self.customButtonClicked.connect(self._on_custom_button)
        self.setWindowIcon(app_icon())
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setSizeGripEnabled(True)
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(DEFAULT_SIZE)

        self.welcome_page = WelcomePage(session, self.seams)
        self.symptom_page = SymptomPage(session, self.seams)
        self.diagnose_page = DiagnosePage(session, self.seams, checks)
        self.results_page = ResultsPage(session, self.seams)
        self.save_page = SavePage(session, self.seams)
        for page_id, page in self.pages().items():
            self.setPage(page_id, page)
        self.setStartId(PageId.WELCOME)
        self.results_page.runAgainRequested.connect(self.run_again)
        session.languageChanged.connect(lambda _lang: self.retranslate())
        self.retranslate()

    def pages(self) -> dict[PageId, BasePage]:
        return {
            PageId.WELCOME: self.welcome_page,
            PageId.SYMPTOM: self.symptom_page,
            PageId.DIAGNOSE: self.diagnose_page,
            PageId.RESULTS: self.results_page,
            PageId.SAVE: self.save_page,
        }

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
        for page in self.pages().values():
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

    # -- flow ---------------------------------------------------------------------------
    def run_again(self) -> None:
        """From Results: back to the Diagnose page and start a fresh run."""
        if self.currentId() == PageId.RESULTS:
            self.back()
        self.diagnose_page.start()

    def shutdown(self) -> None:
        """Stop and wait for a run still going (called on every way out)."""
        self.diagnose_page.stop()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
