"""`agent.log`: known errors in the VM agent's log (waagent.log on Linux, WaAppAgent.log on Windows),
each with the steps that fix it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from wizard.checks.agent.common import (
    DOC_LINUX_UPDATE,
    DOC_WALA_ISSUE_2753,
    E_AGENT_UNAVAILABLE,
    E_CONFIG_PARSING,
    E_MANAGED_DISKS,
    E_NO_NETWORK,
    E_SNAPSHOT_TASK,
    FORMAT_EXCEPTION_FIXED,
    LINUX_LOG,
    LOG_MAX_BYTES,
    PERSISTENT_COUNT,
    WIN_LOG,
    Issue,
    _linux_restart_steps,
    _linux_services,
    _pick_linux_service,
    _win_restart_steps,
    combine,
)
from wizard.checks.agent.version import _debian_fix_steps
from wizard.checks.base import CheckContext, Finding, error_msg, file_not_in_bundle, m, step
from wizard.checks.commands import RERUN_AS_ROOT
from wizard.checks.docs import IP_168 as DOC_168
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import WIN_AGENT as DOC_WIN_AGENT
from wizard.checks.win_files import read_with_retry, unreadable_reason
from wizard.knowledge import commands
from wizard.model import FixStep, Status
from wizard.parsers import waagent as wa
from wizard.parsers import waappagent as wapp
from wizard.parsers.excerpts import log_excerpt
from wizard.parsers.wireserver import error_answer_in_log
from wizard.probes.base import is_unavailable
from wizard.redact import strip_secrets_text

# --- agent.log --------------------------------------------------------------------------------


def _win_test_steps(port: int) -> tuple[FixStep, ...]:
    return (
        step("Test the connection from an elevated PowerShell; TcpTestSucceeded must be True.",
             command=commands.windows_port_test(port)),
        step("Check Windows Firewall, third-party firewalls and proxies for anything that blocks 168.63.129.16 "
             "on ports 80 and 32526."),
    )


def _linux_firewall_steps() -> tuple[FixStep, ...]:
    return (
        step("Look for firewall rules other than the agent's own (which admit only root) that drop or reject "
             "168.63.129.16.", command="sudo iptables-save | grep -n 168.63.129.16"),
        step("On systems that use nftables directly, look there too.",
             command="sudo nft list ruleset | grep -n 168.63.129.16"),
    )


WIN_DHCP_STEP = step("Make sure DHCP is enabled on the VM's network adapter inside Windows (set static addresses in "
                     "Azure, not in the guest).",
                     command="Get-NetIPInterface -AddressFamily IPv4 | Select-Object InterfaceAlias, Dhcp")
LINUX_WIRESERVER_TEST = step("Test the connection as root; a time-out or a refused connection confirms the block.",
                             command=commands.LINUX_WIRESERVER_TEST)
NET_CODES = (E_AGENT_UNAVAILABLE, E_NO_NETWORK, E_MANAGED_DISKS)


def _persistent(count: int) -> Status:
    return Status.WARNING if count >= PERSISTENT_COUNT else Status.INFO


def _linux_log_issue(sig: str, count: int, latest: str, service: str | None) -> Issue:
    if sig == "wireserver_unreachable":
        return Issue(
            _persistent(count),
            m("The agent log shows that the VM agent could not reach the Wire Server (168.63.129.16) on port 80 "
              "(count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Without the Wire Server the agent gets no goal state and cannot report its status, so the backup "
              "extension does not start and the Take Snapshot phase fails."),
            (LINUX_WIRESERVER_TEST, *_linux_firewall_steps()), (DOC_168, DOC_TS_AGENT), NET_CODES)
    if sig == "hostgaplugin_unreachable":
        return Issue(
            _persistent(count),
            m("The agent log shows that the VM agent could not reach the HostGAPlugin on 168.63.129.16 port 32526 "
              "(count: {count}; latest: {latest}).", count=count, latest=latest),
            m("The agent fetches extension settings and packages and uploads status through port 32526; when it "
              "is blocked, the backup extension may not be installed or its status may not arrive, and the Take "
              "Snapshot phase can fail."),
            (step("Test the connection as root; the first line of the answer shows HTTP status 200 when the "
                  "HostGAPlugin is reachable.", command=commands.LINUX_HEALTH_TEST),
             *_linux_firewall_steps()),
            (DOC_168, DOC_TS_AGENT), NET_CODES)
    if sig == "goal_state_gone":
        return Issue(
            Status.INFO,
            m("The agent log shows goal states that changed while the agent was fetching them (HTTP 410 Gone; "
              "count: {count}; latest: {latest}).", count=count, latest=latest),
            m("This happens now and then when the VM's configuration changes, and the agent simply fetches the "
              "new goal state; it matters only when it repeats often together with other errors."))
    if sig == "hostgaplugin_transient":
        return Issue(
            Status.INFO,
            m("The agent log shows error answers or time-outs from the HostGAPlugin while fetching extension "
              "settings or packages (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("These come from the host, not from a blocked connection; the agent's developers treat them as "
              "passing problems that matter only when other errors appear too."))
    if sig == "wire_protocol_not_advised":
        return Issue(
            Status.WARNING,
            m("The agent log shows that the Wire Server did not offer protocol version 2012-11-30, which the "
              "agent needs (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Without that protocol version the agent cannot talk to the host, so extensions, the backup "
              "extension included, cannot run."),
            (step("Check as root what answers on 168.63.129.16: the answer must list version 2012-11-30. Anything "
                  "else suggests that a proxy or another device answers instead of Azure.",
                  command=commands.LINUX_WIRESERVER_TEST),),
            (DOC_168,), (E_AGENT_UNAVAILABLE,))
    if sig == "status_report_failed":
        return Issue(
            Status.WARNING,
            m("The agent log shows that the VM agent could not report its status to Azure (count: {count}; "
              "latest: {latest}).", count=count, latest=latest),
            m("Azure Backup sees the agent as not ready when its status does not arrive, and the backup fails "
              "before the snapshot."),
            (LINUX_WIRESERVER_TEST, *_linux_restart_steps(service)), (DOC_TS_AGENT, DOC_LINUX_AGENT),
            (E_AGENT_UNAVAILABLE,))
    if sig == "imds_unreachable":
        return Issue(
            Status.INFO,
            m("The agent log shows that the VM agent could not reach the Instance Metadata Service "
              "(169.254.169.254) (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Backup does not need the Instance Metadata Service, but a firewall or proxy that blocks it often "
              "blocks 168.63.129.16 too."))
    if sig == "storage_download_failed":
        return Issue(
            Status.INFO,
            m("The agent log shows failed direct downloads from Azure Storage, after which the agent uses the "
              "HostGAPlugin instead (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("This direct path is optional: backup works as long as the HostGAPlugin on port 32526 is "
              "reachable."))
    if sig == "exthandler_crash_etype":
        return _crash_loop_issue(count, 0, latest)
    if sig == "exthandler_relaunch_failed":
        return Issue(
            Status.WARNING,
            m("The agent log shows that the VM agent's extension handler stopped with an error and was started "
              "again (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("While the extension handler keeps stopping, extensions such as the backup extension are not run and "
              "their status does not reach Azure, so the Take Snapshot phase can fail."),
            (step("Read the log lines just before each restart; they name the error.",
                  command=f"sudo grep -n -B4 \"run-exthandlers' failed\" {LINUX_LOG} | tail -n 40"),
             *_linux_restart_steps(service)),
            (DOC_TS_AGENT, DOC_LINUX_AGENT), (E_AGENT_UNAVAILABLE,))
    if sig == "firewall_setup_failed":
        return Issue(
            Status.INFO,
            m("The agent log shows that the VM agent could not set up its firewall rules for the Wire Server "
              "(count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Backup does not need these rules (they keep users other than root away from 168.63.129.16), but the "
              "error shows that iptables or nftables does not work the way the agent expects; the log entry says "
              "why."),
            (step("Read the agent's firewall messages.",
                  command=f"sudo grep -n -i -A3 'firewall' {LINUX_LOG} | tail -n 40"),
             *_linux_firewall_steps()),
            (DOC_168, DOC_LINUX_AGENT))
    if sig in ("firewall_reset", "firewall_added"):
        summary = (m("The agent log shows that the VM agent found its firewall rules for the Wire Server changed "
                     "and reset them (count: {count}; latest: {latest}).", count=count, latest=latest)
                   if sig == "firewall_reset" else
                   m("The agent log shows that the VM agent set up its firewall rules for the Wire Server again and "
                     "again (count: {count}; latest: {latest}): something keeps removing them.",
                     count=count, latest=latest))
        return Issue(
            _persistent(count),
            summary,
            m("Another firewall tool (firewalld, ufw, iptables-restore or a script) is rewriting the rules. Whatever "
              "removes the agent's rules can also add rules that block root, and while the rules are being "
              "rewritten the agent's connections to 168.63.129.16 can fail."),
            (step("Find the tool that rewrites the firewall (is firewalld or ufw active, and does a script restore "
                  "saved rules?).", command="systemctl is-active firewalld ufw netfilter-persistent"),
             *_linux_firewall_steps()),
            (DOC_168, DOC_LINUX_AGENT))
    # the last, catch-all Linux signature: "goal_state_error"
    return Issue(
        Status.WARNING,
        m("The agent log shows other errors while fetching or processing the goal state (count: {count}; "
          "latest: {latest}).", count=count, latest=latest),
        m("The goal state tells the agent which extensions to run; while it fails, the backup extension is not "
          "started and the Take Snapshot phase times out."),
        (step("Read the excerpts in the evidence; they name the request that failed."), LINUX_WIRESERVER_TEST,
         *_linux_restart_steps(service)),
        (DOC_TS_AGENT, DOC_LINUX_AGENT), (E_SNAPSHOT_TASK, E_AGENT_UNAVAILABLE))


def _windows_log_issue(sig: str, count: int, latest: str) -> Issue:
    if sig == "npcap_fabric_discovery":
        return Issue(
            Status.PROBLEM,
            m("The agent log shows that the VM agent looked for the Azure fabric address on the Npcap Loopback "
              "Adapter and failed (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Npcap, installed with tools such as Wireshark or Nmap, adds a loopback adapter that gets in the way "
              "of the agent's discovery of the Wire Server, so the agent cannot reach Azure."),
            (step("Disable the Npcap Loopback Adapter (elevated PowerShell), then check whether the agent becomes "
                  "ready.", command="Disable-NetAdapter -InterfaceDescription 'Npcap Loopback Adapter*' "
                                    "-Confirm:$false"),
             *_win_restart_steps()),
            (DOC_WIN_AGENT,), (E_AGENT_UNAVAILABLE, E_NO_NETWORK))
    if sig == "rdcrypt_init_failed":
        return Issue(
            Status.PROBLEM,
            m("The agent log shows \"RdCrypt Initialization failed\" (count: {count}; latest: {latest}).",
              count=count, latest=latest),
            m("The agent could not reach the CNG Key Isolation service, so it cannot get its transport "
              "certificate or handle extension settings."),
            (step("Start the CNG Key Isolation service (KeyIso) from an elevated Command Prompt.",
                  command="net start KeyIso"), *_win_restart_steps()),
            (DOC_WIN_AGENT,), (E_AGENT_UNAVAILABLE,))
    if sig == "pfx_import_failed":
        return Issue(
            Status.PROBLEM,
            m("The agent log shows \"PFXImportCertStore failed ... Error Code: 86\" (count: {count}; latest: "
              "{latest}).", count=count, latest=latest),
            m("The SYSTEM account lacks permissions on the Crypto folders, so the agent cannot install "
              "certificates and extensions, the backup extension included, do not work."),
            (step("Give the SYSTEM account Full Control on C:\\ProgramData\\Microsoft\\Crypto\\Keys, "
                  "C:\\ProgramData\\Microsoft\\Crypto\\RSA and C:\\ProgramData\\Microsoft\\Crypto\\SystemKeys; "
                  "the command shows the current permissions of the first one.",
                  command="icacls C:\\ProgramData\\Microsoft\\Crypto\\Keys"), *_win_restart_steps()),
            (DOC_WIN_AGENT,), (E_CONFIG_PARSING, E_AGENT_UNAVAILABLE))
    if sig == "bad_image_format":
        return Issue(
            Status.PROBLEM,
            m("The agent log shows System.BadImageFormatException (count: {count}; latest: {latest}).",
              count=count, latest=latest),
            m("Another program changed how 64-bit .NET applications are loaded, so the agent cannot install "
              "extension packages, the backup extension included."),
            (step("Check the .NET Framework value Enable64Bit: it must be 1. If it is 0, set it to 1 and restart "
                  "the VM.", command="reg query HKLM\\SOFTWARE\\Microsoft\\.NETFramework /v Enable64Bit"),),
            (DOC_WIN_AGENT,), (E_SNAPSHOT_TASK, E_AGENT_UNAVAILABLE))
    if sig == "hostgaplugin_blocked":
        return Issue(
            Status.WARNING,
            m("The agent log shows that a rule inside the VM forbade the VM agent's connection to the HostGAPlugin on "
              "168.63.129.16 port 32526 (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Windows refused to open the connection (\"forbidden by its access permissions\"), which a firewall "
              "rule or filtering driver inside the VM causes; it does not pass by itself. The agent fetches extension "
              "settings and packages and uploads status through port 32526, so the backup extension may not be "
              "installed or its status may not arrive, and the Take Snapshot phase can fail."),
            _win_test_steps(32526), (DOC_WIN_AGENT, DOC_168), (E_AGENT_UNAVAILABLE, E_NO_NETWORK))
    if sig == "hostgaplugin_unreachable":
        return Issue(
            _persistent(count),
            m("The agent log shows that the VM agent could not reach the HostGAPlugin on 168.63.129.16 port 32526 "
              "(count: {count}; latest: {latest}).", count=count, latest=latest),
            m("The agent fetches extension settings and packages and uploads status through port 32526; when it "
              "is blocked, the backup extension may not be installed or its status may not arrive, and the Take "
              "Snapshot phase can fail."),
            _win_test_steps(32526), (DOC_WIN_AGENT, DOC_168), (E_AGENT_UNAVAILABLE, E_NO_NETWORK))
    if sig == "getversions_failed":
        return Issue(
            _persistent(count),
            m("The agent log shows that the VM agent could not get the protocol versions from the Wire Server "
              "(168.63.129.16) (count: {count}; latest: {latest}).", count=count, latest=latest),
            m("Without the Wire Server the agent gets no goal state and cannot report its status, so the backup "
              "extension does not start and the Take Snapshot phase fails."),
            (*_win_test_steps(80), WIN_DHCP_STEP), (DOC_WIN_AGENT, DOC_168), (E_AGENT_UNAVAILABLE, E_NO_NETWORK))
    if sig == "fabric_discovery_failed":
        return Issue(
            Status.WARNING,
            m("The agent log shows that the VM agent could not discover the Azure fabric address through DHCP "
              "(count: {count}; latest: {latest}).", count=count, latest=latest),
            m("The agent learns the Wire Server's address from DHCP (option 245); without it the agent cannot "
              "download or run extensions, the backup extension included."),
            (WIN_DHCP_STEP,), (DOC_WIN_AGENT, DOC_TS_AGENT), (E_NO_NETWORK, E_SNAPSHOT_TASK))
    # the last Windows signature: "stuck_stopping"
    return Issue(
        Status.WARNING,
        m("The agent log shows that the WindowsAzureGuestAgent service could not be stopped (count: {count}; "
          "latest: {latest}).", count=count, latest=latest),
        m("While the agent hangs in the Stopping state it handles no extensions, so backups fail."),
        (step("Make sure the RdAgent service (WaAppAgent.exe) runs; if it does not, restart it and wait five "
              "minutes.", command="Restart-Service -Name RdAgent"),
         step("Then end the hanging agent process.", command="taskkill /F /IM WindowsAzureGuestAgent.exe"),
         step("Start the service again.", command="net start WindowsAzureGuestAgent")),
        (DOC_WIN_AGENT,), (E_AGENT_UNAVAILABLE, E_SNAPSHOT_TASK))


def _hits_evidence(hits: dict[str, wa.Hits]) -> dict[str, Any]:
    return {sid: {"count_last_24h": h.count, "older": h.older, "first": wa.format_time(h.first),
                  "latest": wa.format_time(h.latest), "excerpts": list(h.excerpts)}
            for sid, h in hits.items()}


def check_log(ctx: CheckContext) -> Finding:
    windows = ctx.system == "windows"
    path = WIN_LOG if windows else LINUX_LOG
    ans = read_with_retry(ctx, path, LOG_MAX_BYTES) if windows else ctx.call("read_file", path=path,
                                                                             max_bytes=LOG_MAX_BYTES)
    evidence: dict[str, Any] = {"path": path}
    if is_unavailable(ans):
        evidence["error"] = ans.get("error")
        return Finding(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).", path=path,
                                             error=error_msg(ans)), evidence=evidence)
    evidence.update({"size": ans.get("size"), "truncated": ans.get("truncated"), "error": ans.get("error")})
    if ctx.absent_from_bundle(ans):
        return file_not_in_bundle(path, evidence)
    if not ans.get("exists"):
        return Finding(Status.NOT_CHECKED, m("Not checked: the agent log {path} does not exist.", path=path),
                       evidence=evidence)
    if not ans.get("readable"):
        if windows and unreadable_reason(ans) == "in_use":
            evidence["winerror"] = ans.get("winerror")
            return Finding(Status.NOT_CHECKED, m("Not checked: {path} is in use by another program and could not be "
                                                 "read, even after a second try (a sharing violation, not missing "
                                                 "rights); run the wizard again in a moment.", path=path),
                           evidence=evidence)
        fix: list[FixStep] = []
        if ctx.is_admin is False:
            fix = [step("Close the wizard and start it again with \"Run as administrator\".")] if windows else [
                step("Run the wizard again with sudo.", command=RERUN_AS_ROOT)]
        return Finding(Status.NOT_CHECKED, m("Not checked: {path} exists but could not be read ({error}).",
                                             path=path, error=error_msg(ans)),
                       fix=fix, evidence=evidence)
    text = str(ans.get("text") or "")
    if not text.strip():
        return Finding(Status.INFO, m("The agent log {path} is empty.", path=path), evidence=evidence)
    resolved: dict[str, wa.Hits] = {}
    if windows:
        win_scan = wapp.scan_waappagent(text)
        result, resolved = win_scan.result, win_scan.resolved
        if win_scan.fragment:
            evidence["leading_fragment_not_counted"] = win_scan.fragment
    else:
        result = wa.scan_waagent_log(text)
    evidence.update({
        "entries_read": result.entries,
        "entries_in_window": result.in_window,
        "newest_entry": wa.format_time(result.newest),
        "window_start": wa.format_time(result.window_start),
        "window": "24 hours before the newest entry" if result.has_timestamps else
                  "whole tail read (no timestamps found)",
        "signatures": _hits_evidence(result.hits),
        "healthy_markers": _hits_evidence(result.healthy),
        "note": "Occurrences of connection errors below 6 within the window are treated as transient, as the "
                "agent team's own tests do." + ("" if not windows else " Windows log times are shown as written."),
    })
    if resolved:
        evidence["resolved_by_later_success"] = _hits_evidence(resolved)
    if result.partial_head:
        evidence["partial_head"] = ("the tail read began inside an entry; its lines belong to that earlier entry "
                                    "and are not counted in the window")
    evidence["other_errors"] = _hits_evidence({"other": result.other_errors})["other"]
    evidence["benign_errors"] = _hits_evidence({"benign": result.benign})["benign"]
    evidence["log_excerpt"] = log_excerpt(text, path)
    recent = {sid: h for sid, h in result.hits.items() if h.count}
    if "exthandler_crash_etype" in recent:
        evidence["known_defect"] = {
            "signature": "TypeError: format_exception() got an unexpected keyword argument 'etype'",
            "affects": "WALinuxAgent before 2.9.0.4 on Python 3.10 and later (Debian 12 ships 2.7.3.0)",
            "fixed_in": "2.9.0.4",
            "source": "Azure/WALinuxAgent issue 2753, fixed by pull request 2663"}
    issues = _log_issues(ctx, windows, recent)
    if result.other_errors.count:
        issues.append(_other_errors_issue(result.other_errors, path, windows))
    if not issues:
        return _log_ok(result, evidence, windows)
    return combine(issues, evidence)


def _log_ok(result: wa.LogScan, evidence: dict[str, Any], windows: bool) -> Finding:
    ready = result.healthy.get("control_system_ready") if windows else None
    if ready is not None and ready.latest is not None:
        return Finding(Status.OK, m("The agent log shows none of the known error messages in the 24 hours "
                                    "before its last entry ({newest}), and the agent last connected to the "
                                    "Azure fabric (wire protocol 2012-11-30) at {healthy}.",
                                    newest=wa.format_time(result.newest), healthy=wa.format_time(ready.latest)),
                       evidence=evidence)
    heartbeat = result.healthy.get("heartbeat")
    if heartbeat is not None and heartbeat.latest is not None:
        return Finding(Status.OK, m("The agent log shows none of the known error messages in the 24 hours "
                                    "before its last entry ({newest}), and the agent last reported itself "
                                    "healthy at {healthy}.", newest=wa.format_time(result.newest),
                                    healthy=wa.format_time(heartbeat.latest)), evidence=evidence)
    if not result.has_timestamps:
        return Finding(Status.OK, m("The agent log shows none of the known error messages (its entries carry "
                                    "no time, so the whole tail was read)."), evidence=evidence)
    return Finding(Status.OK, m("The agent log shows none of the known error messages in the 24 hours before "
                                "its last entry ({newest}).", newest=wa.format_time(result.newest)),
                   evidence=evidence)


def _log_issues(ctx: CheckContext, windows: bool, recent: dict[str, wa.Hits]) -> list[Issue]:
    """One issue per signature seen in the window (the Debian crash loop's two signatures make one)."""
    if windows:
        return [_with_answer(_windows_log_issue(sid, h.count, wa.format_time(h.latest)), h)
                for sid, h in recent.items()]
    service = _pick_linux_service(_linux_services(ctx))[0] if recent else None
    issues: list[Issue] = []
    crash, relaunch = recent.get("exthandler_crash_etype"), recent.get("exthandler_relaunch_failed")
    if crash is not None:
        issues.append(_crash_loop_issue(crash.count, relaunch.count if relaunch else 0, wa.format_time(crash.latest)))
    for sid, hits in recent.items():
        if sid == "exthandler_crash_etype" or (sid == "exthandler_relaunch_failed" and crash is not None):
            continue
        if sid == "firewall_added" and hits.count < 2:
            continue  # the agent sets its rules up once at every start
        issues.append(_with_answer(_linux_log_issue(sid, hits.count, wa.format_time(hits.latest), service), hits))
    return issues


def _with_answer(issue: Issue, hits: wa.Hits) -> Issue:
    """The issue, its summary followed by the code and message of the error answer its newest entry quotes."""
    answer = error_answer_in_log(hits.last_text)
    if answer is None:
        return issue
    return replace(issue, summary=m("{finding} The host's last error answer: HTTP {status}, {code}: {message}",
                                    finding=issue.summary, status=answer["status"], code=answer["code"] or "-",
                                    message=_one_line(answer["message"] or "-", 300)))


def _one_line(text: str, limit: int) -> str:
    """Text for a message parameter: secrets cut, whitespace folded, at most `limit` characters."""
    flat = " ".join(strip_secrets_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _crash_loop_issue(count: int, restarts: int, latest: str) -> Issue:
    """Debian 12's agent 2.7.3.0 crashing on Python 3.10+ (`count` crashes, `restarts` failed relaunches)."""
    looping = count >= 2 or restarts >= 2
    return Issue(
        Status.PROBLEM if looping else Status.WARNING,
        m("The agent log shows the VM agent's extension handler crashing on a known defect of agent versions "
          "before {fixed} on Python 3.10 and later (Debian 12's 2.7.3.0): \"format_exception() got an unexpected "
          "keyword argument 'etype'\" {count} times, restarted after a failure {restarts} times (latest: "
          "{latest}).", fixed=FORMAT_EXCEPTION_FIXED, count=count, restarts=restarts, latest=latest),
        m("The agent crashes whenever it reports an error (for example a goal state that changed, or a Wire "
          "Server that does not answer); it starts its extension handler again at once and that crashes again. "
          "While this lasts the backup extension does not run and no status reaches Azure, so backups fail in "
          "the Take Snapshot phase."),
        (*_debian_fix_steps(),
         step("Then find the error that sets the crashes off: see the other results of this report, and the log "
              "lines just before each crash.",
              command=f"sudo grep -n -B4 \"unexpected keyword argument 'etype'\" {LINUX_LOG} | tail -n 40")),
        (DOC_WALA_ISSUE_2753, DOC_LINUX_UPDATE, DOC_TS_AGENT), (E_AGENT_UNAVAILABLE, E_SNAPSHOT_TASK))


def _other_errors_issue(hits: wa.Hits, path: str, windows: bool) -> Issue:
    newest = hits.excerpts[-1] if hits.excerpts else ""
    issue = Issue(
        Status.INFO,
        m("The agent log has {count} other error entries in the 24 hours before its last entry; the newest, at "
          "{time}: {entry}", count=hits.count, time=wa.format_time(hits.latest), entry=_one_line(newest, 300)),
        m("The wizard does not know these messages, so it cannot say whether they matter for backup; the full "
          "entries are in the evidence."),
        (step("Read the error entries of the agent log around that time.",
              command=f"Select-String -Path '{path}' -Pattern '\\[ERROR\\]' | Select-Object -Last 20" if windows
              else f"sudo grep -n ' ERROR ' {path} | tail -n 20"),))
    return _with_answer(issue, hits)
