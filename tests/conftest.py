"""Shared test set-up: Qt offscreen, and small builders of virtual machines."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NO_COLOR", "1")
