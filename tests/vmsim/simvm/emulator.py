"""A loopback-only emulator of Azure's WireServer, HostGAPlugin, IMDS and a storage account.

Run as a script inside an *empty* network namespace (`unshare --net`): it refuses to start when
the namespace has any interface but `lo`, or any address or route off 127.0.0.0/8 and ::1, and it
binds only to 127.0.0.0/8 addresses. It never opens an outgoing connection.

    python emulator.py --data tests/data/vmsim --state RUNDIR/emulator

Listeners (see docs/vmsim.md):
- WireServer  127.0.0.1:80     versions, goal state and its documents, health/telemetry posts,
                               the agent's IMDS fallback (`/metadata/...`)
- HostGAPlugin 127.0.0.1:32526 versions, health, vmSettings (404: no FastTrack), status PUT,
                               extensionArtifact
- IMDS        127.0.0.2:80     instance metadata (stands in for 169.254.169.254)
- storage     127.0.0.3:80     extension manifest and zip, artifacts profile, status blob PUT

The documents come from the real samples in the data folder (goal-state URLs rewritten to
loopback); the extension zip is built at start from `handler/`. Faults are switched at run time
by writing `STATE/faults.json` (read on every request); every request is appended to
`STATE/requests.jsonl`; the newest decoded status upload is kept in `STATE/status.json`.

`faults.json` keys (all optional):
- `incarnation` (int, default 1) and `extension` {"seq_no": int, "public_settings": {...}}: the
  goal state the agent gets; a new incarnation makes the agent run the handler's enable again.
- `wireserver` {"status": 410|503|..., "paths": ["goalstate"] or absent for every request on
  port 80, "body": file name under wireserver/ for the error body}
- `hostplugin` {"delay_s": seconds before answering, "blackhole": true (accept, never answer),
  "status": int, "body": file name under hostgaplugin/, "paths": ["health", ...]}
- `imds` {"document": file name under imds/ served as-is instead of the healthy document}
"""

from __future__ import annotations

import argparse
import base64
import io
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

WIRESERVER = ("127.0.0.1", 80)
HOSTPLUGIN = ("127.0.0.1", 32526)
IMDS = ("127.0.0.2", 80)
STORAGE = ("127.0.0.3", 80)
HANDLER = "Microsoft.Azure.RecoveryServices.VMSnapshotLinux"
HANDLER_VERSION = "1.0.9150.0"
FORBIDDEN = ("168.63.129.16", "169.254.169.254")
ZIP_NAME = f"{HANDLER}__{HANDLER_VERSION}.zip"
BLACKHOLE_MAX_S = 3600.0


class UnsafeNamespace(RuntimeError):
    """The network namespace is not the empty, loopback-only one the emulator must run in."""


def check_empty_netns() -> None:
    """Refuse to run anywhere but in a namespace whose only interface is `lo` (see module doc)."""
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        raise UnsafeNamespace(f"network interfaces {names}: the emulator runs only in an empty namespace (lo only)")


def bring_up_loopback() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    addrs = subprocess.run(["ip", "-o", "addr", "show"], check=True, capture_output=True, text=True).stdout
    for line in addrs.splitlines():
        fields = line.split()
        if fields[1] != "lo":
            raise UnsafeNamespace(f"unexpected interface in {line!r}")
        if not ipaddress.ip_interface(fields[3]).ip.is_loopback:
            raise UnsafeNamespace(f"non-loopback address in {line!r}")
    for family in ("-4", "-6"):
        routes = subprocess.run(["ip", family, "route", "show", "table", "all"], check=True, capture_output=True,
                                text=True).stdout
        for line in routes.splitlines():
            if " dev lo" not in f" {line} " and not line.startswith(("local ", "broadcast ", "multicast ")):
                raise UnsafeNamespace(f"unexpected route {line!r}")
            if any(addr in line for addr in FORBIDDEN):
                raise UnsafeNamespace(f"route to a platform address {line!r}")


class Emulator:
    """Documents, fault switch and request log shared by the four listeners."""

    def __init__(self, data: Path, state: Path) -> None:
        self.data = data
        self.state = state
        self.lock = threading.Lock()
        self.log_path = state / "requests.jsonl"
        self.faults_path = state / "faults.json"
        self.zip_bytes = self._build_zip()
        self.requests = 0

    # -- state ---------------------------------------------------------------------------------

    def faults(self) -> dict[str, Any]:
        try:
            data = json.loads(self.faults_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # a half-written switch: answer as healthy, say so in the log
            self.record({"error": f"faults.json unreadable: {exc}"})
            return {}
        return data if isinstance(data, dict) else {}

    def record(self, entry: dict[str, Any]) -> None:
        entry = {"t": round(time.time(), 3), **entry}
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self.lock:
            self.requests += 1
            with open(self.log_path, "a", encoding="utf-8") as handle:
                handle.write(line)

    def read(self, *parts: str) -> bytes:
        return (self.data.joinpath(*parts)).read_bytes()

    # -- documents ---------------------------------------------------------------------------------

    def _build_zip(self) -> bytes:
        buffer = io.BytesIO()
        root = self.data / "handler"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(str(path.relative_to(root)), date_time=(2024, 1, 1, 0, 0, 0))
                    info.external_attr = (0o755 if path.suffix in (".sh", ".py") else 0o644) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
        return buffer.getvalue()

    def incarnation(self, faults: dict[str, Any]) -> int:
        return int(faults.get("incarnation") or 1)

    def goal_state(self, faults: dict[str, Any]) -> bytes:
        text = self.read("wireserver", "goalstate.xml").decode("utf-8")
        inc = self.incarnation(faults)
        text = text.replace("168.63.129.16:80", f"{WIRESERVER[0]}:{WIRESERVER[1]}")
        text = re.sub(r"<Incarnation>\d+</Incarnation>", f"<Incarnation>{inc}</Incarnation>", text)
        text = text.replace("incarnation=1", f"incarnation={inc}")
        return text.encode("utf-8")

    def extensions_config(self, faults: dict[str, Any]) -> bytes:
        ext = faults.get("extension") or {}
        settings = {"runtimeSettings": [{"handlerSettings": {
            "publicSettings": ext.get("public_settings") or {"vmsimStatus": "success"}}}]}
        template = self.read("wireserver", "extensions_config.tmpl.xml").decode("utf-8")
        text = template.format(incarnation=self.incarnation(faults), storage=STORAGE[0], handler=HANDLER,
                               version=HANDLER_VERSION, seq_no=int(ext.get("seq_no") or 0),
                               settings=escape(json.dumps(settings, separators=(",", ":"))))
        return text.encode("utf-8")

    def certificates(self, faults: dict[str, Any]) -> bytes:
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<CertificateFile><Version>2012-11-30</Version>'
                f"<Incarnation>{self.incarnation(faults)}</Incarnation><Format>Pkcs7BlobWithPfxContents</Format>"
                "</CertificateFile>\n").encode()

    def manifest(self) -> bytes:
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<PluginVersionManifest><Plugins><Plugin>'
                f"<Version>{HANDLER_VERSION}</Version><Uris><Uri>http://{STORAGE[0]}/vmsim/{ZIP_NAME}</Uri>"
                "</Uris></Plugin></Plugins></PluginVersionManifest>\n").encode()

    def imds_document(self, faults: dict[str, Any], api_version: str) -> dict[str, Any]:
        """The instance metadata: a fault's document as-is, the 2018 sample for old api-versions, else the
        documentation's Linux sample made into a plain VM (no ephemeral OS disk, no ultra disk, Standard)."""
        chosen = (faults.get("imds") or {}).get("document")
        if chosen:
            return json.loads(self.read("imds", chosen))
        if api_version < "2019":
            return json.loads(self.read("imds", "instance_wala_valid.json"))
        doc = json.loads(self.read("imds", "instance_linux_doc.json"))
        compute = doc["compute"]
        compute["storageProfile"]["osDisk"].pop("diffDiskSettings", None)
        for disk in compute["storageProfile"]["dataDisks"]:
            disk["isUltraDisk"] = "false"
        compute["securityProfile"]["securityType"] = ""
        compute["name"] = "simvm"
        return doc


def _decode_status(body: bytes) -> dict[str, Any] | None:
    try:
        envelope = json.loads(body)
        return json.loads(base64.b64decode(envelope["content"]))
    except (ValueError, KeyError, TypeError):
        return None


def _handler_states(status: dict[str, Any] | None) -> list[list[str]]:
    if not status:
        return []
    out = []
    for handler in (status.get("aggregateStatus") or {}).get("handlerAggregateStatus") or []:
        runtime = ((handler.get("runtimeSettingsStatus") or {}).get("settingsStatus") or {}).get("status") or {}
        out.append([str(handler.get("handlerName")), str(handler.get("status")), str(runtime.get("status"))])
    return out


class Handler(BaseHTTPRequestHandler):
    server_version = "vmsim-emulator"
    sys_version = ""
    emulator: Emulator
    role: str

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing ----------------------------------------------------------------------------------

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/xml; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _log(self, status: int | None, **extra: Any) -> None:
        keep = ("x-ms-version", "x-ms-containerid", "x-ms-host-config-name", "x-ms-artifact-location",
                "metadata", "user-agent", "x-ms-agent-name")
        headers = {k.lower(): v for k, v in self.headers.items() if k.lower() in keep}
        self.emulator.record({"role": self.role, "method": self.command, "path": self.path,
                              "client": self.client_address[0], "status": status, "headers": headers, **extra})

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        faults = self.emulator.faults()
        try:
            getattr(self, f"_{self.role}")(faults)
        except (BrokenPipeError, ConnectionResetError):
            self._log(None, note="client went away")

    # -- WireServer ------------------------------------------------------------------------------

    def _wireserver(self, faults: dict[str, Any]) -> None:
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        comp = (query.get("comp") or [""])[0]
        kind = (query.get("type") or [""])[0]
        body = self._body() if self.command in ("POST", "PUT") else b""
        if split.path.startswith("/metadata/"):
            self._imds_answer(faults, split, fallback=True)
            return
        name = "goalstate" if comp == "goalstate" else (kind or comp or split.path.strip("/") or "root")
        fault = faults.get("wireserver") or {}
        if fault.get("status") and (not fault.get("paths") or name in fault["paths"]):
            status = int(fault["status"])
            error = self.emulator.read("wireserver", fault["body"]) if fault.get("body") else b""
            self._send(status, error)
            self._log(status, fault=True)
            return
        e = self.emulator
        documents = {
            "versions": lambda: e.read("wireserver", "versions.xml"),
            "goalstate": lambda: e.goal_state(faults),
            "hostingEnvironmentConfig": lambda: e.read("wireserver", "hosting_environment_config.xml"),
            "sharedConfig": lambda: e.read("wireserver", "shared_config.xml"),
            "extensionsConfig": lambda: e.extensions_config(faults),
            "certificates": lambda: e.certificates(faults),
        }
        if self.command == "GET" and name in documents:
            self._send(200, documents[name]())
            self._log(200)
        elif self.command == "POST" and (comp in ("health", "telemetrydata") or split.path == "/HealthService"):
            self._send(200)
            self._log(200, size=len(body))
        else:
            self._send(404, b"<Error><Code>NotFound</Code></Error>")
            self._log(404)

    # -- HostGAPlugin ----------------------------------------------------------------------------

    def _hostplugin(self, faults: dict[str, Any]) -> None:
        split = urlsplit(self.path)
        name = split.path.strip("/") or "root"
        body = self._body() if self.command in ("POST", "PUT") else b""
        fault = faults.get("hostplugin") or {}
        applies = not fault.get("paths") or name in fault["paths"]
        if applies and fault.get("blackhole"):
            self._log(None, fault="blackhole")
            deadline = time.monotonic() + BLACKHOLE_MAX_S
            while time.monotonic() < deadline and (self.emulator.faults().get("hostplugin") or {}).get("blackhole"):
                time.sleep(0.5)
            self.close_connection = True
            return
        if applies and fault.get("delay_s"):
            time.sleep(float(fault["delay_s"]))
        if applies and fault.get("status"):
            status = int(fault["status"])
            error = self.emulator.read("hostgaplugin", fault["body"]) if fault.get("body") else b""
            self._send(status, error, "application/json; charset=utf-8")
            self._log(status, fault=True)
            return
        if self.command == "GET" and name == "versions":
            self._send(200, b'["2015-09-01"]', "application/json; charset=utf-8")
            self._log(200)
        elif self.command == "GET" and name == "health":
            self._send(200, b"", "text/plain")
            self._log(200)
        elif self.command == "GET" and name == "vmSettings":
            self._send(404, b"", "text/plain")
            self._log(404, note="FastTrack not supported")
        elif self.command == "PUT" and name == "status":
            status = _decode_status(body)
            if status is not None:
                (self.emulator.state / "status.json").write_text(json.dumps(status, indent=1), encoding="utf-8")
            self._send(200, b"", "text/plain")
            self._log(200, handlers=_handler_states(status))
        elif self.command == "GET" and name == "extensionArtifact":
            location = self.headers.get("x-ms-artifact-location") or ""
            found = self._storage_object(urlsplit(location).path)
            self._send(200 if found else 404, found or b"", "application/octet-stream")
            self._log(200 if found else 404)
        else:
            self._send(404, b"", "text/plain")
            self._log(404)

    # -- IMDS --------------------------------------------------------------------------------------

    def _imds(self, faults: dict[str, Any]) -> None:
        self._imds_answer(faults, urlsplit(self.path), fallback=False)

    def _imds_answer(self, faults: dict[str, Any], split: Any, fallback: bool) -> None:
        extra = {"imds_fallback": True} if fallback else {}
        api = (parse_qs(split.query).get("api-version") or [""])[0]
        if (self.headers.get("Metadata") or "").lower() != "true" or not api:
            self._send(400, self.emulator.read("imds", "error_400_api_version_missing.json"),
                       "application/json; charset=utf-8")
            self._log(400, **extra)
            return
        doc = self.emulator.imds_document(faults, api)
        if split.path.rstrip("/") == "/metadata/instance":
            payload: Any = doc
        elif split.path.rstrip("/") == "/metadata/instance/compute":
            payload = doc["compute"]
        else:
            self._send(404, b"", "text/plain")
            self._log(404, **extra)
            return
        self._send(200, json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8")
        self._log(200, **extra)

    # -- storage -----------------------------------------------------------------------------------

    def _storage_object(self, path: str) -> bytes | None:
        if path == f"/vmsim/{HANDLER}_manifest.xml":
            return self.emulator.manifest()
        if path == f"/vmsim/{ZIP_NAME}":
            return self.emulator.zip_bytes
        if path == "/vmsim/artifacts-profile":
            return b'{"onHold": false}'
        return None

    def _storage(self, faults: dict[str, Any]) -> None:
        split = urlsplit(self.path)
        if self.command == "PUT" and split.path == "/vmsim/status-blob":
            body = self._body()
            self._send(201, b"", "text/plain")
            self._log(201, size=len(body), direct_status_upload=True)
            return
        found = self._storage_object(split.path) if self.command == "GET" else None
        self._send(200 if found is not None else 404, found or b"", "application/octet-stream")
        self._log(200 if found is not None else 404)


def make_server(emulator: Emulator, role: str, address: tuple[str, int]) -> ThreadingHTTPServer:
    if not ipaddress.ip_address(address[0]).is_loopback:
        raise UnsafeNamespace(f"refusing to listen on {address[0]}: loopback only")
    handler = type(f"{role.title()}Handler", (Handler,), {"emulator": emulator, "role": role})
    server = ThreadingHTTPServer(address, handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="tests/data/vmsim")
    parser.add_argument("--state", required=True, type=Path, help="folder for faults.json and the request log")
    args = parser.parse_args(argv)
    check_empty_netns()
    bring_up_loopback()
    args.state.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(args.data, args.state)
    servers = [make_server(emulator, role, address) for role, address in
               (("wireserver", WIRESERVER), ("hostplugin", HOSTPLUGIN), ("imds", IMDS), ("storage", STORAGE))]
    for server in servers:
        threading.Thread(target=server.serve_forever, name=f"serve-{server.server_address}", daemon=True).start()
    (args.state / "ready").write_text(str(os.getpid()), encoding="utf-8")
    print("emulator ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
