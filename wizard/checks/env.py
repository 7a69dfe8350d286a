"""Environment checks (`env.*`): is this an Azure VM, do we run elevated, is MSP's Guest Proxy Agent here."""

from __future__ import annotations

from typing import Any

from wizard.checks.base import BOTH, Check, CheckContext, Finding, doc_link, m, not_in_bundle, step
from wizard.checks.commands import RERUN_AS_ROOT
from wizard.checks.docs import IMDS as DOC_IMDS
from wizard.checks.docs import IP_168 as DOC_168
from wizard.checks.facts import AZURE_ASSET_TAG, GPA_LINUX_STATUS, GPA_WINDOWS_STATUS
from wizard.model import Component, ListParam, Status, listed
from wizard.parsers import gpa
from wizard.probes.base import is_unavailable

DOC_MSP = doc_link("Metadata Security Protocol (MSP) overview",
              "https://learn.microsoft.com/azure/virtual-machines/metadata-security-protocol/overview")
DOC_MSP_TS = doc_link("Troubleshoot the Metadata Security Protocol (MSP)",
                 "https://learn.microsoft.com/azure/virtual-machines/metadata-security-protocol/troubleshoot-guide")


def check_azure(ctx: CheckContext) -> Finding:
    az = ctx.fact("azure")
    evidence = {
        "asset_tag": az.get("asset_tag"),
        "asset_tag_expected": AZURE_ASSET_TAG,
        "asset_tag_match": az.get("asset_tag_match"),
        "imds_reachable": az.get("imds_ok"),
        "imds_outcome": az.get("imds_outcome"),
    }
    if az.get("asset_tag_source"):
        evidence["asset_tag_source"] = az["asset_tag_source"]
    if az.get("agent_evidence"):
        evidence["agent_evidence"] = list(az["agent_evidence"])
    if az.get("is_azure"):
        if not az.get("asset_tag_match") and not az.get("imds_ok") and az.get("agent_evidence"):
            return Finding(Status.OK, m("This is an Azure VM: the Azure VM agent is installed ({evidence}), although "
                                        "neither the hardware asset tag nor the Instance Metadata Service could "
                                        "confirm it.", evidence=listed(az["agent_evidence"])),
                           evidence=evidence)
        return Finding(Status.OK, m("This is an Azure VM."), evidence=evidence)
    if az.get("is_azure") is None:
        if ctx.in_bundle:
            return not_in_bundle(evidence)
        return Finding(
            Status.NOT_CHECKED,
            m("Not checked: could not tell whether this is an Azure VM (neither the hardware asset tag "
              "nor the Instance Metadata Service could be read)."),
            evidence=evidence,
        )
    return Finding(
        Status.WARNING,
        m("This machine does not look like an Azure VM: its hardware asset tag is not Azure's and the "
          "Instance Metadata Service did not answer."),
        why=m("Azure VM Backup only protects Azure VMs. The checks of the Azure platform endpoints "
              "(168.63.129.16, 169.254.169.254) are marked not applicable here."),
        fix=[step("If this is an Azure VM, run the wizard again inside that VM (not on your own PC or a "
                  "jump host)."),
             step("If it is an Azure VM, check that no in-guest firewall or proxy blocks 169.254.169.254 "
                  "and 168.63.129.16.")],
        docs=[DOC_168, DOC_IMDS],
        evidence=evidence,
    )


def check_elevation(ctx: CheckContext) -> Finding:
    ans = ctx.fact("elevation")
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not tell whether the wizard runs elevated."),
                       evidence={"error": ans.get("error")})
    evidence = {"is_admin": bool(ans.get("is_admin")), "user": ans.get("user"), "uid": ans.get("uid")}
    windows = ctx.system == "windows"
    if ans.get("is_admin"):
        if windows:
            return Finding(Status.OK, m("Running as Administrator: every check can look."), evidence=evidence)
        return Finding(Status.OK, m("Running as root: every check can look."), evidence=evidence)
    if windows:
        return Finding(
            Status.WARNING,
            m("Not running as Administrator (user {user}): some checks cannot give a conclusive answer.",
              user=str(ans.get("user") or "")),
            why=m("The VM agent lets only Administrators and SYSTEM talk to the Wire Server (168.63.129.16), "
                  "and the VSS writer list needs Administrator rights, so those results are inconclusive."),
            fix=[step("Close the wizard and start it again with \"Run as administrator\".")],
            docs=[DOC_168],
            evidence=evidence,
        )
    return Finding(
        Status.WARNING,
        m("Not running as root (user {user}): the Wire Server and firewall checks cannot give a "
          "conclusive answer.", user=str(ans.get("user") or "")),
        why=m("The Linux VM agent's own firewall rules let only root reach the Wire Server (168.63.129.16) on "
              "ports 80 and 32526, so a test as another user times out even when everything is fine."),
        fix=[step("Run the wizard again with sudo.", command=RERUN_AS_ROOT)],
        docs=[DOC_168],
        evidence=evidence,
    )


def _gpa_modes(status: dict[str, Any] | None) -> str | ListParam:
    if not status or not status.get("ok"):
        return "unknown"
    parts = [str(status.get("secure_channel_state") or "unknown")]
    parts += [f"{k}={v}" for k, v in sorted((status.get("modes") or {}).items())]
    return listed(parts)


def check_guest_proxy_agent(ctx: CheckContext) -> Finding:
    gpa_fact = ctx.fact("guest_proxy_agent")
    status = gpa_fact.get("status")
    evidence: dict[str, Any] = {k: gpa_fact.get(k) for k in ("service", "service_exists", "service_state",
                                                             "status_file", "status_file_exists", "redirecting")}
    if status is not None:
        evidence["status"] = status
    if not gpa_fact.get("present"):
        if ctx.in_bundle:  # its program and service are not in a bundle, so its absence is not shown
            return not_in_bundle(evidence)
        if not gpa_fact.get("looked"):
            return Finding(Status.NOT_CHECKED, m("Not checked: could not look for the Guest Proxy Agent."),
                           evidence=evidence)
        return Finding(Status.OK, m("The Guest Proxy Agent (Metadata Security Protocol) is not installed."),
                       evidence=evidence)
    service = str(gpa_fact.get("service") or "")
    state = str(gpa_fact.get("service_state") or "unknown")
    mode = _gpa_modes(status)
    docs = [DOC_MSP, DOC_MSP_TS]
    blocked = (status or {}).get("agent_blocked") or []
    if blocked:
        first = blocked[0]
        return Finding(
            Status.PROBLEM,
            m("The Guest Proxy Agent of the Metadata Security Protocol (MSP) refused requests of the VM agent or the "
              "backup extension ({process}, response {response}); secure channel state: {mode}.",
              process=str(first.get("process") or "?"), response=str(first.get("response") or "?"), mode=mode),
            why=m("With MSP enforcing, the Guest Proxy Agent answers requests to the Wire Server, the HostGAPlugin and "
                  "IMDS that its access rules do not allow with HTTP 403. When it refuses the VM agent or the backup "
                  "extension, they cannot fetch settings or report status, and the Take Snapshot phase fails."),
            fix=[step("Check the MSP access rules of this VM (its Audit/Enforce mode and the allowed identities), "
                      "and allow the VM agent and the backup extension, or switch MSP to audit mode."),
                 step("Look at the refused requests in the Guest Proxy Agent's status file:",
                      command=f"Get-Content '{GPA_WINDOWS_STATUS}'" if ctx.system == "windows"
                      else f"sudo cat {GPA_LINUX_STATUS}")],
            docs=docs, error_codes=["UserErrorGuestAgentStatusUnavailable"], evidence=evidence)
    unhealthy = gpa.unhealthy_modules(status) if status and status.get("ok") else []
    if gpa_fact.get("running") and unhealthy:
        return Finding(
            Status.WARNING,
            m("The Guest Proxy Agent of the Metadata Security Protocol (MSP) runs, but these parts of it are not "
              "running: {modules} (secure channel state: {mode}).", modules=listed(unhealthy), mode=mode),
            why=m("The Guest Proxy Agent intercepts the traffic to the Wire Server (168.63.129.16) and IMDS; when its "
                  "listener, its eBPF program or its key latch is not running, that traffic may fail, and with it the "
                  "VM agent's and the backup extension's requests in the Take Snapshot phase."),
            fix=[step("Restart the Guest Proxy Agent, then run the wizard again.",
                      command=f"Restart-Service {service}" if ctx.system == "windows"
                      else f"sudo systemctl restart {service}"),
                 step("If it stays so, check the MSP troubleshooting guide and contact support with this report.")],
            docs=docs, evidence=evidence)
    return Finding(
        Status.WARNING,
        m("The Guest Proxy Agent of the Metadata Security Protocol (MSP) is installed (service {service}: "
          "{state}; secure channel state: {mode}).", service=service, state=state, mode=mode),
        why=m("Microsoft's MSP documentation (April 2025) lists compatibility with Azure Backup as not "
              "supported yet. If backups fail on this VM, MSP may be the cause; this may have changed since. "
              "While it redirects traffic, the wizard's connection tests reach the Guest Proxy Agent first."),
        fix=[step("Check the current MSP documentation for Azure Backup support."),
             step("If backups fail, try them with MSP disabled (or in audit mode) on this VM, then contact "
                  "support with this report.")],
        docs=docs,
        evidence=evidence,
    )


CHECKS: list[Check] = [
    Check("env.azure", BOTH, Component.GUEST, "Azure VM", check_azure, timeout_s=12.0),
    Check("env.elevation", BOTH, Component.GUEST, "Administrator / root rights", check_elevation, live_only=True),
    Check("env.guest_proxy_agent", BOTH, Component.AGENT, "Metadata Security Protocol (Guest Proxy Agent)",
          check_guest_proxy_agent),
]
