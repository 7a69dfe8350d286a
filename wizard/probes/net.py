"""The network probes: a TCP connect and an HTTP GET, bounded, never through a proxy.

Both are aimed by the caller (the checks aim them at the documented endpoints; tests at
loopback fakes) and answer plain data. `http_get` uses a `requests` session that ignores the
environment (`trust_env = False`: no `HTTP_PROXY`, no `.netrc`) and sets every proxy to None
explicitly, sends GET only, never follows a redirect and reads at most 256 KiB of body.

Outcomes: `connected` (TCP) or `ok` (HTTP: any status came back), `refused` (ECONNREFUSED:
nothing listens, or a firewall rejects), `timeout` (no answer in time: typically a firewall
dropping packets), `unreachable` (no route: ENETUNREACH/EHOSTUNREACH), `error` (anything else;
the message is in `error`).
"""

from __future__ import annotations

import codecs
import errno
import socket
import time
from collections.abc import Iterator, Mapping
from email.message import Message

import requests
import urllib3.exceptions

from wizard import TOOL_NAME, __version__
from wizard.i18n import N_
from wizard.probes.base import Answer, error_fields

MAX_BODY_BYTES = 256 * 1024
CHUNK_BYTES = 16 * 1024
NO_PROXY: dict[str, str | None] = {"http": None, "https": None, "all": None}

_UNREACHABLE_ERRNOS = frozenset(
    code for code in (errno.ENETUNREACH, errno.EHOSTUNREACH, 10051, 10065) if code is not None
)
_REFUSED_ERRNOS = frozenset({errno.ECONNREFUSED, 10061})
_TIMEOUT_ERRNOS = frozenset({errno.ETIMEDOUT, 10060})


def _elapsed_ms(start: float) -> int:
    return round((time.monotonic() - start) * 1000)


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: causes, contexts, urllib3 reasons, exception args."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def classify_error(exc: BaseException) -> str:
    """`refused`, `timeout`, `unreachable` or `error` for a failed connection or request.

    The socket error deepest in the chain speaks first: urllib3's NewConnectionError is a
    subclass of its ConnectTimeoutError even when the connection was refused.
    """
    chain = list(_exception_chain(exc))
    for classify in (_classify_socket_error, _classify_library_timeout):
        for item in chain:
            outcome = classify(item)
            if outcome is not None:
                return outcome
    text = " ".join(str(item) for item in chain).lower()
    if "network is unreachable" in text or "no route to host" in text:
        return "unreachable"
    if "connection refused" in text:
        return "refused"
    if "timed out" in text:
        return "timeout"
    return "error"


def _classify_socket_error(exc: BaseException) -> str | None:
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if not isinstance(exc, OSError):
        return None
    codes = {exc.errno, getattr(exc, "winerror", None)}
    if codes & _UNREACHABLE_ERRNOS:
        return "unreachable"
    if codes & _REFUSED_ERRNOS:
        return "refused"
    if codes & _TIMEOUT_ERRNOS:
        return "timeout"
    return None


def _classify_library_timeout(exc: BaseException) -> str | None:
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return None
    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError):
        return "timeout"
    return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


_OUTCOME_TEXT = {
    "refused": N_("connection refused"),
    "timeout": N_("timed out"),
    "unreachable": N_("no route to the host"),
}


def failure(exc: BaseException) -> Answer:
    """`outcome`, `error` (the exception as it is) and `error_msg` (the outcome in words) of a failure."""
    outcome = classify_error(exc)
    detail = _describe(exc)
    if outcome in _OUTCOME_TEXT:
        return {"outcome": outcome, **error_fields(_OUTCOME_TEXT[outcome], english=detail)}
    return {"outcome": outcome, **error_fields(N_("connection failed ({detail})"), english=detail, detail=detail)}


def tcp_connect(host: str, port: int, timeout: float = 3.0) -> Answer:
    """Open and close one TCP connection to `host:port`."""
    start = time.monotonic()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        return {**failure(exc), "elapsed_ms": _elapsed_ms(start)}
    return {"outcome": "connected", "elapsed_ms": _elapsed_ms(start), "error": None}


def no_proxy_session() -> requests.Session:
    """A session that sees no proxy from the environment, the registry or `.netrc`."""
    session = requests.Session()
    session.trust_env = False
    session.proxies.clear()
    session.headers["User-Agent"] = f"{TOOL_NAME}/{__version__}"
    return session


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 4.0) -> Answer:
    """GET `url` directly; the body (at most 256 KiB) is decoded to text.

    `timeout` bounds the connect, every read, and the whole body download.
    """
    start = time.monotonic()
    answer: Answer = {"outcome": "error", "status": None, "headers": {}, "body": None,
                      "truncated": False, "elapsed_ms": 0, "error": None}
    if not url.lower().startswith(("http://", "https://")):
        return {**answer, **error_fields(N_("not an http(s) URL: {url}"), url=url)}
    try:
        with no_proxy_session() as session, session.get(
            url, headers=dict(headers or {}), timeout=(timeout, timeout), allow_redirects=False,
            stream=True, proxies=NO_PROXY,  # type: ignore[arg-type]
        ) as response:
            answer.update(status=response.status_code,
                          headers={name.lower(): value for name, value in response.headers.items()})
            raw, truncated = _read_bounded(response, start + timeout)
            answer.update(outcome="ok", truncated=truncated,
                          body=decode_body(raw, response.headers.get("content-type"), truncated))
    except (requests.RequestException, OSError, urllib3.exceptions.HTTPError) as exc:
        answer.update(failure(exc))
    answer["elapsed_ms"] = _elapsed_ms(start)
    return answer


def _read_bounded(response: requests.Response, deadline: float) -> tuple[bytes, bool]:
    body = bytearray()
    for chunk in response.iter_content(CHUNK_BYTES):
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            return bytes(body[:MAX_BODY_BYTES]), True
        if time.monotonic() > deadline:
            raise TimeoutError("the body did not arrive within the timeout")
    return bytes(body), False


def charset_of(content_type: str | None) -> str | None:
    """The `charset` parameter of a Content-Type header, if it names a known codec."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_content_charset()
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_body(raw: bytes, content_type: str | None, truncated: bool = False) -> str:
    """Body text: the header's charset, else UTF-8, undecodable bytes replaced, BOM stripped.

    A body cut at the size limit may end inside a character; that partial character is dropped.
    """
    decoder = codecs.getincrementaldecoder(charset_of(content_type) or "utf-8")(errors="replace")
    return decoder.decode(raw, final=not truncated).removeprefix("\ufeff")
