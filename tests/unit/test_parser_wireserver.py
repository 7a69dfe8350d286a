"""WireServer XML parsing: real fixtures, the doc's truncated sample, error bodies, hostile and huge input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers.wireserver import (
    MAX_XML_CHARS,
    WIRE_PROTOCOL_VERSION,
    advertises,
    blocked_locally,
    error_answer_in_log,
    excerpt,
    parse_error_body,
    parse_versions,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "wireserver"
HGAP = Path(__file__).resolve().parents[1] / "data" / "hostgaplugin"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + ']>\n<Versions><Preferred><Version>&lol9;</Version></Preferred></Versions>'
)
QUADRATIC = (
    f'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "{"x" * 50_000}">]>'
    f'<Versions><Supported>{"<Version>&a;</Version>" * 2000}</Supported></Versions>'
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE v [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    "<Versions><Preferred><Version>&e;</Version></Preferred></Versions>"
)


# -- versions ----------------------------------------------------------------------------------


def test_versions_fixture_from_the_linux_agent() -> None:
    parsed = parse_versions(read("versions.xml"))
    assert parsed == {"preferred": ["2012-11-30"], "supported": ["2010-12-15", "2010-28-10"],
                      "error": None, "recovered": False}
    assert advertises(parsed)


def test_the_docs_truncated_sample_is_an_error_but_its_versions_are_recovered() -> None:
    parsed = parse_versions(read("versions_doc_truncated.xml"))
    assert parsed["error"] is not None and parsed["error"].startswith("not well-formed XML")
    assert parsed["recovered"] is True
    assert parsed["preferred"] == ["2015-04-05"]
    assert parsed["supported"][:3] == ["2015-04-05", "2012-11-30", "2012-09-15"]
    assert len(parsed["supported"]) == 10
    assert advertises(parsed)


def test_version_2012_11_30_only_in_supported_still_counts() -> None:
    body = ("<Versions><Preferred><Version>2015-04-05</Version></Preferred>"
            "<Supported><Version>2012-11-30</Version></Supported></Versions>")
    assert advertises(parse_versions(body))


def test_a_list_without_2012_11_30_does_not_advertise_it() -> None:
    parsed = parse_versions("<Versions><Preferred><Version>2015-04-05</Version></Preferred></Versions>")
    assert parsed["error"] is None
    assert not advertises(parsed)
    assert WIRE_PROTOCOL_VERSION == "2012-11-30"


def test_whitespace_around_versions_and_namespaces_are_tolerated() -> None:
    body = ('<v:Versions xmlns:v="urn:x"><v:Preferred><v:Version>\n 2012-11-30 \n</v:Version>'
            "</v:Preferred></v:Versions>")
    assert parse_versions(body)["preferred"] == ["2012-11-30"]


@pytest.mark.parametrize(
    ("body", "error_start"),
    [
        ("", "empty body"),
        ("   \n", "empty body"),
        ("<html><body>Access denied by proxy</body></html>", "not a versions document (root element <html>)"),
        ("<Versions></Versions>", "the document lists no versions"),
        ("<Versions><Preferred><Version></Version></Preferred></Versions>", "the document lists no versions"),
        ("not xml at all", "not well-formed XML"),
        ("<Versions><Preferred>", "not well-formed XML"),
    ],
)
def test_bodies_that_are_not_versions_lists(body: str, error_start: str) -> None:
    parsed = parse_versions(body)
    assert parsed["error"].startswith(error_start)
    assert not advertises(parsed)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, QUADRATIC, EXTERNAL])
def test_entity_tricks_are_refused_quickly_and_not_recovered(body: str) -> None:
    start = time.monotonic()
    parsed = parse_versions(body)
    assert time.monotonic() - start < 1.0
    assert parsed["error"].startswith("refused: the document declares a DTD or entities")
    assert parsed["preferred"] == [] and parsed["supported"] == [] and parsed["recovered"] is False


def test_oversized_body_is_refused_without_parsing() -> None:
    body = "<Versions>" + "<Supported><Version>2012-11-30</Version></Supported>" * 20_000 + "</Versions>"
    assert len(body) > MAX_XML_CHARS
    parsed = parse_versions(body)
    assert parsed["error"].startswith("document too large")
    assert not advertises(parsed)


def test_deep_nesting_within_the_size_limit_is_bounded() -> None:
    depth = (MAX_XML_CHARS - 100) // 7
    body = "<a>" * depth + "</a>" * depth
    start = time.monotonic()
    parsed = parse_versions(body[:MAX_XML_CHARS])
    assert time.monotonic() - start < 5.0
    assert parsed["error"] is not None


def test_recovery_is_bounded_on_many_version_tags() -> None:
    body = "<Versions><Supported>" + "<Version>2012-11-30</Version>" * 15_000
    parsed = parse_versions(body)
    assert parsed["recovered"] is True
    assert len(parsed["supported"]) == 100


def test_overlong_version_text_is_cut() -> None:
    parsed = parse_versions(f"<Versions><Preferred><Version>{'9' * 5000}</Version></Preferred></Versions>")
    assert len(parsed["preferred"][0]) == 64


@settings(max_examples=300, deadline=2000)
@given(st.text(max_size=3000))
def test_versions_never_raises_on_any_text(body: str) -> None:
    parsed = parse_versions(body)
    assert set(parsed) - {"error_msg"} == {"preferred", "supported", "error", "recovered"}
    assert isinstance(parsed["preferred"], list) and isinstance(parsed["supported"], list)
    assert (parsed["error"] is None) == ("error_msg" not in parsed)


XML_BITS = st.sampled_from([
    "<Versions>", "</Versions>", "<Preferred>", "</Preferred>", "<Supported>", "</Supported>",
    "<Version>", "</Version>", "2012-11-30", "2015-04-05", "<!DOCTYPE x>", "<!ENTITY a 'b'>", "&a;",
    "&amp;", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<!--", "-->", "\x00", "\ufeff", " ", "\n",
    "<GoalState>", "</GoalState>", "<Error>", "<Code>", "</Code>", "<Container>", "<ContainerId>",
])


@settings(max_examples=400, deadline=2000)
@given(st.lists(st.one_of(XML_BITS, st.text(max_size=20)), max_size=80).map("".join))
def test_every_parser_survives_xmlish_garbage(body: str) -> None:
    assert isinstance(parse_versions(body)["preferred"], list)
    err = parse_error_body(body)
    assert set(err) - {"error_msg"} == {"code", "message", "details", "format", "error"}
    assert (err["error"] is None) == (err["format"] is not None)


@settings(max_examples=100, deadline=2000)
@given(st.binary(max_size=2000))
def test_decoded_binary_garbage_is_handled(raw: bytes) -> None:
    body = raw.decode("utf-8", "replace")
    assert parse_versions(body)["error"] is not None or parse_versions(body)["preferred"] is not None


# -- error bodies: WireServer XML, HostGAPlugin JSON ----------------------------------------------


def test_the_410_body_is_an_error_document() -> None:
    body = read("goalstate_410_resource_gone.xml")
    err = parse_error_body(body)
    assert err == {"code": "ResourceNotAvailable",
                   "message": "The resource requested is no longer available. Please refresh your cache.",
                   "details": "", "format": "xml", "error": None}
    versions = parse_versions(body)
    assert versions["error"] == "not a versions document (root element <Error>)"
    assert versions["error_msg"] == {"id": "not a versions document (root element <{element}>)",
                                     "params": {"element": "Error"}}


def test_the_hostgaplugin_502_json_body() -> None:
    err = parse_error_body((HGAP / "vmsettings_502_blob_content_not_found.json").read_text(encoding="utf-8"))
    assert err == {"code": "VMArtifactsProfileBlobContentNotFound",
                   "message": "VM artifacts profile blob has no content in it.", "details": "", "format": "json",
                   "error": None}


@pytest.mark.parametrize(("body", "code", "message"), [
    ('{"error": {"code": "Forbidden", "message": "no access"}}', "Forbidden", "no access"),
    ('{"Code": "X", "Message": "y", "Details": "z"}', "X", "y"),
    ('{"error": "Bad request. api-version was not specified"}', None, "Bad request. api-version was not specified"),
    ('\ufeff { "errorCode": 42 }', "42", None),
])
def test_json_error_body_shapes(body: str, code: str | None, message: str | None) -> None:
    err = parse_error_body(body)
    assert (err["code"], err["message"], err["format"], err["error"]) == (code, message, "json", None)


@pytest.mark.parametrize(("body", "error"), [
    ("[1, 2]", "not an error document (a JSON list)"),
    ('{"status": "ok"}', "not an error document (no code and no message)"),
    ("{not json", None),
    ("", "empty body"),
])
def test_json_that_is_not_an_error_body(body: str, error: str | None) -> None:
    err = parse_error_body(body)
    assert err["format"] is None and err["code"] is None and err["error"]
    assert err["error_msg"]["id"]
    if error is not None:
        assert err["error"] == error


def test_error_answers_quoted_in_the_agent_log() -> None:
    lines = (Path(__file__).resolve().parents[1] / "data" / "linux" / "waagent_log_goalstate_errors.log").read_text(
        encoding="utf-8").splitlines()
    found = {i: error_answer_in_log(line) for i, line in enumerate(lines)}
    assert found[1] == {"status": 502, "code": "VMArtifactsProfileBlobContentNotFound",
                        "message": "VM artifacts profile blob has no content in it.", "details": "", "format": "json"}
    assert found[5] == {"status": 410, "code": "ResourceNotAvailable", "message": "The resource requested is no "
                        "longer available. Please refresh your cache.", "details": "", "format": "xml"}
    # "[410: Gone] The page ..." has no body, "[400: Bad Request] b''" an empty one: nothing to show
    assert [i for i, v in found.items() if v is not None] == [1, 5]


@pytest.mark.parametrize("line", [
    "[403: Forbidden] b'{\"errorCode\": \"C\", \"message\": \"unterminated",
    "[403: Forbidden] b'" + "\\x" * 5000,
    "[999: x] b'" + "{" * 100_000 + "'",
    "[403: Forbidden] no body at all",
])
def test_error_answers_in_odd_log_lines_never_raise(line: str) -> None:
    answer = error_answer_in_log(line)
    assert answer is None or answer["status"] == 403


def test_error_body_texts_are_bounded() -> None:
    err = parse_error_body('{"errorCode": "C", "message": "' + "m" * 10_000 + '"}')
    assert len(err["message"]) == 500


def test_error_body_of_something_else() -> None:
    assert parse_error_body(read("versions.xml"))["error"] == "not an error document (root element <Versions>)"
    assert parse_error_body(BILLION_LAUGHS)["error"].startswith("refused")


# -- helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "blocked"),
    [
        ("PermissionError: [WinError 10013] An attempt was made to access a socket in a way forbidden by its "
         "access permissions", True),
        ("PermissionError: [Errno 1] Operation not permitted", True),
        ("PermissionError: [Errno 13] Permission denied", True),
        ("TimeoutError: timed out", False),
        ("ConnectionRefusedError: [Errno 111] Connection refused", False),
        ("", False),
        (None, False),
    ],
)
def test_blocked_locally(error: str | None, blocked: bool) -> None:
    assert blocked_locally(error) is blocked


def test_excerpt_is_bounded() -> None:
    assert excerpt(None) == ""
    assert excerpt("abc") == "abc"
    assert len(excerpt("x" * 5000)) == 2001
