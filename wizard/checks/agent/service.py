"""`agent.service`: are the VM agent's services running (Linux: walinuxagent/waagent; Windows:
WindowsAzureGuestAgent and RdAgent).
"""

from __future__ import annotations

from typing import Any

from wizard.checks.agent.common import (
    DOC_WIN_AGENT_OVERVIEW,
    E_AGENT_UNAVAILABLE,
    E_BACKUP_FAILED,
    E_SNAPSHOT_TASK,
    WHY_AGENT_NEEDED,
    WIN_SERVICES,
    Issue,
    _exists,
    _linux_enable_steps,
    _linux_reinstall_steps,
    _linux_restart_steps,
    _linux_services,
    _pick_linux_service,
    _service_evidence,
    _win_reinstall_steps,
    _win_restart_steps,
    combine,
)
from wizard.checks.base import CheckContext, Finding, error_msg, m, step
from wizard.checks.commands import cmd, sh
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import WIN_AGENT as DOC_WIN_AGENT
from wizard.knowledge import values
from wizard.model import Status
from wizard.probes.base import is_unavailable

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
