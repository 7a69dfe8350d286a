#!/usr/bin/env python3
"""How fast the secret filter and `--redact` are (medians of N runs).

    python benchmarks/bench_redact.py [--runs 7]

`strip_secrets_text` runs on every probe answer (a whole log or document read as text, up to
1 MiB per file) and `strip_secrets` on every result's evidence, so it has to be cheap next to a
run's few seconds. It prints, for 1 MiB of each kind of text, the median time and throughput:
a waagent.log / WaAppAgent.log mix with secrets of the corpus sprinkled in, the real
ExtensionsConfig repeated (XML with SAS, protected settings, a 13 KB base64 signature per
plugin), the real vmSettings repeated (JSON), 1 MiB of base64, and the same documents parsed
(`strip_secrets` on dicts). Then `redact_diagnosis` and `redact_together` on the richest shipped
scenario. It also checks that no needle of the corpus survived the mixed log.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from secret_corpus import embeddings, leaked  # noqa: E402

from wizard.checks.registry import ALL_CHECKS  # noqa: E402
from wizard.probes.scenario import ReplayProbe  # noqa: E402
from wizard.redact import strip_secrets, strip_secrets_text  # noqa: E402
from wizard.redact.identifiers import redact_diagnosis, redact_together  # noqa: E402
from wizard.runner import run  # noqa: E402

DATA = ROOT / "tests" / "data"
MIB = 1 << 20


def _repeat(text: str, size: int = MIB) -> str:
    return (text * (size // len(text) + 1))[:size]


def _log(size: int = MIB) -> str:
    lines = (DATA / "linux" / "waagent_log_goalstate_errors.log").read_text(encoding="utf-8").splitlines()
    lines += (DATA / "windows" / "waappagent_log_getversions_503.log").read_text(encoding="utf-8").splitlines()
    lines += (DATA / "windows" / "waappagent_log_npcap_fabric_discovery.log").read_text(encoding="utf-8").splitlines()
    secrets = [d.text.replace("\n", " ") for d in embeddings() if d.container == "any-escaping"]
    rng = random.Random(1)
    out: list[str] = []
    total = 0
    while total < size:
        line = rng.choice(secrets) if rng.random() < 0.01 else rng.choice(lines)
        out.append(line)
        total += len(line) + 1
    return "\n".join(out)[:size]


def pathological(size: int = MIB) -> dict[str, str]:
    """Inputs made to make a pattern backtrack or a value scan run on: each must stay linear."""
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "a:a:a:...@": fill("a:")[:-1] + "@",
        "password=password=...": fill("password="),
        "unclosed protectedSettings objects": fill('"protectedSettings": {'),
        "PEM headers without END": fill("-----BEGIN A-----\n"),
        "&sig=&sig=...": fill("&sig="),
        "<Password> never closed": fill("<Password>"),
        "--password --password ...": fill("--password "),
        "u:@u:@...": fill("u:@"),
        "http://u:ppp... without @": fill("http://u:" + "p" * 600 + " "),
        "key key key": fill("key"),
    }


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    log = _log()
    xml = _repeat((DATA / "wireserver" / "extensions_config.xml").read_text(encoding="utf-8"))
    vm_settings = (DATA / "hostgaplugin" / "vm_settings.json").read_text(encoding="utf-8")
    json_text = _repeat(vm_settings)
    b64 = base64.b64encode(random.Random(2).randbytes(MIB * 3 // 4)).decode()[:MIB]
    parsed = [json.loads(vm_settings)] * (MIB // len(vm_settings))

    print(f"secret filter, median of {args.runs} runs")
    for name, fn in (
        ("1 MiB agent logs with secrets, strip_secrets_text", lambda: strip_secrets_text(log)),
        ("1 MiB ExtensionsConfig XML, strip_secrets_text", lambda: strip_secrets_text(xml)),
        ("1 MiB vmSettings JSON as text, strip_secrets_text", lambda: strip_secrets_text(json_text)),
        ("1 MiB base64, strip_secrets_text", lambda: strip_secrets_text(b64)),
        ("1 MiB vmSettings parsed, strip_secrets", lambda: strip_secrets(parsed)),
    ):
        ms = _median_ms(fn, args.runs)
        print(f"  {name:55s} {ms:7.1f} ms  {1000 / ms:6.1f} MiB/s")
    left = leaked(strip_secrets_text(log))
    print(f"  needles of the corpus left in the filtered log: {len(left)}")
    print("worst cases (1 MiB each, made to backtrack), median of 3 runs")
    for name, text in pathological().items():
        print(f"  {name:55s} {_median_ms(lambda t=text: strip_secrets_text(t), 3):7.1f} ms")

    path = ROOT / "resources" / "scenarios" / "windows-proxy-no-bypass.json"
    scenario = json.loads(path.read_text(encoding="utf-8"))
    diag = run(ALL_CHECKS, ReplayProbe(scenario))
    print(f"--redact on {path.name}, median of {args.runs} runs")
    print(f"  {'redact_diagnosis':55s} {_median_ms(lambda: redact_diagnosis(diag), args.runs):7.1f} ms")
    print(f"  {'redact_together (diagnosis and recording)':55s} "
          f"{_median_ms(lambda: redact_together(diag, scenario), args.runs):7.1f} ms")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
