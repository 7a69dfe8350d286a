"""A real headless Chromium driven over the DevTools protocol, with nothing but the standard library.

Chromium is started with `--remote-debugging-pipe`: the protocol runs over two pipes (fd 3 in,
fd 4 out, messages separated by NUL bytes), so there is no debugging port and no websocket. Where
the machine allows it, the browser also runs in a network namespace of its own (`unshare -n`, or
`unshare -rn` for a normal user), so it *cannot* reach anything; the page's requests are tracked
all the same and a test fails on any but the report file itself or a `data:` URI.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium", "/usr/lib/chromium/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-default-apps",
    "--disable-extensions", "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe",
)


# Runs in the child: put the two pipe ends on fds 3 and 4, where --remote-debugging-pipe expects them.
_PLACE_FDS = (
    "import os, sys\n"
    "r, w = os.dup(int(sys.argv[1])), os.dup(int(sys.argv[2]))\n"
    "os.dup2(r, 3); os.dup2(w, 4)\n"
    "os.set_inheritable(3, True); os.set_inheritable(4, True)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _netns_prefix() -> list[str]:
    """`unshare -n` (root) or `unshare -rn` (user namespace) when it works here, else nothing."""
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    for flags in (["-n"], ["-rn"]):
        try:
            ok = subprocess.run([unshare, *flags, "true"], capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return [unshare, *flags]
    return []


class CdpError(RuntimeError):
    pass


@dataclass
class PageLoad:
    """What happened while one page loaded."""

    url: str
    session: str
    target: str
    requests: list[str] = field(default_factory=list)
    console: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.url and not u.startswith("data:")]

    def errors(self) -> list[str]:
        out = [f"console.{c.get('type')}: {c.get('args')}" for c in self.console
               if c.get("type") in ("error", "assert", "warning")]
        out += [f"log {e.get('level')}: {e.get('text')} {e.get('url', '')}" for e in self.log
                if e.get("level") in ("error", "warning")]
        out += [f"exception: {e}" for e in self.exceptions]
        return out


class Chromium:
    """One browser process; `load()` opens a page in a fresh tab and reports what it did."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="report-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        prefix = _netns_prefix()
        argv = [*prefix, sys.executable, "-c", _PLACE_FDS, str(to_child_r), str(from_child_w), executable, *FLAGS,
                f"--user-data-dir={self.profile}", "about:blank"]
        self.isolated = bool(prefix)
        self.proc = subprocess.Popen(argv, pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.version = self.call("Browser.getVersion")

    # --- protocol ------------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any] | None, session: str | None) -> int:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        return self._next_id

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise CdpError(f"Chromium closed the pipe (exit status {self.proc.poll()})")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        mid = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._read(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CdpError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result") or {}
                return result
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        for ev in self.events:
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._read(deadline)
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method and msg.get("sessionId") == session:
                    return msg

    # --- pages ---------------------------------------------------------------------------

    def load(self, path: Path) -> PageLoad:
        url = path.resolve().as_uri()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network.enable", "Runtime.enable", "Log.enable", "Page.enable"):
            self.call(domain, None, session)
        self.call("Page.navigate", {"url": url}, session)
        self.wait_event("Page.loadEventFired", session)
        self.evaluate(session, "document.readyState")  # a round trip: events sent before it have arrived
        load = PageLoad(url=url, session=session, target=target)
        for ev in self.events:
            if ev.get("sessionId") != session:
                continue
            p = ev.get("params") or {}
            if ev["method"] == "Network.requestWillBeSent":
                load.requests.append(p["request"]["url"])
            elif ev["method"] == "Runtime.consoleAPICalled":
                load.console.append({"type": p.get("type"), "args": [a.get("value") for a in p.get("args", [])]})
            elif ev["method"] == "Log.entryAdded":
                load.log.append(p.get("entry") or {})
            elif ev["method"] == "Runtime.exceptionThrown":
                load.exceptions.append(p.get("exceptionDetails") or {})
        return load

    def evaluate(self, session: str, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (DevTools is not bound by the page's CSP)."""
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in res:
            raise CdpError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close_page(self, load: PageLoad) -> None:
        self.call("Target.closeTarget", {"targetId": load.target})
        self.events = [e for e in self.events if e.get("sessionId") != load.session]

    def close(self) -> None:
        try:
            self._send("Browser.close", None, None)
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(timeout=10)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)
