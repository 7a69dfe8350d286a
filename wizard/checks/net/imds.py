"""IMDS check (`net.imds`): did the Instance Metadata Service (169.254.169.254) answer, and what VM is this?

Backup does not need IMDS (Microsoft's own VM assist script rates an unreachable IMDS as
information only), but it is the source of the VM facts the report shows and of the disk layout
check, and a proxy or firewall rule that blocks it often blocks the Wire Server too. The request
itself is made once per run by the shared `imds` fact (`wizard/checks/facts.py`); this check
only reads that fact.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import BOTH, Check, CheckContext, Finding, error_msg, m, not_applicable_off_azure, step
from wizard.checks.env import DOC_168, DOC_IMDS
from wizard.i18n import N_
from wizard.model import Component, FixStep, Status

IMDS_BAD_REQUEST = 400
IMDS_TEST_URL = "http://169.254.169.254/metadata/instance?api-version=2021-02-01"
# An empty WebProxy in a session: a direct request in Windows PowerShell 5.1 too (which has no -NoProxy).
PS_DIRECT_SESSION = (
    "$s = New-Object Microsoft.PowerShell.Commands.WebRequestSession; $s.Proxy = New-Object System.Net.WebProxy; "
)
PS_IMDS_TEST = (
    PS_DIRECT_SESSION + 'Invoke-RestMethod -WebSession $s -Headers @{"Metadata"="true"} -Method GET '
    f'-Uri "{IMDS_TEST_URL}" | ConvertTo-Json -Depth 64'
)
CURL_IMDS_TEST = f'curl -s -H Metadata:true --noproxy "*" "{IMDS_TEST_URL}"'


def _test_steps(ctx: CheckContext) -> list[FixStep]:
    if ctx.system == "windows":
        test = step("Query IMDS yourself in PowerShell, bypassing any proxy:", command=PS_IMDS_TEST)
    else:
        test = step("Query IMDS yourself, bypassing any proxy:", command=CURL_IMDS_TEST)
    return [
        test,
        step("If a proxy is configured for the VM, add 169.254.169.254 and 168.63.129.16 to its bypass "
             "list (see the proxy check in this report)."),
        step("Check that no firewall rule or security software inside the VM blocks 169.254.169.254."),
    ]


def _vm_evidence(compute: dict[str, Any]) -> dict[str, Any]:
    os_disk = compute.get("os_disk") if isinstance(compute.get("os_disk"), dict) else {}
    data_disks = compute.get("data_disks") if isinstance(compute.get("data_disks"), list) else []
    return {
        "vm_id": compute.get("vm_id"),
        "name": compute.get("name"),
        "location": compute.get("location"),
        "vm_size": compute.get("vm_size"),
        "os_type": compute.get("os_type"),
        "resource_group": compute.get("resource_group"),
        "security_type": compute.get("security_type"),
        "os_disk_size_gb": (os_disk or {}).get("size_gb"),
        # Older answers (before api-version 2019) carry no storageProfile: the disk count is unknown.
        "data_disks": len(data_disks or []) if os_disk else None,
    }


def check_imds(ctx: CheckContext) -> Finding:
    fact = ctx.fact("imds") or {}
    evidence: dict[str, Any] = {"url": fact.get("url"), "outcome": fact.get("outcome"),
                                "status": fact.get("status"), "error": fact.get("error")}
    if fact.get("unavailable"):
        return Finding(
            Status.NOT_CHECKED,
            m("Not checked: the wizard could not query the Instance Metadata Service ({error}).",
              error=error_msg(fact)),
            evidence={**evidence, "unavailable": True},
        )
    compute = fact.get("compute")
    if fact.get("ok") and isinstance(compute, dict):
        vm = _vm_evidence(compute)
        names = {"name": str(vm["name"] or "-"), "size": str(vm["vm_size"] or "-"),
                 "os": str(vm["os_type"] or "-"), "location": str(vm["location"] or "-")}
        if vm["data_disks"] is None:
            summary = m("The Instance Metadata Service answered: VM {name} ({size}, {os}) in {location}.",
                        **names)
        else:
            summary = m("The Instance Metadata Service answered: VM {name} ({size}, {os}) in {location}, "
                        "with {disks} data disks.", disks=vm["data_disks"], **names)
        return Finding(Status.OK, summary, evidence={**evidence, **vm})
    off_azure = not_applicable_off_azure(ctx)
    if off_azure is not None:
        off_azure.evidence = {**evidence, **off_azure.evidence}
        return off_azure

    status = fact.get("status")
    if fact.get("outcome") == "ok" and status == IMDS_BAD_REQUEST:
        return Finding(
            Status.WARNING,
            m("The Instance Metadata Service answered HTTP 400 (Bad Request) to the wizard's request."),
            why=m("IMDS rejects requests without the header \"Metadata: true\", with an X-Forwarded-For "
                  "header, or without a valid api-version. The wizard sends a correct request, so something "
                  "in between (usually a proxy that intercepts traffic to 169.254.169.254) changed it. "
                  "Backup does not need IMDS, but the same interception can break the VM agent's traffic to "
                  "the Wire Server (168.63.129.16)."),
            fix=_test_steps(ctx), docs=[DOC_IMDS, DOC_168], evidence=evidence,
        )
    if fact.get("outcome") == "ok" and status == 200:
        return Finding(
            Status.WARNING,
            m("The Instance Metadata Service answered HTTP 200, but the answer is not an instance metadata "
              "document ({error}).", error=error_msg(fact)),
            why=m("A real IMDS answer is a JSON document with a compute section. Another answer usually "
                  "means that a proxy or security product inside the VM answers in place of IMDS; the same "
                  "interception can break the VM agent's traffic to the Wire Server (168.63.129.16)."),
            fix=_test_steps(ctx), docs=[DOC_IMDS, DOC_168], evidence=evidence,
        )
    if fact.get("outcome") == "ok":
        return Finding(
            Status.INFO,
            m("The Instance Metadata Service answered HTTP {status}, so the wizard could not read the VM "
              "facts from it.", status=str(status)),
            why=m("Backup does not need IMDS, so this alone does not make backups fail; the report only "
                  "lacks the VM facts (name, size, disks) and cannot check the disk layout."),
            fix=[step("Run the wizard again in a minute (IMDS limits how often it may be asked)."),
                 *_test_steps(ctx)],
            docs=[DOC_IMDS], evidence=evidence,
        )
    return Finding(
        Status.INFO,
        m("The Instance Metadata Service (169.254.169.254) did not answer ({error}).",
          error=error_msg(fact, N_("no answer"))),
        why=m("Backup does not need IMDS, so this alone does not make backups fail; the report only lacks "
              "the VM facts (name, size, disks). But a proxy setting or firewall rule that blocks "
              "169.254.169.254 often blocks the Wire Server (168.63.129.16) too: both must be reached "
              "directly, never through a proxy."),
        fix=_test_steps(ctx), docs=[DOC_IMDS, DOC_168], evidence=evidence,
    )


CHECKS: list[Check] = [
    Check("net.imds", BOTH, Component.NETWORK_PATH, "Instance Metadata Service (IMDS)", check_imds,
          timeout_s=15.0, live_only=True),
]
