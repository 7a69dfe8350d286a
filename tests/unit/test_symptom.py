"""Matching what the user pasted from the portal, the phase they named, and ordering results by symptom."""

from __future__ import annotations

import datetime
import gettext
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.i18n import Translator
from wizard.knowledge import (
    PHASE_CHOICES,
    build_symptom,
    lookup,
    match_error_code,
    order_results,
    parse_phase,
    render_symptom,
)
from wizard.model import CheckResult, Component, Diagnosis, HostInfo, Msg, Phase, Status

# Pastes composed from the portal messages in the facts file (§8): the job's error details as a user
# copies them, with labels, line breaks and whatever else came along.
REAL_PASTES = [
    ("Error code UserErrorGuestAgentStatusUnavailable Error message VM Agent unable to communicate with "
     "Azure Backup", "UserErrorGuestAgentStatusUnavailable"),
    ("Error code: UserErrorGuestAgentStatusUnavailable\nError message: VM Agent unable to communicate with "
     "Azure Backup\nRecommended action: Ensure that the VM is running and has internet connectivity.",
     "UserErrorGuestAgentStatusUnavailable"),
    ("Error Code\tExtensionSnapshotFailedNoNetwork\nError Message\tSnapshot operation failed due to no network "
     "connectivity on the virtual machine", "ExtensionSnapshotFailedNoNetwork"),
    ("Take Snapshot  Failed\n  Error code: UserErrorFsFreezeFailed. Failed to freeze one or more mount-points "
     "of the VM to take a file-system consistent snapshot.", "UserErrorFsFreezeFailed"),
    ("Error code: 380008, AzureVmOffline  Error message: Failed to install Microsoft Recovery Services "
     "extension as virtual machine  is not running", "AzureVmOffline"),
    ("Error code: 320001, ResourceNotFound Error message: Could not perform the operation as VM no longer "
     "exists.", "ResourceNotFound"),
    ("エラー コード: ExtensionFailedVssWriterInBadState エラー メッセージ: ...", "ExtensionFailedVssWriterInBadState"),
    ("Job failed with BackUpOperationFailedV2 (Backup failed with an internal error - Please retry the "
     "operation in a few minutes)", "BackUpOperationFailed"),
    ('{"code":"GuestAgentSnapshotTaskStatusError","message":"Could not communicate with the VM agent for '
     'snapshot status"}', "GuestAgentSnapshotTaskStatusError"),
    ("Error code: Pre-ScriptTimeout The execution of the application-consistent backup pre-script timed-out.",
     "Pre-ScriptTimeout"),
    ("ExtentionOperationFailedForManagedDisks", "ExtensionOperationFailedForManagedDisks"),
]


@pytest.mark.parametrize(("text", "code"), REAL_PASTES)
def test_finds_the_code_in_real_pastes(text: str, code: str) -> None:
    result = match_error_code(text)
    assert result.matched
    assert result.entry is lookup(code)
    assert result.matched_by == "code"
    assert result.suggestions == ()


def test_case_insensitive_and_surrounded_by_junk() -> None:
    for text in ("usererrorguestagentstatusunavailable", "  >>> USERERRORGUESTAGENTSTATUSUNAVAILABLE <<< ",
                 "[2025-01-01 02:00] (UserErrorGuestAgentStatusUnavailable);"):
        result = match_error_code(text)
        assert result.entry is lookup("UserErrorGuestAgentStatusUnavailable"), text


def test_full_width_letters_from_an_ime_are_understood() -> None:
    assert match_error_code("ＵｓｅｒＥｒｒｏｒＦｓＦｒｅｅｚｅＦａｉｌｅｄ").entry is lookup("UserErrorFsFreezeFailed")


def test_longest_match_wins() -> None:
    result = match_error_code("code UserErrorVmNotInDesirableState")
    assert result.entry is lookup("UserErrorVmNotInDesirableState")
    assert result.matched_text == "UserErrorVmNotInDesirableState"
    assert match_error_code("VmNotInDesirableState").matched_text == "VmNotInDesirableState"
    assert match_error_code("BackUpOperationFailedV2").matched_text == "BackUpOperationFailedV2"


def test_numeric_codes_only_as_whole_tokens() -> None:
    assert match_error_code("380008").entry is lookup("AzureVmOffline")
    assert match_error_code("code=400094;").entry is lookup("BCMV2VMNotFound")
    for text in ("13800081", "job 3800089 ran", "id 320001a", "x400094"):
        assert not match_error_code(text).matched, text


def test_a_portal_message_without_its_code_is_recognised() -> None:
    result = match_error_code("It said: vm agent unable to communicate with   Azure Backup.")
    assert result.entry is lookup("UserErrorGuestAgentStatusUnavailable")
    assert result.matched_by == "title"


def test_a_code_prefix_family_matches() -> None:
    assert match_error_code("UserErrorCrossSubscriptionRestoreNotAllowed").entry is lookup(
        "UserErrorCrossSubscriptionRestore")


def test_unknown_code_gets_suggestions_not_an_error() -> None:
    result = match_error_code("UserErrorGuestAgentStatusUnavailabel")
    assert not result.matched and result.entry is None
    assert result.suggestions[0] == "UserErrorGuestAgentStatusUnavailable"
    assert len(result.suggestions) <= 5
    partial = match_error_code("GuestAgentStatus")
    assert "UserErrorGuestAgentStatusUnavailable" in partial.suggestions
    assert "AzureVmOffline" in match_error_code("380009").suggestions


def test_nothing_useful_gives_no_match_and_no_suggestions() -> None:
    for text in (None, "", "   ", "hello world", "!!!"):
        result = match_error_code(text)
        assert not result.matched and result.suggestions == ()


@settings(max_examples=200, deadline=1000)
@given(st.text(max_size=3000))
def test_never_raises_on_any_text(text: str) -> None:
    result = match_error_code(text)
    assert result.matched or isinstance(result.suggestions, tuple)


def test_huge_paste_is_bounded() -> None:
    result = match_error_code("x " * 200_000 + "UserErrorFsFreezeFailed")
    assert not result.matched
    assert len(result.input) <= 500
    assert match_error_code("UserErrorFsFreezeFailed " + "y" * 500_000).matched


@pytest.mark.parametrize(("value", "expected"), [
    ("take_snapshot", Phase.TAKE_SNAPSHOT), ("Take Snapshot", Phase.TAKE_SNAPSHOT),
    ("TAKE-SNAPSHOT", Phase.TAKE_SNAPSHOT), ("transfer_to_vault", Phase.TRANSFER_TO_VAULT),
    ("Transfer data to vault", Phase.TRANSFER_TO_VAULT), ("unknown", None), (None, None), ("", None),
    (Phase.TRANSFER_TO_VAULT, Phase.TRANSFER_TO_VAULT),
])
def test_parse_phase(value: str | Phase | None, expected: Phase | None) -> None:
    assert parse_phase(value) is expected


def test_parse_phase_rejects_other_values() -> None:
    assert PHASE_CHOICES == ("take_snapshot", "transfer_to_vault", "unknown")
    with pytest.raises(ValueError, match="take_snapshot"):
        parse_phase("restore")


def _result(check_id: str, status: str, component: Component = Component.GUEST) -> CheckResult:
    return CheckResult(check_id, Status(status), component, Phase.TAKE_SNAPSHOT, Msg(check_id), Msg("found"))


RESULTS = [
    _result("env.azure", "ok"),
    _result("res.cpu", "warning"),
    _result("agent.service", "ok", Component.AGENT),
    _result("net.firewall", "problem", Component.NETWORK_PATH),
    _result("net.wireserver_port80", "not_checked", Component.WIRESERVER),
    _result("res.vss", "problem"),
    _result("agent.version", "info", Component.AGENT),
    _result("net.dhcp", "error", Component.NETWORK_PATH),
    _result("res.memory", "warning"),
]


def test_order_results_puts_the_symptoms_checks_first_then_by_severity() -> None:
    symptom = build_symptom("UserErrorGuestAgentStatusUnavailable", None)
    ordered = [r.id for r in order_results(RESULTS, symptom)]
    assert ordered == [
        "net.firewall", "net.wireserver_port80", "agent.version", "agent.service",  # related, by severity
        "res.vss", "res.cpu", "res.memory", "net.dhcp", "env.azure",  # the rest, by severity, stable
    ]


def test_order_results_accepts_entries_and_no_symptom() -> None:
    entry = lookup("ExtensionFailedVssWriterInBadState")
    assert entry is not None
    assert [r.id for r in order_results(RESULTS, entry)][:3] == ["res.vss", "res.cpu", "res.memory"]
    by_severity = [r.id for r in order_results(RESULTS, None)]
    assert by_severity[:2] == ["net.firewall", "res.vss"]
    assert by_severity[-2:] == ["env.azure", "agent.service"]
    unknown = build_symptom("NoSuchThing", "take_snapshot")
    assert order_results(RESULTS, unknown) == order_results(RESULTS, None)
    assert order_results([], entry) == []


def test_build_symptom_for_a_known_code() -> None:
    symptom = build_symptom("Error code: 380008, AzureVmOffline", "take_snapshot")
    assert symptom is not None
    assert symptom["matched"] is True and symptom["code"] == "AzureVmOffline"
    assert symptom["input"] == "Error code: 380008, AzureVmOffline"
    assert symptom["phase"] == "take_snapshot"
    assert symptom["matched_text"] == "AzureVmOffline"
    for key in ("title", "meaning", "fixable_in_vm", "related_checks", "steps", "docs"):
        assert key in symptom
    json.dumps(symptom)  # plain data for the Diagnosis JSON
    diagnosis = Diagnosis("t", "0", datetime.datetime(2025, 1, 1), 0.0, HostInfo(), [], symptom=symptom)
    assert Diagnosis.from_dict(json.loads(json.dumps(diagnosis.to_dict()))).symptom == symptom


def test_build_symptom_for_an_unknown_code_or_only_a_phase() -> None:
    unknown = build_symptom("UserErrorGuestAgentStatusUnavailabl", "unknown")
    assert unknown is not None
    assert unknown["matched"] is False and unknown["code"] is None and unknown["phase"] is None
    assert unknown["suggestions"][0] == "UserErrorGuestAgentStatusUnavailable"
    assert unknown["note"]["id"].startswith("No known portal error code")
    only_phase = build_symptom(None, "transfer_to_vault")
    assert only_phase is not None and only_phase["phase"] == "transfer_to_vault"
    assert only_phase["matched"] is False and only_phase["suggestions"] == []
    assert build_symptom(None, None) is None
    assert build_symptom("  ", "unknown") is None


class _FakeJapanese(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return "【" + message + "】"


def _fake_ja() -> Translator:
    t = Translator("en")
    t.lang = "ja"
    t._t = _FakeJapanese()  # a stand-in catalog for the test
    return t


def test_render_symptom_translates_every_text() -> None:
    symptom = build_symptom("ExtensionFailedVssServiceInBadState", "take_snapshot")
    assert symptom is not None
    out = render_symptom(symptom, _fake_ja())
    assert out["title"] == "【Snapshot operation failed due to VSS (Volume Shadow Copy) service in bad state】"
    assert out["meaning"].startswith("【") and out["fixable_text"] == "【This can be fixed from inside the VM.】"
    assert out["steps"][0]["text"].startswith("【") and out["steps"][0]["command"] == "net stop VSS && net start VSS"
    assert all(d["title"].startswith("【") and d["url"].startswith("https://") for d in out["docs"])
    assert out["phase_name"] == "【Take Snapshot】" and out["matched"] is True
    entry = lookup("ResourceNotFound")
    assert entry is not None
    plain = render_symptom(entry, Translator("en"))
    assert plain["title"] == "Could not perform the operation as VM no longer exists"
    assert plain["fixable_text"].startswith("This cannot be fixed")
    assert "matched" not in plain


def test_render_symptom_for_an_unknown_code_lists_suggestions_with_titles() -> None:
    symptom = build_symptom("ExtensionFailedVssServiceInBadStat", None)
    assert symptom is not None
    out = render_symptom(symptom, Translator("en"))
    assert out["matched"] is False and out["title"] == "" and out["fixable_text"] == ""
    assert out["note"] == "No known portal error code was found in what you entered."
    assert out["suggestions"][0] == {
        "code": "ExtensionFailedVssServiceInBadState",
        "title": "Snapshot operation failed due to VSS (Volume Shadow Copy) service in bad state",
    }
