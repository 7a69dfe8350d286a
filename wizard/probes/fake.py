"""A virtual machine described in plain data, answering probe calls like the real system would.

Used by the tests and by `scripts/make_scenarios.py`, which runs the real checks against a
`FakeSystem` built from real sample files and records the conversation into a scenario.
Everything not described answers the way a real machine without it would (a missing file
does not exist, an unknown command is not found, an unknown service does not exist), and a
host/port not described is unreachable.
"""

from __future__ import annotations

import copy
import errno
import posixpath
from dataclasses import dataclass, field
from typing import Any

from wizard.i18n import N_
from wizard.probes.base import NOT_HERE, Answer, error_fields, os_error_fields, unavailable
from wizard.probes.net import failure
from wizard.probes.smbios import AZURE_ASSET_TAG, WINDOWS_ASSET_TAG_COMMAND

_NO_FILE = os_error_fields(FileNotFoundError(errno.ENOENT, "No such file or directory"))
_IS_DIR = os_error_fields(IsADirectoryError(errno.EISDIR, "Is a directory"))
_DENIED = os_error_fields(PermissionError(errno.EACCES, "Permission denied"))
_NOT_DIR = os_error_fields(NotADirectoryError(errno.ENOTDIR, "Not a directory"))
_NET_ERRORS: dict[str, OSError] = {
    "refused": ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    "timeout": TimeoutError("timed out"),
    "unreachable": OSError(errno.ENETUNREACH, "Network is unreachable"),
}


def _failure(outcome: str) -> Answer:
    """A failed connection the way the real network probe describes it."""
    return failure(_NET_ERRORS.get(outcome) or OSError(outcome))


@dataclass
class FakeFile:
    """A file (or, with `is_dir`, a folder) of the virtual machine."""

    text: str = ""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    owner: str = "root"
    mtime: float = 1_764_000_000.0
    is_dir: bool = False
    readable: bool = True


@dataclass
class FakeSystem:
    """A described machine. Paths are logical VM paths; Windows paths are matched case-insensitively."""

    system: str = "linux"
    hostname: str = "vm-test01"
    release: str = "6.8.0-1015-azure"
    version: str = "#17-Ubuntu SMP"
    is_admin: bool = True
    user: str = "root"
    asset_tag: str | None = None  # Windows: what the firmware table says (None: it could not be read)
    files: dict[str, FakeFile | str] = field(default_factory=dict)
    commands: dict[tuple[str, ...], Answer | str] = field(default_factory=dict)
    services: dict[str, Answer] = field(default_factory=dict)
    registry: dict[str, dict[str, Any]] = field(default_factory=dict)
    tcp: dict[tuple[str, int], str] = field(default_factory=dict)
    # url -> (status, body), or how it fails: "refused", "timeout" (dropped), "unreachable", "silent" (accepted,
    # then no answer by the deadline)
    http: dict[str, tuple[int, str] | str] = field(default_factory=dict)
    cpu_percent: float = 12.0
    cpu_top: list[dict[str, Any]] = field(default_factory=list)
    cores: int = 2
    memory_percent: float = 41.0
    memory_total: int = 8 * 1024**3
    disks: dict[str, tuple[int, int]] = field(default_factory=dict)
    proxy_vars: dict[str, str] = field(default_factory=dict)
    processes: list[dict[str, Any]] = field(default_factory=list)

    # -- helpers -------------------------------------------------------------------------
    def on_azure(self) -> FakeSystem:
        """Give the machine Azure's SMBIOS asset tag, the way the `azure` fact recognises a real Azure VM."""
        if self.system == "windows":
            self.asset_tag = AZURE_ASSET_TAG
            self.commands[tuple(WINDOWS_ASSET_TAG_COMMAND)] = AZURE_ASSET_TAG + "\r\n"
        else:
            self.files["/sys/class/dmi/id/chassis_asset_tag"] = AZURE_ASSET_TAG + "\n"
        return self

    def _norm(self, path: str) -> str:
        if self.system == "windows":
            return path.replace("/", "\\").rstrip("\\").lower()
        return posixpath.normpath(path)

    def _file(self, path: str) -> FakeFile | None:
        want = self._norm(path)
        for p, f in self.files.items():
            if self._norm(p) == want:
                return FakeFile(text=f) if isinstance(f, str) else f
        if self._children(path):
            return FakeFile(is_dir=True, mode=0o755)
        return None

    def _children(self, path: str) -> list[tuple[str, bool]]:
        sep = "\\" if self.system == "windows" else "/"
        base = self._norm(path)
        prefix = base if base.endswith(sep) else base + sep
        out: dict[str, bool] = {}
        for p in self.files:
            n = self._norm(p)
            if n.startswith(prefix):
                rest = p.replace("/", "\\")[len(prefix):] if self.system == "windows" else p[len(prefix):]
                parts = rest.split(sep)
                is_dir = len(parts) > 1 or (
                    not isinstance(self.files[p], str) and self.files[p].is_dir  # type: ignore[union-attr]
                )
                out[parts[0]] = out.get(parts[0], False) or is_dir
        return sorted(out.items())

    # -- the probe interface -------------------------------------------------------------
    def call(self, probe: str, /, **args: Any) -> Answer:
        handler = getattr(self, "_p_" + probe, None)
        if handler is None:
            return unavailable(N_("unknown probe {probe}"), probe=probe)
        return copy.deepcopy(handler(**args))

    def _p_platform(self) -> Answer:
        answer: Answer = {
            "system": self.system,
            "release": self.release,
            "version": self.version,
            "hostname": self.hostname,
            "machine": "x86_64" if self.system == "linux" else "AMD64",
        }
        if self.system == "windows":
            answer["asset_tag"] = self.asset_tag
        return answer

    def _p_elevation(self) -> Answer:
        return {"is_admin": self.is_admin, "user": self.user, "uid": (0 if self.is_admin else 1000)
                if self.system == "linux" else None}

    def _p_tcp_connect(self, host: str, port: int, timeout: float | None = None) -> Answer:
        outcome = self.tcp.get((host, int(port)), "unreachable")
        elapsed = {"connected": 2, "refused": 1, "timeout": 3000, "unreachable": 0}.get(outcome, 0)
        if outcome == "connected":
            return {"outcome": outcome, "elapsed_ms": elapsed, "error": None}
        return {**_failure(outcome), "elapsed_ms": elapsed}

    def _p_http_get(self, url: str, headers: dict[str, str] | None = None,
                    timeout: float | None = None, connect_timeout: float | None = None) -> Answer:
        spec = self.http.get(url)
        if spec is None:
            return {"status": None, "headers": {}, "body": "", "truncated": False, "elapsed_ms": 0,
                    **_failure("unreachable")}
        if spec == "silent":  # the connection is accepted, the answer never comes
            return {"status": None, "headers": {}, "body": None, "truncated": False, "elapsed_ms": 6000,
                    "connected": True, "outcome": "timeout",
                    **error_fields(N_("no complete answer within {seconds} s"), english="timed out", seconds=6.0)}
        if isinstance(spec, str):
            return {"status": None, "headers": {}, "body": "", "truncated": False,
                    "elapsed_ms": 4000 if spec == "timeout" else 1, **_failure(spec)}
        status, body = spec
        return {"outcome": "ok", "status": status, "headers": {"content-type": "text/xml; charset=utf-8"},
                "body": body, "truncated": False, "elapsed_ms": 3, "error": None}

    def _p_read_file(self, path: str, max_bytes: int | None = None) -> Answer:
        f = self._file(path)
        if f is None:
            return {"exists": False, "is_file": False, "readable": False, "size": 0, "mtime": None,
                    "text": "", "truncated": False, **_NO_FILE}
        if f.is_dir:
            return {"exists": True, "is_file": False, "readable": False, "size": 0, "mtime": f.mtime,
                    "text": "", "truncated": False, **_IS_DIR}
        if not f.readable:
            return {"exists": True, "is_file": True, "readable": False, "size": len(f.text.encode()),
                    "mtime": f.mtime, "text": "", "truncated": False, **_DENIED}
        text = f.text
        truncated = False
        if max_bytes is not None and len(text.encode()) > max_bytes:
            text = text.encode()[-max_bytes:].decode("utf-8", "ignore")
            truncated = True
        return {"exists": True, "is_file": True, "readable": True, "size": len(f.text.encode()),
                "mtime": f.mtime, "text": text, "truncated": truncated, "error": None}

    def _p_stat(self, path: str) -> Answer:
        f = self._file(path)
        if f is None:
            return {"exists": False, "is_dir": False, "is_file": False, "mode": None, "uid": None,
                    "gid": None, "owner": None, "size": 0, "mtime": None, **_NO_FILE}
        return {"exists": True, "is_dir": f.is_dir, "is_file": not f.is_dir, "mode": f.mode, "uid": f.uid,
                "gid": f.gid, "owner": f.owner, "size": len(f.text.encode()), "mtime": f.mtime, "error": None}

    def _p_list_dir(self, path: str) -> Answer:
        f = self._file(path)
        if f is None or not f.is_dir:
            return {"exists": f is not None, "entries": [], **(_NO_FILE if f is None else _NOT_DIR)}
        if not f.readable:
            return {"exists": True, "entries": [], **_DENIED}
        return {"exists": True, "entries": [{"name": n, "is_dir": d} for n, d in self._children(path)],
                "error": None}

    def _p_run(self, argv: list[str], timeout: float | None = None) -> Answer:
        spec = self.commands.get(tuple(argv))
        if spec is None:
            return {"found": False, "returncode": None, "stdout": "", "stderr": "", "timed_out": False,
                    "elapsed_ms": 0, **error_fields(N_("command not found: {command}"),
                                                    command=argv[0] if argv else "")}
        if isinstance(spec, str):
            return {"found": True, "returncode": 0, "stdout": spec, "stderr": "", "timed_out": False,
                    "elapsed_ms": 20, "error": None}
        base = {"found": True, "returncode": 0, "stdout": "", "stderr": "", "timed_out": False,
                "elapsed_ms": 20, "error": None}
        base.update(spec)
        return base

    def _p_service(self, name: str) -> Answer:
        for n, spec in self.services.items():
            if n.lower() == name.lower():
                base = {"exists": True, "state": "running", "start_type": "automatic", "enabled": "enabled",
                        "display_name": n, "error": None}
                base.update(spec)
                return base
        return {"exists": False, "state": None, "start_type": None, "enabled": None, "display_name": None,
                **error_fields(N_("no such service"))}

    def _p_cpu_sample(self, seconds: float = 2.0) -> Answer:
        self_pct = 0.4
        return {"percent": self.cpu_percent, "self_percent": self_pct,
                "percent_excluding_self": max(0.0, round(self.cpu_percent - self_pct, 1)),
                "cores": self.cores, "seconds": seconds, "top": self.cpu_top}

    def _p_memory(self) -> Answer:
        avail = int(self.memory_total * (100 - self.memory_percent) / 100)
        return {"total": self.memory_total, "available": avail, "percent": self.memory_percent,
                "swap_total": 0, "swap_percent": 0.0}

    def _p_disk_usage(self, path: str) -> Answer:
        for p, (total, free) in self.disks.items():
            if self._norm(p) == self._norm(path):
                used = total - free
                return {"exists": True, "total": total, "used": used, "free": free,
                        "percent": round(100.0 * used / total, 1) if total else 0.0}
        return {"exists": False, "total": 0, "used": 0, "free": 0, "percent": 0.0}

    def _p_proxy_env(self) -> Answer:
        return {"vars": dict(self.proxy_vars)}

    def _p_registry(self, key: str, value: str | None = None) -> Answer:
        if self.system != "windows":
            return unavailable(NOT_HERE)
        entry = next((v for k, v in self.registry.items() if k.lower() == key.lower()), None)
        if entry is None:
            return {"exists": False, "error": "The system cannot find the file specified"}
        if value is None:
            prefix = key.lower().rstrip("\\") + "\\"
            subkeys = sorted({k[len(prefix):].split("\\")[0] for k in self.registry if k.lower().startswith(prefix)})
            return {"exists": True, "values": dict(entry), "subkeys": subkeys, "error": None}
        for name, v in entry.items():
            if name.lower() == value.lower():
                kind = "REG_DWORD" if isinstance(v, int) else "REG_SZ"
                return {"exists": True, "value": v, "type": kind, "error": None}
        return {"exists": False, "error": "The system cannot find the file specified"}

    def _p_processes(self) -> Answer:
        return {"processes": list(self.processes)}


class OverlayProbe:
    """A probe that answers some calls itself, passes the rest on, and records every call.

    `answers` is keyed by `(probe, path-or-key)` for one file or registry key, or by the probe
    name alone (also given as keyword arguments) for every call of that probe."""

    def __init__(self, inner: Any, answers: dict[Any, Answer] | None = None, **by_probe: Answer) -> None:
        self.inner = inner
        self.answers: dict[Any, Answer] = {**(answers or {}), **by_probe}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, probe: str, /, **args: Any) -> Answer:
        self.calls.append((probe, dict(args)))
        specific = (probe, str(args.get("path") or args.get("key") or ""))
        for key in (specific, probe):
            if key in self.answers:
                return copy.deepcopy(self.answers[key])
        return self.inner.call(probe, **args)
