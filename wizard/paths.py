"""The one helper that finds bundled files (catalogs, templates, scenarios) from source and frozen."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding `resources/` and `i18n/`: the checkout, or PyInstaller's unpack folder."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    """A path below `resources/`."""
    return app_root().joinpath("resources", *parts)


def locale_dir() -> Path:
    """The gettext locale folder (`i18n/`), holding `<lang>/LC_MESSAGES/wizard.mo`."""
    return app_root() / "i18n"
