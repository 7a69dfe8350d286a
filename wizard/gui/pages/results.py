"""Page 4: the verdict in plain words; the findings grouped by phase (the error code's related
checks first, problems first) with a detail pane; the phase diagram, where clicking a component
filters the findings; an "only problems" toggle; and "Run again"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.icons import status_icon
from wizard.gui.pages.base import BasePage
from wizard.gui.seams import Seams
from wizard.gui.session import Session
from wizard.gui.widgets.detail import DetailPane
from wizard.gui.widgets.diagram import DiagramWidget
from wizard.gui.widgets.text import label
from wizard.gui.widgets.wrapping import wrap_items
from wizard.knowledge.phases import PHASE_SUMMARIES
from wizard.model import Component, Msg, Phase, Status
from wizard.present.diagram_state import COMPONENT_NAMES
from wizard.present.labels import component_label, phase_label

if TYPE_CHECKING:  # the answer layer loads with the first result, not with the first page
    from wizard.present.answer import Answer, FindingView

KEY_ROLE = Qt.ItemDataRole.UserRole
SYMPTOM_KEY = "symptom"
FINDINGS_TAB, DIAGRAM_TAB = 0, 1
TABS_MIN_HEIGHT, COMPACT_TABS_MIN_HEIGHT = 300, 480
"""Below this the page scrolls rather than squeeze the list and the detail to nothing (stacked, they need more)."""


class ResultsPage(BasePage):
    """Shows `Session.diagnosis`; `runAgainRequested` asks the wizard to go back and run again."""

    runAgainRequested = Signal()
    compareRequested = Signal()

    def __init__(self, session: Session, seams: Seams, parent: QWidget | None = None) -> None:
        super().__init__(session, seams, scroll=True, parent=parent)
        self.component_filter: str | None = None
        self._items: dict[str, QTreeWidgetItem] = {}

        head = QHBoxLayout()
        self.verdict_icon = QLabel(self)
        self.verdict_text = label(bold=True, scale=1.2, selectable=True)
        self._verdict_font = QFont(self.verdict_text.font())
        self.verdict_icon.setFixedSize(32, 32)
        head.addWidget(self.verdict_icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.verdict_text, 1)
        self.body.addLayout(head)
        self.facts = label(muted=True, selectable=True)
        self.body.addWidget(self.facts)

        self.tabs = QTabWidget(self)
        self.body.addWidget(self.tabs, 1)

        findings = QWidget(self.tabs)
        fl = QVBoxLayout(findings)
        fl.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        self.filter_label = label()
        self.filter_label.setWordWrap(False)
        self.filter_combo = QComboBox(findings)
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter_label.setBuddy(self.filter_combo)
        self.filter_combo.currentIndexChanged.connect(self._on_combo)
        self.only_problems = QCheckBox(findings)
        self.only_problems.toggled.connect(lambda _on: self.populate())
        self.again_button = QPushButton(findings)
        self.again_button.clicked.connect(self.runAgainRequested)
        self.compare_button = QPushButton(findings)
        self.compare_button.clicked.connect(self.compareRequested)
        bar.addWidget(self.filter_label)
        bar.addWidget(self.filter_combo)
        bar.addSpacing(12)
        bar.addWidget(self.only_problems)
        bar.addStretch(1)
        fl.addLayout(bar)
        # Compare and Run again sit beside the tabs, so the list and the detail keep that row's height.
        self.action_bar = QWidget(self.tabs)
        buttons = QHBoxLayout(self.action_bar)
        buttons.setContentsMargins(0, 0, 0, 2)
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.again_button)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, findings)
        self.tree = QTreeWidget(self.splitter)
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(True)
        wrap_items(self.tree)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.currentItemChanged.connect(self._on_current)
        self.detail = DetailPane(seams.copy_text, seams.open_url, self.splitter)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        fl.addWidget(self.splitter, 1)
        self.tabs.addTab(findings, "")
        self.tabs.setCornerWidget(self.action_bar, Qt.Corner.TopRightCorner)

        pictured = QWidget(self.tabs)
        dl = QVBoxLayout(pictured)
        dl.setContentsMargins(6, 6, 6, 6)
        self.diagram_hint = label(muted=True)
        self.diagram = DiagramWidget(pictured)
        self.diagram.componentClicked.connect(self.filter_by_component)
        self.diagram_area = QScrollArea(pictured)
        self.diagram_area.setWidgetResizable(True)
        self.diagram_area.setWidget(self.diagram)
        self.diagram_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        dl.addWidget(self.diagram_hint)
        dl.addWidget(self.diagram_area, 1)
        self.tabs.addTab(pictured, "")
        self.tabs.currentChanged.connect(self._on_tab)

        QWidget.setTabOrder(self.tabs, self.compare_button)
        QWidget.setTabOrder(self.compare_button, self.again_button)
        QWidget.setTabOrder(self.again_button, self.filter_combo)
        QWidget.setTabOrder(self.filter_combo, self.only_problems)
        QWidget.setTabOrder(self.only_problems, self.tree)
        QWidget.setTabOrder(self.tree, self.detail)
        self.tabs.setMinimumHeight(TABS_MIN_HEIGHT)

    # -- size and focus -------------------------------------------------------------------
    def set_compact(self, compact: bool) -> None:
        """Small windows: the list above the detail, a verdict of normal size, the host line hidden."""
        super().set_compact(compact)
        self.splitter.setOrientation(Qt.Orientation.Vertical if compact else Qt.Orientation.Horizontal)
        self.tabs.setMinimumHeight(COMPACT_TABS_MIN_HEIGHT if compact else TABS_MIN_HEIGHT)
        font = QFont(self._verdict_font)
        if compact:
            font.setPointSizeF(self._verdict_font.pointSizeF() / 1.2)
        self.verdict_text.setFont(font)
        size = 20 if compact else 32
        self.verdict_icon.setFixedSize(size, size)
        self._show_verdict()
        self._show_verdict_icon()
        self.facts.setVisible(not compact and bool(self.facts.text()))
        self.setSubTitle("" if compact else self.t("What was found, what it means for the backup, and what to do."))

    def _show_verdict(self) -> None:
        """The verdict's sentences, or in a small window its one short line with the sentences as tooltip."""
        answer = self.session.answer()
        if answer is None:
            return
        self.verdict_text.setText(answer.verdict_short if self.compact else answer.verdict)
        self.verdict_text.setToolTip(answer.verdict if self.compact else "")
        self.verdict_text.setAccessibleDescription(answer.verdict)

    def _show_verdict_icon(self) -> None:
        answer = self.session.answer()
        if answer is not None:
            size = self.verdict_icon.width()
            self.verdict_icon.setPixmap(status_icon(answer.verdict_status).pixmap(size, size))

    def focus_widget(self) -> QWidget | None:
        return self.tree

    def _on_tab(self, index: int) -> None:
        """Keys go where the eyes are: the diagram's tab focuses the diagram, the findings' the list."""
        if index == DIAGRAM_TAB:
            self.diagram.setFocus(Qt.FocusReason.TabFocusReason)
        elif self.isVisible():
            self.tree.setFocus(Qt.FocusReason.TabFocusReason)

    # -- filters ----------------------------------------------------------------------
    def filter_by_component(self, component: str | None) -> None:
        """Show only `component`'s findings (None: all), on the Findings tab."""
        self.component_filter = component if component in {c.value for c in Component} else None
        index = 0 if self.component_filter is None else 1 + list(Component).index(Component(self.component_filter))
        self.filter_combo.blockSignals(True)
        self.filter_combo.setCurrentIndex(index)
        self.filter_combo.blockSignals(False)
        self.diagram.set_selected(self.component_filter)
        self.populate()
        self.tabs.setCurrentIndex(FINDINGS_TAB)

    def _on_combo(self, index: int) -> None:
        self.filter_by_component(None if index <= 0 else list(Component)[index - 1].value)

    def _visible(self, f: FindingView) -> bool:
        if self.component_filter and f.component.value != self.component_filter:
            return False
        return not (self.only_problems.isChecked() and not f.needs_detail)

    # -- building the page ----------------------------------------------------------------
    def initializePage(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        answer = self.session.answer()
        t = self.t
        if answer is None:
            self.verdict_text.setText(t("No results yet."))
            self.facts.setText("")
            self.tree.clear()
            self.detail.show_empty(t)
            return
        self._show_verdict()
        self._show_verdict_icon()
        self.facts.setText(" · ".join(x for x in (answer.host_line, answer.vm_line) if x))
        self.facts.setVisible(not self.compact and bool(self.facts.text()))
        tips = {comp.value: t("{component}: {status}. Click to list its findings.",
                              component=t(COMPONENT_NAMES[comp]), status=answer.diagram.labels[comp])
                for comp in Component}
        from wizard.present.diagram import render_svg  # loads with the first result, not the first page

        self.diagram.set_svg(render_svg(answer.diagram, t), tips)
        self.diagram.setAccessibleDescription(answer.diagram.description)
        self.diagram.set_selected(self.component_filter)
        self.populate()

    def populate(self) -> None:
        """Rebuild the findings tree from the answer and the filters, keeping the selection (the first cause
        is selected when nothing was)."""
        t = self.t
        answer = self.session.answer()
        keep = self.detail.shown
        self.tree.clear()
        self._items = {}
        if answer is None:
            return
        bold = QFont(self.tree.font())
        bold.setBold(True)
        card = answer.symptom
        if card is not None and (card.get("code") or card.get("input")):
            code = str(card["code"]) if card.get("code") else None
            # the code alone on its second line: a long code has no place to wrap
            text = (t("Portal error code: {code}", code="\n" + code) if code else
                    t("Portal error code not recognised: {text}", text=str(card.get("input") or "")[:80]))
            item = QTreeWidgetItem(self.tree, [text])
            item.setFirstColumnSpanned(True)
            item.setData(0, KEY_ROLE, SYMPTOM_KEY)
            item.setIcon(0, status_icon(Status.INFO))
            self._items[SYMPTOM_KEY] = item
        causes = [c for c in answer.causes if self._visible(c.cause)]
        if causes:
            group = self._group(t("What needs attention"), bold)
            for cause in causes:
                parent = self._result_item(group, cause.cause)
                for f in cause.consequences:
                    if self._visible(f):
                        self._result_item(parent, f)
        # A consequence whose cause the filter hides is listed with the other results of its component.
        orphans = [f for c in answer.causes if not self._visible(c.cause) for f in c.consequences if self._visible(f)]
        shown_rest = 0
        for phase_text, comp_text, members in self._rest_groups(answer, orphans):
            group = self._group(f"{phase_text} › {comp_text}", bold)
            for f in members:
                self._result_item(group, f)
                shown_rest += 1
        if (not self.only_problems.isChecked() and self.component_filter in (None, Component.VAULT.value)):
            group = self._group(phase_label(Phase.TRANSFER_TO_VAULT, t), bold)
            note = QTreeWidgetItem(group, [t("{summary} Nothing inside the VM takes part in it, so there is "
                                             "nothing to check here.",
                                             summary=t.msg(Msg(PHASE_SUMMARIES[Phase.TRANSFER_TO_VAULT])))])
            note.setFirstColumnSpanned(True)
            note.setFlags(Qt.ItemFlag.ItemIsEnabled)
            note.setToolTip(0, note.text(0))
        if not causes and not shown_rest and SYMPTOM_KEY not in self._items:
            empty = QTreeWidgetItem(self.tree, [t("Nothing to show with these filters.")])
            empty.setFirstColumnSpanned(True)
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.tree.expandAll()
        target = self._items.get(keep or "") or self._first_item()
        if target is not None:
            self.tree.setCurrentItem(target)
            self._on_current(target, None)
        else:
            self.detail.show_empty(t)

    def _rest_groups(self, answer: Answer, orphans: list[FindingView]) -> list[tuple[str, str, list[FindingView]]]:
        """The answer's groups (in its order) with the visible results, plus the orphaned consequences."""
        out: list[tuple[str, str, list[FindingView]]] = []
        for g in answer.groups:
            members = [f for f in g.findings if self._visible(f)]
            members += [f for f in orphans if f.component is g.component and f.phase is g.phase]
            if members:
                out.append((g.phase_label, g.component_label, members))
        placed = {f.id for _, _, members in out for f in members}
        for f in orphans:
            if f.id not in placed:
                out.append((f.phase_label, f.component_label, [f]))
                placed.add(f.id)
        return out

    def _group(self, text: str, font: QFont) -> QTreeWidgetItem:
        group = QTreeWidgetItem(self.tree, [text])
        group.setFirstColumnSpanned(True)
        group.setFont(0, font)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return group

    def _result_item(self, parent: QTreeWidgetItem, f: FindingView) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [f.status_label, f.title])
        item.setIcon(0, status_icon(f.status))
        item.setData(0, KEY_ROLE, f.id)
        item.setToolTip(1, f.summary)
        self._items[f.id] = item
        return item

    def _first_item(self) -> QTreeWidgetItem | None:
        for key, item in self._items.items():
            if key != SYMPTOM_KEY:
                return item
        return self._items.get(SYMPTOM_KEY)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        t = self.t
        key = item.data(0, KEY_ROLE) if item is not None else None
        answer = self.session.answer()
        if answer is None:
            self.detail.show_empty(t)
            return
        if key == SYMPTOM_KEY and answer.symptom is not None:
            self.detail.show_symptom(answer.symptom, t)
            return
        finding = answer.findings.get(str(key)) if key else None
        if finding is None:
            self.detail.show_empty(t)
            return
        code = str(answer.symptom["code"]) if finding.related and answer.symptom and answer.symptom.get("code") \
            else None
        glossary = {g.key: g for g in answer.glossary}
        self.detail.show_result(finding, t, related_code=code,
                                terms=[glossary[k] for k in finding.terms if k in glossary])

    def visible_ids(self) -> list[str]:
        """The check ids listed now, top to bottom (the error-code item excluded)."""
        return [k for k in self._items if k != SYMPTOM_KEY]

    # -- text -------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        t = self.t
        self.setTitle(t("Results"))
        self.setSubTitle("" if self.compact else t("What was found, what it means for the backup, and what to do."))
        self.tabs.setTabText(FINDINGS_TAB, t("&Findings"))
        self.tabs.setTabText(DIAGRAM_TAB, t("Phase &diagram"))
        self.filter_label.setText(t("&Show:"))
        self.filter_combo.blockSignals(True)
        self.filter_combo.clear()
        self.filter_combo.addItem(t("All components"))
        for comp in Component:
            self.filter_combo.addItem(component_label(comp, t))
        index = 0 if self.component_filter is None else 1 + list(Component).index(Component(self.component_filter))
        self.filter_combo.setCurrentIndex(index)
        self.filter_combo.blockSignals(False)
        self.filter_combo.setAccessibleName(t("Show the findings of"))
        self.filter_combo.setAccessibleDescription(t("Show only the findings of one part of the backup path."))
        self.tabs.setTabToolTip(FINDINGS_TAB, t("The findings as a list, each with what it means and what to do."))
        self.tabs.setTabToolTip(DIAGRAM_TAB, t("The two phases of a backup job, coloured by what was found."))
        self.tree.setAccessibleDescription(t("Select a finding to see what it means and what to do."))
        self.only_problems.setText(t("&Only problems"))
        self.only_problems.setToolTip(t("Show only problems, warnings and checks that failed."))
        self.again_button.setText(t("&Run again"))
        self.again_button.setToolTip(t("Run every check again on this VM, for example after a fix."))
        self.compare_button.setText(t("Co&mpare with an earlier diagnosis…"))
        self.compare_button.setToolTip(t("Show which causes were fixed, which remain and which are new, against "
                                         "the last diagnosis kept or another saved one."))
        self.tree.setHeaderLabels([t("Status"), t("Finding")])
        self.tree.setAccessibleName(t("Findings"))
        self.detail.setAccessibleName(t("Details of the selected finding"))
        self.diagram_hint.setText(t("The two phases of a backup job, coloured by what was found. Click a component "
                                    "(or use the arrow keys and Enter) to list its findings."))
        self.diagram.setAccessibleName(t("Phase diagram"))
        self.refresh()
