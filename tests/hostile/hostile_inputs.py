"""Hostile inputs (hypothesis strategies) for the three entry points, and the properties they must keep.

- `scenario_inputs()`: a `--scenario` file: a shipped scenario with mutated answers (wrong types, missing
  fields, non-object answers, NaN/Infinity, huge and deeply nested values, control characters and escape
  sequences, secrets of the corpus in text fields), a fully random JSON document, random bytes, or a
  special file (a FIFO, a folder, a link to /dev/zero, a huge sparse file, UTF-16, a missing file);
- `root_trees()`: a `--root` folder with the files the checks read filled with text, binary, UTF-16 with
  and without BOM, invalid UTF-8, huge sparse files, links to a secret file *outside* the tree, links to
  /dev/zero, FIFOs, folders where files are expected, unreadable files, link loops, hostile file names;
- `http_replies()`: what a loopback fake of IMDS, the Wire Server and the HostGAPlugin answers: random
  status lines and headers, bodies (huge, wrong content type, broken chunking, secrets, NaN), delivered
  at once, in slow pieces or trickled, then closed, reset or left hanging.

`scenario_property`, `root_property` and `network_property` run one input and return the rules it broke
(see `hostile_harness`); the tests assert there are none, `benchmarks/bench_hostile.py` counts them.
Every attack target is built inside the temporary workspace, never aimed at a real system file.
"""

from __future__ import annotations

import codecs
import copy
import json
import math
import os
import socket
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hostile_harness import (
    DATA,
    OUTSIDE_MARKER,
    ROUTES,
    SECRET_TEXTS,
    SHIPPED_SCENARIOS,
    Reply,
    Violation,
    Workspace,
    cli_argv,
    judge_cli,
    judge_network,
    run_cli,
    run_network,
)
from hypothesis import strategies as st

# -- leaves ----------------------------------------------------------------------------------------------------

ESCAPE_SEQUENCES = (
    "\x1b[2J\x1b[H", "\x1b]0;owned\x07", "\x1b[8m", "\x1b[1A\x1b[2K", "\x9b31m", "\x90qpayload\x9c", "\r",
    "\x00", "\x07", "\b\b\b", "\x7f", "\u202e", "\u2066", "\x1bP1;1|\x1b\\", "\x1b[?1049h", "\x1b]52;c;Zm9v\x07",
)
BIG_NUMBERS = (1e308, -1e308, 1.7976931348623157e308, 5e-324, -0.0, 2**63, -(2**63) - 1, 10**30, 10**400,
               -(10**400))


def secret_texts() -> st.SearchStrategy[str]:
    return st.sampled_from(SECRET_TEXTS)


def with_secret(base: str, secret: str, mode: str) -> str:
    """`base` with `secret` in it: replacing it, appended, or at the end of every line (so whatever line a
    parser keeps carries it)."""
    if mode == "replace":
        return secret
    if mode == "append":
        return f"{base} {secret}"
    lines = base.split("\n") if base else [""]
    return "\n".join(f"{line} {secret}" for line in lines)


@st.composite
def hostile_texts(draw: st.DrawFn, allow_huge: bool = True) -> str:
    kind = draw(st.sampled_from(["text", "escape", "secret", "surrogate", "huge"] if allow_huge
                                else ["text", "escape", "secret", "surrogate"]))
    if kind == "text":
        return draw(st.text(max_size=40))
    if kind == "escape":
        parts = draw(st.lists(st.one_of(st.sampled_from(ESCAPE_SEQUENCES), st.text(max_size=8)), min_size=1,
                              max_size=5))
        return "".join(parts)
    if kind == "secret":
        return with_secret(draw(st.text(max_size=10)), draw(secret_texts()), draw(st.sampled_from(["replace",
                                                                                                   "append"])))
    if kind == "surrogate":
        return draw(st.text(st.characters(categories=["Cs", "Cc", "Co", "Cn"]), min_size=1, max_size=6))
    unit = draw(st.sampled_from(["A", "line of log text\n", "\x1b[2J", "€", "\n"]))
    return unit * (draw(st.sampled_from([20_000, 300_000])) // len(unit))


def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(st.integers(), st.floats(), st.sampled_from(BIG_NUMBERS),
                     st.sampled_from([math.nan, math.inf, -math.inf]))


def json_values(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    leaves = st.one_of(st.none(), st.booleans(), numbers(), hostile_texts(allow_huge=False))
    return st.recursive(leaves, lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=4)), max_leaves=max_leaves)


@dataclass(frozen=True, eq=False)
class Raw:
    """A value written into the file as JSON text of its own (json.dumps would refuse or rewrite it): nested
    `depth` levels deep, or a number with more digits than Python reads by default (4300)."""

    text: str
    depth: int = 0

    def marker(self) -> str:
        return f"@@raw-{id(self)}@@"


def deep(depth: int, token: str = "") -> Raw:
    return Raw("[" * depth + json.dumps(token) + "]" * depth, depth)


def huge_integer(digits: int) -> Raw:
    return Raw("9" * digits)


# -- scenario documents ----------------------------------------------------------------------------------------

@cache
def shipped_documents() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SHIPPED_SCENARIOS}


@dataclass
class ScenarioInput:
    """A `--scenario` file to create: `data` written as the file (or a special `kind`), whether the program
    must accept it (`usable`: True exit 0/1/2, False exit 3, None either), and what was done, for reports."""

    kind: str
    data: bytes = b""
    usable: bool | None = None
    story: list[str] = field(default_factory=list)

    def materialize(self, ws: Workspace) -> Path:
        path = ws.cwd / "scenario.json"
        if self.kind == "file":
            path.write_bytes(self.data)
        elif self.kind == "fifo":
            os.mkfifo(path)
        elif self.kind == "folder":
            path.mkdir()
            (path / "calls.json").write_bytes(self.data)
        elif self.kind == "dev_zero":
            path.symlink_to("/dev/zero")
        elif self.kind == "huge_sparse":
            with open(path, "wb") as fh:
                fh.write(self.data)
                fh.truncate(65 * 1024 * 1024)
        elif self.kind == "link_to_outside":
            secret = ws.outside / "secret.txt"
            secret.write_bytes(self.data)
            path.symlink_to(secret)
        elif self.kind == "dangling":
            path.symlink_to(ws.outside / "missing.json")
        elif self.kind == "socket":
            sock = socket.socket(socket.AF_UNIX)
            try:
                sock.bind(str(path))
            except OSError:  # a path too long for a socket: a missing file instead
                pass
            finally:
                sock.close()
        return path

    def __str__(self) -> str:
        return f"{self.kind} ({len(self.data)} bytes, usable={self.usable}): " + "; ".join(self.story)


def serialize(doc: Any, style: str) -> bytes:
    """The document as scenario-file bytes (NaN/Infinity written as JavaScript literals, as json.dumps does);
    `Raw` values are spliced in as text."""
    raws: list[Raw] = []

    def default(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value)
            return value.marker()
        raise TypeError(type(value).__name__)

    ensure_ascii = style == "ascii"
    try:
        text = json.dumps(doc, ensure_ascii=ensure_ascii, default=default, indent=None if style == "compact" else 1)
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: only \u escapes can carry them
        raws.clear()
        text = json.dumps(doc, ensure_ascii=True, default=default)
        data = text.encode("ascii")
    for raw in raws:
        data = data.replace(json.dumps(raw.marker()).encode(), raw.text.encode())
    return (codecs.BOM_UTF8 + data) if style == "bom" else data


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _string_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_paths(v, (*path, i))]
    return []


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


ANSWER_MUTATIONS = ("non_object_answer", "field_value", "drop_field", "non_finite", "huge_text", "deep",
                    "controls", "secret", "secret_every_line", "unavailable", "args", "probe_name", "drop_call",
                    "duplicate_call", "big_number", "huge_integer")


def expected_usable(doc: Any) -> bool | None:
    """Whether the documented format (docs/scenarios.md) makes `doc` a usable scenario: an object with schema 1
    and a list of calls, each an object with a text `probe`, an object (or no) `args` and an object `answer`.
    None where the answer depends on limits (values nested past what a JSON reader takes)."""
    if not isinstance(doc, dict) or doc.get("schema") != 1:
        return False
    calls = doc.get("calls")
    if calls is None:
        return None if _has_raw(doc) else True
    if not isinstance(calls, list):
        return False
    for entry in calls:
        if not isinstance(entry, dict) or not isinstance(entry.get("probe"), str):
            return False
        if entry.get("args") is not None and not isinstance(entry["args"], dict):
            return False
        if not isinstance(entry.get("answer"), dict):
            return False
    return None if _has_raw(doc) else True


def _has_raw(value: Any) -> bool:
    """Whether `value` holds a value nested 500 deep or more, or a huge number: a JSON reader may refuse those."""
    if isinstance(value, Raw):
        return value.depth >= 500 or not value.depth
    if isinstance(value, dict):
        return any(_has_raw(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_raw(v) for v in value)
    return False


@st.composite
def _mutate_call(draw: st.DrawFn, doc: dict[str, Any], story: list[str]) -> None:
    """Mutate one call of `doc` in place."""
    calls = doc["calls"]
    if not calls:
        return
    i = draw(st.integers(0, len(calls) - 1))
    entry = calls[i]
    answer = entry["answer"]
    op = draw(st.sampled_from(ANSWER_MUTATIONS))
    fields = sorted(answer) if isinstance(answer, dict) else []
    name = draw(st.sampled_from(fields)) if fields and draw(st.booleans()) else draw(st.sampled_from(
        [*fields, "text", "error", "unavailable", "outcome", "entries", "status"]))
    strings = _string_paths(answer) if isinstance(answer, dict) else []
    story.append(f"{op} on call {i} ({str(entry['probe'])[:40]}) field {name!r}")
    if op == "non_object_answer":
        entry["answer"] = draw(json_values().filter(lambda v: not isinstance(v, dict)))
    elif op == "unavailable":
        entry["answer"] = {"unavailable": True, "error": draw(st.one_of(hostile_texts(allow_huge=False),
                                                                        json_values()))}
    elif op == "args":
        entry["args"] = draw(json_values())
    elif op == "probe_name":
        entry["probe"] = draw(st.one_of(hostile_texts(allow_huge=False), json_values()))
    elif op == "drop_call":
        del calls[i]
    elif op == "duplicate_call":
        calls.append(copy.deepcopy(entry))
    elif not isinstance(answer, dict):
        return
    elif op == "field_value":
        answer[name] = draw(json_values())
    elif op == "drop_field":
        answer.pop(name, None)
    elif op == "non_finite":
        answer[name] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    elif op == "big_number":
        answer[name] = draw(st.sampled_from(BIG_NUMBERS))
    elif op == "huge_text":
        answer[name] = draw(hostile_texts().filter(lambda s: len(s) > 10_000))
    elif op == "deep":
        depth = draw(st.sampled_from([30, 45, 200, 500, 5_000, 100_000]))
        answer[name] = deep(depth, draw(st.sampled_from(["", *SECRET_TEXTS[:3]])))
    elif op == "huge_integer":
        answer[name] = huge_integer(draw(st.sampled_from([4_301, 10_000, 1_000_000])))
    elif strings:  # controls, secret, secret_every_line
        where = draw(st.sampled_from(strings))
        old = _get(answer, where)
        if op == "controls":
            cut = draw(st.integers(0, len(old)))
            new = old[:cut] + "".join(draw(st.lists(st.sampled_from(ESCAPE_SEQUENCES), min_size=1, max_size=3))) \
                + old[cut:]
        else:
            mode = "every_line" if op == "secret_every_line" else draw(st.sampled_from(["replace", "append"]))
            new = with_secret(old, draw(secret_texts()), mode)
        _set(answer, where, new)
        story.append(f"  at {where!r}")


DOCUMENT_MUTATIONS = ("title", "description", "schema", "calls", "extra_key", "tool")


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> ScenarioInput:
    name = draw(st.sampled_from(sorted(shipped_documents())))
    doc = copy.deepcopy(shipped_documents()[name])
    story = [f"from {name}"]
    for _ in range(draw(st.integers(1, 6))):
        draw(_mutate_call(doc, story))
    if draw(st.integers(0, 4)) == 0:
        op = draw(st.sampled_from(DOCUMENT_MUTATIONS))
        story.append(f"document {op}")
        if op in ("title", "description"):
            doc[op] = draw(st.one_of(hostile_texts(), json_values()))
        elif op in ("schema", "calls", "tool"):
            doc[op] = draw(json_values())
        else:
            doc[draw(st.text(max_size=10))] = draw(json_values())
    style = draw(st.sampled_from(["indent", "compact", "ascii", "bom"]))
    return ScenarioInput("file", serialize(doc, style), expected_usable(doc), story)


@st.composite
def random_documents(draw: st.DrawFn) -> ScenarioInput:
    doc = draw(json_values(max_leaves=20))
    if isinstance(doc, dict) and draw(st.booleans()):
        doc["schema"] = 1
        if draw(st.booleans()):
            doc["calls"] = draw(st.lists(st.fixed_dictionaries(
                {"probe": st.sampled_from(["platform", "read_file", "http_get", "run", "stat"]),
                 "args": st.dictionaries(st.sampled_from(["path", "url", "argv"]), json_values(4), max_size=2),
                 "answer": st.dictionaries(st.text(max_size=8), json_values(4), max_size=4)}), max_size=5))
    style = draw(st.sampled_from(["compact", "ascii", "bom"]))
    return ScenarioInput("file", serialize(doc, style), expected_usable(doc), ["random JSON document"])


@st.composite
def special_files(draw: st.DrawFn) -> ScenarioInput:
    kind = draw(st.sampled_from(["bytes", "fifo", "folder", "dev_zero", "huge_sparse", "utf16", "empty",
                                 "link_to_outside", "dangling", "missing", "socket", "huge_valid", "truncated"]))
    healthy = SHIPPED_SCENARIOS[0].read_bytes()
    if kind == "bytes":
        return ScenarioInput("file", draw(st.binary(max_size=2000)), None, ["random bytes"])
    if kind == "utf16":
        enc = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
        return ScenarioInput("file", healthy.decode("utf-8").encode(enc), False, [f"a shipped scenario in {enc}"])
    if kind == "empty":
        return ScenarioInput("file", b"", False, ["an empty file"])
    if kind == "huge_valid":
        return ScenarioInput("file", healthy[:-2] + b" " * (5 * 1024 * 1024) + healthy[-2:], True,
                             ["a shipped scenario padded to 5 MiB"])
    if kind == "truncated":
        cut = draw(st.integers(1, len(healthy) - 2))
        return ScenarioInput("file", healthy[:cut], False, [f"a shipped scenario cut after {cut} bytes"])
    if kind == "link_to_outside":
        return ScenarioInput(kind, ("\n".join(SECRET_TEXTS[:20]) + "\n").encode(), False,
                             ["a link to a file of secrets (not JSON)"])
    if kind == "huge_sparse":
        return ScenarioInput(kind, b'{"schema": 1, "calls": []', False, ["a 65 MiB sparse file"])
    if kind == "folder":
        return ScenarioInput(kind, healthy, False, ["a folder"])
    if kind == "missing":
        return ScenarioInput("none", b"", False, ["a file that does not exist"])
    return ScenarioInput(kind, b"", False, [kind])


def scenario_inputs() -> st.SearchStrategy[ScenarioInput]:
    return st.one_of(mutated_scenarios(), mutated_scenarios(), mutated_scenarios(), random_documents(),
                     special_files())


def scenario_property(inp: ScenarioInput, lang: str = "en", redact: bool = False,
                      tmp: str | Path | None = None) -> list[Violation]:
    """One `--scenario` run with every output named, judged."""
    with Workspace(tmp) as ws:
        path = inp.materialize(ws)
        outcome = run_cli(ws, cli_argv(ws, ["--scenario", str(path)], lang, redact))
        return judge_cli(outcome, usable=inp.usable)


# -- --root trees ----------------------------------------------------------------------------------------------

EXT_LINUX = "var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0"
EXT_WINDOWS = "Packages/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.75.0"
LINUX_FILES: dict[str, Path | str] = {
    "etc/hostname": "vm-bundle01\n",
    "etc/waagent.conf": DATA / "linux" / "waagent.conf",
    "var/log/waagent.log": DATA / "linux" / "waagent_log_goalstate_errors.log",
    f"{EXT_LINUX}/status/0.status": DATA / "linux" / "vmsnapshotlinux_status_success.json",
    f"{EXT_LINUX}/HandlerManifest.json": DATA / "linux" / "vmbackup_HandlerManifest.json",
    f"{EXT_LINUX}/config/0.settings": '{"runtimeSettings": [{"handlerSettings": {"protectedSettings": "x"}}]}',
    "etc/azure/vmbackup.conf": DATA / "linux" / "vmbackup.conf",
    "etc/azure/VMSnapshotScriptPluginConfig.json": DATA / "linux" / "VMSnapshotScriptPluginConfig.json",
    "var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log":
        "2026-11-25 09:41:02 ERROR snapshot failed\n",
    "var/log/azure-proxy-agent/status.json": '{"status": "ok"}',
    "etc/environment": 'PATH="/usr/bin"\nhttps_proxy=http://proxy.example:3128\n',
    "proc/mounts": "/dev/sda1 / ext4 rw,relatime 0 0\n",
    "sys/class/dmi/id/chassis_asset_tag": "7783-7084-3265-9085-8269-3286-77\n",
    "lib/systemd/system/walinuxagent.service": DATA / "linux" / "walinuxagent.service",
    "usr/sbin/waagent": "#!/usr/bin/python3\n",
    "etc/systemd/system/walinuxagent.service.d/override.conf": "[Service]\nEnvironment=x=1\n",
}
WINDOWS_FILES: dict[str, Path | str] = {
    "WindowsAzure/Logs/WaAppAgent.log": DATA / "windows" / "waappagent_log_getversions_503.log",
    "WindowsAzure/Logs/AggregateStatus/aggregatestatus.json": '{"aggregateStatus": {"guestAgentStatus": {}}}',
    "WindowsAzure/ProxyAgent/Logs/status.json": '{"status": "ok"}',
    "WindowsAzure/Packages/WaAppAgent.exe": "MZ",
    "WindowsAzure/GuestAgent_2.7.41491.1102_2024-01-23_194431/WindowsAzureGuestAgent.exe": "MZ",
    f"{EXT_WINDOWS}/Status/0.status": DATA / "linux" / "vmsnapshotlinux_status_success.json",
    f"{EXT_WINDOWS}/RuntimeSettings/0.settings": '{"runtimeSettings": []}',
    "WindowsAzure/Logs/Plugins/Microsoft.Azure.RecoveryServices.VMSnapshot/1.0.75.0/IaaSBcdrExtension0.log":
        DATA / "windows" / "waappagent_log_hostgaplugin_32526_socket_forbidden.log",
}
FOLDERS = ("var/lib/waagent", EXT_LINUX, f"{EXT_LINUX}/status", "etc/azure", "WindowsAzure", "WindowsAzure/Logs",
           "Packages/Plugins", EXT_WINDOWS, f"{EXT_WINDOWS}/Status", "etc/systemd/system/walinuxagent.service.d")


def sample_text(rel: str) -> str:
    src = {**LINUX_FILES, **WINDOWS_FILES}.get(rel, "")
    return src.read_text(encoding="utf-8") if isinstance(src, Path) else src


@dataclass
class Node:
    """What to put at one path of a `--root` tree."""

    kind: str  # file | sparse | link_outside | link_outside_dir | link_dev_zero | link_inside | link_loop
    #            | dangling | fifo | folder | unreadable | socket | many_entries
    data: bytes = b""
    size: int = 0


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp932", "latin-1", "invalid-utf-8")


def encode(text: str, encoding: str, noise: bytes = b"") -> bytes:
    if encoding == "invalid-utf-8":  # bytes that are not UTF-8 at the start of a line (never inside a secret,
        data = text.encode("utf-8", "surrogatepass")  # whose context would no longer say it is one)
        cut = data.find(b"\n", len(data) // 2) + 1
        return data[:cut] + (noise or b"\xff\xfe\xc3\x28\xa0\xa1") + b" " + data[cut:]
    if encoding == "utf-16-le-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding, errors="replace")


@st.composite
def file_contents(draw: st.DrawFn, rel: str) -> Node:
    kind = draw(st.sampled_from(["sample", "sample", "sample", "binary", "sparse", "link_outside", "link_dev_zero",
                                 "fifo", "folder", "unreadable", "link_loop", "dangling", "link_inside", "socket",
                                 "empty"]))
    if kind in ("sample", "unreadable"):
        text = sample_text(rel) or draw(st.text(max_size=200))
        how = draw(st.sampled_from(["as is", "secret", "secret_every_line", "controls", "random", "huge_integer"]))
        if how == "huge_integer":  # JSON files (status, settings): a number Python's JSON reader refuses
            text = text.replace("{", '{"n": ' + "9" * 5000 + ", ", 1) if "{" in text else "9" * 5000
        elif how in ("secret", "secret_every_line"):
            text = with_secret(text, draw(secret_texts()), "every_line" if how == "secret_every_line" else "append")
        elif how == "controls":
            text = "".join(draw(st.sampled_from(ESCAPE_SEQUENCES)) + line + "\n" for line in text.split("\n"))
        elif how == "random":
            text = draw(hostile_texts())
        data = encode(text, draw(st.sampled_from(ENCODINGS)), draw(st.binary(max_size=8)))
        return Node("unreadable" if kind == "unreadable" else "file", data)
    if kind == "binary":
        return Node("file", draw(st.binary(max_size=4096)))
    if kind == "empty":
        return Node("file", b"")
    if kind == "sparse":
        tail = with_secret(sample_text(rel), draw(secret_texts()), "every_line").encode()
        return Node("sparse", tail, draw(st.sampled_from([20 * 1024 * 1024, 3 * 1024**3, 1024**4])))
    return Node(kind)


@dataclass
class RootTree:
    nodes: dict[str, Node]

    def materialize(self, ws: Workspace) -> Path:
        root = ws.cwd / "bundle"
        root.mkdir()
        outside = ws.outside / "secret.log"
        outside.write_text("".join(f"2026-11-25T09:41:02Z ERROR {OUTSIDE_MARKER} {s} Traceback failed\n"
                                   for s in ("error", *SECRET_TEXTS[:10])), encoding="utf-8")
        outside_dir = ws.outside / "extension"
        (outside_dir / "status").mkdir(parents=True)
        (outside_dir / "status" / "0.status").write_text(
            json.dumps([{"status": {"status": "error", "formattedMessage": {"message": f"{OUTSIDE_MARKER} failed"}}}]),
            encoding="utf-8")
        for rel, node in sorted(self.nodes.items(), key=lambda kv: kv[0].count("/")):
            path = root / rel
            if _blocked(root, path):  # an ancestor is a link, a pipe or a file already: that is the input
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(path):
                continue
            self._make(ws, root, path, node, outside, outside_dir)
        return root

    @staticmethod
    def _make(ws: Workspace, root: Path, path: Path, node: Node, outside: Path, outside_dir: Path) -> None:
        if node.kind in ("file", "unreadable"):
            path.write_bytes(node.data)
            if node.kind == "unreadable":
                path.chmod(0)
        elif node.kind == "sparse":
            with open(path, "wb") as fh:
                try:
                    fh.truncate(node.size)
                    size = node.size
                except OSError:  # larger than this file system allows: the largest usual size
                    size = 3 * 1024**3
                    fh.truncate(size)
                fh.seek(size - len(node.data))
                fh.write(node.data)
        elif node.kind == "link_outside":
            target = outside_dir if path.name in {Path(f).name for f in FOLDERS} else outside
            path.symlink_to(os.path.relpath(target, path.parent) if len(str(path)) % 2 else target)
        elif node.kind == "link_dev_zero":
            path.symlink_to("/dev/zero")
        elif node.kind == "link_inside":
            path.symlink_to(os.path.relpath(root / "etc" / "hostname", path.parent))
        elif node.kind == "link_loop":
            other = path.with_name(path.name + ".loop")
            path.symlink_to(other.name)
            other.symlink_to(path.name)
        elif node.kind == "dangling":
            path.symlink_to(ws.outside / "nothing-here")
        elif node.kind == "fifo":
            os.mkfifo(path)
        elif node.kind == "folder":
            path.mkdir()
            (path / "inside").write_text(f"{OUTSIDE_MARKER}-not-a-file", encoding="utf-8")
        elif node.kind == "socket":
            sock = socket.socket(socket.AF_UNIX)
            try:
                sock.bind(str(path))
            except OSError:
                pass
            finally:
                sock.close()
        elif node.kind == "many_entries":
            path.mkdir()
            for i in range(node.size):
                (path / f"Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.{i}").mkdir()

    def __str__(self) -> str:
        return ", ".join(f"{rel!r}={n.kind}({len(n.data)}b{f', {n.size}' if n.size else ''})"
                         for rel, n in sorted(self.nodes.items()))


def _blocked(root: Path, path: Path) -> bool:
    """Whether an ancestor of `path` below `root` exists and is not a real folder (never create through a link)."""
    current = root
    for part in path.relative_to(root).parts[:-1]:
        current = current / part
        if os.path.lexists(current) and (current.is_symlink() or not current.is_dir()):
            return True
    return False


FOLDER_ATTACKS = ("link_outside", "link_dev_zero", "fifo", "file", "link_loop", "unreadable_folder",
                  "many_entries", "hostile_names")
HOSTILE_NAMES = ("Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0\x1b[2J", "name\nwith newline",
                 "Microsoft.Azure.RecoveryServices.VMSnapshotLinux-$(reboot);x", "sig=HOSTILEname?&sig=x",
                 "\u202eevil", "a" * 255)


@st.composite
def root_trees(draw: st.DrawFn) -> RootTree:
    platform = draw(st.sampled_from(["linux", "windows", "both", "none"]))
    pool = {"linux": LINUX_FILES, "windows": WINDOWS_FILES, "both": {**LINUX_FILES, **WINDOWS_FILES},
            "none": {}}[platform]
    nodes: dict[str, Node] = {}
    chosen = draw(st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=len(pool))) if pool else []
    for rel in chosen:
        nodes[rel] = draw(file_contents(rel))
    if platform == "none" and draw(st.booleans()):
        nodes["README.txt"] = Node("file", draw(hostile_texts()).encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(0, 2))):
        folder = draw(st.sampled_from([f for f in FOLDERS if pool and any(r.startswith(f) for r in pool)] or
                                      ["var/lib/waagent"]))
        attack = draw(st.sampled_from(FOLDER_ATTACKS))
        if attack == "unreadable_folder":
            nodes.setdefault(f"{folder}/x", Node("file", b"x"))
            nodes[folder + "/"] = Node("unreadable_folder")
        elif attack == "many_entries":
            nodes[folder] = Node("many_entries", size=draw(st.sampled_from([10, 600])))
        elif attack == "hostile_names":
            for name in draw(st.lists(st.sampled_from(HOSTILE_NAMES), min_size=1, max_size=3, unique=True)):
                nodes[f"{folder}/{name}/status/0.status"] = Node("file", draw(secret_texts()).encode())
        else:
            nodes[folder] = Node(attack, b"" if attack != "file" else b"not a folder")
    return RootTree(nodes)


def _lock_folders(root: Path, tree: RootTree) -> None:
    for rel, node in tree.nodes.items():
        if node.kind == "unreadable_folder":
            path = root / rel.rstrip("/")
            if path.is_dir() and not path.is_symlink():
                path.chmod(0)


def root_property(tree: RootTree, lang: str = "en", redact: bool = False,
                  tmp: str | Path | None = None) -> list[Violation]:
    """One `--root` run with every output named, judged; the file outside the tree must never show."""
    with Workspace(tmp) as ws:
        root = tree.materialize(ws)
        _lock_folders(root, tree)
        outcome = run_cli(ws, cli_argv(ws, ["--root", str(root)], lang, redact))
        return judge_cli(outcome, usable=True, extra_needles=(OUTSIDE_MARKER,))


# -- HTTP answers -------------------------------------------------------------------------------------------

@cache
def sample_bodies() -> dict[str, bytes]:
    return {
        "/metadata/instance": (DATA / "imds" / "instance_wala_valid.json").read_bytes(),
        "/?comp=versions": (DATA / "wireserver" / "versions.xml").read_bytes(),
        "/health": b"",
    }


STATUS_LINES = (b"HTTP/1.1 200 OK", b"HTTP/1.0 200 OK", b"HTTP/1.1 503 Service Unavailable", b"HTTP/1.1 404 Not Found",
                b"HTTP/1.1 302 Found", b"HTTP/1.1 500 Internal Server Error", b"HTTP/1.1 204 No Content",
                b"HTTP/1.1 304 Not Modified", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", b"HTTP/1.1 101 Upgrade",
                b"HTTP/2 200", b"ICY 200 OK", b"HTTP/1.1 20 OK", b"HTTP/1.1 2000 OK", b"HTTP/1.1 -20 OK",
                b"HTTP/1.1 410 Gone", b"", b"HTTP/1.1 200 OK\x1b[2J", b"HTTP/1.1 \xff\xfe OK",
                b"HTTP/1.1 \xb2\xb3\xb9 OK", b"HTTP/1.1 \xb9\xb2\xb3")  # Latin-1 superscripts: isdigit(), not int()
CONTENT_TYPES = (b"text/xml; charset=utf-8", b"application/json", b"application/json; charset=utf-16",
                 b"image/png", b"text/html; charset=bogus-charset", b"text/plain; charset=cp932", b"", b";;;=",
                 b"application/json; charset=\"utf-8\"; boundary=\x1b[2J")


@st.composite
def bodies(draw: st.DrawFn, route: str) -> bytes:
    kind = draw(st.sampled_from(["sample", "sample", "secret_in_sample", "random", "huge", "nan", "deep", "secrets",
                                 "bomb", "empty", "utf16", "huge_integer"]))
    sample = sample_bodies()[route] or b"<Health>ok</Health>"
    if kind == "sample":
        return sample
    if kind == "secret_in_sample":
        text = sample.decode("utf-8")
        try:
            doc = json.loads(text)
        except ValueError:
            return with_secret(text, draw(secret_texts()), "every_line").encode()
        paths = _string_paths(doc)
        for where in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4)) if paths else []:
            _set(doc, where, with_secret(_get(doc, where), draw(secret_texts()), draw(st.sampled_from(
                ["replace", "append"]))))
        return json.dumps(doc).encode()
    if kind == "random":
        return draw(st.binary(max_size=3000))
    if kind == "huge":
        return draw(st.sampled_from([b"A", b"<x>", b"\xff", b"{\"a\":"])) * draw(st.sampled_from([300_000, 2_000_000]))
    if kind == "nan":
        return b'{"compute": {"name": NaN, "vmSize": Infinity, "osType": -Infinity, "tagsList": [1e999]}}'
    if kind == "deep":
        n = draw(st.sampled_from([100, 5_000, 200_000]))
        return (b'{"compute": ' + b"[" * n + b"]" * n + b"}") if route == "/metadata/instance" \
            else b"<a>" * n + b"</a>" * n
    if kind == "secrets":
        return "\n".join(draw(st.lists(secret_texts(), min_size=1, max_size=5))).encode()
    if kind == "bomb":
        lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        return f'<?xml version="1.0"?><!DOCTYPE Versions [{lol}]><Versions>&l9;</Versions>'.encode()
    if kind == "utf16":
        return sample.decode("utf-8").encode("utf-16")
    if kind == "huge_integer":  # more digits than Python's JSON reader takes by default
        return sample.replace(b"{", b'{"n": ' + b"9" * draw(st.sampled_from([4_301, 100_000])) + b", ", 1) \
            if sample.startswith(b"{") else b"9" * 5000
    return b""


@st.composite
def http_replies(draw: st.DrawFn, route: str) -> Reply:
    status = draw(st.one_of(st.sampled_from(STATUS_LINES), st.builds(
        lambda code, reason: b"HTTP/1.1 %d %s" % (code, reason), st.integers(0, 999), st.binary(max_size=30))))
    body = draw(bodies(route))
    headers: list[bytes] = []
    ctype = draw(st.sampled_from(CONTENT_TYPES))
    if ctype:
        headers.append(b"Content-Type: " + ctype)
    framing = draw(st.sampled_from(["length", "length", "short_length", "long_length", "bad_length", "chunked",
                                    "broken_chunked", "chunked_no_end", "close", "length_and_chunked"]))
    payload = body
    if framing == "length":
        headers.append(b"Content-Length: %d" % len(body))
    elif framing == "short_length":
        headers.append(b"Content-Length: %d" % max(0, len(body) - 7))
    elif framing == "long_length":
        headers.append(b"Content-Length: %d" % (len(body) + draw(st.sampled_from([1, 10_000, 10**12]))))
    elif framing == "bad_length":
        headers.append(b"Content-Length: " + draw(st.sampled_from([b"-1", b"abc", b"1e3", b"", b"0x10", b"  12 ",
                                                                   b"99999999999999999999999", b"\xb9\xb2",
                                                                   b"9" * 5000])))
    elif framing in ("chunked", "broken_chunked", "chunked_no_end", "length_and_chunked"):
        headers.append(b"Transfer-Encoding: chunked")
        if framing == "length_and_chunked":
            headers.append(b"Content-Length: 3")
        size = draw(st.integers(1, 4096))
        chunks = [body[i:i + size] for i in range(0, len(body), size)]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
        if framing == "broken_chunked":
            payload = draw(st.sampled_from([b"zz\r\n", b"5\r\nab\r\n", b"-1\r\n", b"ffffffffffffffffff\r\n",
                                            b"\xb9\r\n", b"f" * 5000 + b"\r\n"])) + payload
        if framing != "chunked_no_end":
            payload += b"0\r\n\r\n"
    for _ in range(draw(st.integers(0, 3))):
        headers.append(draw(st.one_of(
            st.sampled_from([b"X-Ms-Request-Id: abc", b"no colon here", b"Set-Cookie: a=" + b"x" * 70_000,
                             b"Location: http://user:HOSTILEproxyPass09@evil.example/", b":", b"X-\x1b[2J: v",
                             b"Authorization: Bearer HOSTILEbearer08"]),
            st.builds(lambda s: b"X-Secret: " + s.encode("utf-8", "replace"), secret_texts()),
            st.binary(max_size=40))))
    data = status + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + payload
    delivery = draw(st.sampled_from(["whole", "whole", "whole", "pieces", "trickle"]))
    pieces, delay, trickle = 1, 0.0, False
    if delivery == "pieces":
        pieces, delay = draw(st.integers(2, 6)), draw(st.sampled_from([0.0, 0.01, 0.1, 0.3]))
    elif delivery == "trickle":
        data, trickle, delay = data[:200], True, draw(st.sampled_from([0.02, 0.1, 0.25]))
    end = draw(st.sampled_from(["close", "close", "close", "reset", "hold"]))
    return Reply(data, pieces, delay, trickle, end)


@st.composite
def network_answers(draw: st.DrawFn) -> dict[str, Reply]:
    """One scripted reply per endpoint; sometimes the same one for all three."""
    if draw(st.integers(0, 4)) == 0:
        reply = draw(http_replies("/?comp=versions"))
        return dict.fromkeys(ROUTES, reply)
    return {route: draw(http_replies(route)) for route in ROUTES}


def network_property(replies: dict[str, Reply], budget: float) -> list[Violation]:
    return judge_network(run_network(replies), budget)


# -- settings ----------------------------------------------------------------------------------------------

def hostile_settings(examples: int) -> Any:
    """The profile of the property tests: deterministic (the same examples on every run, so CI is stable),
    no per-example deadline (the harness judges time itself), no example database. `HOSTILE_EXAMPLES`
    changes the count for a local run; `benchmarks/bench_hostile.py` runs thousands, randomised."""
    from hypothesis import HealthCheck, settings

    return settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES") or examples), derandomize=True,
                    deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example, HealthCheck.filter_too_much])
