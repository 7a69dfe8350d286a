"""The report's HTML, checked as text and with an HTML parser: every shipped scenario in both languages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from report_data import LANGS, SCENARIOS, scenario, with_case

from wizard.jsonio import diagnosis_to_json, dumps
from wizard.report import render_report
from wizard.report.render import embedded_json, format_time, inline_diagram, web_url

MAX_BYTES = 300 * 1024
JA_FONTS = '"Noto Sans CJK JP", "Yu Gothic UI", "Meiryo", system-ui, sans-serif'


class Page(HTMLParser):
    """Tags, attributes, ids and the text of one page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: list[str] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str] | None = None
        self._script_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "script":
            self._script, self._script_text = a, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        else:
            self.text.append(data)

    def data_json(self) -> object:
        (attrs, text), = self.scripts
        assert attrs == {"type": "application/json", "id": "diagnosis"}
        return json.loads(text)


def render(name: str, lang: str) -> str:
    return render_report(scenario(name), lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_renders_one_self_contained_page(name: str, lang: str) -> None:
    html = render(name, lang)
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>\n")
    assert ("html", {"lang": lang}) in page.tags
    assert len(html.encode("utf-8")) < MAX_BYTES
    # Nothing is loaded from anywhere: no stylesheet or script links, no sources, no CSS urls.
    for tag, attrs in page.tags:
        assert tag not in ("iframe", "object", "embed", "img", "audio", "video", "base", "form")
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "link":
            assert attrs == {"rel": "icon", "href": "data:,"}
        if tag == "a":
            assert attrs["href"].startswith(("#", "https://")), attrs
        assert "src" not in attrs
        assert "srcset" not in attrs
        if tag == "use":
            assert attrs["href"].startswith("#sym-")
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert not re.search(r"url\s*\(|@import|@font-face|image-set", style, re.IGNORECASE)
    # No JavaScript: the one script element is data.
    assert [a for a, _ in page.scripts] == [{"type": "application/json", "id": "diagnosis"}]
    # Ids are unique (the diagram's are prefixed) and anchors point at them.
    assert len(page.ids) == len(set(page.ids)), [i for i in page.ids if page.ids.count(i) > 1]
    targets = {a["href"][1:] for tag, a in page.tags if tag == "a" and a["href"].startswith("#")}
    assert targets <= set(page.ids), targets - set(page.ids)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_embedded_json_equals_what_json_writes(name: str, lang: str) -> None:
    diag = scenario(name)
    page = Page(render_report(diag, lang))
    assert page.data_json() == diagnosis_to_json(diag, lang)
    assert page.data_json() == json.loads(dumps(diag, lang))


def test_every_result_is_in_the_table_and_its_evidence_in_details() -> None:
    diag = with_case(scenario("linux-firewall-drops-wireserver"))
    html = render_report(diag, "en")
    page = Page(html)
    for r in diag.results:
        assert f"row-check-{r.id}" in page.ids
        assert f"ev-check-{r.id}" in page.ids
        if r.status.value != "ok":
            assert f"check-{r.id}" in page.ids
    evidence = [a for tag, a in page.tags if tag == "details" and "evidence" in a.get("class", "")]
    assert len(evidence) == len(diag.results)
    assert sum(1 for tag, a in page.tags if tag == "tr" and a.get("id", "").startswith("row-")) == len(diag.results)


def test_cover_sheet_has_the_fields_support_asks_for() -> None:
    diag = with_case(scenario("linux-firewall-drops-wireserver"))
    text = " ".join(Page(render_report(diag, "en")).text)
    for label, value in [
        ("VM name", "vm-ubuntu01"), ("Resource group", "rg-backup-demo"),
        ("Subscription", "xxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxx"), ("Region", "japaneast"), ("Size", "Standard_D2s_v5"),
        ("OS and version", "6.8.0-1015-azure"), ("VM ID (vmId)", "02aab8a4-74ef-476e-8182-f6d2ba4166a6"),
        ("VM agent version", "2.9.1.1 (goal state agent 2.15.0.1)"),
        ("Backup extension version", "1.0.9184.0 (last status written by 1.0.9150.0)"),
        ("Time of the diagnosis", format_time(diag.started_at)),
        ("Error code shown in the portal", "UserErrorGuestAgentStatusUnavailable"),
        ("Backup job Activity ID", "3f2b8c1e-9d4a-4b7e-8f21-6c5d0a9e7b13"),
        ("When the problem started", "Since 2026-11-20, every night"),
        ("What was already tried", "Restarted the VM.\nChecked the NSG rules."),
        ("Run with administrator rights", "Yes: run as Administrator or root"),
    ]:
        assert label in text
        assert value in text, (label, value)
    assert "UTC+00:00" in format_time(diag.started_at)


def test_windows_versions_on_the_cover_sheet() -> None:
    text = " ".join(Page(render_report(scenario("healthy-windows"), "en")).text)
    assert "2.7.41491.1102" in text
    assert "1.0.70.0" in text


def test_missing_facts_say_so() -> None:
    text = " ".join(Page(render_report(scenario("not-azure"), "en")).text)
    assert "Unknown" in text and "Not given" in text
    assert "The Instance Metadata Service gave no facts" in text


def test_knowledge_card_only_with_a_symptom() -> None:
    diag = scenario("linux-firewall-drops-wireserver")
    page = Page(render_report(diag, "en"))
    assert "error-code" not in page.ids
    page = Page(render_report(with_case(diag), "en"))
    assert "error-code" in page.ids
    assert "VM Agent unable to communicate with Azure Backup" in " ".join(page.text)


def test_unknown_error_code_shows_the_note_and_suggestions() -> None:
    from wizard.knowledge.symptom import build_symptom

    diag = scenario("healthy-linux")
    diag.symptom = build_symptom("UserErrorGuestAgentStatusUnavailabl", "unknown")
    text = " ".join(Page(render_report(diag, "en")).text)
    assert "No known portal error code was found in what you entered." in text
    assert "UserErrorGuestAgentStatusUnavailable" in text


def test_findings_follow_the_answer_and_ok_results_are_not_findings() -> None:
    from wizard.present import build_answer

    diag = scenario("linux-not-root")
    html = render_report(diag, "en")
    card = r'<(?:article class="card finding|section class="consequence) status-\w+" id="check-([\w.]+)"'
    shown = re.findall(card, html)
    answer = build_answer(diag, "en")
    assert shown == [i for i in answer.order if answer.findings[i].status.value != "ok"]
    assert set(shown) == {r.id for r in diag.results if r.status.value != "ok"}


def test_status_is_a_symbol_and_a_word() -> None:
    html = render_report(scenario("linux-not-root"), "ja")
    for status, word in [("warning", "警告"), ("not_checked", "未確認"), ("ok", "OK")]:
        assert re.search(rf'<span class="status status-{status}"><svg class="sym"[^>]*><use href="#sym-{status}"/>'
                         rf'</svg><span class="status-label">{word}</span>', html)


def test_japanese_page_is_japanese() -> None:
    html = render_report(with_case(scenario("linux-firewall-drops-wireserver")), "ja")
    text = " ".join(Page(html).text)
    for english in ("Case details", "Verdict", "Findings", "Every check", "Raw evidence", "What was found",
                    "Frequently asked questions", "VM agent version"):
        assert english not in text, english
    assert "Take Snapshot (スナップショットの取得) フェーズ" in text
    assert JA_FONTS in html


def test_diagram_is_inline_with_prefixed_ids() -> None:
    from wizard.i18n import Translator
    from wizard.present import build_answer

    svg = inline_diagram(build_answer(scenario("high-cpu"), "en"), Translator("en"))
    assert svg.startswith('<svg role="img" aria-labelledby="dg-diagram-title dg-diagram-desc"')
    assert "<?xml" not in svg
    assert all(i.startswith("dg-") for i in re.findall(r'\bid="([^"]*)"', svg))


def test_embedded_json_cannot_leave_its_script_element() -> None:
    doc = {"a": "</script><script>alert(1)</script>", "b": "<!--<script>", "c": "</SCRIPT >"}
    text = embedded_json(doc)
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == doc


def test_only_web_addresses_become_links() -> None:
    assert web_url("https://learn.microsoft.com/azure/backup/") == "https://learn.microsoft.com/azure/backup/"
    for bad in ("javascript:alert(1)", "data:text/html,x", " vbscript:x", "file:///etc/passwd", "", None):
        assert web_url(bad) == ""


def test_print_and_phone_styles_are_there() -> None:
    html = render_report(scenario("healthy-linux"), "en")
    assert "@media print" in html and "@media screen and (max-width: 760px)" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


@pytest.mark.parametrize("symptom", [
    {"code": "UserErrorGuestAgentStatusUnavailable"},
    {"phase": "take_snapshot"},
    {"code": None, "input": "something odd", "matched": False, "related_checks": [["x"], 3]},
])
def test_incomplete_symptoms_from_a_json_file_still_render(symptom: dict[str, object]) -> None:
    from wizard.knowledge.symptom import build_symptom

    diag = scenario("healthy-linux")
    diag.symptom = symptom
    page = Page(render_report(diag, "ja"))
    assert "error-code" in page.ids
    diag.symptom = build_symptom(None, "take_snapshot")
    text = " ".join(Page(render_report(diag, "en")).text)
    assert "No error code was given." in text


def test_a_run_cancelled_before_any_result() -> None:
    diag = scenario("healthy-linux")
    diag.results = []
    diag.cancelled = True
    page = Page(render_report(diag, "en"))
    text = " ".join(page.text)
    assert "The run was cancelled; the results below are incomplete." in text
    assert "No check finished, so there is nothing to show." in text
    assert page.data_json() == diagnosis_to_json(diag, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_instance_metadata_fields_are_named_in_the_page_language(lang: str) -> None:
    from wizard.i18n import Translator
    from wizard.present.labels import IMDS_LABELS

    diag = scenario("linux-firewall-drops-wireserver")
    html = render_report(diag, lang)
    t = Translator(lang)
    rows = re.findall(r'<tr><th scope="row">([^<]*?) <code class="key">([\w]+)</code></th>', html)
    assert {key for _, key in rows} == set(diag.host.imds) and set(diag.host.imds) <= set(IMDS_LABELS)
    for label, key in rows:
        assert label == t(IMDS_LABELS[key]).replace("&", "&amp;")
        if lang == "ja" and key not in ("vm_id",):  # "VM ID" is the same in Japanese
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", label), (key, label)
