"""One title per documentation page, everywhere the program links it: checks (in every shipped scenario),
the error-code catalogue, the phases and the FAQ."""

from __future__ import annotations

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.knowledge.errorcodes import CATALOGUE
from wizard.knowledge.faq import FAQS
from wizard.knowledge.phases import SECTIONS
from wizard.model import DocLink
from wizard.paths import resource
from wizard.probes.scenario import ReplayProbe


def _all_links() -> list[DocLink]:
    found: list[DocLink] = [d for e in CATALOGUE for d in e.docs]
    found += [d for q in FAQS for d in q.docs]
    found += [d for s in SECTIONS for d in s.docs]
    for path in sorted(resource("scenarios").glob("*.json")):
        found += [d for r in runner.run(ALL_CHECKS, ReplayProbe.load(path)).results for d in r.docs]
    return found


def test_every_page_has_one_title() -> None:
    titles: dict[str, set[str]] = {}
    links = _all_links()
    for d in links:
        titles.setdefault(d.url, set()).add(d.title.id)
    assert len(links) > 50
    assert {url: t for url, t in titles.items() if len(t) > 1} == {}
