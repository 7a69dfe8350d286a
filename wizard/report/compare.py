"""The before/after comparison (`--compare … --report FILE`) as one self-contained HTML page.

Rendered from `wizard.present.compare.Comparison` with the report's Jinja2 environment and stylesheet
(autoescape, StrictUndefined, no scripts); the comparison's JSON document is embedded like the report's.
"""

from __future__ import annotations

from typing import Any

from wizard.i18n import Translator
from wizard.present.compare import KINDS, Comparison, comparison_doc, kind_heading
from wizard.report.render import _ours, embedded_json, environment, stylesheet

TEMPLATE = "compare.html"


def comparison_context(c: Comparison) -> dict[str, Any]:
    t = Translator(c.lang)
    return {
        "lang": t.lang,
        "css": _ours(stylesheet()),
        "c": c,
        "sections": [{"kind": k, "heading": kind_heading(k, t), "rows": c.of(k)} for k in KINDS if c.of(k)],
        "json": _ours(embedded_json(comparison_doc(c))),
    }


def render_comparison(c: Comparison) -> str:
    ctx = comparison_context(c)
    return environment(ctx["lang"]).get_template(TEMPLATE).render(ctx)
