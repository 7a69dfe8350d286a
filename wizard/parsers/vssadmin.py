"""`vssadmin list writers` output, read without depending on the display language.

vssadmin prints one block per writer:

    Writer name: 'System Writer'                      ライター名: ‘System Writer’
       Writer Id: {e8132975-...}                      ライター Id: {a1111111-...}
       Writer Instance Id: {eb6b4c30-...}             ライター インスタンス Id: {a1111111-...}
       State: [1] Stable                              状態: [1] 安定
       Last error: No error                           最後のエラー: エラーなし

The labels and the state and error words are translated, so the parser keys on what is not:
a line ending in a quoted name starts a block (ASCII quotes, or the typographic ‘…’ a localized
console or a copy through a word processor produces), `{GUID}` lines give the writer id then the
instance id, the `[n]` number is the `VSS_WRITER_STATE` value, and the next line after it holds
the last error (the text after the colon). Only "no error" in English and Japanese (`エラーなし`)
is recognised as healthy; a last error in any other language is kept as raw text with kind
`unknown`, so the caller can show it instead of guessing.

The state is the `[n]` number, but the label after it is read too (English and Japanese words):
older or hand-copied outputs have been seen with a number and a label that disagree (`[1]` with a
failure label). `state_label_kind` says what the label means (`stable`, `waiting`, `failed`, or
`unknown` for a wording we do not know) and the caller never calls a writer stable when the two
disagree.

`listing_kind` tells three outputs apart: writers listed; vssadmin answered (its banner
`vssadmin 1.1 - ...` / `(C) Copyright ... Microsoft Corp.`, in every display language) but listed
no writer at all, which happens when VSS cannot reach its writers (Microsoft Japan Windows support
blog, "VSS Writer がすべて消失する事象について": the COM+ Event System they are called through is in
trouble); and output we do not recognise.

Never raises; bounded in time and size (linear scans, at most `MAX_WRITERS` writers, values cut
to `MAX_VALUE` characters).
"""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 2 * 1024 * 1024
MAX_WRITERS = 1000
MAX_VALUE = 300

# VSS_WRITER_STATE (learn: windows/win32/api/vss/ne-vss-vss_writer_state).
STATE_NAMES: dict[int, str] = {
    0: "UNKNOWN",
    1: "STABLE",
    2: "WAITING_FOR_FREEZE",
    3: "WAITING_FOR_THAW",
    4: "WAITING_FOR_POST_SNAPSHOT",
    5: "WAITING_FOR_BACKUP_COMPLETE",
    6: "FAILED_AT_IDENTIFY",
    7: "FAILED_AT_PREPARE_BACKUP",
    8: "FAILED_AT_PREPARE_SNAPSHOT",
    9: "FAILED_AT_FREEZE",
    10: "FAILED_AT_THAW",
    11: "FAILED_AT_POST_SNAPSHOT",
    12: "FAILED_AT_BACKUP_COMPLETE",
    13: "FAILED_AT_PRE_RESTORE",
    14: "FAILED_AT_POST_RESTORE",
    15: "FAILED_AT_BACKUPSHUTDOWN",
}
STABLE = 1
WAITING_STATES = frozenset({2, 3, 4, 5})

OPEN_QUOTES = "'‘’\"“”＇"
CLOSE_QUOTES = "'’‘\"”“＇"
COLONS = (":", "：")
GUID_RE = re.compile(r"\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}")
STATE_RE = re.compile(r"\[(\d{1,6})\]")

# Words of the state label, English and Japanese (lower-cased English compared).
STABLE_LABEL_RE = re.compile(r"(?i)\bstable\b|安定")
FAILED_LABEL_RE = re.compile(r"(?i)\bfail|失敗|エラー")
WAITING_LABEL_RE = re.compile(r"(?i)\bwaiting\b|待機|待ち")
BANNER_RE = re.compile(r"(?im)^\s*vssadmin\s+\d+\.\d+|^\s*\(c\)\s*copyright\b.*microsoft")
ERROR_LINE_RE = re.compile(r"(?im)^\s*(error|エラー)\s*[:：]")

NO_ERROR_TEXTS = frozenset({"no error", "エラーなし", "エラー なし"})
# English wording of failed writers seen in public samples (Retryable error, Non-retryable error,
# Timed out, ...); Japanese error words are recognised by their "エラー"/"タイムアウト" part.
ENGLISH_ERROR_RE = re.compile(r"(?i)\b(error|timed out|time out|timeout|failure|failed|out of resources|"
                              r"inconsistent)\b")
JAPANESE_ERROR_RE = re.compile(r"エラー|タイムアウト|失敗")


def state_name(state: int | None) -> str | None:
    """The `VSS_WRITER_STATE` name of a state number (`FAILED_AT_FREEZE`), or None when unknown."""
    if state is None:
        return None
    return STATE_NAMES.get(state)


def state_label_kind(text: str | None) -> str:
    """What a state label says: `failed`, `waiting`, `stable`, or `unknown` (empty or another language)."""
    if not text:
        return "unknown"
    if FAILED_LABEL_RE.search(text):
        return "failed"
    if WAITING_LABEL_RE.search(text):
        return "waiting"
    if STABLE_LABEL_RE.search(text):
        return "stable"
    return "unknown"


def number_kind(state: int | None) -> str:
    """What a `VSS_WRITER_STATE` number says: `stable` (1), `waiting` (2-5), `failed` (6-15), else `unknown`."""
    if state == STABLE:
        return "stable"
    if state in WAITING_STATES:
        return "waiting"
    if state is not None and 6 <= state <= 15:
        return "failed"
    return "unknown"


def effective_state(writer: dict[str, Any]) -> str:
    """`stable`, `waiting`, `failed` or `unknown` from the number and the label together.

    When the label is a word we know and disagrees with the number, the worse of the two counts:
    a writer is stable only when nothing says otherwise."""
    by_number = number_kind(writer.get("state"))
    by_label = state_label_kind(writer.get("state_text"))
    if by_label == "unknown" or by_label == by_number:
        return by_number
    order = ("failed", "waiting", "unknown", "stable")
    return min(by_number, by_label, key=order.index)


def classify_last_error(text: str | None) -> str:
    """`none` (no error), `error`, `unknown` (a wording we do not know) or `missing` (no line)."""
    if text is None:
        return "missing"
    norm = " ".join(text.split()).strip(" .。").lower()
    if norm in NO_ERROR_TEXTS:
        return "none"
    if not norm:
        return "missing"
    if ENGLISH_ERROR_RE.search(norm) or JAPANESE_ERROR_RE.search(norm):
        return "error"
    return "unknown"


def _quoted_name(line: str) -> str | None:
    """The writer name when `line` ends in a quoted name, else None."""
    stripped = line.strip()
    if len(stripped) < 3 or stripped[-1] not in CLOSE_QUOTES:
        return None
    start = -1
    for i, ch in enumerate(stripped[:-1]):
        if ch in OPEN_QUOTES:
            start = i
            break
    if start < 0:
        return None
    name = stripped[start + 1 : -1].strip()
    return name[:MAX_VALUE] if name else None


def _after_colon(line: str) -> str:
    """The value of a `label: value` line (either colon), or the whole line when it has none."""
    cut = -1
    for colon in COLONS:
        pos = line.find(colon)
        if pos >= 0 and (cut < 0 or pos < cut):
            cut = pos
    value = line[cut + 1 :] if cut >= 0 else line
    return value.strip()[:MAX_VALUE]


def _new_writer(name: str) -> dict[str, Any]:
    return {"name": name, "writer_id": None, "instance_id": None, "state": None, "state_name": None,
            "state_text": None, "state_label_kind": "unknown", "state_disagrees": False, "last_error": None,
            "last_error_kind": "missing"}


def _finish(writer: dict[str, Any]) -> dict[str, Any]:
    writer["state_name"] = state_name(writer["state"])
    writer["last_error_kind"] = classify_last_error(writer["last_error"])
    label = state_label_kind(writer["state_text"])
    writer["state_label_kind"] = label
    writer["state_disagrees"] = label != "unknown" and writer["state"] is not None and label != number_kind(
        writer["state"])
    return writer


def parse_writers(text: str) -> dict[str, Any]:
    """Parse `vssadmin list writers` output (already decoded; CRLF or LF).

    Returns {"writers": [{name, writer_id, instance_id, state, state_name, state_text,
    last_error, last_error_kind}], "truncated": bool}. Writers with no `[n]` line keep
    `state` None (a cut-off or unknown layout).
    """
    truncated = False
    if not isinstance(text, str):
        return {"writers": [], "truncated": False}
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        truncated = True
    writers: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    after_state = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        name = None if GUID_RE.search(line) else _quoted_name(line)
        if name is not None:
            if current is not None:
                writers.append(_finish(current))
                if len(writers) >= MAX_WRITERS:
                    truncated = True
                    current = None
                    break
            current = _new_writer(name)
            after_state = False
            continue
        if current is None:
            continue
        guid = GUID_RE.search(line)
        if guid:
            key = "writer_id" if current["writer_id"] is None else "instance_id"
            if current[key] is None:
                current[key] = guid.group(0).lower()
            continue
        if current["state"] is None:
            state = STATE_RE.search(line)
            if state:
                current["state"] = int(state.group(1))
                current["state_text"] = line[state.end() :].strip()[:MAX_VALUE]
                after_state = True
                continue
        if after_state and current["last_error"] is None:
            current["last_error"] = _after_colon(line)
            after_state = False
    if current is not None:
        writers.append(_finish(current))
    return {"writers": writers, "truncated": truncated}


def listing_kind(text: str, writers: list[dict[str, Any]]) -> str:
    """`writers` (some listed), `none_listed` (vssadmin's banner and nothing else: no writer at all),
    or `unrecognised` (output we cannot read as either)."""
    if writers:
        return "writers"
    if not isinstance(text, str):
        return "unrecognised"
    head = text[:MAX_TEXT]
    if not BANNER_RE.search(head) or ERROR_LINE_RE.search(head):
        return "unrecognised"
    if GUID_RE.search(head) or STATE_RE.search(head):
        return "unrecognised"
    rest = [line for line in head.splitlines() if line.strip() and not BANNER_RE.search(line)
            and ">" not in line]
    return "none_listed" if not rest else "unrecognised"


PERMISSION_RE = re.compile(
    r"(?i)(permission|access is denied|access denied|elevated|administrator|0x80070005|E_ACCESSDENIED|"
    r"アクセス許可|アクセスが拒否|管理者)"
)


def mentions_permission(text: str) -> bool:
    """Whether vssadmin's error text says it needs elevation (English or Japanese wording)."""
    return bool(PERMISSION_RE.search(text[:MAX_TEXT] if isinstance(text, str) else ""))
