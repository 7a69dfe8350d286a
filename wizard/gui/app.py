"""Starting the wizard: the QApplication, Qt's own Japanese translations, the app icon, plain
error messages instead of tracebacks, `--screenshots DIR`, and the launch marker the benchmark
waits for (`VMBACKUP_WIZARD_EXIT_AFTER_SHOW=1`)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QEventLoop, QLibraryInfo, QObject, Qt, QTimer, QTranslator
from PySide6.QtGui import QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication

from wizard import TOOL_NAME, __version__
from wizard.gui.icons import app_icon
from wizard.gui.pages import PageId
from wizard.gui.seams import Seams
from wizard.gui.session import Session, log_file
from wizard.gui.window import BackupWizard
from wizard.i18n import Translator
from wizard.launch import EXIT_TOOL_FAILED

log = logging.getLogger("wizard.gui")

EXIT_AFTER_SHOW_ENV = "VMBACKUP_WIZARD_EXIT_AFTER_SHOW"
SHOWN_MARKER = "vmbackup-wizard: first page shown"
TOUR_PAGES = ("welcome", "symptom", "diagnose", "results", "diagram", "save")


class QtTranslations:
    """Qt's own strings (standard buttons, context menus) in Japanese when the wizard is."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.translator: QTranslator | None = None

    def unload(self) -> None:
        if self.translator is not None:
            self.app.removeTranslator(self.translator)
            self.translator = None

    def load(self, lang: str) -> bool:
        self.unload()
        if lang != "ja":
            return False
        translator = QTranslator(self.app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if not translator.load("qtbase_ja", folder):
            log.warning("Qt's Japanese translations (qtbase_ja.qm) not found in %s", folder)
            return False
        self.app.installTranslator(translator)
        self.translator = translator
        return True


class PlainErrors:
    """`sys.excepthook` while the wizard runs: log the traceback, show the user one plain sentence."""

    def __init__(self, session: Session, seams: Seams) -> None:
        self.session = session
        self.seams = seams
        self.previous = sys.excepthook
        self._showing = False

    def __enter__(self) -> PlainErrors:
        sys.excepthook = self.hook
        return self

    def __exit__(self, *exc: object) -> None:
        sys.excepthook = self.previous

    def hook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error in the wizard", exc_info=(kind, exc, tb))
        if self._showing:
            return
        self._showing = True
        try:
            t = self.session.t
            self.seams.error(None, t("VM Backup Wizard"),
                             t("Something went wrong inside VM Backup Wizard ({error}). This is a bug in the wizard, "
                               "not a finding about your VM. You can go on, or close the wizard and start it again. "
                               "The details are in the log file {path}.",
                               error=f"{kind.__name__}: {str(exc)[:200]}", path=str(log_file())))
        finally:
            self._showing = False


class FirstShow(QObject):
    """Once the window is shown and drawn the first time, prints the launch marker and quits (for the
    launch benchmark). Drawing is forced with `grab()`, so the figure includes rendering the page."""

    def __init__(self, window: BackupWizard, started: float) -> None:
        super().__init__(window)
        self.window = window
        self.started = started
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Show:
            self.done = True
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        self.window.grab()
        print(f"{SHOWN_MARKER} {time.perf_counter() - self.started:.3f}", flush=True)
        self.window.reject()


class ScreenshotTour(QObject):
    """Walks every page once the run has finished, saving `<prefix>-<n>-<page>.png` of the window to a folder."""

    def __init__(self, window: BackupWizard, folder: Path, prefix: str, announce: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.prefix = prefix
        self.announce = announce
        self.saved: list[Path] = []
        self.exit_code = 0
        self.stopped = False
        self._n = 0

    def stop(self) -> None:
        """Take no more screenshots and no more steps (the window is going away)."""
        self.stopped = True

    def start(self) -> None:
        self.window.fit_to_screen = False  # documentation pictures of one size, whatever the screen
        self.window.session.keeping = False  # a tour of a demo leaves nothing in the user's folder
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._fail(f"cannot create {self.folder}: {exc.strerror or exc}")
            return
        QTimer.singleShot(0, self._welcome)

    def _shoot(self, name: str) -> bool:
        """Save the window as an 8-bit PNG (a screenshot of text needs no more colours; a fifth of the size)."""
        if self.stopped:
            return False
        QApplication.processEvents()
        self._n += 1
        path = self.folder / f"{self.prefix}-{self._n}-{name}.png"
        image = self.window.grab().toImage().convertToFormat(
            QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither)
        if not image.save(str(path)):
            self._fail(f"cannot write {path}")
            return False
        self.saved.append(path)
        return True

    def _fail(self, message: str) -> None:
        print(f"{TOOL_NAME}: screenshots: {message}", file=sys.stderr)
        self.exit_code = EXIT_TOOL_FAILED
        QTimer.singleShot(0, lambda: self.window.done(0))

    def _welcome(self) -> None:
        if self._shoot("welcome"):
            self.window.next()
            QTimer.singleShot(0, self._symptom)

    def _symptom(self) -> None:
        if self._shoot("symptom"):
            self.window.next()
            page = self.window.diagnose_page
            page.completeChanged.connect(self._diagnose_when_done)
            QTimer.singleShot(0, self._diagnose_when_done)

    def _diagnose_when_done(self) -> None:
        page = self.window.diagnose_page
        if self.stopped or not page.isComplete() or self.window.currentId() != PageId.DIAGNOSE:
            return
        page.completeChanged.disconnect(self._diagnose_when_done)
        if self._shoot("diagnose"):
            self.window.next()
            QTimer.singleShot(0, self._results)

    def _results(self) -> None:
        results = self.window.results_page
        if not self._shoot("results"):
            return
        results.tabs.setCurrentIndex(1)
        if not self._shoot("diagram"):
            return
        results.tabs.setCurrentIndex(0)
        self.window.next()
        QTimer.singleShot(0, self._save)

    def _save(self) -> None:
        if self._shoot("save"):
            if self.announce:
                for path in self.saved:
                    print(path)
            QTimer.singleShot(0, lambda: self.window.done(1))  # the tour saved nothing: no question on closing


def _prepare_platform(screenshots: object) -> None:
    """Screenshots need no display: on Linux without one, use Qt's offscreen platform."""
    if not screenshots or not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def application() -> QApplication:
    """The QApplication (created once, with the program's name and icon)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication([sys.argv[0] if sys.argv else TOOL_NAME])
    app.setApplicationName(TOOL_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(TOOL_NAME)
    readable_colours(app, app.palette())
    hints = QGuiApplication.styleHints()
    if hints is not None:  # the user switched between light and dark: start again from the style's palette
        hints.colorSchemeChanged.connect(lambda _scheme: readable_colours(app, app.style().standardPalette()))
    return app


def readable_colours(app: QApplication, palette: QPalette) -> None:
    """The system's palette, light or dark, with every text and the focus ring at WCAG AA contrast."""
    from wizard.gui.theme import accessible_palette

    app.setPalette(accessible_palette(palette))


def smoke_pages(folder: Path, scenario: str = "linux-firewall-drops-wireserver", lang: str = "ja",
                timeout_s: float = 60.0) -> list[str]:
    """Build the wizard over a shipped scenario, walk every page and save a PNG of each to `folder`;
    returns the page names (for `--smoke-test` of the frozen build). Raises RuntimeError on failure."""
    from wizard.launch import resolve_scenario
    from wizard.probes.scenario import ReplayProbe
    from wizard.settings import Settings

    app = application()
    path = resolve_scenario(scenario)
    probe = ReplayProbe.load(path)
    session = Session(lang, probe, Settings(), {"kind": "scenario", "path": str(path), "title": probe.title})
    window = BackupWizard(session, Seams())
    tour = ScreenshotTour(window, Path(folder), f"{path.stem}-{session.lang}", announce=False)
    loop = QEventLoop()
    window.finished.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        tour.start()
        window.show()
        loop.exec()
    finally:
        tour.stop()
        window.shutdown()
        window.hide()
        app.setQuitOnLastWindowClosed(quit_on_close)
    names = [p.stem.rsplit("-", 1)[-1] for p in tour.saved]
    window.deleteLater()
    if tour.exit_code or len(names) < len(TOUR_PAGES):
        raise RuntimeError(f"the wizard tour stopped after {names or 'no page'}")
    return names


def run_gui(args: argparse.Namespace, lang: str, seams: Seams | None = None) -> int:
    """Open the wizard; returns the exit status (0, or 3 when it could not start).

    Reads from `args`: scenario, root, only, error_code, phase, the --wireserver/--imds test
    overrides (through `wizard.launch.make_settings`), and `screenshots` when present.
    """
    started = time.perf_counter()
    screenshots = getattr(args, "screenshots", None)
    _prepare_platform(screenshots)
    app = application()
    app.setWindowIcon(app_icon())
    seams = seams or Seams()
    qt_texts = QtTranslations(app)
    qt_texts.load(lang)
    try:
        from wizard.launch import make_probe, make_settings, only_ids

        settings = make_settings(args)
        only = only_ids(getattr(args, "only", None))
        probe, source = make_probe(args)
    except Exception as exc:  # UsageError, ScenarioError and the like: one plain sentence
        log.warning("the wizard could not start: %s", exc)
        t = Translator(lang)
        translated = getattr(exc, "translated", None)  # UsageError and ScenarioError word themselves in `lang`
        message = t("The wizard could not start: {error}", error=translated(t) if callable(translated) else str(exc))
        if screenshots:
            print(f"{TOOL_NAME}: {message}", file=sys.stderr)
        else:
            seams.error(None, t("VM Backup Wizard"), message)
        return EXIT_TOOL_FAILED

    session = Session(lang, probe, settings, source, only)
    session.languageChanged.connect(qt_texts.load)
    with PlainErrors(session, seams):
        window = BackupWizard(session, seams)
        window.prefill(getattr(args, "error_code", None), getattr(args, "phase", None))
        window.finished.connect(lambda _result: app.quit())
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)
        tour: ScreenshotTour | None = None
        if screenshots:
            stem = Path(str(source.get("path") or "live")).stem
            tour = ScreenshotTour(window, Path(str(screenshots)), f"{stem}-{session.lang}")
            tour.start()
        first_show: FirstShow | None = None
        if os.environ.get(EXIT_AFTER_SHOW_ENV) == "1":
            first_show = FirstShow(window, started)
            window.installEventFilter(first_show)
        window.show()
        log.info("wizard shown (%s, language %s)", source.get("kind"), session.lang)
        try:
            app.exec()
        finally:
            if tour is not None:
                tour.stop()
            window.shutdown()
            window.hide()
            app.setQuitOnLastWindowClosed(quit_on_close)
            qt_texts.unload()
            if first_show is not None:
                window.removeEventFilter(first_show)
    return tour.exit_code if tour is not None else 0
