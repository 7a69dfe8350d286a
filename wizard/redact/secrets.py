"""Secrets never leave: SAS tokens, keys, passwords, protected settings, private keys and credentials
are cut from any text or JSON-like value, whatever the escaping they come in.

`strip_secrets_text(text)` handles a string that may be a whole document read as text (a log, a
JSON or XML file, command output, an HTTP body); `strip_secrets(value)` walks a JSON-like value
(dicts, lists, tuples, strings, bytes) and returns a redacted copy. Both are called on every probe
answer and on every result's evidence, so they never raise and stay fast on megabytes of text.

What is cut, and what it becomes:

- SAS query parameters (`sig`, `se`, `st`, `sp`, `sv`, `sr`, `sk`, `skoid`, `sktid`, ...) after
  `?`/`&` in any escaping: `&amp;`, `&#38;`, `%26`, `%2526`, `\\u0026` (with any number of
  backslashes), `%3D`/`\\u003d` for `=`; a bare `sig=` anywhere. Value -> `REDACTED`.
- `key=value`, `key: value`, `"key": "value"`, `'key': 'value'`, `\\"key\\": \\"value\\"`,
  XML attributes, `key=>value`, for keys that END in a secret word: password, passwd,
  passphrase, pwd, secret, token, credential(s), authorization, cookie, signature,
  protectedSettings, AccountKey, SharedAccessKey, SharedAccessSignature, private/access/api/...
  key, sasToken/sasUri. `protectedSettingsCertThumbprint` or `disablePasswordAuthentication` end
  in another word and stay. Objects and arrays as values are cut whole. Value -> `[redacted]`
  (a JSON number becomes the quoted marker, so the document still parses).
- XML elements whose name ends in such a word (`<AdminPassword>`, `<ProtectedSettings>`, also
  `&lt;Password&gt;` escaped), `{"name": "...password", "value": "..."}` pairs,
  `--password x`, `-Password 'x'`, `ConvertTo-SecureString 'x'`.
- `Authorization:` / `Proxy-Authorization:` / `Cookie:` header values up to the end of the line.
- PEM blocks (`-----BEGIN ...-----` to `-----END ...-----`, or to the end of the base64 when cut).
- The password of URL user info, `scheme://user:pass@host` (also `%3A%2F%2F...%3A...%40`), and
  without a scheme where it is clearly a host setting (`user:pass@proxy:8080`, `=user:pass@host`).
- A string that is all hex (a registry blob such as WinHttpSettings) is decoded, filtered and
  encoded back.

Values that hold nothing secret stay: booleans and switches (`y`, `no`, `true`, `0`), empty
values, `PWD=/home/...`, markers already there (so filtering twice changes nothing).
Not covered (no reliable shape): secrets inside base64 or other encodings than the above, a
bare `-p secret` flag, and a password in prose with no key before it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

REDACTED = "[redacted]"
"""What a secret value becomes."""
REDACTED_URL = "REDACTED"
"""What a secret inside a URL becomes (a SAS parameter, the password of user info): no brackets, so
the URL still parses."""
PEM_REDACTED = "[redacted PEM block]"
UNFILTERED = "[redacted: this text could not be filtered for secrets]"
"""What a string becomes if filtering it failed: fail closed, never pass it on unfiltered."""

MAX_DEPTH = 60
_SCAN = 1 << 16  # how far a quoted value is followed before the rest of the line is cut instead
_BALANCED_SCAN = 1 << 20

# --- secret key words ----------------------------------------------------------------------

_SEP = "[-_. ]?"
_WORD_PARTS: tuple[tuple[str, ...], ...] = (
    ("password",), ("passwd",), ("passphrase",), ("pwd",), ("secret",), ("token",), ("credential",),
    ("credentials",), ("authorization",), ("cookie",), ("signature",), ("protected", "settings"),
    ("account", "key"), ("shared", "access", "key"), ("shared", "access", "signature"), ("shared", "key"),
    ("access", "key"), ("secret", "key"), ("private", "key"), ("api", "key"), ("subscription", "key"),
    ("functions", "key"), ("encryption", "key"), ("master", "key"), ("primary", "key"), ("secondary", "key"),
    ("signing", "key"), ("sas", "key"), ("sas", "token"), ("sas", "uri"), ("sas", "url"),
)
SECRET_KEY_WORDS = tuple(sorted({"".join(p) for p in _WORD_PARTS}, key=len, reverse=True))
"""Normalised (lower case, no `-_. `) endings of key names whose values are secrets."""
HEADER_WORDS = frozenset({"authorization", "cookie"})
_OPEN_UP_ENDINGS = ("key", "signature", "uri", "url")
_KEY_NEEDLES = ("pass", "pwd", "secret", "token", "credential", "authorization", "cookie", "signature", "settings",
                "key", "sas")
"""Every key word holds one of these (lower case): a text without any needs no key = value search."""
"""Key words whose unquoted value runs to the end of the line (`Authorization: Bearer x`)."""

_WORDS_RE = "|".join(sorted((_SEP.join(p) for p in _WORD_PARTS), key=len, reverse=True))
_NORM_RE = re.compile(r"[-_. ]")

HARMLESS = frozenset({
    "", "y", "n", "yes", "no", "true", "false", "on", "off", "0", "1", "none", "null", "nil", "undefined",
    REDACTED, REDACTED_URL.lower(), "redacted", "***", "<redacted>", "(redacted)", "[hidden]", "<hidden>",
})


def is_secret_key(key: str) -> bool:
    """True when a key name ends in a secret word (`adminPassword`, `protectedSettings`, `AccountKey`)."""
    norm = _NORM_RE.sub("", key.strip().strip("\"'").lower())
    return norm.endswith(SECRET_KEY_WORDS)


def _opens_up(key: str) -> bool:
    """True for a key whose object value is a reference to a secret, not one (`diskEncryptionKey`:
    {sourceVault, secretUrl}): its members are filtered one by one instead of cut whole. Keys such
    as `protectedSettings` or `credentials` are cut whole, members and all."""
    return _NORM_RE.sub("", key.lower()).endswith(_OPEN_UP_ENDINGS)


def _harmless(value: str, key: str = "") -> bool:
    v = value.strip().strip("\"'").strip().lower()
    if v in HARMLESS or set(v) == {"*"} or v.startswith("[redacted"):
        return True
    # the working directory (`PWD=/home/alice` in an environment) is not a password
    return key.lower().endswith("pwd") and v.startswith(("/", "~"))


# --- the engine: one pass per rule, each match mapped to (start, end, replacement) ------------
#
# The patterns run on a lower-cased copy of the text (same length, so positions agree) and
# start with a literal where they can: Python's `re` then skips ahead quickly, which a
# case-insensitive pattern or one that starts with a look-behind does not allow. Conditions on
# the character before a match are checked in the handlers instead.

Span = tuple[int, int, str]
Handler = Callable[[str, re.Match[str]], "Span | None"]
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lower(text: str) -> str:
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)  # "İ".lower() is 2 characters


def _apply(text: str, low: str, regex: re.Pattern[str], handler: Handler) -> str:
    """`text` with every span the handler returns for a match of `regex` in `low` replaced."""
    state = [0]  # where the text is consumed to: matches before it are inside a replaced span

    def spans() -> Iterable[Span]:
        for mo in regex.finditer(low):
            if mo.start() >= state[0]:
                span = handler(text, mo)
                if span is not None and span[0] >= state[0]:
                    state[0] = span[1]
                    yield span

    return _replace(text, spans())


def _replace(text: str, spans: Iterable[Span]) -> str:
    """`text` with the spans (in order; one that starts inside an earlier one is dropped) replaced."""
    parts: list[str] = []
    pos = 0
    for start, end, replacement in spans:
        if start < pos or end < start:
            continue
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _line_end(text: str, start: int) -> int:
    nl = text.find("\n", start)
    nl = len(text) if nl < 0 else nl
    cr = text.find("\r", start, nl)
    return nl if cr < 0 else cr


def _after_word(text: str, i: int, joiners: str = "_-") -> bool:
    """True when the character before `i` continues a word (so a match at `i` is inside one)."""
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] in joiners)


_DQ_BODY = re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_SQ_BODY = re.compile(r"[^'\\\n]*(?:\\.[^'\\\n]*)*'")
_CLOSERS: dict[str, re.Pattern[str]] = {}
_NOT_ESCAPED = r"(?<!\\)(?<!%5c)(?<!%5C)(?<!%255c)(?<!%255C)"


def _close_of(text: str, start: int, quote: str) -> int:
    """Index of the quote that closes a value opened with `quote` just before `start`, or -1."""
    stop = min(len(text), start + _SCAN)
    if quote == '"':
        mo = _DQ_BODY.match(text, start, stop)
        return mo.end() - 1 if mo else -1
    if quote == "'":
        mo = _SQ_BODY.match(text, start, stop)
        return mo.end() - 1 if mo else -1
    closer = _CLOSERS.get(quote)
    if closer is None:
        if quote.endswith('"') and set(quote[:-1]) == {"\\"}:  # \" inside a JSON string, \\\" deeper
            closer = re.compile(r"(?<!\\)" + re.escape(quote))
        else:  # &quot; &#34; %22 %2522 %27 \u0022: the first one not escaped itself
            closer = re.compile(_NOT_ESCAPED + re.escape(quote), re.IGNORECASE)
        _CLOSERS[quote] = closer
    found = closer.search(text, start, stop)
    return found.start() if found else -1


_BRACKETS = re.compile(r'[{}\[\]"\\]')


def _balanced_end(text: str, start: int) -> int:
    """End of the object or array that opens at `start` (strings respected); the end of the text
    when it never closes (a cut document: everything after the opening is treated as secret)."""
    depth = 0
    in_string = False
    skip = -1
    for mo in _BRACKETS.finditer(text, start, min(len(text), start + _BALANCED_SCAN)):
        i = mo.start()
        if i <= skip:
            continue
        c = mo.group()
        if c == "\\":
            skip = i + 1
        elif c == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif c in "{[":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                return i + 1
    return len(text)


# a \uXXXX escape inside a value, except those of & " ' < > ? space and line ends (which end it)
_UNICODE_IN_VALUE = r"\\+u(?!00(?:2[0267]|3[cCeEfF]|0[aAdD]))[0-9a-fA-F]{4}"
_OPEN_QUOTE = re.compile(r'(?i)\\{0,7}"|\'|&quot;|&#34;|%(?:25)?2[27]|\\{1,7}u002[27]')
_JSON_LITERAL = re.compile(r"-?\d[\d.eE+-]*|true\b|false\b|null\b")
_BARE_VALUE = re.compile(
    r"(?:[^\x00-\x20\"'<>&;\\%\x7f]|%(?!(?:25)?(?:2[0267]|3[cCeE]|0[aAdD]))|"
    + _UNICODE_IN_VALUE + r"|\\(?![\"'nrtu]))+"
)
_HEADER_VALUE = re.compile(r"(?:[^\x00-\x08\x0a-\x1f\"<\\]|" + _UNICODE_IN_VALUE + r"|\\(?![rn\"\\u]))+")


def _value_span(text: str, i: int, key: str, key_quote: str) -> Span | None:
    """What to cut of the value that starts at `i` after a secret key, or None to leave it."""
    if i >= len(text):
        return None
    mo = _OPEN_QUOTE.match(text, i)
    if mo:
        body = mo.end()
        close = _close_of(text, body, mo.group())
        if close < 0:
            close = _line_end(text, body)
        if _harmless(text[body:close], key):
            return None
        return body, close, REDACTED
    if text[i] in "{[":
        if _opens_up(key):
            return None  # "diskEncryptionKey": {"sourceVault": ...}: a reference; its members are looked at
        end = _balanced_end(text, i)
        quote = key_quote if key_quote.endswith('"') else ""
        if text[i + 1:end - 1].strip():
            return i, end, f"{quote}{REDACTED}{quote}"
        if quote:  # "password": {} holds nothing
            return None
        # password={}abc: not an object, a value that starts with a brace
    if key_quote.endswith('"'):  # a JSON document: only literals can follow unquoted
        mo = _JSON_LITERAL.match(text, i)
        if mo:
            if _harmless(mo.group()) or mo.group()[0] not in "-0123456789":
                return None
            return i, mo.end(), f"{key_quote}{REDACTED}{key_quote}"
    header = _NORM_RE.sub("", key.lower()).endswith(tuple(HEADER_WORDS))
    mo = (_HEADER_VALUE if header else _BARE_VALUE).match(text, i)
    if not mo:
        return None
    value = mo.group().rstrip() if header else mo.group()
    if _harmless(value, key):
        return None
    return i, i + len(value), REDACTED


_QUOTE_LOW = r"(?:\\{0,7}[\"']|&quot;|&#34;|%(?:25)?2[27]|\\{1,7}u002[27])"
_SPACE_LOW = r"(?:[ \t]|%(?:25)?20)"

# key = value in every quoting; the key must END in a secret word. Found from the ends of the
# key words (str.find is much faster than a pattern over base64-heavy text), then checked.
_KEY_ENDINGS = tuple(sorted({p[-1] for p in _WORD_PARTS}))
_KV_TAIL = re.compile(
    rf"(?P<kq>{_QUOTE_LOW})?{_SPACE_LOW}{{0,8}}(?:=>|=|:(?!:)|%(?:25)?3[ad]|\\{{1,7}}u003d){_SPACE_LOW}{{0,8}}"
)
_KEY_AT_END = re.compile(rf"(?:{_WORDS_RE})\Z")


def _kv_spans(text: str, low: str) -> Iterable[Span]:
    ends: set[int] = set()
    for ending in _KEY_ENDINGS:
        i = low.find(ending)
        while i >= 0:
            ends.add(i + len(ending))
            i = low.find(ending, i + 1)
    consumed = 0  # a value that runs on (an unclosed object) swallows the keys after it: not parsed again
    for end in sorted(ends):
        if end < consumed:
            continue
        tail = _KV_TAIL.match(low, end)
        if tail is None:
            continue
        key = _KEY_AT_END.search(low, max(0, end - 40), end)
        if key is None:
            continue
        span = _value_span(text, tail.end(), key.group(), tail.group("kq") or "")
        if span is not None:
            consumed = span[1]
            yield span


# {"name": "dbPassword", "value": "..."} and {"headerName": "Authorization", "headerValue": "..."}
# also inside a JSON string, where the quotes are escaped (\"name\": \"dbPassword\", \"value\": ...)
_NAME_VALUE = re.compile(
    rf'(?P<q>\\{{0,7}})"\w{{0,32}}name(?P=q)"\s*:\s*(?P=q)"[^"\\]{{0,128}}?(?:{_WORDS_RE})(?P=q)"\s*,\s*'
    rf'(?P=q)"\w{{0,32}}value(?P=q)"\s*:\s*'
)


def _name_value(text: str, mo: re.Match[str]) -> Span | None:
    return _value_span(text, mo.end(), "value", mo.group("q") + '"')


# <AdminPassword>...</AdminPassword>, &lt;Password&gt;, \u003cPassword\u003e, %3CPassword%3E
_ELEMENT_OPEN = re.compile(
    r"(?P<lt>[<&\\%](?:(?<=<)|(?<=&)(?:amp;){0,3}lt;|(?<=\\)\\{0,6}u003c|(?<=%)(?:25)?3c))(?P<name>[\w.:-]{1,128})"
)
_ELEMENT_REST = re.compile(r"(?i)(?P<attrs>\s[^<>]{0,2048}?)?(?P<gt>>|&(?:amp;){0,3}gt;|\\{1,7}u003e|%(?:25)?3e)")


def _element(text: str, mo: re.Match[str]) -> Span | None:
    if not is_secret_key(mo.group("name").rpartition(":")[2]):
        return None
    rest = _ELEMENT_REST.match(text, mo.end())
    if rest is None or (rest.group("attrs") or "").rstrip().endswith("/"):
        return None
    lt, name = text[mo.start("lt"):mo.end("lt")], text[mo.start("name"):mo.end("name")]
    close = re.compile(re.escape(lt) + r"(?:/|\\+/|%(?:25)?2f)" + re.escape(name), re.IGNORECASE)
    found = close.search(text, rest.end(), min(len(text), rest.end() + _BALANCED_SCAN))
    end = found.start() if found else len(text)
    if _harmless(text[rest.end():end]):
        return None
    return rest.end(), end, REDACTED


# --password x, --client-secret x, -Password 'x', ConvertTo-SecureString 'x' -AsPlainText
_FLAG = re.compile(
    rf"(?:--?(?P<key>[a-z0-9-]{{0,39}}[a-z])|convertto-securestring(?:{_SPACE_LOW}+-string)?)"
    rf"{_SPACE_LOW}+(?:\((?:{_SPACE_LOW}*convertto-securestring{_SPACE_LOW}+(?:-string{_SPACE_LOW}+)?)?)?"
)
_FLAG_VALUE = re.compile(r"'(?:[^'\n]|'')*'|\"(?:[^\"`\n]|`.)*\"|(?:[^\s'\"()%]|%(?!(?:25)?20))+")


def _flag(text: str, mo: re.Match[str]) -> Span | None:
    if mo.group("key") and not is_secret_key(mo.group("key")):
        return None
    if _after_word(text, mo.start()) and not text[max(0, mo.start() - 5):mo.start()].endswith(("%20", "%2520")):
        return None
    value = _FLAG_VALUE.match(text, mo.end())
    if not value or value.group().startswith("-") or _harmless(value.group(), mo.group("key") or ""):
        return None
    return value.start(), value.end(), f"'{REDACTED}'" if value.group()[0] in "'\"" else REDACTED


# SAS query parameters after ? or & in any escaping, and a bare sig= anywhere
_SAS_NAMES = ("sig|se|st|sp|sv|sr|spr|srt|ss|si|sip|sk|skoid|sktid|skt|ske|sks|skv|saoid|suoid|scid|sdd|ses|"
              "rscc|rscd|rsce|rscl|rsct")
_SAS_EQ = r"(?:=|%3d|%253d|\\{1,7}u003d)"
_SAS = re.compile(  # ? & &amp; &#38; &#x26; %26 %3f %2526 %253f \u0026 \u003f \x26 (a literal first: fast)
    r"[?&%\\](?:(?<=[?&])|(?<=&)(?:amp;){1,4}|(?<=&)#38;|(?<=&)#x26;|(?<=%)(?:26|3f|2526|253f)|"
    rf"(?<=\\)\\{{0,6}}(?:u0026|u003f|x26))(?:{_SAS_NAMES}){_SAS_EQ}"
)
_SAS_BARE = re.compile(rf"(?P<bare>sig){_SAS_EQ}")
_SAS_VALUE = re.compile(
    r"(?:[^\x00-\x20&\"'<>\\%#;\x7f]|%(?!(?:25)?(?:2[0267]|3[cCeEfF]|0[aAdD]))|\\+/|" + _UNICODE_IN_VALUE + ")*"
)


def _sas(text: str, mo: re.Match[str]) -> Span | None:
    if mo.groupdict().get("bare") and _after_word(text, mo.start(), "_.%-"):
        return None  # designsig=, x.sig=
    value = _SAS_VALUE.match(text, mo.end())
    end = value.end() if value else mo.end()
    if end == mo.end() or text[mo.end():end] == REDACTED_URL:
        return None
    return mo.end(), end, REDACTED_URL


# PEM blocks, complete or cut short
_PEM_LABEL = r"(?P<sp> |%20|%2520|\+)(?P<label>[A-Z0-9]{1,20}(?:(?P=sp)[A-Z0-9]{1,20}){0,5})-----"
_PEM_BEGIN = re.compile("-----BEGIN" + _PEM_LABEL)
_PEM_END = re.compile("-----END" + _PEM_LABEL)
_PEM_CUT = re.compile(  # cut short: the base64 lines that follow (a line going on with other text is not one)
    r"(?:(?:[ \t]|\r?\n|\\+r|\\+n|%(?:25)?0[aAdD]){1,4}(?:(?:Proc-Type|DEK-Info):[^\r\n\\]{0,200}|"
    r"(?:[A-Za-z0-9+/=]|\\+/|%(?:25)?(?:2[bBfF]|3[dD])|" + _UNICODE_IN_VALUE + r"){1,128}(?![\w:])))*"
)
_PEM_REACH = 1 << 16  # an END further than this from its BEGIN belongs to another block


def _pem_spans(text: str) -> Iterable[Span]:
    """Each BEGIN to the END that closes it, or to the end of the base64 lines that follow when there is
    none. BEGIN and END lines are matched like brackets: a block with another block pasted inside it
    (text appended to each of its lines) is cut as a whole, not only up to the first inner END."""
    events = sorted([(mo.start(), mo.end(), 1) for mo in _PEM_BEGIN.finditer(text)]
                    + [(mo.start(), mo.end(), -1) for mo in _PEM_END.finditer(text)])
    i = 0
    while i < len(events):
        start, stop, kind = events[i]
        if kind < 0:
            i += 1
            continue
        depth, close, last_end = 0, -1, -1
        for j in range(i, len(events)):
            at, _end, step = events[j]
            if at - stop > _PEM_REACH:  # an END further than this belongs to another block
                break
            depth += step
            if step < 0:
                last_end = j
                if depth == 0:
                    close = j
                    break
        close = close if close >= 0 else last_end  # unbalanced: up to the last END in reach
        if close >= 0:
            yield start, events[close][1], PEM_REDACTED
            i = close + 1
        else:
            cut = _PEM_CUT.match(text, stop)
            yield start, cut.end() if cut else stop, PEM_REDACTED
            yield from _pem_body_heads(text, cut.end() if cut else stop)
            i += 1




_PEM_BODY_HEAD = re.compile(r"[A-Za-z0-9+/]{8,128}={0,2}(?![A-Za-z0-9+/=])")


def _pem_body_heads(text: str, pos: int) -> Iterable[Span]:
    """A key cut short whose lines go on with other text (lines pasted after each of its lines): every
    line within reach after it that starts with a base64 word loses that word. Fails closed: a long word
    starting a log line there goes too, which only happens after a key that was cut short."""
    limit = min(len(text), pos + _PEM_REACH)
    nl = text.find("\n", pos, limit)
    while nl >= 0:
        mo = _PEM_BODY_HEAD.match(text, nl + 1)
        if mo is not None:
            yield mo.start(), mo.end(), PEM_REDACTED
        nl = text.find("\n", nl + 1, limit)


_PEM_BODY_LINE = re.compile(r"[ \t]*(?:(?:Proc-Type|DEK-Info):[^\r\n\\]{0,200}|[A-Za-z0-9+/=]{1,128})[ \t]*\r?")
_PEM_LINE_BREAK = re.compile(r"\r?\n|(?:\\+r)?\\+n")


def _pem_headless_spans(text: str) -> Iterable[Span]:
    """An END line whose BEGIN is not in the text (a tail read that began inside the block): the
    base64 lines right before it, up to the first line that is not one (or the start of the text)."""
    for mo in _PEM_END.finditer(text):
        floor = max(0, mo.start() - _PEM_REACH)
        breaks = list(_PEM_LINE_BREAK.finditer(text, floor, mo.start()))
        line_ends = [b.start() for b in breaks] + [mo.start()]
        line_starts = [floor] + [b.end() for b in breaks]
        start = mo.start()
        for ls, le in zip(reversed(line_starts), reversed(line_ends), strict=True):
            piece = text[ls:le]
            if piece and not _PEM_BODY_LINE.fullmatch(piece):
                break
            start = ls
            if ls == floor and floor > 0:
                break
        if start < mo.start():
            yield start, mo.end(), PEM_REDACTED

# URL user info: scheme://user:PASSWORD@host (also with escaped slashes), and percent-encoded
_USERINFO = re.compile(r":(?:\\?/){2}[^\s/?#@:\"'<>\\]{1,256}:(?P<pw>[^\s/?#\"'<>\\]{1,512})@")
_USERINFO_ENCODED = re.compile(
    r"%(?:25)?3a%(?:25)?2f%(?:25)?2f(?:(?!%(?:25)?(?:3a|40|2f))[^\s/?#@\"'<>\\]){1,256}%(?:25)?3a"
    r"(?P<pw>(?:(?!%(?:25)?(?:2f|3f|23))[^\s/?#@\"'<>\\]){1,512})%(?:25)?40"
)


def _userinfo(text: str, mo: re.Match[str]) -> Span | None:
    if _harmless(text[mo.start("pw"):mo.end("pw")]):
        return None
    return mo.start("pw"), mo.end("pw"), REDACTED_URL


# user:PASSWORD@host:port, or =user:PASSWORD@host (a proxy setting without a scheme). Found from
# each @ outwards, one token at a time: a pattern run from every user-name character backtracks
# quadratically on a long line such as "a:a:a:...@".
_STOPS = " \t\r\n\x0b\x0c/?#\"'<>\\;,"
_USER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~%+-")
_TOKEN_REST = re.compile(r"[^\s/?#\"'<>\\;,]*")
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]{2,64}\]|[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8})(:\d{1,5}(?!\d))?")
_BACK = 1200  # user (128) + password (512) + room: a longer token is left alone


def _bare_userinfo_spans(text: str) -> Iterable[Span]:
    at = text.find("@")
    while at >= 0:
        lo = max(0, at - _BACK)
        start = max(text.rfind(c, lo, at) for c in _STOPS) + 1 or lo
        rest = _TOKEN_REST.match(text, at)
        end = rest.end() if rest else at + 1
        span = _bare_userinfo(text, start, end)
        if span is not None:
            yield span
        at = text.find("@", max(end, at + 1))


def _bare_userinfo(text: str, start: int, end: int) -> Span | None:
    colon = text.find(":", start, end)
    if colon < 0:
        return None
    user = colon
    while user > start and colon - user <= 128 and text[user - 1] in _USER_CHARS:
        user -= 1
    if user == colon or colon - user > 128:
        return None
    before = text[user - 1] if user > 0 else ""
    if before and (before.isalnum() or before in "_.%+~:/@\\-"):
        return None
    at = text.rfind("@", colon + 1, end)
    for _ in range(64):  # the last @ followed by a host: the password may hold @ itself
        if at < 0:
            return None
        host = _HOST_PORT.match(text, at + 1, end)
        if host and (host.group(1) or before in ("=", '"', "'")):
            if at == colon + 1 or _harmless(text[colon + 1:at]):
                return None
            return colon + 1, at, REDACTED_URL
        at = text.rfind("@", colon + 1, at)
    return None


_HEX = re.compile(r"(?:[0-9A-Fa-f]{2}){12,}")
_TRIGGERS = frozenset("=:<&\\%-@?")
"""Every rule needs one of these characters (a separator, a tag, an escape, a dash, an at sign)."""


class _Text:
    """The text being filtered and its lower-cased copy, kept in step."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = _lower(text)

    def apply(self, regex: re.Pattern[str], handler: Handler) -> bool:
        new = _apply(self.text, self.low, regex, handler)
        if new is self.text:
            return False
        self.text, self.low = new, _lower(new)
        return True

    def replace(self, spans: Iterable[Span]) -> bool:
        new = _replace(self.text, spans)
        if new is self.text:
            return False
        self.text, self.low = new, _lower(new)
        return True

    def has(self, *needles: str) -> bool:
        return any(n in self.low for n in needles)


# A bearer token on its own, without the `Authorization:` that names it (pasted into a log or an error).
_BEARER = re.compile(r"(?i)\bbearer[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)")


def _bearer(text: str, mo: re.Match[str]) -> Span | None:
    return (mo.start(1), mo.end(1), REDACTED) if mo.group(1) != REDACTED else None


def _strip(text: str) -> str:
    if len(text) >= 24 and _HEX.fullmatch(text):
        decoded = bytes.fromhex(text).decode("latin-1")
        cleaned = _strip(decoded)
        return text if cleaned == decoded else cleaned.encode("latin-1", "replace").hex()
    bearer = "earer" in text or "EARER" in text
    if len(text) < 256 and _TRIGGERS.isdisjoint(text) and not bearer:
        return text  # no rule can match without one of these: most short strings stop here
    doc = _Text(text)
    if bearer or doc.has("bearer"):
        doc.apply(_BEARER, _bearer)
    if doc.has("-----begin"):
        doc.replace(_pem_spans(doc.text))
    if doc.has("-----end"):  # what is left is an END whose BEGIN was cut off
        doc.replace(_pem_headless_spans(doc.text))
    if doc.has(*_KEY_NEEDLES):  # every key word holds one of them
        if doc.has("name"):
            doc.apply(_NAME_VALUE, _name_value)
        if doc.has("<", "lt;", "u003c", "3c"):
            doc.apply(_ELEMENT_OPEN, _element)
        doc.replace(_kv_spans(doc.text, doc.low))
        if doc.has("-"):
            doc.apply(_FLAG, _flag)
    if doc.has("convertto-securestring"):
        doc.apply(_FLAG, _flag)
    if doc.has("=", "3d"):
        doc.apply(_SAS, _sas)
    if doc.has("sig"):
        doc.apply(_SAS_BARE, _sas)
    if doc.has("@"):
        if doc.has("//", "\\/"):
            doc.apply(_USERINFO, _userinfo)
        doc.replace(_bare_userinfo_spans(doc.text))
    if doc.has("%40", "%2540"):
        doc.apply(_USERINFO_ENCODED, _userinfo)
    return doc.text


def strip_secrets_text(text: str) -> str:
    """`text` with every secret cut (see the module docstring). Never raises: if filtering fails,
    the whole string is replaced, never passed on unfiltered."""
    if not text or not isinstance(text, str):
        return text
    try:
        return _strip(text)
    except Exception:  # a bug of ours must not leak what it failed to filter
        log.exception("secret filter failed on a %d-character text", len(text))
        return UNFILTERED


def _redact_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and _harmless(value):
        return value
    if isinstance(value, (list, tuple, dict, set, frozenset)) and not value:
        return value
    return REDACTED


def _name_of_pair(d: dict[Any, Any]) -> tuple[Any, Any] | None:
    """The value key of a `{"name": "dbPassword", "value": ...}`-style pair whose name is a secret key."""
    names = [k for k in d if isinstance(k, str) and k.lower().endswith("name") and isinstance(d[k], str)]
    for nk in names:
        if is_secret_key(d[nk]):
            vk = nk[:-4] + ("Value" if nk[-4:] == "Name" else "value")
            for candidate in (vk, "value", "Value"):
                if candidate in d:
                    return candidate, d[candidate]
    return None


def strip_secrets(value: Any, _depth: int = 0) -> Any:
    """A copy of `value` with secrets cut: strings filtered, values under secret keys replaced.
    Dicts, lists, tuples and sets keep their type; other values are returned as they are."""
    try:
        return _walk(value, _depth)
    except Exception:  # fail closed, as strip_secrets_text
        log.exception("secret filter failed on a %s", type(value).__name__)
        return UNFILTERED


def _walk(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return strip_secrets_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if depth > MAX_DEPTH:
        return "[too deeply nested]"
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("latin-1")
        cleaned = strip_secrets_text(text)
        return value if cleaned == text else type(value)(cleaned.encode("latin-1", "replace"))
    if isinstance(value, dict):
        pair = _name_of_pair(value)
        out: dict[Any, Any] = {}
        for k, v in value.items():
            nk = strip_secrets_text(k) if isinstance(k, str) else k
            while nk in out:
                nk = f"{nk}~"
            if isinstance(k, str) and is_secret_key(k) and _opens_up(k) and isinstance(v, (dict, list, tuple)):
                out[nk] = _walk(v, depth + 1)
            elif (isinstance(k, str) and is_secret_key(k)) or (pair is not None and k == pair[0]):
                out[nk] = _redact_value(v)
            else:
                out[nk] = _walk(v, depth + 1)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items: Iterable[Any] = (_walk(v, depth + 1) for v in value)
        if isinstance(value, list):
            return list(items)
        if isinstance(value, tuple):
            return tuple(items)
        try:
            return type(value)(items)
        except TypeError:  # an unhashable result (a dict from a filtered element)
            return [_walk(v, depth + 1) for v in value]
    return value
