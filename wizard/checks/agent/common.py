"""What the `agent.*` checks share: documentation links, portal error codes, the agent's locations,
the `Issue`/`combine` helpers and the restart/reinstall steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wizard.checks.base import CheckContext, Finding, doc_link, m, step
from wizard.checks.commands import sh
from wizard.model import DocLink, FixStep, Msg, Status
from wizard.probes.base import Answer, is_unavailable

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
