"""The HTML report: one self-contained file to attach to a support case, and the `--redact` masking.

    html = render_report(diag, "ja")              # the whole page, text in Japanese
    write_output(default_report_path(diag), html)  # wizard.fileio: atomically, on the Desktop or at home

`redact_diagnosis` masks the customer's identifiers with consistent pseudonyms before rendering
(`redact_together` masks a recorded scenario of the same run with the same pseudonyms);
`redaction_preview` lists what it would mask. They live in `wizard.redact.identifiers`. No Qt here:
the wizard's Save page and the terminal's `--report` call the same functions.
"""

from __future__ import annotations

from wizard.redact.identifiers import KIND_LABELS, kind_label, redact_diagnosis, redact_together, redaction_preview
from wizard.report.render import render_report
from wizard.report.write import default_report_path

__all__ = [
    "KIND_LABELS",
    "default_report_path",
    "kind_label",
    "redact_diagnosis",
    "redact_together",
    "redaction_preview",
    "render_report",
]
