"""The report in a real headless Chromium: no console errors, no request of any kind, hostile strings stay text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_browser import Chromium
from report_data import (
    HOSTILE_COMMENT,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    LANGS,
    SCENARIOS,
    hostile_diagnosis,
    scenario,
    with_case,
)

from wizard.fileio import write_output
from wizard.jsonio import diagnosis_to_json
from wizard.report import render_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_loads_offline_without_errors(chromium: Chromium, tmp_path: Path, name: str, lang: str) -> None:
    diag = with_case(scenario(name))
    path = Path(write_output(tmp_path / "report.html", render_report(diag, lang)))
    load = chromium.load(path)
    try:
        assert load.requests and load.requests[0] == load.url
        assert load.foreign_requests() == []
        assert load.errors() == []
        s = load.session
        assert chromium.evaluate(s, "document.documentElement.lang") == lang
        assert chromium.evaluate(s, "document.scripts.length") == 1
        embedded = chromium.evaluate(s, "JSON.parse(document.getElementById('diagnosis').textContent)")
        assert embedded == json.loads(json.dumps(diagnosis_to_json(diag, lang)))
        # Laid out and readable: the verdict is visible, the diagram drawn, every check in the table.
        assert chromium.evaluate(s, "document.querySelector('#verdict .verdict-text').offsetHeight") > 0
        assert chromium.evaluate(s, "document.querySelector('#verdict svg[role=img]').getBBox().width") > 500
        assert chromium.evaluate(s, "document.querySelectorAll('table.checks tbody tr').length") == len(diag.results)
        # Evidence is collapsed until asked for.
        assert chromium.evaluate(s, "[...document.querySelectorAll('details')].some(d => d.open)") is False
    finally:
        chromium.close_page(load)


def test_hostile_strings_stay_text(chromium: Chromium, tmp_path: Path) -> None:
    diag = hostile_diagnosis()
    html = render_report(diag, "en")
    assert HOSTILE_IMG not in html.split('<script type="application/json"', 1)[0]
    path = Path(write_output(tmp_path / "hostile.html", html))
    load = chromium.load(path)
    try:
        s = load.session
        assert load.foreign_requests() == []
        assert load.errors() == []
        assert chromium.evaluate(s, "document.images.length") == 0
        assert chromium.evaluate(s, "document.scripts.length") == 1
        assert chromium.evaluate(s, "document.querySelectorAll('[onerror], [onload], iframe, object, embed').length") \
            == 0
        assert chromium.evaluate(s, "document.querySelectorAll('a[href^=javascript]').length") == 0
        body = chromium.evaluate(s, "document.body.innerText")
        assert HOSTILE_IMG in body
        assert HOSTILE_SCRIPT in body
        assert chromium.evaluate(s, "document.title").endswith(HOSTILE_IMG)
        embedded = chromium.evaluate(s, "JSON.parse(document.getElementById('diagnosis').textContent)")
        assert embedded == json.loads(json.dumps(diagnosis_to_json(diag, "en")))
        assert embedded["host"]["hostname"] == HOSTILE_IMG
        assert embedded["case"]["tried"].endswith(HOSTILE_COMMENT)
        evidence = chromium.evaluate(s, "document.getElementById('ev-check-net.firewall').textContent")
        assert HOSTILE_SCRIPT in evidence and HOSTILE_COMMENT in evidence
    finally:
        chromium.close_page(load)


def test_a_page_that_loads_something_is_caught(chromium: Chromium, tmp_path: Path) -> None:
    """The harness itself: a request or a console error would be seen."""
    path = tmp_path / "bad.html"
    path.write_text('<!DOCTYPE html><html lang="en"><title>x</title><img src="http://127.0.0.1:9/x.png">'
                    "<script>console.error('boom')</script>", encoding="utf-8")
    load = chromium.load(path)
    try:
        assert load.foreign_requests() == ["http://127.0.0.1:9/x.png"]
        assert any("boom" in e for e in load.errors())
    finally:
        chromium.close_page(load)


def test_narrow_phone_layout_stacks_the_table(chromium: Chromium, tmp_path: Path) -> None:
    path = Path(write_output(tmp_path / "phone.html", render_report(scenario("linux-not-root"), "ja")))
    load = chromium.load(path)
    try:
        s = load.session
        chromium.call("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}, s)
        assert chromium.evaluate(s, "getComputedStyle(document.querySelector('table.checks td')).display") == "block"
        overflow = chromium.evaluate(s, "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        chromium.close_page(load)
