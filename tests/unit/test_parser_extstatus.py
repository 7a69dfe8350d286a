"""Extension status files: the real VMSnapshotLinux sample, variants built from it, and hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers import extstatus
from wizard.parsers.extstatus import (
    EXT_CODES,
    ext_code,
    ext_code_by_name,
    find_portal_codes,
    latest_status_file,
    parse_aggregate_status,
    parse_inner_report,
    parse_status_file,
    parse_timestamp,
    parse_vmsnapshot_status,
    scan_extension_log,
    split_handler_dir,
    version_key,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "linux"
SAMPLE = (DATA / "vmsnapshotlinux_status_success.json").read_text(encoding="utf-8")


def variant(**inner_status: Any) -> str:
    """The real sample with fields of the *inner* report's `status` object replaced (None deletes)."""
    outer = json.loads(SAMPLE)
    inner = json.loads(outer[0]["status"]["substatus"][0]["name"])
    for key, value in inner_status.items():
        if value is None:
            inner[0]["status"].pop(key, None)
        else:
            inner[0]["status"][key] = value
    outer[0]["status"]["substatus"][0]["name"] = json.dumps(inner)
    return json.dumps(outer)


# -- the real sample --------------------------------------------------------------------------

def test_real_sample_outer_status_is_the_forced_success() -> None:
    outer = parse_status_file(SAMPLE)
    assert outer["ok"] and outer["error"] is None
    assert outer["status"] == "success"
    assert outer["code"] == 1
    assert outer["timestamp"] == "2019-06-06T23:52:59Z"
    assert outer["substatus"][0]["status"] == "success"


def test_real_sample_inner_report() -> None:
    parsed = parse_vmsnapshot_status(SAMPLE)
    assert parsed["error"] is None
    inner = parsed["inner"]
    assert inner["status"] == "success"
    assert inner["name"] == "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
    assert inner["health_code"] == 1
    assert inner["health_state"] == 0
    assert inner["ext_error_code"] == "success"
    assert inner["extension_version"] == "1.0.9150.0"
    assert inner["host_status_code_do_snapshot"] == "200"
    assert inner["telemetry"]["guestAgentVersion"] == "2.2.32.2"
    assert inner["snapshots"] == {"count": 6, "succeeded": 6, "errors": []}
    # \/Date(1559865179380)\/ in the inner report
    assert inner["timestamp"] == "2019-06-06T23:52:59Z"
    # status code "1" = success -> file-system consistent (derived from the extension's code)
    assert inner["consistency"] == "fileSystemConsistent"
    assert "read from" in inner["consistency_source"]
    assert "hostStatusCodeDoSnapshot=200" in inner["message"]


def test_real_sample_never_returns_snapshot_uris() -> None:
    text = json.dumps(parse_vmsnapshot_status(SAMPLE))
    assert "blob.core.windows.net" not in text


# -- variants built from the real sample -------------------------------------------------------

def test_variant_fsfreeze_failure_121() -> None:
    inner = parse_vmsnapshot_status(variant(status="error", code="2",
                                            vmHealthInfo={"vmHealthStatusCode": 121, "vmHealthState": 128}))["inner"]
    assert inner["status"] == "error"
    assert inner["health_code"] == 121
    code = ext_code(121)
    assert code.name == "FailedRetryableFsFreezeFailed"
    assert code.portal_codes == ("UserErrorFsFreezeFailed",)
    assert inner["consistency"] is None


def test_variant_health_code_from_telemetry_when_vmhealthinfo_is_null() -> None:
    telemetry = [{"Key": "extErrorCode", "Value": "FailedRetryableUnableToOpenMount"}]
    inner = parse_vmsnapshot_status(variant(vmHealthInfo=None, telemetryData=telemetry))["inner"]
    assert inner["health_code"] == 123


def test_variant_newer_json_formatted_message_gives_consistency() -> None:
    message = json.dumps({"messageStr": "snapshotCreator=backupHostService, ", "snapshotConsistency": 2,
                          "jobMessage": "", "isSizeComputationFailed": False})
    inner = parse_vmsnapshot_status(variant(formattedMessage={"lang": "en-US", "message": message}))["inner"]
    assert inner["consistency"] == "applicationConsistent"
    assert inner["consistency_source"] == "formattedMessage.snapshotConsistency"
    assert inner["message"] == "snapshotCreator=backupHostService, "


def test_variant_consistency_from_telemetry() -> None:
    telemetry = [{"Key": "consistencyType", "Value": "crashConsistent"}]
    inner = parse_vmsnapshot_status(variant(telemetryData=telemetry))["inner"]
    assert inner["consistency"] == "crashConsistent"


def test_variant_failed_snapshot_error_messages_are_kept() -> None:
    snaps = [{"snapshotUri": "https://x.blob.core.windows.net/c/d?sig=abc", "errorMessage": "409 Conflict",
              "isSuccessful": "false"}]
    inner = parse_vmsnapshot_status(variant(snapshotInfo=snaps))["inner"]
    assert inner["snapshots"] == {"count": 1, "succeeded": 0, "errors": ["409 Conflict"]}


def test_variant_substatus_name_not_json() -> None:
    outer = json.loads(SAMPLE)
    outer[0]["status"]["substatus"][0]["name"] = "[{not json"
    parsed = parse_vmsnapshot_status(json.dumps(outer))
    assert parsed["outer"]["ok"]
    assert parsed["error"].startswith("the report in substatus[0].name cannot be read: not valid JSON")
    assert parsed["error_msg"]["id"] == "the report in substatus[0].name cannot be read: {reason}"
    assert parsed["error_msg"]["params"]["reason"]["id"] == "not valid JSON: {detail}"


def test_variant_substatus_name_is_a_json_object_not_array() -> None:
    outer = json.loads(SAMPLE)
    outer[0]["status"]["substatus"][0]["name"] = json.dumps({"status": {"status": "error"}})
    parsed = parse_vmsnapshot_status(json.dumps(outer))
    assert "must be an array" in parsed["error"]


def test_variant_without_substatus_has_no_inner_report() -> None:
    outer = json.loads(SAMPLE)
    del outer[0]["status"]["substatus"]
    parsed = parse_vmsnapshot_status(json.dumps(outer))
    assert parsed["error"] is None and parsed["inner"] is None and parsed["outer"]["status"] == "success"


# -- generic status rules (WALinuxAgent parse_ext_status) --------------------------------------

def test_not_an_array_uses_the_agents_error_text() -> None:
    parsed = parse_status_file(json.dumps(json.loads(SAMPLE)[0]))
    assert not parsed["ok"]
    assert parsed["error"].startswith("The extension status must be an array: ")
    assert len(parsed["error"]) < 400


def test_empty_array_is_no_status() -> None:
    assert parse_status_file("[]") == {"ok": True, "error": None, "empty": True}


def test_unknown_status_value_counts_as_error() -> None:
    parsed = parse_status_file('[{"status": {"status": "exploded", "code": 7}}]')
    assert parsed["status"] == "error" and parsed["status_raw"] == "exploded"


def test_missing_status_object() -> None:
    assert not parse_status_file('[{"version": 1}]')["ok"]
    assert not parse_status_file('[{"status": {"code": 1}}]')["ok"]
    assert not parse_status_file("[1, 2]")["ok"]


def test_bom_is_accepted() -> None:
    assert parse_status_file("\ufeff" + SAMPLE)["ok"]


def test_huge_file_is_refused_quickly() -> None:
    parsed = parse_status_file("[" + " " * (extstatus.MAX_STATUS_BYTES + 10) + "]")
    assert not parsed["ok"] and "larger" in parsed["error"]


def test_deeply_nested_file() -> None:
    parsed = parse_status_file("[" * 100_000 + "]" * 100_000)
    assert not parsed["ok"]
    inner = parse_inner_report("[" * 50_000)
    assert not inner["ok"]


def test_deeply_nested_but_parseable_value_in_message() -> None:
    nested: Any = "x"
    for _ in range(200):
        nested = {"a": nested}
    text = json.dumps([{"status": {"status": "error", "formattedMessage": {"lang": "en", "message": nested}}}])
    parsed = parse_status_file(text)
    assert parsed["ok"] and len(parsed["message"]) <= 400


# -- helpers -----------------------------------------------------------------------------------

def test_latest_status_file_picks_highest_sequence_number() -> None:
    names = ["0.status", "10.status", "2.status", "HeartBeat.Json", "1_status", "9.settings", "x.status"]
    assert latest_status_file(names) == ("10.status", 10)
    assert latest_status_file(["ext1.3.status", "ext2.4.status"]) == ("ext2.4.status", 4)
    assert latest_status_file(["readme.txt"]) is None
    assert latest_status_file([]) is None


def test_split_handler_dir() -> None:
    assert split_handler_dir("Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9150.0") == (
        "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "1.0.9150.0")
    assert split_handler_dir("WALinuxAgent-2.9.1.1") == ("WALinuxAgent", "2.9.1.1")
    assert split_handler_dir("Some-Publisher.Ext-1.2") == ("Some-Publisher.Ext", "1.2")
    assert split_handler_dir("Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9150.0.zip") is None
    assert split_handler_dir("history") is None
    assert split_handler_dir("a" * 500 + "-1.0") is None


def test_version_key_orders_numerically() -> None:
    versions = ["1.0.9150.0", "1.0.10000.0", "1.0.999.0", "junk"]
    assert max(versions, key=version_key) == "1.0.10000.0"


def test_parse_timestamp() -> None:
    assert parse_timestamp("\\/Date(1559865179380)\\/") == "2019-06-06T23:52:59Z"
    assert parse_timestamp("/Date(1559865179380)/") == "2019-06-06T23:52:59Z"
    assert parse_timestamp("2019-06-06T23:52:59Z") == "2019-06-06T23:52:59Z"
    assert parse_timestamp("/Date(999999999999999)/") is None
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(12) is None


def test_scan_extension_log_finds_failed_thaws() -> None:
    # the lines quoted in the backup troubleshooting article (UserErrorFsFreezeFailed)
    log = ("2017-11-02 11:22:56 Thawing: /boot\n"
           "2017-11-02 11:22:56 Failed to FITHAW: /boot\n"
           "2017-11-02 11:22:56 Thawing: /sapshare\n"
           "2017-11-02 11:22:56 Thawing: /usr/sap\n"
           "2017-11-02 11:22:56 Failed to FITHAW: /usr/sap\n"
           "2017-11-02 11:22:57 Failed to FIFREEZE: /data with error message: Operation not supported\n")
    found = scan_extension_log(log)
    assert found["count"] == 3
    assert found["mounts"] == ["/boot", "/usr/sap", "/data"]
    assert found["lines"][0].endswith("Failed to FITHAW: /boot")


def test_scan_extension_log_is_bounded() -> None:
    found = scan_extension_log("Failed to FITHAW: /m\n" * 10_000)
    assert found["count"] == 10_000 and len(found["lines"]) == extstatus.MAX_LOG_LINES
    assert scan_extension_log("")["count"] == 0


def test_find_portal_codes() -> None:
    text = "Snapshot failed: ExtensionFailedVssWriterInBadState; see ExtensionFailedVssWriterInBadState, COM"
    assert find_portal_codes(text) == ["ExtensionFailedVssWriterInBadState"]
    assert find_portal_codes("BackUpOperationFailedV2 then BackUpOperationFailed") == [
        "BackUpOperationFailedV2", "BackUpOperationFailed"]
    assert find_portal_codes(None) == []


# -- the error code table (facts §5.5) ---------------------------------------------------------

def test_health_colours_match_the_extension() -> None:
    red = {15, 761, 76, 85, 402}
    yellow = {124, 121, 122, 123, 11, 16, *range(300, 319), *range(500, 513)}
    green = {0, 1, 2, 3, 4, 12, 173, 17}
    for n in red:
        assert EXT_CODES[n].health == "red", n
    for n in yellow:
        assert EXT_CODES[n].health == "yellow", n
    for n in green:
        assert EXT_CODES[n].health == "green", n


def test_derived_portal_codes() -> None:
    assert ext_code(122).portal_codes == ("UserErrorFsFreezeFailed",)
    assert ext_code(123).portal_codes == ("UserErrorUnableToOpenMount",)
    assert ext_code(76).portal_codes == ext_code(761).portal_codes == ("ExtensionSnapshotFailedNoNetwork",)
    assert ext_code(85).portal_codes == ("ExtensionFailedSnapshotLimitReachedError",)
    assert ext_code(402).portal_codes == ()


def test_prepost_codes_carry_the_documented_error_names() -> None:
    names = {n: ext_code(n).prepost_name for n in range(300, 319)}
    assert names[300] == "Pre-ScriptExecutionFailed"
    assert names[301] == "Post-ScriptExecutionFailed"
    assert names[302] == "Pre-ScriptNotFound"
    assert names[305] == "IncorrectJSONConfigFile"
    assert names[306] == "InsufficientPermissionforPre-Script"
    assert names[307] == "InsufficientPermissionforPost-Script"
    assert names[309] == "Post-ScriptTimeout"
    assert names[312] is None
    assert ext_code(318).name == "FailedPrepostPluginConfigOwnershipError"


def test_unknown_and_named_codes() -> None:
    unknown = ext_code(9999)
    assert unknown.category == "generic" and not unknown.is_success and "9999" in unknown.name
    assert ext_code_by_name("FailedSnapshotLimitReached") == ext_code(85)
    assert ext_code_by_name("success").is_success  # type: ignore[union-attr]
    assert ext_code_by_name("nonsense") is None
    assert ext_code(0).is_success and ext_code(1).is_success and not ext_code(2).is_success


# -- aggregatestatus.json (fields as vmassist reads them; no real sample was available) -------------

AGGREGATE = {
    "aggregateStatus": {
        "guestAgentStatus": {"version": "2.7.41491.1102", "status": "Ready",
                             "formattedMessage": {"lang": "en-US", "message": "GuestAgent is running"},
                             "lastStatusUploadMethod": "HostGAPlugin", "lastStatusUploadTime": "2024-01-23T19:50:00Z"},
        "handlerAggregateStatus": [
            {"handlerName": "Microsoft.Azure.RecoveryServices.VMSnapshot", "handlerVersion": "1.0.70.0",
             "status": "Ready",
             "runtimeSettingsStatus": {"sequenceNumber": 3, "settingsStatus": {"status": {
                 "status": "error", "formattedMessage": {"lang": "en-US", "message": "VSS writer failed"}}}}},
        ],
    }
}


def test_parse_aggregate_status() -> None:
    parsed = parse_aggregate_status(json.dumps(AGGREGATE))
    assert parsed["ok"]
    assert parsed["guest_agent"]["version"] == "2.7.41491.1102"
    assert parsed["guest_agent"]["last_status_upload_method"] == "HostGAPlugin"
    (handler,) = parsed["handlers"]
    assert handler["settings_status"] == "error" and handler["sequence_number"] == 3
    assert handler["message"] == "VSS writer failed"


def test_parse_aggregate_status_malformed() -> None:
    assert not parse_aggregate_status("[]")["ok"]
    assert not parse_aggregate_status("{")["ok"]
    assert parse_aggregate_status('{"aggregateStatus": {"handlerAggregateStatus": 5}}')["handlers"] == []


# -- hostile input: never raise --------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["status", "substatus", "name", "code", "formattedMessage", "message", "vmHealthInfo",
                         "vmHealthStatusCode", "telemetryData", "Key", "Value", "snapshotInfo", "timestampUTC",
                         "aggregateStatus", "handlerAggregateStatus", "runtimeSettingsStatus"]) | st.text(max_size=8),
        children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_never_raises_on_text(text: str) -> None:
    for fn in (parse_status_file, parse_vmsnapshot_status, parse_inner_report, parse_aggregate_status,
               scan_extension_log, find_portal_codes, parse_timestamp, split_handler_dir, version_key):
        fn(text)
    latest_status_file(text.split())


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_never_raises_on_json_shapes(value: Any) -> None:
    text = json.dumps(value)
    parse_status_file(text)
    parse_aggregate_status(text)
    wrapped = json.dumps([{"status": {"status": "success", "substatus": [{"name": text, "status": "success"}]}}])
    result = parse_vmsnapshot_status(wrapped)
    assert result["outer"]["ok"]
    parse_vmsnapshot_status(json.dumps([{"status": {"status": "success", "substatus": [value]}}]))
