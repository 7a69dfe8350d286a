"""`agent.config`: the settings in /etc/waagent.conf that backup needs (extensions enabled,
provisioning, auto-update).
"""

from __future__ import annotations

from typing import Any

from wizard.checks.agent.common import (
    CONF_MAX_BYTES,
    E_AGENT_UNAVAILABLE,
    E_MANAGED_DISKS,
    E_SNAPSHOT_TASK,
    LINUX_CONF,
    Issue,
    _linux_reinstall_steps,
    _linux_restart_steps,
    _linux_services,
    _pick_linux_service,
    combine,
)
from wizard.checks.base import CheckContext, Finding, error_msg, file_not_in_bundle, m, step
from wizard.checks.commands import RERUN_AS_ROOT
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.model import Status
from wizard.parsers import waagent as wa
from wizard.probes.base import is_unavailable

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
