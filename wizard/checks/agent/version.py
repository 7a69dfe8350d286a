"""`agent.version`: is the VM agent recent enough for backup (minimum versions, the Debian packages
with known crashes, the Python it runs on).
"""

from __future__ import annotations

from typing import Any

from wizard.checks.agent.common import (
    CRASH_CONFIRMED_VERSIONS,
    DOC_LINUX_MIN_VERSION,
    DOC_LINUX_UPDATE,
    DOC_WALA_ISSUE_2753,
    DOC_WIN_AGENT_OVERVIEW,
    E_AGENT_UNAVAILABLE,
    E_MANAGED_DISKS,
    E_SNAPSHOT_TASK,
    FORMAT_EXCEPTION_FIXED,
    LINUX_BINARIES,
    LINUX_LIB,
    LINUX_LOG,
    LINUX_MIN_DOC,
    LINUX_MIN_SOURCE,
    LOG_MAX_BYTES,
    WIN_MIN_DOC,
    WIN_MIN_VMASSIST,
    WIN_ROOT,
    WIN_VERSION_KEY,
    Issue,
    _exists,
    _linux_restart_steps,
    _linux_services,
    _pick_linux_service,
    _win_reinstall_steps,
    combine,
)
from wizard.checks.agent.config import _sed_set
from wizard.checks.base import CheckContext, Finding, error_msg, m, not_in_bundle, step
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.docs import WIN_AGENT as DOC_WIN_AGENT
from wizard.i18n import N_
from wizard.model import FixStep, Status
from wizard.parsers import waagent as wa
from wizard.parsers import waappagent as wapp
from wizard.probes.base import Answer, is_unavailable

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
    _note_known_defect(evidence, goal or installed, parsed.python)
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


def crash_defect_applies(running: str | None, python: str | None) -> bool:
    """Whether the agent version and its Python are in the range of the format_exception crash."""
    py = wa.version_tuple(python)
    return (running is not None and py is not None and py[:2] >= (3, 10)
            and (wa.compare_versions(running, FORMAT_EXCEPTION_FIXED) or 0) < 0)


def _note_known_defect(evidence: dict[str, Any], running: str | None, python: str | None) -> None:
    """Name the known crash and its fixed version in the evidence, where an engineer reads the facts."""
    if crash_defect_applies(running, python):
        evidence["known_defect"] = {
            "affects": f"WALinuxAgent before {FORMAT_EXCEPTION_FIXED} on Python 3.10 and later",
            "confirmed_for": list(CRASH_CONFIRMED_VERSIONS),
            "fixed_in": FORMAT_EXCEPTION_FIXED,
            "source": "Azure/WALinuxAgent issue 2753, fixed by pull request 2663"}


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
    if crash_defect_applies(running, python):
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
        _note_known_defect(evidence, running, logged.python)
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
