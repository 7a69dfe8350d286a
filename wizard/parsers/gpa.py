"""The Guest Proxy Agent's aggregate status file (`status.json`) of the Metadata Security Protocol.

Windows: `C:\\WindowsAzure\\ProxyAgent\\Logs\\status.json`; Linux: `/var/log/azure-proxy-agent/status.json`
(Azure/GuestProxyAgent `proxy_agent_shared/src/proxy_agent_aggregate_status.rs`). Its shape there:

    {"timestamp": "...",
     "proxyAgentStatus": {"version": "...", "status": "SUCCESS|ERROR|UNKNOWN",
                          "monitorStatus" / "keyLatchStatus" / "ebpfProgramStatus" /
                          "proxyListenerStatus" / "telemetryLoggerStatus":
                              {"status": "RUNNING|STOPPED|UNKNOWN", "message": "...", "states": {...}},
                          "proxyConnectionsCount": N},
     "proxyConnectionSummary": [...], "failedAuthenticateSummary": [{"userName", "ip", "port",
                                "processCmdLine", "processFullPath", "responseStatus", "count"}, ...]}

`keyLatchStatus.states.secureChannelState` is the MSP state the host sent (`proxy_agent/src/key_keeper.rs`
and `key_keeper/key.rs`: "One of Disabled, Audit, Wireserver, WireserverAndImds"); newer versions
also carry per-endpoint modes (`disabled`, `audit`, `enforce`). The agent redirects the Wire Server,
HostGAPlugin and IMDS traffic to its local listener only when the state is not `disabled`
(`redirector::update_wire_server_redirect_policy(... != DISABLE_STATE)`), and it answers a request its
rules refuse with HTTP 403 (`proxy_server.rs`, "Block unauthorized request").

Pure, bounded, never raises.
"""

from __future__ import annotations

import json
from typing import Any

MAX_TEXT = 1024 * 1024
MODULES = ("monitorStatus", "keyLatchStatus", "ebpfProgramStatus", "proxyListenerStatus", "telemetryLoggerStatus")
MAX_SUMMARY = 20
AGENT_PROCESSES = ("windowsazureguestagent.exe", "waappagent.exe", "iaasbcdrextension.exe", "waagent",
                   "walinuxagent", "vmsnapshot")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int = 300) -> str | None:
    if value is None:
        return None
    return str(value)[:limit]


def _summary(rows: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows[:MAX_SUMMARY] if isinstance(rows, list) else []:
        row = _dict(row)
        out.append({"user": _text(row.get("userName")), "ip": _text(row.get("ip"), 60),
                    "port": row.get("port") if isinstance(row.get("port"), int) else None,
                    "process": _text(row.get("processFullPath") or row.get("processCmdLine")),
                    "response": _text(row.get("responseStatus"), 60),
                    "count": row.get("count") if isinstance(row.get("count"), int) else None})
    return out


def redirect_state(states: dict[str, Any]) -> bool | None:
    """Whether the agent redirects Wire Server/IMDS traffic: False for a disabled secure channel, True for
    any other known state, None when it is not known."""
    state = str(states.get("secureChannelState") or "").strip().lower()
    if not state or state == "unknown":
        return None
    return state != "disabled"


def parse_status(text: str) -> dict[str, Any]:
    """`status.json` -> {ok, error, version, overall, timestamp, modules, secure_channel_state, modes,
    redirecting, connections, failed_authentications, agent_blocked}."""
    out: dict[str, Any] = {"ok": False, "error": None}
    if not isinstance(text, str):
        out["error"] = "not text"
        return out
    try:
        data = json.loads(text[:MAX_TEXT].lstrip("\ufeff").replace("\x00", ""))
    except (ValueError, RecursionError) as exc:
        out["error"] = f"not valid JSON: {exc}"[:300]
        return out
    status = _dict(_dict(data).get("proxyAgentStatus"))
    if not status:
        out["error"] = "no 'proxyAgentStatus' object"
        return out
    modules = {name: {"status": _text(_dict(status.get(name)).get("status"), 40),
                      "message": _text(_dict(status.get(name)).get("message"))}
               for name in MODULES if name in status}
    states = {str(k)[:60]: _text(v, 100) for k, v in list(_dict(_dict(status.get("keyLatchStatus")).get("states"))
                                                             .items())[:40]}
    failed = _summary(_dict(data).get("failedAuthenticateSummary"))
    out.update(
        ok=True,
        version=_text(status.get("version"), 60),
        overall=_text(status.get("status"), 40),
        timestamp=_text(_dict(data).get("timestamp"), 60),
        modules=modules,
        secure_channel_state=states.get("secureChannelState"),
        modes={k: v for k, v in states.items() if "mode" in k.lower()},
        redirecting=redirect_state(states),
        connections=status.get("proxyConnectionsCount") if isinstance(status.get("proxyConnectionsCount"), int)
        else None,
        failed_authentications=failed,
        agent_blocked=[row for row in failed
                       if any(p in str(row.get("process") or "").lower() for p in AGENT_PROCESSES)],
    )
    return out


def unhealthy_modules(parsed: dict[str, Any]) -> list[str]:
    """The modules that do not report RUNNING (ebpfProgram, proxyListener, keyLatch are what redirecting needs)."""
    modules = _dict(parsed.get("modules"))
    return [name for name in ("keyLatchStatus", "ebpfProgramStatus", "proxyListenerStatus")
            if name in modules and str(_dict(modules[name]).get("status") or "").upper() != "RUNNING"]
