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
    excerpt,
    parse_error_body,
    parse_goal_state,
    parse_versions,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "wireserver"


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
    assert set(parsed) == {"preferred", "supported", "error", "recovered"}
    assert isinstance(parsed["preferred"], list) and isinstance(parsed["supported"], list)


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
    assert set(parse_goal_state(body)) >= {"incarnation", "container_id", "error"}
    assert set(parse_error_body(body)) == {"code", "message", "details", "error"}


@settings(max_examples=100, deadline=2000)
@given(st.binary(max_size=2000))
def test_decoded_binary_garbage_is_handled(raw: bytes) -> None:
    body = raw.decode("utf-8", "replace")
    assert parse_versions(body)["error"] is not None or parse_versions(body)["preferred"] is not None


# -- goal state and error bodies -------------------------------------------------------------------


def test_goal_state_fixture() -> None:
    gs = parse_goal_state(read("goalstate.xml"))
    assert gs["error"] is None
    assert gs["incarnation"] == "1"
    assert gs["version"] == "2010-12-15"
    assert gs["expected_state"] == "Started"
    assert gs["container_id"] == "c6d5526c-5ac2-4200-b6e2-56f2b70c5ab2"
    assert gs["has_role_instance"] is True
    assert gs["role_instances"] == [{
        "instance_id": "b61f93d0-e1ed-40b2-b067-22c243233448.MachineRole_IN_0",
        "state": "Started",
        "config_name": "bc8b9d47-b5ed-4704-85d9-fd74cc967ec2.5.bc8b9d47-b5ed-4704-85d9-fd74cc967ec2.5._canary.1.xml",
    }]


def test_goal_state_never_carries_the_configuration_uris() -> None:
    gs = parse_goal_state(read("goalstate.xml"))
    assert "http://" not in repr(gs) and "comp=config" not in repr(gs)


def test_goal_state_without_role_instance() -> None:
    body = ("<GoalState><Incarnation>3</Incarnation><Container><ContainerId>abc</ContainerId>"
            "<RoleInstanceList/></Container></GoalState>")
    gs = parse_goal_state(body)
    assert gs["error"] is None and gs["has_role_instance"] is False and gs["incarnation"] == "3"


def test_goal_state_missing_ids_is_an_error() -> None:
    assert parse_goal_state("<GoalState><Version>x</Version></GoalState>")["error"] == (
        "the goal state lacks an Incarnation or a ContainerId")


def test_the_410_body_is_an_error_not_a_goal_state() -> None:
    body = read("goalstate_410_resource_gone.xml")
    assert parse_goal_state(body)["error"] == "not a goal state document (root element <Error>)"
    err = parse_error_body(body)
    assert err == {"code": "ResourceNotAvailable",
                   "message": "The resource requested is no longer available. Please refresh your cache.",
                   "details": "", "error": None}
    assert parse_versions(body)["error"] == "not a versions document (root element <Error>)"


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
