"""Placeholder: checks are being written."""

from wizard.checks.base import Check

CHECKS: list[Check] = []
