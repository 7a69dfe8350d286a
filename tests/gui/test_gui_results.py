"""The Results page: the diagram filters the findings, "only problems", the detail pane with its
Copy buttons and documentation links, and the error code's related checks first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gui_helpers import to_page
from PySide6.QtCore import QPoint, Qt

from wizard.gui.pages import PageId
from wizard.gui.pages.results import DIAGRAM_TAB, FINDINGS_TAB, KEY_ROLE
from wizard.model import Component


def test_clicking_a_component_in_the_diagram_filters_the_findings(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    diag = window.session.diagnosis
    page.tabs.setCurrentIndex(DIAGRAM_TAB)
    qtbot.waitExposed(page.diagram)
    for comp in (Component.NETWORK_PATH, Component.AGENT, Component.GUEST):
        page.tabs.setCurrentIndex(DIAGRAM_TAB)
        rect = page.diagram.component_rect(comp.value)
        assert not rect.isEmpty() and page.diagram.rect().contains(rect.toRect())
        qtbot.mouseClick(page.diagram, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
        assert page.tabs.currentIndex() == FINDINGS_TAB
        assert page.component_filter == comp.value
        assert page.filter_combo.currentIndex() == 1 + list(Component).index(comp)
        assert sorted(page.visible_ids()) == sorted(r.id for r in diag.results if r.component is comp)
        assert page.diagram.selected() == comp.value
    page.filter_combo.setCurrentIndex(0)
    assert page.component_filter is None and len(page.visible_ids()) == len(diag.results)


def test_a_click_outside_the_components_changes_nothing(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    page.tabs.setCurrentIndex(DIAGRAM_TAB)
    qtbot.waitExposed(page.diagram)
    qtbot.mouseClick(page.diagram, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert page.tabs.currentIndex() == DIAGRAM_TAB and page.component_filter is None


def test_the_keyboard_reaches_every_component(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    page.tabs.setCurrentIndex(DIAGRAM_TAB)
    page.diagram.setFocus()
    qtbot.keyClick(page.diagram, Qt.Key.Key_Right)
    qtbot.keyClick(page.diagram, Qt.Key.Key_Return)
    assert page.component_filter == Component.AGENT.value


def test_only_problems_hides_what_needs_no_attention(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    diag = window.session.diagnosis
    page.only_problems.click()
    attention = ("problem", "warning", "error")
    assert sorted(page.visible_ids()) == sorted(r.id for r in diag.results if r.status.value in attention)
    assert len(page.visible_ids()) == 5
    page.only_problems.click()
    assert len(page.visible_ids()) == len(diag.results)


def test_nothing_to_show_says_so(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("healthy-linux")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    page.only_problems.click()
    assert page.visible_ids() == []
    assert page.tree.topLevelItem(0).text(0) == "Nothing to show with these filters."
    assert page.detail.shown is None


def test_the_detail_pane_copies_commands_and_opens_doc_links(qtbot: Any, make_wizard: Any, seams: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    page.tree.setCurrentItem(page._items["net.firewall"])
    result = window.session.diagnosis.result("net.firewall")
    assert page.detail.shown == "net.firewall"
    rows = page.detail.step_rows
    assert [r.text_label.text() for r in rows] == [window.session.t.msg(s.text) for s in result.fix]
    with_command = [(row, step) for row, step in zip(rows, result.fix, strict=True) if step.command]
    assert with_command
    row, step = with_command[0]
    shown = step.command.removeprefix("sudo ")  # the scenario runs as root: no sudo to paste
    assert step.command.startswith("sudo ")
    assert row.command_box is not None and row.command_box.toPlainText() == shown
    assert row.copy_button is not None
    row.copy_button.click()
    assert seams.clipboard == [shown]
    assert row.copy_button.text() == "Copied"
    link = page.detail.doc_labels[0]
    link.linkActivated.emit(result.docs[0].url)
    assert seams.urls == [result.docs[0].url]


def test_the_error_code_leads_and_its_related_checks_say_so(qtbot: Any, make_wizard: Any) -> None:
    from wizard.knowledge.errorcodes import lookup
    from wizard.present import build_answer

    window = make_wizard("linux-firewall-drops-wireserver")
    window.next()
    window.symptom_page.code_edit.setText("UserErrorGuestAgentStatusUnavailable")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    entry = lookup("UserErrorGuestAgentStatusUnavailable")
    assert entry is not None
    tree = page.tree
    # the code on a line of its own: a long code cannot wrap, and it must not be elided
    assert tree.topLevelItem(0).text(0) == "Portal error code: \nUserErrorGuestAgentStatusUnavailable"
    assert tree.topLevelItem(1).text(0) == "What needs attention"
    answer = build_answer(window.session.diagnosis, "en")
    assert page.visible_ids() == list(answer.order)
    assert page.detail.shown == "net.firewall"
    page.tree.setCurrentItem(tree.topLevelItem(0))
    assert page.detail.shown == "symptom"
    ubuntu = [s for s in entry.steps if s.platform in (None, "linux") and s.family in (None, "apt")]
    assert 0 < len(page.detail.step_rows) == len(ubuntu) < len(entry.steps)


def test_the_diagram_is_drawn_and_says_what_it_shows(qtbot: Any, make_wizard: Any) -> None:
    window = make_wizard("linux-firewall-drops-wireserver", lang="ja")
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    page.tabs.setCurrentIndex(DIAGRAM_TAB)
    image = page.diagram.grab().toImage()
    rect = page.diagram.component_rect(Component.NETWORK_PATH.value)
    inside = image.pixelColor(rect.toRect().adjusted(6, 6, 0, 0).topLeft())
    assert (inside.red(), inside.green(), inside.blue()) == (0xFD, 0xEC, 0xEA), "the problem fill colour"
    assert page.diagram.accessibleName() == "フェーズ図"
    assert page.diagram.accessibleDescription().startswith("Take Snapshot")
    assert "Wire Server" in page.diagram.accessibleDescription()


SHIPPED = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "resources" / "scenarios").glob("*.json"))


@pytest.mark.parametrize("scenario", SHIPPED)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_results_page_lists_the_answers_causes_in_its_order(qtbot: Any, make_wizard: Any, scenario: str,
                                                                 lang: str) -> None:
    """The GUI names the same causes, in the same order, with the same consequences under each, as the
    answer every other presenter renders (tests/present/test_one_answer.py checks terminal, report, JSON)."""
    window = make_wizard(scenario, lang)
    to_page(qtbot, window, PageId.RESULTS)
    page = window.results_page
    answer = window.session.answer()
    tree = page.tree
    groups = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    heading = window.session.t("What needs attention")
    attention = [g for g in groups if g.text(0) == heading]
    if not answer.causes:
        assert attention == []
        return
    assert len(attention) == 1
    group = attention[0]
    shown = [group.child(i) for i in range(group.childCount())]
    assert [item.data(0, KEY_ROLE) for item in shown] == [c.cause.id for c in answer.causes]
    for item, cause in zip(shown, answer.causes, strict=True):
        below = [item.child(i).data(0, KEY_ROLE) for i in range(item.childCount())]
        assert below == [f.id for f in cause.consequences]
