#!/usr/bin/env python3
"""How fast and how lean a full terminal run is, against fakes on loopback (medians of N runs).

    python benchmarks/bench_run.py [--runs 5]

Targets (issue 2, on a 2-core machine): a full run, CPU sampling window included, at most 4 s;
with the Wire Server ports black-holed (a listener whose backlog is full, so connects time
out) at most 5 s; peak RSS of the terminal view at most 80 MB. It also prints the CPU share
the tool itself used during the sampling window, which `res.cpu` leaves out of its figure.

When run as root with `unshare` available, it re-runs itself in an empty network namespace
with only loopback up, so nothing can leave the machine whatever the tool does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
VERSIONS = (DATA / "wireserver" / "versions.xml")
IMDS = (DATA / "imds" / "instance_wala_valid.json")


def _body(path: Path, fallback: str) -> bytes:
    return path.read_bytes() if path.exists() else fallback.encode()


class _Fake(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(routes: dict[str, tuple[int, bytes]]) -> ThreadingHTTPServer:
    handler = type("Handler", (_Fake,), {"routes": routes})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _black_hole() -> tuple[socket.socket, list[socket.socket]]:
    """A listener that never accepts, with its backlog filled: further connects hang."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    fillers = []
    for _ in range(64):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(lst.getsockname())
        except BlockingIOError:
            pass
        fillers.append(c)
        probe = socket.socket()
        probe.settimeout(0.3)
        try:
            probe.connect(lst.getsockname())
        except (TimeoutError, OSError):
            probe.close()
            break
        fillers.append(probe)
    return lst, fillers


def _run(args: list[str]) -> tuple[float, int, dict]:
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "wizard", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # wait4: this child's own peak RSS
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        doc = json.loads(out)
    except json.JSONDecodeError:
        doc = {}
    return wall, usage.ru_maxrss * 1024, doc


def _self_cpu(doc: dict) -> float | None:
    for r in doc.get("results", []):
        if r.get("id") == "res.cpu":
            ev = r.get("evidence", {})
            return ev.get("self_percent")
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    opts = ap.parse_args()

    if os.environ.get("BENCH_NETNS") != "1" and os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        cmd = f"ip link set lo up && exec {sys.executable} {Path(__file__).resolve()} --runs {opts.runs}"
        return subprocess.call(["unshare", "-n", "sh", "-c", cmd], env={**os.environ, "BENCH_NETNS": "1"})

    wire = _serve({"/?comp=versions": (200, _body(VERSIONS, "<Versions><Preferred><Version>2012-11-30</Version>"
                                                  "</Preferred></Versions>"))})
    plugin = _serve({"/health": (200, b"")})
    imds = _serve({"/metadata/instance?api-version=2021-02-01": (200, _body(IMDS, '{"compute": {}}'))})
    imds_arg = f"127.0.0.1:{imds.server_address[1]}"
    base = ["--cli", "--lang", "en", "--json", "-", "--imds", imds_arg]
    healthy = [*base, "--wireserver", "127.0.0.1", "--wireserver-port", str(wire.server_address[1]),
               "--hostplugin-port", str(plugin.server_address[1])]
    hole, fillers = _black_hole()
    hole_port = str(hole.getsockname()[1])
    holed = [*base, "--wireserver", "127.0.0.1", "--wireserver-port", hole_port, "--hostplugin-port", hole_port]

    print(f"network namespace isolated: {os.environ.get('BENCH_NETNS') == '1'}; runs: {opts.runs}; "
          f"cores: {os.cpu_count()}")
    rows = []
    for name, args, target_s in (("full run (fakes answer)", healthy, 4.0),
                                 ("Wire Server black-holed", holed, 5.0)):
        walls, rss, selfs = [], [], []
        for _ in range(opts.runs):
            wall, peak, doc = _run(args)
            walls.append(wall)
            rss.append(peak)
            s = _self_cpu(doc)
            if s is not None:
                selfs.append(s)
        rows.append((name, statistics.median(walls), min(walls), max(walls), target_s,
                     statistics.median(rss) / 1e6, statistics.median(selfs) if selfs else None))
    print(f"{'case':<26} {'median s':>9} {'min':>6} {'max':>6} {'target':>7} {'peak RSS MB':>12} {'own CPU %':>10}")
    for name, med, lo, hi, target, rss_mb, own in rows:
        verdict = "ok" if med <= target and rss_mb <= 80 else "OVER"
        own_s = f"{own:.1f}" if own is not None else "-"
        print(f"{name:<26} {med:9.2f} {lo:6.2f} {hi:6.2f} {target:7.1f} {rss_mb:12.1f} {own_s:>10}  {verdict}")
    for s in fillers:
        s.close()
    hole.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
