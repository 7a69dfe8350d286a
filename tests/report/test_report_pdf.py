"""The report as a PDF (wizard.report.pdf): which browser, the command line it gets, the private work folder,
the one writer, every way it can fail; and, in the real Chromium, that page 1 carries the verdict, the
evidence is printed and nothing of the appendix comes before it."""

from __future__ import annotations

import _thread
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from report_browser import _netns_prefix, find_chromium
from report_data import scenario, with_case

from wizard.fileio import OutputError
from wizard.i18n import Translator
from wizard.present import build_answer
from wizard.report import render_report
from wizard.report.pdf import FLAGS, PdfError, browser_command, browser_environment, find_browser, html_to_pdf

EN = Translator("en")
JA = Translator("ja")
PAGE = "<!DOCTYPE html><html><body><p>x</p></body></html>"


# -- which browser ----------------------------------------------------------------------------

def test_windows_finds_edge_at_its_documented_places_first() -> None:
    env = {"ProgramFiles(x86)": r"C:\Program Files (x86)", "ProgramFiles": r"C:\Program Files",
           "LOCALAPPDATA": r"C:\Users\a\AppData\Local"}
    edge_x86 = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
    edge_user = r"C:\Users\a\AppData\Local\Microsoft\Edge\Application\msedge.exe"
    chrome = r"C:\Program Files\Google\Chrome\Application\chrome.exe"
    for present, expected in (({edge_x86, edge_user, chrome}, edge_x86), ({edge_user, chrome}, edge_user),
                              ({chrome}, chrome)):
        assert find_browser("win32", env, which=lambda _n: None, is_file=present.__contains__) == expected
    assert find_browser("win32", env, which=lambda _n: None, is_file=lambda _p: False) is None
    assert find_browser("win32", env, which={"msedge": r"D:\edge\msedge.exe"}.get,
                        is_file=lambda _p: False) == r"D:\edge\msedge.exe"


def test_linux_finds_chromium_on_the_path_or_at_its_place() -> None:
    assert find_browser("linux", {}, which={"chromium": "/usr/bin/chromium"}.get) == "/usr/bin/chromium"
    assert find_browser("linux", {}, which={"google-chrome": "/opt/c"}.get) == "/opt/c"
    assert find_browser("linux", {}, which=lambda _n: None,
                        is_file={"/usr/lib/chromium/chromium"}.__contains__) == "/usr/lib/chromium/chromium"
    assert find_browser("linux", {}, which=lambda _n: None, is_file=lambda _p: False) is None


def test_the_environment_can_name_the_browser() -> None:
    env = {"VMBACKUP_WIZARD_BROWSER": "/srv/my chrome/chrome"}
    assert find_browser("linux", env, which=lambda _n: None, is_file=lambda p: p == "/srv/my chrome/chrome") \
        == "/srv/my chrome/chrome"
    assert find_browser("win32", {"VMBACKUP_WIZARD_BROWSER": "nothing-here"}, which=lambda _n: None,
                        is_file=lambda _p: False) is None


def test_command_line_is_a_list_with_a_fresh_profile_and_the_print_target() -> None:
    work = Path(tempfile.gettempdir()) / "vmbackup-pdf-テスト dir"
    argv = browser_command("/usr/bin/chromium", work / "report.html", work / "out.pdf", work / "profile")
    assert argv[0] == "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        assert flag in argv
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in argv, "no host name resolves: nothing leaves the machine"
    # One argument each, spaces and Japanese untouched (no shell, nothing to quote by hand).
    assert f"--user-data-dir={work / 'profile'}" in argv
    assert f"--print-to-pdf={work / 'out.pdf'}" in argv
    assert argv[-1] == (work / "report.html").resolve().as_uri() and argv[-1].startswith("file://")
    assert len(argv) == len(FLAGS) + 4


def test_the_one_file_executable_gives_the_browser_the_systems_library_path() -> None:
    env = {"LD_LIBRARY_PATH": "/tmp/_MEI123", "LD_LIBRARY_PATH_ORIG": "/opt/lib", "HOME": "/root"}
    assert browser_environment(env, frozen=True) == {"LD_LIBRARY_PATH": "/opt/lib", "HOME": "/root"}
    assert browser_environment({"LD_LIBRARY_PATH": "/tmp/_MEI123"}, frozen=True) == {}
    assert browser_environment(env, frozen=False) == env


# -- a stand-in browser -------------------------------------------------------------------------

def fake_browser(tmp_path: Path, body: str) -> str:
    """An executable that is called like the browser; `body` is Python with `out` (the --print-to-pdf path)."""
    script = tmp_path / "fake-browser"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, os, time, subprocess\n"
        "args = sys.argv[1:]\n"
        "out = next(a.split('=', 1)[1] for a in args if a.startswith('--print-to-pdf='))\n"
        "open(os.path.join(os.path.dirname(out), 'argv.txt'), 'w').write(chr(10).join(args))\n"
        + body, encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def work_dirs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The private folders html_to_pdf makes (to check where the browser wrote and that they are gone)."""
    made: list[Path] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args: object, **kwargs: object) -> str:
        path = real(*args, **kwargs)  # type: ignore[call-overload]
        made.append(Path(path))
        return str(path)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    return made


@pytest.mark.posix("a shell-less script stands for the browser")
def test_the_browser_prints_in_our_folder_and_the_writer_copies(tmp_path: Path, work_dirs: list[Path]) -> None:
    seen = tmp_path / "seen"
    browser = fake_browser(tmp_path, f"import shutil\nopen(out, 'wb').write(b'%PDF-1.7 fake')\n"
                                     f"shutil.copytree(os.path.dirname(out), {str(seen)!r})\n")
    target = tmp_path / "out dir" / "レポート.pdf"
    target.parent.mkdir()
    assert html_to_pdf(PAGE, target, browser=browser) == str(target)
    assert target.read_bytes() == b"%PDF-1.7 fake"
    (work,) = work_dirs
    assert not work.exists(), "the work folder is removed"
    args = (seen / "argv.txt").read_text().splitlines()
    assert f"--print-to-pdf={work / 'report.pdf'}" in args, "the browser writes only in our private folder"
    assert f"--user-data-dir={work / 'profile'}" in args
    assert (seen / "report.html").read_text(encoding="utf-8") == PAGE
    assert (seen.stat().st_mode & 0o077) == 0, "the work folder is private (copytree keeps its mode)"


def test_no_browser_is_said_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wizard.report.pdf.find_browser", lambda: None)
    target = tmp_path / "r.pdf"
    with pytest.raises(PdfError) as info:
        html_to_pdf(PAGE, target)
    assert info.value.reason == "no_browser"
    assert str(info.value) == (f"Could not make the PDF {target}. No web browser that can print a PDF was found "
                               "(Microsoft Edge, Google Chrome or Chromium).")
    assert info.value.translated(JA) != str(info.value), "the message is translated"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.posix("a shell-less script stands for the browser")
@pytest.mark.parametrize(("body", "detail"), [
    ("sys.stderr.write('[1:1] cannot open display' + chr(10)); sys.exit(21)\n", "exit status 21: [1:1] cannot open"),
    ("pass\n", "no PDF was written"),
    ("open(out, 'wb').write(b'<html>not a pdf')\n", "not a PDF"),
])
def test_a_failing_browser_is_said_and_writes_nothing(tmp_path: Path, work_dirs: list[Path], body: str,
                                                      detail: str) -> None:
    target = tmp_path / "r.pdf"
    with pytest.raises(PdfError) as info:
        html_to_pdf(PAGE, target, browser=fake_browser(tmp_path, body))
    assert info.value.reason == "failed"
    assert detail in str(info.value)
    assert not target.exists()
    assert not any(p.exists() for p in work_dirs)


def test_a_browser_that_cannot_start_is_said(tmp_path: Path) -> None:
    with pytest.raises(PdfError) as info:
        html_to_pdf(PAGE, tmp_path / "r.pdf", browser=str(tmp_path / "no-such-browser"))
    assert info.value.reason == "failed"
    assert not (tmp_path / "r.pdf").exists()


def _browser_with_a_child(tmp_path: Path) -> tuple[str, Path]:
    """A browser that starts a child process (as Chromium does), writes its pid, and hangs."""
    pidfile = tmp_path / "child.pid"
    body = (f"child = subprocess.Popen(['sleep', '60'])\nopen({str(pidfile)!r}, 'w').write(str(child.pid))\n"
            "time.sleep(60)\n")
    return fake_browser(tmp_path, body), pidfile


def _once_the_child_runs(pidfile: Path, then: Callable[[], object]) -> None:
    """On a thread: wait until the browser has started its child, then do `then` (close the wizard, press Ctrl+C)."""
    def wait() -> None:
        for _ in range(300):
            if pidfile.exists() and pidfile.read_text():
                break
            time.sleep(0.05)
        then()

    threading.Thread(target=wait, daemon=True).start()


def _assert_the_child_is_gone(pidfile: Path) -> None:
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("the browser's child process was left running")


@pytest.mark.posix("process groups")
def test_a_hanging_browser_is_killed_with_its_children_at_the_deadline(tmp_path: Path) -> None:
    browser, pidfile = _browser_with_a_child(tmp_path)
    t0 = time.monotonic()
    with pytest.raises(PdfError) as info:
        html_to_pdf(PAGE, tmp_path / "r.pdf", browser=browser, deadline=2)
    assert time.monotonic() - t0 < 15
    assert info.value.reason == "timeout"
    assert "2 seconds" in str(info.value)
    _assert_the_child_is_gone(pidfile)
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.posix("process groups")
def test_a_cancelled_print_kills_the_browser_and_its_children_at_once(tmp_path: Path, work_dirs: list[Path]) -> None:
    browser, pidfile = _browser_with_a_child(tmp_path)
    cancel = threading.Event()
    _once_the_child_runs(pidfile, cancel.set)  # the wizard is closed while the browser prints
    t0 = time.monotonic()
    with pytest.raises(PdfError) as info:
        html_to_pdf(PAGE, tmp_path / "r.pdf", browser=browser, deadline=60, cancel=cancel)
    assert time.monotonic() - t0 < 15, "not left to run to its 60 s deadline"
    assert info.value.reason == "cancelled"
    assert "wizard was closed" in str(info.value)
    _assert_the_child_is_gone(pidfile)
    assert not (tmp_path / "r.pdf").exists()
    assert not any(p.exists() for p in work_dirs), "the private folder is removed"


@pytest.mark.posix("process groups")
def test_ctrl_c_during_the_print_kills_the_browser_it_started_in_its_own_session(tmp_path: Path) -> None:
    browser, pidfile = _browser_with_a_child(tmp_path)
    _once_the_child_runs(pidfile, _thread.interrupt_main)
    with pytest.raises(KeyboardInterrupt):
        html_to_pdf(PAGE, tmp_path / "r.pdf", browser=browser, deadline=60)
    _assert_the_child_is_gone(pidfile)


@pytest.mark.posix("a shell-less script stands for the browser")
def test_an_unwritable_target_is_the_writers_error(tmp_path: Path, work_dirs: list[Path]) -> None:
    browser = fake_browser(tmp_path, "open(out, 'wb').write(b'%PDF-1.7')\n")
    with pytest.raises(OutputError) as info:
        html_to_pdf(PAGE, tmp_path / "missing" / "r.pdf", browser=browser)
    assert info.value.reason == "missing"
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(OutputError) as info:
        html_to_pdf(PAGE, folder, browser=browser)
    assert info.value.reason == "is_folder"
    assert not any(p.exists() for p in work_dirs)


# -- the real browser -----------------------------------------------------------------------------

def _page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60).stdout
    return out.decode("utf-8").split("\f")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_real_pdf_has_the_verdict_on_page_one_and_evidence_before_appendix(tmp_path: Path, lang: str) -> None:
    exe = find_chromium()
    if exe is None:
        pytest.fail("Chromium is not installed; the PDF must be printed by a real browser "
                    "(Debian: apt-get install chromium).")
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing (Debian: apt-get install poppler-utils)")
    t = Translator(lang)
    diag = with_case(scenario("linux-firewall-drops-wireserver"))
    target = tmp_path / "report.pdf"
    html_to_pdf(render_report(diag, lang), target, browser=exe, wrapper=_netns_prefix())
    assert target.read_bytes().startswith(b"%PDF-")
    pages = _page_texts(target)
    assert len(pages) > 3
    first = re.sub(r"\s+", "", pages[0])
    assert t("Verdict") in first
    verdict = re.sub(r"\s+", "", build_answer(diag, lang).verdict)
    assert verdict in first, "the whole verdict is on page 1"
    text = "\f".join(pages)
    evidence = text.index(t("Raw evidence"))
    appendix = text.index(t("Appendix: how Azure VM Backup works"))
    assert evidence < appendix, "the appendix comes after the evidence"
    # The evidence is printed open (not only the check names), compactly, before the appendix.
    assert text.index("blocking_rule.text") > evidence and text.index("blocking_rule.text") < appendix
    assert '"schema"' not in text and "application/json" not in text, "the embedded JSON is not printed"
    # Each page turns into an image (what a reviewer looks at).
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(target), str(tmp_path / "page")], check=True, timeout=120)
    assert len(list(tmp_path.glob("page-*.png"))) == len(pages) - (1 if not pages[-1].strip() else 0)
