"""`ext.prepost`: the `/etc/azure` pre/post script configuration and `vmbackup.conf`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.checks.base import CheckContext, Finding, error_msg, file_not_in_bundle, m, step
from wizard.checks.commands import sh
from wizard.checks.docs import LINUX_APP as DOC_LINUX_APP
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.ext.common import (
    ETC_AZURE,
    PLUGIN_CONFIG,
    PLUGIN_CONFIG_OLD,
    PLUGINHOST_CONF,
    VMBACKUP_CONF,
    _looked,
    _too_large,
)
from wizard.model import FixStep, Msg, Status, listed, worst
from wizard.parsers.extstatus import excerpt
from wizard.parsers.prepost import (
    MAX_CONFIG_BYTES,
    MAX_TIMEOUT_S,
    mode_text,
    parse_plugin_config,
    parse_pluginhost_conf,
    parse_vmbackup_conf,
    plugin_config_mode_ok,
    pluginhost_mode_ok,
    script_mode_ok,
)
from wizard.probes.base import Answer

# -- ext.prepost ------------------------------------------------------------------------------

@dataclass
class _Issue:
    """One finding about the pre/post configuration; the check reports the worst and lists all."""

    status: Status
    summary: Msg
    why: Msg | None = None
    fix: list[FixStep] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    escalates: bool = False  # becomes a problem when continueBackupOnFailure is false


def _owner_mode_issue(kind: str, path: str, st: Answer) -> _Issue | None:
    uid, mode = st.get("uid"), st.get("mode")
    if not isinstance(mode, int) or isinstance(mode, bool) or not isinstance(uid, int):
        return None
    mode_s = mode_text(mode)
    if kind == "config":
        if uid == 0 and plugin_config_mode_ok(mode):
            return None
        return _Issue(
            Status.WARNING,
            m("{path} has owner uid {uid} and mode {mode}; the backup extension requires owner root and mode 600 "
              "(no access for group and others, not executable).", path=path, uid=uid, mode=mode_s),
            why=m("The backup extension refuses a configuration file with other owners or permissions, so the "
                  "pre/post scripts do not run and the backup is not application-consistent."),
            fix=[step("Make root the owner of the configuration file and set mode 600.",
                      command=f"sudo chown root:root {sh(path)} && sudo chmod 600 {sh(path)}")],
            codes=["IncorrectJSONConfigFile"], escalates=True)
    if kind == "pluginhost":
        if uid == 0 and pluginhost_mode_ok(mode):
            return None
        return _Issue(
            Status.WARNING,
            m("{path} has owner uid {uid} and mode {mode}; the backup extension requires owner root and at most "
              "read permission for group and others.", path=path, uid=uid, mode=mode_s),
            why=m("The backup extension refuses a plug-in host file with other owners or permissions, so the "
                  "pre/post scripts do not run and the backup is not application-consistent."),
            fix=[step("Make root the owner of the plug-in host file and set mode 644 or stricter.",
                      command=f"sudo chown root:root {sh(path)} && sudo chmod 644 {sh(path)}")],
            codes=["IncorrectPluginhostFile"])
    if uid == 0 and script_mode_ok(mode):
        return None
    pre = kind == "pre"
    return _Issue(
        Status.WARNING,
        m("The pre-script {path} has owner uid {uid} and mode {mode}; the backup extension requires owner root "
          "and no permissions for group and others (the documentation asks for 700).", path=path, uid=uid,
          mode=mode_s) if pre else
        m("The post-script {path} has owner uid {uid} and mode {mode}; the backup extension requires owner root "
          "and no permissions for group and others (the documentation asks for 700).", path=path, uid=uid,
          mode=mode_s),
        why=m("The backup extension does not run a script with other owners or permissions, so the backup is "
              "not application-consistent."),
        fix=[step("Make root the owner of the script and set mode 700.",
                  command=f"sudo chown root:root {sh(path)} && sudo chmod 700 {sh(path)}")],
        codes=["InsufficientPermissionforPre-Script" if pre else "InsufficientPermissionforPost-Script"],
        escalates=True)


def _script_issues(ctx: CheckContext, which: str, path: str | None, config: str,
                   evidence: dict[str, Any]) -> list[_Issue]:
    pre = which == "pre"
    code = "Pre-ScriptNotFound" if pre else "Post-ScriptNotFound"
    entry: dict[str, Any] = {"path": path}
    evidence[which + "_script"] = entry
    fix = [step("Put the script's absolute path into the configuration file, or create the script there.")]
    why = m("The backup extension cannot run a script it cannot find, so the backup is not application-"
            "consistent.")
    if not path:
        summary = (m("The configuration {config} names no pre-script (preScriptLocation is empty).", config=config)
                   if pre else
                   m("The configuration {config} names no post-script (postScriptLocation is empty).",
                     config=config))
        return [_Issue(Status.WARNING, summary, why, fix, [code], escalates=True)]
    if not path.startswith("/"):
        return [_Issue(Status.WARNING,
                       m("The script path {path} in {config} is not absolute; the backup extension looks it up "
                         "from its own folder, so it is most likely not found.", path=path, config=config),
                       why, fix, [code], escalates=True)]
    st = ctx.call("stat", path=path)
    state = _looked(st)
    entry.update(state=state, uid=st.get("uid"), mode=mode_text(st.get("mode")), is_file=st.get("is_file"))
    if state in ("unavailable", "failed"):
        entry["error"] = str(st.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not look at the script {path} ({error}).",
                                             path=path, error=error_msg(st)))]
    if state == "absent" or not st.get("is_file"):
        summary = (m("The pre-script named in {config} does not exist: {path}.", config=config, path=path) if pre
                   else m("The post-script named in {config} does not exist: {path}.", config=config, path=path))
        return [_Issue(Status.WARNING, summary, why, fix, [code], escalates=True)]
    issue = _owner_mode_issue(which, path, st)
    return [issue] if issue else []


def _config_issues(ctx: CheckContext, path: str, expected_by_host: bool,
                   evidence: dict[str, Any]) -> tuple[list[_Issue], dict[str, Any] | None]:
    """Issues of one plug-in config file, and its parsed content (None when absent or unreadable)."""
    entry: dict[str, Any] = {"path": path}
    evidence.setdefault("plugin_configs", []).append(entry)
    st = ctx.call("stat", path=path)
    state = _looked(st)
    entry.update(state=state, uid=st.get("uid"), mode=mode_text(st.get("mode")))
    if state in ("unavailable", "failed"):
        entry["error"] = str(st.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not look at {path} ({error}).", path=path,
                                             error=error_msg(st)))], None
    if state == "absent":
        if not expected_by_host:
            return [], None
        return [_Issue(Status.WARNING,
                       m("The plug-in host file {host} names the configuration {path}, which does not exist.",
                         host=PLUGINHOST_CONF, path=path),
                       m("Without its configuration file the backup extension runs no pre/post scripts, so the "
                         "backup is not application-consistent."),
                       [step("Create the configuration file from the documentation's template, or correct "
                             "pluginConfigPath0 in the plug-in host file.")],
                       ["IncorrectJSONConfigFile"])], None
    issues: list[_Issue] = []
    owner = _owner_mode_issue("config", path, st)
    if owner:
        issues.append(owner)
    ans = ctx.call("read_file", path=path, max_bytes=MAX_CONFIG_BYTES)
    if _looked(ans) != "present":
        entry["read_error"] = str(ans.get("error") or "")[:200]
        issues.append(_Issue(Status.NOT_CHECKED,
                             m("Not checked: {path} exists but could not be read ({error}); run the wizard as "
                               "root.", path=path, error=error_msg(ans)) if ctx.is_admin is False else
                             m("Not checked: could not read {path} ({error}).", path=path,
                               error=error_msg(ans))))
        return issues, None
    parsed = parse_plugin_config(str(ans.get("text") or ""))
    broken_fix = [step("Replace the file with the template from the documentation and fill it in again.")]
    broken_why = m("The backup extension cannot load this configuration, so the pre/post scripts do not run and "
                   "the backup is not application-consistent.")
    if ans.get("truncated") or not parsed["ok"]:
        problem = _too_large(MAX_CONFIG_BYTES) if ans.get("truncated") else parsed
        entry["parse_error"] = problem["error"]
        entry["excerpt"] = excerpt(ans.get("text") or "", 300)
        issues.append(_Issue(Status.WARNING, m("The pre/post script configuration {path} is not valid JSON "
                                               "({error}).", path=path, error=error_msg(problem)),
                             broken_why, broken_fix, ["IncorrectJSONConfigFile"]))
        return issues, None
    entry.update({k: parsed[k] for k in ("keys", "pre_script", "post_script", "timeout", "continue_on_failure",
                                         "fs_freeze_enabled", "plugin_name", "pre_params_count",
                                         "post_params_count", "missing", "invalid")})
    for key in parsed["missing"]:
        issues.append(_Issue(Status.WARNING, m("The pre/post script configuration {path} lacks the required key "
                                               "{key}.", path=path, key=key),
                             broken_why, broken_fix, ["IncorrectJSONConfigFile"]))
    for key, value in parsed["invalid"].items():
        issues.append(_Issue(Status.WARNING, m("The value of {key} in {path} is not valid: {value}.", key=key,
                                               path=path, value=str(value)),
                             broken_why, broken_fix, ["IncorrectJSONConfigFile"]))
    if parsed["missing"]:
        return issues, parsed
    issues += _script_issues(ctx, "pre", parsed["pre_script"], path, entry)
    issues += _script_issues(ctx, "post", parsed["post_script"], path, entry)
    timeout = parsed["timeout"]
    if isinstance(timeout, int) and timeout > MAX_TIMEOUT_S:
        issues.append(_Issue(
            Status.WARNING,
            m("timeoutInSeconds in {path} is {timeout}; the backup extension caps it at 1800 seconds, so a script "
              "that runs longer times out.", path=path, timeout=timeout),
            m("A script that is stopped by the timeout fails the application-consistent part of the backup."),
            [step("Make the scripts finish within 1800 seconds and set timeoutInSeconds to 1800 or less.")],
            ["Pre-ScriptTimeout", "Post-ScriptTimeout"]))
    if parsed["fs_freeze_enabled"] is False:
        issues.append(_Issue(
            Status.INFO,
            m("fsFreezeEnabled is false in {path}: the backup extension does not freeze the file systems around "
              "the snapshot.", path=path),
            m("Without the freeze, the snapshot's consistency depends on your pre-script alone; Microsoft "
              "recommends keeping fsFreezeEnabled true.")))
    return issues, parsed


def _pluginhost(ctx: CheckContext, evidence: dict[str, Any]) -> tuple[list[_Issue], list[str], bool]:
    """Issues of the plug-in host file, the config paths it names, and whether it exists."""
    entry: dict[str, Any] = {"path": PLUGINHOST_CONF}
    evidence["pluginhost"] = entry
    st = ctx.call("stat", path=PLUGINHOST_CONF)
    state = _looked(st)
    entry.update(state=state, uid=st.get("uid"), mode=mode_text(st.get("mode")))
    if state in ("unavailable", "failed"):
        entry["error"] = str(st.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not look at {path} ({error}).",
                                             path=PLUGINHOST_CONF, error=error_msg(st)))], [PLUGIN_CONFIG], False
    if state == "absent":
        entry["note"] = ("absent: the extension then uses its own main/VMSnapshotPluginHost.conf, which names "
                         + PLUGIN_CONFIG)
        return [], [PLUGIN_CONFIG], False
    issues: list[_Issue] = []
    owner = _owner_mode_issue("pluginhost", PLUGINHOST_CONF, st)
    if owner:
        issues.append(owner)
    ans = ctx.call("read_file", path=PLUGINHOST_CONF, max_bytes=MAX_CONFIG_BYTES)
    if _looked(ans) != "present":
        entry["read_error"] = str(ans.get("error") or "")[:200]
        issues.append(_Issue(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).",
                                                   path=PLUGINHOST_CONF, error=error_msg(ans))))
        return issues, [PLUGIN_CONFIG], True
    parsed = parse_pluginhost_conf(str(ans.get("text") or ""))
    if not parsed["ok"]:
        entry["parse_error"] = parsed["error"]
        entry["excerpt"] = excerpt(ans.get("text") or "", 300)
        issues.append(_Issue(
            Status.WARNING,
            m("{path} cannot be read as the plug-in host configuration ({error}).", path=PLUGINHOST_CONF,
              error=error_msg(parsed)),
            m("The backup extension cannot load its plug-in host file, so the pre/post scripts do not run and the "
              "backup is not application-consistent."),
            [step("Restore the plug-in host file from the documentation (section [pre_post] with "
                  "timeoutInSeconds, numberOfPlugins, pluginName0, pluginPath0 and pluginConfigPath0).")],
            ["IncorrectPluginhostFile"]))
        return issues, [], True
    entry.update(timeout=parsed["timeout"], number_of_plugins=parsed["number_of_plugins"], plugins=parsed["plugins"])
    paths = [p["config_path"] for p in parsed["plugins"] if p["config_path"].startswith("/")]
    return issues, paths, True


def _vmbackup_issues(ctx: CheckContext, evidence: dict[str, Any]) -> list[_Issue]:
    ans = ctx.call("read_file", path=VMBACKUP_CONF, max_bytes=MAX_CONFIG_BYTES)
    entry: dict[str, Any] = {"path": VMBACKUP_CONF, "state": _looked(ans)}
    evidence["vmbackup_conf"] = entry
    if entry["state"] == "absent":
        return []
    if entry["state"] != "present":
        entry["error"] = str(ans.get("error") or "")[:200]
        return [_Issue(Status.NOT_CHECKED, m("Not checked: could not read {path} ({error}).", path=VMBACKUP_CONF,
                                             error=error_msg(ans)))]
    parsed = parse_vmbackup_conf(str(ans.get("text") or ""))
    if not parsed["ok"]:
        entry["parse_error"] = parsed["error"]
        return [_Issue(Status.INFO, m("{path} cannot be parsed ({error}); the backup extension then uses its "
                                      "default settings.", path=VMBACKUP_CONF, error=error_msg(parsed)))]
    entry.update(settings=parsed["settings"], mounts_to_skip=parsed["mounts_to_skip"])
    issues: list[_Issue] = []
    if parsed["fsfreeze"] is False:
        entry["fsfreeze_note"] = "the effect of fsfreeze False on consistency is worked out from the setting's name"
        issues.append(_Issue(
            Status.INFO,
            m("File-system freeze is turned off in {path} (fsfreeze: {value}).", path=VMBACKUP_CONF,
              value=str(parsed["fsfreeze_raw"])),
            m("Without fsfreeze the backup extension does not freeze the file systems during the snapshot, so the "
              "snapshots may not be file-system consistent."),
            [step("Unless you turned it off on purpose, set fsfreeze back to True in the [SnapshotThread] section.",
                  command="fsfreeze: True")]))
    if parsed["isanysnapshotfailed"] is True:
        issues.append(_Issue(
            Status.INFO,
            m("isanysnapshotfailed is {value} in {path}.", value=str(parsed["isanysnapshotfailed_raw"]),
              path=VMBACKUP_CONF),
            m("The documentation asks for this value to be False when Azure Site Recovery protects the VM and "
              "backups fail with ExtensionFailedSnapshotLimitReachedError."),
            [step("If Azure Site Recovery protects this VM, set isanysnapshotfailed to False in "
                  "/etc/azure/vmbackup.conf and schedule replication away from the backup time.",
                  command="isanysnapshotfailed = False")]))
    return issues


def check_prepost(ctx: CheckContext) -> Finding:
    evidence: dict[str, Any] = {}
    if ctx.in_bundle and ctx.absent_from_bundle(ctx.call("stat", path=ETC_AZURE)):
        return file_not_in_bundle(ETC_AZURE, evidence)
    issues, config_paths, host_exists = _pluginhost(ctx, evidence)
    configs: list[tuple[str, dict[str, Any] | None]] = []
    for path in config_paths[:4]:
        found, parsed = _config_issues(ctx, path, expected_by_host=host_exists, evidence=evidence)
        if parsed is not None and parsed.get("continue_on_failure") is False:
            for issue in found:
                if issue.escalates and issue.status is Status.WARNING:
                    issue.status = Status.PROBLEM
                    issue.why = m("continueBackupOnFailure is false in {path}, so this makes the backup fail.",
                                  path=path)
        issues += found
        configs.append((path, parsed))
    if PLUGIN_CONFIG_OLD not in config_paths:
        old = ctx.call("stat", path=PLUGIN_CONFIG_OLD)
        evidence["old_config_name"] = {"path": PLUGIN_CONFIG_OLD, "state": _looked(old)}
        if _looked(old) == "present":
            issues.append(_Issue(
                Status.INFO,
                m("{path} uses an older file name; the current backup extension reads {expected}.",
                  path=PLUGIN_CONFIG_OLD, expected=listed(config_paths) or PLUGIN_CONFIG),
                m("Scripts configured only in the old file do not run, so the backup is not application-"
                  "consistent."),
                [step("Move the settings into the file the extension reads.",
                      command=f"sudo mv {PLUGIN_CONFIG_OLD} {PLUGIN_CONFIG}")]))
    issues += _vmbackup_issues(ctx, evidence)
    statuses = [i.status for i in issues]
    evidence["findings"] = [{"status": i.status.value, "message": i.summary.id, "params": i.summary.to_dict()["params"]}
                            for i in issues]
    configured = [(p, c) for p, c in configs if c is not None]
    if not issues or worst(statuses) in (Status.OK, None):
        if not configured:
            return Finding(Status.OK, m("No pre/post scripts are configured ({path} does not exist), so Linux "
                                        "backups are file-system consistent.", path=PLUGIN_CONFIG),
                           docs=[DOC_LINUX_APP], evidence=evidence)
        path, cfg = configured[0]
        return Finding(Status.OK, m("Pre/post scripts are configured correctly in {path} (pre-script {pre}, "
                                    "post-script {post}, timeout {timeout} s).", path=path,
                                    pre=str(cfg.get("pre_script")), post=str(cfg.get("post_script")),
                                    timeout=cfg.get("timeout") if cfg.get("timeout") is not None else "-"),
                       docs=[DOC_LINUX_APP], evidence=evidence)
    top = worst(statuses) or Status.OK
    lead = next(i for i in issues if i.status is top)
    fixes: list[FixStep] = []
    codes: list[str] = []
    for issue in sorted(issues, key=lambda i: i.status.rank):
        if issue.status in (Status.PROBLEM, Status.WARNING, Status.INFO):
            fixes += [f for f in issue.fix if f not in fixes]
        if issue.status in (Status.PROBLEM, Status.WARNING):
            codes += [c for c in issue.codes if c not in codes]
    if len(issues) > 1:
        evidence["note"] = "the summary shows the most serious finding; 'findings' lists all of them"
    return Finding(top, lead.summary, why=lead.why, fix=fixes[:10], docs=[DOC_LINUX_APP, DOC_TS_VM],
                   error_codes=codes, evidence=evidence)
