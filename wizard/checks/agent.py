"""VM agent checks (`agent.*`): installed, services, version, waagent.conf, known log errors, Python.

The VM agent (WALinuxAgent on Linux; WindowsAzureGuestAgent + RdAgent on Windows) installs and
runs the backup extension and carries its status to Azure, so every backup's Take Snapshot phase
goes through it. Facts and their sources: facts file §3 (Windows agent), §4 (Linux agent),
§5.3 (the Linux backup extension's Python launcher), §8 (portal error codes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wizard.checks.base import (
    BOTH,
    LINUX,
    Check,
    CheckContext,
    Finding,
    doc_link,
    error_msg,
    file_not_in_bundle,
    m,
    not_in_bundle,
    step,
)
from wizard.checks.commands import RERUN_AS_ROOT, cmd, sh
from wizard.checks.docs import IP_168 as DOC_168
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import MATRIX as DOC_MATRIX
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.docs import WIN_AGENT as DOC_WIN_AGENT
from wizard.checks.win_files import read_with_retry, unreadable_reason
from wizard.i18n import N_
from wizard.knowledge import commands, values
from wizard.model import Component, DocLink, FixStep, Msg, Status
from wizard.parsers import waagent as wa
from wizard.parsers import waappagent as wapp
from wizard.parsers.wireserver import error_answer_in_log
from wizard.probes.base import Answer, is_unavailable
from wizard.redact import strip_secrets_text

# --- documentation ----------------------------------------------------------------------------

DOC_WIN_AGENT_OVERVIEW = doc_link("Azure Virtual Machine Agent overview",
                             "https://learn.microsoft.com/azure/virtual-machines/extensions/agent-windows")
DOC_LINUX_MIN_VERSION = doc_link("Minimum version support for virtual machine agents in Azure",
                                 "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/"
                                 "support-extensions-agent-version")
DOC_LINUX_UPDATE = doc_link("How to update the Azure Linux Agent on a VM",
                            "https://learn.microsoft.com/azure/virtual-machines/extensions/update-linux-agent")
DOC_WALA_ISSUE_2753 = doc_link("WALinuxAgent issue 2753: format_exception() got an unexpected keyword argument "
                               "'etype'", "https://github.com/Azure/WALinuxAgent/issues/2753")

# --- portal error codes (facts §8) ------------------------------------------------------------

E_AGENT_UNAVAILABLE = "UserErrorGuestAgentStatusUnavailable"
E_SNAPSHOT_TASK = "GuestAgentSnapshotTaskStatusError"
E_BACKUP_FAILED = "BackUpOperationFailed"
E_NO_NETWORK = "ExtensionSnapshotFailedNoNetwork"
E_MANAGED_DISKS = "ExtensionOperationFailedForManagedDisks"
E_VM_OFFLINE = "AzureVmOffline"
E_NOT_DESIRABLE = "UserErrorVmNotInDesirableState"
E_CONFIG_PARSING = "ExtensionConfigParsingFailure"

# --- locations --------------------------------------------------------------------------------

LINUX_SERVICES = ("walinuxagent", "waagent")
LINUX_BINARIES = ("/usr/sbin/waagent", "/usr/bin/waagent")
LINUX_CONF = "/etc/waagent.conf"
LINUX_LIB = "/var/lib/waagent"
LINUX_LOG = "/var/log/waagent.log"
LINUX_UNITS = (
    "/lib/systemd/system/walinuxagent.service",
    "/lib/systemd/system/waagent.service",
    "/usr/lib/systemd/system/walinuxagent.service",
    "/usr/lib/systemd/system/waagent.service",
    "/etc/systemd/system/walinuxagent.service",
    "/etc/systemd/system/waagent.service",
    "/etc/init.d/walinuxagent",
    "/etc/init.d/waagent",
)
WIN_ROOT = "C:\\WindowsAzure"
WIN_RDAGENT_EXE = "C:\\WindowsAzure\\Packages\\WaAppAgent.exe"
WIN_LOG = "C:\\WindowsAzure\\Logs\\WaAppAgent.log"
WIN_SERVICES = ("WindowsAzureGuestAgent", "RdAgent")
WIN_VERSION_KEY = "HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest"

# Minimum Windows agent versions: Microsoft's VM assist script (VMASSIST) flags anything older than
# 2.7.41491.1010; the Azure Backup troubleshooting guide (DOC-TS-VM) asks for 2.6.1198.718 or higher.
WIN_MIN_VMASSIST = "2.7.41491.1010"
WIN_MIN_DOC = "2.6.1198.718"

# The minimum Linux agent: "the Linux Agent version on the Linux virtual machine (VM) must be later than or
# equal to version 2.2.53.1" (Microsoft's "Minimum version support for virtual machine agents in Azure",
# MicrosoftDocs/SupportArticles-docs support/azure/virtual-machines/windows/support-extensions-agent-version.md,
# ms.date 07/21/2020). Its example counts the goal state agent (the auto-updated code that handles
# extensions), so that is the version compared; the installed one only when no goal state agent is known.
LINUX_MIN_DOC = "2.2.53.1"
LINUX_MIN_SOURCE = ("Microsoft's \"Minimum version support for virtual machine agents in Azure\" (KB 4049215, "
                    "2020-07-21): the Linux agent must be 2.2.53.1 or later")
# Debian 12's package 2.7.3.0 formats exceptions with traceback.format_exception(etype=...), which Python 3.10
# removed, so every error path crashes the process; the fix is upstream 2.9.0.4 (WALinuxAgent PR #2663, issue
# #2753), and Debian's waagent.conf turns auto-update off (agent-emulation facts §9.4). Confirmed for 2.7.3.0
# (observed) and 2.8.0.11 (the issue's report); for other versions before 2.9.0.4 the check only says it may apply.
CRASH_CONFIRMED_VERSIONS = ("2.7.3.0", "2.8.0.11")  # observed on Debian 12; reported in issue #2753
FORMAT_EXCEPTION_FIXED = "2.9.0.4"

# The VMSnapshotLinux launcher (handle.sh) looks for these, /usr/bin/ before /usr/local/bin/
# (facts §5.3); whether it walks folders or names first is UNCONFIRMED (folders first assumed).
PYTHON_NAMES = ("python3.8", "python3.7", "python3.6", "python3.5", "python3.4", "python3.3", "python3",
                "python2.7", "python2.6", "python2", "python")
PYTHON_DIRS = ("/usr/bin/", "/usr/local/bin/")
PYTHON_CANDIDATES = tuple(d + n for d in PYTHON_DIRS for n in PYTHON_NAMES)

LOG_MAX_BYTES = 1024 * 1024
CONF_MAX_BYTES = 256 * 1024
PERSISTENT_COUNT = 6  # the agent team's own tests ignore fewer occurrences of a connection error

# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One thing wrong (or worth knowing); several issues are combined into one Finding."""

    status: Status
    summary: Msg
    why: Msg | None = None
    fix: tuple[FixStep, ...] = ()
    docs: tuple[DocLink, ...] = ()
    error_codes: tuple[str, ...] = ()


def combine(issues: list[Issue], evidence: dict[str, Any]) -> Finding:
    """The worst issue leads (summary, why); the others' summaries become fix steps before their own fixes."""
    ordered = sorted(issues, key=lambda i: i.status.rank)
    top = ordered[0]
    fix: list[FixStep] = list(top.fix)
    for other in ordered[1:]:
        fix.append(FixStep(other.summary))
        fix.extend(other.fix)
    seen: set[tuple[str, str, str | None]] = set()
    unique_fix: list[FixStep] = []
    for s in fix:
        key = (s.text.id, repr(sorted(s.text.params.items())), s.command)
        if key not in seen:
            seen.add(key)
            unique_fix.append(s)
    docs: list[DocLink] = []
    for i in ordered:
        for d in i.docs:
            if all(d.url != x.url for x in docs):
                docs.append(d)
    codes: list[str] = []
    if top.status in (Status.PROBLEM, Status.WARNING):
        for i in ordered:
            if i.status in (Status.PROBLEM, Status.WARNING):
                codes.extend(c for c in i.error_codes if c not in codes)
    return Finding(top.status, top.summary, top.why, unique_fix, docs, codes, evidence)


def _exists(ans: Answer) -> bool:
    return not is_unavailable(ans) and bool(ans.get("exists"))


def _missing(ans: Answer) -> bool:
    return not is_unavailable(ans) and not ans.get("exists")


def _stat_evidence(ans: Answer) -> dict[str, Any] | str:
    if is_unavailable(ans):
        return f"unavailable: {ans.get('error')}"
    if not ans.get("exists"):
        return "missing"
    mode = ans.get("mode")
    return {"is_dir": ans.get("is_dir"), "mode": oct(mode) if isinstance(mode, int) else mode,
            "owner": ans.get("owner")}


def _service_evidence(ans: Answer) -> dict[str, Any]:
    if is_unavailable(ans):
        return {"unavailable": True, "error": ans.get("error")}
    return {k: ans.get(k) for k in ("exists", "state", "start_type", "enabled", "display_name", "error")}


def _linux_services(ctx: CheckContext) -> dict[str, Answer]:
    return {name: ctx.call("service", name=name) for name in LINUX_SERVICES}


def _pick_linux_service(answers: dict[str, Answer]) -> tuple[str | None, Answer | None]:
    """The agent's service on this distribution: walinuxagent (Ubuntu/Debian) or waagent (the others)."""
    existing = [(n, a) for n, a in answers.items() if _exists(a)]
    if not existing:
        return None, None
    running = [(n, a) for n, a in existing if a.get("state") == "running"]
    return (running or existing)[0]


def _linux_restart_steps(name: str | None) -> list[FixStep]:
    if name:
        return [step("Restart the VM agent.", command=f"sudo systemctl restart {sh(name)}")]
    return [step("Restart the VM agent on Ubuntu or Debian.", command="sudo systemctl restart walinuxagent"),
            step("Restart the VM agent on other distributions.", command="sudo systemctl restart waagent")]


def _linux_reinstall_steps() -> list[FixStep]:
    return [
        step("On Ubuntu, install (or reinstall) the walinuxagent package.",
             command="sudo apt-get update && sudo apt-get install --reinstall walinuxagent"),
        step("On Debian, install (or reinstall) the waagent package (Debian's name for the Azure Linux Agent).",
             command="sudo apt-get update && sudo apt-get install --reinstall waagent"),
        step("On Red Hat Enterprise Linux and related distributions, install (or reinstall) the WALinuxAgent "
             "package.", command="sudo yum reinstall WALinuxAgent || sudo yum install WALinuxAgent"),
        step("On other distributions, install the package that the distribution's documentation names for the "
             "Azure Linux Agent (WALinuxAgent)."),
    ]


def _linux_enable_steps(name: str | None) -> list[FixStep]:
    if name:
        return [step("Enable and start the VM agent's service.", command=f"sudo systemctl enable --now {sh(name)}")]
    return [step("Enable and start the VM agent on Ubuntu or Debian.",
                 command="sudo systemctl enable --now walinuxagent"),
            step("Enable and start the VM agent on other distributions.",
                 command="sudo systemctl enable --now waagent")]


def _win_restart_steps() -> list[FixStep]:
    return [step("Restart the VM agent's services.", command="Restart-Service -Name RdAgent, WindowsAzureGuestAgent")]


def _win_reinstall_steps() -> list[FixStep]:
    return [
        step("Download the latest VM agent installer (.msi) from https://github.com/Azure/WindowsVMAgent/releases."),
        step("Install it from an elevated Command Prompt (if an agent is already installed, first follow "
             "\"Uninstall and reinstall Windows Guest Agent\" in Microsoft's troubleshooting article).",
             command="msiexec.exe /i c:\\VMAgentMSI\\WindowsAzureVmAgent.2.7.<version>.fre.msi "
                     "/L*v C:\\Windows\\Panther\\msiexec.log"),
    ]


WHY_AGENT_NEEDED = m("Azure Backup needs the VM agent to install and run the backup extension inside the VM; "
                     "without it the Take Snapshot phase cannot start.")

# --- agent.installed --------------------------------------------------------------------------


def check_installed(ctx: CheckContext) -> Finding:
    return _installed_windows(ctx) if ctx.system == "windows" else _installed_linux(ctx)


def _not_installed_off_azure(evidence: dict[str, Any]) -> Finding:
    return Finding(Status.INFO, m("The VM agent is not installed, which is expected: this machine does not look "
                                  "like an Azure VM."), evidence=evidence)


def _installed_linux(ctx: CheckContext) -> Finding:
    binaries = {p: ctx.call("stat", path=p) for p in LINUX_BINARIES}
    conf = ctx.call("stat", path=LINUX_CONF)
    lib = ctx.call("stat", path=LINUX_LIB)
    units = {p: ctx.call("stat", path=p) for p in LINUX_UNITS}
    services = _linux_services(ctx)
    evidence: dict[str, Any] = {
        "binaries": {p: _stat_evidence(a) for p, a in binaries.items()},
        "config": _stat_evidence(conf),
        "lib_dir": _stat_evidence(lib),
        "unit_files": {p: _stat_evidence(a) for p, a in units.items() if not _missing(a)},
        "services": {n: _service_evidence(a) for n, a in services.items()},
    }
    answers = [*binaries.values(), conf, lib, *units.values(), *services.values()]
    if all(is_unavailable(a) for a in answers):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not look for the VM agent's files and services."),
                       evidence=evidence)
    binary = next((p for p, a in binaries.items() if _exists(a)), None)
    unit = next((p for p, a in units.items() if _exists(a)), None)
    service_name, _ = _pick_linux_service(services)
    has_service = unit is not None or service_name is not None
    if binary is None and not _exists(conf) and not has_service:
        if ctx.is_azure is False:
            return _not_installed_off_azure(evidence)
        return Finding(
            Status.PROBLEM,
            m("The VM agent (WALinuxAgent) is not installed: there is no waagent program, no /etc/waagent.conf "
              "and no agent service."),
            why=WHY_AGENT_NEEDED,
            fix=[*_linux_reinstall_steps(), *_linux_enable_steps(None)],
            docs=[DOC_LINUX_AGENT, DOC_TS_AGENT],
            error_codes=[E_AGENT_UNAVAILABLE, E_VM_OFFLINE, E_NOT_DESIRABLE],
            evidence=evidence,
        )
    issues: list[Issue] = []
    why_binary = m("The agent's service starts only when its program (/usr/sbin/waagent) exists and is executable, "
                   "so the VM agent cannot run and backups fail.")
    codes = (E_AGENT_UNAVAILABLE, E_NOT_DESIRABLE)
    if binary is None:
        issues.append(Issue(
            Status.PROBLEM,
            m("The agent program /usr/sbin/waagent is missing, although other parts of the VM agent are present."),
            why_binary, tuple(_linux_reinstall_steps()), (DOC_LINUX_AGENT,), codes))
    else:
        mode = binaries[binary].get("mode")
        if isinstance(mode, int) and not mode & 0o111:
            issues.append(Issue(
                Status.PROBLEM,
                m("The agent program {path} is not executable (mode {mode}).", path=binary, mode=oct(mode)),
                why_binary,
                (step("Make it executable again.", command=f"sudo chmod 755 {sh(binary)}"),),
                (DOC_LINUX_AGENT,), codes))
    if not _exists(conf) and not is_unavailable(conf):
        issues.append(Issue(
            Status.PROBLEM,
            m("The agent's configuration file /etc/waagent.conf is missing."),
            m("The agent's service starts only when /etc/waagent.conf exists, so the VM agent cannot run and "
              "backups fail."),
            tuple(_linux_reinstall_steps()), (DOC_LINUX_AGENT,), codes))
    if not has_service and not all(is_unavailable(a) for a in [*units.values(), *services.values()]):
        issues.append(Issue(
            Status.PROBLEM,
            m("No service for the VM agent was found (neither walinuxagent nor waagent)."),
            m("Without its service the VM agent does not start at boot, so the backup extension cannot run."),
            (*_linux_reinstall_steps(), *_linux_enable_steps(None)), (DOC_LINUX_AGENT,), codes))
    if not _exists(lib) and not is_unavailable(lib):
        issues.append(Issue(
            Status.WARNING,
            m("The agent's working folder /var/lib/waagent does not exist."),
            m("The agent creates this folder when it first runs, so it has probably never run on this VM; the "
              "backup extension is installed into this folder."),
            tuple(_linux_enable_steps(service_name)), (DOC_LINUX_AGENT,), (E_AGENT_UNAVAILABLE,)))
    if issues:
        return combine(issues, evidence)
    return Finding(
        Status.OK,
        m("The VM agent (WALinuxAgent) is installed: {binary}, /etc/waagent.conf and its service {service} are "
          "present.", binary=binary, service=service_name or unit),
        evidence=evidence,
    )


def _installed_windows(ctx: CheckContext) -> Finding:
    listing = ctx.call("list_dir", path=WIN_ROOT)
    rdagent_exe = ctx.call("stat", path=WIN_RDAGENT_EXE)
    services = {n: ctx.call("service", name=n) for n in WIN_SERVICES}
    names = [str(e.get("name") or "") for e in (listing.get("entries") or []) if isinstance(e, dict)]
    agent_dirs = sorted(n for n in names if n.lower().startswith("guestagent_"))
    package_dirs = sorted(n for n in names if n.lower().startswith("packages"))
    evidence: dict[str, Any] = {
        "windowsazure_exists": None if is_unavailable(listing) else bool(listing.get("exists")),
        "guest_agent_folders": agent_dirs[-20:],
        "packages_folders": package_dirs[:10],
        "rdagent_exe": _stat_evidence(rdagent_exe),
        "services": {n: _service_evidence(a) for n, a in services.items()},
    }
    if is_unavailable(listing) and all(is_unavailable(a) for a in services.values()):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not look for the VM agent's files and services."),
                       evidence=evidence)
    missing_services = [n for n, a in services.items() if not is_unavailable(a) and not a.get("exists")]
    if not _exists(listing) and len(missing_services) == len(WIN_SERVICES):
        if ctx.is_azure is False:
            return _not_installed_off_azure(evidence)
        return Finding(
            Status.PROBLEM,
            m("The VM agent is not installed: there is no C:\\WindowsAzure folder and neither the "
              "WindowsAzureGuestAgent nor the RdAgent service exists."),
            why=WHY_AGENT_NEEDED,
            fix=_win_reinstall_steps(),
            docs=[DOC_WIN_AGENT_OVERVIEW, DOC_WIN_AGENT, DOC_TS_AGENT],
            error_codes=[E_AGENT_UNAVAILABLE, E_VM_OFFLINE, E_NOT_DESIRABLE],
            evidence=evidence,
        )
    issues: list[Issue] = []
    why_services = m("The VM agent needs both services: RdAgent installs and updates the agent, and "
                     "WindowsAzureGuestAgent runs extensions such as the backup extension.")
    for name in missing_services:
        issues.append(Issue(
            Status.PROBLEM, m("The VM agent service {service} does not exist.", service=name), why_services,
            tuple(_win_reinstall_steps()), (DOC_WIN_AGENT, DOC_WIN_AGENT_OVERVIEW),
            (E_AGENT_UNAVAILABLE, E_NOT_DESIRABLE)))
    missing_files: list[str] = []
    if not is_unavailable(listing) and not agent_dirs:
        missing_files.append(WIN_ROOT + "\\GuestAgent_<version>_<date>")
    if not _exists(rdagent_exe) and not is_unavailable(rdagent_exe) and not any(
            n.lower().startswith("packages_") for n in package_dirs):
        missing_files.append(WIN_RDAGENT_EXE)
    if missing_files and not missing_services:
        issues.append(Issue(
            Status.WARNING,
            m("The VM agent's services exist, but some of its files were not found: {missing}.",
              missing=", ".join(missing_files)),
            m("Missing agent files usually mean a broken installation or update; the agent may not start again "
              "after the next restart."),
            tuple(_win_reinstall_steps()), (DOC_WIN_AGENT,), (E_AGENT_UNAVAILABLE,)))
    if issues:
        return combine(issues, evidence)
    newest = wapp.guest_agent_dir_versions(agent_dirs)
    return Finding(
        Status.OK,
        m("The VM agent is installed: the services WindowsAzureGuestAgent and RdAgent exist and C:\\WindowsAzure "
          "holds its files (newest agent folder version: {version}).", version=newest[-1] if newest else "-"),
        evidence=evidence,
    )


# --- agent.service ----------------------------------------------------------------------------

SERVICE_CODES = (E_AGENT_UNAVAILABLE, E_SNAPSHOT_TASK, E_BACKUP_FAILED)
WHY_SERVICE_STOPPED = m("Azure Backup reaches the VM through the agent; while it is not running, the backup "
                        "extension cannot be started and the Take Snapshot phase fails with the agent unavailable.")


def check_service(ctx: CheckContext) -> Finding:
    return _service_windows(ctx) if ctx.system == "windows" else _service_linux(ctx)


def _service_linux(ctx: CheckContext) -> Finding:
    answers = _linux_services(ctx)
    evidence: dict[str, Any] = {"services": {n: _service_evidence(a) for n, a in answers.items()}}
    if all(is_unavailable(a) for a in answers.values()):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not ask the service manager (systemd) about the VM agent's service "
                         "({error}).", error=error_msg(next(iter(answers.values())))),
                       evidence=evidence)
    name, ans = _pick_linux_service(answers)
    if name is None or ans is None:
        if ctx.is_azure is False:
            return Finding(Status.NOT_CHECKED,
                           m("Not checked: there is no VM agent service, which is expected because this machine "
                             "does not look like an Azure VM."), evidence=evidence)
        return Finding(
            Status.PROBLEM,
            m("No service for the VM agent was found (neither walinuxagent nor waagent)."),
            why=WHY_AGENT_NEEDED,
            fix=[*_linux_reinstall_steps(), *_linux_enable_steps(None)],
            docs=[DOC_LINUX_AGENT, DOC_TS_AGENT],
            error_codes=list(SERVICE_CODES),
            evidence=evidence,
        )
    evidence["service"] = name
    state = str(ans.get("state") or "unknown")
    enabled = str(ans.get("enabled") or "unknown")
    issues: list[Issue] = []
    if state == "start_pending":
        issues.append(Issue(
            Status.WARNING,
            m("The VM agent service {service} is still starting (state: {state}).", service=name,
              state=values.service_state(state)),
            m("The agent answers Azure Backup only once it runs; if it keeps starting and stopping, backups fail "
              "with the agent unavailable."),
            (step("Wait a minute, then look at the service's state and its latest messages.",
                  command=f"sudo systemctl status {sh(name)} --no-pager"),),
            (DOC_LINUX_AGENT,), SERVICE_CODES))
    elif state != "running":
        issues.append(Issue(
            Status.PROBLEM,
            m("The VM agent service {service} is not running (state: {state}).", service=name,
              state=values.service_state(state)),
            WHY_SERVICE_STOPPED,
            (*_linux_restart_steps(name),
             step("Check that it keeps running, and read its latest messages if it stops again.",
                  command=f"sudo systemctl status {sh(name)} --no-pager")),
            (DOC_TS_AGENT, DOC_LINUX_AGENT), SERVICE_CODES))
    if enabled in ("disabled", "masked", "masked-runtime"):
        steps = [step("Enable the service so that it starts at boot.", command=f"sudo systemctl enable {sh(name)}")]
        if enabled.startswith("masked"):
            steps.insert(0, step("Unmask the service first.", command=f"sudo systemctl unmask {sh(name)}"))
        issues.append(Issue(
            Status.WARNING if state == "running" else Status.PROBLEM,
            m("The VM agent service {service} does not start at boot (unit file state: {enabled}).",
              service=name, enabled=enabled),
            m("After the next restart of the VM the agent will not run, and backups will fail with the agent "
              "unavailable."),
            tuple(steps), (DOC_LINUX_AGENT,), SERVICE_CODES))
    if issues:
        return combine(issues, evidence)
    return Finding(Status.OK, m("The VM agent service {service} is running and starts at boot.", service=name),
                   evidence=evidence)


def _service_windows(ctx: CheckContext) -> Finding:
    answers = {n: ctx.call("service", name=n) for n in WIN_SERVICES}
    evidence: dict[str, Any] = {"services": {n: _service_evidence(a) for n, a in answers.items()}}
    if all(is_unavailable(a) for a in answers.values()):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: could not ask Windows about the VM agent's services."), evidence=evidence)
    if ctx.is_azure is False and not any(_exists(a) for a in answers.values()):
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: there is no VM agent service, which is expected because this machine "
                         "does not look like an Azure VM."), evidence=evidence)
    issues: list[Issue] = []
    for name, ans in answers.items():
        if is_unavailable(ans):
            continue
        if not ans.get("exists"):
            issues.append(Issue(
                Status.PROBLEM, m("The VM agent service {service} does not exist.", service=name),
                WHY_AGENT_NEEDED, tuple(_win_reinstall_steps()), (DOC_WIN_AGENT, DOC_WIN_AGENT_OVERVIEW),
                SERVICE_CODES))
            continue
        state = str(ans.get("state") or "unknown")
        start_type = str(ans.get("start_type") or "unknown")
        if state == "stop_pending" and name == "WindowsAzureGuestAgent":
            issues.append(Issue(
                Status.PROBLEM,
                m("The VM agent service {service} is stuck stopping (state: {state}).", service=name,
              state=values.service_state(state)),
                m("While the agent hangs in the Stopping state it handles no extensions, so backups fail."),
                (step("Make sure the RdAgent service (WaAppAgent.exe) runs; if it does not, restart it and wait "
                      "five minutes.", command="Restart-Service -Name RdAgent"),
                 step("Then end the hanging agent process.", command="taskkill /F /IM WindowsAzureGuestAgent.exe"),
                 step("Start the service again.", command="net start WindowsAzureGuestAgent"),
                 step("If that does not help, uninstall the VM agent and install the latest version (see "
                      "Microsoft's troubleshooting article).")),
                (DOC_WIN_AGENT,), SERVICE_CODES))
        elif state != "running":
            issues.append(Issue(
                Status.PROBLEM,
                m("The VM agent service {service} is not running (state: {state}).", service=name,
              state=values.service_state(state)),
                WHY_SERVICE_STOPPED,
                (step("Start the service from an elevated Command Prompt.", command=f"net start {cmd(name)}"),
                 *_win_restart_steps()),
                (DOC_WIN_AGENT, DOC_TS_AGENT), SERVICE_CODES))
        if not start_type.lower().startswith("auto"):
            issues.append(Issue(
                Status.WARNING if state == "running" else Status.PROBLEM,
                m("The VM agent service {service} does not start automatically (startup type: {start_type}).",
                  service=name, start_type=start_type),
                m("After the next restart of the VM the agent will not run, and backups will fail with the agent "
                  "unavailable."),
                (step("Set the service to start automatically (elevated Command Prompt).",
                      command=f"sc config {cmd(name)} start= auto"),),
                (DOC_WIN_AGENT,), SERVICE_CODES))
    if issues:
        return combine(issues, evidence)
    return Finding(Status.OK, m("The VM agent services WindowsAzureGuestAgent and RdAgent are running and start "
                                "automatically."), evidence=evidence)


# --- agent.version ----------------------------------------------------------------------------


def check_version(ctx: CheckContext) -> Finding:
    return _version_windows(ctx) if ctx.system == "windows" else _version_linux(ctx)


def _run_waagent_version(ctx: CheckContext) -> tuple[list[str], Answer]:
    """`waagent --version` only prints three lines (WALinuxAgent agent.py `main`: the version command
    constructs no Agent, loads no configuration and writes no log)."""
    argv = ["waagent", "--version"]
    ans = ctx.call("run", argv=argv, timeout=10.0)
    if not is_unavailable(ans) and not ans.get("found"):
        argv = [LINUX_BINARIES[0], "--version"]
        ans = ctx.call("run", argv=argv, timeout=10.0)
    return argv, ans


def _version_linux(ctx: CheckContext) -> Finding:
    argv, ans = _run_waagent_version(ctx)
    output = str(ans.get("stdout") or "") + "\n" + str(ans.get("stderr") or "")
    evidence: dict[str, Any] = {
        "command": " ".join(argv),
        "found": ans.get("found"),
        "returncode": ans.get("returncode"),
        "output": output.strip()[:2000],
        "error": ans.get("error"),
        "minimum": LINUX_MIN_DOC,
        "minimum_source": LINUX_MIN_SOURCE,
    }
    parsed = wa.parse_version_output(output) if ans.get("found") else wa.WaagentVersion()
    if not parsed.parsed:
        return _version_linux_elsewhere(ctx, evidence, ans)
    evidence.update({"installed": parsed.agent_version, "goal_state_agent": parsed.goal_state_version,
                     "python": parsed.python, "distro": parsed.distro, "source": "waagent --version",
                     "note": "The goal state agent is the version the agent runs (auto-update); it is the one "
                             "compared with the documented minimum."})
    installed, goal = parsed.agent_version, parsed.goal_state_version
    issues = _linux_version_issues(goal or installed, parsed.python)
    if installed is None or goal is None:
        issues.append(Issue(Status.INFO, m("The VM agent reports version {version}; the other version line of "
                                           "waagent --version is missing.", version=installed or goal or "-")))
        return combine(issues, evidence)
    order = wa.compare_versions(goal, installed)
    if order is not None and order > 0:
        if issues:
            return combine(issues, evidence)
        return Finding(Status.OK, m("The VM agent package is version {installed} and auto-update runs the newer "
                                    "version {goal}.", installed=installed, goal=goal), evidence=evidence)
    name, _ = _pick_linux_service(_linux_services(ctx))
    update_steps = (
        step("Check whether auto-update is turned off in /etc/waagent.conf.",
             command="grep -n '^[[:space:]]*AutoUpdate' /etc/waagent.conf"),
        *_linux_update_steps()[:-1],
        *_linux_restart_steps(name),
    )
    if order == 0:
        issues.append(Issue(
            Status.INFO,
            m("The VM agent package and the version the agent runs are both {version}: auto-update may be off, "
              "or the package is already the newest.", version=installed),
            m("The agent normally updates itself beyond its package version; Microsoft's VM assist tool "
              "flags identical versions as a sign that auto-update is off. An outdated Linux agent is a "
              "documented cause of snapshot failures."),
            update_steps, (DOC_LINUX_AGENT, DOC_TS_AGENT)))
    else:
        issues.append(Issue(
            Status.INFO,
            m("The version the VM agent runs ({goal}) is not newer than its package ({installed}).",
              goal=goal, installed=installed),
            m("The agent normally runs the newest version on the VM; this can mean an update in progress or one "
              "that failed."),
            update_steps, (DOC_LINUX_AGENT,)))
    return combine(issues, evidence)


def _linux_version_issues(running: str | None, python: str | None) -> list[Issue]:
    """What is wrong with the agent version that handles extensions: below the documented minimum, or one with
    the known Python 3.10+ crash."""
    issues: list[Issue] = []
    if running is None:
        return issues
    if (wa.compare_versions(running, LINUX_MIN_DOC) or 0) < 0:
        issues.append(Issue(
            Status.PROBLEM,
            m("The VM agent runs version {version}, older than {minimum}, the minimum version Microsoft supports "
              "for the Linux agent.", version=running, minimum=LINUX_MIN_DOC),
            m("An outdated Linux agent is a documented cause of snapshot failures: it may not run the current "
              "backup extension or report its status, and the Take Snapshot phase fails."),
            (*_linux_update_steps(), *_linux_restart_steps(None)),
            (DOC_LINUX_MIN_VERSION, DOC_LINUX_UPDATE, DOC_TS_AGENT), (E_SNAPSHOT_TASK, E_MANAGED_DISKS)))
    py = wa.version_tuple(python)
    if py is not None and py[:2] >= (3, 10) and (wa.compare_versions(running, FORMAT_EXCEPTION_FIXED) or 0) < 0:
        confirmed = any(wa.compare_versions(running, v) == 0 for v in CRASH_CONFIRMED_VERSIONS)
        issues.append(Issue(
            Status.WARNING if confirmed else Status.INFO,
            m("The VM agent {version} runs on Python {python}: agent versions before {fixed} crash on Python 3.10 "
              "and later whenever they report an error (confirmed for 2.7.3.0, Debian 12's package, and 2.8.0.11).",
              version=running, python=python or "-", fixed=FORMAT_EXCEPTION_FIXED) if confirmed else
            m("The VM agent {version} runs on Python {python}. Agent versions before {fixed} are known to crash on "
              "Python 3.10 and later whenever they report an error (confirmed for 2.7.3.0 and 2.8.0.11; for this "
              "version it is not confirmed by public documentation).",
              version=running, python=python or "-", fixed=FORMAT_EXCEPTION_FIXED),
            m("The first error the agent meets (for example a goal state that changed, or a Wire Server that does "
              "not answer) then crashes its extension handler, which restarts and crashes again; while that "
              "lasts the backup extension does not run and no status reaches Azure."),
            tuple(_debian_fix_steps()), (DOC_LINUX_UPDATE, DOC_WALA_ISSUE_2753), (E_AGENT_UNAVAILABLE,)))
    return issues


def _linux_update_steps() -> list[FixStep]:
    return [
        step("Update the agent package on Ubuntu (its name there is walinuxagent).",
             command="sudo apt-get update && sudo apt-get install --only-upgrade walinuxagent"),
        step("Update the agent package on Debian (its name there is waagent).",
             command="sudo apt-get update && sudo apt-get install --only-upgrade waagent"),
        step("Update the agent package from the distribution (Red Hat and related distributions).",
             command="sudo yum update WALinuxAgent"),
        step("Make sure auto-update is on, so that the agent keeps its code for extensions current.",
             command="grep -n '^[[:space:]]*AutoUpdate' /etc/waagent.conf"),
    ]


def _debian_fix_steps() -> list[FixStep]:
    """How to get an agent with the fix (2.9.0.4 or later) onto a Debian 12 VM whose package turns auto-update off."""
    return [
        step("See which agent runs and whether auto-update is on (Debian's package sets AutoUpdate.Enabled=n).",
             command="sudo waagent --version; grep -n '^[[:space:]]*AutoUpdate' /etc/waagent.conf"),
        step("Turn auto-update on, so that the agent downloads the current version (with the fix) from Azure.",
             command=_sed_set("AutoUpdate.Enabled", "y")),
        step("Restart the agent; after a few minutes waagent --version shows a newer goal state agent.",
             command="sudo systemctl restart walinuxagent"),
        step("Or install a newer waagent package (2.9.0.4 or later) from your distribution's backports or "
             "updates, if it offers one; this shows the versions apt can install.", command="apt-cache policy waagent"),
    ]


def _version_linux_elsewhere(ctx: CheckContext, evidence: dict[str, Any], ans: Answer) -> Finding:
    """The agent's version without waagent --version: from its log (the version it ran last) or its folders."""
    log = ctx.call("read_file", path=LINUX_LOG, max_bytes=LOG_MAX_BYTES)
    logged = wa.versions_from_log(str(log.get("text") or "")) if log.get("readable") else wa.LogVersions()
    listing = ctx.call("list_dir", path=LINUX_LIB)
    names = [e.get("name") for e in (listing.get("entries") or []) if isinstance(e, dict) and e.get("is_dir")]
    versions = wa.agent_dir_versions(names)
    evidence["agent_folders"] = versions[-20:]
    evidence["log"] = {"path": LINUX_LOG, "running": logged.running, "daemon": logged.daemon,
                       "python": logged.python}
    running = logged.running or (versions[-1] if versions else None)
    if running is not None:
        evidence.update(goal_state_agent=running, python=logged.python,
                        source=LINUX_LOG if logged.running else "agent folders in " + LINUX_LIB)
        issues = _linux_version_issues(running, logged.python)
        if logged.running:
            summary = m("The VM agent last ran version {version}, as its log {path} shows.", version=running,
                        path=LINUX_LOG)
        else:
            summary = m("waagent --version could not be run or read; the agent's folder {folder} holds agent "
                        "versions up to {version}.", folder=LINUX_LIB, version=running)
        return combine([*issues, Issue(Status.INFO, summary)], evidence)
    if ctx.in_bundle:
        return not_in_bundle(evidence)
    if not evidence.get("found"):
        return Finding(Status.NOT_CHECKED, m("Not checked: waagent --version could not be run ({error}).",
                                             error=error_msg(ans, N_("not found"))), evidence=evidence)
    return Finding(Status.NOT_CHECKED, m("Not checked: the output of waagent --version could not be read."),
                   evidence=evidence)


def _version_windows(ctx: CheckContext) -> Finding:
    reg = ctx.call("registry", key=WIN_VERSION_KEY, value="GuestAgentVersion")
    listing = ctx.call("list_dir", path=WIN_ROOT)
    names = [e.get("name") for e in (listing.get("entries") or []) if isinstance(e, dict)]
    folder_versions = wapp.guest_agent_dir_versions(names)
    evidence: dict[str, Any] = {
        "registry_key": WIN_VERSION_KEY,
        "registry_value": None if is_unavailable(reg) else reg.get("value"),
        "registry_error": reg.get("error"),
        "guest_agent_folder_versions": folder_versions[-20:],
        "minimum_vmassist": WIN_MIN_VMASSIST,
        "minimum_backup_doc": WIN_MIN_DOC,
    }
    version: str | None = None
    if _exists(reg) and wa.version_tuple(reg.get("value")) is not None:
        version = wa.version_text(reg.get("value"))
        evidence["source"] = "registry"
    elif folder_versions:
        version = folder_versions[-1]
        evidence["source"] = "GuestAgent folder name"
    if version is None:
        if ctx.in_bundle:
            return not_in_bundle(evidence)
        if is_unavailable(reg) and is_unavailable(listing):
            return Finding(Status.NOT_CHECKED, m("Not checked: could not read the VM agent's version."),
                           evidence=evidence)
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: the VM agent's version was not found (neither the registry value "
                         "GuestAgentVersion nor a GuestAgent folder)."), evidence=evidence)
    evidence["version"] = version
    fix = (*_win_reinstall_steps(),)
    if (wa.compare_versions(version, WIN_MIN_DOC) or 0) < 0:
        return Finding(
            Status.PROBLEM,
            m("The VM agent is version {version}, older than {minimum}, the oldest version the Azure Backup "
              "troubleshooting guide accepts.", version=version, minimum=WIN_MIN_DOC),
            why=m("An outdated agent may not run the current backup extension or report its status, and the Take "
                  "Snapshot phase fails."),
            fix=list(fix), docs=[DOC_TS_VM, DOC_WIN_AGENT_OVERVIEW],
            error_codes=[E_AGENT_UNAVAILABLE, E_SNAPSHOT_TASK], evidence=evidence)
    if (wa.compare_versions(version, WIN_MIN_VMASSIST) or 0) < 0:
        return Finding(
            Status.WARNING,
            m("The VM agent is version {version}, older than {minimum}, the minimum that Microsoft's VM assist "
              "tool accepts.", version=version, minimum=WIN_MIN_VMASSIST),
            why=m("An outdated agent may not run the current backup extension or report its status, and the Take "
                  "Snapshot phase fails."),
            fix=list(fix), docs=[DOC_WIN_AGENT, DOC_WIN_AGENT_OVERVIEW],
            error_codes=[E_AGENT_UNAVAILABLE, E_SNAPSHOT_TASK], evidence=evidence)
    return Finding(Status.OK, m("The VM agent is version {version} (the minimum Microsoft's VM assist tool accepts "
                                "is {minimum}).", version=version, minimum=WIN_MIN_VMASSIST), evidence=evidence)


# --- agent.config -----------------------------------------------------------------------------


def _sed_set(key: str, value: str) -> str:
    pattern = key.replace(".", "\\.")
    return f"sudo sed -i 's/^[[:space:]]*{pattern}[[:space:]]*=.*/{key}={value}/' {LINUX_CONF}"


def check_config(ctx: CheckContext) -> Finding:
    ans = ctx.call("read_file", path=LINUX_CONF, max_bytes=CONF_MAX_BYTES)
    evidence: dict[str, Any] = {"path": LINUX_CONF}
    if is_unavailable(ans):
        evidence["error"] = ans.get("error")
        return Finding(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).", path=LINUX_CONF,
                                             error=error_msg(ans)), evidence=evidence)
    if ctx.absent_from_bundle(ans):
        return file_not_in_bundle(LINUX_CONF, evidence)
    if not ans.get("exists") and ctx.is_azure is False:
        return Finding(Status.NOT_CHECKED,
                       m("Not checked: there is no /etc/waagent.conf, which is expected because this machine does "
                         "not look like an Azure VM."), evidence=evidence)
    if not ans.get("exists"):
        return Finding(
            Status.PROBLEM, m("The agent's configuration file /etc/waagent.conf is missing."),
            why=m("The agent's service starts only when /etc/waagent.conf exists, so the VM agent cannot run and "
                  "backups fail."),
            fix=_linux_reinstall_steps(), docs=[DOC_LINUX_AGENT], error_codes=[E_AGENT_UNAVAILABLE],
            evidence=evidence)
    if not ans.get("readable"):
        evidence["error"] = ans.get("error")
        fix = [] if ctx.is_admin else [step("Run the wizard again with sudo.", command=RERUN_AS_ROOT)]
        return Finding(Status.NOT_CHECKED, m("Not checked: {path} exists but could not be read ({error}).",
                                             path=LINUX_CONF, error=error_msg(ans)),
                       fix=fix, evidence=evidence)
    conf = wa.parse_conf(str(ans.get("text") or ""))
    name, _ = _pick_linux_service(_linux_services(ctx))
    restart = tuple(_linux_restart_steps(name))
    extensions = conf.switch("Extensions.Enabled")
    provisioning = conf.get("Provisioning.Agent", "auto") or "auto"
    auto, auto_key = wa.auto_update(conf)
    evidence.update({
        "Extensions.Enabled": {"raw": conf.raw("Extensions.Enabled"), "line": conf.lines.get("Extensions.Enabled"),
                               "effective": "y" if extensions is not False else "n"},
        "Provisioning.Agent": {"raw": conf.raw("Provisioning.Agent"), "line": conf.lines.get("Provisioning.Agent"),
                               "effective": provisioning},
        "auto_update": {"effective": "y" if auto else "n", "decided_by": auto_key,
                        "AutoUpdate.UpdateToLatestVersion": conf.raw("AutoUpdate.UpdateToLatestVersion"),
                        "AutoUpdate.Enabled": conf.raw("AutoUpdate.Enabled"),
                        "note": "UpdateToLatestVersion wins over the deprecated AutoUpdate.Enabled (the agent's "
                                "own warning says so); older agents read only AutoUpdate.Enabled."},
        "OS.EnableFirewall": conf.raw("OS.EnableFirewall"),
        "HttpProxy.Host": conf.raw("HttpProxy.Host"),
        "HttpProxy.Port": conf.raw("HttpProxy.Port"),
        "lines": conf.line_count,
        "duplicate_keys": {k: v for k, v in list(conf.duplicates.items())[:20]},
        "ignored_lines": {"count": conf.ignored_count, "samples": [f"{n}: {t}" for n, t in conf.ignored]},
        "truncated": bool(ans.get("truncated")) or conf.truncated,
    })
    if conf.raw("HttpProxy.Host"):
        evidence["proxy_note"] = ("The agent uses HttpProxy.* only for Azure Storage; it never sends Wire Server "
                                  "(168.63.129.16) requests through a proxy.")
    legacy = conf.has("Provisioning.Enabled") or conf.has("Provisioning.UseCloudInit")
    if legacy and not conf.has("Provisioning.Agent"):
        evidence["legacy_provisioning"] = {"Provisioning.Enabled": conf.raw("Provisioning.Enabled"),
                                           "Provisioning.UseCloudInit": conf.raw("Provisioning.UseCloudInit"),
                                           "note": "Keys of older agents; current agents ignore them and use "
                                                   "Provisioning.Agent (default auto)."}
    raw_ext = conf.raw("Extensions.Enabled")
    if raw_ext is not None and extensions is None:
        evidence["Extensions.Enabled"]["note"] = "Not y or n: the agent ignores it and uses its default (y)."
    if conf.empty:
        return Finding(
            Status.PROBLEM, m("/etc/waagent.conf is empty."),
            why=m("The agent refuses to start with an empty configuration file, so backups fail."),
            fix=_linux_reinstall_steps(), docs=[DOC_LINUX_AGENT], error_codes=[E_AGENT_UNAVAILABLE],
            evidence=evidence)
    issues: list[Issue] = []
    why_doc = m("Microsoft's Azure Backup troubleshooting guide says that Extensions.Enabled must be y and "
                "Provisioning.Agent must be auto for backup to work.")
    if extensions is False:
        issues.append(Issue(
            Status.PROBLEM,
            m("Extension handling is turned off in /etc/waagent.conf (Extensions.Enabled={value}, line {line}).",
              value=raw_ext, line=conf.lines.get("Extensions.Enabled")),
            m("The backup extension is a VM extension: with Extensions.Enabled=n the agent ignores it, so the "
              "Take Snapshot phase cannot run."),
            (step("Set Extensions.Enabled=y.", command=_sed_set("Extensions.Enabled", "y")), *restart),
            (DOC_TS_AGENT, DOC_LINUX_AGENT), (E_SNAPSHOT_TASK,)))
    if provisioning != "auto":
        issues.append(Issue(
            Status.WARNING,
            m("Provisioning.Agent is {value} in /etc/waagent.conf (line {line}); the backup troubleshooting guide "
              "asks for auto.", value=provisioning, line=conf.lines.get("Provisioning.Agent")),
            why_doc,
            (step("Set Provisioning.Agent=auto.", command=_sed_set("Provisioning.Agent", "auto")), *restart),
            (DOC_TS_AGENT,), (E_SNAPSHOT_TASK,)))
    if not auto:
        issues.append(Issue(
            Status.WARNING,
            m("Agent auto-update is turned off in /etc/waagent.conf ({key}={value}, line {line}).",
              key=auto_key, value=conf.raw(auto_key), line=conf.lines.get(auto_key)),
            m("The agent then stays at its package version; an outdated Linux agent is a documented cause of "
              "snapshot failures."),
            (step("Turn auto-update on.", command=_sed_set(auto_key, "y")), *restart),
            (DOC_LINUX_AGENT, DOC_TS_AGENT), (E_SNAPSHOT_TASK, E_MANAGED_DISKS)))
    if issues:
        return combine(issues, evidence)
    return Finding(Status.OK, m("/etc/waagent.conf has the settings backup needs: extensions are enabled, "
                                "Provisioning.Agent is auto and the agent updates itself."), evidence=evidence)


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
    recent = {sid: h for sid, h in result.hits.items() if h.count}
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


# --- agent.python -----------------------------------------------------------------------------


def check_python(ctx: CheckContext) -> Finding:
    answers = {p: ctx.call("stat", path=p) for p in PYTHON_CANDIDATES}
    found = [p for p, a in answers.items() if _exists(a) and a.get("is_file", True) is not False]
    evidence: dict[str, Any] = {
        "search_order": "handle.sh: /usr/bin/ then /usr/local/bin/, names " + " ".join(PYTHON_NAMES)
                        + "; then python on PATH, then the Python running the agent",
        "order_note": "whether handle.sh walks folders or names first is not documented (folders first assumed); "
                      "the outcome (found or not) does not depend on it.",
        "found": found,
    }
    if all(is_unavailable(a) for a in answers.values()):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not look for Python on this VM."), evidence=evidence)
    docs = [DOC_MATRIX, DOC_TS_VM]
    if found:
        picked = found[0]
        mode = answers[picked].get("mode")
        evidence["picked"] = picked
        evidence["picked_mode"] = oct(mode) if isinstance(mode, int) else mode
        if isinstance(mode, int) and not mode & 0o111:
            return Finding(
                Status.WARNING,
                m("{python} is the Python the backup extension's launcher would pick, but it is not executable "
                  "(mode {mode}).", python=picked, mode=oct(mode)),
                why=m("The launcher runs the first Python it finds; if that one cannot run, the backup extension "
                      "does not start and the snapshot is not taken."),
                fix=[step("Make it executable again, or reinstall the distribution's python3 package.",
                          command=f"sudo chmod 755 {sh(picked)}")],
                docs=docs, evidence=evidence)
        return Finding(Status.OK, m("The Linux backup extension's launcher will use {python}.", python=picked),
                       evidence=evidence)
    agent_python = _agent_python(ctx, evidence)
    if agent_python is not None:
        return Finding(
            Status.INFO,
            m("None of the Python paths the backup extension's launcher tries exists; it would fall back to the "
              "agent's own Python, {python}.", python=agent_python),
            why=m("This last fallback is not how the launcher normally finds Python; if the backup extension does "
                  "not start, install the distribution's python3 package."),
            fix=_python_install_steps(), docs=docs, evidence=evidence)
    return Finding(
        Status.PROBLEM,
        m("No Python that the Linux backup extension's launcher looks for was found (for example /usr/bin/python3)."),
        why=m("The backup extension (VMSnapshotLinux) is started by a shell script that runs its Python code; "
              "without Python it stops with \"python version unknown\" and no snapshot is taken."),
        fix=_python_install_steps(), docs=docs, evidence=evidence)


def _python_install_steps() -> list[FixStep]:
    return [step("Install Python 3 on Ubuntu or Debian.",
                 command="sudo apt-get update && sudo apt-get install python3"),
            step("Install Python 3 on Red Hat Enterprise Linux and related distributions.",
                 command="sudo yum install python3")]


def _agent_python(ctx: CheckContext, evidence: dict[str, Any]) -> str | None:
    """The absolute path of the Python that runs the agent (unit ExecStart or waagent's #! line), if it exists."""
    candidates: list[str] = []
    for unit in LINUX_UNITS[:6]:
        ans = ctx.call("read_file", path=unit, max_bytes=64 * 1024)
        if ans.get("readable"):
            found = wa.interpreter_from_unit(str(ans.get("text") or ""))
            if found:
                candidates.append(found)
    for binary in LINUX_BINARIES:
        ans = ctx.call("read_file", path=binary, max_bytes=64 * 1024)
        if ans.get("readable") and not ans.get("truncated"):
            found = wa.interpreter_from_shebang(str(ans.get("text") or ""))
            if found:
                candidates.append(found)
    evidence["agent_python_candidates"] = candidates[:10]
    for path in candidates:
        if path.startswith("/") and _exists(ctx.call("stat", path=path)):
            evidence["agent_python"] = path
            return path
    return None


# --- the catalogue ----------------------------------------------------------------------------

CHECKS: list[Check] = [
    Check("agent.installed", BOTH, Component.AGENT, "VM agent installation", check_installed, timeout_s=15.0,
          live_only=True),
    Check("agent.service", BOTH, Component.AGENT, "VM agent services", check_service, timeout_s=15.0, live_only=True),
    Check("agent.version", BOTH, Component.AGENT, "VM agent version", check_version, timeout_s=25.0),
    Check("agent.config", LINUX, Component.AGENT, "VM agent configuration (waagent.conf)", check_config,
          timeout_s=15.0),
    Check("agent.log", BOTH, Component.AGENT, "Known errors in the VM agent log", check_log, timeout_s=20.0),
    Check("agent.python", LINUX, Component.AGENT, "Python for the Linux backup extension", check_python,
          timeout_s=15.0, live_only=True),
]
