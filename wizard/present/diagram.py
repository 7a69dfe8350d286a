"""The phase diagram as one SVG, shared by the Qt wizard and the HTML report.

Left to right: guest OS → VM agent → backup extension → in-guest firewall / proxy → Wire Server
168.63.129.16 (TCP 80, 32526) → snapshot on the host → Recovery Services vault. A "VM" box
surrounds the components inside the guest; Take Snapshot is bracketed above (guest OS to the
snapshot) and Transfer data to vault below (snapshot to vault), the transfer drawn as a dashed
back-end arrow that does not pass the VM's NIC.

Each component is coloured by the worst status of its results and carries a symbol drawn as
shapes (never colour alone) plus the status in words; the link into a component with a problem
is drawn broken (a gap and a red X). Labels come from the translator and are wrapped by a rough
width estimate (CJK 1 em, Latin about 0.6 em), keeping katakana words, kanji compounds and short
parenthesised groups whole and honouring the basic kinsoku rules; boxes grow to fit the text.

Written for SVG Tiny 1.2 so Qt's `QSvgRenderer` and browsers draw it alike: presentation
attributes only, no CSS, markers, filters, foreignObject or text wrapping features. Qt takes the
whole font-family list as one family name and so falls back to its default sans-serif font (with
CJK fallback); the width estimate is generous enough for both. The output is deterministic: the
same diagnosis and language give the same bytes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from wizard.i18n import N_, Translator
from wizard.knowledge.phases import PHASE_NAMES
from wizard.model import SEVERITY, Component, Diagnosis, Phase, Status
from wizard.present.diagram_state import COMPONENT_NAMES, OUTSIDE_NAME, DiagramState, diagram_state
from wizard.present.linebreak import fit_text
from wizard.present.styles import STYLES, StatusStyle

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

WIDTH = 960
MARGIN = 14
FONT_FAMILY = "'Noto Sans CJK JP', 'Yu Gothic UI', Meiryo, sans-serif"

NODE_W = 102
GAP = 34
GAP_TRANSFER = 54
NODE_Y = 74
MIN_NODE_H = 160
NAME_SIZES = (13.0, 12.0, 11.0)
DETAIL_SIZES = (11.0, 10.0, 9.0)
STATUS_SIZES = (12.0, 11.0, 10.0)
LINK_COLOUR = "#3C4043"
TEXT_COLOUR = "#202124"
MUTED_COLOUR = "#4A4F55"


NEUTRAL = StatusStyle("#5F6368", "#FFFFFF", "circle-dash", N_("No results"))
OUTSIDE = StatusStyle("#5F6368", "#FFFFFF", "circle-dash", OUTSIDE_NAME)

COMPONENT_DETAILS: dict[Component, str] = {
    Component.GUEST: N_("CPU, memory, disks, VSS / fsfreeze"),
    Component.AGENT: N_("Service, version, settings"),
    Component.EXTENSION: "VMSnapshot / VMSnapshotLinux",
    Component.NETWORK_PATH: N_("Rules and proxy settings in the guest"),
    Component.WIRESERVER: N_("168.63.129.16, TCP ports 80 and 32526"),
    Component.SNAPSHOT: N_("Taken by the host, kept for instant restore"),
    Component.VAULT: N_("Backup data storage"),
}

TRANSLATABLE_DETAILS = frozenset({c for c in Component if c is not Component.EXTENSION})
OUTSIDE_VM = frozenset({Component.SNAPSHOT, Component.VAULT})
INSIDE_VM = (Component.GUEST, Component.AGENT, Component.EXTENSION, Component.NETWORK_PATH)

TITLE_EMPTY = N_("Azure VM Backup: the two phases of a backup job")
TITLE_DIAGNOSIS = N_("Azure VM Backup: the two phases of a backup job, with this VM's results")
NAMED_PHASE_COLOUR = "#A15C00"
VM_LABEL = N_("VM")
TRANSFER_NOTE = N_("Back-end traffic: does not pass through the VM's NIC and needs no internet access.")
NETWORK_NOTE = N_("Only the firewall or a proxy inside the VM can block 168.63.129.16. Network security "
                  "groups, Azure Firewall, routes and forced tunnelling do not.")

# --- text measuring and wrapping -----------------------------------------------------------

# --- SVG building --------------------------------------------------------------------------


def _esc(text: str) -> str:
    text = _INVALID_XML.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(*xy: float) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in zip(xy[::2], xy[1::2], strict=True))


def _attrs(**attrs: str | float | None) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f'{name}="{_esc(_n(value) if isinstance(value, float | int) else value)}"')
    return " ".join(parts)


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, tag: str, **attrs: str | float | None) -> None:
        self.parts.append(f"<{tag} {_attrs(**attrs)}/>")

    def open(self, tag: str, **attrs: str | float | None) -> None:
        rendered = _attrs(**attrs)
        self.parts.append(f"<{tag} {rendered}>" if rendered else f"<{tag}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def text_lines(self, lines: list[str], x: float, y: float, size: float, line_height: float,
                   anchor: str = "middle", bold: bool = False, fill: str = TEXT_COLOUR,
                   id_: str | None = None) -> float:
        """Draw lines as one <text> per line; returns the baseline after the last line."""
        for i, line in enumerate(lines):
            attrs = _attrs(id_=f"{id_}-{i}" if id_ else None, x=x, y=y, font_size=size,
                           text_anchor=anchor, fill=fill, font_weight="bold" if bold else None)
            self.parts.append(f"<text {attrs}>{_esc(line)}</text>")
            y += line_height
        return y


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class _NodeText:
    """The wrapped text of one component box, measured before anything is drawn."""

    name: tuple[float, list[str]]
    detail: tuple[float, list[str]]
    status: tuple[float, list[str]] | None

    def height(self, has_symbol: bool) -> float:
        size, lines = self.name
        dsize, dlines = self.detail
        h = (50.0 if has_symbol else 26.0) + len(lines) * (size + 3) + len(dlines) * (dsize + 3)
        if self.status:
            ssize, slines = self.status
            h += 12 + len(slines) * (ssize + 2)
        return h + 6


def _node_texts(t: Translator, statuses: dict[Component, Status | None],
                has_diagnosis: bool) -> dict[Component, _NodeText]:
    inner = NODE_W - 8
    out: dict[Component, _NodeText] = {}
    for comp in Component:
        detail = COMPONENT_DETAILS[comp]
        detail = t(detail) if comp in TRANSLATABLE_DETAILS else detail
        status = None
        if has_diagnosis:
            label = t(_style(comp, statuses[comp], has_diagnosis).label)
            status = fit_text(label, inner, STATUS_SIZES, 2, bold=True)
        out[comp] = _NodeText(
            name=fit_text(t(COMPONENT_NAMES[comp]), inner, NAME_SIZES, 4, bold=True),
            detail=fit_text(detail, inner, DETAIL_SIZES, 4, ideal_lines=3),
            status=status,
        )
    return out


def _layout(node_h: float) -> dict[Component, _Box]:
    order = list(Component)
    total = len(order) * NODE_W + (len(order) - 2) * GAP + GAP_TRANSFER
    x = (WIDTH - total) / 2
    boxes: dict[Component, _Box] = {}
    for i, comp in enumerate(order):
        boxes[comp] = _Box(x, NODE_Y, NODE_W, node_h)
        x += NODE_W + (GAP_TRANSFER if i == len(order) - 2 else GAP)
    return boxes


def _style(comp: Component, status: Status | None, has_diagnosis: bool) -> StatusStyle:
    if status is not None:
        return STYLES[status]
    if has_diagnosis and comp in OUTSIDE_VM:
        return OUTSIDE
    return NEUTRAL


def _symbol(svg: _Svg, shape: str, colour: str, cx: float, cy: float, r: float, id_: str | None) -> None:
    """A status symbol drawn with shapes, white on the status colour (outline only for 'no results')."""
    white = "#FFFFFF"
    w = max(2.0, r / 5)
    svg.open("g", id_=id_)
    if shape == "triangle-bang":
        pts = _points(cx, cy - r * 1.1, cx + r * 1.15, cy + r * 0.9, cx - r * 1.15, cy + r * 0.9)
        svg.add("polygon", points=pts, fill=colour, stroke=colour, stroke_width=1.5, stroke_linejoin="round")
    elif shape == "square-bang":
        svg.add("rect", x=cx - r, y=cy - r, width=2 * r, height=2 * r, rx=r / 4, fill=colour)
    elif shape == "circle-dash":
        svg.add("circle", cx=cx, cy=cy, r=r - 1, fill="#FFFFFF", stroke=colour, stroke_width=2)
    else:
        svg.add("circle", cx=cx, cy=cy, r=r, fill=colour)
    if shape == "circle-check":
        pts = _points(cx - r * 0.45, cy + r * 0.02, cx - r * 0.1, cy + r * 0.38, cx + r * 0.5, cy - r * 0.38)
        svg.add("polyline", points=pts, fill="none", stroke=white, stroke_width=w, stroke_linecap="round",
                stroke_linejoin="round")
    elif shape == "circle-x":
        d = r * 0.4
        svg.add("line", x1=cx - d, y1=cy - d, x2=cx + d, y2=cy + d, stroke=white, stroke_width=w,
                stroke_linecap="round")
        svg.add("line", x1=cx - d, y1=cy + d, x2=cx + d, y2=cy - d, stroke=white, stroke_width=w,
                stroke_linecap="round")
    elif shape in ("triangle-bang", "square-bang"):
        top, bottom = (cy - r * 0.45, cy + r * 0.15) if shape == "triangle-bang" else (cy - r * 0.55, cy + r * 0.2)
        svg.add("line", x1=cx, y1=top, x2=cx, y2=bottom, stroke=white, stroke_width=w, stroke_linecap="round")
        svg.add("circle", cx=cx, cy=bottom + r * 0.38, r=w * 0.6, fill=white)
    elif shape == "circle-i":
        svg.add("circle", cx=cx, cy=cy - r * 0.45, r=w * 0.6, fill=white)
        svg.add("line", x1=cx, y1=cy - r * 0.1, x2=cx, y2=cy + r * 0.5, stroke=white, stroke_width=w,
                stroke_linecap="round")
    elif shape == "circle-question":
        attrs = _attrs(x=cx, y=cy + r * 0.42, font_size=r * 1.3, font_weight="bold", text_anchor="middle",
                       fill=white)
        svg.parts.append(f"<text {attrs}>?</text>")
    elif shape == "circle-dash":
        svg.add("line", x1=cx - r * 0.4, y1=cy, x2=cx + r * 0.4, y2=cy, stroke=colour, stroke_width=2,
                stroke_linecap="round")
    svg.close("g")


def _arrow_head(svg: _Svg, x: float, y: float, colour: str) -> None:
    svg.add("polygon", points=_points(x, y, x - 8, y - 5, x - 8, y + 5), fill=colour)


def _link(svg: _Svg, comp: Component, a: _Box, b: _Box, broken: bool, dashed: bool) -> None:
    y = a.cy
    x1, x2 = a.right + 2, b.x - 2
    cls = "link broken" if broken else "link"
    if dashed:
        cls += " transfer"
    svg.open("g", id_=f"link-{comp.value}", class_=cls)
    dash = "6 4" if dashed else None
    if broken:
        mid = (x1 + x2) / 2
        svg.add("line", x1=x1, y1=y, x2=mid - 7, y2=y, stroke=STYLES[Status.PROBLEM].stroke, stroke_width=2,
                stroke_dasharray=dash)
        svg.add("line", x1=mid + 7, y1=y, x2=x2 - 6, y2=y, stroke=STYLES[Status.PROBLEM].stroke, stroke_width=2,
                stroke_dasharray=dash)
        _arrow_head(svg, x2, y, STYLES[Status.PROBLEM].stroke)
        svg.open("g", id_=f"break-{comp.value}")
        for dy in (-1, 1):
            svg.add("line", x1=mid - 5, y1=y - 5 * dy, x2=mid + 5, y2=y + 5 * dy,
                    stroke=STYLES[Status.PROBLEM].stroke, stroke_width=3, stroke_linecap="round")
        svg.close("g")
    else:
        svg.add("line", x1=x1, y1=y, x2=x2 - 6, y2=y, stroke=LINK_COLOUR, stroke_width=2, stroke_dasharray=dash)
        _arrow_head(svg, x2, y, LINK_COLOUR)
    svg.close("g")


def _node(svg: _Svg, comp: Component, box: _Box, status: Status | None, text: _NodeText,
          has_diagnosis: bool) -> None:
    style = _style(comp, status, has_diagnosis)
    cls = f"node status-{status.value}" if status else "node status-none"
    svg.open("g", id_=f"component-{comp.value}", class_=cls)
    svg.add("rect", id_=f"node-{comp.value}", x=box.x, y=box.y, width=box.w, height=box.h, rx=8,
            fill=style.fill, stroke=style.stroke, stroke_width=3 if status is Status.PROBLEM else 1.5)
    y = box.y + 22
    if has_diagnosis:
        _symbol(svg, style.shape, style.stroke, box.cx, box.y + 22, 12, f"symbol-{comp.value}")
        y = box.y + 54
    size, lines = text.name
    y = svg.text_lines(lines, box.cx, y, size, size + 3, bold=True, id_=f"name-{comp.value}")
    dsize, dlines = text.detail
    svg.text_lines(dlines, box.cx, y + 1, dsize, dsize + 3, fill=MUTED_COLOUR, id_=f"detail-{comp.value}")
    if text.status:
        ssize, slines = text.status
        top = box.y + box.h - 10 - (len(slines) - 1) * (ssize + 2)
        svg.text_lines(slines, box.cx, top, ssize, ssize + 2, bold=True, fill=style.stroke,
                       id_=f"status-{comp.value}")
    svg.close("g")


def _bracket(svg: _Svg, id_: str, x1: float, x2: float, y: float, tick: float, named: bool = False) -> None:
    """A phase bracket; the phase the user said failed is drawn thicker and in amber."""
    svg.add("polyline", id_=id_, points=_points(x1, y + tick, x1, y, x2, y, x2, y + tick), fill="none",
            stroke=NAMED_PHASE_COLOUR if named else LINK_COLOUR, stroke_width=4 if named else 2)


def render_svg(source: DiagramState | Diagnosis | None, translator: Translator) -> str:
    """The phase diagram for an answer's diagram state (statuses drawn), for a diagnosis (its state worked
    out here), or for nothing (the plain explanation)."""
    t = translator
    state = source if isinstance(source, DiagramState) else state_for(source, t)
    has_diagnosis = state.has_diagnosis
    statuses = state.statuses
    named = state.named_phase
    texts = _node_texts(t, statuses, has_diagnosis)
    node_h = max([MIN_NODE_H if has_diagnosis else MIN_NODE_H - 40]
                 + [nt.height(has_diagnosis) for nt in texts.values()])
    boxes = _layout(node_h)
    first, snapshot, vault = boxes[Component.GUEST], boxes[Component.SNAPSHOT], boxes[Component.VAULT]
    body = _Svg()

    # Take Snapshot bracket, above.
    take_size, take_lines = fit_text(t(PHASE_NAMES[Phase.TAKE_SNAPSHOT]), snapshot.right - first.x,
                                     (15.0, 14.0, 13.0), 1, bold=True)
    body.open("g", id_="phase-take_snapshot")
    body.text_lines(take_lines, (first.x + snapshot.right) / 2, 24, take_size, take_size + 3, bold=True,
                    id_="label-take_snapshot")
    _bracket(body, "bracket-take_snapshot", first.x, snapshot.right, 34, 8, named is Phase.TAKE_SNAPSHOT)
    body.close("g")

    # VM boundary around the components inside the guest.
    inside_right = boxes[INSIDE_VM[-1]].right
    vm = _Box(first.x - 8, NODE_Y - 24, inside_right - first.x + 8 + 8, node_h + 24 + 10)
    body.open("g", id_="vm-boundary")
    body.add("rect", id_="vm-box", x=vm.x, y=vm.y, width=vm.w, height=vm.h, rx=10, fill="#F8F9FA",
             stroke="#5F6368", stroke_width=1.5)
    body.text_lines([t(VM_LABEL)], vm.x + 10, vm.y + 17, 13, 16, anchor="start", bold=True, id_="label-vm")
    body.close("g")

    # Links: the Take Snapshot chain, then the dashed back-end transfer.
    order = list(Component)
    for prev, comp in itertools.pairwise(order):
        broken = comp in state.broken
        _link(body, comp, boxes[prev], boxes[comp], broken, dashed=comp is Component.VAULT)

    for comp in order:
        _node(body, comp, boxes[comp], statuses[comp], texts[comp], has_diagnosis)

    # Transfer data to vault bracket, below, with its note.
    bracket_y = NODE_Y + node_h + 18
    body.open("g", id_="phase-transfer_to_vault")
    _bracket(body, "bracket-transfer_to_vault", snapshot.x, vault.right, bracket_y + 8, -8,
             named is Phase.TRANSFER_TO_VAULT)
    label_w = 290.0
    centre = min((snapshot.x + vault.right) / 2, WIDTH - MARGIN - label_w / 2)
    tsize, tlines = fit_text(t(PHASE_NAMES[Phase.TRANSFER_TO_VAULT]), label_w, (15.0, 14.0, 13.0), 2,
                             bold=True, ideal_lines=1)
    y = body.text_lines(tlines, centre, bracket_y + 30, tsize, tsize + 3, bold=True,
                        id_="label-transfer_to_vault")
    nsize, nlines = fit_text(t(TRANSFER_NOTE), label_w, (12.0, 11.0), 3, ideal_lines=2)
    y = body.text_lines(nlines, centre, y, nsize, nsize + 4, fill=MUTED_COLOUR, id_="note-transfer")
    body.close("g")

    # What inside the VM matters, under the VM box, left of the transfer label.
    note_w = centre - label_w / 2 - 16 - first.x
    msize, mlines = fit_text(t(NETWORK_NOTE), note_w, (13.0, 12.0, 11.0), 3, ideal_lines=2)
    note_bottom = body.text_lines(mlines, first.x, vm.y + vm.h + 24, msize, msize + 5, anchor="start",
                                  fill=MUTED_COLOUR, id_="note-network")
    height = max(y, note_bottom) + 6

    if has_diagnosis:
        legend_y = height + 14
        body.open("g", id_="legend")
        step = (WIDTH - 2 * MARGIN) / len(SEVERITY)
        for i, status in enumerate(SEVERITY):
            style = STYLES[status]
            x = MARGIN + i * step
            _symbol(body, style.shape, style.stroke, x + 10, legend_y, 8, f"legend-{status.value}")
            lsize, llines = fit_text(t(style.label), step - 30, (12.0, 11.0, 10.0), 1)
            body.text_lines(llines, x + 24, legend_y + 4, lsize, lsize, anchor="start")
        body.close("g")
        height = legend_y + 20

    title = t(TITLE_DIAGNOSIS if has_diagnosis else TITLE_EMPTY)
    desc = state.description
    h = _n(float(round(height)))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" width="{WIDTH}" '
        f'height="{h}" viewBox="0 0 {WIDTH} {h}">'
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        head,
        f'<title id="diagram-title">{_esc(title)}</title>',
        f'<desc id="diagram-desc">{_esc(desc)}</desc>',
        f'<rect id="background" x="0" y="0" width="{WIDTH}" height="{h}" fill="#FFFFFF"/>',
        f'<g id="diagram" font-family="{_esc(FONT_FAMILY)}" fill="{TEXT_COLOUR}">',
        *body.parts,
        "</g>",
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def state_for(diagnosis: Diagnosis | None, t: Translator) -> DiagramState:
    """The diagram state of a diagnosis (what `build_answer` computes), or of none."""
    if diagnosis is None:
        return diagram_state(None, None, t)
    from wizard.present.causes import find_causes

    return diagram_state(diagnosis, find_causes(diagnosis.results), t)
