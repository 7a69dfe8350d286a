"""What a support engineer needs from the report (issue 16): case note, status timeline, log excerpts and
scope in every failing scenario; the two masking levels; the case fields and their checks; `--compare` on
pairs of shipped scenarios; and the report re-rendered from its own embedded JSON."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from html import unescape
from pathlib import Path

import pytest
from report_data import LANGS, SCENARIOS, scenario, with_case

from wizard.cli import main
from wizard.jsonio import diagnosis_from_json
from wizard.knowledge.symptom import build_symptom
from wizard.model import Diagnosis
from wizard.parsers.excerpts import MAX_BYTES, MAX_LINE_CHARS, MAX_WINDOWS, log_excerpt
from wizard.present import build_answer
from wizard.present.compare import compare, embedded_json_text, load_diagnosis
from wizard.present.support import case_problems, parse_job_start
from wizard.redact.identifiers import redact_all, redact_diagnosis
from wizard.report import render_report

FAILING = [n for n in SCENARIOS if build_answer(scenario(n), "en").causes]
LINUX_FAILING = [n for n in FAILING if scenario(n).host.os == "linux"]


def _section(html: str, section_id: str) -> str:
    """The text of one section of the page, entities decoded."""
    start = html.index(f'id="{section_id}"')
    return unescape(html[start:html.index("</section>", start)])


def test_there_are_failing_scenarios_of_both_systems() -> None:
    assert {scenario(n).host.os for n in FAILING} == {"linux", "windows"}, FAILING


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", FAILING)
def test_every_failing_scenario_has_case_note_timeline_excerpts_and_scope(name: str, lang: str) -> None:
    diag = with_case(scenario(name))
    answer = build_answer(diag, lang)
    sv = answer.support
    assert sv is not None
    html = render_report(diag, lang)
    # the case note names the first cause and the fix given for it
    verdict = _section(html, "verdict")
    first = answer.causes[0].cause
    assert first.title in sv.case_notes[0] and first.title in verdict
    assert ("Cause:" if lang == "en" else "原因:") in verdict
    # the timeline: every status file the check read, with its age (or why there is none)
    engineer = _section(html, "support-case")
    backup = diag.result("ext.backup")
    read = backup.evidence.get("status_files") if backup is not None else None
    assert sv.timeline_note in engineer
    assert bool(sv.timeline) == bool(read), name
    for row in sv.timeline:
        assert row.age and row.timestamp in engineer
    # excerpts: the agent log's last lines, as the check read them (or a plain "no log was read")
    log = diag.result("agent.log")
    logs = [ex for ex in sv.excerpts if ex.kind == "log"]
    if log is not None and "log_excerpt" in log.evidence:
        assert logs and all(ex.tail for ex in logs)
        assert 'class="excerpt"' in html and logs[0].tail[-1] in engineer
    else:
        assert not sv.excerpts and ("No log was read" if lang == "en" else "ログを読み取っていない") in engineer
    # on Windows, the VSS and volsnap event log entries res.vss read, collapsed like the logs
    vss = diag.result("res.vss")
    events = [ex for ex in sv.excerpts if ex.kind == "events" and ex.check_id == "res.vss"]
    assert bool(events) == (vss is not None and "events" in vss.evidence), name
    for ex in events:
        assert ex.path in engineer and ex.read_label in engineer
        assert all(heading in engineer and gloss in engineer for heading, _, _, gloss in ex.blocks)
    # scope: what ran, what did not and why, what to check in Azure
    scope = _section(html, "scope")
    assert sv.scope.statement in scope
    assert len(sv.scope.still_check) == 5 and all(x in scope for x in sv.scope.still_check)
    assert sv.scope.not_run, "each OS skips the other OS's checks"


@pytest.mark.parametrize("name", [n for n in LINUX_FAILING if scenario(n).host.is_azure])
def test_linux_excerpts_come_from_what_the_checks_read(name: str) -> None:
    diag = scenario(name)
    log = diag.result("agent.log")
    assert log is not None
    excerpt = log.evidence["log_excerpt"]
    assert excerpt["path"] == "/var/log/waagent.log" and excerpt["lines_read"] > 0
    assert {ex.path for ex in build_answer(diag, "en").support.excerpts} >= {"/var/log/waagent.log"}  # type: ignore[union-attr]


def test_a_years_old_success_is_flagged_while_backups_fail() -> None:
    """healthy-linux's status says succeeded in 2019 (the UX review's P9): with an error code given it is stale."""
    diag = scenario("healthy-linux")
    plain = build_answer(diag, "en").support
    assert plain is not None and any("Stale" in f for f in plain.timeline[0].flags)
    diag.symptom = build_symptom("UserErrorGuestAgentStatusUnavailable", "take_snapshot")
    diag.case = {"job_start": "2026-11-30 01:00 +09:00"}
    sv = build_answer(diag, "en").support
    assert sv is not None
    flags = " ".join(sv.timeline[0].flags)
    assert "says succeeded" in flags and "before the failed job started" in flags
    assert "Inconsistent" in flags  # the time inside (2019) and the file time (2025) disagree
    assert sv.timeline[0].against_job.endswith("days before")


def test_a_fresh_status_is_not_flagged() -> None:
    diag = scenario("healthy-linux")
    r = diag.result("ext.backup")
    assert r is not None
    now = diag.started_at.astimezone(dt.UTC)
    stamp = (now - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r.evidence["status_files"][0].update(timestamp=stamp, file_time=stamp)
    sv = build_answer(diag, "en").support
    assert sv is not None and sv.timeline[0].flags == () and sv.timeline[0].age == "3 hours before"


# --- excerpts are bounded and filtered ---------------------------------------------------------


def test_excerpt_bounds_on_a_hostile_log() -> None:
    lines = [f"2026-01-01T00:00:{i % 60:02d}Z ERROR failed {'x' * 5000}" if i % 3 == 0 else f"ok {i}"
             for i in range(20_000)]
    ex = log_excerpt("\n".join(lines), "/var/log/waagent.log")
    shown = [line for b in ex["around"] for line in b["lines"]] + ex["tail"]["lines"]
    assert len(ex["around"]) <= MAX_WINDOWS and ex["cut"]
    assert sum(len(x.encode()) + 1 for x in shown) <= MAX_BYTES
    assert all(len(x) <= MAX_LINE_CHARS + len(" [...]") for x in shown)
    assert ex["lines_read"] == 20_000 and ex["tail"]["lines"][-1] == "ok 19999"


def test_excerpt_windows_surround_each_error_and_control_characters_are_replaced() -> None:
    text = "\n".join([*(f"line {i}" for i in range(40)), "boom: connection refused\x1b[31m", *(f"after {i}"
                                                                                        for i in range(40))])
    ex = log_excerpt(text, "x.log")
    assert ex["around"] == [{"line": 39, "lines": ["line 38", "line 39", "boom: connection refused\ufffd[31m",
                                                   "after 0", "after 1"]}]
    assert ex["errors_seen"] == 1 and not ex["cut"]


def test_excerpt_cuts_secrets_on_every_line() -> None:
    sas = "https://acct.blob.core.windows.net/c/b?sv=2020-08-04&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2BabcdEf%3D"
    ex = log_excerpt(f"ERROR upload failed {sas}\nlast", "x.log")
    assert "AbCdEfGhIjKlMnOp" not in json.dumps(ex)


# --- case fields -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "utc"), [
    ("2026-12-04 09:00 +09:00", "2026-12-04T00:00:00+00:00"),
    ("2026-12-04T09:00+0900", "2026-12-04T00:00:00+00:00"),
    ("2026-12-04 00:00 UTC", "2026-12-04T00:00:00+00:00"),
    ("2026-12-04T00:00Z", "2026-12-04T00:00:00+00:00"),
    ("2026-12-04 09:00 JST", "2026-12-04T00:00:00+00:00"),
])
def test_job_start_with_a_time_zone(text: str, utc: str) -> None:
    when = parse_job_start(text)
    assert when is not None and when.astimezone(dt.UTC).isoformat() == utc


@pytest.mark.parametrize("text", ["2026-12-04 09:00", "yesterday", "", "2026-13-40 09:00 +09:00", "x" * 500])
def test_job_start_without_a_time_zone_or_unreadable_is_refused(text: str) -> None:
    assert parse_job_start(text) is None


def test_case_problems_name_each_bad_field_and_a_code_of_another_phase() -> None:
    symptom = build_symptom("UserErrorFsFreezeFailed", "transfer_to_vault")
    found = case_problems({"vault": "1bad_name", "policy": "gold", "job_start": "noon",
                           "activity_id": "not-a-guid"}, symptom)
    assert [f for f, _, _ in found] == ["vault", "policy", "job_start", "activity_id", "error_code"]
    good = case_problems({"vault": "rsv-prod-01", "policy": "enhanced", "job_start": "2026-12-04 09:00 +09:00",
                          "activity_id": "3f2b8c1e-9d4a-4b7e-8f21-6c5d0a9e7b13"},
                         build_symptom("UserErrorFsFreezeFailed", "take_snapshot"))
    assert good == []


def test_cli_refuses_a_job_start_without_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--scenario", "healthy-linux", "--job-start", "2026-12-04 09:00"]) == 3
    assert "time zone" in capsys.readouterr().err


def test_cli_case_fields_reach_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    rc = main(["--cli", "--lang", "en", "--scenario", "linux-fsfreeze-failed", "--vault", "rsv-prod-01",
               "--policy", "enhanced", "--job-start", "2026-11-25 09:47 +00:00", "--activity-id", "abc",
               "--error-code", "UserErrorFsFreezeFailed", "--phase", "transfer_to_vault", "--report", str(out)])
    assert rc == 2
    html = out.read_text(encoding="utf-8")
    engineer = _section(html, "support-case")
    assert "rsv-prod-01" in engineer and "Enhanced" in engineer and "2026-11-25 09:47 +00:00" in engineer
    assert "does not look like one" in engineer and "belongs to the Take Snapshot" in engineer


# --- masking levels ------------------------------------------------------------------------------

SUB = "8e037ad4-618f-4466-8bc8-5099d41ac15b"
VMID = "86f4ae0a-61f8-48ae-9199-40f402d56864"


def _identified() -> Diagnosis:
    diag = scenario("linux-firewall-drops-wireserver")
    imds = diag.host.imds
    imds.update(subscription_id=SUB, vm_id=VMID, name="vm-app01", resource_group="rg-prod-01",
                resource_id=f"/subscriptions/{SUB}/resourceGroups/rg-prod-01/providers/Microsoft.Compute/"
                            "virtualMachines/vm-app01")
    diag.host.hostname = "build-host-7"
    r = diag.result("agent.log")
    assert r is not None
    r.evidence["log_excerpt"]["tail"]["lines"].append(
        "ERROR /home/alice/run.sh on build-host-7 from 10.20.30.40 (vmId " + VMID + ")")
    return diag


def test_support_level_keeps_azure_ids_and_masks_personal_data() -> None:
    masked = redact_diagnosis(_identified(), "support")
    text = json.dumps(masked.to_dict())
    for kept in (SUB, VMID, "rg-prod-01", "vm-app01", "/virtualMachines/vm-app01"):
        assert kept in text, kept
    for gone in ("build-host-7", "alice", "10.20.30.40"):
        assert gone not in text, gone
    assert masked.source["masking"] == "support"
    html = render_report(masked, "en")
    assert "Masking: for Microsoft support" in html and SUB in html


def test_public_level_pseudonymises_every_identifier() -> None:
    masked = redact_diagnosis(_identified(), "public")
    text = json.dumps(masked.to_dict())
    for gone in (SUB, VMID, "rg-prod-01", "vm-app01", "build-host-7", "alice", "10.20.30.40"):
        assert gone not in text, gone
    assert re.search(r"\bsub-1\b", text) and re.search(r"\bvmid-1\b", text)
    assert "Masking: for sharing publicly" in render_report(masked, "en")


def test_identity_mismatch_survives_both_masking_levels() -> None:
    diag = scenario("windows-vss-writer-failed-ja")
    for level in ("support", "public"):
        sv = build_answer(redact_diagnosis(diag, level), "en").support
        assert sv is not None
        assert any("differs from the name in the resource ID" in x for x in sv.identity), level
        assert any("image SKU is 2019-Datacenter" in x for x in sv.identity), level


def test_a_consistent_identity_is_not_flagged() -> None:
    sv = build_answer(_identified(), "en").support
    assert sv is not None and sv.identity == ()


# --- before and after ------------------------------------------------------------------------------


def test_compare_firewall_then_healthy_shows_the_cause_fixed() -> None:
    c = compare(scenario("linux-firewall-drops-wireserver"), scenario("healthy-linux"), "en")
    assert [r.id for r in c.of("fixed")] == ["net.firewall"]
    assert c.counts["remaining"] == c.counts["new"] == 0
    assert {r.id for r in c.of("changed")} >= {"net.wireserver_port80", "net.hostplugin_health"}
    assert c.headline.startswith("The fix worked")
    fixed = c.of("fixed")[0]
    assert (fixed.before_status, fixed.after_status) == ("problem", "ok") and fixed.changed_evidence


def test_compare_the_other_way_shows_a_new_cause() -> None:
    c = compare(scenario("healthy-linux"), scenario("linux-firewall-drops-wireserver"), "ja")
    assert [r.id for r in c.of("new")] == ["net.firewall"] and c.headline.startswith("まだ解決していません")


def test_compare_a_diagnosis_with_itself_leaves_every_cause_remaining() -> None:
    diag = scenario("windows-vss-writer-failed-ja")
    c = compare(diag, copy.deepcopy(diag), "en")
    assert [r.id for r in c.of("remaining")] == build_answer(diag, "en").cause_ids
    assert c.counts["fixed"] == c.counts["new"] == c.counts["changed"] == 0


def test_compare_of_different_machines_warns() -> None:
    c = compare(scenario("linux-firewall-drops-wireserver"), scenario("windows-agent-stopped"), "en")
    assert any("different machines" in w for w in c.warnings)


def test_a_cause_that_could_not_be_looked_at_again_is_not_called_fixed() -> None:
    before, after = scenario("linux-firewall-drops-wireserver"), scenario("linux-not-root")
    c = compare(before, after, "en")
    assert "net.firewall" not in {r.id for r in c.of("fixed")}
    assert "net.firewall" in {r.id for r in c.of("not_checked_again")}


def test_compare_masks_both_with_one_table() -> None:
    before, after = redact_all([scenario("linux-firewall-drops-wireserver"), scenario("healthy-linux")], "public")
    assert before.host.hostname == after.host.hostname and before.host.hostname.startswith("host-")


def test_cli_compare_terminal_json_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.html"
    assert main(["--cli", "--scenario", "linux-firewall-drops-wireserver", "--json", str(before)]) == 2
    assert main(["--cli", "--scenario", "healthy-linux", "--report", str(after)]) == 0  # a report works as input
    capsys.readouterr()
    out_json, out_html = tmp_path / "cmp.json", tmp_path / "cmp.html"
    assert main(["--compare", str(before), str(after), "--lang", "en", "--json", str(out_json),
                 "--report", str(out_html)]) == 0
    screen = capsys.readouterr().out
    assert "The fix worked" in screen and "net.firewall" in screen
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["kind"] == "comparison" and doc["counts"]["fixed"] == 1
    assert [c["id"] for c in doc["checks"] if c["kind"] == "fixed"] == ["net.firewall"]
    page = out_html.read_text(encoding="utf-8")
    assert 'id="compare-fixed"' in page and "<script>" not in page
    assert main(["--compare", str(after), str(before)]) == 2  # a cause is new: not fixed


def test_cli_compare_refuses_a_file_that_is_no_diagnosis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.html"
    junk.write_text("<html>nothing</html>", encoding="utf-8")
    assert main(["--compare", str(junk), str(junk)]) == 3
    assert "embedded diagnosis" in capsys.readouterr().err


# --- the embedded JSON is the single source ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_report_re_renders_identically_from_its_embedded_json(name: str, lang: str, tmp_path: Path) -> None:
    diag = with_case(scenario(name))
    diag.case.update(vault="rsv-prod-01", policy="standard", job_start="2026-11-30 01:00 +09:00")
    html = render_report(diag, lang)
    text = embedded_json_text(html)
    assert text is not None
    again = render_report(diagnosis_from_json(json.loads(text)), lang)
    assert again == html
    page = tmp_path / "r.html"
    page.write_text(html, encoding="utf-8")
    assert render_report(load_diagnosis(str(page)), lang) == html


def test_a_fix_command_of_several_lines_is_one_pasteable_line_in_the_case_note() -> None:
    """The event-log step's command is two Get-WinEvent lines; glued with a space they read as one wrong
    command, so the note joins them with "; " (one line that runs in PowerShell and sh alike)."""
    answer = build_answer(scenario("windows-volsnap-timeouts"), "en")
    (note,) = answer.support.case_notes
    assert "Id, Message; Get-WinEvent -FilterHashtable @{ LogName = 'System'" in note.replace("...", "")
    assert "Message Get-WinEvent" not in note
