"""The network probes against real loopback sockets and a loopback HTTP server (pytest-httpserver)."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from wizard.probes import net
from wizard.probes.net import MAX_BODY_BYTES, classify_error, decode_body, http_get, tcp_connect

VERSIONS_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<Versions><Preferred><Version>2012-11-30</Version>'
    "</Preferred><Supported><Version>2010-12-15</Version></Supported></Versions>"
)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- tcp_connect -----------------------------------------------------------------------------


def test_tcp_connect_to_a_listening_port_connects(listener: socket.socket) -> None:
    answer = tcp_connect("127.0.0.1", listener.getsockname()[1], timeout=2.0)
    assert answer["outcome"] == "connected"
    assert answer["error"] is None
    assert 0 <= answer["elapsed_ms"] < 2000


def test_tcp_connect_to_a_closed_port_is_refused() -> None:
    # Windows takes one to two seconds to report a refused loopback connect: allow it plenty
    answer = tcp_connect("127.0.0.1", closed_port(), timeout=5.0)
    assert answer["outcome"] == "refused"
    assert "refused" in answer["error"].lower()


@pytest.mark.posix("Linux drops SYNs when the accept queue is full; Windows answers RST")
def test_tcp_connect_times_out_when_nobody_answers_the_handshake() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=0) as server:
        port = server.getsockname()[1]
        queued: list[socket.socket] = []
        try:
            for _ in range(64):
                sock = socket.socket()
                sock.settimeout(0.2)
                try:
                    sock.connect(("127.0.0.1", port))
                except TimeoutError:
                    sock.close()
                    break
                queued.append(sock)
            else:
                pytest.fail("the accept queue never filled up")
            answer = tcp_connect("127.0.0.1", port, timeout=0.3)
        finally:
            for sock in queued:
                sock.close()
    assert answer["outcome"] == "timeout"
    assert 250 <= answer["elapsed_ms"] < 2000


def test_tcp_connect_reports_a_socket_timeout_as_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*args: object, **kwargs: object) -> socket.socket:
        raise TimeoutError("timed out")

    monkeypatch.setattr(net.socket, "create_connection", hang)
    assert tcp_connect("127.0.0.1", 80)["outcome"] == "timeout"


@pytest.mark.parametrize(
    ("code", "message"),
    [(errno.ENETUNREACH, "Network is unreachable"), (errno.EHOSTUNREACH, "No route to host")],
)
def test_tcp_connect_without_a_route_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    def no_route(*args: object, **kwargs: object) -> socket.socket:
        raise OSError(code, message)

    monkeypatch.setattr(net.socket, "create_connection", no_route)
    answer = tcp_connect("127.0.0.1", 80)
    assert answer["outcome"] == "unreachable"
    assert message in answer["error"]


def test_other_socket_errors_are_plain_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> socket.socket:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(net.socket, "create_connection", forbidden)
    assert tcp_connect("127.0.0.1", 80)["outcome"] == "error"


def test_classify_error_looks_through_wrapped_exceptions() -> None:
    try:
        try:
            raise OSError(errno.ENETUNREACH, "Network is unreachable")
        except OSError as inner:
            raise RuntimeError("while connecting") from inner
    except RuntimeError as outer:
        assert classify_error(outer) == "unreachable"
    assert classify_error(RuntimeError("[Errno 101] Network is unreachable")) == "unreachable"
    assert classify_error(RuntimeError("connect timed out")) == "timeout"
    assert classify_error(ValueError("something else")) == "error"


# -- http_get --------------------------------------------------------------------------------


def test_http_get_returns_status_headers_and_body(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/", query_string="comp=versions").respond_with_data(
        VERSIONS_XML, content_type="text/xml; charset=utf-8", headers={"X-Ms-Request-Id": "abc"}
    )
    answer = http_get(httpserver.url_for("/?comp=versions"), {})
    assert answer["outcome"] == "ok"
    assert answer["status"] == 200
    assert answer["body"] == VERSIONS_XML
    assert answer["truncated"] is False
    assert answer["headers"]["x-ms-request-id"] == "abc"
    assert all(name == name.lower() for name in answer["headers"])
    assert answer["error"] is None


def test_http_get_sends_the_given_headers(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/machine/", headers={"x-ms-version": "2012-11-30"}).respond_with_data("gs")
    answer = http_get(httpserver.url_for("/machine/"), {"x-ms-version": "2012-11-30"})
    assert (answer["status"], answer["body"]) == (200, "gs")


def test_http_get_reports_a_server_error_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/health").respond_with_data("Service Unavailable", status=503)
    answer = http_get(httpserver.url_for("/health"), {})
    assert answer["outcome"] == "ok"
    assert answer["status"] == 503
    assert answer["body"] == "Service Unavailable"


def test_http_get_cuts_a_huge_body_at_256_kib(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data("x" * (MAX_BODY_BYTES * 3))
    answer = http_get(httpserver.url_for("/big"), {})
    assert answer["truncated"] is True
    assert len(answer["body"]) == MAX_BODY_BYTES


def test_http_get_keeps_a_body_of_exactly_the_limit_whole(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/edge").respond_with_data("y" * MAX_BODY_BYTES)
    answer = http_get(httpserver.url_for("/edge"), {})
    assert answer["truncated"] is False
    assert len(answer["body"]) == MAX_BODY_BYTES


def test_http_get_ignores_proxy_environment_variables(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/").respond_with_data("direct")
    with socket.create_server(("127.0.0.1", 0)) as fake_proxy:
        fake_proxy.setblocking(False)
        proxy_url = f"http://127.0.0.1:{fake_proxy.getsockname()[1]}"
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy_url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        answer = http_get(httpserver.url_for("/"), {})
        with pytest.raises(BlockingIOError):
            fake_proxy.accept()
    assert (answer["outcome"], answer["status"], answer["body"]) == ("ok", 200, "direct")


def test_http_get_does_not_follow_redirects(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("moved here")
    answer = http_get(httpserver.url_for("/old"), {})
    assert answer["status"] == 302
    assert answer["headers"]["location"].endswith("/new")
    assert [request.path for request, _ in httpserver.log] == ["/old"]


def test_http_get_decodes_the_declared_charset_and_strips_a_bom(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/sjis").respond_with_data(
        "状態: [1] 安定".encode("cp932"), content_type="text/plain; charset=Shift_JIS"
    )
    httpserver.expect_request("/bom").respond_with_data(b"\xef\xbb\xbf<Versions/>", content_type="text/xml")
    assert http_get(httpserver.url_for("/sjis"), {})["body"] == "状態: [1] 安定"
    assert http_get(httpserver.url_for("/bom"), {})["body"] == "<Versions/>"


def test_http_get_to_a_closed_port_is_refused() -> None:
    answer = http_get(f"http://127.0.0.1:{closed_port()}/?comp=versions", {}, timeout=5.0)
    assert answer["outcome"] == "refused"
    assert answer["status"] is None
    assert answer["error"]


def test_http_get_times_out_on_a_server_that_does_not_answer(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    answer = http_get(httpserver.url_for("/slow"), {}, timeout=0.3)
    assert answer["outcome"] == "timeout"
    assert answer["elapsed_ms"] < 1000


def test_http_get_says_whether_the_connection_was_accepted(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    httpserver.expect_request("/fast").respond_with_data("ok")
    silent = http_get(httpserver.url_for("/slow"), {}, timeout=0.3)
    assert (silent["outcome"], silent["connected"]) == ("timeout", True)
    assert http_get(httpserver.url_for("/fast"), {})["connected"] is True
    refused = http_get(f"http://127.0.0.1:{closed_port()}/", {}, timeout=5.0)
    assert (refused["outcome"], refused["connected"]) == ("refused", False)


@pytest.mark.posix("Linux drops SYNs when the accept queue is full; Windows answers RST")
def test_http_get_to_a_port_that_never_completes_the_handshake_was_not_connected() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=0) as server:
        port = server.getsockname()[1]
        queued: list[socket.socket] = []
        try:
            for _ in range(64):
                sock = socket.socket()
                sock.settimeout(0.2)
                try:
                    sock.connect(("127.0.0.1", port))
                except TimeoutError:
                    sock.close()
                    break
                queued.append(sock)
            else:
                pytest.fail("the accept queue never filled up")
            answer = http_get(f"http://127.0.0.1:{port}/health", {}, timeout=0.6, connect_timeout=0.3)
        finally:
            for sock in queued:
                sock.close()
    assert (answer["outcome"], answer["connected"]) == ("timeout", False)


def test_http_get_refuses_anything_but_http() -> None:
    for url in ("file:///etc/passwd", "https://127.0.0.1/", "gopher://127.0.0.1/", "http://", "http://[::1"):
        answer = http_get(url, {})
        assert answer["outcome"] == "error", url
        assert answer["body"] is None and answer["error"]


# -- http_get against servers that misbehave on purpose ---------------------------------------------------


class RawServer:
    """A loopback server that answers each connection with `script(conn)`: bytes and pauses of our choosing."""

    def __init__(self, script: Callable[[socket.socket], None]) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.script = script
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?comp=versions"

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.requests.append(conn.recv(65536))
                    self.script(conn)
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def make(script: Callable[[socket.socket], None]) -> RawServer:
        servers.append(RawServer(script))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def _trickle(data: bytes, every: float, stop: threading.Event | None = None) -> Callable[[socket.socket], None]:
    def script(conn: socket.socket) -> None:
        for byte in data:
            conn.sendall(bytes([byte]))
            time.sleep(every)
    return script


def test_a_server_trickling_its_headers_is_cut_at_the_total_deadline(raw_server: Any) -> None:
    """Reliability review row 6: one byte every 0.2 s never trips a per-read timeout, only a total one."""
    server = raw_server(_trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n" + b"X-Pad: " + b"a" * 200, 0.2))
    start = time.monotonic()
    answer = http_get(server.url, {}, timeout=1.0)
    elapsed = time.monotonic() - start
    assert answer["outcome"] == "timeout"
    assert "deadline" in answer["error"]
    assert elapsed < 1.6


def test_a_server_trickling_its_body_is_cut_at_the_total_deadline(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        _trickle(b"x" * 1000, 0.2)(conn)

    start = time.monotonic()
    answer = http_get(raw_server(script).url, {}, timeout=1.0)
    assert answer["outcome"] == "timeout" and answer["status"] == 200
    assert time.monotonic() - start < 1.6


def test_chunked_bodies_are_joined(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\n<Vers\r\n7;ext=1\r\nions/>\n\r\n0\r\n\r\n")

    answer = http_get(raw_server(script).url, {})
    assert (answer["outcome"], answer["status"], answer["body"]) == ("ok", 200, "<Versions/>\n")


@pytest.mark.parametrize("broken", [
    b"zz\r\nhello\r\n0\r\n\r\n",          # not a hex size
    b"10\r\nshort",                           # the connection closes inside a chunk
    b"5\r\nhelloXX0\r\n\r\n",               # no CRLF after the chunk
])
def test_broken_chunking_is_an_error_that_keeps_the_status(raw_server: Any, broken: bytes) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n" + broken)

    answer = http_get(raw_server(script).url, {}, timeout=2.0)
    assert answer["outcome"] == "error"
    assert answer["status"] == 502
    assert "chunked" in answer["error"] or "closed" in answer["error"]


def test_a_body_shorter_than_its_content_length_is_an_error(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")

    answer = http_get(raw_server(script).url, {}, timeout=2.0)
    assert answer["outcome"] == "error" and "9 of 100" in answer["error"]


def test_a_body_ended_by_closing_the_connection(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")

    answer = http_get(raw_server(script).url, {})
    assert (answer["outcome"], answer["body"]) == ("ok", "until the end")


def test_an_interim_answer_is_skipped(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")

    answer = http_get(raw_server(script).url, {})
    assert (answer["status"], answer["body"]) == (201, "ok")


@pytest.mark.parametrize("reply", [b"SSH-2.0-OpenSSH_9.2\r\n", b"HTTP/1.1 2000 Huge\r\n\r\n", b"\x00\xff\r\n"])
def test_something_that_is_not_http_is_an_error(raw_server: Any, reply: bytes) -> None:
    answer = http_get(raw_server(lambda conn: conn.sendall(reply)).url, {}, timeout=2.0)
    assert answer["outcome"] == "error" and answer["status"] is None
    assert "not an HTTP answer" in answer["error"]


def test_headers_larger_than_64_kib_are_refused(raw_server: Any) -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Big: " + b"a" * 70000 + b"\r\n\r\n")

    answer = http_get(raw_server(script).url, {}, timeout=3.0)
    assert answer["outcome"] == "error" and "larger than 64 KiB" in answer["error"]


def test_the_request_is_a_plain_get_and_headers_cannot_be_injected(raw_server: Any) -> None:
    server = raw_server(lambda conn: conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    assert http_get(server.url, {"x-ms-version": "2012-11-30", "Metadata": "true"})["status"] == 200
    sent = server.requests[0].decode("latin-1")
    assert sent.startswith("GET /?comp=versions HTTP/1.1\r\n")
    assert "\r\nx-ms-version: 2012-11-30\r\n" in sent and "\r\nConnection: close\r\n" in sent
    bad = http_get(server.url, {"x-ms-version": "1\r\nEvil: yes"})
    assert bad["outcome"] == "error" and len(server.requests) == 1


def test_decode_body_drops_a_character_cut_at_the_limit() -> None:
    raw = "安定".encode()[:-1]
    assert decode_body(raw, "text/plain; charset=utf-8", truncated=True) == "安"
    assert decode_body(b"caf\xe9", None) == "caf\ufffd"
    assert decode_body(b"ok", "text/plain; charset=no-such-codec") == "ok"


def test_a_slow_answer_after_a_quick_connect_is_waited_for(raw_server: Any) -> None:
    """The simulated VM's slow HostGAPlugin (answers after 2.5 s): the short connect deadline does not cut
    an answer the server is still working on; only the total deadline does."""
    def slow(conn: socket.socket) -> None:
        time.sleep(0.6)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    server = raw_server(slow)
    answer = http_get(server.url, {}, timeout=3.0, connect_timeout=0.2)
    assert (answer["outcome"], answer["status"], answer["body"]) == ("ok", 200, "ok")
    assert answer["elapsed_ms"] >= 550
    cut = http_get(server.url, {}, timeout=0.3, connect_timeout=0.2)
    assert cut["outcome"] == "timeout"


@pytest.mark.posix("Linux drops SYNs when the accept queue is full; Windows answers RST")
def test_a_port_that_never_completes_the_handshake_is_given_up_at_the_connect_deadline() -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=0) as server:
        port = server.getsockname()[1]
        queued: list[socket.socket] = []
        try:
            for _ in range(64):
                sock = socket.socket()
                sock.settimeout(0.2)
                try:
                    sock.connect(("127.0.0.1", port))
                except TimeoutError:
                    sock.close()
                    break
                queued.append(sock)
            else:
                pytest.fail("the accept queue never filled up")
            start = time.monotonic()
            answer = http_get(f"http://127.0.0.1:{port}/", {}, timeout=5.0, connect_timeout=0.3)
            elapsed = time.monotonic() - start
        finally:
            for sock in queued:
                sock.close()
    assert answer["outcome"] == "timeout"
    assert elapsed < 2.0  # the connect deadline, not the 5 s total
