"""The Linux agent-health checks of VM assist (`vmassist.sh` / `vmassist.py`) that the wizard lacked (issue 17).

- `guest.unit`: the agent's own systemd unit: loaded or masked, active, and how often systemd restarted it
  (`NRestarts`, automatic restarts by `Restart=`). VM assist: "Agent Service - status", "Unit file".
- `guest.agent_python`: the Python the agent actually runs: the running process's interpreter (its command
  line), else the unit's `ExecStart`, else waagent's `#!` line (VM assist reads the unit's ExecStart, then
  waagent's first line), its version (Python 2 is a problem: VM assist) and whether it loads the
  `azurelinuxagent` module (VM assist "mod waagent") and `requests` ("mod requests").
- `guest.agent_package`: which package owns the agent's unit / program and which repository it came from
  (VM assist: "Unit package", "Repo for Unit"); no owning package means a manual install (from GitHub or
  setup.py), which Microsoft does not support where the distribution packages the agent.

Known false positives VM assist documents (vmassist/linux/docs/tux.md), and how these checks avoid them:
- its list of "distribution" repositories is static, so a distribution's own repository it does not know is
  flagged: an unknown repository here is information, never a problem;
- a systemd *preset* of disabled is normal (packages enable the unit themselves): only the unit's own
  state is judged (`agent.service` judges enabled/disabled);
- on Red Hat 8 `/usr/bin/python3` may point to `platform-python`, which is right: the interpreter is judged
  by what it is and what it loads, not by its name;
- more than one Python in /usr/bin is informational only (not judged here);
- `requests` is not a dependency of the agent package: failing to load it is information.

On a collected bundle (`--root`) everything is read through the --root guard: unit files, waagent's `#!`
line and dpkg's file lists; what needs the running VM (systemctl, the process list, running Python, rpm,
apt-cache, dnf, zypper) is said to be not checked.
"""

from __future__ import annotations

import posixpath
from typing import Any

from wizard.checks.agent.common import LINUX_BINARIES, LINUX_UNITS
from wizard.checks.base import CheckContext, Finding, error_msg, file_not_in_bundle, m, not_in_bundle, step
from wizard.checks.commands import sh
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.guest.common import DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX
from wizard.model import Status
from wizard.parsers import guest as gp
from wizard.parsers import waagent as wa
from wizard.probes.base import is_unavailable

AGENT_CODES = ("UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError")
UNIT_NAMES = ("walinuxagent.service", "waagent.service")
UNIT_PROPS = "Id,LoadState,ActiveState,SubState,Result,NRestarts,UnitFileState,FragmentPath,ExecMainStatus"
SYSTEMCTL_ARGV = ["systemctl", "show", *UNIT_NAMES, "-p", UNIT_PROPS, "--no-pager"]
RESTARTS_WARN = 3
# VM assist (vmassist.py) flags a binary whose path contains "local", "opt" or "home"; folders here, so that
# /usr/lib/python3/dist-packages or /usr/libexec/platform-python are not caught by a substring.
QUESTIONABLE_DIRS = ("/local/", "/opt/", "/home/")
PYTHON_PROBE = ("import sys\n"
                "print('version=%d.%d.%d' % tuple(sys.version_info[:3]))\n"
                "for name in ('azurelinuxagent.agent', 'requests'):\n"
                "    try:\n"
                "        __import__(name)\n"
                "        print('module %s=ok' % name)\n"
                "    except Exception as exc:\n"
                "        print('module %s=fail %s' % (name, type(exc).__name__))\n")
DPKG_LISTS = ("/var/lib/dpkg/info/walinuxagent.list", "/var/lib/dpkg/info/waagent.list")
DPKG_STATUS = "/var/lib/dpkg/status"
# Repository strings VM assist treats as the distribution's own (tux.md "Repositories"), and the hosts of the
# distributions' own archives (an apt source line names the archive's URL).
DISTRIBUTION_ORIGINS = ("azurelinux", "origin: ubuntu", "@system", "anaconda", "rhui", "appstream", "sle-module",
                        "archive.ubuntu.com", "security.ubuntu.com", "ports.ubuntu.com", "deb.debian.org",
                        "security.debian.org", "debian-archive.trafficmanager.net", "mariner", "baseos", "sles",
                        "suse")
FALSE_POSITIVE_NOTE = ("VM assist's list of distribution repositories is static, so it flags distribution "
                       "repositories it does not know (tux.md); an unknown repository is information here")


# --- guest.unit -------------------------------------------------------------------------------

def _unit_files(ctx: CheckContext) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in LINUX_UNITS:
        ans = ctx.call("read_file", path=path, max_bytes=64 * 1024)
        if ans.get("readable"):
            out[path] = str(ans.get("text") or "")
    return out


def check_unit(ctx: CheckContext) -> Finding:
    if ctx.in_bundle:
        # its state and restart count need the running VM; the unit files the bundle holds are evidence
        return not_in_bundle({"unit_files": sorted(_unit_files(ctx))})
    ans = ctx.call("run", argv=SYSTEMCTL_ARGV, timeout=10.0)
    evidence: dict[str, Any] = {"command": " ".join(SYSTEMCTL_ARGV)}
    if is_unavailable(ans) or not ans.get("found") or ans.get("timed_out"):
        return Finding(Status.NOT_CHECKED, m("Not checked: systemctl could not be asked about the agent's unit."),
                       evidence={**evidence, "error": ans.get("error")})
    blocks = gp.parse_systemctl_blocks(str(ans.get("stdout") or ""))
    evidence["units"] = blocks
    unit = next((b for b in blocks if b.get("LoadState") in ("loaded", "masked")), None)
    if unit is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: there is no agent unit (walinuxagent or waagent); see "
                                             "the agent installation check."), evidence=evidence)
    name = unit.get("Id") or "waagent.service"
    restarts = gp.to_int(unit.get("NRestarts"))
    evidence.update(unit=name, restarts=restarts)
    if unit.get("LoadState") == "masked":
        return Finding(Status.PROBLEM, m("The agent's unit {unit} is masked.", unit=name),
                       why=m("A masked unit cannot start at all, so the agent does not run and backups fail."),
                       fix=[step("Unmask it, enable it and start it.",
                                 command=f"sudo systemctl unmask {sh(name)} && "
                                         f"sudo systemctl enable --now {sh(name)}")],
                       docs=[DOC_LINUX_AGENT, DOC_VMASSIST_LINUX], error_codes=list(AGENT_CODES), evidence=evidence)
    active = unit.get("ActiveState") or "unknown"
    if active != "active":
        return Finding(Status.PROBLEM,
                       m("The agent's unit {unit} is not active (state: {state}, result: {result}).",
                         unit=name, state=active, result=unit.get("Result") or "-"),
                       why=m("While the agent's unit is not active the agent does not answer Azure, and backups fail "
                             "with the agent unavailable."),
                       fix=[step("Start it and read why it stopped.",
                                 command=f"sudo systemctl start {sh(name)}; "
                                         f"sudo journalctl -u {sh(name)} -n 100 --no-pager")],
                       docs=[DOC_LINUX_AGENT], error_codes=list(AGENT_CODES), evidence=evidence)
    if restarts is not None and restarts >= RESTARTS_WARN:
        return Finding(Status.WARNING,
                       m("systemd has restarted the agent's unit {unit} {count} times.", unit=name, count=restarts),
                       why=m("An agent that keeps crashing misses the backup's requests; this explains intermittent "
                             "agent-unavailable failures."),
                       fix=[step("Read the agent's journal around the restarts for the reason.",
                                 command=f"sudo journalctl -u {sh(name)} -n 200 --no-pager")],
                       docs=[DOC_LINUX_AGENT], error_codes=list(AGENT_CODES), evidence=evidence)
    if restarts:
        return Finding(Status.INFO, m("The agent's unit {unit} is active; systemd restarted it {count} times.",
                                      unit=name, count=restarts), evidence=evidence)
    return Finding(Status.OK, m("The agent's unit {unit} is active and has not been restarted by systemd.", unit=name),
                   evidence=evidence)


# --- guest.agent_python -----------------------------------------------------------------------

def _process_python(ctx: CheckContext) -> str | None:
    ans = ctx.call("processes")
    for p in (ans.get("processes") or [])[:2000] if not is_unavailable(ans) else []:
        cmdline = str(p.get("cmdline") or "")
        if p.get("username") != "root":  # anyone can start a process that looks like the agent
            continue
        if "waagent" not in cmdline or ("-daemon" not in cmdline and "-run-exthandlers" not in cmdline):
            continue
        first = cmdline.split()[0] if cmdline.split() else ""
        if posixpath.basename(first).startswith(("python", "platform-python")):
            return first[:300]
    return None


def _sources(ctx: CheckContext, units: dict[str, str]) -> dict[str, str | None]:
    unit_python = next((p for p in (wa.interpreter_from_unit(t) for t in units.values()) if p), None)
    shebang = None
    for binary in LINUX_BINARIES:
        ans = ctx.call("read_file", path=binary, max_bytes=64 * 1024)
        if ans.get("readable") and not ans.get("truncated"):
            shebang = wa.interpreter_from_shebang(str(ans.get("text") or ""))
            if shebang:
                break
    process = None if ctx.in_bundle else _process_python(ctx)
    return {"process": process, "unit_execstart": unit_python, "waagent_shebang": shebang}


def check_agent_python(ctx: CheckContext) -> Finding:
    units = _unit_files(ctx)
    sources = _sources(ctx, units)
    evidence: dict[str, Any] = {"sources": sources, "unit_files": sorted(units)}
    python = sources["process"] or sources["unit_execstart"] or sources["waagent_shebang"]
    if not python:
        if ctx.in_bundle:
            return file_not_in_bundle(LINUX_BINARIES[0], evidence)
        return Finding(Status.NOT_CHECKED, m("Not checked: no agent unit, process or waagent program names a Python; "
                                             "see the agent installation check."), evidence=evidence)
    if not python.startswith("/"):
        evidence["named"] = python
        python = "/usr/bin/" + posixpath.basename(python)  # as found on PATH by `env`: assumed /usr/bin
    evidence["python"] = python
    stat = ctx.call("stat", path=python)
    if not is_unavailable(stat) and stat.get("exists") is False:
        if ctx.absent_from_bundle(stat):
            return file_not_in_bundle(python, evidence)
        return Finding(Status.PROBLEM,
                       m("The Python the agent is set to run, {python}, does not exist.", python=python),
                       why=m("Without its interpreter the agent cannot start, and backups fail with the agent "
                             "unavailable."),
                       fix=_reinstall_steps(), docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX],
                       error_codes=list(AGENT_CODES), evidence=evidence)
    base = posixpath.basename(python)
    mode = stat.get("mode")
    if not ctx.in_bundle and (stat.get("uid") != 0 or not isinstance(mode, int) or mode & 0o022):
        # the wizard runs as root: it runs only an interpreter that only root can change
        evidence.update(uid=stat.get("uid"), mode=oct(mode) if isinstance(mode, int) else mode)
        return Finding(Status.WARNING,
                       m("The agent's Python {python} is not owned by root, or other users can change it; the wizard "
                         "did not run it.", python=python),
                       why=m("The agent runs as root with this interpreter, so anyone who can change it can run code "
                             "as root; the distribution's Python is owned by root and writable by root only."),
                       fix=[step("Look at who owns the interpreter and who may write to it.",
                                 command=f"ls -lL {sh(python)}")],
                       docs=[DOC_VMASSIST_LINUX], evidence=evidence)
    if ctx.in_bundle:
        if base.startswith("python2") or base == "python2":
            return _python2(python, evidence)
        return Finding(Status.INFO, m("The agent runs {python}; whether it loads the agent's modules needs the running "
                                      "VM.", python=python), evidence=evidence)
    ans = ctx.call("run", argv=[python, "-B", "-c", PYTHON_PROBE], timeout=15.0)
    report = gp.parse_python_self_report(str(ans.get("stdout") or ""))
    evidence["self_report"] = report
    if is_unavailable(ans) or ans.get("found") is False or ans.get("timed_out"):
        return Finding(Status.NOT_CHECKED, m("Not checked: the wizard could not run {python} ({error}).",
                                             python=python, error=error_msg(ans)),
                       evidence={**evidence, "error": ans.get("error")})
    if not report["version"]:
        return Finding(Status.WARNING, m("The agent's Python {python} did not run as expected.", python=python),
                       why=m("The agent needs a working interpreter; if it cannot run, neither can the agent."),
                       fix=_reinstall_steps(), docs=[DOC_VMASSIST_LINUX],
                       evidence={**evidence, "error": ans.get("error"), "stderr": str(ans.get("stderr") or "")[:500]})
    if report["version"].startswith("2."):
        return _python2(python, evidence)
    if not str(report["modules"].get("azurelinuxagent.agent", "")).startswith("ok"):
        return Finding(Status.PROBLEM,
                       m("The agent's Python {python} cannot load the agent's own module (azurelinuxagent).",
                         python=python),
                       why=m("The interpreter is not the one the agent package was installed for (for example a "
                             "replaced /usr/bin/python3); the agent cannot run."),
                       fix=[step("Point the agent back to the distribution's Python 3, or reinstall the agent package "
                                 "for it."), *_reinstall_steps()],
                       docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX], error_codes=list(AGENT_CODES),
                       evidence=evidence)
    if any(part in python for part in QUESTIONABLE_DIRS):
        return Finding(Status.INFO,
                       m("The agent runs {python} (Python {version}), from a folder outside the distribution's own "
                         "(local, opt or home).", python=python, version=report["version"]),
                       why=m("Microsoft supports the agent with the distribution's Python; VM assist flags "
                             "interpreters in these folders for a closer look."),
                       docs=[DOC_VMASSIST_LINUX], evidence=evidence)
    if not str(report["modules"].get("requests", "")).startswith("ok"):
        evidence["false_positive_note"] = "requests is not a dependency of the agent package (tux.md)"
        return Finding(Status.INFO,
                       m("The agent runs {python} (Python {version}); it loads the agent's module but not requests.",
                         python=python, version=report["version"]),
                       why=m("VM assist flags a missing requests module, but the agent itself does not need it."),
                       evidence=evidence)
    return Finding(Status.OK, m("The agent runs {python} (Python {version}), which loads the agent's module.",
                                python=python, version=report["version"]), evidence=evidence)


def _python2(python: str, evidence: dict[str, Any]) -> Finding:
    return Finding(Status.PROBLEM, m("The agent runs Python 2 ({python}).", python=python),
                   why=m("Distributions that still use Python 2 are out of support, and current agents and the backup "
                         "extension need Python 3."),
                   fix=_reinstall_steps(), docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX],
                   error_codes=list(AGENT_CODES), evidence=evidence)


def _reinstall_steps() -> list[Any]:
    return [step("Reinstall the agent from the distribution's repository (Ubuntu or Debian).",
                 command="sudo apt-get install --reinstall walinuxagent"),
            step("Reinstall the agent from the distribution's repository (Red Hat Enterprise Linux and related "
                 "distributions).", command="sudo dnf reinstall WALinuxAgent")]


# --- guest.agent_package ----------------------------------------------------------------------

def _agent_paths(ctx: CheckContext) -> list[str]:
    found = []
    for path in (*LINUX_UNITS, *LINUX_BINARIES):
        ans = ctx.call("stat", path=path)
        if not is_unavailable(ans) and ans.get("exists"):
            found.append(path)
    return found


def _dpkg_owner(ctx: CheckContext, paths: list[str]) -> tuple[str | None, bool | None]:
    """(owning package, whether dpkg's database is here at all: None when the probe could not look)."""
    status = ctx.call("stat", path=DPKG_STATUS)
    here = None if is_unavailable(status) else bool(status.get("exists"))
    for listing in DPKG_LISTS:
        ans = ctx.call("read_file", path=listing, max_bytes=256 * 1024)
        if ans.get("readable"):
            listed = {line.strip() for line in str(ans.get("text") or "").splitlines()}
            if any(p in listed for p in paths):
                return posixpath.basename(listing)[:-5], True
    return None, here


def _rpm_origin(ctx: CheckContext, paths: list[str]) -> tuple[dict[str, str], str, dict[str, Any]]:
    info: dict[str, str] = {}
    detail: dict[str, Any] = {}
    for path in paths:
        ans = ctx.call("run", argv=["rpm", "-qf", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\n", path],
                       timeout=10.0)
        detail["rpm_found"] = ans.get("found")
        info = gp.parse_rpm_qf(str(ans.get("stdout") or "")) if ans.get("returncode") == 0 else {}
        if info:
            break
    if not info:
        return info, "", detail
    if ctx.call("stat", path="/usr/bin/zypper").get("exists"):
        ans = ctx.call("run", argv=["zypper", "--no-refresh", "--quiet", "-s", "11", "se", "-i", "-t", "package", "-s",
                                    info["name"]], timeout=20.0)
        return info, gp.parse_zypper_repo(str(ans.get("stdout") or ""), info["name"]), detail
    ans = ctx.call("run", argv=["dnf", "-C", "-q", "info", "--installed", info["name"]], timeout=20.0)
    return info, gp.parse_dnf_repo(str(ans.get("stdout") or "")), detail


def _is_distribution(origin: str) -> bool:
    low = origin.lower()
    return any(mark in low for mark in DISTRIBUTION_ORIGINS)


def check_agent_package(ctx: CheckContext) -> Finding:
    paths = _agent_paths(ctx)
    evidence: dict[str, Any] = {"agent_files": paths, "false_positive_note": FALSE_POSITIVE_NOTE}
    if not paths:
        if ctx.in_bundle:
            return file_not_in_bundle(LINUX_BINARIES[0], evidence)
        return Finding(Status.NOT_CHECKED, m("Not checked: no agent unit or program was found; see the agent "
                                             "installation check."), evidence=evidence)
    owner, dpkg_here = _dpkg_owner(ctx, paths)
    if dpkg_here is None and owner is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: could not look for the package database."),
                       evidence=evidence)
    evidence["package_manager"] = "dpkg" if dpkg_here else "rpm"
    origin = ""
    if owner:
        evidence["package"] = owner
        if ctx.in_bundle:
            return Finding(Status.OK, m("The agent was installed from the distribution package {package} (its "
                                        "repository needs the running VM).", package=owner), evidence=evidence)
        ans = ctx.call("run", argv=["apt-cache", "policy", owner], timeout=20.0)
        policy = gp.parse_apt_policy(str(ans.get("stdout") or ""))
        evidence["apt_policy"] = policy
        repos = [s for s in policy["sources"] if "/var/lib/dpkg/status" not in s]
        origin = repos[0] if repos else ""
        if not repos:
            return Finding(Status.INFO,
                           m("The agent package {package} is installed, but no configured repository offers this "
                             "version.", package=owner),
                           why=m("It was installed from a downloaded file, or the apt lists were cleaned (common in "
                                 "images); updates will not reach it until a repository offers it."),
                           fix=[step("Refresh the package lists and see where the agent can come from.",
                                     command=f"sudo apt-get update && apt-cache policy {sh(owner)}")],
                           docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX], evidence=evidence)
    elif dpkg_here:
        return _manual(evidence)
    elif ctx.in_bundle:
        return Finding(Status.NOT_CHECKED, m("Not checked: which RPM package owns the agent needs the running VM."),
                       evidence=evidence)
    else:
        info, origin, detail = _rpm_origin(ctx, paths)
        evidence.update(rpm=info, **detail)
        if not detail.get("rpm_found"):
            return Finding(Status.NOT_CHECKED, m("Not checked: neither dpkg nor rpm is on this VM."), evidence=evidence)
        if not info:
            return _manual(evidence)
        owner = info["name"]
        evidence["package"] = owner
        if origin.lower() == "@commandline":
            evidence["repository"] = origin
            return Finding(Status.WARNING,
                           m("The agent package {package} was installed from a downloaded file (@commandline), not "
                             "from a repository.", package=owner),
                           why=m("Microsoft supports the agent the distribution publishes; a package from a file gets "
                                 "no updates and may not match the distribution."),
                           fix=_reinstall_steps(), docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX],
                           evidence=evidence)
    evidence["repository"] = origin
    if origin and _is_distribution(origin):
        return Finding(Status.OK, m("The agent comes from the distribution package {package} ({repository}).",
                                    package=owner, repository=origin[:120]), evidence=evidence)
    return Finding(Status.INFO,
                   m("The agent package {package} comes from a repository the wizard does not know as the "
                     "distribution's: {repository}.", package=owner, repository=origin[:120] or "-"),
                   why=m("Third-party repositories, private mirrors and packages of another distribution are not "
                         "supported for the agent; a distribution repository the wizard does not know is fine."),
                   docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX], evidence=evidence)


def _manual(evidence: dict[str, Any]) -> Finding:
    return Finding(Status.WARNING, m("No package owns the agent's files: it was installed by hand (from GitHub or "
                                     "setup.py)."),
                   why=m("Microsoft supports the agent the distribution packages; a manual install is not updated by "
                         "the package manager and can differ from what the distribution expects."),
                   fix=_reinstall_steps(), docs=[DOC_LINUX_AGENT_INSTALL, DOC_VMASSIST_LINUX],
                   error_codes=list(AGENT_CODES), evidence=evidence)
