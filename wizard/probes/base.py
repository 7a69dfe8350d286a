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
  status, headers (lower-case names), body (text, at most 256 KiB), truncated, elapsed_ms, error,
  connected (the TCP connection was accepted; missing in older recordings).
  GET only, never through a proxy, redirects not followed.
- `read_file` {path, max_bytes} -> exists, is_file, readable, size, mtime, text (the last
  max_bytes bytes, decoded: BOM honoured, UTF-8 else the platform's legacy code page),
  truncated, error
- `stat` {path} -> exists, is_dir, is_file, mode (int, permission bits), uid, gid, owner,
  size, mtime, error
- `list_dir` {path} -> exists, entries [{name, is_dir}] (sorted, at most 500), error
- `run` {argv} -> found, returncode, stdout, stderr, timed_out, elapsed_ms, error
  (found is false when the program could not be started because it, or the interpreter on its
  `#!` line, is missing; the error says which)
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

Errors are message ids with parameters
--------------------------------------
An answer that reports an error (every unavailable answer, a `read_file` that could not read,
a `run` that found no command, a failed connection) carries it twice:

- `error`: the English text, raw evidence that is never translated;
- `error_msg`: `{"id": template, "params": {...}}`, the same sentence as a message id (its
  English template, marked with `N_()` so it is extracted into the catalog) and named
  parameters, which the presenters show in the reader's language.

Build the pair with `error_fields(N_("template with {name}"), name=value)`, or
`unavailable(N_("..."), ...)` for an unavailable answer, and `os_error_fields(exc)` for an
`OSError` (its errno picks the message; the system's own wording stays in the English text).
Never write `error` alone. Templates are whole English phrases that read well inside
parentheses ("permission denied", "command not found: {command}"); parameters are plain values
(or another answer's `error_msg`, a reason inside this one), and text that comes from the system
(an OS error string, a command's stderr, an exception) goes into a parameter, never into the
template. Parsers report their errors the same way (a
parser result's `error` and `error_msg`). A check turns any of these into a `Msg` with
`wizard.checks.base.error_msg(answer)`; answers recorded before `error_msg` existed (only
`error`) still work: their English text is shown as it is.
"""

from __future__ import annotations

import errno
import json
from typing import Any, Protocol

from wizard.i18n import N_, format_text
from wizard.model import Msg, Param, is_msg_dict

Answer = dict[str, Any]
# A plain value, or another answer's `error_msg` dict (a reason inside this reason).
ErrorParam = str | int | float | bool | dict[str, Any] | None

NOT_HERE = N_("not available on this platform")

# errno -> the phrase shown for it; the system's own wording is kept in `error` as `detail`
_OS_ERRORS: dict[int, str] = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.ELOOP: N_("too many levels of symbolic links"),
    errno.EIO: N_("input/output error"),
    errno.ENOEXEC: N_("not a program this system can run"),
}

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
NON_KEY_ARGS = frozenset({"timeout", "connect_timeout", "max_bytes"})


class Probe(Protocol):
    """Anything that answers probe calls: the real system, a recorder, a replayer, a fake."""

    def call(self, probe: str, /, **args: Any) -> Answer: ...


def error_fields(template: str, /, english: str | None = None, **params: ErrorParam) -> dict[str, Any]:
    """`{"error": English text, "error_msg": {"id": template, "params": params}}` for an answer.

    `template` is an English phrase marked with `N_()` at the call; see the module docstring.
    The English text is the template filled in, or `english` when the system's own wording (an
    exception, an OS error string) is the better raw evidence.
    """
    return _error_pair(template, params, english)


def _error_pair(template: str, params: dict[str, ErrorParam], english: str | None) -> dict[str, Any]:
    shown: dict[str, Param] = {}
    for key, value in params.items():
        shown[key] = Msg.from_dict(value) if isinstance(value, dict) and is_msg_dict(value) else \
            value if not isinstance(value, dict) else str(value)
    text = format_text(template, shown) if english is None else english
    return {"error": text, "error_msg": {"id": template, "params": dict(params)}}


def os_error_fields(exc: OSError) -> dict[str, Any]:
    """The error fields for an `OSError`: a known errno gets its own phrase, any other one the number."""
    detail = exc.strerror or str(exc) or type(exc).__name__
    template = _OS_ERRORS.get(exc.errno) if isinstance(exc.errno, int) else None
    if template is not None:
        fields = error_fields(template, english=detail)
    elif isinstance(exc.errno, int):
        fields = error_fields(N_("system error {errno} ({detail})"), errno=exc.errno, detail=detail)
    else:
        fields = error_fields(N_("system error ({detail})"), detail=detail)
    code = getattr(exc, "winerror", None)  # Windows: language-independent (5 denied, 32 in use)
    if isinstance(code, int):
        fields["winerror"] = code
    return fields


def unavailable(template: str, /, **params: ErrorParam) -> Answer:
    """The answer for a call that could not be made: the probe could not look (see `error_fields`)."""
    return {"unavailable": True, **_error_pair(template, params, None)}


def is_unavailable(answer: Answer) -> bool:
    return bool(answer.get("unavailable"))


def call_key(name: str, args: dict[str, Any]) -> str:
    """The stable key of a call: its name plus its arguments, canonical JSON, tuning args dropped."""
    kept = {k: v for k, v in args.items() if k not in NON_KEY_ARGS}
    return name + " " + json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
