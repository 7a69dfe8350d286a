"""`res.cpu` and `res.memory`: CPU and memory load, and the minimum VM size (two cores, 1 GB).
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import CheckContext, Finding, error_msg, m, step
from wizard.checks.docs import MATRIX as DOC_MATRIX
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.checks.res.common import (
    CODE_TIMEOUT,
    CPU_HIGH,
    CPU_PROBLEM,
    DOC_RESIZE,
    MEMORY_PROBLEM,
    MIN_CORES,
    MIN_MEMORY_BYTES,
    _combine,
    _cpu_percent,
    _gb,
    _Issue,
    _num,
    _timeout_fix,
    _top,
)
from wizard.model import Status
from wizard.probes.base import is_unavailable


def _cores_issue(cores: int) -> _Issue:
    return _Issue(
        Status.INFO,
        m("The VM has {cores} CPU core; Azure Backup's support matrix names at least 2 cores and 1 GB of "
          "memory as the minimum VM size.", cores=cores),
        why=m("A VM this small is easily saturated while the backup extension works, which delays the "
              "snapshot in the Take Snapshot phase."),
        fix=[step("If backups time out, resize the VM to a size with at least 2 vCPUs.")],
    )


def check_cpu(ctx: CheckContext) -> Finding:
    ans = ctx.call("cpu_sample", seconds=ctx.settings.cpu_window_s)
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not sample the CPU use ({error}).",
                                             error=error_msg(ans)),
                       evidence={"error": ans.get("error")})
    pct = _cpu_percent(ans)
    cores_value = _num(ans.get("cores"))
    cores = int(cores_value) if cores_value is not None else None
    top = _top(ans)
    evidence: dict[str, Any] = {
        "percent_excluding_self": pct,
        "percent": ans.get("percent"),
        "self_percent": ans.get("self_percent"),
        "self_children": ans.get("children"),
        "seconds": ans.get("seconds"),
        "cores": cores,
        "top": top,
        "threshold_percent": CPU_PROBLEM,
    }
    if pct is None:
        return Finding(Status.NOT_CHECKED, m("Not checked: the CPU sample held no usable percentage."),
                       evidence=evidence)
    windows = ctx.system == "windows"
    issues: list[_Issue] = []
    busiest = next((proc for proc in top if proc["name"]), None)
    if pct > CPU_PROBLEM:
        why = m("When CPU use is above 90 %, the Take Snapshot phase's snapshot task is queued and delayed, "
                "and it eventually times out.")
        if busiest is not None:
            summary = m("CPU use is {percent} % (not counting this wizard), above the 90 % at which snapshots are "
                        "delayed; the busiest process is {process} ({process_percent} %).",
                        percent=pct, process=busiest["name"], process_percent=busiest["percent"])
        else:
            summary = m("CPU use is {percent} % (not counting this wizard), above the 90 % at which snapshots are "
                        "delayed.", percent=pct)
        issues.append(_Issue(Status.PROBLEM, summary, why, _timeout_fix(windows), [CODE_TIMEOUT]))
    elif pct >= CPU_HIGH:
        issues.append(_Issue(
            Status.INFO,
            m("CPU use is {percent} % (not counting this wizard): below the 90 % at which snapshots are delayed, "
              "but close to it.", percent=pct),
            why=m("This is a short sample taken now. If the VM is this busy when the backup runs, CPU use can "
                  "pass 90 %, and then the snapshot task is queued and delayed."),
            fix=[step("If backups fail with a timeout, move the backup to a quieter time or reduce the load (the "
                      "busiest processes are in the evidence).")],
        ))
    if cores is not None and cores < MIN_CORES:
        issues.append(_cores_issue(cores))
    docs = [DOC_TS_VM, DOC_MATRIX, DOC_RESIZE]
    if issues:
        return _combine(issues, evidence, docs)
    return Finding(Status.OK,
                   m("CPU use was {percent} % (not counting this wizard) in a {seconds}-second sample, well below "
                     "90 %.", percent=pct, seconds=round(_num(ans.get("seconds")) or ctx.settings.cpu_window_s, 1)),
                   docs=[DOC_TS_VM], evidence=evidence)


# -- res.memory -----------------------------------------------------------------------------------

def check_memory(ctx: CheckContext) -> Finding:
    ans = ctx.call("memory")
    if is_unavailable(ans):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not read the memory use ({error}).",
                                             error=error_msg(ans)),
                       evidence={"error": ans.get("error")})
    pct, total, avail = _num(ans.get("percent")), _num(ans.get("total")), _num(ans.get("available"))
    evidence: dict[str, Any] = {"percent": pct, "total": total, "available": avail,
                                "swap_total": ans.get("swap_total"), "swap_percent": ans.get("swap_percent"),
                                "threshold_percent": MEMORY_PROBLEM, "min_total_bytes": MIN_MEMORY_BYTES}
    if pct is None or total is None or total <= 0:
        return Finding(Status.NOT_CHECKED, m("Not checked: the memory probe held no usable numbers."),
                       evidence=evidence)
    used = total - avail if avail is not None else total * pct / 100
    windows = ctx.system == "windows"
    issues: list[_Issue] = []
    if pct > MEMORY_PROBLEM:
        command = ('powershell -NoProfile -Command "Get-Process | Sort-Object WorkingSet64 -Descending | '
                   'Select-Object -First 10 Name,Id,WorkingSet64"' if windows else "ps aux --sort=-%mem | head -n 11")
        issues.append(_Issue(
            Status.PROBLEM,
            m("Memory use is {percent} % ({used_gb} GB of {total_gb} GB), above 90 %.",
              percent=pct, used_gb=_gb(used), total_gb=_gb(total)),
            why=m("When memory use is above 90 %, the Take Snapshot phase's snapshot task is queued and delayed, "
                  "and it eventually times out."),
            fix=[step("List the processes that use the most memory and reduce their load, or move the backup "
                      "policy's schedule to a quieter time.", command=command),
                 step("When the load is lower, start an on-demand backup (Backup now) from the portal."),
                 step("If memory is short all the time, resize the VM to a size with more memory.")],
            codes=[CODE_TIMEOUT],
        ))
    if total < MIN_MEMORY_BYTES:
        issues.append(_Issue(
            Status.WARNING,
            m("The VM has only {total_gb} GB of memory; Azure Backup's support matrix names 1 GB as the "
              "minimum.", total_gb=_gb(total)),
            why=m("With less memory than the minimum, the backup extension may not get what it needs during the "
                  "Take Snapshot phase, and the snapshot is delayed or fails."),
            fix=[step("Resize the VM to a size with at least 1 GB of memory.")],
        ))
    docs = [DOC_TS_VM, DOC_MATRIX, DOC_RESIZE]
    if issues:
        return _combine(issues, evidence, docs)
    return Finding(Status.OK, m("Memory use is {percent} % ({used_gb} GB of {total_gb} GB), below 90 %.",
                                percent=pct, used_gb=_gb(used), total_gb=_gb(total)),
                   docs=[DOC_TS_VM], evidence=evidence)
