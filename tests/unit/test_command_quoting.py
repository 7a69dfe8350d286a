"""Commands built from machine data are safe to paste (reliability review row 8): a path, a unit name or a
rule with `;`, `$(…)`, back-quotes, spaces, quotes or a newline stays one argument of the command."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard import runner
from wizard.checks.commands import cmd, ps, sh, sh_words
from wizard.checks.registry import ALL_CHECKS
from wizard.probes.fake import FakeFile, FakeSystem

ROOT = Path(__file__).resolve().parents[2]
AZURE_TAG = "7783-7084-3265-9085-8269-3286-77"
HOSTILE = [
    "/opt/db/pre.sh; rm -rf / #",
    "/opt/db/$(reboot).sh",
    "/opt/db/`id`.sh",
    "/opt/my scripts/pre.sh",
    "/opt/db/it's \"quoted\".sh",
    "/opt/db/new\nline.sh",
    "/opt/db/&& shutdown -h now",
    "/opt/db/-rf",
]


def _ps_literal(text: str) -> str | None:
    """Read back one PowerShell single-quoted literal; None if `text` is not exactly one."""
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        return None
    body = text[1:-1]
    if "'" in body.replace("''", ""):
        return None
    return body.replace("''", "'")


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_sh_keeps_any_value_one_argument(value: str) -> None:
    if "\x00" in value:
        return
    assert shlex.split(f"chmod 700 {sh(value)}") == ["chmod", "700", value]


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_ps_is_one_literal_without_expansion(value: str) -> None:
    expected = value.replace("\r", "").replace("\n", " ")
    for quote in ("\u2018", "\u2019", "\u201a", "\u201b"):
        expected = expected.replace(quote, "'")
    assert _ps_literal(ps(value)) == expected


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_cmd_leaves_nothing_cmd_would_expand(value: str) -> None:
    out = cmd(value)
    if out.startswith('"'):
        inner = out[1:-1]
        assert out.endswith('"') and '"' not in inner and "%" not in inner and "!" not in inner
        assert not any(ord(c) < 32 for c in inner)
    else:
        assert all(c.isalnum() or c in "_.:\\/-" for c in out) and out


def test_rules_are_requoted_token_by_token() -> None:
    assert sh_words('OUTPUT -m comment --comment "a $(b)" -j DROP') == \
        "OUTPUT -m comment --comment 'a $(b)' -j DROP"
    assert sh_words('OUTPUT --comment "unbalanced') is None
    assert sh_words("OUTPUT\n-j DROP") is None


def _linux_vm(**files: Any) -> FakeSystem:
    return FakeSystem(files={"/sys/class/dmi/id/chassis_asset_tag": AZURE_TAG + "\n", **files})


def _commands(probe: FakeSystem, check_id: str) -> list[str]:
    diag = runner.run(ALL_CHECKS, probe, only=[check_id])
    return [s.command for r in diag.results for s in r.fix if s.command]


def _bash_accepts(command: str) -> bool:
    bash = shutil.which("bash")
    assert bash, "bash is needed"
    return subprocess.run([bash, "-n", "-c", command], capture_output=True).returncode == 0


@pytest.mark.parametrize("path", HOSTILE)
def test_prepost_fixes_keep_a_hostile_script_path_one_argument(path: str) -> None:
    config = json.dumps({"pluginName": "ScriptRunner", "preScriptLocation": path, "postScriptLocation": path,
                         "preScriptParams": [], "postScriptParams": [], "preScriptNoOfRetries": 0,
                         "postScriptNoOfRetries": 0, "timeoutInSeconds": 30, "continueBackupOnFailure": True,
                         "fsFreezeEnabled": True})
    probe = _linux_vm(**{"/etc/azure/VMSnapshotScriptPluginConfig.json": FakeFile(config, mode=0o644, uid=1000),
                         path: FakeFile("#!/bin/sh\n", mode=0o777, uid=1000)})
    commands = _commands(probe, "ext.prepost")
    with_path = [c for c in commands if path in c or sh(path) in c]
    assert with_path, commands
    for command in with_path:
        assert _bash_accepts(command), command
        for part in command.split(" && "):
            words = shlex.split(part)
            if words[:2] == ["sudo", "chmod"] or words[:2] == ["sudo", "chown"]:
                assert words[-1] in (path, "/etc/azure/VMSnapshotScriptPluginConfig.json"), words


@pytest.mark.parametrize("no_proxy", ["10.0.0.1", "$(reboot),10.0.0.1", "a;reboot,`id`", "x' y,\"z\""])
def test_proxy_dropin_fix_survives_a_hostile_no_proxy(no_proxy: str) -> None:
    dropin = "/etc/systemd/system/walinuxagent.service.d"
    conf = f'[Service]\nEnvironment="http_proxy=http://10.0.0.5:3128" "no_proxy={no_proxy}"\n'
    probe = _linux_vm(**{f"{dropin}/http-proxy.conf": conf})
    probe.services["walinuxagent"] = {"state": "running", "start_type": "automatic", "enabled": "enabled"}
    commands = _commands(probe, "net.proxy")
    dropin_fix = [c for c in commands if "zz-no-proxy.conf" in c]
    assert dropin_fix, commands
    for command in commands:
        assert _bash_accepts(command), command
    printf = shlex.split(dropin_fix[0].split(" | ")[0].split(" && ", 1)[1])
    assert printf[:3] == ["printf", "%s\\n", "[Service]"] and len(printf) == 4
    assert printf[3].startswith('Environment="no_proxy=') and "168.63.129.16" in printf[3]
    for bad in ("$(reboot)", "`id`", ";reboot"):
        assert bad not in printf[3]
