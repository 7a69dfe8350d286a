"""`agent.installed`: is the VM agent installed (Linux: waagent and its unit; Windows: the agent's
services, files and registry version).
"""

from __future__ import annotations

from typing import Any

from wizard.checks.agent.common import (
    DOC_WIN_AGENT_OVERVIEW,
    E_AGENT_UNAVAILABLE,
    E_NOT_DESIRABLE,
    E_VM_OFFLINE,
    LINUX_BINARIES,
    LINUX_CONF,
    LINUX_LIB,
    LINUX_UNITS,
    WHY_AGENT_NEEDED,
    WIN_RDAGENT_EXE,
    WIN_ROOT,
    WIN_SERVICES,
    Issue,
    _exists,
    _linux_enable_steps,
    _linux_reinstall_steps,
    _linux_services,
    _missing,
    _pick_linux_service,
    _service_evidence,
    _stat_evidence,
    _win_reinstall_steps,
    combine,
)
from wizard.checks.base import CheckContext, Finding, m, step
from wizard.checks.commands import sh
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import WIN_AGENT as DOC_WIN_AGENT
from wizard.model import Status, listed
from wizard.parsers import waappagent as wapp
from wizard.probes.base import is_unavailable

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
              missing=listed(missing_files)),
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
