"""The network probes: a TCP connect and an HTTP GET, bounded, never through a proxy.

Both are aimed by the caller (the checks aim them at the documented endpoints; tests at
loopback fakes) and answer plain data. `http_get` is a small HTTP/1.1 client of our own on one
socket: it reads no proxy setting from anywhere (environment, registry, `.netrc`), sends GET only
with `Connection: close`, never follows a redirect, and reads at most 256 KiB of body. Its
`timeout` is a **total deadline** for the whole exchange — connect, status line, headers, body —
so a server that trickles a byte every few seconds cannot stretch a request past it; the headers
are capped at 64 KiB. Bodies framed by `Content-Length`, by chunked transfer encoding, or by the
end of the connection are understood; a broken framing is an error (the status and headers are kept).

Outcomes: `connected` (TCP) or `ok` (HTTP: a status came back), `refused` (ECONNREFUSED:
nothing listens, or a firewall rejects), `timeout` (no answer in time: typically a firewall
dropping packets, or a server too slow), `unreachable` (no route: ENETUNREACH/EHOSTUNREACH),
`error` (anything else; the message is in `error`). An HTTP answer also says whether the TCP
connection was `connected` (accepted): a `timeout` after it was accepted is a slow or silent server
(or something in between that accepted on its behalf), not packets dropped on the way.
"""

from __future__ import annotations

import codecs
import errno
import socket
import time
from collections.abc import Iterator, Mapping
from email.message import Message
from urllib.parse import urlsplit

from wizard import TOOL_NAME, __version__
from wizard.i18n import N_
from wizard.probes.base import Answer, error_fields

MAX_BODY_BYTES = 256 * 1024
CHUNK_BYTES = 16 * 1024
MAX_HEAD_BYTES = 64 * 1024

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
        linked = [current.__cause__, current.__context__, *current.args]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def classify_error(exc: BaseException) -> str:
    """`refused`, `timeout`, `unreachable` or `error` for a failed connection or request (the
    exception and everything it wraps are looked at)."""
    chain = list(_exception_chain(exc))
    for item in chain:
        outcome = _classify_socket_error(item)
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


class HttpError(Exception):
    """The answer broke the protocol (a bad status line, headers too large, broken chunking); `fields` are
    the answer's error fields (`error`, `error_msg`)."""

    def __init__(self, template: str, /, **params: str | int) -> None:
        self.fields = error_fields(template, None, **params)
        super().__init__(self.fields["error"])


class _Conn:
    """One socket read against one deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.buffer = bytearray()
        self.closed = False

    def fill(self) -> bool:
        """Read more into the buffer; False once the server has closed. TimeoutError past the deadline."""
        if self.closed:
            return False
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete answer before the deadline")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(CHUNK_BYTES)
        except TimeoutError:
            raise TimeoutError("no complete answer before the deadline") from None
        if not chunk:
            self.closed = True
            return False
        self.buffer.extend(chunk)
        return True

    def line(self, limit: int) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                out = bytes(self.buffer[:end + 1])
                del self.buffer[:end + 1]
                return out.rstrip(b"\r\n")
            if len(self.buffer) > limit:
                raise HttpError(N_("a line of the answer is too long"))
            if not self.fill():
                raise HttpError(N_("the connection closed in the middle of the answer"))

    def take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self.fill():
                break
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out


def _request(host: str, port: int, target: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host if port == 80 else f'{host}:{port}'}",
             f"User-Agent: {TOOL_NAME}/{__version__}", "Accept: */*", "Connection: close"]
    for name, value in headers.items():
        if any(c in f"{name}{value}" for c in "\r\n\0") or not name.strip():
            raise HttpError(N_("header {name} cannot be sent"), name=repr(name))
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def _head(conn: _Conn) -> tuple[int, dict[str, str]]:
    """The status and the headers (lower-case names), skipping interim 1xx answers."""
    while True:
        status_line = conn.line(MAX_HEAD_BYTES).decode("latin-1")
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not _digits(parts[1]) or len(parts[1]) != 3:
            raise HttpError(N_("not an HTTP answer: {line}"), line=repr(status_line[:80]))
        status = int(parts[1])
        headers: dict[str, str] = {}
        size = len(status_line)
        while True:
            raw = conn.line(MAX_HEAD_BYTES)
            size += len(raw) + 2
            if size > MAX_HEAD_BYTES:
                raise HttpError(N_("the answer's headers are larger than 64 KiB"))
            if not raw:
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep:
                continue
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        if 100 <= status < 200 and status != 101:
            continue
        return status, headers


def _digits(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes `²` or `¹` (Latin-1 bytes of a header), which `int` refuses."""
    return text.isascii() and text.isdigit()


def _body(conn: _Conn, status: int, headers: Mapping[str, str]) -> tuple[bytes, bool]:
    """The body (at most MAX_BODY_BYTES) and whether it was cut."""
    if status in (204, 304) or 100 <= status < 200:
        return b"", False
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _chunked(conn)
    length = headers.get("content-length")
    if length is not None:
        if not _digits(length.strip()) or len(length.strip()) > 18:
            raise HttpError(N_("Content-Length {value} is not a number"), value=repr(length[:40]))
        want = int(length)
        data = conn.take(min(want, MAX_BODY_BYTES + 1))
        if len(data) < min(want, MAX_BODY_BYTES) and conn.closed:
            raise HttpError(N_("the body ended after {got} of {want} bytes"), got=len(data), want=want)
        return (data[:MAX_BODY_BYTES], True) if want > MAX_BODY_BYTES else (data, False)
    while len(conn.buffer) <= MAX_BODY_BYTES and conn.fill():
        pass
    data = bytes(conn.buffer)
    return (data[:MAX_BODY_BYTES], True) if len(data) > MAX_BODY_BYTES else (data, False)


def _chunked(conn: _Conn) -> tuple[bytes, bool]:
    body = bytearray()
    while True:
        size_line = conn.line(1024).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise HttpError(N_("the answer's chunked encoding is broken")) from None
        if size < 0:
            raise HttpError(N_("the answer's chunked encoding is broken"))
        if size == 0:
            return bytes(body), False
        room = MAX_BODY_BYTES + 1 - len(body)
        chunk = conn.take(min(size, room))
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            return bytes(body[:MAX_BODY_BYTES]), True
        if len(chunk) < size:
            raise HttpError(N_("the answer's chunked encoding is broken"))
        if conn.line(1024):
            raise HttpError(N_("the answer's chunked encoding is broken"))


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 4.0,
             connect_timeout: float | None = None) -> Answer:
    """GET `url` directly, within `timeout` seconds in all (connect, headers and body together).

    `connect_timeout` (when shorter) bounds the TCP connect alone: a dropped port is given up early,
    while a server that accepted the connection may take the rest of `timeout` to answer (a slow
    HostGAPlugin is slow, not blocked). The body (at most 256 KiB) is decoded to text. See the module
    docstring."""
    start = time.monotonic()
    deadline = start + max(0.001, float(timeout))
    connect_by = min(deadline, start + max(0.001, float(connect_timeout))) if connect_timeout else deadline
    answer: Answer = {"outcome": "error", "status": None, "headers": {}, "body": None,
                      "truncated": False, "elapsed_ms": 0, "error": None, "connected": False}
    try:
        parts = urlsplit(url)
        port = parts.port or 80
    except ValueError as exc:
        return {**answer, **error_fields(N_("not a valid URL: {detail}"), detail=str(exc))}
    if parts.scheme.lower() != "http" or not parts.hostname:
        return {**answer, **error_fields(N_("not an http URL: {url}"), url=url)}
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sock: socket.socket | None = None
    try:
        request = _request(parts.hostname, port, target, dict(headers or {}))
        sock = socket.create_connection((parts.hostname, port), timeout=max(0.001, connect_by - time.monotonic()))
        answer["connected"] = True
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        sock.sendall(request)
        conn = _Conn(sock, deadline)
        status, head = _head(conn)
        answer.update(status=status, headers=head)
        raw, truncated = _body(conn, status, head)
        answer.update(outcome="ok", truncated=truncated, body=decode_body(raw, head.get("content-type"), truncated))
    except HttpError as exc:
        answer.update(outcome="error", **exc.fields)
    except TimeoutError as exc:
        answer.update({"outcome": "timeout", **error_fields(N_("no complete answer within {seconds} s"),
                                                             english=str(exc), seconds=round(float(timeout), 1))})
    except (OSError, ValueError, UnicodeError) as exc:
        answer.update(failure(exc))
    finally:
        if sock is not None:
            sock.close()
    answer["elapsed_ms"] = _elapsed_ms(start)
    return answer


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
    """Body text: the header's charset, else UTF-8, undecodable bytes replaced, BOM stripped; never raises.

    A body cut at the size limit may end inside a character; that partial character is dropped.
    """
    codec = charset_of(content_type) or "utf-8"
    try:
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        return decoder.decode(raw, final=not truncated).removeprefix("\ufeff")
    except UnicodeError:  # "utf-16"/"utf-32" without a BOM: Python's decoder refuses; Windows writes little-endian
        fallback = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(codec, "utf-8")
        return raw.decode(fallback, errors="replace").removeprefix("\ufeff")
