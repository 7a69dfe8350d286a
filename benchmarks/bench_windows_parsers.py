#!/usr/bin/env python3
"""How fast the Windows readers are on sizes a real VM has (medians of N runs, in milliseconds).

    python benchmarks/bench_windows_parsers.py [--runs 7]

- the firewall rules of the registry: 1500 rule strings ([MS-GPFAS] grammar) parsed and judged for
  TCP 80 and 32526 (a stock Windows Server has several hundred; the PowerShell enumeration it
  replaces took tens of seconds on a small VM, which is why the registry read exists);
- a 1 MiB WaAppAgent.log tail (the size the check reads) split into entries and scanned;
- a `.reg` export of 5000 values (a whole FirewallPolicy key) parsed and looked up;
- 10 000 `vssadmin list writers` blocks parsed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from wizard.parsers import firewall as fw
from wizard.parsers import vssadmin
from wizard.parsers import waappagent as wapp
from wizard.parsers import win_fw_registry as fwreg
from wizard.probes import regfile

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "windows"


def rules(n: int) -> dict[str, str]:
    out = {}
    for i in range(n):
        action = "Block" if i % 50 == 0 else "Allow"
        out[f"{{{i:08d}-0000-4000-8000-000000000000}}"] = (
            f"v2.31|Action={action}|Active=TRUE|Dir={'Out' if i % 2 else 'In'}|Protocol=6|RPort={1000 + i}|"
            f"RA4=10.{i % 250}.0.0/255.255.0.0|App=%SystemRoot%\\system32\\svchost.exe|Svc=svc{i}|Name=rule {i}|")
    return out


def judge(values: dict[str, str]) -> int:
    found, _ = fwreg.outbound_rules(values, "Local")
    blocking = 0
    for raw in found:
        rule = fw.normalise_win_rule(raw)
        if rule is not None:
            for port in (80, 32526):
                blocking += fw.win_rule_applies(rule, "168.63.129.16", port, ["Public"])[0] is True
    return blocking


def measure(label: str, runs: int, work: Callable[[], object]) -> None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<48} median {statistics.median(times):8.1f} ms  (min {min(times):.1f}, max {max(times):.1f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    values = rules(1500)
    measure("firewall: 1500 registry rules parsed and judged", runs, lambda: judge(values))

    entry = (DATA / "waappagent_log_hostgaplugin_32526_socket_forbidden.log").read_text(encoding="utf-8")
    log = ""
    i = 0
    while len(log) < 1024 * 1024:
        log += f"[{i:08d}] [01/23/2024 19:{i // 60 % 60:02d}:{i % 60:02d}.00] [INFO]  heartbeat {i}\n"
        if i % 100 == 0:
            log += entry.replace("[00000011] [12/11/2018 06:27:55.66]", f"[{i:08d}] [01/23/2024 19:00:00.00]") + "\n"
        i += 1
    measure("WaAppAgent.log: 1 MiB scanned", runs, lambda: wapp.scan_waappagent(log))

    reg = ["Windows Registry Editor Version 5.00", "",
           "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
           "\\FirewallRules]"]
    reg += [f'"{k}"="{v}"'.replace("\\", "\\\\") for k, v in rules(5000).items()]
    text = "\n".join(reg) + "\n"
    measure(".reg: 5000 values parsed and listed", runs,
            lambda: regfile.parse_export(text).lookup(fwreg.LOCAL_RULES, None))

    block = ("Writer name: 'System Writer'\n   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\n"
             "   Writer Instance Id: {eb6b4c30-aa48-486a-9618-0d1934d180ca}\n   State: [1] Stable\n"
             "   Last error: No error\n\n")
    writers = block * 10_000
    measure("vssadmin: 10 000 blocks (first 1000 kept) parsed", runs, lambda: vssadmin.parse_writers(writers))


if __name__ == "__main__":
    main()
