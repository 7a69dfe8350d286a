"""The network checks through the real network probes (`SystemProbe`'s `tcp_connect` and `http_get`) against
a raw-socket fake of IMDS, the Wire Server and the HostGAPlugin on 127.0.0.1 that answers with random status
lines, headers and bodies (huge, wrong content type, broken chunking, secrets, NaN), delivered at once, in
slow pieces or trickled, then closed, reset or left hanging.

Every run must give no `error` result, a strict-JSON diagnosis and a terminal view without secrets or
control characters, and finish within the budget of the run in which every endpoint is black-holed (each
request has a total deadline, so a trickling server cannot stretch it). Nothing leaves loopback: `Settings`
aims every check at the fake.
"""

from __future__ import annotations

import pytest
from hostile_harness import (
    NETWORK_TIMEOUTS,
    ROUTES,
    SECRET_TEXTS,
    FakeHttp,
    Reply,
    black_holed_seconds,
    judge_network,
    network_budget,
    run_network,
)
from hostile_inputs import hostile_settings, network_answers, sample_bodies
from hypothesis import given


@pytest.fixture(scope="module")
def budget() -> float:
    black_holed = black_holed_seconds()
    assert black_holed >= NETWORK_TIMEOUTS["connect_timeout_s"]  # the black hole really held the run up
    return network_budget(black_holed)


@hostile_settings(20)
@given(replies=network_answers())
def test_hostile_http_answers(budget: float, replies: dict[str, Reply]) -> None:
    outcome = run_network(replies)
    broken = judge_network(outcome, budget)
    assert not broken, "\n".join(f"{r}: {x.describe()}" for r, x in replies.items()) + "\n" + \
        "\n".join(map(str, broken))
    assert outcome.requests  # the checks did talk to the fake


def _ok(route: str, body: bytes, ctype: bytes = b"application/json") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


CASES = {
    "trickle": lambda r: Reply(_ok(r, sample_bodies()[r]), trickle=True, delay=0.1),
    "silence": lambda r: Reply(b"", end="hold"),
    "headers then silence": lambda r: Reply(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", end="hold"),
    "reset": lambda r: Reply(b"HTTP/1.1 200 OK\r\n", end="reset"),
    "broken chunking": lambda r: Reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
    "huge body": lambda r: Reply(_ok(r, b"<Versions>" + b"A" * 3_000_000)),
    "wrong type": lambda r: Reply(_ok(r, bytes(range(256)) * 100, b"image/png")),
    "NaN JSON": lambda r: Reply(_ok(r, b'{"compute": {"name": NaN, "vmSize": Infinity, "tagsList": [1e999]}}')),
    "secrets": lambda r: Reply(_ok(r, "\n".join(SECRET_TEXTS).encode(), b"text/plain").replace(
        b"\r\n\r\n", b"\r\nX-Leak: " + SECRET_TEXTS[0].encode() + b"\r\n\r\n", 1)),
    "slow pieces": lambda r: Reply(_ok(r, sample_bodies()[r]), pieces=5, delay=0.3),
    # found by the property tests: each used to end as "could not look" quoting a Python exception
    "superscript status": lambda r: Reply(b"HTTP/1.1 \xb9\xb2\xb3 OK\r\nContent-Length: 0\r\n\r\n"),
    "superscript length": lambda r: Reply(b"HTTP/1.1 200 OK\r\nContent-Length: \xb9\xb2\r\n\r\n" + b"x" * 12),
    "5000-digit length": lambda r: Reply(b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\nx"),
    "UTF-16 without BOM": lambda r: Reply(_ok(r, sample_bodies()[r].decode().encode("utf-16-le"),
                                              b"application/json; charset=utf-16")),
    "5000-digit number": lambda r: Reply(_ok(r, b'{"compute": {"name": "vm", "n": ' + b"9" * 5000 + b"}}")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_hostile_behaviour_on_every_endpoint(budget: float, case: str) -> None:
    """Each behaviour once on all three endpoints at the same time, whatever the random examples drew."""
    replies = {route: CASES[case](route) for route in ROUTES}
    broken = judge_network(run_network(replies), budget)
    assert not broken, "\n".join(map(str, broken))


# -- regressions, at the probe itself ---------------------------------------------------------------------

def test_latin1_superscripts_are_not_a_status_or_a_length() -> None:
    """`"²".isdigit()` is true but `int("²")` raises: the answer was lost to a ValueError."""
    from wizard.probes.net import http_get

    for raw in (b"HTTP/1.1 \xb9\xb2\xb3 OK\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: \xb9\r\n\r\nx",
                b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\nx"):
        with FakeHttp({"/": Reply(raw)}) as fake:
            answer = http_get(f"http://127.0.0.1:{fake.port}/", timeout=2.0)
        assert answer["outcome"] == "error", answer
        assert "ValueError" not in answer["error"] and "not" in answer["error"], answer["error"]


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "utf-16-be"])
def test_decode_body_never_raises(charset: str) -> None:
    from wizard.probes.net import decode_body

    for raw in (b"", b"a", b"ab", b"abc", "Versions".encode("utf-16-le"), b"\xff\xfe\x00"):
        assert isinstance(decode_body(raw, f"text/xml; charset={charset}"), str)
    assert decode_body("<Versions/>".encode("utf-16-le"), "text/xml; charset=utf-16") == "<Versions/>"
