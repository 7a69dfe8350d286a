"""Colours everyone can read: the system's palette, light or dark, adjusted where it falls short of WCAG AA
(4.5:1 for text, 3:1 for graphics such as the focus ring and status symbols), and the focus ring's colour.

Only colours that fail are changed, each the least needed: moved towards black on a light background or
towards white on a dark one. Contrast is the WCAG 2 ratio of relative luminances; a translucent colour
(Qt's placeholder text is half-transparent text) is measured as drawn over its background.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

TEXT_RATIO = 4.5
GRAPHIC_RATIO = 3.0
Role = QPalette.ColorRole
Group = QPalette.ColorGroup

TEXT_PAIRS: tuple[tuple[QPalette.ColorRole, QPalette.ColorRole], ...] = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.PlaceholderText, Role.Base),
    (Role.Link, Role.Base),
    (Role.LinkVisited, Role.Base),
    (Role.Link, Role.Window),
    (Role.HighlightedText, Role.Highlight),
)
"""(text, background) pairs a user reads; the disabled group is exempt (WCAG 1.4.3)."""


def _channel(value: float) -> float:
    c = value / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    return 0.2126 * _channel(colour.red()) + 0.7152 * _channel(colour.green()) + 0.0722 * _channel(colour.blue())


def over(colour: QColor, background: QColor) -> QColor:
    """`colour` as drawn over an opaque `background` (alpha composited)."""
    a = colour.alphaF()
    return QColor(round(colour.red() * a + background.red() * (1 - a)),
                  round(colour.green() * a + background.green() * (1 - a)),
                  round(colour.blue() * a + background.blue() * (1 - a)))


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of `a` drawn over `b` (1 to 21)."""
    la, lb = luminance(over(a, b)), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(background: QColor) -> bool:
    return luminance(background) < 0.18


def readable(colour: QColor, background: QColor, ratio: float = TEXT_RATIO) -> QColor:
    """`colour` (made opaque over `background`), moved towards black or white until it reaches `ratio`."""
    start = over(colour, background)
    if contrast(start, background) >= ratio:
        return start
    target = QColor("#FFFFFF") if is_dark(background) else QColor("#000000")
    for step in range(1, 21):
        k = step / 20
        mixed = QColor(round(start.red() * (1 - k) + target.red() * k),
                       round(start.green() * (1 - k) + target.green() * k),
                       round(start.blue() * (1 - k) + target.blue() * k))
        if contrast(mixed, background) >= ratio:
            return mixed
    return target


def accessible_palette(palette: QPalette) -> QPalette:
    """A copy of `palette` in which every text pair of TEXT_PAIRS reaches 4.5:1 (active and inactive)."""
    out = QPalette(palette)
    for group in (Group.Active, Group.Inactive):
        highlight, on_highlight = out.color(group, Role.Highlight), out.color(group, Role.HighlightedText)
        if contrast(on_highlight, highlight) < TEXT_RATIO:
            # keep the selection's text colour; move the selection colour away from it
            out.setColor(group, Role.Highlight, readable(highlight, on_highlight))
        for fg, bg in TEXT_PAIRS:
            if fg == Role.HighlightedText:
                continue
            background = out.color(group, bg)
            if contrast(out.color(group, fg), background) < TEXT_RATIO:
                out.setColor(group, fg, readable(out.color(group, fg), background))
    return out


def focus_colour(palette: QPalette) -> QColor:
    """The focus ring: the selection colour, made to stand 3:1 against the window and the fields."""
    ring = readable(palette.color(Role.Highlight), palette.color(Role.Window), GRAPHIC_RATIO)
    return readable(ring, palette.color(Role.Base), GRAPHIC_RATIO)


def dark_reference() -> QPalette:
    """A typical dark system palette (Windows 11 dark, Qt's Fusion dark), for the tests and for platforms
    that report a dark scheme without a palette."""
    p = QPalette()
    colours = {
        Role.Window: "#202020", Role.WindowText: "#FFFFFF", Role.Base: "#2B2B2B", Role.AlternateBase: "#323232",
        Role.Text: "#FFFFFF", Role.Button: "#2D2D2D", Role.ButtonText: "#FFFFFF", Role.Highlight: "#0078D4",
        Role.HighlightedText: "#FFFFFF", Role.ToolTipBase: "#2B2B2B", Role.ToolTipText: "#FFFFFF",
        Role.PlaceholderText: "#80FFFFFF", Role.Link: "#4C8DFF", Role.LinkVisited: "#A67DFF",
        Role.Light: "#3C3C3C", Role.Midlight: "#333333", Role.Mid: "#262626", Role.Dark: "#191919",
        Role.Shadow: "#000000", Role.BrightText: "#FF6B6B",
    }
    for role, value in colours.items():
        p.setColor(role, QColor(value))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        p.setColor(Group.Disabled, role, QColor("#7A7A7A"))
    return p
