"""The probe seam: the only way checks learn anything about the system.

Every probe call is a named request with plain-data arguments and a plain-data answer (a
JSON-able dict), so the whole conversation can be recorded to a scenario file and replayed.
Any answer may be *unavailable* (`{"unavailable": true, "error": "..."}`): the probe does not
exist on this platform, a replay lacks it, or the system refused. Checks must treat that as
"could not look", never as a finding.

The probe catalogue (argument names -> answer keys). Paths are *logical* paths as they are on
the VM (`/etc/waagent.conf`, `C:\\WindowsAzure\\Logs\\WaAppAgent.log`); the system probe maps
them below `--root` when one is given.

- `platform` {} -> system ("linux"/"windows"/other), release, version, hostname, machine
- `elevation` {} -> is_admin (bool), user (str), uid (int or null)
- `tcp_connect` {host, port} -> outcome ("connected"/"refused"/"timeout"/"unreachable"/"error"),
  elapsed_ms, error
- `http_get` {url, headers} -> outcome ("ok"/"refused"/"timeout"/"unreachable"/"error"),
  status, headers (lower-case names), body (text, at most 256 KiB), truncated, elapsed_ms, error.
  GET only, never through a proxy, redirects not followed.
- `read_file` {path, max_bytes} -> exists, is_file, readable, size, mtime, text (the last
  max_bytes bytes, decoded: BOM honoured, UTF-8 else the platform's legacy code page),
  truncated, error
- `stat` {path} -> exists, is_dir, is_file, mode (int, permission bits), uid, gid, owner,
  size, mtime, error
- `list_dir` {path} -> exists, entries [{name, is_dir}] (sorted, at most 500), error
- `run` {argv} -> found, returncode, stdout, stderr, timed_out, elapsed_ms, error
  (Linux: LC_ALL=C; Windows: console output decoded with the OEM code page, e.g. cp932)
- `service` {name} -> exists, state ("running"/"stopped"/"start_pending"/"stop_pending"/
  "paused"/"failed"/other), start_type ("automatic"/"manual"/"disabled"/other), enabled
  (Linux unit-file state: "enabled"/"disabled"/"masked"/...), display_name, error
- `cpu_sample` {seconds} -> percent (whole machine, 0-100), self_percent (this tool's share,
  0-100 of the machine), percent_excluding_self, cores, seconds, top [{pid, name, percent}]
- `memory` {} -> total, available, percent, swap_total, swap_percent
- `disk_usage` {path} -> exists, total, used, free, percent
- `proxy_env` {} -> vars {NAME: value} for environment variables whose name contains "proxy"
- `registry` {key, value} -> exists, value, type; with value null: exists, values {name: value},
  subkeys [...]. Keys are written `HKLM\\SOFTWARE\\...`. Windows only.
- `processes` {} -> processes [{pid, name, cmdline, username}] (cmdline cut to 300 chars)
"""

from __future__ import annotations

import json
from typing import Any, Protocol

Answer = dict[str, Any]

PROBE_NAMES: tuple[str, ...] = (
    "platform",
    "elevation",
    "tcp_connect",
    "http_get",
    "read_file",
    "stat",
    "list_dir",
    "run",
    "service",
    "cpu_sample",
    "memory",
    "disk_usage",
    "proxy_env",
    "registry",
    "processes",
)

# Arguments that tune how a probe runs but not what it asks; they are left out of the key a
# recording is looked up by, so a replay does not depend on them.
NON_KEY_ARGS = frozenset({"timeout", "max_bytes"})


class Probe(Protocol):
    """Anything that answers probe calls: the real system, a recorder, a replayer, a fake."""

    def call(self, probe: str, /, **args: Any) -> Answer: ...


def unavailable(error: str, **extra: Any) -> Answer:
    """The answer for a call that could not be made: the probe could not look."""
    return {"unavailable": True, "error": error, **extra}


def is_unavailable(answer: Answer) -> bool:
    return bool(answer.get("unavailable"))


def call_key(name: str, args: dict[str, Any]) -> str:
    """The stable key of a call: its name plus its arguments, canonical JSON, tuning args dropped."""
    kept = {k: v for k, v in args.items() if k not in NON_KEY_ARGS}
    return name + " " + json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
