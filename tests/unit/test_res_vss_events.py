"""res.vss and the Windows event log entries it reads (VSS in Application, volsnap in System)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from secret_corpus import leaked, secrets

from wizard import runner
from wizard.checks import res
from wizard.checks.facts import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND
from wizard.checks.registry import ALL_CHECKS
from wizard.checks.res import vss_events
from wizard.jsonio import dumps
from wizard.model import CheckResult, Msg, Status
from wizard.present import build_answer
from wizard.probes.fake import FakeSystem
from wizard.report.render import render_report

DATA = Path(__file__).resolve().parents[1] / "data" / "windows"
GiB = 1024**3
WRITER_CODE = "ExtensionFailedVssWriterInBadState"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def windows_vm(events: str | dict[str, Any] | None, vssadmin: str | None = None, **kw: Any) -> FakeSystem:
    kw.setdefault("disks", {"C:\\": (127 * GiB, 80 * GiB)})
    kw.setdefault("services", {"VSS": {"state": "stopped", "start_type": "manual"},
                               "COMSysApp": {"state": "stopped", "start_type": "manual"},
                               "MSDTC": {"state": "running", "start_type": "automatic"}})
    fake = FakeSystem(system="windows", user="Administrator", **kw)
    fake.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
    fake.commands[tuple(res.VSSADMIN_ARGV)] = vssadmin or read("vssadmin_list_writers_ja_healthy.txt")
    if events is not None:
        fake.commands[tuple(vss_events.EVENTS_ARGV)] = events
    return fake


def run(probe: Any) -> CheckResult:
    d = runner.run(ALL_CHECKS, probe, only=["res.vss"])
    (r,) = d.results
    return r


def one_event(provider: str, event_id: int, level: int = 2, message: str = "m") -> str:
    log = "System" if provider == "volsnap" else "Application"
    return json.dumps({"now": "2026-11-25T09:50:04Z", "queries": [
        {"Log": log, "Provider": provider, "Errors": [],
         "Events": [{"Id": event_id, "Level": level, "Time": "2026-11-25T09:46:58Z", "Message": message,
                     "Params": ["0x80042314"]}]}]})


def test_no_event_logged_is_ok_and_says_so() -> None:
    r = run(windows_vm(read("events_ps_none.json")))
    assert r.status is Status.OK
    assert "no VSS or volume shadow copy error was logged in the last {days} days" in r.summary.id
    assert r.summary.params == {"count": 6, "days": 7}
    ev = r.evidence["events"]
    assert ev["read"] is True and ev["count"] == 0 and ev["event_excerpt"]["entries"] == []
    assert "not the localised message" in ev["matched_on"]


def test_the_query_runs_once_with_its_own_deadline_before_vssadmin() -> None:
    calls: list[dict[str, Any]] = []
    vm = windows_vm(read("events_ps_none.json"))

    class Recording:
        def call(self, probe: str, /, **args: Any) -> Any:
            if probe == "run":
                calls.append(args)
            return vm.call(probe, **args)

    run(Recording())
    argvs = [c["argv"] for c in calls]
    assert argvs.index(vss_events.EVENTS_ARGV) < argvs.index(res.VSSADMIN_ARGV)
    assert [c["timeout"] for c in calls if c["argv"] == vss_events.EVENTS_ARGV] == [vss_events.EVENTS_TIMEOUT_S]
    check = next(c for c in ALL_CHECKS if c.id == "res.vss")
    assert check.timeout_s >= vss_events.EVENTS_TIMEOUT_S + res.VSSADMIN_TIMEOUT_S


def test_volsnap_timeouts_with_stable_writers_are_a_warning_with_the_writer_code() -> None:
    r = run(windows_vm(read("events_ps_volsnap_en.json")))
    assert r.status is Status.WARNING
    assert r.summary.id.startswith("Windows logged {count} volume shadow copy errors")
    assert r.summary.params == {"count": 2, "days": 7, "events": ("volsnap 25", "volsnap 8")}  # 8193 alone is no error
    assert r.error_codes == [WRITER_CODE]
    assert r.why is not None and "too busy" in r.why.id
    commands = [s.command for s in r.fix if s.command]
    assert "vssadmin list shadowstorage" in commands
    assert any("ProviderName = 'volsnap'" in c for c in commands)
    assert r.evidence["events"]["kinds"] == ["io_timeout", "unexpected"]
    assert [e["id"] for e in r.evidence["events"]["events"]] == [25, 8, 8193]


def test_a_vss_com_failure_is_a_warning_with_the_service_codes() -> None:
    r = run(windows_vm(one_event("VSS", 34)))
    assert r.status is Status.WARNING
    assert r.error_codes == ["ExtensionFailedVssServiceInBadState", "ExtensionSnapshotFailedCOM"]
    assert any("EventSystem" in (s.command or "") for s in r.fix)


def test_unexpected_error_events_alone_are_only_info() -> None:
    r = run(windows_vm(read("events_ps_vss_ja.json")))
    assert r.status is Status.INFO
    assert r.error_codes == []
    assert r.summary.params["events"] == ("VSS 12289",)
    assert r.why is not None and "harmless" in r.why.id


def test_a_known_id_logged_only_as_a_warning_is_info() -> None:
    r = run(windows_vm(one_event("volsnap", 25, level=3)))
    assert r.status is Status.INFO and r.error_codes == []


def test_an_unknown_id_is_info_and_kept() -> None:
    r = run(windows_vm(one_event("VSS", 12298)))
    assert r.status is Status.INFO
    assert r.evidence["events"]["kinds"] == ["unknown"]
    (entry,) = r.evidence["events"]["event_excerpt"]["entries"]
    assert entry["id"] == 12298 and entry["gloss"] is None


def test_events_explain_a_failed_writer_without_repeating_its_steps() -> None:
    failed = read("vssadmin_list_writers_en_exchange_failed.txt")
    alone = run(windows_vm(read("events_ps_none.json"), vssadmin=failed))
    with_events = run(windows_vm(read("events_ps_vss_ja.json"), vssadmin=failed))
    assert with_events.status is Status.PROBLEM and with_events.summary == alone.summary
    assert with_events.fix == alone.fix and with_events.error_codes == alone.error_codes == [WRITER_CODE]
    assert [f["status"] for f in with_events.evidence["findings"]] == ["problem", "info"]
    assert with_events.evidence["events"]["event_excerpt"]["entries"][0]["id"] == 12289


def test_a_warning_event_and_a_failed_writer_keep_both_fixes_and_codes() -> None:
    failed = read("vssadmin_list_writers_en_exchange_failed.txt")
    r = run(windows_vm(read("events_ps_volsnap_en.json"), vssadmin=failed))
    assert r.status is Status.PROBLEM and r.error_codes == [WRITER_CODE]
    assert "vssadmin list shadowstorage" in [s.command for s in r.fix]


def test_events_are_read_without_elevation() -> None:
    r = run(windows_vm(read("events_ps_volsnap_en.json"), is_admin=False))
    assert r.status is Status.WARNING  # the writers could not be listed, the events still tell
    assert r.evidence["vssadmin"] == {"skipped": "not elevated"}


def test_events_that_cannot_be_read_leave_the_writers_verdict_alone() -> None:
    for events in (None, {"found": True, "timed_out": True, "stdout": "", "returncode": None},
                   "Get-WinEvent : The RPC server is unavailable", {"found": True, "stdout": "", "stderr": "boom"}):
        r = run(windows_vm(events))
        assert r.status is Status.OK, events
        assert r.summary.params == {"count": 6}  # the plain "writers are stable" sentence, no claim about events
        ev = r.evidence["events"]
        assert ev["read"] is False and ev["error"] and "event_excerpt" not in ev


def test_query_errors_are_kept_in_the_evidence() -> None:
    text = json.dumps({"queries": [{"Log": "System", "Provider": "volsnap", "Events": [],
                                    "Errors": ["There is not an event provider on the localhost computer that "
                                               "matches \"volsnap\"."]}]})
    r = run(windows_vm(text))
    assert r.evidence["events"]["queries"][0]["errors"][0].startswith("There is not an event provider")


def test_the_report_shows_the_entries_collapsed_with_the_gloss_in_english() -> None:
    d = runner.run(ALL_CHECKS, windows_vm(read("events_ps_volsnap_en.json")), only=["res.vss"])
    for lang in ("en", "ja"):
        sv = build_answer(d, lang).support
        assert sv is not None
        (ex,) = [x for x in sv.excerpts if x.kind == "events"]
        assert ex.read_label == ("events read: 3" if lang == "en" else "読み取ったイベント: 3 件")
        html = render_report(d, lang)
        start = html.index('<details class="excerpt">', html.index('id="excerpts-h"'))
        block = html[start:html.index("</details>", start)]
        assert "<details class=\"excerpt\">" in block and " open" not in block.split(">", 1)[0]  # collapsed
        assert "volsnap 25" in block and "could not grow in time" in block
        assert '<samp lang="en">Shadow copies were deleted because the shadow copy storage could not grow' in block


def test_secrets_in_event_messages_never_reach_the_outputs() -> None:
    forms = [f for s in secrets() for f in s.forms.get("free", ())]
    message = "\n".join(f"Volume Shadow Copy Service error: {f}" for f in forms)
    d = runner.run(ALL_CHECKS, windows_vm(one_event("volsnap", 25, message=message)), only=["res.vss"])
    (r,) = d.results
    assert r.evidence["events"]["event_excerpt"]["entries"], "the event is shown"
    for text in (dumps(d, "en"), dumps(d, "ja"), render_report(d, "en"), render_report(d, "ja")):
        assert not leaked(text), leaked(text)


def test_why_the_logs_were_not_read_is_said_in_the_readers_language() -> None:
    for events, english in ((None, "command not found"),
                            ({"found": True, "timed_out": True, "stdout": "", "returncode": None}, "no answer within")):
        d = runner.run(ALL_CHECKS, windows_vm(events), only=["res.vss"])
        notes = {}
        for lang in ("en", "ja"):
            sv = build_answer(d, lang).support
            assert sv is not None
            (ex,) = [x for x in sv.excerpts if x.kind == "events"]
            assert ex.blocks == () and ex.lines_read == 0
            notes[lang] = ex.note
        assert english in notes["en"] and english not in notes["ja"], notes
        assert notes["ja"].startswith("イベント ログを読み取れませんでした")


def test_the_terminal_shows_the_entries_with_verbose_and_no_control_character_of_the_message() -> None:
    import io

    from wizard.i18n import Translator
    from wizard.present.terminal import TerminalView

    message = "The shadow copies of volume C: were deleted\x1b[2J\x07 because the storage could not grow in time."
    d = runner.run(ALL_CHECKS, windows_vm(one_event("volsnap", 25, message=message)), only=["res.vss"])
    for lang, gloss_label in (("en", "What it means"), ("ja", "意味")):
        out = io.StringIO()
        TerminalView(Translator(lang), out, colour=False, width=100, verbose=True).report(build_answer(d, lang))
        text = " ".join(out.getvalue().split())  # lines are wrapped at 100 columns
        assert "· volsnap 25 ·" in text and "could not grow in time" in text
        assert gloss_label in text and "Shadow copies were deleted because the shadow copy storage" in text
        assert "\x1b" not in text and "\x07" not in text
        short = io.StringIO()
        TerminalView(Translator(lang), short, colour=False, width=100).report(build_answer(d, lang))
        assert "· volsnap 25 ·" not in short.getvalue()  # the screen stays short without --verbose


def test_the_event_list_in_the_summary_is_joined_in_the_readers_language() -> None:
    from wizard.i18n import Translator

    msg = Msg("{count} events: {events}", {"count": 2, "events": ("volsnap 25", "volsnap 8")})
    assert Translator("en").msg(msg).endswith("volsnap 25, volsnap 8")
    assert Translator("ja").msg(msg).endswith("volsnap 25、volsnap 8")


def test_a_failed_writer_sends_the_user_to_the_event_logs_only_when_the_wizard_could_not_read_them() -> None:
    from wizard.checks.res.vss import LOOK_IN_EVENT_LOGS

    failed = read("vssadmin_list_writers_ja_healthy.txt").replace("[1] 安定", "[8] 失敗しました", 1)
    read_them = run(windows_vm(read("events_ps_none.json"), vssadmin=failed))
    could_not = run(windows_vm(None, vssadmin=failed))  # no answer recorded: the logs were not read
    assert read_them.status is Status.PROBLEM and could_not.status is Status.PROBLEM
    assert LOOK_IN_EVENT_LOGS.text not in [s.text for s in read_them.fix]
    assert LOOK_IN_EVENT_LOGS.text in [s.text for s in could_not.fix]
