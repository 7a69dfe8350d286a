"""`--scenario FILE` on hostile files: mutated shipped scenarios, random JSON, random bytes, special files.

Each run names every output (`--json`, `--report`, `--record`, `--diagram`) in a temporary working folder
and must end with a documented exit status (0/1/2, or 3 with one line on standard error; never 4), strict
JSON, no `error` result, no secret of the corpus anywhere, no control character on the terminal, nothing
written but the named outputs and the log, within the deadline (rules: `hostile_harness.judge_cli`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_harness import SECRET_TEXTS, SECRETS, Workspace, cli_argv, judge_cli, run_cli
from hostile_inputs import ScenarioInput, hostile_settings, scenario_inputs, scenario_property, special_files
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.posix("FIFOs, sockets, symbolic links to /dev/zero and sparse files are POSIX things")


@hostile_settings(50)
@given(inp=scenario_inputs(), lang=st.sampled_from(["en", "ja"]), redact=st.booleans())
def test_hostile_scenario_documents(inp: ScenarioInput, lang: str, redact: bool) -> None:
    broken = scenario_property(inp, lang, redact)
    assert not broken, f"{inp}\n" + "\n".join(map(str, broken))


SPECIAL = [("fifo", False), ("folder", False), ("dev_zero", False), ("huge_sparse", False),
           ("link_to_outside", False), ("dangling", False), ("none", False), ("socket", False)]


@pytest.mark.parametrize(("kind", "usable"), SPECIAL)
def test_special_scenario_files_end_with_one_line(kind: str, usable: bool) -> None:
    """Each special file once, whatever the random examples above drew: a FIFO must not hang the run, a link to
    /dev/zero must not read it, a 65 MiB file is refused by size, a file of secrets is not quoted back."""
    data = ("\n".join(SECRET_TEXTS) + "\n").encode() if kind == "link_to_outside" else b'{"schema": 1, "calls": ['
    inp = ScenarioInput(kind, data, usable, [kind])
    assert not scenario_property(inp), str(inp)


@hostile_settings(15)
@given(inp=special_files())
def test_special_and_encoded_scenario_files(inp: ScenarioInput) -> None:
    broken = scenario_property(inp)
    assert not broken, f"{inp}\n" + "\n".join(map(str, broken))


# -- regressions: what the property tests found ------------------------------------------------------------

def _run_doc(doc: object) -> tuple[int | None, str, list[str]]:
    with Workspace() as ws:
        path = ws.cwd / "scenario.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        outcome = run_cli(ws, cli_argv(ws, ["--scenario", str(path)]))
        return outcome.code, outcome.stderr, [str(v) for v in judge_cli(outcome, usable=None)]


@pytest.mark.parametrize("calls", [5, True, "calls", {"probe": "platform"}, 1.5])
def test_calls_that_are_not_a_list_are_an_unusable_scenario(calls: object) -> None:
    """`"calls": 5` used to end with exit 4 (TypeError: 'int' object is not iterable)."""
    code, stderr, broken = _run_doc({"schema": 1, "calls": calls})
    assert code == 3, stderr
    assert "'calls'" in stderr and "expected a list" in stderr
    assert not broken


@pytest.mark.parametrize("where", ["schema", "probe"])
def test_unusable_scenario_messages_quote_no_secret_and_no_control_character(where: str) -> None:
    """The one-line message used to quote the offending value raw: a secret went to the terminal and the log,
    an escape sequence to the terminal, a newline split the line."""
    value = f"\x1b]0;owned\x07\n{SECRET_TEXTS[0]}"
    doc: dict[str, object] = {"schema": 1, "calls": [{"probe": "platform", "args": {}, "answer": []}]}
    if where == "schema":
        doc["schema"] = value
    else:
        doc["calls"] = [{"probe": value, "args": 5, "answer": {}}]
    code, stderr, broken = _run_doc(doc)
    assert code == 3
    assert not broken  # one line, no secret (stderr and log), no control character
    assert "\\x1b" in stderr  # still says what was there, escaped


def test_a_secret_in_the_scenario_title_reaches_no_output() -> None:
    """The title is shown by every presenter but is not a probe answer, so it missed the gate."""
    doc = json.loads((Path(__file__).resolve().parents[2] / "resources" / "scenarios" / "healthy-linux.json")
                     .read_text(encoding="utf-8"))
    doc["title"] = "Demo " + " ".join(SECRET_TEXTS)
    doc["description"] = " ".join(SECRET_TEXTS)
    code, stderr, broken = _run_doc(doc)
    assert code in (0, 1, 2), stderr
    assert not broken
    assert SECRETS  # the corpus is not empty: the search above searched for something


def test_a_number_past_4300_digits_is_an_unusable_scenario() -> None:
    """Python's JSON reader raises a plain ValueError (not JSONDecodeError) for it: that used to be exit 4."""
    with Workspace() as ws:
        path = ws.cwd / "scenario.json"
        path.write_text('{"schema": 1, "calls": [], "n": ' + "9" * 5000 + "}", encoding="utf-8")
        outcome = run_cli(ws, cli_argv(ws, ["--scenario", str(path)]))
        assert outcome.code == 3, outcome.stderr
        assert not judge_cli(outcome, usable=False)


def test_an_integer_too_large_for_a_float_is_could_not_measure() -> None:
    """`"percent": 10**400` passed the gate as a number and `res.disk` crashed converting it to a float."""
    from wizard.probes.safe import safe_answer

    answer = safe_answer("disk_usage", {"exists": True, "total": 10**400, "used": 1, "free": 1, "percent": -(10**400)})
    assert answer["total"] is None and answer["percent"] is None
    assert answer["nonfinite"] == ["total", "percent"]
    doc = json.loads((Path(__file__).resolve().parents[2] / "resources" / "scenarios" / "healthy-linux.json")
                     .read_text(encoding="utf-8"))
    for call in doc["calls"]:
        if call["probe"] == "disk_usage":
            call["answer"]["percent"] = 10**400
    code, stderr, broken = _run_doc(doc)
    assert code in (0, 1, 2), stderr
    assert not broken
