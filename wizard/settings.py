"""Where the network probes aim and how long they may take: the documented endpoints by default,
loopback fakes in tests (`--wireserver`, `--wireserver-port`, `--hostplugin-port`, `--imds`)."""

from __future__ import annotations

from dataclasses import dataclass

WIRESERVER_IP = "168.63.129.16"
IMDS_IP = "169.254.169.254"


@dataclass
class Settings:
    """Where the network probes aim and how long they may take (overridable for local fakes)."""

    wireserver: str = WIRESERVER_IP
    wireserver_port: int = 80
    hostplugin_port: int = 32526
    imds: str = f"{IMDS_IP}:80"
    # A dropped port is given up after `connect_timeout_s` (so a black-holed Wire Server costs no more than the
    # CPU sample); a server that accepted the connection has `http_timeout_s` in all to answer.
    connect_timeout_s: float = 2.4
    http_timeout_s: float = 6.0
    cpu_window_s: float = 2.0

    @property
    def imds_base(self) -> str:
        return f"http://{self.imds}"

    def wireserver_url(self, path: str, port: int | None = None) -> str:
        p = self.wireserver_port if port is None else port
        host = self.wireserver if p == 80 else f"{self.wireserver}:{p}"
        return f"http://{host}{path}"
