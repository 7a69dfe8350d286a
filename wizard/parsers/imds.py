"""The IMDS `/metadata/instance` document: the VM facts we show and the disk layout we check."""

from __future__ import annotations

import json
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import error_fields

MAX_IMDS_BYTES = 1024 * 1024


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def _disk(d: Any) -> dict[str, Any]:
    if not isinstance(d, dict):
        return {}
    size = d.get("diskSizeGB")
    try:
        size_gb = int(str(size)) if size not in (None, "") else None
    except ValueError:
        size_gb = None
    shared = str(d.get("isSharedDisk", "")).lower() == "true"
    return {
        "name": str(d.get("name") or ""),
        "lun": str(d.get("lun") or ""),
        "size_gb": size_gb,
        "is_shared": shared,
        "is_ultra": str(d.get("isUltraDisk", "")).lower() == "true",
        "storage_type": str(_get(d, "managedDisk", "storageAccountType") or ""),
        "diff_disk_option": str(_get(d, "diffDiskSettings", "option") or ""),
    }


def _network(data: Any) -> dict[str, Any]:
    """The first network interface's private IPv4 addresses, in IMDS order (the first is taken as the
    primary one: that IMDS lists it first is not confirmed by public documentation)."""
    interfaces = _get(data, "network", "interface")
    first = interfaces[0] if isinstance(interfaces, list) and interfaces else None
    addresses = _get(first, "ipv4", "ipAddress")
    ips = [str(a.get("privateIpAddress") or "") for a in (addresses if isinstance(addresses, list) else [])[:64]
           if isinstance(a, dict) and a.get("privateIpAddress")]
    return {"primary_private_ip": ips[0] if ips else "", "private_ips": ips,
            "mac": str(_get(first, "macAddress") or "")}


def parse_instance(body: str) -> dict[str, Any]:
    """Parse the instance document. Returns {"error", "error_msg"} when it is not one."""
    if len(body) > MAX_IMDS_BYTES:
        return error_fields(N_("the document is too large"))
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # ValueError: also a number longer than Python reads (4300 digits)
        return error_fields(N_("not JSON: {detail}"), detail=str(exc)[:200])
    compute = _get(data, "compute")
    if not isinstance(compute, dict):
        return error_fields(N_("no 'compute' section"))
    raw_storage = compute.get("storageProfile")
    storage: dict[str, Any] = raw_storage if isinstance(raw_storage, dict) else {}
    raw_disks = storage.get("dataDisks")
    data_disks: list[Any] = raw_disks if isinstance(raw_disks, list) else []
    facts: dict[str, Any] = {
        "vm_id": str(compute.get("vmId") or ""),
        "name": str(compute.get("name") or ""),
        "resource_group": str(compute.get("resourceGroupName") or ""),
        "subscription_id": str(compute.get("subscriptionId") or ""),
        "location": str(compute.get("location") or ""),
        "vm_size": str(compute.get("vmSize") or ""),
        "os_type": str(compute.get("osType") or ""),
        "publisher": str(compute.get("publisher") or ""),
        "offer": str(compute.get("offer") or ""),
        "sku": str(compute.get("sku") or ""),
        "zone": str(compute.get("zone") or ""),
        "security_type": str(_get(compute, "securityProfile", "securityType") or ""),
        "resource_id": str(compute.get("resourceId") or ""),
        "os_disk": _disk(storage.get("osDisk")),
        "data_disks": [_disk(d) for d in data_disks[:256]],
        "network": _network(data),
    }
    return facts
