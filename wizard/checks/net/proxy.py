"""`net.proxy`: proxy settings as the VM agent sees them, and whether 168.63.129.16 and
169.254.169.254 bypass them.

Neither agent sends Wire Server requests through a proxy (facts §1.4), so a proxy without an
exception is a *warning*, not a problem: extensions and other programs that read the same
settings do use it, and Microsoft documents that IMDS must never be reached through a proxy
(facts §7).

Linux sources: `/etc/waagent.conf` `HttpProxy.*` (the agent's storage calls only; the Linux
backup extension reads it too), the running agent's environment (`/proc/<pid>/environ`, root
only), systemd drop-ins of `walinuxagent`/`waagent` (and their `EnvironmentFile=`),
`/etc/environment`, and this tool's own environment.
Windows sources: WinHTTP (`WinHttpSettings` registry blob, decoded; `netsh winhttp show proxy`
as a fallback and cross-check, parsed without depending on the display language), SYSTEM's
WinINet settings (`HKU\\S-1-5-18`), the machine-wide WinINet settings when the
`ProxySettingsPerUser` policy is 0, machine environment variables, and this tool's environment.
For WinINet the `Connections\\DefaultConnectionSettings` blob is what counts (see
`wizard.parsers.wininet`); the older `ProxyEnable`/`ProxyServer`/`AutoConfigURL` values are used
only when there is no blob. The blob's "Automatically detect settings" (WPAD) flag is reported as
information: Windows may turn it on by default, and it only matters when a WPAD server answers.
Proxy credentials are masked before they reach evidence or messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wizard.checks.base import (
    BOTH,
    IMDS_IP,
    WIRESERVER_IP,
    Check,
    CheckContext,
    Finding,
    m,
    not_applicable_off_azure,
    not_in_bundle,
    step,
)
from wizard.checks.commands import cmd, sh
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_AGENT_EXT
from wizard.checks.docs import WIN_AGENT as DOC_WINDOWS_AGENT
from wizard.checks.env import DOC_168, DOC_IMDS
from wizard.model import Component, FixStep, Status, listed
from wizard.parsers import proxy as px
from wizard.parsers import wininet
from wizard.probes.base import Answer, is_unavailable

HOSTS = (WIRESERVER_IP, IMDS_IP)
NO_NETWORK = "ExtensionSnapshotFailedNoNetwork"


MAX_CONF = 256 * 1024
MAX_ENVIRON = 256 * 1024
MAX_DROPIN = 64 * 1024
MAX_DROPINS = 20
MAX_ENV_FILES = 5

WAAGENT_CONF = "/etc/waagent.conf"
ETC_ENVIRONMENT = "/etc/environment"
DROPIN_DIRS = (
    ("walinuxagent", "/etc/systemd/system/walinuxagent.service.d"),
    ("waagent", "/etc/systemd/system/waagent.service.d"),
)

WINHTTP_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
SYSTEM_INET_KEY = "HKU\\S-1-5-18\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
MACHINE_INET_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
POLICY_INET_KEY = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
MACHINE_ENV_KEY = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"
SYSTEM_CONNECTIONS_KEY = SYSTEM_INET_KEY + "\\Connections"
MACHINE_CONNECTIONS_KEY = WINHTTP_KEY
CONNECTION_BLOB = "DefaultConnectionSettings"
BITSADMIN_GET = "bitsadmin /util /getieproxy LOCALSYSTEM"
NETSH_ARGV = ["netsh", "winhttp", "show", "proxy"]

# Sources whose proxy the agent's extensions (or SYSTEM's programs) use for plain HTTP.
AGENT_SCOPE = frozenset({"agent_process", "systemd_dropin", "etc_environment", "winhttp", "wininet_system",
                         "wininet_machine", "machine_env"})
TOOL_ENV = "this tool's environment"
FAILED_PREFIXES = ("unavailable", "error", "failed", "unreadable")
_SAFE_ENTRY = re.compile(r"^[A-Za-z0-9._*/:\-]+$")


@dataclass
class Source:
    """One place a proxy is configured, as plain data for evidence."""

    kind: str
    where: str
    proxy: str | None
    bypass_list: str | None
    bypasses: dict[str, bool]
    credentials: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [h for h in HOSTS if not self.bypasses.get(h)]

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.kind, "where": self.where, "proxy": self.proxy,
                               "bypass_list": px.mask_credentials(self.bypass_list or "") or None,
                               "bypasses": dict(self.bypasses)}
        out.update(self.extra)
        return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _masked(value: str | None, limit: int = 500) -> str:
    return px.mask_credentials(str(value or ""))[:limit]


def _file_state(ans: Answer) -> str:
    if is_unavailable(ans):
        return "unavailable: " + str(ans.get("error") or "")[:200]
    if not ans.get("exists"):
        return "absent"
    if not ans.get("readable"):
        return "unreadable: " + str(ans.get("error") or "")[:200]
    return "read"


# =========================================================================================
# Linux
# =========================================================================================

def _agent_processes(ans: Answer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in ans.get("processes") or []:
        if not isinstance(p, dict):
            continue
        cmd = str(p.get("cmdline") or "")
        low = cmd.lower()
        pid = p.get("pid")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            continue
        if "-run-exthandlers" in low and ("waagent" in low or "walinuxagent" in low):
            out.append({"pid": pid, "role": "exthandlers", "cmdline": _masked(cmd, 300)})
        elif "-daemon" in low and "waagent" in low:
            out.append({"pid": pid, "role": "daemon", "cmdline": _masked(cmd, 300)})
    out.sort(key=lambda r: (r["role"] != "exthandlers", r["pid"]))
    return out[:2]


def _env_source(kind: str, where: str, env: dict[str, str], extra: dict[str, Any] | None = None) -> Source | None:
    view = px.env_proxy_view(env, HOSTS)
    if not view["http_proxy"] and not view["other"]:
        return None
    bypasses = view["bypass"] if view["http_proxy"] else {h: True for h in HOSTS}
    extra = dict(extra or {})
    if view["other"]:
        extra["other_proxy_variables"] = view["other"]
    if not view["http_proxy"]:
        extra["note"] = "no proxy for plain http:// URLs (only for other schemes), so these addresses go direct"
    shown = view["http_proxy"] or "; ".join(f"{k}={v}" for k, v in view["other"].items())
    return Source(kind, where, shown, view["no_proxy"], bypasses, view["credentials"], extra)


def _linux_sources(ctx: CheckContext, looked: dict[str, str]) -> tuple[list[Source], dict[str, Any]]:
    sources: list[Source] = []
    info: dict[str, Any] = {"units_with_dropins": [], "agent_processes": []}

    conf = ctx.call("read_file", path=WAAGENT_CONF, max_bytes=MAX_CONF)
    looked[WAAGENT_CONF] = _file_state(conf)
    if looked[WAAGENT_CONF] == "read":
        wa = px.parse_waagent_proxy(str(conf.get("text") or ""))
        if wa["host"]:
            proxy = _masked(wa["host"] if wa["port"] is None else f"{wa['host']}:{wa['port']}")
            extra: dict[str, Any] = {"lines": wa["lines"],
                                     "note": "the agent uses HttpProxy only for storage calls (use_proxy=True); "
                                             "Wire Server and IMDS calls never use a proxy (WALinuxAgent source). The "
                                             "Linux backup extension reads HttpProxy.Host/Port for its storage calls; "
                                             "with both set its code connects directly (read from the extension's "
                                             "source; not stated in Microsoft's documentation)."}
            if wa["port"] is None:
                extra["port_note"] = ("HttpProxy.Port is not set: the agent's restutil only uses a proxy when both "
                                      "host and port are known (read from WALinuxAgent's source)")
            sources.append(Source("waagent_conf", WAAGENT_CONF, proxy, None, {h: True for h in HOSTS},
                                  px.has_credentials(wa["host"]), extra))

    procs = ctx.call("processes")
    if is_unavailable(procs):
        looked["agent process environment"] = "unavailable: " + str(procs.get("error") or "")[:200]
    else:
        agents = _agent_processes(procs)
        info["agent_processes"] = agents
        if not agents:
            looked["agent process environment"] = "no running agent process found"
        for a in agents:
            path = f"/proc/{a['pid']}/environ"
            ans = ctx.call("read_file", path=path, max_bytes=MAX_ENVIRON)
            looked[path] = _file_state(ans)
            a["environ"] = looked[path]
            if looked[path] == "read":
                env = px.parse_environ(str(ans.get("text") or ""))
                src = _env_source("agent_process", path, env, {"pid": a["pid"], "role": a["role"]})
                if src:
                    sources.append(src)

    for unit, folder in DROPIN_DIRS:
        ls = ctx.call("list_dir", path=folder)
        if is_unavailable(ls):
            looked[folder] = "unavailable: " + str(ls.get("error") or "")[:200]
            continue
        if not ls.get("exists"):
            looked[folder] = "absent"
            continue
        names = sorted(str(e.get("name")) for e in ls.get("entries") or []
                       if isinstance(e, dict) and str(e.get("name") or "").endswith(".conf") and not e.get("is_dir"))
        looked[folder] = f"{len(names)} .conf file(s)"
        info["units_with_dropins"].append(unit)
        merged: dict[str, str] = {}
        lines: list[str] = []
        env_files: list[str] = []
        for name in names[:MAX_DROPINS]:
            path = f"{folder}/{name}"
            ans = ctx.call("read_file", path=path, max_bytes=MAX_DROPIN)
            looked[path] = _file_state(ans)
            if looked[path] != "read":
                continue
            parsed = px.parse_systemd_environment(str(ans.get("text") or ""))
            merged.update(parsed["env"])
            lines += [f"{name}: {line}" for line in parsed["lines"]]
            env_files += [f for f in parsed["environment_files"] if f not in env_files]
        for f in env_files[:MAX_ENV_FILES]:
            ans = ctx.call("read_file", path=f, max_bytes=MAX_DROPIN)
            looked[f] = _file_state(ans)
            if looked[f] == "read":
                merged.update(px.parse_env_file(str(ans.get("text") or "")))
        src = _env_source("systemd_dropin", folder, {k: v for k, v in merged.items() if px.is_proxy_name(k)},
                          {"unit": unit, "lines": lines[-20:]})
        if src:
            sources.append(src)

    etc_env = ctx.call("read_file", path=ETC_ENVIRONMENT, max_bytes=MAX_DROPIN)
    looked[ETC_ENVIRONMENT] = _file_state(etc_env)
    if looked[ETC_ENVIRONMENT] == "read":
        env = {k: v for k, v in px.parse_env_file(str(etc_env.get("text") or "")).items() if px.is_proxy_name(k)}
        src = _env_source("etc_environment", ETC_ENVIRONMENT, env,
                          {"note": "read by login sessions (pam_env), not by systemd services"})
        if src:
            sources.append(src)

    tool = _tool_source(ctx, looked)
    if tool:
        sources.append(tool)
    return sources, info


def _tool_source(ctx: CheckContext, looked: dict[str, str]) -> Source | None:
    ans = ctx.call("proxy_env")
    if is_unavailable(ans):
        looked[TOOL_ENV] = "unavailable: " + str(ans.get("error") or "")[:200]
        return None
    looked[TOOL_ENV] = "read"
    raw = _dict(ans.get("vars"))
    env = {str(k): str(v) for k, v in raw.items() if not px.is_secret_name(str(k))}
    if ctx.system == "windows":
        env = {k.lower(): v for k, v in env.items()}
    return _env_source("tool_env", "this tool's own environment", env)


def _linux_unit(ctx: CheckContext, sources: list[Source], info: dict[str, Any]) -> str:
    for s in sources:
        if s.kind == "systemd_dropin" and s.extra.get("unit"):
            return str(s.extra["unit"])
    if info["units_with_dropins"]:
        return str(info["units_with_dropins"][0])
    svc = ctx.call("service", name="walinuxagent")
    return "walinuxagent" if svc.get("exists") else "waagent"


def _safe_no_proxy(existing: str | None) -> str:
    entries = [e for e in px.no_proxy_entries(existing) if _SAFE_ENTRY.match(e)]
    return px.merged_no_proxy(",".join(entries), HOSTS)


def _linux_fix(ctx: CheckContext, bad: list[Source], info: dict[str, Any], all_sources: list[Source]
               ) -> list[FixStep]:
    steps: list[FixStep] = []
    agent_bad = [s for s in bad if s.kind in ("agent_process", "systemd_dropin")]
    if agent_bad:
        unit = _linux_unit(ctx, all_sources, info)
        value = _safe_no_proxy(agent_bad[0].bypass_list)
        folder = f"/etc/systemd/system/{unit}.service.d"
        line = f'Environment="no_proxy={value}"'
        command = (f"sudo mkdir -p {sh(folder)} && printf '%s\\n' '[Service]' {sh(line)} | "
                   f"sudo tee {sh(folder + '/zz-no-proxy.conf')} && sudo systemctl daemon-reload && "
                   f"sudo systemctl restart {sh(unit)}")
        steps.append(step("Add both addresses to no_proxy in a systemd drop-in for the agent's service {unit}, "
                          "then restart the agent:", command=command, unit=unit))
        steps.append(step("Check that the agent's service now has no_proxy set:",
                          command=f"systemctl show {sh(unit)} --property=Environment"))
    for s in bad:
        if s.kind == "etc_environment":
            value = _safe_no_proxy(s.bypass_list)
            steps.append(step("Add both addresses to no_proxy in /etc/environment (the line should read: "
                              "no_proxy={value}), then sign in again.", command="sudoedit /etc/environment",
                              value=value))
    if any(s.credentials and s.kind in ("agent_process", "systemd_dropin", "waagent_conf") for s in all_sources):
        steps.append(step("The Linux VM agent does not support proxies that require a user name and password; "
                          "give the agent a proxy that does not need them."))
    return steps


# =========================================================================================
# Windows
# =========================================================================================

def _reg_state(ans: Answer) -> str:
    """ok | missing | unavailable | error."""
    if is_unavailable(ans):
        return "unavailable"
    if ans.get("exists"):
        return "ok"
    err = str(ans.get("error") or "").lower()
    if not err or "cannot find" in err or "not found" in err or "no such" in err:
        return "missing"
    return "error"


def _looked_reg(ans: Answer, state: str) -> str:
    if state in ("unavailable", "error"):
        return f"{state}: " + str(ans.get("error") or "")[:200]
    return {"ok": "read", "missing": "absent"}[state]


def _win_source(kind: str, where: str, server: str, bypass: str | None, extra: dict[str, Any]) -> Source:
    http = px.proxy_for_http(server)
    if http is None:
        extra = {**extra, "note": "no proxy for plain http:// URLs (only for other schemes), so these addresses go "
                                  "direct"}
        bypasses = {h: True for h in HOSTS}
    else:
        bypasses = {h: px.windows_bypasses(bypass, h) for h in HOSTS}
    return Source(kind, where, _masked(server), bypass, bypasses, px.has_credentials(server),
                  {**extra, "proxy_for_http": _masked(http) if http else None})


def _int_value(v: Any) -> int | None:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    text = str(v).strip()
    for base in (10, 0):
        try:
            return int(text, base)
        except ValueError:
            continue
    return None


def _wininet_blob(ctx: CheckContext, kind: str, conn_key: str, looked: dict[str, str], sources: list[Source],
                  pacs: list[dict[str, str]], autodetect: list[dict[str, str]]) -> dict[str, Any] | None:
    """Read and use one scope's `DefaultConnectionSettings`; the decoded blob, or None when there is none."""
    ans = ctx.call("registry", key=conn_key, value=CONNECTION_BLOB)
    state = _reg_state(ans)
    where = conn_key + "\\" + CONNECTION_BLOB
    looked[where] = _looked_reg(ans, state)
    if state != "ok":
        return None
    decoded = wininet.decode_connection_settings(ans.get("value"))
    if not decoded["ok"]:
        looked[where] = "unreadable: " + str(decoded["error"])
        return None
    if decoded["manual"]:
        sources.append(_win_source(kind, where, decoded["proxy"], decoded["bypass"] or None,
                                   {"flags": decoded["flags"]}))
    if decoded["auto_config"]:
        pacs.append({"source": kind, "where": where, "url": _masked(decoded["pac_url"])})
    if decoded["auto_detect"]:
        autodetect.append({"source": kind, "where": where})
    return decoded


def _wininet(kind: str, key: str, ans: Answer, sources: list[Source], pacs: list[dict[str, str]]) -> None:
    values = _dict(ans.get("values"))
    lower = {str(k).lower(): v for k, v in values.items()}
    enabled = _int_value(lower.get("proxyenable")) == 1
    server = str(lower.get("proxyserver") or "").strip()
    override = str(lower.get("proxyoverride") or "").strip() or None
    pac = str(lower.get("autoconfigurl") or "").strip()
    if enabled and server:
        sources.append(_win_source(kind, key, server, override, {"ProxyEnable": 1}))
    if pac:
        pacs.append({"source": kind, "where": key, "url": _masked(pac)})


def _legacy_disagrees(ans: Answer, blob: dict[str, Any]) -> bool:
    lower = {str(k).lower(): v for k, v in _dict(ans.get("values")).items()}
    legacy_on = _int_value(lower.get("proxyenable")) == 1 and bool(str(lower.get("proxyserver") or "").strip())
    return legacy_on != bool(blob["manual"])


def _windows_sources(ctx: CheckContext, looked: dict[str, str], notes: list[str]
                     ) -> tuple[list[Source], list[dict[str, str]], dict[str, Any]]:
    sources: list[Source] = []
    pacs: list[dict[str, str]] = []
    autodetect: list[dict[str, str]] = []
    info: dict[str, Any] = {"autodetect": autodetect}

    reg = ctx.call("registry", key=WINHTTP_KEY, value="WinHttpSettings")
    reg_state = _reg_state(reg)
    looked[WINHTTP_KEY + "\\WinHttpSettings"] = _looked_reg(reg, reg_state)
    netsh = ctx.call("run", argv=NETSH_ARGV, timeout=10.0)
    netsh_ok = not is_unavailable(netsh) and bool(netsh.get("found")) and netsh.get("returncode") == 0
    looked["netsh winhttp show proxy"] = "read" if netsh_ok else (
        "failed: " + str(netsh.get("error") or netsh.get("stderr") or netsh.get("returncode") or "")[:200])
    netsh_parsed = px.parse_netsh_winhttp(str(netsh.get("stdout") or "")) if netsh_ok else None
    if netsh_ok:
        info["netsh_excerpt"] = _masked(str(netsh.get("stdout") or ""), 2000)
        info["netsh_parsed"] = {"direct": netsh_parsed["direct"] if netsh_parsed else None,
                                "proxy": _masked(netsh_parsed["proxy"]) if netsh_parsed else None,
                                "bypass": netsh_parsed["bypass"] if netsh_parsed else None}

    winhttp: dict[str, Any] | None = None
    if reg_state == "ok":
        decoded = px.decode_winhttp_settings(reg.get("value"))
        info["winhttp_settings"] = {k: decoded[k] for k in ("ok", "flags", "direct", "hex", "error")}
        if decoded["ok"]:
            winhttp = {"direct": decoded["direct"], "proxy": decoded["proxy"], "bypass": decoded["bypass"],
                       "from": WINHTTP_KEY + "\\WinHttpSettings"}  # a path, the same in every language
    elif reg_state == "missing":
        winhttp = {"direct": True, "proxy": "", "bypass": "",
                   "from": WINHTTP_KEY + "\\WinHttpSettings (no value: never set, direct access)"}
    if winhttp is None and netsh_parsed is not None:
        winhttp = {**netsh_parsed, "from": "netsh winhttp show proxy"}
    if winhttp is not None and netsh_parsed is not None and winhttp["from"] != "netsh winhttp show proxy" \
            and bool(winhttp["direct"]) != bool(netsh_parsed["direct"]):
        notes.append("WinHTTP registry value and netsh output disagree; the registry value was used")
    if winhttp is not None and not winhttp["direct"] and winhttp["proxy"]:
        sources.append(_win_source("winhttp", "WinHTTP (" + winhttp["from"] + ")", winhttp["proxy"],
                                   winhttp["bypass"] or None, {}))
    info["winhttp_known"] = winhttp is not None

    system = ctx.call("registry", key=SYSTEM_INET_KEY, value=None)
    sys_state = _reg_state(system)
    looked[SYSTEM_INET_KEY] = _looked_reg(system, sys_state)
    system_blob = _wininet_blob(ctx, "wininet_system", SYSTEM_CONNECTIONS_KEY, looked, sources, pacs, autodetect)
    if system_blob is not None:
        info["wininet_system_blob"] = {k: system_blob[k] for k in ("flags", "manual", "auto_config", "auto_detect")}
        if sys_state == "ok" and _legacy_disagrees(system, system_blob):
            notes.append("SYSTEM's ProxyEnable/ProxyServer values disagree with its DefaultConnectionSettings; "
                         "DefaultConnectionSettings was used")
    elif sys_state == "ok":
        _wininet("wininet_system", SYSTEM_INET_KEY, system, sources, pacs)

    policy = ctx.call("registry", key=POLICY_INET_KEY, value="ProxySettingsPerUser")
    pol_state = _reg_state(policy)
    looked[POLICY_INET_KEY + "\\ProxySettingsPerUser"] = _looked_reg(policy, pol_state)
    per_user = _int_value(policy.get("value")) if pol_state == "ok" else None
    info["proxy_settings_per_user"] = per_user
    if per_user == 0:
        machine = ctx.call("registry", key=MACHINE_INET_KEY, value=None)
        m_state = _reg_state(machine)
        looked[MACHINE_INET_KEY] = _looked_reg(machine, m_state)
        machine_blob = _wininet_blob(ctx, "wininet_machine", MACHINE_CONNECTIONS_KEY, looked, sources, pacs,
                                     autodetect)
        if machine_blob is None and m_state == "ok":
            _wininet("wininet_machine", MACHINE_INET_KEY, machine, sources, pacs)

    menv = ctx.call("registry", key=MACHINE_ENV_KEY, value=None)
    env_state = _reg_state(menv)
    looked[MACHINE_ENV_KEY] = _looked_reg(menv, env_state)
    if env_state == "ok":
        values = _dict(menv.get("values"))
        env = {str(k).lower(): str(v) for k, v in values.items()
               if px.is_proxy_name(str(k)) and not px.is_secret_name(str(k))}
        src = _env_source("machine_env", MACHINE_ENV_KEY, env)
        if src:
            sources.append(src)

    tool = _tool_source(ctx, looked)
    if tool:
        sources.append(tool)
    return sources, pacs, info


def _windows_fix(bad: list[Source], pacs: list[dict[str, str]]) -> list[FixStep]:
    steps: list[FixStep] = []
    for s in bad:
        bypass = cmd(px.merged_bypass(s.bypass_list, HOSTS), always=True)
        if s.kind == "winhttp":
            server = cmd(s.proxy or "", always=True)
            steps.append(step("Add both addresses to the WinHTTP proxy bypass list (in an elevated command prompt):",
                              command=f"netsh winhttp set proxy proxy-server={server} bypass-list={bypass}"))
        elif s.kind == "wininet_system":
            server = cmd(s.proxy or "", always=True)
            steps.append(step("Set the SYSTEM account's proxy again with both addresses in its exceptions (in an "
                              "elevated command prompt; this writes the DefaultConnectionSettings that Windows "
                              "uses, which editing ProxyOverride alone may not change):",
                              command=f'bitsadmin /util /setieproxy localsystem MANUAL_PROXY {server} {bypass}'))
            steps.append(step("Check what the SYSTEM account now uses:", command=BITSADMIN_GET))
        elif s.kind == "wininet_machine":
            steps.append(step("This proxy is set for the whole machine (the ProxySettingsPerUser policy is 0), "
                              "usually by Group Policy: add both addresses to the proxy exceptions in that policy, "
                              "then update the policy.", command="gpupdate /force"))
        elif s.kind == "machine_env":
            value = _safe_no_proxy(s.bypass_list)
            steps.append(step("Add both addresses to the machine-wide NO_PROXY environment variable (in an elevated "
                              "command prompt):", command=f"setx NO_PROXY {cmd(value, always=True)} /M"))
            steps.append(step("Restart the VM agent so that it reads the new environment:",
                              command="net stop WindowsAzureGuestAgent && net start WindowsAzureGuestAgent"))
    if pacs:
        steps.append(step("Make sure the automatic configuration script returns DIRECT for both addresses, for "
                          "example with this line at the start of FindProxyForURL:",
                          command='if (host == "168.63.129.16" || host == "169.254.169.254") return "DIRECT";'))
    return steps


# =========================================================================================
# The check
# =========================================================================================

def _describe(sources: list[Source]) -> str:
    return "; ".join(f"{s.proxy} ({s.where})" for s in sources)[:1000]


def check_proxy(ctx: CheckContext) -> Finding:
    off = not_applicable_off_azure(ctx)
    if off:
        return off
    windows = ctx.system == "windows"
    looked: dict[str, str] = {}
    notes: list[str] = []
    pacs: list[dict[str, str]] = []
    if windows:
        sources, pacs, info = _windows_sources(ctx, looked, notes)
    else:
        sources, info = _linux_sources(ctx, looked)
    readable = any(not v.startswith(FAILED_PREFIXES) for k, v in looked.items() if k != TOOL_ENV)
    evidence: dict[str, Any] = {"sources": [s.evidence() for s in sources], "looked_at": looked, **info}
    if notes:
        evidence["notes"] = notes
    if not readable:
        return Finding(Status.NOT_CHECKED, m("Not checked: none of the places where a proxy can be set could be "
                                             "read."), evidence=evidence)

    docs = [DOC_IMDS, DOC_168, DOC_AGENT_EXT, DOC_WINDOWS_AGENT if windows else DOC_LINUX_AGENT]
    bad = [s for s in sources if s.kind in AGENT_SCOPE and s.missing]
    if bad or pacs:
        fix = _windows_fix(bad, pacs) if windows else _linux_fix(ctx, bad, info, sources)
        why = (m("Programs running as SYSTEM, including the VM agent's extensions such as the backup extension, "
                 "read these proxy settings. Requests to the Wire Server (168.63.129.16) and IMDS (169.254.169.254) "
                 "must go directly; when a proxy receives them instead, they fail and the Take Snapshot phase can "
                 "fail.")
               if windows else
               m("The Linux VM agent itself never sends Wire Server (168.63.129.16) or IMDS (169.254.169.254) "
                 "requests through a proxy, but it passes its environment to the extensions it starts, and programs "
                 "that read these variables do use the proxy. Microsoft documents that IMDS and the Wire Server must "
                 "always be reached directly; a proxy in the way can make extension calls fail during the Take "
                 "Snapshot phase."))
        if bad:
            missing = listed(h for h in HOSTS if any(h in s.missing for s in bad))
            summary = m("A proxy is configured without an exception for {missing}: {details}.",
                        missing=missing, details=_describe(bad))
        else:
            summary = m("SYSTEM's proxy settings use an automatic configuration script ({url}); the wizard cannot "
                        "tell whether it sends 168.63.129.16 and 169.254.169.254 directly.", url=pacs[0]["url"])
        if pacs:
            evidence["auto_config_scripts"] = pacs
        return Finding(Status.WARNING, summary, why=why, fix=fix, docs=docs, error_codes=[NO_NETWORK],
                       evidence=evidence)

    agent = [s for s in sources if s.kind in AGENT_SCOPE]
    autodetect = info.get("autodetect") or []
    if windows and autodetect and not agent:
        return Finding(
            Status.INFO,
            m("No proxy is set explicitly, but \"Automatically detect settings\" (WPAD) is on in the SYSTEM "
              "account's proxy settings ({where})."
              , where="; ".join(a["where"] for a in autodetect)),
            why=m("If a proxy auto-discovery (WPAD) server answers on this network, programs running as SYSTEM may "
                  "send requests through the proxy it names; Microsoft documents that IMDS (169.254.169.254) and "
                  "the Wire Server (168.63.129.16) must always be reached directly. Without a WPAD server this "
                  "setting changes nothing."),
            fix=[step("If your network has a WPAD server or proxy script, make sure it returns DIRECT for "
                      "168.63.129.16 and 169.254.169.254, for example with this line at the start of "
                      "FindProxyForURL:",
                      command='if (host == "168.63.129.16" || host == "169.254.169.254") return "DIRECT";'),
                 step("Or turn automatic detection off for the SYSTEM account (elevated command prompt):",
                      command="bitsadmin /util /setieproxy localsystem NO_PROXY"),
                 step("Check what the SYSTEM account uses:", command=BITSADMIN_GET)],
            docs=docs, evidence=evidence)
    if agent:
        return Finding(Status.INFO, m("A proxy is configured ({details}), and 168.63.129.16 and 169.254.169.254 "
                                      "bypass it.", details=_describe(agent)),
                       docs=docs, evidence=evidence)
    conf = [s for s in sources if s.kind == "waagent_conf"]
    if conf:
        fix = _linux_fix(ctx, [], info, sources)
        return Finding(Status.INFO, m("The VM agent is set to use the proxy {proxy} (HttpProxy in /etc/waagent.conf) "
                                      "for storage calls only; it never sends Wire Server or IMDS requests through "
                                      "it, so this does not block backup.", proxy=conf[0].proxy or ""),
                       fix=fix, docs=docs, evidence=evidence)
    # No proxy in the collected files: on Linux the running agent's environment is not in a bundle; a Windows
    # bundle answers for itself when its exported registry keys were read.
    registry_read = windows and any(v in ("read", "absent") for k, v in looked.items() if k.startswith("HK"))
    if ctx.in_bundle and not registry_read:
        return not_in_bundle(evidence)
    tool = [s for s in sources if s.kind == "tool_env" and s.proxy]
    if tool:
        return Finding(Status.INFO, m("Only this wizard's own environment has a proxy ({proxy}); the VM agent does "
                                      "not use it. Manual tests of 168.63.129.16 from this shell must bypass it "
                                      "(for example curl --noproxy '*').", proxy=tool[0].proxy or ""),
                       evidence=evidence)
    environ_unread = any(k.startswith("/proc/") and v != "read" for k, v in looked.items()) or \
        looked.get("agent process environment", "").startswith("unavailable")
    if not windows and environ_unread:
        if ctx.is_admin:  # the reason is not rights: say what it was
            reason = next((v for k, v in looked.items()
                           if (k.startswith("/proc/") or k == "agent process environment") and v != "read"), "")
            return Finding(Status.OK, m("No proxy is set in the VM agent's configuration files or the system "
                                        "environment; the running agent's own environment could not be read "
                                        "({reason}).", reason=reason), evidence=evidence)
        return Finding(Status.OK, m("No proxy is set in the VM agent's configuration files or the system "
                                    "environment; the running agent's own environment could not be read "
                                    "(that needs root)."), evidence=evidence)
    system_unread = looked.get(SYSTEM_INET_KEY, "").startswith(FAILED_PREFIXES) or not info.get("winhttp_known")
    if windows and system_unread:
        return Finding(Status.OK, m("No proxy is set in the places the wizard could read; WinHTTP or the SYSTEM "
                                    "account's proxy settings could not be read (that may need Administrator "
                                    "rights)."), evidence=evidence)
    return Finding(Status.OK, m("No proxy is configured for the VM agent or the system, so requests to "
                                "168.63.129.16 and 169.254.169.254 go directly."), evidence=evidence)


CHECKS: list[Check] = [
    Check("net.proxy", BOTH, Component.NETWORK_PATH, "Proxy settings", check_proxy, timeout_s=25.0),
]
