"""`res.vss` (Windows): the Volume Shadow Copy services, the VSS writers `vssadmin` lists, and the VSS and
volsnap entries of the Windows event logs (`wizard.checks.res.vss_events`), kept as an excerpt for the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wizard.checks.base import CheckContext, Finding, m, step
from wizard.checks.commands import cmd
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.res.common import (
    CODE_COM,
    CODE_COM_INSTALL,
    CODE_MSDTC,
    CODE_VSS_SERVICE,
    CODE_VSS_WRITER,
    VSSADMIN_ARGV,
    VSSADMIN_TIMEOUT_S,
    _combine,
    _excerpt,
    _Issue,
)
from wizard.checks.res.vss_events import events_issue, read_events
from wizard.knowledge import values
from wizard.model import FixStep, Msg, Status, listed
from wizard.parsers import vssadmin
from wizard.probes.base import is_unavailable

# -- res.vss --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _VssService:
    name: str
    display: str
    codes: tuple[str, ...]


VSS_SERVICES = (
    _VssService("VSS", "Volume Shadow Copy", (CODE_VSS_SERVICE,)),
    _VssService("COMSysApp", "COM+ System Application", (CODE_COM, CODE_COM_INSTALL)),
    _VssService("MSDTC", "Distributed Transaction Coordinator", (CODE_MSDTC,)),
)


def _service_issues(ctx: CheckContext) -> tuple[list[_Issue], dict[str, Any], list[str]]:
    issues: list[_Issue] = []
    evidence: dict[str, Any] = {}
    unknown: list[str] = []
    for svc in VSS_SERVICES:
        ans = ctx.call("service", name=svc.name)
        evidence[svc.name] = {"exists": ans.get("exists"), "state": ans.get("state"),
                              "start_type": ans.get("start_type"), "error": ans.get("error"),
                              "unavailable": is_unavailable(ans) or None}
        if is_unavailable(ans):
            unknown.append(svc.name)
            continue
        if not ans.get("exists"):
            issues.append(_Issue(
                Status.WARNING,
                m("The {display} service ({service}) was not found on this VM.", display=svc.display,
                  service=svc.name),
                why=m("The backup extension needs the {service} service during the Take Snapshot phase; without "
                      "it, the application-consistent snapshot fails.", service=svc.name),
                fix=[step("Check the Windows installation (for example with the System File Checker) and contact "
                          "support if the service stays missing.", command="sfc /scannow")],
                codes=list(svc.codes),
            ))
            continue
        if ans.get("start_type") == "disabled":
            issues.append(_Issue(
                Status.PROBLEM,
                m("The {display} service ({service}) is disabled.", display=svc.display, service=svc.name),
                why=m("The backup extension needs the {service} service during the Take Snapshot phase; while it "
                      "is disabled, the snapshot fails.", service=svc.name),
                fix=[step("Set the {service} service back to start on demand (Manual), in an elevated command "
                          "prompt.", command=f"sc config {cmd(svc.name)} start= demand", service=svc.name),
                     step("Start the {service} service and retry the backup.", command=f"net start {cmd(svc.name)}",
                          service=svc.name)],
                codes=list(svc.codes),
            ))
            continue
        if ans.get("state") in ("start_pending", "stop_pending"):
            issues.append(_Issue(
                Status.WARNING,
                m("The {display} service ({service}) is stuck in state {state}.", display=svc.display,
                  service=svc.name, state=str(ans.get("state"))),
                why=m("A service that hangs while starting or stopping cannot serve the backup extension in the "
                      "Take Snapshot phase."),
                fix=[step("Restart the VM at a scheduled downtime; restarting the service may also clear it.",
                          command=f"net stop {cmd(svc.name)} && net start {cmd(svc.name)}")],
                codes=list(svc.codes),
            ))
    return issues, evidence, unknown


def _writers_fix() -> list[FixStep]:
    return [
        step("Check free disk space, memory and CPU use (see the other results of this report): VSS writers often "
             "fail when resources are short."),
        step("In an elevated command prompt, list the writers and note every one that is not [1] Stable or reports "
             "an error.", command="vssadmin list writers"),
        step("Restart the service behind each such writer (restarting services can affect production, so do it in a "
             "maintenance window), or restart the VM; then retry the backup.",
             command="net stop <service name> && net start <service name>"),
        step("If writers keep failing, let the backup extension take snapshots without extra threads.",
             command='REG ADD "HKLM\\SOFTWARE\\Microsoft\\BcdrAgentPersistentKeys" /v SnapshotWithoutThreads '
                     '/t REG_SZ /d True /f'),
        LOOK_IN_EVENT_LOGS,
    ]


# Only when the wizard could not read those logs itself (else their entries are in the evidence already).
LOOK_IN_EVENT_LOGS = step("Look in the System and Application event logs for \"The shadow copy provider timed out "
                          "while holding writes\"; if it is there, spread the disk load or move the backup to "
                          "off-peak hours.")


def _writer_issues(writers: list[dict[str, Any]]) -> list[_Issue]:
    kinds = {id(w): vssadmin.effective_state(w) for w in writers}
    failed = [w for w in writers if kinds[id(w)] == "failed"]
    erroring = [w for w in writers if kinds[id(w)] in ("stable", "waiting") and w["last_error_kind"] == "error"]
    waiting = [w for w in writers if kinds[id(w)] == "waiting" and w not in erroring]
    # [5] WAITING_FOR_BACKUP_COMPLETE with no error is commonly left behind after a backup and is not a
    # failure by itself (facts §9.2); a writer waiting at an earlier step (2-4) holds the next snapshot up.
    left_over = [w for w in waiting if w["state"] == 5 and w["last_error_kind"] in ("none", "missing")
                 and vssadmin.state_label_kind(w["state_text"]) != "failed"]
    waiting = [w for w in waiting if w not in left_over]
    unknown = [w for w in writers if kinds[id(w)] == "stable" and w["last_error_kind"] == "unknown"]
    why = m("In the Take Snapshot phase the backup extension asks every VSS writer for an application-consistent "
            "snapshot; a writer that failed or reports an error makes the snapshot fail.")
    issues: list[_Issue] = []
    bad = failed + erroring
    if len(bad) == 1:
        w = bad[0]
        if w["state_disagrees"]:
            summary = m("The VSS writer '{writer}' reports state number [{state}] but the state label \"{label}\", "
                        "with last error: {last_error}. The two disagree, so the writer is not taken as stable.",
                        writer=w["name"], state=w["state"], label=w["state_text"] or "?",
                        last_error=w["last_error"] or "?")
        else:
            summary = m("The VSS writer '{writer}' is in state [{state}] {state_name} with last error: {last_error}",
                        writer=w["name"], state=w["state"], state_name=values.vss_state(w["state"]),
                        last_error=w["last_error"] or "?")
        issues.append(_Issue(Status.PROBLEM, summary, why, _writers_fix(), [CODE_VSS_WRITER]))
    elif bad:
        issues.append(_Issue(
            Status.PROBLEM,
            m("{count} of {total} VSS writers failed or report an error: {writers}.", count=len(bad),
              total=len(writers), writers=listed((w["name"] for w in bad), max_chars=500)),
            why, _writers_fix(), [CODE_VSS_WRITER]))
    if waiting:
        issues.append(_Issue(
            Status.WARNING,
            m("VSS writers are waiting for a shadow copy to finish: {writers}. A backup or shadow copy may be "
              "running right now.", writers=listed((w["name"] for w in waiting), max_chars=500)),
            why=m("A writer still waiting from an earlier shadow copy that never finished keeps the next snapshot "
                  "from starting cleanly."),
            fix=[step("Run the wizard again when no backup or shadow copy is running; if the writers still wait, "
                      "restart their services or the VM.", command="vssadmin list writers")],
            codes=[CODE_VSS_WRITER]))
    if left_over:
        issues.append(_Issue(
            Status.INFO,
            m("VSS writers are in state [5] (waiting for the backup to complete) with no error: {writers}. This "
              "state is commonly left behind after a backup and is not a failure by itself.",
              writers=listed((w["name"] for w in left_over), max_chars=500)),
            why=m("A writer reports [5] until the program that made the last shadow copy says the backup is "
                  "complete; many backup programs never do. Only if it stays so and backups fail with VSS errors "
                  "is it worth restarting the writer's service."),
            fix=[step("If backups fail with a VSS error, list the writers again after the failure; restart the service "
                      "of a writer that still waits, or restart the VM.", command="vssadmin list writers")]))
    if unknown:
        texts = sorted({str(w["last_error"]) for w in unknown})
        issues.append(_Issue(
            Status.INFO,
            m("All VSS writers are stable, but the last error of {count} of them is in a wording the wizard does "
              "not know: {texts}", count=len(unknown), texts=" / ".join(texts)[:300]),
            why=m("The state numbers are read without depending on the display language, but the last-error text "
                  "is only recognised in English and Japanese. Check that it means \"no error\"."),
            fix=[step("Read the last error of each writer in an elevated command prompt.",
                      command="vssadmin list writers")]))
    return issues


def _no_writers_issue() -> _Issue:
    return _Issue(
        Status.PROBLEM,
        m("vssadmin answered but listed no VSS writer at all: Windows' Volume Shadow Copy service cannot reach "
          "any of its writers."),
        why=m("Every Windows installation has VSS writers (System Writer, Registry Writer, WMI Writer and more); when "
              "none is listed, VSS cannot call them, which Microsoft's Windows support has traced to the COM+ Event "
              "System service they are called through. The backup extension then cannot take an "
              "application-consistent snapshot in the Take Snapshot phase."),
        fix=[step("Restart the VM at a scheduled downtime; this usually brings the writers back."),
             step("If you cannot restart now, list the services that share a process with the COM+ Event System "
                  "(EventSystem) and restart them.", command='tasklist /svc /fi "services eq EventSystem"'),
             step("If the writers disappear again, give the COM+ Event System a process of its own (elevated command "
                  "prompt), then restart it or the VM.", command="sc config EventSystem type= own"),
             step("Check that the writers are back.", command="vssadmin list writers")],
        codes=[CODE_VSS_WRITER, CODE_VSS_SERVICE])


def _run_vssadmin(ctx: CheckContext) -> tuple[list[_Issue], dict[str, Any], Msg | None]:
    """Issues from the writer list, evidence, and a not-checked reason when the list could not be read."""
    if ctx.is_admin is False:
        return [], {"skipped": "not elevated"}, m(
            "Not checked: listing the VSS writers needs Administrator rights; run the wizard with \"Run as "
            "administrator\".")
    ans = ctx.call("run", argv=VSSADMIN_ARGV, timeout=VSSADMIN_TIMEOUT_S)
    output = str(ans.get("stdout") or "") + "\n" + str(ans.get("stderr") or "")
    evidence: dict[str, Any] = {"argv": VSSADMIN_ARGV, "returncode": ans.get("returncode"),
                                "timed_out": ans.get("timed_out"), "error": ans.get("error"),
                                "output_excerpt": _excerpt(output.strip())}
    if is_unavailable(ans) or not ans.get("found"):
        return [], evidence, m("Not checked: vssadmin could not be run ({error}).",
                               error=str(ans.get("error") or "not found"))
    if ans.get("timed_out"):
        return [_Issue(
            Status.WARNING,
            m("vssadmin list writers did not answer within {seconds} seconds.", seconds=int(VSSADMIN_TIMEOUT_S)),
            why=m("A VSS that hangs when asked for its writers is likely in a bad state, and the backup extension's "
                  "snapshot in the Take Snapshot phase will hang or fail the same way."),
            fix=[step("Restart the Volume Shadow Copy service in an elevated command prompt, then retry.",
                      command="net stop VSS && net start VSS"),
                 step("If it still hangs, restart the VM at a scheduled downtime.")],
            codes=[CODE_VSS_SERVICE])], evidence, None
    if ans.get("returncode") not in (0, None):
        if vssadmin.mentions_permission(output) or ctx.is_admin is None:
            return [], evidence, m("Not checked: vssadmin refused to list the VSS writers (exit code {code}); it "
                                   "needs Administrator rights.", code=str(ans.get("returncode")))
        return [_Issue(
            Status.WARNING,
            m("vssadmin list writers failed with exit code {code} although the wizard runs as Administrator.",
              code=str(ans.get("returncode"))),
            why=m("When VSS cannot even list its writers, it is likely in a bad state, and the backup extension's "
                  "snapshot in the Take Snapshot phase fails the same way."),
            fix=[step("Restart the Volume Shadow Copy service in an elevated command prompt, then retry.",
                      command="net stop VSS && net start VSS"),
                 step("If it still fails, restart the VM at a scheduled downtime.")],
            codes=[CODE_VSS_SERVICE])], evidence, None
    parsed = vssadmin.parse_writers(str(ans.get("stdout") or ""))
    writers = parsed["writers"]
    evidence["writers"] = [
        {"name": w["name"], "state": w["state"], "state_name": w["state_name"], "state_text": w["state_text"],
         "state_label_kind": w["state_label_kind"], "state_disagrees": w["state_disagrees"],
         "last_error": w["last_error"], "last_error_kind": w["last_error_kind"], "writer_id": w["writer_id"]}
        for w in writers[:100]]
    evidence["writer_count"] = len(writers)
    if parsed["truncated"]:
        evidence["truncated"] = True
    if not writers:
        if vssadmin.listing_kind(str(ans.get("stdout") or ""), writers) == "none_listed":
            evidence["listing"] = "none_listed"
            return [_no_writers_issue()], evidence, None
        return [], evidence, m("Not checked: vssadmin answered, but no VSS writer could be read from its output.")
    no_state = [w["name"] for w in writers if w["state"] is None]
    issues = _writer_issues(writers)
    if no_state:
        evidence["writers_without_state"] = no_state[:50]
        if not any(i.status in (Status.PROBLEM, Status.WARNING) for i in issues):
            return [], evidence, m("Not checked: the state of these VSS writers could not be read from vssadmin's "
                                   "output: {writers}.", writers=listed(no_state, max_chars=500))
    return issues, evidence, None


def check_vss(ctx: CheckContext) -> Finding:
    events_evidence, events = read_events(ctx)  # no elevation needed; read first, vssadmin may hang
    event_issue = events_issue(events_evidence, events)
    service_issues, service_evidence, services_unknown = _service_issues(ctx)
    writer_issues, writer_evidence, writers_not_checked = _run_vssadmin(ctx)
    evidence: dict[str, Any] = {"services": service_evidence, "vssadmin": writer_evidence, "events": events_evidence}
    if events_evidence.get("read"):  # the wizard read the event logs: no need to send the user to them
        for issue in writer_issues:
            issue.fix = [s for s in issue.fix if s.text != LOOK_IN_EVENT_LOGS.text]
    issues = service_issues + writer_issues
    if event_issue is not None:
        if event_issue.status is Status.INFO and any(i.status in (Status.PROBLEM, Status.WARNING) for i in issues):
            event_issue.fix = []  # they only explain the failing writer here; its steps already say what to do
        issues.append(event_issue)
    docs = [DOC_TS_VM]
    if any(i.status in (Status.PROBLEM, Status.WARNING) for i in issues):
        return _combine(issues, evidence, docs)
    if writers_not_checked is not None:
        return Finding(Status.NOT_CHECKED, writers_not_checked, docs=docs, evidence=evidence)
    if services_unknown:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not read the state of the services {services}.",
                         services=listed(services_unknown)),
                       docs=docs, evidence=evidence)
    if issues:
        return _combine(issues, evidence, docs)
    count = int(writer_evidence.get("writer_count") or 0)
    if events_evidence.get("read"):
        return Finding(Status.OK,
                       m("All {count} VSS writers are stable with no error, the VSS, COM+ System Application and "
                         "MSDTC services are not disabled, and no VSS or volume shadow copy error was logged in the "
                         "last {days} days.", count=count, days=int(events_evidence["days"])),
                       docs=docs, evidence=evidence)
    return Finding(Status.OK,
                   m("All {count} VSS writers are stable with no error, and the VSS, COM+ System Application and "
                     "MSDTC services are not disabled.", count=count),
                   docs=docs, evidence=evidence)
