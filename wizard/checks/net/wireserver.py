"""WireServer checks (`net.wireserver_*`, `net.hostplugin_health`): can this VM reach 168.63.129.16?

The VM agent and the backup extension talk to the WireServer on TCP 80 and to its HostGAPlugin
on TCP 32526 (port 443 is not needed). Four checks, each one probe call:

- `net.wireserver_port80`, `net.wireserver_port32526`: a TCP connect;
- `net.wireserver_versions`: `GET /?comp=versions`, which must advertise wire protocol 2012-11-30;
- `net.hostplugin_health`: `GET :32526/health`, healthy when 200/201/202 (the body is not read).

Connections that fail are judged with care: the agents admit only root (Linux) and
Administrators/SYSTEM (Windows) to the WireServer, so a failure seen by anyone else is
*inconclusive*, never "blocked"; and off Azure there is nothing to reach.

When the Metadata Security Protocol's Guest Proxy Agent runs and redirects this traffic (the
`guest_proxy_agent` fact, from its status.json), a TCP connect reaches the agent's local listener,
not the Wire Server: the port results say so ("through the Guest Proxy Agent") and are information,
not a confirmation. An HTTP 401/403 then comes from the agent's access rules (Azure/GuestProxyAgent
`proxy_server.rs` answers refused requests with 403) and says nothing about the VM agent, which
runs as SYSTEM: it is inconclusive.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import (
    BOTH,
    Check,
    CheckContext,
    Finding,
    doc_link,
    error_msg,
    m,
    not_applicable_off_azure,
    step,
)
from wizard.checks.commands import RERUN_AS_ROOT, ps
from wizard.checks.docs import LINUX_AGENT as DOC_LINUX_AGENT
from wizard.checks.docs import TS_AGENT as DOC_TS_AGENT
from wizard.checks.docs import WIN_AGENT as DOC_WINDOWS_AGENT
from wizard.checks.env import DOC_168, DOC_MSP
from wizard.checks.net.imds import PS_DIRECT_SESSION
from wizard.knowledge import commands
from wizard.model import Component, DocLink, FixStep, Msg, Status, listed
from wizard.parsers.wireserver import (
    WIRE_PROTOCOL_VERSION,
    advertises,
    blocked_locally,
    excerpt,
    parse_error_body,
    parse_versions,
)
from wizard.probes.base import Answer, is_unavailable

VERSIONS_PATH = "/?comp=versions"
HEALTH_PATH = "/health"
OK_CODES = frozenset({200, 201, 202})
# Statuses WALinuxAgent retries (restutil.py) plus 410 (stale goal state): transient, not broken.
RETRY_CODES = frozenset({205, 206, 403, 410, 429, 500, 501, 502, 503, 504, 507})
HOSTPLUGIN_INTERNAL_ERROR = 502
PROTOCOL_NOT_FOUND_TEXT = (
    "Agent supported wire protocol version: 2012-11-30 was not advised by Fabric."
)
CONNECTIVITY_CODES = [
    "UserErrorGuestAgentStatusUnavailable",
    "ExtensionSnapshotFailedNoNetwork",
    "ExtensionOperationFailedForManagedDisks",
]

DOC_WINDOWS_VHD = doc_link("Prepare a Windows VHD or VHDX to upload to Azure",
                      "https://learn.microsoft.com/azure/virtual-machines/windows/prepare-for-upload-vhd-image")

PS_BLOCK_RULES = commands.WINDOWS_BLOCK_RULES
PS_PROFILES = commands.WINDOWS_FIREWALL_PROFILES
PS_ALLOW_RULE = (
    "New-NetFirewallRule -DisplayName AzurePlatform -Direction Outbound -RemoteAddress 168.63.129.16 "
    "-Profile Any -Action Allow"
)
UNCONFIRMED_HEALTH_BODY = (
    "Not confirmed by public documentation: the body of HostGAPlugin /health; the VM agent judges only the "
    "HTTP status (200/201/202 = healthy), and so does this check."
)
UNCONFIRMED_WINDOWS_RULES = (
    "Not confirmed by public documentation: the names of the rules the Windows guest agent uses to restrict "
    "the Wire Server to Administrators and SYSTEM."
)


# -- building blocks ---------------------------------------------------------------------------


def _windows(ctx: CheckContext) -> bool:
    return ctx.system == "windows"


def _agent_doc(ctx: CheckContext) -> DocLink:
    return DOC_WINDOWS_AGENT if _windows(ctx) else DOC_LINUX_AGENT


def _test_command(ctx: CheckContext, url: str, host: str, port: int, http: bool) -> str:
    """An exact command that repeats this test by hand, as Administrator/root, without a proxy."""
    if _windows(ctx):
        if http:
            return (PS_DIRECT_SESSION + f"Invoke-WebRequest -UseBasicParsing -WebSession $s -Uri '{url}' | "
                    "Select-Object StatusCode, Content")
        return commands.windows_port_test(port) if host == commands.WIRESERVER else \
            f"Test-NetConnection -ComputerName {ps(host)} -Port {int(port)}"
    return commands.linux_http_test(url)


def _firewall_steps(ctx: CheckContext, test_command: str) -> list[FixStep]:
    if _windows(ctx):
        return [
            step("In an elevated PowerShell, list the enabled outbound Windows Firewall rules that block "
                 "traffic to 168.63.129.16 or to any address:", command=PS_BLOCK_RULES),
            step("Check whether a firewall profile blocks outbound traffic by default:", command=PS_PROFILES),
            step("Delete or narrow the rule that blocks it: in Windows Firewall a block rule wins over every "
                 "allow rule. If outbound traffic is blocked by default, add Microsoft's allow rule for the "
                 "Azure platform:", command=PS_ALLOW_RULE),
            step("If a third-party firewall or endpoint security product is installed, allow 168.63.129.16 "
                 "on TCP ports 80 and 32526 there as well."),
            step("Test again in an elevated PowerShell:", command=test_command),
        ]
    return [
        step("As root, list the OUTPUT rules of the security table. The VM agent's own three rules are "
             "expected (ACCEPT tcp dpt:53, ACCEPT owner UID match 0, DROP ctstate INVALID,NEW); look for any "
             "other DROP or REJECT rule that matches 168.63.129.16 or all traffic, or one placed before the "
             "agent's ACCEPT rules:", command=commands.LINUX_AGENT_RULES),
        step("Look for such rules in the filter table too:", command="sudo iptables -S OUTPUT"),
        step("List the nftables rules as well (firewalld, ufw and newer VM agents use them); only the "
             "agent's table walinuxagent is expected to drop traffic to 168.63.129.16, and only for users "
             "other than root:", command="sudo nft list ruleset"),
        step("Remove the rule that blocks it, and its saved copy (firewalld, ufw or your own firewall "
             "scripts), so that it does not come back after a reboot."),
        step("Test again as root:", command=test_command),
    ]


def _route_steps(ctx: CheckContext) -> list[FixStep]:
    if _windows(ctx):
        return [
            step("Check the route Windows uses to reach 168.63.129.16:",
                 command="Find-NetRoute -RemoteIPAddress 168.63.129.16"),
            step("Make sure the primary network adapter gets its address from DHCP (a static address set "
                 "inside the VM breaks the route to the Wire Server):",
                 command="Get-NetIPInterface -AddressFamily IPv4 | Format-Table InterfaceAlias, Dhcp, "
                         "ConnectionState -AutoSize"),
        ]
    return [
        step("Check the route Linux uses to reach 168.63.129.16:", command="ip route get 168.63.129.16"),
        step("Make sure the primary network interface gets its address from DHCP (a static address or "
             "gateway set inside the VM breaks the route to the Wire Server)."),
    ]


def _docs(ctx: CheckContext) -> list[DocLink]:
    out = [DOC_168, DOC_TS_AGENT, _agent_doc(ctx)]
    if _windows(ctx):
        out.append(DOC_WINDOWS_VHD)
    return out


def _connection_failure(ctx: CheckContext, ans: Answer, host: str, port: int, test_command: str,
                        evidence: dict[str, Any]) -> Finding:
    """The finding for a TCP connect or HTTP GET that never got an answer from the server."""
    outcome = str(ans.get("outcome") or "error")
    ms = int(ans.get("elapsed_ms") or 0)
    error = error_msg(ans)
    off_azure = not_applicable_off_azure(ctx)
    if off_azure is not None:
        off_azure.evidence = {**evidence, **off_azure.evidence}
        return off_azure
    is_admin = ctx.is_admin
    evidence = {**evidence, "is_admin": is_admin}
    if outcome == "timeout" and ans.get("connected") is True:
        return _accepted_without_answer(ctx, host, port, ms, test_command, evidence)
    if is_admin is not True:
        return _inconclusive(ctx, is_admin, outcome, host, port, error, evidence)

    windows = _windows(ctx)
    fix = _firewall_steps(ctx, test_command)
    if outcome == "refused":
        return Finding(
            Status.PROBLEM,
            m("The Wire Server at {host}:{port} refused the connection (after {ms} ms).",
              host=host, port=port, ms=ms),
            why=m("The Wire Server always listens on port {port}, so a refusal comes from inside the VM: a "
                  "firewall rule that rejects the connection, or security software. The VM agent and the "
                  "backup extension cannot reach the Wire Server, so backups fail in the Take Snapshot "
                  "phase.", port=port),
            fix=fix, docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES), evidence=evidence,
        )
    if outcome == "timeout":
        return Finding(
            Status.PROBLEM,
            m("The Wire Server at {host}:{port} did not answer within {ms} ms.", host=host, port=port, ms=ms),
            why=m("Traffic to the Wire Server is being dropped, most often by a rule of the firewall inside "
                  "the VM or by security software (network security groups and routes in Azure do not apply "
                  "to this address). The VM agent and the backup extension cannot reach the Wire Server, so "
                  "backups fail in the Take Snapshot phase."),
            fix=fix, docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES), evidence=evidence,
        )
    if outcome == "unreachable":
        return Finding(
            Status.PROBLEM,
            m("The Wire Server at {host}:{port} is unreachable: the VM has no route to it ({error}).",
              host=host, port=port, error=error),
            why=m("The network settings inside the VM send no traffic to the Wire Server, typically after a "
                  "static IP address or gateway was set inside the VM instead of DHCP, or a firewall rule "
                  "rejects the traffic with 'host unreachable'. The VM agent and the backup extension cannot "
                  "reach the Wire Server, so backups fail in the Take Snapshot phase."),
            fix=_route_steps(ctx) + fix, docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES),
            evidence=evidence,
        )
    if blocked_locally(str(ans.get("error") or "")):
        return Finding(
            Status.PROBLEM,
            m("The connection to the Wire Server at {host}:{port} was forbidden inside the VM before it was "
              "sent ({error}).", host=host, port=port, error=error),
            why=m("The operating system refused to open the connection, which happens when a firewall rule "
                  "or a filtering driver inside the VM forbids it. The VM agent and the backup extension "
                  "cannot reach the Wire Server, so backups fail in the Take Snapshot phase."),
            fix=fix, docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES),
            evidence={**evidence, "note": UNCONFIRMED_WINDOWS_RULES} if windows else evidence,
        )
    return Finding(
        Status.WARNING,
        m("The connection to the Wire Server at {host}:{port} failed with an unexpected error ({error}).",
          host=host, port=port, error=error),
        why=m("The wizard cannot tell what caused this error. If the VM agent meets the same error, it "
              "cannot reach the Wire Server and backups fail in the Take Snapshot phase."),
        fix=fix, docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES), evidence=evidence,
    )


def _accepted_without_answer(ctx: CheckContext, host: str, port: int, ms: int, test_command: str,
                             evidence: dict[str, Any]) -> Finding:
    """An HTTP request whose connection was accepted but whose answer did not come by the deadline.

    No firewall rule explains it, whoever runs the test: a rule that drops the traffic (the VM agent's own one
    for users other than root included) stops the connection itself, and this one was accepted."""
    if port == ctx.settings.hostplugin_port:
        summary = m("The HostGAPlugin at {host}:{port} accepted the connection, but its answer did not come within "
                    "{ms} ms.", host=host, port=port, ms=ms)
    else:
        summary = m("The Wire Server at {host}:{port} accepted the connection, but its answer did not come within "
                    "{ms} ms.", host=host, port=port, ms=ms)
    _gpa_redirect(ctx, evidence)
    return Finding(
        Status.PROBLEM, summary,
        why=m("A firewall that blocks this traffic stops the connection itself, so this is not a firewall rule. "
              "The request got through, and what should answer it is slow: usually the Azure host side (the Wire "
              "Server or its HostGAPlugin), sometimes something in between inside the VM that holds the request "
              "(a transparent proxy, security software or the Guest Proxy Agent). While it lasts, the VM agent and "
              "the backup extension cannot get their settings or report status in time, so backups can fail in "
              "the Take Snapshot phase."),
        fix=[step("Run the wizard again in a few minutes."), *_intercept_steps(ctx, test_command)],
        docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES), evidence=evidence,
    )


def _inconclusive(ctx: CheckContext, is_admin: bool | None, outcome: str, host: str, port: int,
                  error: Msg, evidence: dict[str, Any]) -> Finding:
    """A failure seen without Administrator/root rights: the agents' own rules may explain it."""
    timeout = outcome == "timeout"
    if is_admin is None:
        return Finding(
            Status.NOT_CHECKED,
            m("Inconclusive: the connection to the Wire Server at {host}:{port} failed ({error}), and the "
              "wizard could not tell whether it runs as Administrator or root.", host=host, port=port,
              error=error),
            why=m("Only Administrators and SYSTEM (Windows) or root (Linux) may reach the Wire Server, so a "
                  "test by any other user can fail even when everything is fine."),
            fix=[step("Run the wizard again as Administrator (Windows) or with sudo (Linux).",
                      command=None if _windows(ctx) else RERUN_AS_ROOT)],
            docs=[DOC_168], evidence=evidence,
        )
    if _windows(ctx):
        fix = [step("Close the wizard and start it again as Administrator (right-click it, then \"Run as "
                    "administrator\").")]
        if timeout:
            return Finding(
                Status.NOT_CHECKED,
                m("Inconclusive: the Wire Server at {host}:{port} did not answer, but the wizard is not "
                  "running as Administrator, and the VM agent lets only Administrators and SYSTEM reach "
                  "the Wire Server.", host=host, port=port),
                why=m("On Windows, connections to the Wire Server are restricted to Administrators and "
                      "SYSTEM, so a test by a normal user can time out even when everything is fine. Only a "
                      "test as Administrator shows what the VM agent sees."),
                fix=fix, docs=[DOC_168], evidence={**evidence, "note": UNCONFIRMED_WINDOWS_RULES},
            )
        return Finding(
            Status.NOT_CHECKED,
            m("Inconclusive: the connection to the Wire Server at {host}:{port} failed ({error}), but the "
              "wizard is not running as Administrator, so it may have met a restriction that applies only "
              "to normal users.", host=host, port=port, error=error),
            why=m("On Windows, connections to the Wire Server are restricted to Administrators and SYSTEM. "
                  "Only a test as Administrator shows what the VM agent sees."),
            fix=fix, docs=[DOC_168], evidence={**evidence, "note": UNCONFIRMED_WINDOWS_RULES},
        )
    fix = [step("Run the wizard again as root.", command=RERUN_AS_ROOT)]
    if timeout:
        return Finding(
            Status.NOT_CHECKED,
            m("Inconclusive: the Wire Server at {host}:{port} did not answer, but the wizard is not running "
              "as root, and the VM agent's own firewall admits only root to the Wire Server.",
              host=host, port=port),
            why=m("The Linux VM agent adds firewall rules that silently drop every connection to the Wire "
                  "Server (except DNS on port 53) from users other than root, so this timeout is expected "
                  "and says nothing about whether the agent, which runs as root, can connect."),
            fix=fix, docs=[DOC_168], evidence=evidence,
        )
    return Finding(
        Status.NOT_CHECKED,
        m("Inconclusive: the connection to the Wire Server at {host}:{port} failed ({error}), but the wizard "
          "is not running as root, so it may have met a rule that applies only to users other than root.",
          host=host, port=port, error=error),
        why=m("The VM agent runs as root, and rules inside the VM may treat root differently from other "
              "users. Only a test as root shows what the agent sees."),
        fix=fix, docs=[DOC_168], evidence=evidence,
    )


def _http_evidence(url: str, ans: Answer) -> dict[str, Any]:
    raw_headers = ans.get("headers")
    headers: dict[str, Any] = raw_headers if isinstance(raw_headers, dict) else {}
    evidence: dict[str, Any] = {
        "url": url,
        "outcome": ans.get("outcome"),
        "status": ans.get("status"),
        "elapsed_ms": ans.get("elapsed_ms"),
        "error": ans.get("error"),
        "connected": ans.get("connected"),
        "content_type": headers.get("content-type"),
        "body_excerpt": excerpt(ans.get("body")),
        "body_truncated": bool(ans.get("truncated")),
    }
    if headers.get("location"):
        evidence["location"] = excerpt(headers.get("location"), 500)
    return evidence


def _error_answer(ans: Answer, evidence: dict[str, Any]) -> dict[str, Any]:
    """The code and message of an error answer's body (WireServer XML, HostGAPlugin JSON), into the evidence too."""
    err = parse_error_body(str(ans.get("body") or ""))
    if err["code"] or err["message"]:
        evidence.update(error_code=err["code"], error_message=err["message"], error_body_format=err["format"])
    elif ans.get("body"):
        evidence["error_body_unparsed"] = err["error"]
    return err


def _with_error_answer(summary: Msg, err: dict[str, Any]) -> Msg:
    """The summary, followed by the error code and message the answer's body carries, when it carries them."""
    if not (err.get("code") or err.get("message")):
        return summary
    return m("{finding} The answer says: {code}: {message}", finding=summary, code=err.get("code") or "-",
             message=" ".join(str(err.get("message") or "-").split())[:300])


def _unavailable(ans: Answer, evidence: dict[str, Any]) -> Finding:
    return Finding(
        Status.NOT_CHECKED,
        m("Not checked: the wizard could not make the network test ({error}).", error=error_msg(ans)),
        evidence={**evidence, "unavailable": True, "error": ans.get("error")},
    )


def _intercept_steps(ctx: CheckContext, test_command: str) -> list[FixStep]:
    return [
        step("Make sure nothing inside the VM intercepts traffic to 168.63.129.16: no transparent proxy, web "
             "filter or security product may answer in the Wire Server's place."),
        step("Repeat the request yourself as Administrator or root and compare the answer:",
             command=test_command),
        step("If the answer stays the same, contact Azure support and attach this report."),
    ]


GPA_WHY = m("The Guest Proxy Agent of the Metadata Security Protocol redirects the connections to the Wire Server, "
            "the HostGAPlugin and IMDS to itself and forwards the requests it allows. A connection test therefore "
            "shows that its listener answers; the HTTP checks show whether the requests get through.")
GPA_REFUSED = (401, 403)


def _gpa_redirect(ctx: CheckContext, evidence: dict[str, Any]) -> bool | None:
    """True/None (may) when the Guest Proxy Agent redirects this traffic, False when it does not; noted in evidence."""
    fact = ctx.fact("guest_proxy_agent")
    if not isinstance(fact, dict) or not fact.get("present"):
        return False
    redirecting = fact.get("redirecting")
    evidence["guest_proxy_agent"] = {"redirecting": redirecting, "service_state": fact.get("service_state"),
                                     "secure_channel_state": (fact.get("status") or {}).get("secure_channel_state")}
    return None if redirecting is None else bool(redirecting)


def _gpa_refused(ctx: CheckContext, url: str, status: int, evidence: dict[str, Any]) -> Finding | None:
    """Inconclusive when the Guest Proxy Agent (not the Wire Server) refused this request, else None."""
    if status not in GPA_REFUSED or _gpa_redirect(ctx, evidence) is False:
        return None
    return Finding(
        Status.NOT_CHECKED,
        m("Inconclusive: {url} was answered with HTTP {status}, most likely by the Guest Proxy Agent, whose access "
          "rules (Metadata Security Protocol) refused this wizard's request.", url=url, status=status),
        why=m("The Guest Proxy Agent intercepts requests to the Wire Server and refuses those its rules do not allow "
              "with HTTP 403. The VM agent and the backup extension, which run as SYSTEM, may be allowed even when "
              "this wizard is not; the Guest Proxy Agent result of this report shows whether it refused them."),
        fix=[step("Read the Guest Proxy Agent result of this report; it lists the requests the agent refused.")],
        docs=[DOC_MSP], evidence=evidence)


# -- the checks --------------------------------------------------------------------------------


def _port_check(ctx: CheckContext, port: int, path: str) -> Finding:
    host = ctx.settings.wireserver
    ans = ctx.call("tcp_connect", host=host, port=port, timeout=ctx.settings.connect_timeout_s)
    evidence: dict[str, Any] = {"host": host, "port": port, "outcome": ans.get("outcome"),
                                "elapsed_ms": ans.get("elapsed_ms"), "error": ans.get("error")}
    if is_unavailable(ans):
        return _unavailable(ans, evidence)
    if ans.get("outcome") == "connected":
        ms = int(ans.get("elapsed_ms") or 0)
        redirect = _gpa_redirect(ctx, evidence)
        if redirect is True:
            return Finding(
                Status.INFO,
                m("Connected to {host}:{port} in {ms} ms, but through the Guest Proxy Agent, which intercepts this "
                  "traffic: the connection reached its local listener, not necessarily the Wire Server.",
                  host=host, port=port, ms=ms),
                why=GPA_WHY, docs=[DOC_MSP], evidence=evidence)
        if redirect is None:
            return Finding(
                Status.INFO,
                m("Connected to {host}:{port} in {ms} ms, possibly through the Guest Proxy Agent, which runs on this "
                  "VM and may intercept this traffic: the connection may have reached its local listener rather "
                  "than the Wire Server.", host=host, port=port, ms=ms),
                why=GPA_WHY, docs=[DOC_MSP], evidence=evidence)
        return Finding(
            Status.OK,
            m("Connected to the Wire Server at {host}:{port} in {ms} ms.", host=host, port=port, ms=ms),
            evidence=evidence,
        )
    url = ctx.settings.wireserver_url(path, port=port)
    test_command = _test_command(ctx, url, host, port, http=False)
    return _connection_failure(ctx, ans, host, port, test_command, evidence)


def check_port80(ctx: CheckContext) -> Finding:
    return _port_check(ctx, ctx.settings.wireserver_port, VERSIONS_PATH)


def check_port32526(ctx: CheckContext) -> Finding:
    return _port_check(ctx, ctx.settings.hostplugin_port, HEALTH_PATH)


def check_versions(ctx: CheckContext) -> Finding:
    host, port = ctx.settings.wireserver, ctx.settings.wireserver_port
    url = ctx.settings.wireserver_url(VERSIONS_PATH)
    ans = ctx.call("http_get", url=url, headers={}, timeout=ctx.settings.http_timeout_s,
                   connect_timeout=ctx.settings.connect_timeout_s)
    evidence = _http_evidence(url, ans)
    if is_unavailable(ans):
        return _unavailable(ans, evidence)
    test_command = _test_command(ctx, url, host, port, http=True)
    if ans.get("outcome") != "ok" or not isinstance(ans.get("status"), int):
        return _connection_failure(ctx, ans, host, port, test_command, evidence)

    status = int(ans["status"])
    ms = int(ans.get("elapsed_ms") or 0)
    refused = _gpa_refused(ctx, url, status, evidence)
    if refused is not None:
        return refused
    if status not in OK_CODES:
        err = _error_answer(ans, evidence)
        if status in RETRY_CODES:
            return Finding(
                Status.WARNING,
                _with_error_answer(m("The Wire Server answered {url} with HTTP {status} instead of 200.",
                                     url=url, status=status), err),
                why=m("The VM agent treats HTTP {status} as a temporary failure and retries. If it keeps "
                      "happening, the agent cannot refresh its goal state and backups fail in the Take "
                      "Snapshot phase (the Windows agent then logs \"GetVersions() failed\" with the same "
                      "status).", status=status),
                fix=[step("Run the wizard again in a few minutes."), *_intercept_steps(ctx, test_command)],
                docs=_docs(ctx), error_codes=["UserErrorGuestAgentStatusUnavailable"], evidence=evidence,
            )
        return Finding(
            Status.PROBLEM,
            _with_error_answer(m("The Wire Server answered {url} with HTTP {status}, which the VM agent treats as a "
                                 "failure.", url=url, status=status), err),
            why=m("A working Wire Server answers this request with HTTP 200. HTTP {status} means the request "
                  "was rejected, or something else answered in its place (for example a proxy that "
                  "redirects it). The VM agent cannot fetch its goal state, so backups fail in the Take "
                  "Snapshot phase.", status=status),
            fix=_intercept_steps(ctx, test_command), docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES),
            evidence=evidence,
        )

    parsed = parse_versions(str(ans.get("body") or ""))
    evidence.update(preferred=parsed["preferred"], supported=parsed["supported"],
                    parse_error=parsed["error"], recovered=parsed["recovered"],
                    required_version=WIRE_PROTOCOL_VERSION)
    preferred = listed(parsed["preferred"]) or "-"
    supported = listed(parsed["supported"]) or "-"
    if parsed["error"]:
        if parsed["recovered"]:
            evidence["recovered_advertises_required"] = advertises(parsed)
        return Finding(
            Status.WARNING,
            m("The Wire Server answered {url} with HTTP {status}, but the body is not a valid list of "
              "versions ({error}).", url=url, status=status, error=error_msg(parsed)),
            why=m("The VM agent reads this list to choose its protocol version; an answer like this one "
                  "stops it. Such a body usually comes from something else answering in the Wire Server's "
                  "place (a transparent proxy or security software inside the VM), or from a cut-off "
                  "response."),
            fix=_intercept_steps(ctx, test_command), docs=_docs(ctx), evidence=evidence,
        )
    if not advertises(parsed):
        evidence["agent_error_text"] = PROTOCOL_NOT_FOUND_TEXT
        return Finding(
            Status.PROBLEM,
            m("The Wire Server answered, but it does not offer wire protocol version 2012-11-30 (preferred: "
              "{preferred}; supported: {supported}).", preferred=preferred, supported=supported),
            why=m("The VM agent speaks wire protocol 2012-11-30 and stops when the Wire Server does not "
                  "offer it (the Linux agent reports \"Agent supported wire protocol version: 2012-11-30 was "
                  "not advised by Fabric.\"). It then cannot fetch its goal state, no backup extension "
                  "runs, and backups fail in the Take Snapshot phase."),
            fix=_intercept_steps(ctx, test_command), docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES),
            evidence=evidence,
        )
    return Finding(
        Status.OK,
        m("The Wire Server answered {url} with HTTP {status} in {ms} ms and offers wire protocol version "
          "2012-11-30 (preferred: {preferred}).", url=url, status=status, ms=ms, preferred=preferred),
        evidence=evidence,
    )


def check_hostplugin_health(ctx: CheckContext) -> Finding:
    host, port = ctx.settings.wireserver, ctx.settings.hostplugin_port
    url = ctx.settings.wireserver_url(HEALTH_PATH, port=port)
    ans = ctx.call("http_get", url=url, headers={}, timeout=ctx.settings.http_timeout_s,
                   connect_timeout=ctx.settings.connect_timeout_s)
    evidence = {**_http_evidence(url, ans), "note": UNCONFIRMED_HEALTH_BODY}
    if is_unavailable(ans):
        return _unavailable(ans, evidence)
    test_command = _test_command(ctx, url, host, port, http=True)
    if ans.get("outcome") != "ok" or not isinstance(ans.get("status"), int):
        return _connection_failure(ctx, ans, host, port, test_command, evidence)
    status = int(ans["status"])
    refused = _gpa_refused(ctx, url, status, evidence)
    if refused is not None:
        return refused
    if status in OK_CODES:
        return Finding(
            Status.OK,
            m("The HostGAPlugin at {host}:{port} reports healthy (HTTP {status}, {ms} ms).",
              host=host, port=port, status=status, ms=int(ans.get("elapsed_ms") or 0)),
            evidence=evidence,
        )
    err = _error_answer(ans, evidence)
    if status == HOSTPLUGIN_INTERNAL_ERROR:
        return Finding(
            Status.WARNING,
            _with_error_answer(m("The HostGAPlugin at {host}:{port} answered HTTP 502: it reports an internal "
                                 "error of its own.", host=host, port=port), err),
            why=m("The HostGAPlugin runs on the Azure host and answers HTTP 502 for its own errors and for "
                  "errors further upstream; the VM agent retries. While it lasts, the agent may not get "
                  "extension settings or report status through it, so backups can fail in the Take "
                  "Snapshot phase."),
            fix=[step("Run the wizard again in a few minutes."),
                 step("If the HostGAPlugin keeps answering HTTP 502, contact Azure support and attach this "
                      "report; it cannot be repaired from inside the VM.")],
            docs=_docs(ctx), error_codes=["UserErrorGuestAgentStatusUnavailable"], evidence=evidence,
        )
    return Finding(
        Status.PROBLEM,
        _with_error_answer(m("The HostGAPlugin at {host}:{port} answered HTTP {status} instead of 200, 201 or 202.",
                             host=host, port=port, status=status), err),
        why=m("The VM agent counts only HTTP 200, 201 and 202 as healthy. Any other answer means the "
              "HostGAPlugin is not working, or something else answers in its place; the agent then cannot "
              "get extension settings or report status through it, so backups can fail in the Take "
              "Snapshot phase."),
        fix=_intercept_steps(ctx, test_command), docs=_docs(ctx), error_codes=list(CONNECTIVITY_CODES),
        evidence=evidence,
    )


CHECKS: list[Check] = [
    Check("net.wireserver_port80", BOTH, Component.WIRESERVER, "Wire Server port 80", check_port80,
          needs_admin=True, timeout_s=15.0, live_only=True),
    Check("net.wireserver_port32526", BOTH, Component.WIRESERVER, "Wire Server port 32526 (HostGAPlugin)",
          check_port32526, needs_admin=True, timeout_s=15.0, live_only=True),
    Check("net.wireserver_versions", BOTH, Component.WIRESERVER, "Wire Server protocol versions",
          check_versions, needs_admin=True, timeout_s=15.0, live_only=True),
    Check("net.hostplugin_health", BOTH, Component.WIRESERVER, "HostGAPlugin health", check_hostplugin_health,
          needs_admin=True, timeout_s=15.0, live_only=True),
]
