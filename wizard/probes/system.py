"""The real system behind the probe seam: `SystemProbe` answers the catalogue of `base.py`.

It picks the Linux or the Windows implementation by `sys.platform` and adds the probes both
share (files, network, CPU, memory, disk, processes, environment). `call` never raises: an
unknown probe, a probe this platform lacks (`registry` on Linux) and any exception inside a
probe all become an unavailable answer.

With a `root` (`--root DIR`, a collected log bundle), the file probes (`read_file`, `stat`,
`list_dir`) read below DIR and `platform` describes the bundle's machine as far as its layout
tells (Windows for `WindowsAzure/` or `Packages/`, Linux for `etc/` or `var/`; the host name
from `etc/hostname` or the folder's name), plus a `root` key naming DIR. `registry` answers from
registry keys exported as `.reg` text into `DIR/registry/` (see `wizard.probes.regfile`), read
through the same guard; a bundle without them answers it unavailable.
Every other probe would describe this machine rather than the one the bundle
came from, so it answers unavailable.

Text files are decoded UTF-8 first, then with a legacy code page: on Windows the ANSI code page
(cp932 on Japanese Windows); elsewhere none (latin-1), except for Windows-style paths read
below a root, which come from a Windows bundle and get cp932 (our users' Windows). Pass
`legacy_codepage` to choose.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wizard.i18n import N_
from wizard.probes import linux, machine, net, regfile, smbios, windows
from wizard.probes.base import NOT_HERE, PROBE_NAMES, Answer, Probe, unavailable
from wizard.probes.fsroot import FsRoot, PathOutsideRoot, is_windows_path, list_dir, read_file, read_regular, stat_path

Handler = Callable[..., Answer]

FILE_PROBES = frozenset({"read_file", "stat", "list_dir"})
BUNDLE_PROBES = FILE_PROBES | {"platform", "registry"}
BUNDLE_REGISTRY = "/registry"
MAX_REG_FILES = 50
NOT_IN_BUNDLE = N_("not in this bundle: a collected bundle (--root) holds files, and this needs the running VM")
WINDOWS_BUNDLE_CODEPAGE = "cp932"
MAX_NET_TIMEOUT = 60.0
MAX_REG_BYTES = 16 * 1024 * 1024


def platform_family(platform: str) -> str:
    """The platform family: `win32` -> "windows", `linux*` -> "linux", anything else as it is."""
    if platform == "win32":
        return "windows"
    if platform.startswith("linux"):
        return "linux"
    return platform


def _clamp(timeout: float | None, default: float) -> float:
    if timeout is None or timeout <= 0:
        return default
    return min(float(timeout), MAX_NET_TIMEOUT)


class SystemProbe:
    """Answers probe calls from the live system, or from files below `root`."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        tcp_timeout: float = 3.0,
        http_timeout: float = 4.0,
        legacy_codepage: str | None = None,
        platform: str | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else None
        self.family = platform_family(platform or sys.platform)
        self.tcp_timeout = tcp_timeout
        self.http_timeout = http_timeout
        self.legacy_codepage = legacy_codepage
        self._fs = FsRoot(self.root)
        self._bundle_registry: regfile.RegistryExport | None = None
        self._handlers = self._build_handlers()

    def _build_handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            "platform": self._platform,
            "tcp_connect": self._tcp_connect,
            "http_get": self._http_get,
            "read_file": self._read_file,
            "stat": self._stat,
            "list_dir": self._list_dir,
            "cpu_sample": machine.cpu_sample,
            "memory": machine.memory,
            "disk_usage": machine.disk_usage,
            "proxy_env": machine.proxy_env,
            "processes": machine.processes,
        }
        if self.family == "linux":
            handlers.update(run=linux.run, service=linux.service, elevation=linux.elevation)
        elif self.family == "windows":
            handlers.update(run=windows.run, service=windows.service, elevation=windows.elevation,
                            registry=windows.registry)
        if self.root is not None:
            handlers["registry"] = self._registry_from_bundle
        return handlers

    def _registry_from_bundle(self, key: str, value: str | None = None) -> Answer:
        """`registry` from the `.reg` files of `DIR/registry/`, parsed once."""
        if self._bundle_registry is None:
            export = regfile.RegistryExport()
            folder = list_dir(self._fs.real(BUNDLE_REGISTRY))
            names = sorted(e["name"] for e in folder.get("entries") or []
                           if not e.get("is_dir") and str(e["name"]).lower().endswith(".reg"))[:MAX_REG_FILES]
            for name in names:
                ans = read_file(self._fs.real(f"{BUNDLE_REGISTRY}/{name}"), MAX_REG_BYTES, None, self.root)
                if ans.get("readable"):
                    regfile.parse_export(str(ans.get("text") or ""), export)
            self._bundle_registry = export
        if not self._bundle_registry.keys:
            return unavailable(NOT_IN_BUNDLE)
        return self._bundle_registry.lookup(key, value)

    def call(self, probe: str, /, **args: Any) -> Answer:
        handler = self._handlers.get(probe)
        if handler is None:
            return unavailable(NOT_HERE) if probe in PROBE_NAMES else unavailable(N_("unknown probe {probe}"),
                                                                                   probe=probe)
        if self.root is not None and probe not in BUNDLE_PROBES:
            return unavailable(NOT_IN_BUNDLE)
        try:
            return handler(**args)
        except PathOutsideRoot as exc:
            return unavailable(N_("{path} leads out of the --root folder"), path=exc.logical)
        except Exception as exc:
            return unavailable(N_("the probe failed ({error})"), error=f"{type(exc).__name__}: {exc}")

    def _platform(self) -> Answer:
        facts = machine.platform_facts()
        if self.root is None:
            if self.family == "windows":
                facts.update(firmware_facts())
            return facts
        return {**facts, **bundle_platform(self.root), "root": str(self.root)}

    def _tcp_connect(self, host: str, port: int, timeout: float | None = None) -> Answer:
        return net.tcp_connect(host, port, _clamp(timeout, self.tcp_timeout))

    def _http_get(self, url: str, headers: Mapping[str, str] | None = None,
                  timeout: float | None = None, connect_timeout: float | None = None) -> Answer:
        return net.http_get(url, headers, _clamp(timeout, self.http_timeout), _clamp(connect_timeout, self.tcp_timeout))

    def _read_file(self, path: str, max_bytes: int | None = None) -> Answer:
        return read_file(self._fs.real(path), max_bytes, self.codepage_for(path), self.root)

    def _stat(self, path: str) -> Answer:
        return stat_path(self._fs.real(path))

    def _list_dir(self, path: str) -> Answer:
        return list_dir(self._fs.real(path))

    def codepage_for(self, logical: str) -> str | None:
        """The legacy code page a non-UTF-8 file at `logical` is decoded with."""
        if self.legacy_codepage is not None:
            return self.legacy_codepage
        if self.family == "windows":
            return windows.ansi_codepage()
        if self.root is not None and is_windows_path(logical):
            return WINDOWS_BUNDLE_CODEPAGE
        return None


def firmware_facts() -> Answer:
    """Windows: the SMBIOS chassis asset tag read in-process (`asset_tag` None when it could not be)."""
    try:
        found = smbios.read_asset_tag()
    except (OSError, AttributeError, ValueError) as exc:
        found = {"asset_tag": None, "error": f"{type(exc).__name__}: {exc}"}
    out: Answer = {"asset_tag": found.get("asset_tag")}
    if found.get("error"):
        out["asset_tag_error"] = str(found["error"])[:300]
    return out


def bundle_platform(root: Path) -> dict[str, str]:
    """What a collected bundle says about its machine: Windows when it holds the agent's Windows
    folders, Linux when it holds /etc or /var; the host name from /etc/hostname or the folder name."""
    names = {p.name.lower() for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    out: dict[str, str] = {"release": "", "version": "", "machine": ""}
    if names & {"windowsazure", "packages"}:
        out["system"] = "windows"
    elif names & {"etc", "var"}:
        out["system"] = "linux"
    hostname = ""
    try:  # through the same guard as every other read below the root: a regular file inside it
        real = FsRoot(root).real("/etc/hostname")
        raw = read_regular(real, 4096, root)
        hostname = raw.decode("utf-8", "replace").strip().splitlines()[0][:253] if raw.strip() else ""
    except (OSError, ValueError):
        pass
    out["hostname"] = hostname or root.resolve().name
    return out


def make_system_probe(root: Path | None = None) -> Probe:
    """The probe for the real system, or for a bundle below `root` (NotADirectoryError if it is none)."""
    if root is not None and not Path(root).is_dir():
        raise NotADirectoryError(f"--root {root} is not a folder")
    return SystemProbe(root)
