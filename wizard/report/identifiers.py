"""`--redact` lives in `wizard.redact.identifiers`; these names stay importable from here."""

from wizard.redact.identifiers import (
    KIND_LABELS,
    KIND_ORDER,
    KIND_PREFIX,
    kind_label,
    redact_diagnosis,
    redact_scenario,
    redact_together,
    redaction_preview,
)

__all__ = ["KIND_LABELS", "KIND_ORDER", "KIND_PREFIX", "kind_label", "redact_diagnosis", "redact_scenario",
           "redact_together", "redaction_preview"]
