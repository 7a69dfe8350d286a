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
import unicodedata
from dataclasses import dataclass

from wizard.i18n import N_, Translator
from wizard.knowledge.phases import PHASE_NAMES
from wizard.model import SEVERITY, Component, Diagnosis, Phase, Status, worst

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


@dataclass(frozen=True)
class StatusStyle:
    """How one status is drawn: outline/symbol colour, node fill, symbol shape and its name."""

    stroke: str
    fill: str
    shape: str
    label: str


STYLES: dict[Status, StatusStyle] = {
    Status.PROBLEM: StatusStyle("#B3261E", "#FDECEA", "circle-x", N_("Problem")),
    Status.WARNING: StatusStyle("#8A4B00", "#FFF4E5", "triangle-bang", N_("Warning")),
    Status.ERROR: StatusStyle("#6A1B9A", "#F6EDF9", "square-bang", N_("Check failed")),
    Status.NOT_CHECKED: StatusStyle("#53575E", "#F1F3F4", "circle-question", N_("Not checked")),
    Status.INFO: StatusStyle("#0B57D0", "#EAF1FB", "circle-i", N_("Info")),
    Status.OK: StatusStyle("#1E6B2E", "#E9F4EA", "circle-check", N_("OK")),
}
NEUTRAL = StatusStyle("#5F6368", "#FFFFFF", "circle-dash", N_("No results"))
OUTSIDE = StatusStyle("#5F6368", "#FFFFFF", "circle-dash", N_("Not checked (Azure side)"))

COMPONENT_NAMES: dict[Component, str] = {
    Component.GUEST: N_("Guest OS"),
    Component.AGENT: N_("VM agent"),
    Component.EXTENSION: N_("Backup extension"),
    Component.NETWORK_PATH: N_("In-guest firewall / proxy"),
    Component.WIRESERVER: N_("WireServer"),
    Component.SNAPSHOT: N_("Snapshot on the host"),
    Component.VAULT: N_("Recovery Services vault"),
}

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
DESC_FLOW = N_("Take Snapshot runs inside and around the VM: guest OS, VM agent, backup extension, in-guest "
               "firewall or proxy, the Wire Server 168.63.129.16 on TCP ports 80 and 32526, and the snapshot "
               "on the host. Transfer data to vault then copies the snapshot to the Recovery Services vault "
               "in Azure's back end, without passing through the VM's network interface.")
DESC_COMPONENT = N_("{component}: {status}.")
DESC_BROKEN = N_("The link into {component} is drawn broken because a problem was found there.")
DESC_NAMED_PHASE = N_("The portal showed the failure in the {phase}; its bracket is drawn thicker.")
NAMED_PHASE_COLOUR = "#A15C00"
VM_LABEL = N_("VM")
TRANSFER_NOTE = N_("Back-end traffic: does not pass through the VM's NIC and needs no internet access.")
NETWORK_NOTE = N_("Only the firewall or a proxy inside the VM can block 168.63.129.16. Network security "
                  "groups, Azure Firewall, routes and forced tunnelling do not.")

# --- text measuring and wrapping -----------------------------------------------------------

_NO_LINE_START = set("、。，．,.:;!?％%)]}）」』】〕〉》ー・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
_NO_LINE_END = set("([{（「『【〔〈《")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _char_em(ch: str, bold: bool) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        em = 0.32
    elif ch in "il.,:;|!'()[]/-":
        em = 0.34
    elif ch.isupper() or ch in "mwMW%@":
        em = 0.72
    else:
        em = 0.6
    return em * (1.1 if bold else 1.0)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A rough, slightly generous rendered width in pixels: CJK 1 em; Latin about 0.6 em, which covers
    both Noto Sans (browsers) and DejaVu Sans (Qt's fallback when it ignores the font list)."""
    return sum(_char_em(c, bold) for c in text) * size


def _script(ch: str) -> str:
    """The run a character belongs to: Latin words, katakana words and kanji compounds stay whole;
    every other wide character (kana, punctuation) is a piece of its own."""
    if ch.isspace():
        return "space"
    if "\u30a1" <= ch <= "\u30fc":
        return "katakana"
    if "\u4e00" <= ch <= "\u9fff" or ch == "\u3005":
        return "kanji"
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return "other_wide"
    return "narrow"


def _atoms(text: str) -> list[str]:
    """Unbreakable pieces: Latin words, katakana words, kanji compounds, other single wide characters
    (kinsoku-glued), single spaces."""
    atoms: list[str] = []
    word = ""
    kind = ""
    for ch in text:
        k = _script(ch)
        if word and (k != kind or k in ("space", "other_wide")):
            atoms.append(" " if kind == "space" else word)
            word = ""
        word += ch
        kind = k
    if word:
        atoms.append(" " if kind == "space" else word)
    glued: list[str] = []
    for atom in atoms:
        if glued and atom != " " and glued[-1] != " " and (
            atom[0] in _NO_LINE_START or glued[-1][-1] in _NO_LINE_END
        ):
            glued[-1] += atom
        else:
            glued.append(atom)
    return _keep_short_brackets(glued)


def _keep_short_brackets(atoms: list[str]) -> list[str]:
    """Join a short full-width parenthesis group, spaces included, into one atom: "（Azure 側）"."""
    out: list[str] = []
    i = 0
    while i < len(atoms):
        start = atoms[i].find("（")
        if start != -1 and "）" not in atoms[i][start:]:
            j = i + 1
            while j < len(atoms) and "）" not in atoms[j]:
                j += 1
            group = "".join(atoms[i:j + 1])
            if j < len(atoms) and len(group) - start <= 12:
                out.append(group)
                i = j + 1
                continue
        out.append(atoms[i])
        i += 1
    return out


def wrap_text(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy line breaking at spaces and between CJK characters; over-long words are split."""
    lines: list[str] = []
    current = ""
    space = False
    for atom in _atoms(text):
        if atom == " ":
            space = bool(current)
            continue
        candidate = f"{current} {atom}" if space else current + atom
        space = False
        if not current or text_width(candidate, size, bold) <= width:
            current = candidate
        else:
            lines.append(current)
            current = atom
        while text_width(current, size, bold) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and text_width(current[:cut], size, bold) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def fit_text(text: str, width: float, sizes: tuple[float, ...], max_lines: int,
             bold: bool = False, ideal_lines: int | None = None) -> tuple[float, list[str]]:
    """The largest font size whose wrapped text has at most `ideal_lines` (then `max_lines`) lines without
    splitting a word; then allowing over-long words to be split; else the smallest size, cut to
    `max_lines` with an ellipsis."""
    widest = max((text_width(a, 1.0, bold) for a in _atoms(text)), default=0.0)
    passes = [(ideal_lines or max_lines, False), (max_lines, False), (max_lines, True)]
    for limit, may_split in dict.fromkeys(passes):
        for size in sizes:
            if widest * size > width and not may_split:
                continue
            lines = wrap_text(text, width, size, bold)
            if len(lines) <= limit:
                return size, lines
    size = sizes[-1]
    lines = wrap_text(text, width, size, bold)[:max_lines]
    last = lines[-1]
    while last and text_width(last + "…", size, bold) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return size, lines


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


def component_statuses(diagnosis: Diagnosis | None) -> dict[Component, Status | None]:
    """The worst status of each component's results (None when it has none)."""
    out: dict[Component, Status | None] = {}
    for comp in Component:
        statuses = [r.status for r in diagnosis.results if r.component == comp] if diagnosis else []
        out[comp] = worst(statuses)
    return out


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


def named_phase(diagnosis: Diagnosis | None) -> Phase | None:
    """The phase the user said failed (the symptom's), if any."""
    value = (diagnosis.symptom or {}).get("phase") if diagnosis is not None else None
    return Phase(value) if value in {p.value for p in Phase} else None


def _describe(t: Translator, statuses: dict[Component, Status | None], has_diagnosis: bool,
              named: Phase | None = None) -> str:
    sentences = [t(DESC_FLOW)]
    if named is not None:
        sentences.append(t(DESC_NAMED_PHASE, phase=t(PHASE_NAMES[named])))
    if has_diagnosis:
        for comp, status in statuses.items():
            style = _style(comp, status, True)
            sentences.append(t(DESC_COMPONENT, component=t(COMPONENT_NAMES[comp]), status=t(style.label)))
        for comp, status in statuses.items():
            if status is Status.PROBLEM and comp is not Component.GUEST:
                sentences.append(t(DESC_BROKEN, component=t(COMPONENT_NAMES[comp])))
    return " ".join(sentences)


def render_svg(diagnosis: Diagnosis | None, translator: Translator) -> str:
    """The phase diagram for a diagnosis (statuses drawn) or for none (the plain explanation)."""
    t = translator
    has_diagnosis = diagnosis is not None
    statuses = component_statuses(diagnosis)
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
    named = named_phase(diagnosis)
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
        broken = statuses[comp] is Status.PROBLEM
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
    desc = _describe(t, statuses, has_diagnosis, named)
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
