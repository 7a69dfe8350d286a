"""Secrets never leave: SAS tokens, protected settings, keys and passwords are cut from evidence.

`strip_secrets` walks any JSON-like value and returns a copy in which
- query parameters that make up a SAS token (`sig`, `se`, `st`, `sp`, `sv`, `sr`, `skoid`, ...)
  have their values replaced by `REDACTED`, whether the `&` is raw, `&amp;`, `%26` or `\\u0026`;
- `AccountKey=`, `SharedAccessSignature=`, `password=`, `pwd=`, `"protectedSettings": "..."` and the
  like inside free text have their values replaced by `REDACTED`;
- values of keys whose names say they hold secrets (`protectedSettings`, `password`,
  `certificate`, `privateKey`, `sasToken`, ...) are replaced by `[redacted]`;
- PEM blocks and `Authorization:` header values are replaced.
This runs on every result's evidence in the runner, so no check can forget it.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "REDACTED"
SECRET_KEY_RE = re.compile(
    r"(protected_?settings|password|passwd|secret|private_?key|certificate|thumbprint_?private|"
    r"sas_?token|sas_?uri|access_?key|account_?key|client_?secret|encodedsignature)",
    re.IGNORECASE,
)
# A SAS parameter, after its separator as it is written raw (`?`, `&`), HTML-escaped (`&amp;`, `&#38;`),
# URL-encoded (`%26`, `%3F`) or JSON-escaped (`\u0026`); its `=` may be encoded too.
SAS_PARAM_RE = re.compile(
    r"(?i)((?:&amp;|&#0*38;|%26|%3f|\\u0026|\\u003f|[?&])"
    r"(?:sig|se|st|sp|sv|sr|spr|srt|ss|skoid|sktid|skt|ske|sks|skv|sdd|rscc|rscd)(?:=|%3d|\\u003d))"
    r"[^&\s\"'<>\\]*"
)
# `name=value` and `"name": "value"` pairs that hold a secret, inside free text (connection strings, logs,
# settings pasted as text): the value up to the next separator is cut.
SECRET_PAIR_RE = re.compile(
    r"(?i)((?:account_?key|shared_?access_?key|shared_?access_?signature|password|passwd|\bpwd|client_?secret|"
    r"protected_?settings|sas_?token)\b\\*[\"']?\s*[:=]\s*\\*[\"']?)([^;\s\"'&<>,{}\[\]\\]+)"
)
PEM_RE = re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|\Z)", re.DOTALL)
AUTH_RE = re.compile(r"(?i)(authorization\s*[:=]\s*)(\S+(?:[ \t]+\S+)?)")
URL_CRED_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s:]+):([^/@\s]+)@")


def strip_secrets_text(text: str) -> str:
    """Redact SAS token parameters, PEM blocks, Authorization values and URL passwords in a string."""
    if not text:
        return text
    text = SAS_PARAM_RE.sub(lambda mo: mo.group(1) + REDACTED, text)
    text = SECRET_PAIR_RE.sub(lambda mo: mo.group(1) + REDACTED, text)
    text = PEM_RE.sub("[redacted PEM block]", text)
    text = AUTH_RE.sub(lambda mo: mo.group(1) + "[redacted]", text)
    return URL_CRED_RE.sub(lambda mo: f"{mo.group(1)}{mo.group(2)}:[redacted]@", text)


def strip_secrets(value: Any, _depth: int = 0) -> Any:
    """A copy of `value` with secrets redacted (see the module docstring)."""
    if _depth > 50:
        return "[too deeply nested]"
    if isinstance(value, str):
        return strip_secrets_text(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if isinstance(k, str) and SECRET_KEY_RE.search(k) and v not in (None, "", [], {}):
                out[k] = "[redacted]"
            else:
                out[k] = strip_secrets(v, _depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [strip_secrets(v, _depth + 1) for v in value]
    return value
