"""Running a command for the `run` probe: argv only (no shell), bounded in time and in output.

The child gets no stdin, its own process group/session (so a timeout kills what it started
too, on Linux), and its stdout/stderr are drained by two threads that keep the first 1 MiB of
each and discard the rest, so a chatty or hung command can neither fill memory nor block us.
The threads close their pipes themselves; if something the child started keeps a pipe open
after a timeout, we stop waiting for it after a short grace period.
On a timeout the child is killed and the answer says `timed_out`. On POSIX a bare command name that
no searchable PATH folder holds is "not found" before anything is started; a program that exists but
cannot be started because its interpreter (the `#!` line of a script) is missing is not found either,
and the message names the missing interpreter instead of the program. The platform modules decide
the environment, the creation flags and how the bytes are decoded.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

from wizard.i18n import N_
from wizard.probes.base import Answer, error_fields, os_error_fields

MAX_OUTPUT_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 300.0
READ_CHUNK = 64 * 1024
DRAIN_GRACE = 2.0

Decoder = Callable[[bytes], str]


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping only the first `limit` bytes."""

    def __init__(self, pipe: IO[bytes], limit: int) -> None:
        super().__init__(daemon=True)
        self._pipe = pipe
        self._limit = limit
        self.data = bytearray()
        self.truncated = False

    def run(self) -> None:
        try:
            fd = self._pipe.fileno()
            while chunk := os.read(fd, READ_CHUNK):
                room = self._limit - len(self.data)
                self.data.extend(chunk[:room])
                self.truncated = self.truncated or len(chunk) > room
        except (OSError, ValueError):
            pass
        finally:
            self._pipe.close()


def check_argv(argv: Any) -> list[str]:
    """`argv` as a list of strings, or ValueError: commands are never given as one shell string."""
    if not isinstance(argv, list | tuple) or not argv or not all(isinstance(a, str) for a in argv):
        raise ValueError("argv must be a non-empty list of strings")
    return list(argv)


def clamp_timeout(timeout: float | None) -> float:
    if timeout is None or timeout <= 0:
        return DEFAULT_TIMEOUT
    return min(float(timeout), MAX_TIMEOUT)


def run_bounded(
    argv: Sequence[str],
    timeout: float,
    decode: Decoder,
    env: Mapping[str, str] | None = None,
    creationflags: int = 0,
) -> Answer:
    """Run `argv`; the `run` probe's answer (found, returncode, stdout, stderr, timed_out, ...)."""
    start = time.monotonic()
    answer: Answer = {"found": True, "returncode": None, "stdout": "", "stderr": "", "timed_out": False,
                      "truncated": False, "elapsed_ms": 0, "error": None}
    if _not_on_path(argv[0], env):
        return {**answer, "found": False, **error_fields(N_("command not found: {command}"), command=argv[0])}
    try:
        proc = _spawn(argv, env, creationflags)
    except FileNotFoundError as exc:
        return {**answer, "found": False, **_not_found_fields(str(exc.filename or argv[0]), env)}
    except OSError as exc:
        return {**answer, **os_error_fields(exc)}
    assert proc.stdout is not None and proc.stderr is not None
    out, err = _Drain(proc.stdout, MAX_OUTPUT_BYTES), _Drain(proc.stderr, MAX_OUTPUT_BYTES)
    out.start()
    err.start()
    try:
        answer["returncode"] = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        answer.update(timed_out=True, returncode=_kill(proc),
                      **error_fields(N_("timed out after {seconds} s"), seconds=f"{timeout:g}"))
    out.join(DRAIN_GRACE)
    err.join(DRAIN_GRACE)
    answer.update(stdout=decode(bytes(out.data)), stderr=decode(bytes(err.data)),
                  truncated=out.truncated or err.truncated)
    answer["elapsed_ms"] = round((time.monotonic() - start) * 1000)
    return answer


def _not_on_path(command: str, env: Mapping[str, str] | None) -> bool:
    """POSIX: a bare command name that no searchable PATH folder holds.

    The exec search reports EACCES instead of "not found" when a PATH folder cannot be searched
    (a user's PATH that names a folder of root's, for example), so a missing command would
    look like one that exists but may not be run; `shutil.which` skips such folders.
    """
    if sys.platform == "win32" or "/" in command:
        return False
    path = (env if env is not None else os.environ).get("PATH", os.defpath)
    return shutil.which(command, path=path) is None


SHEBANG_BYTES = 256  # what Linux reads of a script's first line (BINPRM_BUF_SIZE)


def _not_found_fields(command: str, env: Mapping[str, str] | None) -> dict[str, Any]:
    """The error fields when starting `command` failed with ENOENT.

    ENOENT from exec also means that the file exists but the program that must run it does not: the
    interpreter named on a script's `#!` line (or an executable's loader). Saying "command not found" for a
    file that is there sends the reader looking for the wrong thing, so the file's first line is read."""
    program = _program_file(command, env)
    if program is None:
        return error_fields(N_("command not found: {command}"), command=command)
    interpreter = _shebang_interpreter(program)
    if interpreter is None or os.path.exists(interpreter):
        return error_fields(N_("{command} exists but cannot be started: a program it needs (its interpreter or "
                               "loader) is missing"), command=command)
    if interpreter.endswith("\r") and os.path.exists(interpreter.rstrip("\r")):
        return error_fields(N_("{command} cannot be started: its first line ends in a Windows line break (CRLF), "
                               "so its interpreter {interpreter} is looked for with a carriage return and not "
                               "found"), command=command, interpreter=interpreter.rstrip("\r"))
    return error_fields(N_("{command} cannot be started: its interpreter {interpreter} (named on its first line) "
                           "is missing"), command=command, interpreter=interpreter.rstrip("\r"))


def _program_file(command: str, env: Mapping[str, str] | None) -> str | None:
    """The file exec would run for `command` (POSIX), or None when there is none."""
    if sys.platform == "win32":
        return None
    if "/" in command:
        return command if os.path.isfile(command) else None
    path = (env if env is not None else os.environ).get("PATH", os.defpath)
    return shutil.which(command, path=path)


def _shebang_interpreter(program: str) -> str | None:
    """The interpreter a script's `#!` line names, as the kernel reads it (up to the first space, tab or
    newline, so a carriage return stays part of it); None for a file without one or one that cannot be read."""
    try:
        with open(program, "rb") as fh:
            head = fh.read(SHEBANG_BYTES)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].replace(b"\t", b" ").strip(b" ").split(b" ", 1)
    return words[0].decode("utf-8", "replace") if words[0] else None


def _spawn(argv: Sequence[str], env: Mapping[str, str] | None, creationflags: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        creationflags=creationflags,
        start_new_session=sys.platform != "win32",
        close_fds=True,
    )


def _kill(proc: subprocess.Popen[bytes]) -> int | None:
    """Kill the child and, on POSIX, the process group it leads; its return code once it is gone."""
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        proc.kill()
    try:
        return proc.wait(DRAIN_GRACE)
    except subprocess.TimeoutExpired:
        return None
