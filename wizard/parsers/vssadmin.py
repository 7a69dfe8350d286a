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
            "state_text": None, "last_error": None, "last_error_kind": "missing"}


def _finish(writer: dict[str, Any]) -> dict[str, Any]:
    writer["state_name"] = state_name(writer["state"])
    writer["last_error_kind"] = classify_last_error(writer["last_error"])
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


PERMISSION_RE = re.compile(
    r"(?i)(permission|access is denied|access denied|elevated|administrator|0x80070005|E_ACCESSDENIED|"
    r"アクセス許可|アクセスが拒否|管理者)"
)


def mentions_permission(text: str) -> bool:
    """Whether vssadmin's error text says it needs elevation (English or Japanese wording)."""
    return bool(PERMISSION_RE.search(text[:MAX_TEXT] if isinstance(text, str) else ""))
