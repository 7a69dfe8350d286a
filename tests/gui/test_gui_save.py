"""The Save page: the Diagnosis as JSON through the file dialog (atomic; an unwritable place
explained, another one offered) and the plain-text summary on the clipboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import to_page
from PySide6.QtGui import QGuiApplication

from wizard.gui.pages import PageId
from wizard.gui.pages.save import default_file_name
from wizard.gui.seams import Seams
from wizard.i18n import Translator
from wizard.jsonio import diagnosis_from_json
from wizard.present import build_answer
from wizard.present.summary import plain_summary


def test_saving_json_writes_the_whole_diagnosis(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = make_wizard("linux-firewall-drops-wireserver", lang="ja")
    window.next()
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    window.symptom_page.activity_edit.setText("abc-123")
    to_page(qtbot, window, PageId.SAVE)
    target = tmp_path / "case" / "result"
    target.parent.mkdir()
    seams.save_answers = [str(target)]
    window.save_page.save_button.click()
    saved = target.with_suffix(".json")
    doc = json.loads(saved.read_text(encoding="utf-8"))
    assert doc["language"] == "ja" and doc["case"] == {"activity_id": "abc-123"}
    back = diagnosis_from_json(doc)
    diag = window.session.diagnosis
    assert [r.to_dict() for r in back.results] == [r.to_dict() for r in diag.results]
    assert back.symptom == diag.symptom and back.source == diag.source
    assert window.save_page.save_status.text() == Translator("ja")("Saved to {path}.", path=str(saved))
    assert [p.name for p in saved.parent.iterdir()] == ["result.json"], "no temporary file is left"
    (caption, suggested, _filters), = seams.named("save_file")
    assert caption == Translator("ja")("Save the results as JSON")
    assert Path(suggested).name.startswith("vmbackup-wizard-vm-ubuntu01-") and suggested.endswith(".json")


def test_an_unwritable_place_is_explained_and_another_is_offered(qtbot: Any, make_wizard: Any, seams: Any,
                                                                 tmp_path: Path) -> None:
    window = make_wizard("healthy-linux")
    to_page(qtbot, window, PageId.SAVE)
    bad = tmp_path / "no-such-folder" / "result.json"
    good = tmp_path / "result.json"
    seams.save_answers = [str(bad), str(good)]
    seams.ask_answers = [True]
    window.save_page.save_button.click()
    (title, text, yes, no), = seams.named("ask")
    assert title == "Could not save the file"
    assert str(bad) in text and "choose another place" in text and "Traceback" not in text
    assert (yes, no) == ("Choose another place", "Cancel")
    assert good.is_file() and not bad.exists()
    assert seams.named("save_file")[1][1] == str(bad), "the second dialog starts where the first failed"


def test_giving_up_after_an_unwritable_place(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = make_wizard("healthy-linux")
    to_page(qtbot, window, PageId.SAVE)
    seams.save_answers = [str(tmp_path / "missing" / "x.json")]
    seams.ask_answers = [False]
    window.save_page.save_button.click()
    assert window.save_page.save_status.text() == "Not saved."
    assert len(seams.named("save_file")) == 1


def test_cancelling_the_file_dialog_saves_nothing(qtbot: Any, make_wizard: Any, seams: Any, tmp_path: Path) -> None:
    window = make_wizard("healthy-linux")
    to_page(qtbot, window, PageId.SAVE)
    window.save_page.save_button.click()
    assert seams.named("ask") == [] and window.save_page.save_status.isHidden()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_summary_on_the_clipboard(qtbot: Any, make_wizard: Any, seams: Any, lang: str) -> None:
    window = make_wizard("linux-firewall-drops-wireserver", lang=lang)
    window.next()
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    window.symptom_page.started_edit.setText("2 days ago")
    to_page(qtbot, window, PageId.SAVE)
    window.save_page.copy_button.click()
    t = Translator(lang)
    diag = window.session.diagnosis
    text, = seams.clipboard
    assert text == plain_summary(build_answer(diag, lang))
    lines = text.splitlines()
    assert t("Host: {hostname} ({os})", hostname="vm-ubuntu01", os="Linux") in lines
    assert t("Problem started: {value}", value="2 days ago") in lines
    verdict = lines[lines.index("") + 1]
    assert verdict.startswith(t.ngettext(
        "{n} problem found inside this VM will make backups fail in the Take Snapshot phase.",
        "{n} problems found inside this VM will make backups fail in the Take Snapshot phase.", 1).format(n=1))
    assert t.ngettext("{n} more result follows from it and is listed under it.",
                      "{n} more results follow from it and are listed under it.", 4).format(n=4) in verdict
    causes = [line for line in lines if line.startswith("✖ ")]
    assert len(causes) == 1 and t("In-guest firewall rules") in causes[0]
    assert any(line.strip().startswith("iptables -t filter -D OUTPUT") for line in lines), "the fix is in it"
    assert t("Summary: {counts} - finished in {seconds} s", counts="", seconds="").split(":")[0] in lines[-1]


def test_the_real_clipboard_seam_puts_the_text_on_the_clipboard(qtbot: Any) -> None:
    Seams().copy_text("sudo iptables -S OUTPUT")
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == "sudo iptables -S OUTPUT"


def test_default_file_names_are_safe() -> None:
    import datetime as dt

    when = dt.datetime(2026, 5, 1, 2, 3)
    assert default_file_name("vm-01", when) == "vmbackup-wizard-vm-01-20260501-0203.json"
    assert default_file_name("a/b\\c:d*e", when) == "vmbackup-wizard-a_b_c_d_e-20260501-0203.json"
    assert default_file_name("", when) == "vmbackup-wizard-vm-20260501-0203.json"
