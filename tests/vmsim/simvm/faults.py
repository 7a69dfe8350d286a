"""The faults staged on the running simulated VM, and the verdicts the wizard must give for each.

A `Fault` is set up for real inside the VM (a systemd unit stopped, a firewall rule, a mount, a
load, a file, or the emulator answering differently), the wizard runs inside the VM, and the
fault is undone. Faults that restart the agent or disturb its conversation with the WireServer
mark the VM disturbed, so the next fault first waits until the agent has reported a healthy
extension again (faults that stop or restart the agent themselves only wait until it runs); each
fault starts with a fresh waagent.log (rotated the way logrotate's
copytruncate does), so its agent.log verdict sees only what happened during the fault.

`Expect` is one verdict: a check's status (one or several acceptable), optionally a condition on
its evidence. `defect` names a known wizard defect that makes the expectation fail today; the
test is then marked xfail(strict) with that reason and the defect is described in
tests/vmsim/FINDINGS.md. A defect never excuses a failure of the simulation itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simvm import emulator as emu
from simvm.vm import DISK_IN_VM, HANDLER_DIR, REPO, SimVM, VMError

Evidence = dict[str, Any]

# -- known wizard defects: none left. A new one is named here as a string and passed as `defect=`,
# `root_defect=` or `exit_defect=`; the test is then xfail(strict) with that reason, and the defect is
# described in tests/vmsim/FINDINGS.md. ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One verdict of one check."""

    check: str
    status: str | tuple[str, ...]
    evidence: Callable[[Evidence], bool] | None = None
    shows: str = ""
    defect: str | None = None

    @property
    def statuses(self) -> tuple[str, ...]:
        return (self.status,) if isinstance(self.status, str) else self.status


@dataclass
class Fault:
    """A fault: how to stage it, how to undo it, and the verdicts it must get."""

    id: str
    title: str
    expects: list[Expect]
    root_cause: str | None
    exit_code: int
    setup: Callable[[SimVM], None] = lambda vm: None
    undo: Callable[[SimVM], None] = lambda vm: None
    user: str = "root"
    needs_healthy: bool = True
    root_defect: str | None = None
    exit_defect: str | None = None
    cpu_sensitive: bool = True
    rotate_log: bool = True
    notes: dict[str, Any] = field(default_factory=dict)


# -- helpers ---------------------------------------------------------------------------------------

def _ev(key: str, *path: str) -> Callable[[Evidence], Any]:
    def get(evidence: Evidence) -> Any:
        value: Any = evidence.get(key)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value
    return get


def _text(evidence: Evidence) -> str:
    return json.dumps(evidence, sort_keys=True)


def _restart_agent(vm: SimVM) -> None:
    vm.systemctl("restart", "walinuxagent")
    vm.wait_for(vm.agent_active, 30, "walinuxagent active after restart")
    vm.disturbed()


def _crash_count(vm: SimVM) -> int:
    from simvm.session import is_relaunch_line

    return sum(1 for line in vm.waagent_log().splitlines() if is_relaunch_line(line))


# -- the faults ------------------------------------------------------------------------------------

OK_OR_INFO = ("ok", "info")
NOT_PROBLEM = ("ok", "info", "warning")
HEALTHY_ROOT = [
    Expect("env.azure", "ok"),
    Expect("env.elevation", "ok"),
    Expect("env.guest_proxy_agent", "ok"),
    Expect("net.wireserver_port80", "ok"),
    Expect("net.wireserver_port32526", "ok"),
    Expect("net.wireserver_versions", "ok"),
    Expect("net.hostplugin_health", "ok"),
    Expect("net.imds", "ok"),
    Expect("net.proxy", "ok"),
    Expect("net.firewall", "ok",
           lambda e: bool(_ev("agent_rules", "iptables", "complete")(e)) and _ev("non_root", "80")(e) == "blocked",
           "the agent's own three rules (ACCEPT dport 53, ACCEPT uid 0, DROP INVALID,NEW) for 127.0.0.1 are "
           "recognised and non-root traffic to the WireServer is seen as blocked"),
    Expect("agent.installed", "ok"),
    Expect("agent.service", "ok"),
    Expect("agent.version", "warning", lambda e: "2.9.0.4" in _text(e),
           "names 2.9.0.4, the first version without the crash"),
    Expect("agent.config", "warning",
           lambda e: _ev("Provisioning.Agent", "effective")(e) == "disabled"
           and _ev("auto_update", "effective")(e) == "n",
           "Provisioning.Agent=disabled and AutoUpdate.Enabled=n as in the VM's waagent.conf"),
    # info, not ok: the agent's hard-coded IMDS address cannot be reached in the simulated VM (only loopback
    # exists), the agent logs that before it falls back, and the wizard honestly reports the log lines.
    Expect("agent.log", OK_OR_INFO,
           lambda e: bool(_ev("healthy_markers", "heartbeat", "count_last_24h")(e))
           and not _ev("other_errors", "count_last_24h")(e)
           and set(e.get("signatures") or {}) <= {"imds_unreachable", "firewall_added"},
           "the agent's heartbeat seen, no error reported (at most the IMDS fallback as info)"),
    Expect("agent.python", "ok", lambda e: e.get("picked") == "/usr/bin/python3"),
    Expect("ext.backup", "ok", lambda e: _ev("inner_report", "status")(e) == "success",
           "the status file the extension wrote is read (inner report: success)"),
    Expect("ext.others", "ok"),
    Expect("ext.prepost", "ok"),
    Expect("res.cpu", OK_OR_INFO),
    Expect("res.memory", "ok"),
    Expect("res.disk", "ok", lambda e: _ev("waagent_mount", "target")(e) == "/",
           "the mount holding /var/lib/waagent is found in /proc/mounts"),
    Expect("res.mounts", OK_OR_INFO, lambda e: e.get("duplicate_targets") == {}, "no duplicate mount point"),
    Expect("res.disk_layout", "ok"),
    # issue 17 (VM assist's agent-health checks); added without a vmsim run, see CHANGELOG
    Expect("guest.unit", OK_OR_INFO, lambda e: e.get("unit") == "walinuxagent.service",
           "the VM's own walinuxagent unit, active"),
    Expect("guest.agent_python", OK_OR_INFO,
           lambda e: e.get("python") == "/usr/bin/python3"
           and _ev("self_report", "modules", "azurelinuxagent.agent")(e) == "ok",
           "the agent's /usr/bin/python3 loads the agent's own module"),
    Expect("guest.agent_package", OK_OR_INFO, lambda e: e.get("package") == "waagent",
           "Debian's waagent package owns the agent's unit and program"),
]

HEALTHY_USER = [
    Expect("env.elevation", "warning", lambda e: e.get("user") == "vmuser"),
    Expect("net.wireserver_port80", "not_checked", lambda e: e.get("outcome") == "timeout",
           "the agent's own DROP rule really swallowed the non-root connection (timeout)"),
    Expect("net.wireserver_port32526", "not_checked", lambda e: e.get("outcome") == "timeout"),
    Expect("net.wireserver_versions", "not_checked"),
    Expect("net.hostplugin_health", "not_checked"),
    Expect("net.firewall", "not_checked"),
    Expect("net.imds", "ok"),
    Expect("ext.backup", "not_checked"),
    Expect("agent.service", "ok"),
    Expect("agent.config", "warning"),
]


def _extension_error_setup(vm: SimVM) -> None:
    vm.set_faults({}, incarnation=2, extension={"seq_no": 1, "public_settings": {
        "vmsimStatus": "error", "vmHealthStatusCode": 121, "extErrorCode": "FailedRetryableFsFreezeFailed",
        "message": "vmsim: simulated extension error, vmHealthStatusCode 121"}})
    vm.wait_for(lambda: vm.exists(f"{HANDLER_DIR}/status/1.status"), 90, "the extension's status file 1.status")
    vm.wait_for(lambda: bool(vm.status_uploads(time.time() - 1)), 30, "a status upload with the new status")


def _extension_error_undo(vm: SimVM) -> None:
    vm.set_faults({}, incarnation=3, extension={"seq_no": 2, "public_settings": {"vmsimStatus": "success"}})
    vm.wait_for(lambda: vm.exists(f"{HANDLER_DIR}/status/2.status"), 90, "the extension's status file 2.status")
    vm.disturbed()


def _goalstate_410_setup(vm: SimVM) -> None:
    vm.set_faults({"wireserver": {"status": 410, "paths": ["goalstate"], "body": "goalstate_410_resource_gone.xml"}})
    vm.wait_for(lambda: _crash_count(vm) >= 2, 60, "two crashes of the extension handler (Debian 12 defect)")
    vm.notes["crash_log"] = vm.waagent_log()


def _iptables_rule(action: str) -> list[str]:
    return ["iptables", "-w", action, "OUTPUT", "-d", "127.0.0.1/32", "-p", "tcp", "--dport", "80", "-j", "DROP"]


def _iptables_setup(vm: SimVM) -> None:
    vm.exec(_iptables_rule("-I"))
    probe = vm.exec(["curl", "-sS", "-m", "2", "-o", "/dev/null", "http://127.0.0.1/?comp=versions"], check=False)
    if probe.returncode != 28:
        raise VMError(f"the DROP rule did not stop root's connection (curl exit {probe.returncode})")


NFT_TABLE = "vmsim_block"


def _nft_setup(vm: SimVM) -> None:
    vm.exec(["nft", "add", "table", "inet", NFT_TABLE])
    vm.exec(["nft", "add", "chain", "inet", NFT_TABLE, "output",
             "{ type filter hook output priority 0 ; policy accept ; }"])
    vm.exec(["nft", "add", "rule", "inet", NFT_TABLE, "output", "ip", "daddr", "127.0.0.1", "tcp", "dport",
             str(emu.HOSTPLUGIN[1]), "drop"])
    listed = vm.exec(["iptables", "-w", "-S"]).stdout + vm.exec(["iptables", "-w", "-t", "security", "-S"]).stdout
    if "32526" in listed:
        raise VMError("the nftables-only rule is visible to iptables; it must live in nftables only")


def _cpu_setup(vm: SimVM) -> None:
    cores = int(vm.exec(["nproc"]).stdout.strip())
    vm.exec(["systemd-run", "--unit=vmsim-cpuhog", "--property=Description=vmsim CPU hog", "python3",
             f"{REPO}/tests/vmsim/simvm/hogs.py", "cpu", str(2 * cores)])
    time.sleep(2.0)


def _memory_setup(vm: SimVM) -> None:
    vm.exec(["systemd-run", "--unit=vmsim-memhog", "--property=OOMScoreAdjust=1000",
             "--property=Description=vmsim memory hog", "python3", f"{REPO}/tests/vmsim/simvm/hogs.py", "memory",
             "/run/vmsim-memhog.ready"])
    vm.wait_for(lambda: vm.exists("/run/vmsim-memhog.ready"), 180, "the memory hog to hold its memory", interval=1.0)


def _stop_unit(unit: str) -> Callable[[SimVM], None]:
    def undo(vm: SimVM) -> None:
        vm.systemctl("stop", unit, check=False)
        vm.exec(["rm", "-f", "/run/vmsim-memhog.ready"])
    return undo


PLUGIN_CONFIG = "/etc/azure/VMSnapshotScriptPluginConfig.json"


def _prepost_setup(vm: SimVM) -> None:
    config = json.loads((REPO / "tests/data/vmsim/VMSnapshotScriptPluginConfig.json").read_text(encoding="utf-8"))
    config["preScriptLocation"] = "/etc/azure/prescript.sh"
    config["postScriptLocation"] = "/etc/azure/postscript.sh"
    script = "#!/bin/sh\nlogger -t vmsim \"$0 $*\"\n"
    vm.exec(["mkdir", "-p", "/etc/azure"])
    vm.exec(["sh", "-c", "cat > " + PLUGIN_CONFIG], input=json.dumps(config, indent=4) + "\n")
    for path in ("/etc/azure/prescript.sh", "/etc/azure/postscript.sh"):
        vm.exec(["sh", "-c", f"cat > {path}"], input=script)
        vm.exec(["chmod", "0755", path])
        vm.exec(["chown", "vmuser:vmuser", path])
    vm.exec(["chmod", "0644", PLUGIN_CONFIG])
    vm.exec(["chown", "vmuser:vmuser", PLUGIN_CONFIG])


def _prepost_flagged(evidence: Evidence) -> bool:
    configs = evidence.get("plugin_configs") or []
    config = next((c for c in configs if c.get("path") == PLUGIN_CONFIG), {})
    warnings = [f for f in evidence.get("findings") or [] if f.get("status") == "warning"]
    return (config.get("uid") == 1000 and (config.get("pre_script") or {}).get("uid") == 1000
            and (config.get("post_script") or {}).get("uid") == 1000 and len(warnings) >= 3)


HIDDEN_PYTHON = "/usr/bin/.python3.hidden-by-vmsim"


def _no_python_setup(vm: SimVM) -> None:
    vm.exec(["mv", "/usr/bin/python3", HIDDEN_PYTHON])
    result = vm.exec(["sh", "-c", f"cd {HANDLER_DIR} && sh main/handle.sh enable"], check=False)
    if result.returncode == 0 or "python version unknown" not in result.stderr:
        raise VMError(f"the extension's launcher still found a Python: {result.returncode} {result.stderr}")


def _duplicate_mount_setup(vm: SimVM) -> None:
    vm.exec(["mkdir", "-p", "/data"])
    vm.exec(["mount", "--bind", DISK_IN_VM, "/data"])
    vm.exec(["mount", "--bind", DISK_IN_VM, "/data"])
    fstype = vm.exec(["findmnt", "-n", "-o", "FSTYPE", "--target", "/data"]).stdout.split()
    if not fstype or fstype[0] not in ("ext3", "ext4", "xfs", "btrfs"):
        raise VMError(f"/data is on {fstype}: the duplicate mount needs a file system the extension freezes "
                      "(ext4/xfs/btrfs) below the run folder on this machine")


def _duplicate_mount_undo(vm: SimVM) -> None:
    vm.exec(["sh", "-c", "umount /data; umount /data; rmdir /data"], check=False)


def _noexec_setup(vm: SimVM) -> None:
    vm.exec(["mount", "--bind", "/var/lib/waagent", "/var/lib/waagent"])
    vm.exec(["mount", "-o", "remount,bind,noexec", "/var/lib/waagent"])
    result = vm.exec([f"{HANDLER_DIR}/main/handle.sh", "install"], check=False)
    if result.returncode != 126:
        raise VMError(f"the handler's script still runs below a noexec /var/lib/waagent (exit {result.returncode})")


def _conf_edit(key: str, value: str) -> Callable[[SimVM], None]:
    def setup(vm: SimVM) -> None:
        vm.exec(["cp", "-p", "/etc/waagent.conf", "/etc/waagent.conf.vmsim-saved"])
        vm.exec(["sed", "-i", f"s/^{key}=.*/{key}={value}/", "/etc/waagent.conf"])
        if f"\n{key}={value}\n" not in "\n" + vm.read("/etc/waagent.conf"):
            raise VMError(f"{key} was not set in /etc/waagent.conf")
        _restart_agent(vm)
    return setup


def _conf_restore(vm: SimVM) -> None:
    vm.exec(["mv", "/etc/waagent.conf.vmsim-saved", "/etc/waagent.conf"])
    vm.rotate_log()
    _restart_agent(vm)


PROXY_DROPIN = "/etc/systemd/system/walinuxagent.service.d/20-vmsim-proxy.conf"
PROXY = "http://127.0.0.9:3128"


def _proxy_setup(vm: SimVM) -> None:
    vm.exec(["sh", "-c", f"cat > {PROXY_DROPIN}"],
            input=f'[Service]\nEnvironment="http_proxy={PROXY}" "https_proxy={PROXY}"\n')
    vm.systemctl("daemon-reload")
    _restart_agent(vm)
    pid = vm.systemctl("show", "walinuxagent", "--property=MainPID", "--value")
    environ = vm.exec(["cat", f"/proc/{pid}/environ"]).stdout
    if f"http_proxy={PROXY}" not in environ:
        raise VMError("the agent's process did not get the proxy from the drop-in")


def _proxy_undo(vm: SimVM) -> None:
    vm.exec(["rm", "-f", PROXY_DROPIN])
    vm.systemctl("daemon-reload")
    vm.rotate_log()
    _restart_agent(vm)


def _start_agent(vm: SimVM) -> None:
    vm.rotate_log()
    vm.systemctl("start", "walinuxagent")
    vm.wait_for(vm.agent_active, 30, "walinuxagent active")
    vm.disturbed()


def _stop_agent(vm: SimVM) -> None:
    vm.systemctl("stop", "walinuxagent")
    if vm.agent_active():
        raise VMError("walinuxagent is still active after systemctl stop")


def _emulator(faults: dict[str, Any]) -> Callable[[SimVM], None]:
    return lambda vm: vm.set_faults(faults)


def _clear_emulator(vm: SimVM) -> None:
    vm.set_faults({})
    vm.disturbed()


def _blocked_rule(evidence: Evidence, *words: str) -> bool:
    rule = json.dumps(evidence.get("blocking_rule") or {})
    return all(word in rule for word in words)


FAULTS: list[Fault] = [
    Fault("healthy_root", "healthy VM, wizard as root", HEALTHY_ROOT, None, 1, rotate_log=False),
    Fault("healthy_user", "healthy VM, wizard as an unprivileged user (the agent's own owner-match rules)",
          HEALTHY_USER, "env.elevation", 1, user="vmuser", rotate_log=False),
    Fault("extension_error_code", "the backup extension reports an error code (vmHealthStatusCode 121)",
          [Expect("ext.backup", "problem", lambda e: _ev("inner_report", "health_code")(e) == 121,
                  "the inner report's vmHealthStatusCode 121 (FsFreezeFailed)")],
          "ext.backup", 2, _extension_error_setup, _extension_error_undo),
    Fault("goalstate_410_crash_loop", "WireServer answers 410 to goal-state requests after start-up",
          [Expect("agent.log", "problem",
                  lambda e: "format_exception" in _text(e) and "2.9.0.4" in _text(e),
                  "recognises the 2.7.3.0/Python 3.11 crash loop and names the fixed version"),
           Expect("agent.service", "ok"),
           Expect("net.wireserver_versions", "ok")],
          "agent.log", 2, _goalstate_410_setup, _clear_emulator),
    Fault("iptables_drop_wireserver", "iptables DROP of the WireServer's port 80 for every user",
          [Expect("net.wireserver_port80", "problem", lambda e: e.get("outcome") == "timeout"),
           Expect("net.wireserver_versions", "problem"),
           Expect("net.firewall", "problem", lambda e: _blocked_rule(e, "127.0.0.1/32", "--dport 80", "DROP"),
                  "names the DROP rule"),
           Expect("net.wireserver_port32526", "ok")],
          "net.firewall", 2, _iptables_setup, lambda vm: (vm.exec(_iptables_rule("-D")), vm.disturbed())),
    Fault("nft_drop_hostplugin", "an nftables-only DROP of port 32526 (invisible to iptables)",
          [Expect("net.wireserver_port32526", "problem", lambda e: e.get("outcome") == "timeout"),
           Expect("net.hostplugin_health", "problem"),
           Expect("net.firewall", "problem", lambda e: NFT_TABLE in _text(e.get("blocking_rule") or {}),
                  "names the nft rule"),
           Expect("net.wireserver_port80", "ok")],
          "net.firewall", 2, _nft_setup,
          lambda vm: (vm.exec(["nft", "delete", "table", "inet", NFT_TABLE]), vm.disturbed())),
    Fault("hostplugin_slow", "HostGAPlugin answers after 2.5 s (slow, within every timeout)",
          [Expect("net.hostplugin_health", "ok", lambda e: (e.get("elapsed_ms") or 0) >= 2500,
                  "waited for the slow answer (elapsed >= 2500 ms)"),
           Expect("net.wireserver_port32526", "ok")],
          None, 1, _emulator({"hostplugin": {"delay_s": 2.5}}), _clear_emulator),
    Fault("hostplugin_blackhole", "HostGAPlugin accepts connections and never answers",
          [Expect("net.wireserver_port32526", "ok"),
           Expect("net.hostplugin_health", "problem", lambda e: e.get("outcome") == "timeout")],
          "net.hostplugin_health", 2, _emulator({"hostplugin": {"blackhole": True}}), _clear_emulator),
    Fault("hostplugin_502_body", "HostGAPlugin answers 502 with its JSON error body",
          [Expect("net.hostplugin_health", "warning",
                  lambda e: "VMArtifactsProfileBlobContentNotFound" in json.dumps(
                      {k: v for k, v in e.items() if k != "body_excerpt"}),
                  "the error code and message parsed out of the JSON body")],
          "net.hostplugin_health", 1,
          _emulator({"hostplugin": {"status": 502, "body": "vmsettings_502_blob_content_not_found.json"}}),
          _clear_emulator),
    Fault("ephemeral_os_disk", "IMDS describes an ephemeral OS disk (the documentation's Linux sample as-is)",
          [Expect("res.disk_layout", "problem", lambda e: _ev("os_disk", "diff_disk_option")(e) == "Local"),
           Expect("net.imds", "ok")],
          "res.disk_layout", 2, _emulator({"imds": {"document": "instance_linux_doc.json"}}),
          lambda vm: vm.set_faults({})),
    Fault("cpu_hog", "a service keeps every CPU busy (> 90 %)",
          [Expect("res.cpu", "problem", lambda e: (e.get("percent_excluding_self") or 0) > 90)],
          "res.cpu", 2, _cpu_setup, _stop_unit("vmsim-cpuhog"), cpu_sensitive=False),
    Fault("memory_hog", "a service holds more than 90 % of the memory",
          [Expect("res.memory", "problem", lambda e: (e.get("percent") or 0) > 90)],
          "res.memory", 2, _memory_setup, _stop_unit("vmsim-memhog")),
    Fault("prepost_wrong_owner_mode", "pre/post script config and scripts owned by a user, group/world readable",
          [Expect("ext.prepost", "warning", _prepost_flagged, "flags the config file and both scripts (uid 1000)")],
          "ext.prepost", 1, _prepost_setup, lambda vm: vm.exec(["rm", "-rf", "/etc/azure"])),
    Fault("no_python3", "no python3 for the extension's launcher",
          [Expect("agent.python", "problem", lambda e: e.get("found") == []),
           Expect("guest.agent_python", "problem", lambda e: e.get("python") == "/usr/bin/python3",
                  "the agent's own interpreter is gone too (shown under agent.python)")],
          "agent.python", 2, _no_python_setup, lambda vm: vm.exec(["mv", HIDDEN_PYTHON, "/usr/bin/python3"])),
    Fault("duplicate_mount", "a file system mounted twice on /data",
          [Expect("res.mounts", "problem", lambda e: "/data" in (e.get("duplicate_targets") or {}),
                  "names /data")],
          "res.mounts", 2, _duplicate_mount_setup, _duplicate_mount_undo),
    Fault("waagent_noexec", "/var/lib/waagent mounted noexec",
          [Expect("res.disk", "problem", lambda e: "noexec" in str(_ev("waagent_mount", "options")(e)),
                  "the noexec mount over /var/lib/waagent")],
          "res.disk", 2, _noexec_setup, lambda vm: vm.exec(["umount", "/var/lib/waagent"])),
    Fault("agent_disabled", "walinuxagent disabled (still running)",
          [Expect("agent.service", "warning", lambda e: _ev("services", "walinuxagent", "enabled")(e) == "disabled")],
          "agent.service", 1, lambda vm: vm.systemctl("disable", "walinuxagent"),
          lambda vm: vm.systemctl("enable", "walinuxagent")),
    Fault("wireserver_503", "WireServer answers 503 to everything",
          [Expect("net.wireserver_versions", "warning", lambda e: e.get("status") == 503),
           Expect("net.wireserver_port80", "ok")],
          "net.wireserver_versions", 1, _emulator({"wireserver": {"status": 503}}), _clear_emulator),
    Fault("agent_stopped", "walinuxagent stopped",
          [Expect("agent.service", "problem", lambda e: _ev("services", "walinuxagent", "state")(e) == "stopped"),
           Expect("agent.installed", "ok"),
           Expect("guest.unit", "problem", lambda e: e.get("unit") == "walinuxagent.service",
                  "the stopped unit (shown under agent.service)")],
          "agent.service", 2, _stop_agent, _start_agent, needs_healthy=False),
    Fault("extensions_disabled", "Extensions.Enabled=n in /etc/waagent.conf (agent restarted)",
          [Expect("agent.config", "problem", lambda e: _ev("Extensions.Enabled", "effective")(e) == "n")],
          "agent.config", 2, _conf_edit("Extensions.Enabled", "n"), _conf_restore, needs_healthy=False),
    Fault("proxy_dropin_without_no_proxy", "a proxy for the agent in a systemd drop-in, without no_proxy",
          [Expect("net.proxy", "warning",
                  lambda e: "127.0.0.9:3128" in _text(e) and "systemd_dropin" in _text(e)
                  and "agent_process" in _text(e),
                  "both the drop-in and the running agent's environment")],
          "net.proxy", 1, _proxy_setup, _proxy_undo, needs_healthy=False),
]


def by_id() -> dict[str, Fault]:
    return {f.id: f for f in FAULTS}
