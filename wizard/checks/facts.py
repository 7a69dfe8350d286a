"""Facts shared by several checks, computed once per run: platform, elevation, IMDS, is-Azure."""

from __future__ import annotations

from typing import Any

from wizard.checks.base import Facts
from wizard.parsers.imds import parse_instance
from wizard.probes.base import Answer, is_unavailable

AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77"
IMDS_INSTANCE_PATH = "/metadata/instance?api-version=2021-02-01"
WINDOWS_ASSET_TAG_COMMAND = [
    "powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
    "(Get-CimInstance -ClassName Win32_SystemEnclosure).SMBIOSAssetTag",
]


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
    ans = f.probe.call("http_get", url=url, headers={"Metadata": "true"}, timeout=f.settings.http_timeout_s)
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


def _asset_tag(f: Facts) -> str | None:
    system = f.get("platform").get("system")
    if system == "linux":
        ans = f.probe.call("read_file", path="/sys/class/dmi/id/chassis_asset_tag", max_bytes=4096)
        return str(ans.get("text") or "").strip() if ans.get("readable") else None
    if system == "windows":
        ans = f.probe.call("run", argv=WINDOWS_ASSET_TAG_COMMAND, timeout=8.0)
        if ans.get("found") and ans.get("returncode") == 0:
            return str(ans.get("stdout") or "").strip()
    return None


def _azure(f: Facts) -> dict[str, Any]:
    tag = _asset_tag(f)
    imds = f.get("imds")
    tag_match = None if tag is None else tag == AZURE_ASSET_TAG
    is_azure: bool | None
    if tag_match or imds["ok"]:
        is_azure = True
    elif tag_match is False or (imds["outcome"] in ("unreachable", "refused", "timeout")):
        is_azure = False
    else:
        is_azure = None
    return {"is_azure": is_azure, "asset_tag": tag, "asset_tag_match": tag_match, "imds_ok": imds["ok"],
            "imds_outcome": imds["outcome"]}


PROVIDERS = {
    "platform": _platform,
    "elevation": _elevation,
    "imds": _imds,
    "azure": _azure,
}
