"""The Windows agent-health checks of VM assist that the wizard lacked (issue 17), each read-only.

- `guest.keyiso`: CNG Key Isolation (`KeyIso`): VM assist expects Running / Manual (`Get-ServiceChecks`).
- `guest.wmi`: the WMI service (`Winmgmt`, Running / Automatic) and a working `StdRegProv` (`GetDWORDValue`
  on `SYSTEM\\CurrentControlSet\\Services\\Winmgmt` `Start` returns 0), as VM assist does.
- `guest.crp_cert`: the "Windows Azure CRP Certificate Generator" certificate in `Cert:\\LocalMachine\\My`
  (VM assist: TenantEncryptionCert installed, and within its validity period; the newest one counts).
- `guest.machinekeys`: the SDDL of `%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys` against VM assist's
  default `O:SYG:SYD:PAI(A;;0x12019f;;;WD)(A;;FA;;;BA)`.
- `guest.folder_acl`: SYSTEM has full control of `C:\\WindowsAzure` and `C:\\Packages` (VM assist: the agent
  sets "Read & Execute: Everyone, Full Control: SYSTEM & Local Administrators" and cannot go on otherwise).
- `guest.modules`: modules not from "Microsoft Corporation" in WaAppAgent / WindowsAzureGuestAgent whose
  signature is not a valid Microsoft one (VM assist: "Third-party modules in <process>", Information).
- `guest.wcf_debug`: `Microsoft.VisualStudio.Diagnostics.ServiceModelSink` in the 64-bit .NET 4 machine.config
  (VM assist: "WCF debugging config", Critical).
- `guest.crashes`: events 7031/7034 of the agent services (System) and 1000 of the agent programs
  (Application) in the last day (VM assist: "<name> service crashes", "<name> process errors").
- `guest.tls`: TLS 1.2 for the agent: SCHANNEL `TLS 1.2\\Client` `Enabled`/`DisabledByDefault`, .NET 4
  `SchUseStrongCrypto`/`SystemDefaultTlsVersions` (64- and 32-bit). Not a VM assist check (not found in
  vmassist.ps1): a backup-side addition, since the agent downloads extension packages and uploads status
  over HTTPS.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wizard.checks.agent.common import Issue, combine
from wizard.checks.base import CheckContext, Finding, error_msg, file_not_in_bundle, m, step
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import WIN_AGENT as DOC_WIN_AGENT
from wizard.checks.guest.common import (
    AGENT_EXE_NAMES,
    AGENT_SERVICE_NAMES,
    DOC_EXT_CERTS,
    DOC_TLS_DOTNET,
    DOC_WIN_AGENT_INSTALL,
    DOC_WMI,
    NOT_CONFIRMED,
)
from wizard.checks.win_files import read_with_retry
from wizard.knowledge import values
from wizard.model import Status, listed
from wizard.parsers import guest as gp
from wizard.parsers import winevents
from wizard.probes.base import is_unavailable

AGENT_CODES = ("UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError")
CERT_CODES = ("ExtensionConfigParsingFailure", "UserErrorGuestAgentStatusUnavailable")
MACHINE_CONFIG = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config"
WCF_SINK = "Microsoft.VisualStudio.Diagnostics.ServiceModelSink"
SCHANNEL_TLS12 = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client"
DOTNET_KEYS = ("HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319",
               "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319")
WHY_KEYISO = m("The VM agent decrypts its protected settings with the certificate's private key, which "
               "Windows keeps through CNG Key Isolation; without it extensions cannot get their settings.")

def _script(ctx: CheckContext) -> tuple[dict[str, Any] | None, Finding | None]:
    """The parsed guest PowerShell run, or the `not_checked` finding that says why there is none."""
    fact = ctx.fact("guest_windows")
    evidence = {k: fact.get(k) for k in ("command", "returncode", "timed_out", "error", "parse_error", "stderr")
                if fact.get(k) not in (None, "", False)}
    if fact.get("data") is not None:
        return fact["data"], None
    if fact.get("timed_out"):
        summary = m("Not checked: the PowerShell query did not finish in time.")
    elif fact.get("parse_error"):
        summary = m("Not checked: the PowerShell query gave no readable answer ({error}).",
                    error=str(fact["parse_error"]))
    else:
        summary = m("Not checked: PowerShell could not be run ({error}).", error=error_msg(fact))
    return None, Finding(Status.NOT_CHECKED, summary, evidence={"query": evidence})


# --- guest.keyiso -----------------------------------------------------------------------------

def check_keyiso(ctx: CheckContext) -> Finding:
    ans = ctx.call("service", name="KeyIso")
    evidence: dict[str, Any] = {"service": "KeyIso", "expected": "running, manual (VM assist)",
                                "state": ans.get("state"), "start_type": ans.get("start_type")}
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not ask Windows about the {service} service ({error}).",
                         service="KeyIso", error=error_msg(ans)), evidence=evidence)
    if not ans.get("exists"):
        return Finding(Status.PROBLEM, m("The CNG Key Isolation service (KeyIso) does not exist."),
                       why=WHY_KEYISO,
                       fix=[step("Run the System File Checker from an elevated Command Prompt.",
                                 command="sfc /scannow")],
                       docs=[DOC_EXT_CERTS], error_codes=list(CERT_CODES), evidence=evidence)
    state = str(ans.get("state") or "unknown")
    start = str(ans.get("start_type") or "unknown")
    if start == "disabled":
        return Finding(
            Status.PROBLEM,
            m("The CNG Key Isolation service (KeyIso) is disabled (state: {state}).",
              state=values.service_state(state)),
            why=WHY_KEYISO,
            fix=[step("Set the service back to its default startup type (elevated Command Prompt).",
                      command="sc config KeyIso start= demand"),
                 step("Start it.", command="net start KeyIso")],
            docs=[DOC_EXT_CERTS], error_codes=list(CERT_CODES), evidence=evidence)
    if state != "running":
        return Finding(
            Status.INFO,
            m("The CNG Key Isolation service (KeyIso) is not running now (state: {state}, startup type: {start_type}).",
              state=values.service_state(state), start_type=start),
            why=m("Windows starts it on demand, so a stopped service is normal when nothing needed a private key "
                  "lately; VM assist expects it running. If extensions fail to read their settings, start it."),
            fix=[step("Start it.", command="net start KeyIso")], docs=[DOC_EXT_CERTS], evidence=evidence)
    return Finding(Status.OK, m("The CNG Key Isolation service (KeyIso) is running (startup type: {start_type}).",
                                start_type=start), evidence=evidence)


# --- guest.wmi --------------------------------------------------------------------------------

def check_wmi(ctx: CheckContext) -> Finding:
    svc = ctx.call("service", name="Winmgmt")
    evidence: dict[str, Any] = {"service": "Winmgmt", "state": svc.get("state"), "start_type": svc.get("start_type"),
                                "query": "Invoke-CimMethod StdRegProv GetDWORDValue "
                                         "SYSTEM\\CurrentControlSet\\Services\\Winmgmt Start"}
    issues: list[Issue] = []
    fix_service = (step("Set the WMI service to start automatically and start it (elevated Command Prompt).",
                        command="sc config Winmgmt start= auto"),
                   step("Start it.", command="net start Winmgmt"))
    if not is_unavailable(svc) and svc.get("exists"):
        state, start = str(svc.get("state") or "unknown"), str(svc.get("start_type") or "unknown")
        if state != "running":
            issues.append(Issue(Status.PROBLEM,
                                m("The WMI service (Winmgmt) is not running (state: {state}).",
                                  state=values.service_state(state)),
                                m("The VM agent reads system information through WMI; without it the agent cannot "
                                  "report a healthy status and extensions, the backup extension included, fail."),
                                fix_service, (DOC_WMI, DOC_WIN_AGENT), AGENT_CODES))
        elif not start.startswith("auto"):
            issues.append(Issue(Status.WARNING,
                                m("The WMI service (Winmgmt) does not start automatically "
                                  "(startup type: {start_type}).", start_type=start),
                                m("After the next restart WMI may not run, and the VM agent depends on it."),
                                fix_service[:1], (DOC_WMI,), AGENT_CODES))
    data, not_checked = _script(ctx)
    if data is not None:
        std = data.get("stdregprov")
        evidence["stdregprov"] = std
        evidence["stdregprov_error"] = data.get("stdregprov_error") or None
        failed = std is None or std.get("return_value") != 0
        if failed:
            issues.append(Issue(
                Status.PROBLEM,
                m("A registry read through WMI (StdRegProv) failed (return value: {value}).",
                  value=str(std.get("return_value") if std else "-")),
                m("A WMI that cannot answer StdRegProv is broken (its repository or a provider); VM assist reports "
                  "this as critical for the VM agent."),
                (step("Check the WMI repository from an elevated Command Prompt.",
                      command="winmgmt /verifyrepository"),
                 step("If it is inconsistent, try to salvage it, then restart the VM.",
                      command="winmgmt /salvagerepository")),
                (DOC_WMI,), AGENT_CODES))
    elif not issues and (is_unavailable(svc) or not_checked is not None):
        assert not_checked is not None
        not_checked.evidence.update(evidence)
        return not_checked
    if issues:
        return combine(issues, evidence)
    return Finding(Status.OK, m("The WMI service is running and a registry read through WMI (StdRegProv) works."),
                   evidence=evidence)


# --- guest.crp_cert ---------------------------------------------------------------------------

def check_crp_cert(ctx: CheckContext) -> Finding:
    data, not_checked = _script(ctx)
    if data is None:
        assert not_checked is not None
        return not_checked
    certs = data.get("certs") or []
    now = gp.parse_time(data.get("now")) or datetime.now(UTC)
    evidence: dict[str, Any] = {"store": "Cert:\\LocalMachine\\My", "issuer": "DC=Windows Azure CRP Certificate "
                                "Generator", "now": now.isoformat(), "certificates": certs[:10]}
    if data.get("certs_error"):
        evidence["error"] = data["certs_error"]
        return Finding(Status.NOT_CHECKED, m("Not checked: the computer's certificate store could not be read."),
                       evidence=evidence)
    fix = [step("Delete the certificates issued by \"Windows Azure CRP Certificate Generator\" from the computer's "
                "Personal store (certlm.msc), then restart the agent so that it gets a new one.",
                command="Restart-Service -Name WindowsAzureGuestAgent"),
           step("If the agent still gets no certificate, follow Microsoft's article on extension certificates.")]
    if not certs:
        return Finding(Status.PROBLEM,
                       m("No certificate from the Windows Azure CRP Certificate Generator is in the computer's "
                         "Personal store."),
                       why=m("Azure encrypts the extensions' protected settings to this certificate; without it the "
                             "backup extension cannot read its settings (VM assist: TenantEncryptionCert not "
                             "installed)."),
                       fix=fix, docs=[DOC_EXT_CERTS], error_codes=list(CERT_CODES), evidence=evidence)
    newest = max(certs, key=lambda c: gp.parse_time(c.get("not_before")) or datetime.min.replace(tzinfo=UTC))
    evidence["newest"] = newest.get("thumbprint")
    start, end = gp.parse_time(newest.get("not_before")), gp.parse_time(newest.get("not_after"))
    if start is None or end is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: the certificate's validity dates could not be read."),
                       evidence=evidence)
    if not start <= now <= end:
        return Finding(Status.PROBLEM,
                       m("The newest CRP certificate is not valid now (valid from {start} to {end}).",
                         start=start.strftime("%Y-%m-%d"), end=end.strftime("%Y-%m-%d")),
                       why=m("Azure encrypts the extensions' protected settings to this certificate; with an expired "
                             "or not yet valid one the backup extension cannot read its settings."),
                       fix=fix, docs=[DOC_EXT_CERTS], error_codes=list(CERT_CODES), evidence=evidence)
    if newest.get("has_private_key") is False:
        return Finding(Status.PROBLEM, m("The newest CRP certificate has no private key on this computer."),
                       why=m("Without the private key the agent cannot decrypt the extensions' protected settings."),
                       fix=fix, docs=[DOC_EXT_CERTS], error_codes=list(CERT_CODES), evidence=evidence)
    return Finding(Status.OK, m("The CRP certificate is installed and valid until {end}.",
                                end=end.strftime("%Y-%m-%d")), evidence=evidence)


# --- guest.machinekeys ------------------------------------------------------------------------

def _acl(data: dict[str, Any], suffix: str) -> dict[str, str] | None:
    return next((a for a in data.get("acls") or [] if a.get("path", "").lower().endswith(suffix.lower())), None)


def check_machinekeys(ctx: CheckContext) -> Finding:
    data, not_checked = _script(ctx)
    if data is None:
        assert not_checked is not None
        return not_checked
    acl = _acl(data, "\\Crypto\\RSA\\MachineKeys")
    evidence: dict[str, Any] = {"default_sddl": gp.MACHINEKEYS_DEFAULT_SDDL, "acl": acl}
    if acl is None or acl.get("error") or not acl.get("sddl"):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the permissions of the MachineKeys folder could not be read."),
                       evidence=evidence)
    verdict = gp.machinekeys_judgement(acl["sddl"])
    evidence["judgement"] = verdict
    fix = [step("Restore the default permissions: Everyone read and write (special), Administrators full control "
                "(see Microsoft's article, solution 2), then restart the agent.",
                command="Restart-Service -Name WindowsAzureGuestAgent")]
    if verdict == "default":
        return Finding(Status.OK, m("The MachineKeys folder has its default permissions."), evidence=evidence)
    if verdict == "changed":
        return Finding(Status.INFO,
                       m("The MachineKeys folder's permissions differ from the default, but Everyone and "
                         "Administrators keep the default access."),
                       why=m("VM assist reports any difference as information; it matters only if the agent cannot "
                             "create or read the certificate's private key."),
                       fix=fix, docs=[DOC_EXT_CERTS], evidence=evidence)
    return Finding(Status.WARNING,
                   m("The MachineKeys folder's permissions were changed: Everyone or Administrators lost the default "
                     "access, or access is denied to someone."),
                   why=m("The agent keeps the CRP certificate's private key in this folder; with the wrong permissions "
                         "it cannot decrypt the extensions' settings (ExtensionConfigParsingFailure)."),
                   fix=fix, docs=[DOC_EXT_CERTS], error_codes=list(CERT_CODES), evidence=evidence)


# --- guest.folder_acl -------------------------------------------------------------------------

def check_folder_acl(ctx: CheckContext) -> Finding:
    data, not_checked = _script(ctx)
    if data is None:
        assert not_checked is not None
        return not_checked
    folders = {"C:\\WindowsAzure": _acl(data, "\\WindowsAzure"), "C:\\Packages": _acl(data, "\\Packages")}
    evidence: dict[str, Any] = {"folders": folders, "judged_on": "SYSTEM (SY) allow ACE with full control, no deny"}
    lacking, unread = [], []
    for name, acl in folders.items():
        full = gp.system_full_access(acl["sddl"]) if acl and acl.get("sddl") else None
        if full is None:
            unread.append(name)
        elif not full:
            lacking.append(name)
    evidence["system_lacks_full_control"] = lacking
    if lacking:
        return Finding(Status.PROBLEM,
                       m("SYSTEM does not have full control of {folders}.", folders=listed(lacking)),
                       why=m("At start the agent resets these folders to Read & Execute for Everyone and Full "
                             "Control for SYSTEM and Administrators; if it cannot, it does not go on."),
                       fix=[step("Give SYSTEM full control of the folder, its subfolders and files (elevated Command "
                                 "Prompt), then restart the agent.",
                                 command="icacls C:\\WindowsAzure /grant *S-1-5-18:(OI)(CI)F /T"),
                            step("Do the same for C:\\Packages if it is listed.",
                                 command="icacls C:\\Packages /grant *S-1-5-18:(OI)(CI)F /T")],
                       docs=[DOC_WIN_AGENT, DOC_WIN_AGENT_INSTALL], error_codes=list(AGENT_CODES), evidence=evidence)
    if len(unread) == len(folders):
        return Finding(Status.NOT_CHECKED, m("Not checked: the permissions of C:\\WindowsAzure and C:\\Packages could "
                                             "not be read."), evidence=evidence)
    return Finding(Status.OK, m("SYSTEM has full control of the agent's folders."), evidence=evidence)


# --- guest.modules ----------------------------------------------------------------------------

def check_modules(ctx: CheckContext) -> Finding:
    data, not_checked = _script(ctx)
    if data is None:
        assert not_checked is not None
        return not_checked
    processes = data.get("modules") or []
    flagged: list[dict[str, Any]] = []
    unsigned_unknown = 0
    evidence: dict[str, Any] = {"processes": [{"process": p["process"], "running": p["running"],
                                               "error": p["error"] or None, "non_microsoft_company": len(p["modules"])}
                                              for p in processes]}
    for p in processes:
        for mod in p["modules"]:
            signed = gp.is_microsoft_signed(mod)
            if signed is None:
                unsigned_unknown += 1
            if not signed:
                flagged.append({**mod, "process": p["process"], "microsoft_signed": signed})
    evidence["third_party"] = flagged[:40]
    evidence["signature_not_read"] = unsigned_unknown
    read = [p for p in processes if p["running"] and not p["error"]]
    if not read:
        denied = any(p["error"] for p in processes)
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the modules of the agent processes could not be listed (run as administrator).")
                       if denied else m("Not checked: neither agent process (WaAppAgent, WindowsAzureGuestAgent) is "
                                        "running."), evidence=evidence)
    if flagged:
        names = sorted({str(f["name"]) for f in flagged})
        return Finding(Status.INFO,
                       m("Modules not signed by Microsoft are loaded into the agent processes: {modules}.",
                         modules=listed(names[:10])),
                       why=m("Other programs (security, monitoring) sometimes inject DLLs into the agent. It rarely "
                             "breaks it, but when the agent fails without a clear reason, these are suspects."),
                       fix=[step("If a module belongs to an unexpected program and ordinary troubleshooting found "
                                 "nothing, reconfigure or remove that program so that it no longer injects into the "
                                 "agent, then restart the agent.",
                                 command="Restart-Service -Name WindowsAzureGuestAgent")],
                       docs=[DOC_WIN_AGENT], evidence=evidence)
    return Finding(Status.OK, m("Only Microsoft-signed modules are loaded into the agent processes."),
                   evidence=evidence)


# --- guest.wcf_debug --------------------------------------------------------------------------

def check_wcf_debug(ctx: CheckContext) -> Finding:
    ans = read_with_retry(ctx, MACHINE_CONFIG, max_bytes=4 * 1024 * 1024)
    evidence: dict[str, Any] = {"path": MACHINE_CONFIG, "looked_for": WCF_SINK}
    if ctx.absent_from_bundle(ans):
        return file_not_in_bundle(MACHINE_CONFIG, evidence)
    if is_unavailable(ans) or not ans.get("readable"):
        if ans.get("exists") is False:
            return Finding(Status.NOT_CHECKED, m("Not checked: {path} does not exist (.NET Framework 4 64-bit not "
                                                 "found).", path=MACHINE_CONFIG), evidence=evidence)
        return Finding(Status.NOT_CHECKED, m("Not checked: {path} could not be read ({error}).",
                                             path=MACHINE_CONFIG, error=error_msg(ans)), evidence=evidence)
    text = str(ans.get("text") or "")
    lines = [line.strip()[:300] for line in text.splitlines() if WCF_SINK.lower() in line.lower()]
    evidence["matching_lines"] = lines[:5]
    if lines:
        return Finding(Status.PROBLEM, m("WCF debugging is enabled in the .NET machine.config."),
                       why=m("VM assist reports this as critical: the Visual Studio WCF debugging hook is loaded into "
                             "every WCF program, the VM agent included, and can make it fail."),
                       fix=[step("Disable WCF debugging with the Visual Studio tool that enabled it (elevated, from "
                                 "the Visual Studio Common7\\IDE folder), then restart the agent.",
                                 command="vsdiag_regwcf.exe -u"),
                            step("Restart the agent.", command="Restart-Service -Name WindowsAzureGuestAgent")],
                       docs=[DOC_WIN_AGENT], error_codes=list(AGENT_CODES), evidence=evidence)
    return Finding(Status.OK, m("WCF debugging is not enabled."), evidence=evidence)


# --- guest.crashes ----------------------------------------------------------------------------

# The event sources behind the ids the script reads (its Get-WinEvent filters).
CRASH_SOURCES = {7031: "Service Control Manager", 7034: "Service Control Manager", 1000: "Application Error"}


def _agent_event(e: dict[str, Any]) -> bool:
    name = str(e.get("name") or "").strip().lower()
    if e.get("id") in (7031, 7034):
        return name in AGENT_SERVICE_NAMES
    if e.get("id") == 1000:
        return name in AGENT_EXE_NAMES
    return False


def check_crashes(ctx: CheckContext) -> Finding:
    data, not_checked = _script(ctx)
    if data is None:
        assert not_checked is not None
        return not_checked
    events = [e for e in data.get("events") or [] if _agent_event(e)]
    evidence: dict[str, Any] = {"window": "last 24 hours", "system_ids": [7031, 7034], "application_ids": [1000],
                                "matched_on": "the event's first parameter (service display name or program name), "
                                              "not its localised message",
                                "names_note": "that the agent services' display names are not translated on localised "
                                              "Windows is " + NOT_CONFIRMED,
                                "events": sorted(events, key=lambda e: e["time"], reverse=True)[:20]}
    if data.get("events_error"):
        evidence["error"] = data["events_error"]
        return Finding(Status.NOT_CHECKED, m("Not checked: the event logs could not be read."), evidence=evidence)
    if events:
        evidence["event_excerpt"] = winevents.event_excerpt(
            [{**e, "provider": CRASH_SOURCES.get(e.get("id"), ""), "level": 2} for e in evidence["events"]],
            "the agent's crash events of the last 24 hours")
        latest = max(events, key=lambda e: e["time"])
        return Finding(Status.WARNING,
                       m("The VM agent crashed or stopped unexpectedly {count} times in the last day (latest: {time}).",
                         count=len(events), time=latest["time"][:19].replace("T", " ")),
                       why=m("An agent that keeps stopping misses the backup's requests; repeated crashes explain "
                             "intermittent agent-unavailable failures."),
                       fix=[step("Read WaAppAgent.log around the time of the crash for the reason.",
                                 command="Get-Content C:\\WindowsAzure\\Logs\\WaAppAgent.log -Tail 200"),
                            step("If the crashes go on, reinstall the latest VM agent.")],
                       docs=[DOC_WIN_AGENT, DOC_TS_AGENT], error_codes=list(AGENT_CODES), evidence=evidence)
    return Finding(Status.OK, m("No VM agent crash was logged in the last day."), evidence=evidence)


# --- guest.tls --------------------------------------------------------------------------------

def _dword(ans: dict[str, Any], name: str) -> int | None:
    value = (ans.get("values") or {}).get(name) if ans.get("exists") else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_tls(ctx: CheckContext) -> Finding:
    schannel = ctx.call("registry", key=SCHANNEL_TLS12, value=None)
    dotnet = {k: ctx.call("registry", key=k, value=None) for k in DOTNET_KEYS}
    answers = [schannel, *dotnet.values()]
    evidence: dict[str, Any] = {
        "schannel_key": SCHANNEL_TLS12, "schannel_exists": schannel.get("exists"),
        "Enabled": _dword(schannel, "Enabled"), "DisabledByDefault": _dword(schannel, "DisabledByDefault"),
        "dotnet": {k: {"SchUseStrongCrypto": _dword(a, "SchUseStrongCrypto"),
                       "SystemDefaultTlsVersions": _dword(a, "SystemDefaultTlsVersions")} for k, a in dotnet.items()},
        "note": "which .NET Framework version the agent targets is " + NOT_CONFIRMED
                + "; only values set explicitly to turn TLS 1.2 off are judged",
    }
    if all(is_unavailable(a) for a in answers):
        return Finding(Status.NOT_CHECKED, m("Not checked: the registry could not be read ({error}).",
                                             error=error_msg(schannel)), evidence=evidence)
    if ctx.in_bundle and not any(a.get("exists") for a in answers):
        return file_not_in_bundle(SCHANNEL_TLS12, evidence)  # not exported is not "not set"
    issues: list[Issue] = []
    reg_fix = (step("Remove the value that turns TLS 1.2 off for clients (elevated Command Prompt), then restart "
                    "the VM.",
                    command=f'reg delete "{SCHANNEL_TLS12}" /v Enabled /f'),)
    if evidence["Enabled"] == 0:
        issues.append(Issue(Status.PROBLEM, m("TLS 1.2 is turned off for Windows clients (SCHANNEL Enabled = 0)."),
                            m("The agent downloads extension packages and uploads status over HTTPS; with TLS 1.2 "
                              "off these connections fail, and so does the backup extension."),
                            reg_fix, (DOC_TLS_DOTNET,), AGENT_CODES))
    elif evidence["DisabledByDefault"] == 1:
        issues.append(Issue(Status.WARNING,
                            m("TLS 1.2 is not offered by default to Windows clients (SCHANNEL DisabledByDefault = 1)."),
                            m("Programs that let Windows choose the protocol, the agent among them, then do not use "
                              "TLS 1.2, and Azure's HTTPS endpoints require it."),
                            (step("Remove the value (elevated Command Prompt), then restart the VM.",
                                  command=f'reg delete "{SCHANNEL_TLS12}" /v DisabledByDefault /f'),),
                            (DOC_TLS_DOTNET,), AGENT_CODES))
    for key, vals in evidence["dotnet"].items():
        if vals["SchUseStrongCrypto"] == 0:
            issues.append(Issue(Status.WARNING,
                                m(".NET strong cryptography is turned off ({key} SchUseStrongCrypto = 0).", key=key),
                                m("The agent is a .NET Framework program; without strong cryptography older .NET "
                                  "code may not use TLS 1.2."),
                                (step("Turn it on (elevated Command Prompt), then restart the agent.",
                                      command=f'reg add "{key}" /v SchUseStrongCrypto /t REG_DWORD /d 1 /f'),),
                                (DOC_TLS_DOTNET,), AGENT_CODES))
    if issues:
        return combine(issues, evidence)
    return Finding(Status.OK, m("Nothing turns TLS 1.2 off for the agent (SCHANNEL and .NET settings)."),
                   evidence=evidence)
