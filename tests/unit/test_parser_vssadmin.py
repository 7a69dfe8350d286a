"""`vssadmin list writers` parsing: real English and Japanese output, code pages, hostile input.

Fixtures (see /work/shared/fixtures/SOURCES.md): `windows/vssadmin_list_writers_ja_healthy.txt` is a
Japanese console capture from the jpwinsup blog (trailing spaces, an en dash, typographic quotes);
`windows/vssadmin_list_writers_en_exchange_failed.txt` is English, without the header, with the
Exchange writer at `[7] Failed` / `Retryable error`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import vssadmin
from wizard.parsers.vssadmin import classify_last_error, mentions_permission, parse_writers, state_name

DATA = Path(__file__).resolve().parents[1] / "data" / "windows"
JA = "vssadmin_list_writers_ja_healthy.txt"
EN = "vssadmin_list_writers_en_exchange_failed.txt"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_japanese_fixture_all_stable() -> None:
    parsed = parse_writers(read(JA))
    writers = parsed["writers"]
    assert [w["name"] for w in writers] == [
        "System Writer", "ASR Writer", "Registry Writer", "WMI Writer", "COM+ REGDB Writer",
        "Shadow Copy Optimization Writer",
    ]
    first = writers[0]
    assert first["writer_id"] == "{a1111111-1a11-2222-a33a-1050253ae220}"
    assert first["instance_id"] == "{a1111111-1a11-2222-a33a-eacf897c2bb2}"
    assert first["state_text"] == "安定"
    assert first["last_error"] == "エラーなし"
    assert all(w["state"] == 1 and w["state_name"] == "STABLE" for w in writers)
    assert all(w["last_error_kind"] == "none" for w in writers)
    assert parsed["truncated"] is False


def test_english_fixture_exchange_failed() -> None:
    writers = parse_writers(read(EN))["writers"]
    assert len(writers) == 5
    exchange = writers[-1]
    assert exchange["name"] == "Microsoft Exchange Writer"
    assert exchange["state"] == 7
    assert exchange["state_name"] == "FAILED_AT_PREPARE_BACKUP"
    assert exchange["state_text"] == "Failed"
    assert exchange["last_error"] == "Retryable error"
    assert exchange["last_error_kind"] == "error"
    assert [w["last_error_kind"] for w in writers[:4]] == ["none"] * 4


def test_crlf_gives_the_same_result() -> None:
    for name in (JA, EN):
        text = read(name)
        assert parse_writers(text.replace("\n", "\r\n")) == parse_writers(text)


def test_cp932_round_trip_as_the_probe_decodes_it() -> None:
    # The run probe decodes the console output with the OEM code page (cp932 on Japanese Windows);
    # the en dash of the header has no cp932 form, so it comes back as "?": nothing depends on it.
    raw = read(JA).replace("\n", "\r\n").encode("cp932", errors="replace")
    decoded = raw.decode("cp932")
    writers = parse_writers(decoded)["writers"]
    assert len(writers) == 6
    assert all(w["state"] == 1 and w["last_error_kind"] == "none" for w in writers)


def test_ascii_and_fullwidth_quotes_and_colons() -> None:
    text = (
        "ライター名：＇Odd Writer＇\n"
        "   ライター Id: {11111111-2222-3333-4444-555555555555}\n"
        "   状態: [9] 失敗\n"
        "   最後のエラー：再試行可能なエラー\n"
        "Writer name: \"Quoted Writer\"\n"
        "   State: [5] Waiting for completion\n"
        "   Last error: No error\n"
    )
    odd, quoted = parse_writers(text)["writers"]
    assert odd["name"] == "Odd Writer"
    assert odd["state"] == 9 and odd["state_name"] == "FAILED_AT_FREEZE"
    assert odd["last_error"] == "再試行可能なエラー" and odd["last_error_kind"] == "error"
    assert quoted["name"] == "Quoted Writer" and quoted["state"] == 5
    assert quoted["writer_id"] is None


def test_unknown_language_is_kept_raw() -> None:
    text = "Verfassername: 'System Writer'\n   Status: [1] Stabil\n   Letzter Fehler: Kein Fehler\n"
    (w,) = parse_writers(text)["writers"]
    assert w["state"] == 1
    assert w["last_error"] == "Kein Fehler"
    assert w["last_error_kind"] == "unknown"


def test_cut_off_block_keeps_state_none() -> None:
    text = read(EN) + "Writer name: 'Truncated Writer'\n   Writer Id: {76fe1ac4-15f7-4bcd-987e-8e1acb462fb7}\n"
    last = parse_writers(text)["writers"][-1]
    assert last["name"] == "Truncated Writer"
    assert last["state"] is None and last["state_name"] is None
    assert last["last_error_kind"] == "missing"


def test_header_and_prompt_lines_are_not_writers() -> None:
    text = ("C:\\Windows\\system32>vssadmin list writers\nvssadmin 1.1 - Volume Shadow Copy Service administrative "
            "command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\nWaiting for responses.\n")
    assert parse_writers(text)["writers"] == []


def test_classify_last_error() -> None:
    assert classify_last_error("No error") == "none"
    assert classify_last_error("  no   error. ") == "none"
    assert classify_last_error("エラーなし") == "none"
    assert classify_last_error("Timed out") == "error"
    assert classify_last_error("Non-retryable error") == "error"
    assert classify_last_error("タイムアウト") == "error"
    assert classify_last_error("Aucune erreur") == "unknown"
    assert classify_last_error("") == "missing"
    assert classify_last_error(None) == "missing"


def test_state_names_cover_the_documented_table() -> None:
    assert state_name(0) == "UNKNOWN"
    assert state_name(15) == "FAILED_AT_BACKUPSHUTDOWN"
    assert state_name(99) is None
    assert state_name(None) is None
    assert vssadmin.WAITING_STATES == {2, 3, 4, 5}


def test_mentions_permission() -> None:
    assert mentions_permission("Error: You don't have the correct permissions to run this command.  Please run this "
                               "utility from a command window that has elevated administrator privileges.")
    assert mentions_permission("エラー: アクセスが拒否されました。")
    assert not mentions_permission("Error: A Volume Shadow Copy Service component encountered an unexpected error.")


def test_writer_count_is_capped() -> None:
    block = "Writer name: 'W'\n State: [1] Stable\n Last error: No error\n"
    parsed = parse_writers(block * (vssadmin.MAX_WRITERS + 50))
    assert len(parsed["writers"]) == vssadmin.MAX_WRITERS
    assert parsed["truncated"] is True


def test_huge_hostile_input_is_fast() -> None:
    hostile = ("'" * 200_000 + "\n") * 5 + ("[" * 100_000 + "{" * 100_000 + ":" * 100_000 + "\n") * 3
    start = time.monotonic()
    parsed = parse_writers(hostile)
    assert time.monotonic() - start < 5
    assert isinstance(parsed["writers"], list)


def test_non_string_input() -> None:
    assert parse_writers(None)["writers"] == []  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab '‘’\"{}[]0123456789:：-\r\n\tエラーなし状態")), max_size=2000))
def test_never_raises_on_structured_noise(text: str) -> None:
    parsed = parse_writers(text)
    for w in parsed["writers"]:
        assert w["last_error_kind"] in {"none", "error", "unknown", "missing"}
        assert w["state"] is None or isinstance(w["state"], int)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_never_raises_on_any_text(text: str) -> None:
    parse_writers(text)
    classify_last_error(text)
    mentions_permission(text)


# -- the label next to the number, and an output with no writer at all ---------------------------


@pytest.mark.parametrize(("text", "kind"), [
    ("Stable", "stable"), ("安定", "stable"), ("Failed", "failed"), ("失敗", "failed"),
    ("Waiting for completion", "waiting"), ("完了を待機しています", "waiting"), ("Stabil", "unknown"), ("", "unknown"),
])
def test_state_label_kind(text: str, kind: str) -> None:
    assert vssadmin.state_label_kind(text) == kind


def test_a_writer_is_stable_only_when_number_and_label_agree() -> None:
    def writer(state: int, label: str) -> dict[str, object]:
        return vssadmin.parse_writers(f"Writer name: 'W'\n State: [{state}] {label}\n Last error: No error\n")[
            "writers"][0]

    assert vssadmin.effective_state(writer(1, "Stable")) == "stable"
    assert vssadmin.effective_state(writer(1, "安定")) == "stable"
    assert vssadmin.effective_state(writer(1, "Stabil")) == "stable"  # an unknown language: the number decides
    assert vssadmin.effective_state(writer(1, "Failed")) == "failed"
    assert vssadmin.effective_state(writer(1, "Waiting for completion")) == "waiting"
    assert vssadmin.effective_state(writer(7, "Stable")) == "failed"
    assert writer(1, "Failed")["state_disagrees"] is True
    assert writer(7, "Failed")["state_disagrees"] is False


def test_japanese_fixture_labels_agree() -> None:
    writers = vssadmin.parse_writers(read("vssadmin_list_writers_ja_healthy.txt"))["writers"]
    assert {w["state_label_kind"] for w in writers} == {"stable"}
    assert not any(w["state_disagrees"] for w in writers)


@pytest.mark.parametrize("fixture", ["vssadmin_list_writers_ja_no_writers.txt",
                                     "vssadmin_list_writers_en_no_writers.txt"])
def test_banner_only_output_lists_no_writer(fixture: str) -> None:
    text = read(fixture)
    assert vssadmin.parse_writers(text)["writers"] == []
    assert vssadmin.listing_kind(text, []) == "none_listed"


@pytest.mark.parametrize("text", [
    "something unexpected\n",
    "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n"
    "(C) Copyright 2001-2005 Microsoft Corp.\n\nError: You don't have the correct permissions to run this command.\n",
    "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\nWriter Id: {e8132975-6f93-4464-"
    "a53e-1050253ae220}\n",
    "vssadmin 1.1 - tool\nsome line we do not know\n",
])
def test_output_that_is_not_a_bare_banner_is_not_read_as_no_writers(text: str) -> None:
    assert vssadmin.listing_kind(text, []) == "unrecognised"
