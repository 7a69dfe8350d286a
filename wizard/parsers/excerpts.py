"""Bounded log excerpts for a support engineer: the lines around every error and the last lines of a log.

    log_excerpt(text, path="/var/log/waagent.log")

The checks already read the log (as a bounded tail through the probe gate, secrets stripped); this
keeps a few lines of it as evidence so the engineer need not ask for a log bundle. Bounded three
ways: at most `MAX_WINDOWS` windows of `CONTEXT` lines either side of an error line (the newest
ones), `TAIL_LINES` last lines, `MAX_LINE_CHARS` per line and `MAX_BYTES` in all. Every line passes
the secret filter again (defence in depth: the text came through the gate already) and control
characters are replaced, so an excerpt is safe to print on a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from wizard.redact.secrets import strip_secrets_text

CONTEXT = 2
MAX_WINDOWS = 5
TAIL_LINES = 15
MAX_LINE_CHARS = 300
MAX_BYTES = 8 * 1024

ERROR_LINE_RE = re.compile(
    r"(?i)(?:\b(?:error|err|fatal|critical|warn(?:ing)?|exception|traceback|fail(?:ed|ure|s)?|"
    r"timed? ?out|refused|denied|unreachable)\b|\[ERROR\]|\[WARN\])")
"""A line that reports an error, known or not (the agent's levels, exceptions, failures, timeouts)."""

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_line(line: str) -> str:
    """One line as an excerpt keeps it: control characters replaced, bounded, secrets stripped."""
    line = _CONTROL_RE.sub("\ufffd", line.rstrip("\r"))
    if len(line) > MAX_LINE_CHARS:
        line = line[:MAX_LINE_CHARS] + " [...]"
    return strip_secrets_text(line)


def log_excerpt(text: str, path: str, is_error: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """The excerpt of one log as plain data for a check's evidence:

    `{"path", "lines_read", "around": [{"line": n (1-based within the text read), "lines": [...]}],
    "tail": {"line": n, "lines": [...]}, "cut": bool}`; `cut` says a bound left something out."""
    matcher = is_error or (lambda s: bool(ERROR_LINE_RE.search(s)))
    lines = (text or "").splitlines()
    hits = [i for i, line in enumerate(lines) if len(line) <= 20_000 and matcher(line)]
    windows: list[tuple[int, int]] = []
    for i in hits:
        lo, hi = max(0, i - CONTEXT), min(len(lines), i + CONTEXT + 1)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    cut = len(windows) > MAX_WINDOWS
    windows = windows[-MAX_WINDOWS:]
    tail_start = max(0, len(lines) - TAIL_LINES)
    if windows and windows[-1][1] > tail_start:  # an error window running into the tail joins it
        tail_start = max(0, min(tail_start, windows.pop()[0], len(lines) - 3 * TAIL_LINES))
    budget = MAX_BYTES
    around: list[dict[str, Any]] = []
    for lo, hi in windows:
        if hi > tail_start:
            hi = tail_start
        if lo >= hi:
            continue
        kept = [clean_line(x) for x in lines[lo:hi]]
        size = sum(len(x.encode("utf-8")) + 1 for x in kept)
        if size > budget // 2:
            cut = True
            continue
        budget -= size
        around.append({"line": lo + 1, "lines": kept})
    tail: list[str] = []
    for line in reversed(lines[tail_start:]):
        cleaned = clean_line(line)
        size = len(cleaned.encode("utf-8")) + 1
        if size > budget:
            cut = True
            break
        budget -= size
        tail.insert(0, cleaned)
    first = len(lines) - len(tail) + 1
    return {"path": path, "lines_read": len(lines), "errors_seen": len(hits), "around": around,
            "tail": {"line": first, "lines": tail}, "cut": cut}
