"""Running the wizard on hostile input and judging what came out (issue 10, "Tests and figures").

Shared by the property tests in `tests/hostile/` and by `benchmarks/bench_hostile.py`, which runs the
same properties with many more examples. Three entry points are driven:

- the command line (`wizard.cli.main`, in this process) with `--scenario FILE` or `--root DIR` and every
  output named (`--json`, `--report`, `--record`, `--diagram`), in a temporary working folder whose
  contents are compared before and after (`Workspace`);
- the network checks through the real `SystemProbe` network probes against a raw-socket HTTP fake on
  127.0.0.1 that answers with a script (`FakeHttp`, `run_network`).

Every run is judged by the same rules (`judge_cli`, `judge_network`), each broken rule a `Violation`:
a documented exit status (0/1/2, or 3 with one line on standard error; never 4), no traceback, valid JSON
(NaN and Infinity rejected), no `error` result, no secret of the corpus in any output, no control
character from machine data on the terminal, no file written outside the named outputs, done within the
deadline. The tests assert there are none; the benchmark counts them.

Nothing here leaves loopback: the CLI runs replay a scenario or read a `--root` tree (no live probe is
reached), and the network runs aim `Settings` at the fake.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import stat
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
DATA = TESTS / "data"
SCENARIOS = REPO / "resources" / "scenarios"
SHIPPED_SCENARIOS = tuple(sorted(SCENARIOS.glob("*.json")))

EXIT_OK = (0, 1, 2)
EXIT_UNUSABLE = 3
EXIT_INTERNAL = 4
CLI_DEADLINE_S = 20.0
"""A `--scenario` or `--root` run reads files only; typical runs take 0.03-0.3 s, the biggest inputs ~2 s."""
ALLOWED_STATE = ("state/vmbackup-wizard", "state/vmbackup-wizard/vmbackup-wizard.log")
"""What the program may write besides the named outputs: its own folder and the log in it."""
OUTPUTS = {"--json": "out.json", "--report": "report.html", "--record": "recorded.json", "--diagram": "phases.svg"}


# -- the secret corpus ---------------------------------------------------------------------------------------

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
import secret_corpus  # noqa: E402  (tests/secret_corpus.py: the fake secrets every output is searched for)

SECRETS: tuple[str, ...] = tuple(secret_corpus.SECRETS)
SECRET_TEXTS: tuple[str, ...] = tuple(dict.fromkeys(e.text for e in secret_corpus.embeddings()))
CORPUS_SOURCE = "tests/secret_corpus.py"

OUTSIDE_MARKER = "OUTSIDEroot7f3a9c"
"""Written on every line of a file outside a `--root` tree that links in the tree point to: must never show."""


def leaked(text: str, extra: Sequence[str] = ()) -> list[str]:
    """The needles (corpus secrets, plus `extra`) found in `text`, ignoring case."""
    low = text.lower()
    return [n for n in (*SECRETS, *extra) if n.lower() in low]


# -- judging -------------------------------------------------------------------------------------------------

KINDS = ("crash", "hang", "secret", "stray_write", "internal_error", "bad_exit", "bad_json", "terminal")
"""Violation kinds: `crash` an `error` result, a result that could not look because of an exception that means
a bug (see `_BUG_EXCEPTION`), a traceback or an exception out of the entry point; `hang` over
the deadline; `secret` a needle in an output; `stray_write` a file changed outside the named outputs;
`internal_error` exit status 4; `bad_exit` an undocumented status or a status-3 run without its one line;
`bad_json` an output that is not strict JSON; `terminal` a control character from machine data on the terminal."""


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def _strict_json(text: str) -> Any:
    def reject(name: str) -> Any:
        raise ValueError(f"non-finite number {name} in JSON")

    return json.loads(text, parse_constant=reject)


# Control characters (tab and newline excepted) and the bidirectional overrides, which
# `wizard.present.terminal.printable` shows escaped: none may reach a terminal raw (the runs have NO_COLOR and
# no TTY, so no colour codes either).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_EMBEDDED_JSON = re.compile(r'<script type="application/json" id="diagnosis">(.*?)</script>', re.DOTALL)


def judge_document(name: str, text: str) -> tuple[list[Violation], Any]:
    """A JSON output: strict JSON (no NaN/Infinity), and no `error` result in it."""
    try:
        doc = _strict_json(text)
    except (ValueError, RecursionError) as exc:
        return [Violation("bad_json", f"{name}: {exc}")], None
    found: list[Violation] = []
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        for r in doc["results"]:
            if not isinstance(r, dict):
                continue
            if r.get("status") == "error":
                ev = r.get("evidence") or {}
                found.append(Violation("crash", f"{name}: {r.get('id')} is an error result: "
                                                f"{ev.get('exception') or r.get('summary')}"))
                continue
            swallowed = next(_bug_exceptions(r.get("evidence")), None)
            if swallowed:
                found.append(Violation("crash", f"{name}: {r.get('id')} says it could not look because of a bug: "
                                                f"{swallowed[:200]}"))
    return found, doc


# An exception that means a bug in our code, as the probe layer (`SystemProbe.call`, `SafeProbe.call`) and the
# facts (`Facts.get`) report one they caught: "TypeError: ...", "the read_file probe failed: KeyError: ...".
# Such a result is a crash the user does not see as one ("could not look"). Anchored at the start of a value,
# so text merely quoted from the machine (a log line mentioning ValueError) does not count.
_BUG_EXCEPTION = re.compile(
    r"^(?:the \w+ probe failed: )?(?:TypeError|ValueError|KeyError|AttributeError|IndexError|RecursionError|"
    r"OverflowError|ZeroDivisionError|NameError|AssertionError|UnboundLocalError|LookupError|UnicodeError|"
    r"UnicodeDecodeError|UnicodeEncodeError|StopIteration|NotImplementedError|MemoryError):")


def _bug_exceptions(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 50:
        return
    if isinstance(value, str):
        if _BUG_EXCEPTION.match(value):
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _bug_exceptions(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _bug_exceptions(v, depth + 1)


def judge_terminal(name: str, text: str) -> list[Violation]:
    bad = sorted({repr(c) for c in _CONTROL.findall(text)})
    return [Violation("terminal", f"{name} holds control characters {', '.join(bad[:5])}")] if bad else []


def judge_secrets(outputs: Mapping[str, str], extra: Sequence[str] = ()) -> list[Violation]:
    found = []
    for name, text in outputs.items():
        hits = leaked(text, extra)
        if hits:
            found.append(Violation("secret", f"{name} holds {', '.join(hits[:4])}"))
    return found


# -- the working folder --------------------------------------------------------------------------------------

Entry = tuple[int, int, int, int, str]


def snapshot(folder: Path) -> dict[str, Entry]:
    """Every name below `folder` (links not followed, files not read): type, size, mtime, inode, link target."""
    out: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in (*dirnames, *filenames):
            full = os.path.join(dirpath, name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            target = os.readlink(full) if stat.S_ISLNK(info.st_mode) else ""
            if stat.S_ISDIR(info.st_mode):  # a folder's own size and time change with its entries, seen apart
                out[os.path.relpath(full, folder)] = (stat.S_IFDIR, 0, 0, info.st_ino, "")
                continue
            out[os.path.relpath(full, folder)] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns,
                                                   info.st_ino, target)
    return out


def changes(before: Mapping[str, Entry], after: Mapping[str, Entry]) -> list[str]:
    out = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            what = "created" if name not in before else "removed" if name not in after else "changed"
            out.append(f"{name} {what}")
    return out


def _default_parent() -> str | None:
    """Where workspaces go: `HOSTILE_TMP`, else /dev/shm where there is one (every run fsyncs four outputs;
    on a disk that is most of its time), else the system's temporary folder."""
    chosen = os.environ.get("HOSTILE_TMP")
    if chosen:
        return chosen
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


class Workspace:
    """A temporary folder for one run: `cwd` (the working folder: inputs and outputs), `home` (HOME),
    `state` (XDG_STATE_HOME: the log, the only place besides the named outputs the program may write),
    `outside` (files a hostile `--root` tree links to, which must never show)."""

    def __init__(self, parent: str | Path | None = None) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="hostile-", dir=parent or _default_parent()))
        self.cwd = self.base / "cwd"
        self.home = self.base / "home"
        self.state = self.base / "state"
        self.outside = self.base / "outside"
        for d in (self.cwd, self.home, self.state, self.outside):
            d.mkdir()

    def output(self, option: str) -> Path:
        return self.cwd / OUTPUTS[option]

    def cleanup(self) -> None:
        def unlock(func: Any, path: str, _exc: Any) -> None:
            with contextlib.suppress(OSError):
                os.chmod(os.path.dirname(path), 0o700)
                os.chmod(path, 0o700)
            with contextlib.suppress(OSError):
                func(path)

        for dirpath, dirnames, _ in os.walk(self.base, followlinks=False):
            for d in dirnames:
                full = os.path.join(dirpath, d)
                if not os.path.islink(full):
                    with contextlib.suppress(OSError):
                        os.chmod(full, 0o700)
        shutil.rmtree(self.base, onerror=unlock)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


# -- the command line, in this process -----------------------------------------------------------------------

@dataclass
class CliOutcome:
    argv: list[str]
    code: int | None
    stdout: str
    stderr: str
    elapsed: float
    files: dict[str, str] = field(default_factory=dict)
    log: str = ""
    stray: list[str] = field(default_factory=list)
    escaped: str = ""
    """An exception that left `main` (never expected: main turns everything into an exit status)."""


class _Streams:
    def __init__(self) -> None:
        self.raw = io.BytesIO()
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8", errors="replace", write_through=True)

    def value(self) -> str:
        with contextlib.suppress(ValueError):
            self.text.flush()
        return self.raw.getvalue().decode("utf-8", "replace")


_CLI_LOCK = threading.Lock()


@contextlib.contextmanager
def _process_state(ws: Workspace) -> Iterator[tuple[_Streams, _Streams]]:
    """Standard streams captured, the working folder, HOME and the program's folder pointed into `ws`."""
    out, err = _Streams(), _Streams()
    saved_env = {k: os.environ.get(k) for k in ("HOME", "XDG_STATE_HOME", "LOCALAPPDATA", "NO_COLOR")}
    saved_cwd = os.getcwd()
    saved_streams = sys.stdout, sys.stderr
    os.environ.update(HOME=str(ws.home), XDG_STATE_HOME=str(ws.state), LOCALAPPDATA=str(ws.state), NO_COLOR="1")
    os.chdir(ws.cwd)
    sys.stdout, sys.stderr = out.text, err.text
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cli_argv(ws: Workspace, source: Sequence[str], lang: str = "en", redact: bool | str = False,
             verbose: bool = False) -> list[str]:
    """`redact`: False, True (`--redact`, the public level) or a level (`--redact=support`)."""
    argv = ["--cli", "--lang", lang, *source]
    for option in OUTPUTS:
        argv += [option, str(ws.output(option))]
    if verbose:
        argv.append("--verbose")
    if isinstance(redact, str):
        return [*argv, f"--redact={redact}"]
    return argv + (["--redact"] if redact else [])


def run_cli(ws: Workspace, argv: Sequence[str]) -> CliOutcome:
    """`vmbackup-wizard ARGV` in this process, inside `ws`; what it printed, wrote and changed."""
    from wizard.cli import main

    with _CLI_LOCK:
        before = snapshot(ws.base)
        code: int | None = None
        escaped = ""
        with _process_state(ws) as (out, err):
            start = time.monotonic()
            try:
                code = main(list(argv))
            except BaseException as exc:  # judged as a crash, whatever it is
                escaped = f"{type(exc).__name__}: {exc}"
            elapsed = time.monotonic() - start
        after = snapshot(ws.base)
    named = {str(ws.output(o).relative_to(ws.base)) for o in OUTPUTS} | set(ALLOWED_STATE)
    stray = [c for c in changes(before, after) if c.rsplit(" ", 1)[0] not in named]
    files = {}
    for option in OUTPUTS:
        path = ws.output(option)
        if path.is_file() and not path.is_symlink():
            files[option] = path.read_bytes().decode("utf-8", "replace")
    log_file = ws.state / "vmbackup-wizard" / "vmbackup-wizard.log"
    log = log_file.read_text("utf-8", "replace") if log_file.is_file() else ""
    return CliOutcome(list(argv), code, out.value(), err.value(), elapsed, files, log, stray, escaped)


def judge_cli(o: CliOutcome, *, usable: bool | None, deadline: float = CLI_DEADLINE_S,
              extra_needles: Sequence[str] = ()) -> list[Violation]:
    """The rules for a command-line run. `usable`: True when the input is known to be usable (exit 0/1/2 and
    every output written), False when it is known not to be (exit 3), None when either may be right."""
    found: list[Violation] = []
    if o.escaped:
        found.append(Violation("crash", f"exception out of main: {o.escaped[:300]}"))
    if o.code == EXIT_INTERNAL:
        found.append(Violation("internal_error", f"exit 4: {o.stderr.strip()[:300]}"))
    elif o.code not in (*EXIT_OK, EXIT_UNUSABLE):
        found.append(Violation("bad_exit", f"exit status {o.code!r}"))
    elif usable is True and o.code == EXIT_UNUSABLE:
        found.append(Violation("bad_exit", f"exit 3 on a usable input: {o.stderr.strip()[:300]}"))
    elif usable is False and o.code != EXIT_UNUSABLE:
        found.append(Violation("bad_exit", f"exit {o.code} on an unusable input (expected 3)"))
    if o.code == EXIT_UNUSABLE:
        lines = o.stderr.rstrip("\n").split("\n")
        if not o.stderr.strip() or len(lines) != 1:
            found.append(Violation("bad_exit", f"exit 3 with {len(lines)} lines on stderr: {o.stderr[:300]!r}"))
    for stream, text in (("stdout", o.stdout), ("stderr", o.stderr)):
        if "Traceback (most recent call last)" in text:
            found.append(Violation("crash", f"traceback on {stream}: {text[-300:]}"))
        found += judge_terminal(stream, text)
    if o.code in EXIT_OK:
        missing = [opt for opt in OUTPUTS if opt in o.argv and opt not in o.files]
        if missing:
            found.append(Violation("bad_exit", f"exit {o.code} but {', '.join(missing)} not written"))
    for option in ("--json", "--record"):
        if option in o.files:
            found += judge_document(option, o.files[option])[0]
    if "--report" in o.files:
        embedded = _EMBEDDED_JSON.search(o.files["--report"])
        if embedded is None:
            found.append(Violation("bad_json", "--report has no embedded diagnosis"))
        else:
            found += [v for v in judge_document("--report (embedded)", embedded.group(1))[0] if v.kind != "crash"]
    found += judge_secrets({"stdout": o.stdout, "stderr": o.stderr, "log": o.log, **o.files}, extra_needles)
    if o.stray:
        found.append(Violation("stray_write", "; ".join(o.stray[:6])))
    if o.elapsed > deadline:
        found.append(Violation("hang", f"took {o.elapsed:.1f} s (deadline {deadline:.0f} s)"))
    return found


# -- a raw HTTP fake on loopback -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """What the fake does with one request: send `data` in `pieces` parts (`delay` seconds apart; `trickle`
    sends one byte at a time), then `end`: "close", "reset" (RST) or "hold" (say nothing more until stopped)."""

    data: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    pieces: int = 1
    delay: float = 0.0
    trickle: bool = False
    end: str = "close"

    def describe(self) -> str:
        how = "trickled" if self.trickle else f"{self.pieces} piece(s), {self.delay:.2f} s apart"
        return f"{len(self.data)} bytes {how}, then {self.end}: {self.data[:120]!r}"


ROUTES = ("/metadata/instance", "/?comp=versions", "/health")


class FakeHttp:
    """A raw-socket server on 127.0.0.1 answering each request by its path with a scripted `Reply`."""

    def __init__(self, replies: Mapping[str, Reply], default: Reply | None = None) -> None:
        self.replies = dict(replies)
        self.default = default or Reply(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        self.stop_event = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = int(self.server.getsockname()[1])
        self.conns: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self.acceptor = threading.Thread(target=self._accept, name="fake-http", daemon=True)

    def __enter__(self) -> FakeHttp:
        self.acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.acceptor.join(timeout=2)
        for t in self.threads:
            t.join(timeout=2)
        with self._lock:
            for c in self.conns:
                with contextlib.suppress(OSError):
                    c.close()
        self.server.close()

    def _accept(self) -> None:
        while not self.stop_event.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _read_head(self, conn: socket.socket) -> str | None:
        conn.settimeout(0.05)
        data = b""
        deadline = time.monotonic() + 3.0
        while b"\r\n\r\n" not in data and len(data) < 65536 and time.monotonic() < deadline:
            if self.stop_event.is_set():
                return None
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        return parts[1] if len(parts) > 1 else ""

    def _serve(self, conn: socket.socket) -> None:
        try:
            target = self._read_head(conn)
            if target is None:
                return
            with self._lock:
                self.requests.append(target)
            reply = next((r for route, r in self.replies.items() if target.startswith(route)), self.default)
            self._send(conn, reply)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _send(self, conn: socket.socket, reply: Reply) -> None:
        data = reply.data
        if reply.trickle:
            parts = [data[i:i + 1] for i in range(len(data))]
        else:
            n = max(1, min(reply.pieces, len(data) or 1))
            step = -(-len(data) // n) if data else 0
            parts = [data[i:i + step] for i in range(0, len(data), step)] if data else []
        for i, part in enumerate(parts):
            if i and reply.delay and self.stop_event.wait(reply.delay):
                return
            conn.sendall(part)
        if reply.end == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif reply.end == "hold":
            self.stop_event.wait(30.0)
        else:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_WR)


class LiveNetwork:
    """A described VM (`FakeSystem`) whose `tcp_connect` and `http_get` are the real network probes of
    `SystemProbe`: the network checks talk to whatever `Settings` aims them at (here: the loopback fake)."""

    NET = frozenset({"tcp_connect", "http_get"})

    def __init__(self, machine: Any) -> None:
        from wizard.probes.system import SystemProbe

        self.machine = machine
        self.live = SystemProbe(root=None)

    def call(self, probe: str, /, **args: Any) -> Any:
        return (self.live if probe in self.NET else self.machine).call(probe, **args)


NETWORK_TIMEOUTS = {"connect_timeout_s": 0.4, "http_timeout_s": 0.6}
"""Short deadlines, so the slow, silent and trickling answers cost well under a second each."""


def loopback_settings(port: int) -> Any:
    from wizard.checks.base import Settings

    return Settings(wireserver="127.0.0.1", wireserver_port=port, hostplugin_port=port, imds=f"127.0.0.1:{port}",
                    **NETWORK_TIMEOUTS)


def linux_vm() -> Any:
    from wizard.probes.fake import FakeSystem

    return FakeSystem(system="linux", is_admin=True, user="root").on_azure()


@dataclass
class NetOutcome:
    elapsed: float
    json_text: str
    terminal: str
    requests: list[str]
    escaped: str = ""


def run_network(replies: Mapping[str, Reply], machine: Any | None = None) -> NetOutcome:
    """Every check against `machine` (a Linux Azure VM by default), the network ones answered by the fake."""
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS
    from wizard.i18n import Translator
    from wizard.jsonio import dumps
    from wizard.present.answer import build_answer
    from wizard.present.terminal import TerminalView

    probe = LiveNetwork(machine or linux_vm())
    with FakeHttp(replies) as fake:
        start = time.monotonic()
        try:
            diag = runner.run(ALL_CHECKS, probe, loopback_settings(fake.port))
        except Exception as exc:  # judged as a crash
            return NetOutcome(time.monotonic() - start, "", "", list(fake.requests), f"{type(exc).__name__}: {exc}")
        elapsed = time.monotonic() - start
        requests = list(fake.requests)
    try:
        text = dumps(diag, "en")
        screen = io.StringIO()
        TerminalView(Translator("en"), stream=screen).report(build_answer(diag, "en"))
    except Exception as exc:  # judged as a crash
        return NetOutcome(elapsed, "", "", requests, f"presenting: {type(exc).__name__}: {exc}")
    return NetOutcome(elapsed, text, screen.getvalue(), requests)


def judge_network(o: NetOutcome, budget: float) -> list[Violation]:
    found: list[Violation] = []
    if o.escaped:
        found.append(Violation("crash", o.escaped[:300]))
        return found
    doc_found, _doc = judge_document("diagnosis", o.json_text)
    found += doc_found
    found += judge_terminal("terminal view", o.terminal)
    found += judge_secrets({"diagnosis": o.json_text, "terminal view": o.terminal})
    if o.elapsed > budget:
        found.append(Violation("hang", f"took {o.elapsed:.2f} s (budget of the black-holed run {budget:.2f} s)"))
    return found


@contextlib.contextmanager
def black_hole() -> Iterator[int]:
    """A loopback port that never completes a handshake (its accept queue is full, so Linux drops the SYNs):
    what a firewall that drops packets looks like. Falls back to a listener that accepts and says nothing."""
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = int(server.getsockname()[1])
    queued: list[socket.socket] = []
    try:
        for _ in range(64):
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:
                s.close()
                break
            queued.append(s)
        yield port
    finally:
        for s in queued:
            s.close()
        server.close()


def black_holed_seconds(machine: Any | None = None) -> float:
    """How long the full run takes when every endpoint is black-holed, and when every endpoint accepts and
    then stays silent: the slower of the two is the budget every other answer must keep to."""
    from wizard import runner
    from wizard.checks.registry import ALL_CHECKS

    times = []
    with black_hole() as port:
        start = time.monotonic()
        runner.run(ALL_CHECKS, LiveNetwork(machine or linux_vm()), loopback_settings(port))
        times.append(time.monotonic() - start)
    silent = {route: Reply(b"", end="hold") for route in ROUTES}
    times.append(run_network(silent, machine).elapsed)
    return max(times)


def network_budget(black_holed: float) -> float:
    """Some slack over the black-holed run for scheduling noise (two cores, other tests running)."""
    return black_holed * 1.5 + 1.0
