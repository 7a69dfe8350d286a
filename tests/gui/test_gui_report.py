"""The Save page's report section: the HTML report in a language of its own, identifiers masked
with a preview first (the JSON file and the summary masked the same way), an unwritable place
explained with another one offered, "Open it", and a language switch re-translating it all."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import to_page
from PySide6.QtCore import Qt, QUrl
from test_gui_keyboard import mnemonics

from wizard.gui.pages import PageId
from wizard.gui.pages.save import file_url
from wizard.gui.window import LANGUAGE_BUTTON
from wizard.i18n import Translator
from wizard.jsonio import diagnosis_to_json
from wizard.report import default_report_path, kind_label, redact_diagnosis, redaction_preview

EN = Translator("en")
JA = Translator("ja")
EMBEDDED = re.compile(r'<script type="application/json" id="diagnosis">\s*(.*?)\s*</script>', re.DOTALL)

# What each scenario must never show once masked (host, resource group, VM name, subscription, vmId, user).
IDENTIFIERS = {
    "linux-firewall-drops-wireserver": ["vm-ubuntu01", "rg-backup-demo", "examplevmname",
                                        "02aab8a4-74ef-476e-8182-f6d2ba4166a6"],
    "healthy-windows": ["vm-win01", "rg-backup-demo", "examplevmname", "azureadmin", "10.0.0.1",
                        "02aab8a4-74ef-476e-8182-f6d2ba4166a6"],
}


def save_page_of(qtbot: Any, make_wizard: Any, scenario: str = "linux-firewall-drops-wireserver",
                 lang: str = "en", code: str = "UserErrorGuestAgentStatusUnavailable") -> Any:
    """Walk a replayed scenario to the Save page like a user, with the portal's error code given."""
    window = make_wizard(scenario, lang=lang)
    window.next()
    window.symptom_page.code_edit.setText(code)
    to_page(qtbot, window, PageId.SAVE)
    return window


def embedded(html: str) -> dict[str, Any]:
    found = EMBEDDED.search(html)
    assert found, "the report embeds the diagnosis as JSON"
    doc: dict[str, Any] = json.loads(found.group(1))
    return doc


def choose_report_language(qtbot: Any, page: Any, lang: str) -> None:
    """Pick the report's language in the combo box with the keyboard, as a user would."""
    combo = page.report_lang
    key = Qt.Key.Key_Up if combo.findData(lang) < combo.currentIndex() else Qt.Key.Key_Down
    while page.report_language() != lang:
        qtbot.keyClick(combo, key)


# -- saving -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("ui", "report"), [("en", "ja"), ("ja", "en"), ("ja", "ja")])
def test_saving_the_report_in_its_own_language(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path,
                                              ui: str, report: str) -> None:
    window = save_page_of(qtbot, make_wizard, lang=ui)
    page = window.save_page
    assert page.report_language() == ui, "the report language starts as the wizard's"
    assert not page.open_report_button.isEnabled() and not page.folder_button.isEnabled()
    choose_report_language(qtbot, page, report)
    seams.save_answers = [str(tmp_path / "case-report")]
    page.save_report_button.click()

    written = tmp_path / "case-report.html"
    assert written.is_file() and [p.name for p in tmp_path.iterdir()] == ["case-report.html"]
    html = written.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert f'<html lang="{report}"' in html
    diag = window.session.diagnosis
    assert embedded(html) == diagnosis_to_json(diag, report)
    assert "vm-ubuntu01" in html and "UserErrorGuestAgentStatusUnavailable" in html

    t = Translator(ui)
    (caption, suggested, filters), = seams.named("save_file")
    assert caption == t("Save the report") and filters == t("HTML (*.html)")
    assert suggested == str(default_report_path(diag))
    assert page.report_status.text() == t("The report was saved to {path}.", path=str(written))
    assert page.report_path == written
    assert page.open_report_button.isEnabled() and page.folder_button.isEnabled()
    assert window.session.lang == ui, "choosing the report language leaves the wizard's alone"


def test_saving_again_starts_in_the_folder_used_last(qtbot: Any, make_wizard: Any, seams: Any,
                                                    tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    seams.save_answers = [str(tmp_path / "first.html")]
    page.save_report_button.click()
    page.save_report_button.click()  # cancelled
    second = seams.named("save_file")[1][1]
    assert Path(second).parent == tmp_path
    assert Path(second).name == default_report_path(window.session.diagnosis).name


def test_cancelling_the_report_dialog_writes_nothing(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    window = save_page_of(qtbot, make_wizard, scenario="healthy-linux", code="")
    page = window.save_page
    page.save_report_button.click()
    assert len(seams.named("save_file")) == 1 and seams.named("ask") == []
    assert page.report_status.isHidden() and page.report_path is None
    assert not page.open_report_button.isEnabled()


# -- masking ----------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", sorted(IDENTIFIERS))
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_masked_report_shows_none_of_the_identifiers(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path,
                                                      scenario: str, lang: str) -> None:
    window = save_page_of(qtbot, make_wizard, scenario=scenario, lang=lang)
    page = window.save_page
    diag = window.session.diagnosis
    t = Translator(lang)
    assert page.mask_table.isHidden() and page.mask_note.isHidden()

    page.mask_check.click()
    assert page.masking() and page.mask_table.isVisible() and page.mask_note.isVisible()
    preview = redaction_preview(diag)
    assert page.mask_table.texts() == [(kind_label(kind, t), original, pseudonym)
                                       for kind, original, pseudonym in preview]
    shown = {original for _, original, _ in page.mask_table.texts()}
    assert set(IDENTIFIERS[scenario]) <= shown, "the preview lists the scenario's identifiers"
    assert (kind_label("host", t), diag.host.hostname, "host-1") in page.mask_table.texts()
    assert page.mask_table.horizontalHeaderItem(2).text() == t("Replaced by")

    seams.save_answers = [str(tmp_path / "masked.html")]
    page.save_report_button.click()
    html = (tmp_path / "masked.html").read_text(encoding="utf-8")
    lowered = html.lower()
    for original in [*IDENTIFIERS[scenario], *shown]:
        assert original.lower() not in lowered, original
    assert "host-1" in html and f'<html lang="{lang}"' in html
    doc = embedded(html)
    assert doc["host"]["hostname"] == "host-1" and doc["source"]["redacted"] is True
    (_caption, suggested, _filters), = seams.named("save_file")
    assert diag.host.hostname not in suggested and "host-1" in Path(suggested).name
    assert page.report_status.text() == t("The report was saved to {path}, with identifiers masked.",
                                          path=str(tmp_path / "masked.html"))
    assert window.session.diagnosis.host.hostname == IDENTIFIERS[scenario][0], "the diagnosis itself is kept"


def test_the_json_file_and_the_summary_are_masked_like_the_report(qtbot: Any, make_wizard: Any, seams: Any,
                                                                 tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard, lang="ja")
    page = window.save_page
    page.mask_check.click()
    seams.save_answers = [str(tmp_path / "r.html"), str(tmp_path / "r.json")]
    page.save_report_button.click()
    page.save_button.click()
    page.copy_button.click()

    report_doc = embedded((tmp_path / "r.html").read_text(encoding="utf-8"))
    json_text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert json.loads(json_text) == report_doc, "the JSON file and the report agree"
    assert report_doc == diagnosis_to_json(redact_diagnosis(window.session.diagnosis), "ja")
    summary, = seams.clipboard
    assert page.preview.toPlainText() == summary
    for text in (json_text, summary):
        for original in IDENTIFIERS["linux-firewall-drops-wireserver"]:
            assert original not in text, original
    assert "host-1" in summary
    json_suggestion = seams.named("save_file")[1][1]
    assert "vm-ubuntu01" not in json_suggestion and "host-1" in Path(json_suggestion).name
    assert page.save_status.text() == JA("Saved to {path}, with identifiers masked.", path=str(tmp_path / "r.json"))


def test_masking_off_again_shows_the_originals(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    page.mask_check.click()
    assert "vm-ubuntu01" not in page.preview.toPlainText()
    page.mask_check.click()
    assert page.mask_table.isHidden() and page.mask_note.isHidden()
    assert "vm-ubuntu01" in page.preview.toPlainText()
    page.copy_button.click()
    assert "vm-ubuntu01" in seams.clipboard[0]


def test_the_preview_is_worked_out_on_the_toggle_not_on_paint(qtbot: Any, make_wizard: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import wizard.report

    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    calls: list[object] = []
    real = wizard.report.redaction_preview

    def counting(diag: Any, **kwargs: Any) -> list[tuple[str, str, str]]:
        calls.append(diag)
        return real(diag, **kwargs)

    monkeypatch.setattr(wizard.report, "redaction_preview", counting)
    page.mask_check.click()
    assert len(calls) == 1
    for _ in range(3):
        page.mask_table.viewport().repaint()
        window.grab()
    window.resize(window.width() - 40, window.height())
    qtbot.waitUntil(lambda: page.mask_table.viewport().width() > 0)
    window.grab()
    assert len(calls) == 1


def test_nothing_to_mask_is_said_in_words(qtbot: Any, make_wizard: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import wizard.report

    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    monkeypatch.setattr(wizard.report, "redaction_preview", lambda diag: [])
    page.mask_check.click()
    assert page.mask_table.isHidden() and page.mask_empty.isVisible()
    assert page.mask_empty.text() == "No identifiers were found to mask."


# -- failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_unwritable_place_is_explained_and_another_is_offered(qtbot: Any, make_wizard: Any, seams: Any,
                                                                 tmp_path: Path, lang: str) -> None:
    window = save_page_of(qtbot, make_wizard, lang=lang)
    page = window.save_page
    t = Translator(lang)
    bad = tmp_path / "no-such-folder" / "report.html"
    good = tmp_path / "elsewhere.html"
    seams.save_answers = [str(bad), str(good)]
    seams.ask_answers = [True]
    page.save_report_button.click()

    (title, text, yes, no), = seams.named("ask")
    assert title == t("Could not save the report")
    assert text == t("Could not write {path}. {reason} Choose another place.",
                     path=str(bad), reason=t("The folder does not exist."))
    assert "Traceback" not in text and "Errno" not in text
    assert (yes, no) == (t("Choose another place"), t("Cancel"))
    dialogs = seams.named("save_file")
    assert len(dialogs) == 2 and dialogs[1][1] == str(bad), "a second dialog, starting where the first failed"
    assert good.is_file() and not bad.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.html"], "no temporary file is left"
    assert page.report_path == good and page.open_report_button.isEnabled()


def test_a_read_only_folder_is_explained(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard)
    folder = tmp_path / "a-file-not-a-folder"
    folder.write_text("x", encoding="utf-8")
    seams.save_answers = [str(folder / "report.html")]
    window.save_page.save_report_button.click()
    (_title, text, _yes, _no), = seams.named("ask")
    assert str(folder / "report.html") in text and "Choose another place." in text


def test_giving_up_after_an_unwritable_place(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard, lang="ja")
    page = window.save_page
    seams.save_answers = [str(tmp_path / "missing" / "r.html")]
    seams.ask_answers = [False]
    page.save_report_button.click()
    assert len(seams.named("save_file")) == 1
    assert page.report_status.text() == JA("The report was not saved.")
    assert page.report_path is None and not page.open_report_button.isEnabled()


def test_a_rendering_error_is_a_plain_message(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import wizard.report

    def broken(diag: Any, lang: str) -> str:
        raise RuntimeError("template exploded")

    window = save_page_of(qtbot, make_wizard)
    monkeypatch.setattr(wizard.report, "render_report", broken)
    seams.save_answers = [str(tmp_path / "r.html")]
    window.save_page.save_report_button.click()
    (title, text), = seams.named("error")
    assert title == "Could not make the report"
    assert "RuntimeError: template exploded" in text and "bug in VM Backup Wizard" in text
    assert "Traceback" not in text and 'File "' not in text
    assert seams.named("ask") == [] and list(tmp_path.iterdir()) == []
    assert window.save_page.report_status.text() == "The report was not saved."


# -- opening ----------------------------------------------------------------------------------

def test_open_it_and_the_folder(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    folder = tmp_path / "報告 #1"
    folder.mkdir()
    seams.save_answers = [str(folder / "report.html")]
    page.save_report_button.click()
    written = folder / "report.html"
    page.open_report_button.click()
    page.folder_button.click()
    assert seams.urls == [file_url(written), file_url(folder)]
    assert QUrl(seams.urls[0]).toLocalFile() == str(written)
    assert QUrl(seams.urls[1]).toLocalFile() == str(folder)
    assert seams.named("error") == []


def test_open_it_when_the_file_is_gone_or_nothing_opens_it(qtbot: Any, make_wizard: Any, seams: Any,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    seams.save_answers = [str(tmp_path / "r.html")]
    page.save_report_button.click()
    seams.open_url_answer = False
    page.open_report_button.click()
    # no dialog to dismiss: the page says the browser did not start and shows the path, with a Copy button
    assert seams.named("error") == []
    assert page.report_status.isVisible()
    assert page.report_status.text().startswith("The web browser could not be started.")
    assert page.report_status.text().endswith("\n" + str(tmp_path / "r.html"))
    assert page.report_status.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert page.copy_path_button.isVisible()
    page.copy_path_button.click()
    assert seams.clipboard[-1] == str(tmp_path / "r.html")
    page.folder_button.click()
    assert page.report_status.text().startswith("The file manager could not be started.")
    assert page.report_status.text().endswith("\n" + str(tmp_path))
    page.copy_path_button.click()
    assert seams.clipboard[-1] == str(tmp_path)
    (tmp_path / "r.html").unlink()
    page.open_report_button.click()
    assert seams.named("error")[0][1] == EN("The report is no longer at {path}. Save it again.",
                                            path=str(tmp_path / "r.html"))


# -- language and keyboard ------------------------------------------------------------------------

def section_texts(page: Any) -> dict[str, str]:
    return {
        "box": page.report_box.title(),
        "intro": page.report_text.text(),
        "language": page.report_lang_label.text(),
        "mask": page.mask_check.text(),
        "note": page.mask_note.text(),
        "header": page.mask_table.horizontalHeaderItem(0).text(),
        "kind": page.mask_table.item(0, 0).text(),
        "save": page.save_report_button.text(),
        "open": page.open_report_button.text(),
        "folder": page.folder_button.text(),
        "status": page.report_status.text(),
        "json": page.file_text.text(),
    }


def test_a_language_switch_retranslates_the_report_section(qtbot: Any, make_wizard: Any, seams: Any,
                                                           tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    page.mask_check.click()
    seams.save_answers = [str(tmp_path / "r.html")]
    page.save_report_button.click()
    english = section_texts(page)
    assert english["mask"] == "&Mask identifiers (host names, IP addresses, IDs, user names)"
    assert english["kind"] == "Host name"

    window.button(LANGUAGE_BUTTON).click()
    japanese = section_texts(page)
    for key in english:
        assert japanese[key] != english[key], key
    assert japanese["box"] == JA("Report for a support case") and japanese["save"] == JA("&Save report…")
    assert japanese["kind"] == kind_label("host", JA) and japanese["header"] == JA("Kind")
    assert japanese["status"] == JA("The report was saved to {path}, with identifiers masked.",
                                    path=str(tmp_path / "r.html"))
    assert page.report_language() == "ja", "untouched, the report language follows the wizard's"
    assert page.mask_table.accessibleName() == JA("Identifiers that will be masked")

    window.button(LANGUAGE_BUTTON).click()
    assert section_texts(page) == english


def test_a_chosen_report_language_stays_when_the_wizard_switches(qtbot: Any, make_wizard: Any) -> None:
    window = save_page_of(qtbot, make_wizard, lang="ja")
    page = window.save_page
    choose_report_language(qtbot, page, "en")
    window.session.set_language("en")
    window.session.set_language("ja")
    assert page.report_language() == "en"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_mnemonics_stay_unique_with_the_whole_section_shown(qtbot: Any, make_wizard: Any, seams: Any,
                                                           tmp_path: Path, lang: str) -> None:
    window = save_page_of(qtbot, make_wizard, lang=lang)
    page = window.save_page
    page.mask_check.click()
    seams.save_answers = [str(tmp_path / "r.html"), str(tmp_path / "r.json")]
    page.save_report_button.click()
    page.save_button.click()
    page.copy_button.click()
    letters = [k for k, _ in mnemonics(window)]
    assert len(letters) == len(set(letters)), sorted(mnemonics(window))
    assert {"g", "m", "s", "o", "d"} <= set(letters)
    assert page.report_lang_label.buddy() is page.report_lang
    assert page.report_lang.accessibleName() and page.mask_table.accessibleName()


def test_alt_keys_reach_the_report_controls(qtbot: Any, make_wizard: Any) -> None:
    window = save_page_of(qtbot, make_wizard)
    page = window.save_page
    window.activateWindow()
    qtbot.waitActive(window)
    page.save_button.setFocus()
    qtbot.waitUntil(page.save_button.hasFocus)
    qtbot.keyClick(page.save_button, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.report_lang.hasFocus)
    qtbot.keyClick(page.report_lang, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.mask_check.isChecked)
    assert page.mask_table.isVisible()


def test_the_support_masking_level_keeps_azure_ids_and_the_case_fields_reach_the_report(
        qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = save_page_of(qtbot, make_wizard, scenario="windows-vss-writer-failed-ja", lang="en")
    page = window.save_page
    diag = window.session.diagnosis
    assert not page.mask_level.isEnabled() and page.masking_level() == "public"  # --redact alone: public
    page.mask_check.click()
    page.mask_level.setCurrentIndex(page.mask_level.findData("support"))
    page.mask_level.activated.emit(page.mask_level.currentIndex())
    kinds = {kind for kind, _, _ in redaction_preview(diag, level="support")}
    assert "host" in kinds and not kinds & {"subscription", "vm_id", "resource_group"}
    page.vault_edit.setText("rsv-prod-01")
    page.vault_edit.editingFinished.emit()
    page.job_start_edit.setText("2026-12-04 09:00")  # no time zone: pointed out, not lost
    page.job_start_edit.editingFinished.emit()
    assert "time zone" in page.case_problems.text() and page.case_problems.isVisible()
    seams.save_answers = [str(tmp_path / "support.html")]
    page.save_report_button.click()
    html = (tmp_path / "support.html").read_text(encoding="utf-8")
    doc = embedded(html)
    assert doc["source"]["masking"] == "support" and "Masking: for Microsoft support" in html
    assert doc["host"]["imds"]["vm_id"] == diag.host.imds["vm_id"] and doc["host"]["hostname"] == "host-1"
    assert doc["case"]["vault"] == "rsv-prod-01" and "rsv-prod-01" in html
