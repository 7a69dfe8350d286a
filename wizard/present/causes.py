"""Applying the causal rules (`wizard.knowledge.causes`) to a diagnosis: causes first, consequences under them.

1. Every rule whose cause result has one of its cause statuses adds an edge cause → each explained result
   that has one of the rule's explained statuses (and shares a portal error code with the cause, when the
   rule asks for that). An edge that would close a circle is left out, so the first rule wins.
2. The causes are the results that need attention (problem, warning, a check that failed, or one that
   could not look but is explained by nothing) and that no other result explains.
3. Each cause takes everything below it (transitively) as its consequences; a result below two causes
   stays with the first. Consequences keep catalogue order.
4. Causes are ordered worst first; within a status, those the portal error code relates to first, then
   the cause that explains most, then catalogue order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wizard.knowledge.causes import RULES, CausalRule
from wizard.model import CheckResult, Status

ATTENTION = frozenset({Status.PROBLEM, Status.WARNING, Status.ERROR})


@dataclass(frozen=True)
class CauseGroup:
    """A cause (check id) and its consequences as (check id, the rule's note, untranslated)."""

    cause: str
    consequences: tuple[tuple[str, str], ...]
    rules: tuple[str, ...]


def _applies(rule: CausalRule, cause: CheckResult, effect: CheckResult) -> bool:
    if cause.status not in rule.cause_statuses or effect.status not in rule.explained_statuses:
        return False
    if rule.shared_codes and effect.error_codes and not set(effect.error_codes) & set(cause.error_codes):
        return False
    evidence = effect.evidence if isinstance(effect.evidence, dict) else {}
    return not any(type(evidence.get(key)) is type(value) and evidence.get(key) == value
                   for key, value in rule.unless_evidence)


def _reaches(edges: dict[str, list[tuple[str, CausalRule]]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(child for child, _ in edges.get(node, []))
    return False


def causal_edges(results: Iterable[CheckResult]) -> dict[str, list[tuple[str, CausalRule]]]:
    """cause id -> [(explained id, rule)] for the rules that hold on these results."""
    by_id = {r.id: r for r in results}
    edges: dict[str, list[tuple[str, CausalRule]]] = {}
    for rule in RULES:
        cause = by_id.get(rule.cause)
        if cause is None:
            continue
        for effect_id in rule.explains:
            effect = by_id.get(effect_id)
            if effect is None or effect_id == rule.cause or not _applies(rule, cause, effect):
                continue
            if _reaches(edges, effect_id, rule.cause):  # would close a circle
                continue
            if any(child == effect_id for child, _ in edges.get(rule.cause, [])):
                continue
            edges.setdefault(rule.cause, []).append((effect_id, rule))
    return edges


def find_causes(results: list[CheckResult], related: set[str] | None = None) -> list[CauseGroup]:
    """The cause groups of a diagnosis's results, in the order every presenter shows them."""
    related = related or set()
    index = {r.id: i for i, r in enumerate(results)}
    by_id = {r.id: r for r in results}
    edges = causal_edges(results)
    explained = {child for children in edges.values() for child, _ in children}
    candidates = [r for r in results
                  if r.id not in explained and (r.status in ATTENTION or (r.status is Status.NOT_CHECKED
                                                                         and r.id in edges))]
    taken: set[str] = set()
    groups: list[tuple[CheckResult, list[tuple[str, str]], list[str]]] = []

    def descendants(node: str) -> list[tuple[str, CausalRule]]:
        out: list[tuple[str, CausalRule]] = []
        stack = list(reversed(edges.get(node, [])))
        seen: set[str] = set()
        while stack:
            child, rule = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            out.append((child, rule))
            stack.extend(reversed(edges.get(child, [])))
        return out

    def weight(r: CheckResult) -> tuple[int, int, int, int]:
        return (r.status.rank, 0 if _touches(r.id, descendants(r.id), related) else 1,
                -len(descendants(r.id)), index[r.id])

    for cause in sorted(candidates, key=weight):
        below = [(cid, rule) for cid, rule in descendants(cause.id) if cid not in taken]
        below.sort(key=lambda item: (by_id[item[0]].status.rank, index[item[0]]))
        taken.update(cid for cid, _ in below)
        groups.append((cause, [(cid, rule.note) for cid, rule in below],
                       sorted({rule.id for _, rule in below})))
    return [CauseGroup(cause.id, tuple(cons), tuple(rules)) for cause, cons, rules in groups]


def _touches(cause_id: str, below: list[tuple[str, CausalRule]], related: set[str]) -> bool:
    return cause_id in related or any(cid in related for cid, _ in below)
