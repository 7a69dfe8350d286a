"""/etc/azure files of the Linux backup extension: the real templates, variants of them, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.parsers.prepost import (
    MAX_CONFIG_BYTES,
    mode_text,
    parse_plugin_config,
    parse_pluginhost_conf,
    parse_vmbackup_conf,
    plugin_config_mode_ok,
    pluginhost_mode_ok,
    script_mode_ok,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "linux"
TEMPLATE = (DATA / "VMSnapshotScriptPluginConfig.json").read_text(encoding="utf-8")
VMBACKUP = (DATA / "vmbackup.conf").read_text(encoding="utf-8")
# The plug-in host file as the fact sheet (§5.3) quotes the extension's own main/VMSnapshotPluginHost.conf.
PLUGINHOST = ("[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ScriptRunner\n"
              "pluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n")
# The vmbackup.conf of the UserErrorFsFreezeFailed section of the backup troubleshooting article.
VMBACKUP_DOC = "[SnapshotThread]\nfsfreeze: True\nMountsToSkip = /mnt/resource\nSafeFreezeWaitInSeconds=600\n"


def template_with(**changes: object) -> str:
    data = json.loads(TEMPLATE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return json.dumps(data)


def test_real_template() -> None:
    parsed = parse_plugin_config(TEMPLATE)
    assert parsed["ok"] and parsed["missing"] == [] and parsed["invalid"] == {}
    assert parsed["pre_script"] == "" and parsed["post_script"] == ""
    assert parsed["timeout"] == 30
    assert parsed["continue_on_failure"] is True and parsed["fs_freeze_enabled"] is True
    assert parsed["plugin_name"] == "ScriptRunner"
    assert parsed["pre_params_count"] == 2 and parsed["post_params_count"] == 2


def test_parameter_values_are_never_returned() -> None:
    parsed = parse_plugin_config(template_with(preScriptParams=["--password", "s3cr3t"]))
    assert "s3cr3t" not in json.dumps(parsed)
    assert parsed["pre_params_count"] == 2


def test_variant_filled_in() -> None:
    parsed = parse_plugin_config(template_with(preScriptLocation="/opt/db/pre.sh", postScriptLocation="/opt/db/post.sh",
                                               timeoutInSeconds=3600, continueBackupOnFailure=False,
                                               fsFreezeEnabled=False))
    assert parsed["pre_script"] == "/opt/db/pre.sh" and parsed["post_script"] == "/opt/db/post.sh"
    assert parsed["timeout"] == 3600
    assert parsed["continue_on_failure"] is False and parsed["fs_freeze_enabled"] is False


def test_variant_missing_required_keys() -> None:
    parsed = parse_plugin_config(template_with(preScriptLocation=None, postScriptLocation=None))
    assert parsed["ok"] and parsed["missing"] == ["preScriptLocation", "postScriptLocation"]


def test_variant_wrong_types() -> None:
    parsed = parse_plugin_config(template_with(timeoutInSeconds="600", fsFreezeEnabled="yes", preScriptLocation=5))
    assert set(parsed["invalid"]) == {"timeoutInSeconds", "fsFreezeEnabled", "preScriptLocation"}
    assert parsed["timeout"] is None and parsed["pre_script"] is None
    assert parse_plugin_config(template_with(timeoutInSeconds=True))["invalid"] == {"timeoutInSeconds": "true"}


def test_not_json_not_object_huge_nested() -> None:
    assert parse_plugin_config(TEMPLATE[:-5])["error"].startswith("not valid JSON")
    assert parse_plugin_config("[1]")["error"] == "the JSON is not an object"
    assert "larger" in parse_plugin_config(" " * (MAX_CONFIG_BYTES + 1))["error"]
    assert not parse_plugin_config("[" * 60_000)["ok"]
    assert parse_plugin_config("\ufeff" + TEMPLATE)["ok"]


def test_pluginhost_conf() -> None:
    parsed = parse_pluginhost_conf(PLUGINHOST)
    assert parsed["ok"] and parsed["timeout"] == 1800 and parsed["number_of_plugins"] == 1
    assert parsed["plugins"] == [{"name": "ScriptRunner", "path": "/etc/azure",
                                  "config_path": "/etc/azure/VMSnapshotScriptPluginConfig.json"}]


def test_pluginhost_conf_broken() -> None:
    broken = parse_pluginhost_conf("timeoutInSeconds: 1800\n")
    assert broken["error"].startswith("not a valid INI file: MissingSectionHeaderError")
    assert broken["error_msg"]["id"] == "not a valid INI file: {detail}"
    assert parse_pluginhost_conf("[other]\na=1\n")["error"] == "no [pre_post] section"
    assert "not a number" in parse_pluginhost_conf(PLUGINHOST.replace("1800", "lots"))["error"]
    assert "lacks" in parse_pluginhost_conf(PLUGINHOST.replace("pluginConfigPath0", "x"))["error"]
    assert parse_pluginhost_conf(PLUGINHOST.replace("numberOfPlugins: 1", "numberOfPlugins: 100000"))["ok"] is False


def test_vmbackup_conf_real_sample() -> None:
    parsed = parse_vmbackup_conf(VMBACKUP)
    assert parsed["ok"] and parsed["fsfreeze"] is True and parsed["settings"] == {"fsfreeze": "True"}
    assert parsed["isanysnapshotfailed"] is None and parsed["mounts_to_skip"] == []


def test_vmbackup_conf_doc_sample_and_variants() -> None:
    parsed = parse_vmbackup_conf(VMBACKUP_DOC)
    assert parsed["mounts_to_skip"] == ["/mnt/resource"]
    assert parsed["settings"]["safefreezewaitinseconds"] == "600"
    off = parse_vmbackup_conf(VMBACKUP.replace("True", "False") + "isanysnapshotfailed = True\n"
                              "MountsToSkip = /mnt/a, /mnt/b\n")
    assert off["fsfreeze"] is False and off["isanysnapshotfailed"] is True
    assert off["mounts_to_skip"] == ["/mnt/a", "/mnt/b"]
    assert parse_vmbackup_conf("[Other]\nx=1\n")["settings"] == {}
    assert not parse_vmbackup_conf("fsfreeze: True\n")["ok"]
    assert parse_vmbackup_conf("[SnapshotThread]\nfsfreeze: %(oops)s\n")["fsfreeze"] is None


def test_modes() -> None:
    assert mode_text(0o100600) == "600" and mode_text(None) == "?"
    assert plugin_config_mode_ok(0o600) and plugin_config_mode_ok(0o400)
    assert not plugin_config_mode_ok(0o700) and not plugin_config_mode_ok(0o640) and not plugin_config_mode_ok(0o604)
    assert pluginhost_mode_ok(0o644) and pluginhost_mode_ok(0o600) and pluginhost_mode_ok(0o640)
    assert not pluginhost_mode_ok(0o664) and not pluginhost_mode_ok(0o646)
    assert script_mode_ok(0o700) and script_mode_ok(0o500)
    assert not script_mode_ok(0o755) and not script_mode_ok(0o710)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_never_raises(text: str) -> None:
    parse_plugin_config(text)
    parse_pluginhost_conf(text)
    parse_vmbackup_conf(text)
    parse_pluginhost_conf("[pre_post]\n" + text)
    parse_vmbackup_conf("[SnapshotThread]\n" + text)
