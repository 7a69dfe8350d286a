"""How each status is drawn (colour, node fill, symbol shape, name): shared by the diagram and the GUI's
status symbols. A module of its own, so the first page's symbol does not load the diagram's layout."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.i18n import N_
from wizard.model import Status


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
