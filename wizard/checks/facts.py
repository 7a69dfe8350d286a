"""Facts shared by several checks, computed once per run: platform, elevation, IMDS, is-Azure.

Is this an Azure VM? Yes when the SMBIOS chassis asset tag is Azure's or IMDS answers; on Windows
also when the Azure VM agent is installed (its RdAgent / WindowsAzureGuestAgent service, the
`HKLM\\SOFTWARE\\Microsoft\\Windows Azure` `VmId` value or the `C:\\WindowsAzure` folder), because the
agent and the blocked network paths are exactly what the wizard diagnoses. No when the asset tag
was read and is not Azure's (and nothing else says Azure). On Windows, when the tag could not be
read and IMDS did not answer, the answer is "could not tell", never "no": a blocked IMDS plus a
slow or broken WMI is a case to diagnose, not a reason to call every network check not
applicable. (On Linux a missing DMI tag with no IMDS still means "no".)

On Windows the asset tag is read in-process from the firmware table (the `platform` answer's
`asset_tag`, see `wizard.probes.smbios`); the PowerShell query is only a fallback for recordings
made before, and for a firmware table that could not be read.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import Facts
from wizard.checks.guest.common import guest_windows_fact
from wizard.parsers import gpa
from wizard.parsers.imds import parse_instance
from wizard.probes.base import Answer, is_unavailable
from wizard.probes.smbios import AZURE_ASSET_TAG as AZURE_ASSET_TAG  # lives with the SMBIOS reader (probes use it)
from wizard.probes.smbios import WINDOWS_ASSET_TAG_COMMAND as WINDOWS_ASSET_TAG_COMMAND

IMDS_INSTANCE_PATH = "/metadata/instance?api-version=2021-02-01"
WINDOWS_AGENT_SERVICES = ("RdAgent", "WindowsAzureGuestAgent")
WINDOWS_AZURE_KEY = "HKLM\\SOFTWARE\\Microsoft\\Windows Azure"
WINDOWS_AGENT_ROOT = "C:\\WindowsAzure"


def _platform(f: Facts) -> Answer:
    ans = f.probe.call("platform")
    if is_unavailable(ans):
        return {"system": "", "error": ans.get("error"), "error_msg": ans.get("error_msg")}
    ans["system"] = str(ans.get("system") or "").lower()
    return ans


def _elevation(f: Facts) -> Answer:
    return f.probe.call("elevation")


def _imds(f: Facts) -> dict[str, Any]:
    url = f.settings.imds_base + IMDS_INSTANCE_PATH
    ans = f.probe.call("http_get", url=url, headers={"Metadata": "true"}, timeout=f.settings.http_timeout_s,
                       connect_timeout=f.settings.connect_timeout_s)
    out: dict[str, Any] = {"url": url, "outcome": ans.get("outcome"), "status": ans.get("status"),
                           "error": ans.get("error"), "error_msg": ans.get("error_msg"), "ok": False,
                           "compute": None, "unavailable": is_unavailable(ans)}
    if ans.get("outcome") == "ok" and ans.get("status") != 200:
        out["body_excerpt"] = str(ans.get("body") or "")[:2000]
    if ans.get("outcome") == "ok" and ans.get("status") == 200:
        parsed = parse_instance(str(ans.get("body") or ""))
        if "error" in parsed:
            out["error"], out["error_msg"] = parsed["error"], parsed["error_msg"]
        else:
            out["ok"] = True
            out["compute"] = parsed
    return out


def _asset_tag(f: Facts) -> tuple[str | None, str | None]:
    """The chassis asset tag and where it was read from (None, None when it could not be read)."""
    platform = f.get("platform")
    system = platform.get("system")
    if system == "linux":
        ans = f.probe.call("read_file", path="/sys/class/dmi/id/chassis_asset_tag", max_bytes=4096)
        return (str(ans.get("text") or "").strip(), "sysfs") if ans.get("readable") else (None, None)
    if system == "windows":
        if isinstance(platform.get("asset_tag"), str):
            return platform["asset_tag"].strip(), "firmware table (GetSystemFirmwareTable)"
        ans = f.probe.call("run", argv=WINDOWS_ASSET_TAG_COMMAND, timeout=8.0)
        if ans.get("found") and ans.get("returncode") == 0 and not ans.get("timed_out"):
            return str(ans.get("stdout") or "").strip(), "PowerShell (Win32_SystemEnclosure)"
    return None, None


def agent_evidence(f: Facts) -> list[str]:
    """What shows that the Azure VM agent is installed here (Windows), each as a short description."""
    found: list[str] = []
    for name in WINDOWS_AGENT_SERVICES:
        ans = f.probe.call("service", name=name)
        if not is_unavailable(ans) and ans.get("exists"):
            found.append(f"service {name}")
    vm_id = f.probe.call("registry", key=WINDOWS_AZURE_KEY, value="VmId")
    if not is_unavailable(vm_id) and vm_id.get("exists") and str(vm_id.get("value") or "").strip():
        found.append(f"{WINDOWS_AZURE_KEY} VmId")
    root = f.probe.call("list_dir", path=WINDOWS_AGENT_ROOT)
    if not is_unavailable(root) and root.get("exists") and not root.get("error"):
        found.append(f"folder {WINDOWS_AGENT_ROOT}")
    return found


def _azure(f: Facts) -> dict[str, Any]:
    tag, tag_source = _asset_tag(f)
    imds = f.get("imds")
    tag_match = None if tag is None else tag == AZURE_ASSET_TAG
    windows = f.get("platform").get("system") == "windows"
    agent: list[str] = []
    if windows and not tag_match and not imds["ok"]:
        agent = agent_evidence(f)
    imds_failed = imds["outcome"] in ("unreachable", "refused", "timeout")
    is_azure: bool | None
    if tag_match or imds["ok"] or agent:
        is_azure = True
    elif tag_match is False or (imds_failed and not windows):
        # Linux keeps its rule: a machine without a readable DMI asset tag whose IMDS does not answer is
        # not an Azure VM. On Windows the firmware table is always there, so an unread tag means the
        # read failed, and that is no evidence.
        is_azure = False
    else:
        is_azure = None
    out = {"is_azure": is_azure, "asset_tag": tag, "asset_tag_match": tag_match, "imds_ok": imds["ok"],
           "imds_outcome": imds["outcome"]}
    if tag_source:
        out["asset_tag_source"] = tag_source
    if agent:
        out["agent_evidence"] = agent
    return out


GPA_WINDOWS_SERVICE = "GuestProxyAgent"
GPA_WINDOWS_STATUS = "C:\\WindowsAzure\\ProxyAgent\\Logs\\status.json"
GPA_LINUX_SERVICE = "azure-proxy-agent"
GPA_LINUX_STATUS = "/var/log/azure-proxy-agent/status.json"
GPA_LINUX_BINARY = "/usr/sbin/azure-proxy-agent"


def _guest_proxy_agent(f: Facts) -> dict[str, Any]:
    """Is MSP's Guest Proxy Agent here, running, and redirecting the Wire Server/IMDS traffic to itself?

    `redirecting`: True when its status says the secure channel is not disabled and the service runs;
    False when it is absent, stopped or disabled; None when that cannot be told (running, no status)."""
    windows = f.get("platform").get("system") == "windows"
    service_name = GPA_WINDOWS_SERVICE if windows else GPA_LINUX_SERVICE
    status_path = GPA_WINDOWS_STATUS if windows else GPA_LINUX_STATUS
    svc = f.probe.call("service", name=service_name)
    status_file = f.probe.call("read_file", path=status_path, max_bytes=256 * 1024)
    binary = None if windows else f.probe.call("stat", path=GPA_LINUX_BINARY)
    parsed = gpa.parse_status(str(status_file.get("text") or "")) if status_file.get("readable") else None
    present = bool(svc.get("exists")) or bool(status_file.get("exists")) or bool(binary and binary.get("exists"))
    running = None if is_unavailable(svc) else svc.get("state") == "running"
    redirecting: bool | None
    if not present or running is False:
        redirecting = False
    elif parsed is not None and parsed.get("ok"):
        redirecting = parsed.get("redirecting")
        if redirecting and running is None:
            redirecting = None
    else:
        redirecting = None
    return {
        "present": present,
        "looked": not (is_unavailable(svc) and is_unavailable(status_file)),
        "service": service_name,
        "service_exists": svc.get("exists"),
        "service_state": svc.get("state"),
        "running": running,
        "status_file": status_path,
        "status_file_exists": status_file.get("exists"),
        "status": parsed,
        "redirecting": redirecting,
    }


PROVIDERS = {
    "platform": _platform,
    "elevation": _elevation,
    "imds": _imds,
    "azure": _azure,
    "guest_proxy_agent": _guest_proxy_agent,
    "guest_windows": guest_windows_fact,
}
