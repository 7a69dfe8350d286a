"""The generic chain walk: netfilter's jump/goto/return and built-in policies over rules that match,
do not or may, with a step and depth limit so a malformed loop cannot hang us.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wizard.parsers.firewall.common import MAX_DEPTH, MAX_STEPS, Tri

# =========================================================================================
# Generic chain walk
# =========================================================================================

@dataclass
class Step:
    """A rule as the walker sees it: does it match, and what it does."""

    match: Tri
    action: str  # accept | drop | return | jump | goto | continue | unknown
    target: str | None
    ref: dict[str, Any]


@dataclass
class Walk:
    """The outcome of walking one base chain (or a whole table)."""

    decision: str  # accept | drop
    by: dict[str, Any] | None  # the deciding rule; None = the chain's policy
    policy: str | None = None
    maybe_blocks: list[dict[str, Any]] = field(default_factory=list)
    maybe_accepts: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    @property
    def outcome(self) -> str:
        """accepted | blocked | maybe_blocked."""
        if self.decision == "drop":
            return "maybe_blocked" if self.maybe_accepts else "blocked"
        return "maybe_blocked" if self.maybe_blocks else "accepted"


_TERMINAL_BLOCK = frozenset({"DROP", "REJECT", "drop", "reject"})


class _Walker:
    def __init__(self, chains: Callable[[str], list[Step] | None]) -> None:
        self.chains = chains
        self.steps = 0
        self.truncated = False
        self.maybe_blocks: list[dict[str, Any]] = []
        self.maybe_accepts: list[dict[str, Any]] = []

    def walk(self, chain: str, depth: int) -> tuple[str, dict[str, Any] | None]:
        """-> (accept | drop | return | fall, the deciding rule's ref)."""
        rules = self.chains(chain)
        if rules is None or depth > MAX_DEPTH:
            self.truncated = self.truncated or depth > MAX_DEPTH
            return "fall", None
        for step in rules:
            self.steps += 1
            if self.steps > MAX_STEPS:
                self.truncated = True
                return "fall", None
            if step.match is False or step.action == "continue":
                continue
            if step.match is None:
                self._maybe(step, depth)
                continue
            if step.action in ("accept", "drop"):
                return step.action, step.ref
            if step.action == "unknown":
                self.maybe_blocks.append(step.ref)
                continue
            if step.action == "return":
                return "return", step.ref
            if step.action in ("jump", "goto") and step.target:
                res, ref = self.walk(step.target, depth + 1)
                if res in ("accept", "drop"):
                    return res, ref
                if step.action == "goto":
                    return "return", ref
        return "fall", None

    def _maybe(self, step: Step, depth: int) -> None:
        if step.action in ("drop", "unknown"):
            self.maybe_blocks.append(step.ref)
        elif step.action == "accept":
            self.maybe_accepts.append(step.ref)
        elif step.action in ("jump", "goto") and step.target:
            sub = _Walker(self.chains)
            sub.steps = self.steps
            res, ref = sub.walk(step.target, depth + 1)
            self.steps = sub.steps
            self.truncated = self.truncated or sub.truncated
            if res == "drop" or sub.maybe_blocks:
                self.maybe_blocks.append(ref or step.ref)
            if res == "accept" or sub.maybe_accepts:
                self.maybe_accepts.append(ref or step.ref)


def walk_chain(chains: Callable[[str], list[Step] | None], start: str, policy: str | None) -> Walk:
    """Walk a base chain; falling off its end (or returning) applies `policy`."""
    w = _Walker(chains)
    res, ref = w.walk(start, 0)
    if res in ("accept", "drop"):
        return Walk(res, ref, policy, w.maybe_blocks, w.maybe_accepts, w.truncated)
    decision = "drop" if (policy or "accept").lower() == "drop" else "accept"
    return Walk(decision, None, policy, w.maybe_blocks, w.maybe_accepts, w.truncated)
