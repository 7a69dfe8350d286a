"""The backup extension checks (ext.backup, ext.others, ext.prepost) on virtual machines built from real samples.

Failing cases are variants of the real VMSnapshotLinux status sample (tests/data/linux/
vmsnapshotlinux_status_success.json) with fields of its inner report changed; the test names say so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard import runner
from wizard.checks import ext
from wizard.checks.facts import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.model import CheckResult, Component, Msg, Status
from wizard.probes.base import Answer, unavailable
from wizard.probes.fake import FakeFile, FakeSystem
from wizard.probes.fake import OverlayProbe as Overlay

EN = Translator("en")
DATA = Path(__file__).resolve().parents[1] / "data" / "linux"
SAMPLE = (DATA / "vmsnapshotlinux_status_success.json").read_text(encoding="utf-8")
TEMPLATE = (DATA / "VMSnapshotScriptPluginConfig.json").read_text(encoding="utf-8")
VMBACKUP = (DATA / "vmbackup.conf").read_text(encoding="utf-8")
MANIFEST = (DATA / "vmbackup_HandlerManifest.json").read_text(encoding="utf-8")

LIB = "/var/lib/waagent"
HANDLER_DIR = LIB + "/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9150.0"
STATUS = HANDLER_DIR + "/status/0.status"
WIN_BASE = "C:\\Packages\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot"
PERMISSION_DENIED = "[Errno 13] Permission denied"


# -- builders ----------------------------------------------------------------------------------

def linux_vm(**kw: Any) -> FakeSystem:
    fake = FakeSystem(system="linux", **kw)
    fake.files["/sys/class/dmi/id/chassis_asset_tag"] = AZURE_ASSET_TAG + "\n"
    return fake


def windows_vm(**kw: Any) -> FakeSystem:
    fake = FakeSystem(system="windows", user="Administrator", **kw)
    fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
    return fake


def inner_variant(**inner_status: Any) -> str:
    """The real sample with fields of its inner report's `status` object replaced (None deletes)."""
    outer = json.loads(SAMPLE)
    inner = json.loads(outer[0]["status"]["substatus"][0]["name"])
    for key, value in inner_status.items():
        if value is None:
            inner[0]["status"].pop(key, None)
        else:
            inner[0]["status"][key] = value
    outer[0]["status"]["substatus"][0]["name"] = json.dumps(inner)
    return json.dumps(outer)


def failed_variant(code: int, status: str = "error") -> str:
    health = 256 if code in (15, 76, 85, 402, 761) else 128
    return inner_variant(status=status, code="2", vmHealthInfo={"vmHealthStatusCode": code, "vmHealthState": health})


def backup_vm(status_text: str = SAMPLE, **kw: Any) -> FakeSystem:
    fake = linux_vm(**kw)
    fake.files[STATUS] = status_text
    fake.files[HANDLER_DIR + "/HandlerManifest.json"] = MANIFEST
    return fake


def denied_listing(path: str) -> dict[tuple[str, str], Answer]:
    return {("list_dir", path): {"exists": True, "entries": [], "truncated": False, "error": PERMISSION_DENIED}}


def run_one(probe: Any, check_id: str) -> CheckResult:
    result = runner.run_check(check_id, probe)
    assert result.status is not Status.ERROR, result.evidence
    return result


# -- catalogue ----------------------------------------------------------------------------------

def test_catalogue_entries() -> None:
    ids = [c.id for c in ext.CHECKS]
    assert ids == ["ext.backup", "ext.others", "ext.prepost"]
    assert all(c.component is Component.EXTENSION for c in ext.CHECKS)
    by_id = {c.id: c for c in ext.CHECKS}
    assert by_id["ext.backup"].platforms == {"linux", "windows"}
    assert by_id["ext.prepost"].platforms == {"linux"}


def test_prepost_does_not_run_on_windows() -> None:
    d = runner.run(ALL_CHECKS, windows_vm(), only=["ext.prepost"])
    assert d.results == []


# -- ext.backup on Linux ------------------------------------------------------------------------

def test_backup_real_sample_is_ok_and_file_system_consistent() -> None:
    r = run_one(backup_vm(), "ext.backup")
    assert r.status is Status.OK
    assert r.summary.id.startswith("The last backup snapshot ({time}) succeeded and is file-system consistent")
    assert r.summary.params == {"time": "2019-06-06T23:52:59Z", "version": "1.0.9150.0"}
    assert r.error_codes == []
    inner = r.evidence["inner_report"]
    assert inner["health_code"] == 1 and inner["consistency"] == "fileSystemConsistent"
    assert "read from" in inner["consistency_source"]
    assert inner["telemetry"]["hostStatusCodeDoSnapshot"] == "200"
    assert inner["extension_version"] == "1.0.9150.0"
    assert r.evidence["outer_status"]["status"] == "success"
    assert r.evidence["status_file"] == STATUS


def test_backup_reads_newest_version_and_highest_sequence_number() -> None:
    fake = backup_vm()
    fake.files[HANDLER_DIR + "/status/1_status"] = "renamed old status"
    fake.files[HANDLER_DIR + "/status/12.status"] = failed_variant(121)
    fake.files[LIB + "/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9100.0/status/40.status"] = "junk"
    fake.files[LIB + "/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9200.0.zip"] = "zip"
    probe = Overlay(fake)
    r = run_one(probe, "ext.backup")
    assert r.evidence["status_file"] == HANDLER_DIR + "/status/12.status"
    assert r.evidence["installed_versions"] == ["1.0.9150.0", "1.0.9100.0"]
    assert r.status is Status.PROBLEM
    reads = [a["path"] for p, a in probe.calls if p == "read_file" and "waagent" in a["path"]]
    # the newest status is judged; the older ones are read for the timeline only (newest first)
    assert reads == [HANDLER_DIR + "/status/12.status", HANDLER_DIR + "/status/0.status"]
    assert [f["sequence_number"] for f in r.evidence["status_files"]] == [12, 0]
    assert r.evidence["status_files"][0]["health_code"] == 121
    assert all(a.get("max_bytes") for p, a in probe.calls if p == "read_file")


def test_backup_not_installed_yet_is_info() -> None:
    fake = linux_vm()
    fake.files[LIB + "/WALinuxAgent-2.9.1.1/HandlerManifest.json"] = "[]"
    r = run_one(fake, "ext.backup")
    assert r.status is Status.INFO
    assert r.summary.id.startswith("The backup extension {handler} is not installed yet")
    assert r.summary.params["handler"] == "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"


def test_backup_agent_folder_missing_is_info() -> None:
    r = run_one(linux_vm(), "ext.backup")
    assert r.status is Status.INFO
    assert r.summary.params == {"path": LIB}


def test_backup_installed_without_status_is_info() -> None:
    fake = linux_vm()
    fake.files[HANDLER_DIR + "/HandlerManifest.json"] = MANIFEST
    r = run_one(fake, "ext.backup")
    assert r.status is Status.INFO
    assert r.summary.id.endswith("is installed but has not written a status yet.")
    assert r.summary.params["version"] == "1.0.9150.0"


def test_backup_empty_status_array_is_info() -> None:
    r = run_one(backup_vm("[]"), "ext.backup")
    assert r.status is Status.INFO and "empty array" in r.evidence["note"]


def test_backup_variant_fsfreeze_121_is_a_problem_with_log_mounts() -> None:
    fake = backup_vm(failed_variant(121))
    fake.files[ext.LINUX_EXT_LOG] = ("2017-11-02 11:22:56 Thawing: /boot\n2017-11-02 11:22:56 Failed to FITHAW: /boot\n"
                                     "2017-11-02 11:22:56 Failed to FITHAW: /usr/sap\n")
    r = run_one(fake, "ext.backup")
    assert r.status is Status.PROBLEM
    assert r.summary.params["code"] == 121 and r.summary.params["name"] == "FailedRetryableFsFreezeFailed"
    assert r.error_codes == ["UserErrorFsFreezeFailed"]
    assert r.why is not None and "fsfreeze" in r.why.id
    assert r.fix[0].text.params["mounts"] == ("/boot", "/usr/sap")
    assert r.evidence["extension_log"]["mounts"] == ["/boot", "/usr/sap"]
    assert "worked out from" in r.evidence["portal_code_note"]
    assert r.evidence["health_colour"] == "yellow"


@pytest.mark.parametrize(("code", "portal", "why_word"), [
    (122, ["UserErrorFsFreezeFailed"], "fsfreeze"),
    (123, ["UserErrorUnableToOpenMount"], "mount points"),
    (76, ["ExtensionSnapshotFailedNoNetwork"], "Wire Server"),
    (761, ["ExtensionSnapshotFailedNoNetwork"], "Wire Server"),
    (85, ["ExtensionFailedSnapshotLimitReachedError"], "too many blob snapshots"),
    (124, [], "safefreeze"),
    (302, ["Pre-ScriptNotFound"], "pre- or post-script"),
    (307, ["InsufficientPermissionforPost-Script"], "pre- or post-script"),
    (402, [], "too late"),
    (16, [], "certificate"),
    (505, [], "workload"),
    (556, [], "host-side"),
    (2, [], "no specific explanation"),
    (9999, [], "no specific explanation"),
])
def test_backup_variant_error_codes(code: int, portal: list[str], why_word: str) -> None:
    r = run_one(backup_vm(failed_variant(code)), "ext.backup")
    assert r.status is Status.PROBLEM
    assert r.summary.id == "The backup extension's last run ({time}) failed with code {code} ({name})."
    assert r.summary.params["code"] == code
    assert r.error_codes == portal
    assert r.why is not None and why_word in r.why.id
    assert r.fix and r.docs


def test_backup_variant_prepost_failure_names_the_documented_error() -> None:
    r = run_one(backup_vm(failed_variant(300)), "ext.backup")
    assert r.why is not None and r.why.params == {"error_name": "Pre-ScriptExecutionFailed"}


def test_backup_variant_success_with_prescript_code_is_a_warning() -> None:
    text = inner_variant(vmHealthInfo={"vmHealthStatusCode": 300, "vmHealthState": 128})
    r = run_one(backup_vm(text), "ext.backup")
    assert r.status is Status.WARNING
    assert r.summary.id.startswith("The last backup snapshot ({time}) succeeded, but")
    assert r.error_codes == ["Pre-ScriptExecutionFailed"]


def test_backup_variant_transitioning_is_info() -> None:
    r = run_one(backup_vm(inner_variant(status="transitioning")), "ext.backup")
    assert r.status is Status.INFO
    assert "transitioning" in r.summary.id


def test_backup_variant_warning_status() -> None:
    r = run_one(backup_vm(inner_variant(status="warning")), "ext.backup")
    assert r.status is Status.WARNING
    assert r.summary.id.startswith("The backup extension's last run ({time}) reported a warning")


def test_backup_variant_crash_consistent_success_is_info() -> None:
    telemetry = [{"Key": "consistencyType", "Value": "crashConsistent"}]
    r = run_one(backup_vm(inner_variant(telemetryData=telemetry)), "ext.backup")
    assert r.status is Status.INFO and "crash-consistent" in r.summary.id


def test_backup_variant_application_consistent_from_json_message() -> None:
    message = json.dumps({"messageStr": "", "snapshotConsistency": 2, "jobMessage": ""})
    r = run_one(backup_vm(inner_variant(formattedMessage={"lang": "en-US", "message": message})), "ext.backup")
    assert r.status is Status.OK and "application-consistent" in r.summary.id


def test_backup_variant_synthetic_host_status_code_is_explained() -> None:
    telemetry = [{"Key": "hostStatusCodeDoSnapshot", "Value": "555"}]
    r = run_one(backup_vm(inner_variant(telemetryData=telemetry)), "ext.backup")
    assert "wrong WireServer IP" in r.evidence["host_status_code_note"]


def test_backup_outer_error_without_inner_report() -> None:
    # the placeholder shape the Linux agent writes itself (facts §5.4), naming a portal code
    text = json.dumps([{"version": 1.0, "timestampUTC": "2024-01-01T00:00:00Z",
                        "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshotLinux", "operation": "Enable",
                                   "status": "error", "code": -1,
                                   "formattedMessage": {"lang": "en-US",
                                                        "message": "failed: ExtensionSnapshotFailedNoNetwork"}}}])
    r = run_one(backup_vm(text), "ext.backup")
    assert r.status is Status.PROBLEM
    assert r.summary.id == "The backup extension's last run ({time}) failed: {message}"
    assert r.summary.params["time"] == "2024-01-01T00:00:00Z"
    assert r.error_codes == ["ExtensionSnapshotFailedNoNetwork"]
    assert r.evidence["inner_report"] is None and "outer status is used" in r.evidence["note"]


@pytest.mark.parametrize(("name", "text", "error_part"), [
    ("not an array", json.dumps(json.loads(SAMPLE)[0]), "The extension status must be an array"),
    ("not json", "{{{", "not valid JSON"),
    ("deeply nested", "[" * 100_000, "nested too deeply"),
    ("substatus name not json", SAMPLE.replace('"name": "[{', '"name": "[{garbage', 1), "substatus[0].name"),
])
def test_backup_malformed_status_file_is_a_warning(name: str, text: str, error_part: str) -> None:
    r = run_one(backup_vm(text), "ext.backup")
    assert r.status is Status.WARNING, name
    assert r.summary.id == "Could not read the backup extension's status file {path}: {error}."
    reason = r.summary.params["error"]
    assert isinstance(reason, Msg) and error_part in EN.msg(reason)
    assert r.evidence["agent_error_text"] == "The extension status must be an array"
    assert len(r.evidence["excerpt"]) <= 2010


def test_backup_huge_status_file_is_read_bounded() -> None:
    huge = "[" + " " * (3 * 1024 * 1024) + "]"
    probe = Overlay(backup_vm(huge))
    r = run_one(probe, "ext.backup")
    assert r.status is Status.WARNING
    assert r.summary.params["error"] == Msg("larger than {limit} bytes", {"limit": 1024 * 1024})
    (read,) = [a for p, a in probe.calls if p == "read_file" and a["path"] == STATUS]
    assert read["max_bytes"] <= 1024 * 1024


def test_backup_not_root_cannot_list_the_agent_folder() -> None:
    probe = Overlay(backup_vm(is_admin=False, user="azureuser"), denied_listing(LIB))
    r = run_one(probe, "ext.backup")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: {path} can only be read by root; run the wizard with sudo."
    assert r.evidence["error"] == PERMISSION_DENIED


def test_backup_root_but_status_unreadable() -> None:
    fake = backup_vm()
    fake.files[STATUS] = FakeFile(SAMPLE, readable=False)
    r = run_one(fake, "ext.backup")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: could not read {path} ({error})."
    assert r.summary.params["path"] == STATUS


def test_backup_probe_unavailable_is_not_checked() -> None:
    probe = Overlay(backup_vm(), {("list_dir", LIB): unavailable("replay lacks this call")})
    r = run_one(probe, "ext.backup")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: could not look at {path} ({error})."


def test_backup_off_azure_still_reads_local_files() -> None:
    fake = backup_vm()
    del fake.files["/sys/class/dmi/id/chassis_asset_tag"]
    r = run_one(fake, "ext.backup")
    assert r.status is Status.OK


# -- ext.backup on Windows ----------------------------------------------------------------------
# The Windows status files below are built in the generic extension status format (facts §5.4);
# no real VMSnapshot status file was available.

def win_status(status: str, message: str) -> str:
    return json.dumps([{"version": 1.0, "timestampUTC": "2024-01-23T19:44:31Z",
                        "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshot", "operation": "Enable",
                                   "status": status, "code": 0,
                                   "formattedMessage": {"lang": "en-US", "message": message}}}])


def win_backup_vm(text: str, **kw: Any) -> FakeSystem:
    fake = windows_vm(**kw)
    fake.files[WIN_BASE + "\\1.0.70.0\\Status\\3.status"] = text
    fake.files[WIN_BASE + "\\1.0.70.0\\Status\\HeartBeat.Json"] = "{}"
    fake.files[WIN_BASE + "\\1.0.60.0\\Status\\9.status"] = "old"
    return fake


def test_windows_backup_success() -> None:
    r = run_one(win_backup_vm(win_status("success", "Snapshot completed")), "ext.backup")
    assert r.status is Status.OK
    assert r.summary.id == "The last backup snapshot ({time}) succeeded (backup extension {version})."
    assert r.summary.params == {"time": "2024-01-23T19:44:31Z", "version": "1.0.70.0"}
    assert r.evidence["status_file"].endswith("1.0.70.0\\Status\\3.status")


def test_windows_backup_error_maps_portal_code_from_message() -> None:
    text = win_status("error", "Snapshot operation failed due to ExtensionFailedVssWriterInBadState.")
    r = run_one(win_backup_vm(text), "ext.backup")
    assert r.status is Status.PROBLEM
    assert r.error_codes == ["ExtensionFailedVssWriterInBadState"]
    assert "ExtensionFailedVssWriterInBadState" in r.summary.params["message"]


def test_windows_backup_transitioning() -> None:
    r = run_one(win_backup_vm(win_status("transitioning", "")), "ext.backup")
    assert r.status is Status.INFO


def test_windows_backup_not_installed_reads_handler_state_and_aggregate_status() -> None:
    fake = windows_vm()
    key = "HKLM\\SOFTWARE\\Microsoft\\WindowsAzure\\HandlerState"
    fake.registry[key] = {}
    fake.registry[key + "\\Microsoft.Azure.RecoveryServices.VMSnapshot_1.0.70.0"] = {"State": "NotInstalled"}
    fake.files[ext.WIN_AGGREGATE_STATUS] = json.dumps({"aggregateStatus": {
        "guestAgentStatus": {"version": "2.7.41491.1102", "status": "Ready"}, "handlerAggregateStatus": []}})
    probe = Overlay(fake)
    r = run_one(probe, "ext.backup")
    assert r.status is Status.INFO
    assert r.summary.params["handler"] == "Microsoft.Azure.RecoveryServices.VMSnapshot"
    states = {e["key"]: e for e in r.evidence["handler_state"]}
    assert states[key]["subkeys"][0]["values"] == {"State": "NotInstalled"}
    assert states["HKLM\\SOFTWARE\\Microsoft\\Windows Azure\\HandlerState"]["exists"] is False
    assert "not confirmed by public documentation" in r.evidence["handler_state_note"]
    agg = r.evidence["aggregate_status"]
    assert agg["guest_agent"]["version"] == "2.7.41491.1102" and agg["state"] == "read"
    assert agg["path"] == ext.WIN_AGGREGATE_STATUS
    keys = [a["key"] for p, a in probe.calls if p == "registry"]
    assert set(ext.WIN_HANDLER_STATE_KEYS) <= set(keys)


def test_windows_backup_not_admin() -> None:
    fake = win_backup_vm(win_status("success", ""), is_admin=False)
    probe = Overlay(fake, denied_listing(WIN_BASE))
    r = run_one(probe, "ext.backup")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: {path} can only be read by Administrators; run the wizard as Administrator."


# -- ext.others ---------------------------------------------------------------------------------

def ext_status(status: str, message: str = "") -> str:
    return json.dumps([{"version": 1.0, "timestampUTC": "2024-01-01T00:00:00Z",
                        "status": {"name": "x", "operation": "Enable", "status": status, "code": 0,
                                   "formattedMessage": {"lang": "en-US", "message": message}}}])


def test_others_none_installed() -> None:
    r = run_one(backup_vm(), "ext.others")
    assert r.status is Status.OK and r.summary.id == "No other VM extensions are installed."


def test_others_lib_folder_missing() -> None:
    r = run_one(linux_vm(), "ext.others")
    assert r.status is Status.OK and r.summary.params == {"path": LIB}


def test_others_error_extension_is_a_warning() -> None:
    fake = backup_vm(failed_variant(121))
    fake.files[LIB + "/Microsoft.CPlat.Core.RunCommandLinux-1.0.5/status/1.status"] = ext_status("error", "exit 1")
    fake.files[LIB + "/Microsoft.CPlat.Core.RunCommandLinux-1.0.3/status/7.status"] = ext_status("success")
    fake.files[LIB + "/Microsoft.Azure.Monitor.AzureMonitorLinuxAgent-1.29.4/status/2.status"] = ext_status("success")
    fake.files[LIB + "/WALinuxAgent-2.9.1.1/status/0.status"] = ext_status("error")
    r = run_one(fake, "ext.others")
    assert r.status is Status.WARNING
    assert r.summary.params == {"count": 1, "names": ("Microsoft.CPlat.Core.RunCommandLinux 1.0.5",)}
    assert r.error_codes == ["UserErrorVmProvisioningStateFailed", "UserErrorVmNotInDesirableState"]
    handlers = [e["handler"] for e in r.evidence["extensions"]]
    assert handlers == ["Microsoft.Azure.Monitor.AzureMonitorLinuxAgent", "Microsoft.CPlat.Core.RunCommandLinux"]
    assert r.evidence["extensions"][1]["message"] == "exit 1"


def test_others_malformed_status_counts_as_failed() -> None:
    fake = linux_vm()
    fake.files[LIB + "/Vendor.Ext-2.0/status/0.status"] = '{"status": {"status": "success"}}'
    r = run_one(fake, "ext.others")
    assert r.status is Status.WARNING
    assert r.evidence["extensions"][0]["state"] == "malformed"
    assert "must be an array" in r.evidence["extensions"][0]["error"]
    assert "not confirmed by public documentation" in r.evidence["note"]


def test_others_all_ok() -> None:
    fake = linux_vm()
    fake.files[LIB + "/Vendor.Ext-2.0/status/0.status"] = ext_status("success")
    fake.files[LIB + "/Vendor.Other-1.0/status/0.status"] = ext_status("transitioning")
    fake.files[LIB + "/Vendor.NoStatus-1.0/HandlerManifest.json"] = "[]"
    r = run_one(fake, "ext.others")
    assert r.status is Status.OK
    assert r.summary.params == {"count": 3}


def test_others_all_unreadable_is_not_checked() -> None:
    fake = linux_vm()
    fake.files[LIB + "/Vendor.Ext-2.0/status/0.status"] = FakeFile(ext_status("error"), readable=False)
    r = run_one(fake, "ext.others")
    assert r.status is Status.NOT_CHECKED


def test_others_reads_at_most_40_handlers() -> None:
    fake = linux_vm()
    for i in range(50):
        fake.files[f"{LIB}/Vendor.Ext{i:02d}-1.0/status/0.status"] = ext_status("success")
    probe = Overlay(fake)
    r = run_one(probe, "ext.others")
    assert r.evidence["skipped"] == 10 and len(r.evidence["extensions"]) == 40
    assert len([1 for p, _ in probe.calls if p == "read_file" and "Vendor" in _["path"]]) == 40


def test_others_not_root() -> None:
    probe = Overlay(backup_vm(is_admin=False, user="azureuser"), denied_listing(LIB))
    r = run_one(probe, "ext.others")
    assert r.status is Status.NOT_CHECKED and "sudo" in r.summary.id


def test_others_windows() -> None:
    fake = win_backup_vm(win_status("error", "ignored here: this is the backup extension"))
    plugins = "C:\\Packages\\Plugins"
    fake.files[plugins + "\\Microsoft.Compute.CustomScriptExtension\\1.10.15\\Status\\0.status"] = ext_status(
        "error", "script failed")
    fake.files[plugins + "\\Microsoft.Compute.CustomScriptExtension\\1.9.5\\Status\\0.status"] = ext_status("success")
    fake.files[plugins + "\\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\\1.22.0.0\\Status\\1.status"] = (
        ext_status("success"))
    r = run_one(fake, "ext.others")
    assert r.status is Status.WARNING
    assert r.summary.params == {"count": 1, "names": ("Microsoft.Compute.CustomScriptExtension 1.10.15",)}
    assert [e["handler"] for e in r.evidence["extensions"]] == [
        "Microsoft.Azure.Monitor.AzureMonitorWindowsAgent", "Microsoft.Compute.CustomScriptExtension"]


# -- ext.prepost --------------------------------------------------------------------------------

CONFIG = "/etc/azure/VMSnapshotScriptPluginConfig.json"
PRE = "/opt/db/pre.sh"
POST = "/opt/db/post.sh"


def config_with(**changes: Any) -> str:
    data = json.loads(TEMPLATE)
    data.update(changes)
    return json.dumps(data)


def prepost_vm(config: str | None = None, config_mode: int = 0o600, config_uid: int = 0,
               scripts: bool = True, script_mode: int = 0o700, **kw: Any) -> FakeSystem:
    fake = linux_vm(**kw)
    if config is not None:
        fake.files[CONFIG] = FakeFile(config, mode=config_mode, uid=config_uid)
    if scripts:
        fake.files[PRE] = FakeFile("#!/bin/sh\n", mode=script_mode)
        fake.files[POST] = FakeFile("#!/bin/sh\n", mode=script_mode)
    fake.files["/etc/azure/vmbackup.conf"] = VMBACKUP
    return fake


GOOD = config_with(preScriptLocation=PRE, postScriptLocation=POST)


def test_prepost_nothing_configured_is_ok() -> None:
    r = run_one(prepost_vm(), "ext.prepost")
    assert r.status is Status.OK
    assert r.summary.id.startswith("No pre/post scripts are configured")
    assert r.evidence["vmbackup_conf"]["settings"] == {"fsfreeze": "True"}


def test_prepost_configured_correctly() -> None:
    r = run_one(prepost_vm(GOOD), "ext.prepost")
    assert r.status is Status.OK
    assert r.summary.params == {"path": CONFIG, "pre": PRE, "post": POST, "timeout": 30}


def test_prepost_real_template_unfilled_names_no_scripts() -> None:
    r = run_one(prepost_vm(TEMPLATE), "ext.prepost")
    assert r.status is Status.WARNING
    assert r.summary.id == "The configuration {config} names no pre-script (preScriptLocation is empty)."
    assert r.error_codes == ["Pre-ScriptNotFound", "Post-ScriptNotFound"]
    assert len(r.evidence["findings"]) == 2


@pytest.mark.parametrize(("mode", "uid"), [(0o644, 0), (0o700, 0), (0o600, 1000)])
def test_prepost_config_permissions(mode: int, uid: int) -> None:
    r = run_one(prepost_vm(GOOD, config_mode=mode, config_uid=uid), "ext.prepost")
    assert r.status is Status.WARNING
    assert r.error_codes == ["IncorrectJSONConfigFile"]
    assert r.summary.params["mode"] == format(mode, "03o") and r.summary.params["uid"] == uid
    assert r.fix[0].command == f"sudo chown root:root {CONFIG} && sudo chmod 600 {CONFIG}"


def test_prepost_script_permissions() -> None:
    r = run_one(prepost_vm(GOOD, script_mode=0o755), "ext.prepost")
    assert r.status is Status.WARNING
    assert r.error_codes == ["InsufficientPermissionforPre-Script", "InsufficientPermissionforPost-Script"]
    assert r.summary.params == {"path": PRE, "uid": 0, "mode": "755"}


def test_prepost_script_missing_and_continue_on_failure_false_is_a_problem() -> None:
    r = run_one(prepost_vm(GOOD, scripts=False), "ext.prepost")
    assert r.status is Status.WARNING and r.error_codes == ["Pre-ScriptNotFound", "Post-ScriptNotFound"]
    strict = config_with(preScriptLocation=PRE, postScriptLocation=POST, continueBackupOnFailure=False)
    r = run_one(prepost_vm(strict, scripts=False), "ext.prepost")
    assert r.status is Status.PROBLEM
    assert r.why is not None and "continueBackupOnFailure is false" in r.why.id


def test_prepost_relative_script_path() -> None:
    r = run_one(prepost_vm(config_with(preScriptLocation="pre.sh", postScriptLocation=POST)), "ext.prepost")
    assert r.status is Status.WARNING and "not absolute" in r.summary.id


def test_prepost_timeout_over_1800() -> None:
    r = run_one(prepost_vm(config_with(preScriptLocation=PRE, postScriptLocation=POST, timeoutInSeconds=3600)),
                "ext.prepost")
    assert r.status is Status.WARNING
    assert r.summary.params["timeout"] == 3600
    assert r.error_codes == ["Pre-ScriptTimeout", "Post-ScriptTimeout"]


def test_prepost_fs_freeze_disabled_is_info() -> None:
    r = run_one(prepost_vm(config_with(preScriptLocation=PRE, postScriptLocation=POST, fsFreezeEnabled=False)),
                "ext.prepost")
    assert r.status is Status.INFO and r.error_codes == []
    assert r.summary.id.startswith("fsFreezeEnabled is false")


def test_prepost_invalid_json() -> None:
    r = run_one(prepost_vm(TEMPLATE[:-10]), "ext.prepost")
    assert r.status is Status.WARNING and r.error_codes == ["IncorrectJSONConfigFile"]
    assert r.summary.id == "The pre/post script configuration {path} is not valid JSON ({error})."


def test_prepost_missing_key_and_invalid_value() -> None:
    data = json.loads(GOOD)
    del data["postScriptLocation"]
    data["timeoutInSeconds"] = "ten"
    r = run_one(prepost_vm(json.dumps(data)), "ext.prepost")
    assert r.status is Status.WARNING and r.error_codes == ["IncorrectJSONConfigFile"]
    messages = [f["message"] for f in r.evidence["findings"]]
    assert any("lacks the required key" in msg for msg in messages)
    assert any("is not valid" in msg for msg in messages)


def test_prepost_pluginhost_permissions_and_custom_config_path() -> None:
    fake = prepost_vm()
    other = "/etc/azure/custom.json"
    fake.files[other] = FakeFile(GOOD, mode=0o600)
    fake.files[ext.PLUGINHOST_CONF] = FakeFile(
        "[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ScriptRunner\n"
        f"pluginPath0: /etc/azure\npluginConfigPath0: {other}\n", mode=0o666)
    r = run_one(fake, "ext.prepost")
    assert r.status is Status.WARNING and r.error_codes == ["IncorrectPluginhostFile"]
    assert [c["path"] for c in r.evidence["plugin_configs"]] == [other]


def test_prepost_pluginhost_names_missing_config() -> None:
    fake = prepost_vm()
    fake.files[ext.PLUGINHOST_CONF] = FakeFile(
        "[pre_post]\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\n"
        f"pluginConfigPath0: {CONFIG}\n", mode=0o644)
    r = run_one(fake, "ext.prepost")
    assert r.status is Status.WARNING and r.error_codes == ["IncorrectJSONConfigFile"]


def test_prepost_pluginhost_unparsable() -> None:
    fake = prepost_vm()
    fake.files[ext.PLUGINHOST_CONF] = FakeFile("numberOfPlugins = 1\n", mode=0o644)
    r = run_one(fake, "ext.prepost")
    assert r.status is Status.WARNING and r.error_codes == ["IncorrectPluginhostFile"]


def test_prepost_vmbackup_conf_settings() -> None:
    fake = prepost_vm()
    fake.files["/etc/azure/vmbackup.conf"] = ("[SnapshotThread]\nfsfreeze: False\nisanysnapshotfailed = True\n"
                                              "MountsToSkip = /mnt/resource\n")
    r = run_one(fake, "ext.prepost")
    assert r.status is Status.INFO
    assert r.evidence["vmbackup_conf"]["mounts_to_skip"] == ["/mnt/resource"]
    messages = [f["message"] for f in r.evidence["findings"]]
    assert messages[0].startswith("File-system freeze is turned off") and messages[1].startswith("isanysnapshotfailed")


def test_prepost_old_config_name() -> None:
    fake = prepost_vm()
    fake.files[ext.PLUGIN_CONFIG_OLD] = FakeFile(GOOD, mode=0o600)
    r = run_one(fake, "ext.prepost")
    assert r.status is Status.INFO
    assert r.summary.params == {"path": ext.PLUGIN_CONFIG_OLD, "expected": (CONFIG,)}


def test_prepost_not_root_cannot_read_config() -> None:
    fake = prepost_vm(is_admin=False, user="azureuser")
    fake.files[CONFIG] = FakeFile(GOOD, mode=0o600, readable=False)
    r = run_one(fake, "ext.prepost")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id == "Not checked: {path} exists but could not be read ({error}); run the wizard as root."


def test_prepost_stat_unavailable() -> None:
    probe = Overlay(prepost_vm(GOOD), {("stat", CONFIG): unavailable("replay lacks this call")})
    r = run_one(probe, "ext.prepost")
    assert r.status is Status.NOT_CHECKED
    assert r.summary.params["path"] == CONFIG


# -- Windows: both status layouts, the extension's own log, SeqNumber.txt, aggregatestatus --------
# Built in the generic handler status format (WALinuxAgent parse_ext_status; facts §5.4) and the
# file locations Microsoft's disk-inspection service collects (azure-diskinspect-service
# manifests/windows/agents); no real Windows VMSnapshot status or log is public.

WIN_VER = WIN_BASE + "\\1.0.70.0"
WIN_LOGS = "C:\\WindowsAzure\\Logs\\Plugins\\Microsoft.Azure.RecoveryServices.VMSnapshot\\1.0.70.0"


def win_status_with(status: str, substatus_name: str | None = None, health: dict[str, int] | None = None) -> str:
    inner: dict[str, Any] = {"name": "Microsoft.Azure.RecoveryServices.VMSnapshot", "operation": "Enable",
                             "status": status, "code": 0,
                             "formattedMessage": {"lang": "en-US", "message": "Snapshot completed"}}
    if substatus_name is not None:
        inner["substatus"] = [{"name": substatus_name, "status": "success", "code": 0,
                               "formattedMessage": {"lang": "en-US", "message": "ok"}}]
    if health is not None:
        inner["vmHealthInfo"] = health
    return json.dumps([{"version": 1.0, "timestampUTC": "2024-01-23T19:44:31Z", "status": inner}])


def test_windows_plain_substatus_name_is_not_read_as_an_embedded_report() -> None:
    r = run_one(win_backup_vm(win_status_with("success", substatus_name="VMSnapshot status")), "ext.backup")
    assert r.status is Status.OK
    assert r.evidence["inner_report"] is None
    assert r.evidence["outer_status"]["substatus_name"] == "VMSnapshot status"
    assert "not confirmed by public documentation" in r.evidence["layout_note"]


def test_windows_embedded_report_layout_is_read_too() -> None:
    report = json.dumps([{"version": 1.0, "timestampUTC": "2024-01-23T19:44:31Z",
                          "status": {"name": "Microsoft.Azure.RecoveryServices.VMSnapshot", "operation": "Enable",
                                     "status": "error", "code": 2,
                                     "formattedMessage": {"lang": "en-US", "message": "x"}}}])
    r = run_one(win_backup_vm(win_status_with("success", substatus_name=report)), "ext.backup")
    assert r.evidence["inner_report"]["status"] == "error"
    assert r.status is Status.PROBLEM


@pytest.mark.parametrize(("state", "colour"), [(128, "yellow"), (256, "red")])
def test_windows_health_info_is_honoured(state: int, colour: str) -> None:
    r = run_one(win_backup_vm(win_status_with("success", health={"vmHealthState": state,
                                                                 "vmHealthStatusCode": 76})), "ext.backup")
    assert r.status is Status.WARNING
    assert r.summary.params == {"time": "2024-01-23T19:44:31Z", "colour": colour, "code": 76}
    assert "not confirmed" in r.evidence["health_note"]


def test_windows_green_health_stays_ok() -> None:
    r = run_one(win_backup_vm(win_status_with("success", health={"vmHealthState": 0, "vmHealthStatusCode": 1})),
                "ext.backup")
    assert r.status is Status.OK


def test_windows_seq_number_picks_the_current_status_file() -> None:
    fake = win_backup_vm(win_status("error", "old failure"))
    fake.files[WIN_VER + "\\Status\\2.status"] = win_status("success", "current")
    fake.files[WIN_VER + "\\SeqNumber.txt"] = "2\r\n"
    r = run_one(fake, "ext.backup")
    assert r.status is Status.OK
    assert r.evidence["status_file"].endswith("\\Status\\2.status")
    assert r.evidence["seq_number_file"]["seq"] == 2


def test_windows_seq_number_naming_a_missing_file_falls_back_to_the_highest() -> None:
    fake = win_backup_vm(win_status("success", "fine"))
    fake.files[WIN_VER + "\\SeqNumber.txt"] = "17"
    r = run_one(fake, "ext.backup")
    assert r.evidence["status_file"].endswith("\\Status\\3.status")


def test_windows_extension_log_is_scanned_and_its_portal_codes_join_a_failure() -> None:
    fake = win_backup_vm(win_status("error", "Snapshot failed"))
    fake.files[WIN_LOGS + "\\IaaSBcdrExtension.log"] = FakeFile(
        text="old run\n", mtime=1_700_000_000.0)
    fake.files[WIN_LOGS + "\\IaaSBcdrExtension1.log"] = FakeFile(
        text="[2024-01-23 19:44:30] VSS writer SqlServerWriter timed out\n"
             "[2024-01-23 19:44:31] Snapshot failed: ExtensionFailedVssWriterInBadState\n"
             "[2024-01-23 19:44:31] COM+ System Application error\n", mtime=1_706_000_000.0)
    r = run_one(fake, "ext.backup")
    assert r.status is Status.PROBLEM
    log = r.evidence["extension_log"]
    assert log["path"].endswith("IaaSBcdrExtension1.log")
    assert log["counts"]["vss"] == 1 and log["counts"]["com"] == 1 and log["counts"]["timeout"] == 1
    assert log["portal_codes"] == ["ExtensionFailedVssWriterInBadState"]
    assert "ExtensionFailedVssWriterInBadState" in r.error_codes
    assert "not confirmed by public documentation" in log["note"]


def test_windows_aggregate_status_newest_file_with_nul_padding() -> None:
    fake = win_backup_vm(win_status("success", "fine"))
    agg = ext.WIN_AGGREGATE_STATUS.rsplit("\\", 1)[0]
    doc = json.dumps({"aggregateStatus": {"guestAgentStatus": {"version": "2.7.41491.1102", "status": "Ready"},
                                          "handlerAggregateStatus": [
                                              {"handlerName": "Microsoft.Azure.RecoveryServices.VMSnapshot",
                                               "handlerVersion": "1.0.70.0", "status": "Ready"}]}})
    fake.files[agg + "\\aggregatestatus.json"] = FakeFile(text="{}", mtime=1_600_000_000.0)
    fake.files[agg + "\\aggregatestatus_20240123.json"] = FakeFile(text=doc + "\x00" * 64, mtime=1_706_000_000.0)
    r = run_one(fake, "ext.backup")
    found = r.evidence["aggregate_status"]
    assert found["state"] == "read" and found["path"].endswith("aggregatestatus_20240123.json")
    assert found["vmsnapshot"][0]["handler_version"] == "1.0.70.0"
