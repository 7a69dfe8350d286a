"""One answer, computed once: for every shipped scenario the terminal view, the wizard, the HTML report and
the JSON document name the same causes in the same order, and the diagram paints in-guest failures on the
guest. The presenters render `build_answer`'s result; these tests read what each of them actually shows."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.i18n import Translator
from wizard.jsonio import dumps
from wizard.launch import finish, resolve_scenario
from wizard.model import Component, Status
from wizard.paths import resource
from wizard.present import build_answer
from wizard.present.diagram_state import failure_component
from wizard.present.terminal import TerminalView
from wizard.probes.scenario import ReplayProbe
from wizard.report import render_report

SCENARIOS = sorted(p.stem for p in resource("scenarios").glob("*.json"))


def diagnosis(name: str):  # type: ignore[no-untyped-def]
    path = resolve_scenario(name)
    return finish(runner.run(ALL_CHECKS, ReplayProbe.load(path)), {"kind": "scenario", "path": str(path)}, None)


def terminal_titles(name: str, lang: str) -> list[str]:
    out = io.StringIO()
    answer = build_answer(diagnosis(name), lang)
    TerminalView(Translator(lang), out, colour=False, width=100).report(answer)
    titles = {f.title: f.id for f in answer.findings.values()}
    shown = []
    for line in out.getvalue().splitlines():
        found = re.match(r"^\S+ \S+  (.+)$", line)
        if found and found.group(1).strip() in titles:
            shown.append(titles[found.group(1).strip()])
    return shown


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_terminal_report_and_json_name_the_same_causes_in_the_same_order(name: str, lang: str) -> None:
    diag = diagnosis(name)
    answer = build_answer(diag, lang)
    causes = [c.cause.id for c in answer.causes]
    assert terminal_titles(name, lang) == causes
    doc = json.loads(dumps(diag, lang))
    assert [c["id"] for c in doc["answer"]["causes"]] == causes
    assert doc["answer"]["verdict"] == answer.verdict
    html = render_report(diag, lang)
    cards = re.findall(r'<article class="card finding status-\w+" id="check-([\w.]+)"', html)
    assert cards[: len(causes)] == causes
    consequences = re.findall(r'<section class="consequence status-\w+" id="check-([\w.]+)"', html)
    assert consequences == [f.id for c in answer.causes for f in c.consequences]
    assert answer.verdict in html


def test_the_firewall_is_the_cause_and_the_wire_server_checks_follow_from_it() -> None:
    answer = build_answer(diagnosis("linux-firewall-drops-wireserver"), "en")
    assert [c.cause.id for c in answer.causes] == ["net.firewall"]
    assert [f.id for f in answer.causes[0].consequences] == [
        "net.wireserver_port80", "net.wireserver_port32526", "net.wireserver_versions", "net.hostplugin_health"]
    assert answer.verdict.startswith("1 problem found")
    assert all(f.because for f in answer.causes[0].consequences)


# -- the diagram tells the truth ----------------------------------------------------------------------------

COMPONENTS = {
    "env.azure": Component.GUEST, "env.elevation": Component.GUEST, "env.guest_proxy_agent": Component.AGENT,
    "net.wireserver_port80": Component.WIRESERVER, "net.wireserver_port32526": Component.WIRESERVER,
    "net.wireserver_versions": Component.WIRESERVER, "net.hostplugin_health": Component.WIRESERVER,
    "net.imds": Component.NETWORK_PATH, "net.proxy": Component.NETWORK_PATH, "net.firewall": Component.NETWORK_PATH,
    "net.dhcp": Component.NETWORK_PATH, "agent.installed": Component.AGENT, "agent.service": Component.AGENT,
    "agent.version": Component.AGENT, "agent.config": Component.AGENT, "agent.log": Component.AGENT,
    "agent.python": Component.AGENT, "ext.backup": Component.EXTENSION, "ext.others": Component.EXTENSION,
    "ext.prepost": Component.EXTENSION, "res.cpu": Component.GUEST, "res.memory": Component.GUEST,
    "res.disk": Component.GUEST, "res.vss": Component.GUEST, "res.mounts": Component.GUEST,
    "res.disk_layout": Component.GUEST,
    # issue 17: VM assist's agent-health checks, all about what keeps the agent working
    **{cid: Component.AGENT for cid in ("guest.keyiso", "guest.wmi", "guest.crp_cert", "guest.machinekeys",
                                        "guest.folder_acl", "guest.modules", "guest.wcf_debug", "guest.crashes",
                                        "guest.tls", "guest.unit", "guest.agent_python", "guest.agent_package")},
}


def test_every_check_lives_where_its_failure_lives() -> None:
    assert {c.id: c.component for c in ALL_CHECKS} == COMPONENTS


@pytest.mark.parametrize("name", ["windows-vss-writer-failed-ja", "linux-fsfreeze-failed", "high-cpu"])
def test_an_in_guest_failure_is_drawn_on_the_guest_never_on_the_host(name: str) -> None:
    answer = build_answer(diagnosis(name), "en")
    guest_side = (Component.GUEST, Component.AGENT, Component.EXTENSION, Component.NETWORK_PATH)
    assert answer.diagram.statuses[Component.SNAPSHOT] is None
    assert answer.diagram.statuses[Component.GUEST] is Status.PROBLEM
    assert not answer.diagram.broken - {c for c in guest_side}
    svg_desc = answer.diagram.description
    assert "Snapshot on the host: Not checked (Azure side)." in svg_desc


def test_the_host_is_painted_only_on_the_platforms_own_evidence() -> None:
    from dataclasses import replace

    diag = diagnosis("linux-fsfreeze-failed")
    ext = diag.result("ext.backup")
    assert ext is not None
    for code, painted in (("500", True), ("503", True), ("200", False), ("555", False), ("", False)):
        evidence = {**ext.evidence, "inner_report": {**(ext.evidence.get("inner_report") or {}),
                                                      "host_status_code_do_snapshot": code}}
        changed = replace(diag, results=[replace(r, evidence=evidence) if r.id == "ext.backup" else r
                                         for r in diag.results])
        statuses = build_answer(changed, "en").diagram.statuses
        assert (statuses[Component.SNAPSHOT] is Status.PROBLEM) is painted, code


def test_unreached_wire_server_is_drawn_on_the_path() -> None:
    diag = diagnosis("linux-firewall-drops-wireserver")
    for r in diag.results:
        if r.id.startswith("net.wireserver") or r.id == "net.hostplugin_health":
            assert failure_component(r) is Component.NETWORK_PATH, r.id
    answer = build_answer(diag, "en")
    assert answer.diagram.statuses[Component.WIRESERVER] is Status.NOT_CHECKED
    assert Component.WIRESERVER in answer.diagram.broken


def test_a_wire_server_that_accepted_but_did_not_answer_is_not_drawn_as_unreached() -> None:
    from wizard import runner
    from wizard.probes.fake import FakeSystem

    health = "http://168.63.129.16:32526/health"
    silent = runner.run_check("net.hostplugin_health", FakeSystem(http={health: "silent"}).on_azure())
    dropped = runner.run_check("net.hostplugin_health", FakeSystem(http={health: "timeout"}).on_azure())
    assert silent.status is dropped.status is Status.PROBLEM
    assert failure_component(silent) is Component.WIRESERVER  # the connection got there; the far side is slow
    assert failure_component(dropped) is Component.NETWORK_PATH


# -- one screen, masked when asked -----------------------------------------------------------------------------

FAILING = [n for n in SCENARIOS if not n.startswith("healthy")]


@pytest.mark.parametrize("name", FAILING)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_terminal_view_fits_one_screen(name: str, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    main(["--cli", "--lang", lang, "--scenario", name, "--error-code", "UserErrorGuestAgentStatusUnavailable",
          "--phase", "take_snapshot"])
    out = capsys.readouterr().out
    from wizard.present.linebreak import display_width

    lines = out.splitlines()
    rows = sum(max(1, -(-display_width(line) // 100)) for line in lines)  # a command wider than 100 takes two
    assert rows <= 40, f"{rows} rows"
    commands = {line.strip() for f in build_answer(diagnosis(name), lang).findings.values() for s in f.steps
                for line in (s.command or "").splitlines()}  # a command of several lines is copied line by line
    long = [line for line in lines if display_width(line) > 100 and line.strip() not in commands]
    assert long == [], "only a command to copy may be wider than the screen"


def test_verbose_shows_every_result(capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    main(["--cli", "--lang", "en", "--scenario", "linux-firewall-drops-wireserver", "--verbose"])
    out = capsys.readouterr().out
    for check in ALL_CHECKS:
        if "linux" in check.platforms:
            assert Translator("en")(check.title) in out, check.id


def test_redact_masks_the_screen_too(capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    main(["--cli", "--lang", "ja", "--scenario", "windows-agent-stopped", "--redact", "--verbose"])
    out = capsys.readouterr().out
    assert "vm-win01" not in out and "Summary" not in out[:0]
    main(["--cli", "--lang", "ja", "--scenario", "windows-agent-stopped", "--verbose"])
    assert "vm-win01" in capsys.readouterr().out


def _all_steps() -> list[Any]:
    from wizard.knowledge.errorcodes import CATALOGUE

    steps = [s for e in CATALOGUE for s in e.steps]
    for name in SCENARIOS:
        for r in diagnosis(name).results:
            steps.extend(r.fix)
    return steps


def test_linux_commands_are_valid_shell() -> None:
    import shutil
    import subprocess

    from wizard.present.steps import shell_of

    bash = shutil.which("bash")
    assert bash
    checked = 0
    for step in _all_steps():
        if step.command and shell_of(step, step.platform or "linux") == "sh" and step.platform != "windows":
            command = re.sub(r"<([a-z][a-z ]*)>", "PLACEHOLDER", step.command)  # like <script>, <mount point>
            result = subprocess.run([bash, "-n", "-c", command], capture_output=True, text=True)
            assert result.returncode == 0, (step.command, result.stderr)
            checked += 1
    assert checked > 15


def test_windows_commands_follow_the_rules_of_their_shell() -> None:
    from wizard.present.steps import shell_of

    checked = 0
    for step in _all_steps():
        if not step.command or step.platform == "linux":
            continue
        shell = shell_of(step, "windows")
        if step.platform != "windows" and shell == "sh":
            continue
        command = step.command
        if shell == "powershell":
            assert "&&" not in command and "||" not in command, command  # Windows PowerShell 5.1 has neither
            assert not re.search(r"(^|[;|]\s*)sc\s", command), command  # `sc` is Set-Content in PowerShell
            assert not re.search(r"%\w+%", command), command
        elif shell == "cmd":
            assert "$_" not in command and not re.search(r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b", command), command
        else:
            pytest.fail(f"no shell for a Windows command: {command}")
        checked += 1
    assert checked > 15


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_sudo_is_shown_to_root(name: str) -> None:
    diag = diagnosis(name)
    answer = build_answer(diag, "en")
    commands = [s.command for f in answer.findings.values() for s in f.steps if s.command]
    if diag.host.is_admin:
        assert not any(re.search(r"(^|&&|;|\|)\s*sudo\s", c) for c in commands), commands
    if diag.host.os == "linux":
        assert not any(s.shell in ("powershell", "cmd") for f in answer.findings.values() for s in f.steps)


def test_a_not_azure_machine_is_told_so() -> None:
    answer = build_answer(diagnosis("not-azure"), "en")
    assert answer.verdict.startswith("This is not an Azure VM, so Azure VM Backup does not apply here.")
    assert "No blocking problem" not in answer.verdict


def test_no_needs_root_is_said_to_root(tmp_path: Path) -> None:
    for name in SCENARIOS:
        diag = diagnosis(name)
        if not diag.host.is_admin:
            continue
        answer = build_answer(diag, "en")
        for f in answer.findings.values():
            assert "needs root" not in f.summary and "can only be read by root" not in f.summary, (name, f.id)


@pytest.mark.parametrize("name", ["linux-firewall-drops-wireserver", "windows-vss-writer-failed-ja", "not-azure"])
def test_japanese_sentences_follow_each_other_without_a_space(name: str) -> None:
    answer = build_answer(diagnosis(name), "ja")
    english = build_answer(diagnosis(name), "en")
    for text in (answer.verdict, answer.diagram.description):
        assert "。 " not in text, text
    for text in (english.verdict, english.diagram.description):
        assert ".." not in text and not re.search(r"\.[A-Z]", text), text  # English keeps its space
    assert Translator.sentences(["一つ目。", "二つ目。", "", "Third."]) == "一つ目。二つ目。Third."
    assert Translator.sentences(["One.", "Two."]) == "One. Two."
def test_the_summary_counts_read_as_each_language_counts() -> None:
    diag = diagnosis("linux-firewall-drops-wireserver")
    ja = build_answer(diag, "ja").summary_line
    en = build_answer(diag, "en").summary_line
    assert re.fullmatch(r"概要: 問題 \d+ 件、情報 \d+ 件、OK \d+ 件 \(\d+\.\d 秒で完了\)", ja), ja
    assert re.fullmatch(r"Summary: Problem: \d+, Info: \d+, OK: \d+ - finished in \d+\.\d s", en), en
