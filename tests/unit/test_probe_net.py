"""The network probes against real loopback sockets and a loopback HTTP server (pytest-httpserver)."""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Iterator

import pytest
import requests
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
            raise requests.ConnectionError("Max retries exceeded") from inner
    except requests.ConnectionError as outer:
        assert classify_error(outer) == "unreachable"
    assert classify_error(requests.ConnectionError("[Errno 101] Network is unreachable")) == "unreachable"
    assert classify_error(requests.ConnectTimeout("connect timed out")) == "timeout"
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


def test_a_plain_requests_call_would_have_used_that_proxy(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(requests.exceptions.ProxyError):
        requests.get(httpserver.url_for("/"), timeout=2)
    assert http_get(httpserver.url_for("/"), {})["error"] is None


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


def test_http_get_refuses_anything_but_http() -> None:
    answer = http_get("file:///etc/passwd", {})
    assert answer["outcome"] == "error"
    assert answer["body"] is None


def test_decode_body_drops_a_character_cut_at_the_limit() -> None:
    raw = "安定".encode()[:-1]
    assert decode_body(raw, "text/plain; charset=utf-8", truncated=True) == "安"
    assert decode_body(b"caf\xe9", None) == "caf\ufffd"
    assert decode_body(b"ok", "text/plain; charset=no-such-codec") == "ok"
