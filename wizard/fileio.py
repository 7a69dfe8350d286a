"""The one writer: every file the program or the wizard writes (report, JSON, recording, diagram, PDF,
the saved diagnosis) goes through `write_output`.

The program runs as root or Administrator on machines it does not trust, often in folders others can
write to (`/tmp`, a shared Desktop). So the writer
- decides what the target is with `lstat`, never following a link: an ordinary file (not a link) is
  replaced atomically; a name that does not exist yet is created the same way;
- writes a new file under a **random name created exclusively** in the target's folder
  (`mkstemp`: `O_CREAT|O_EXCL`, never a link planted in advance), flushes and `fsync`s it, then
  renames it over the target and syncs the folder: a reader sees the old file or the new one, never
  half a file, and a failure leaves nothing behind;
- writes streams in place and never renames over them: `-` (standard output), `/dev/stdout`,
  `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N` (the program's own open descriptors), a pipe (FIFO)
  someone reads, a terminal, `/dev/null`; the disk-full test device `/dev/full` gives "the disk is full";
- refuses anything else with a reason a user can act on: a symbolic link (name the file itself),
  a folder, a socket, a block device or any other device, a pipe nobody reads.

`create_new` is the one other way in: files the program makes for itself in a private folder it has just
created (the Linux executable's libraries, unpacked at start): created exclusively (`O_CREAT|O_EXCL|
O_NOFOLLOW`), so never over a link, a device or a file planted there, and neither renamed nor synced (the
folder is deleted on exit).

Failures raise `OutputError`; its message names the path and the reason (`translated()` gives it in the
user's language), never a traceback.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO

from wizard.i18n import N_, Translator

REASONS: dict[str, str] = {
    "permission": N_("You do not have permission to write there."),
    "missing": N_("The folder does not exist."),
    "not_a_folder": N_("Part of the path is a file, not a folder."),
    "is_folder": N_("A folder of that name is already there."),
    "not_a_file": N_("Something that is not an ordinary file (a device or a pipe) is already there."),
    "link": N_("It is a symbolic link; for safety the wizard writes only to the file itself. Name the file "
               "the link points to, or another place."),
    "no_reader": N_("It is a pipe that nobody reads from."),
    "full": N_("The disk is full."),
    "read_only": N_("The location is read-only."),
    "name": N_("The file name is not valid there."),
    "busy": N_("Another program is using the file."),
    "exists": N_("Something of that name is already there."),
    "other": N_("The system reported: {error}."),
}
MESSAGE = N_("Could not write {path}. {reason} Choose another place.")

_ERRNO_REASONS = {
    errno.EACCES: "permission", errno.EPERM: "permission", errno.ENOENT: "missing", errno.ENOTDIR: "not_a_folder",
    errno.EISDIR: "is_folder", errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read_only",
    errno.ENAMETOOLONG: "name", errno.EINVAL: "name", errno.ENXIO: "no_reader", errno.ELOOP: "link",
    errno.ETXTBSY: "busy", errno.EBUSY: "busy", errno.EEXIST: "exists",
}
# Character devices that are safe to write in place: null, zero, full (major 1 on Linux).
_SAFE_DEVICES = frozenset({(1, 3), (1, 5), (1, 7)})
_FD_PATH = re.compile(r"^/(?:proc/self|dev)/fd/(\d+)$")
STREAM_NAMES = {"-": 1, "/dev/stdout": 1, "/dev/stderr": 2}


class OutputError(Exception):
    """An output could not be written. `str()` is an English sentence for the user; `translated(t)` the
    same in `t`'s language. `path`, `reason` (a key of `REASONS`) and the system's `error` are kept."""

    def __init__(self, path: str | Path, reason: str, error: str = "") -> None:
        self.path = str(path)
        self.reason = reason if reason in REASONS else "other"
        self.error = error
        super().__init__(self.translated(Translator("en")))

    def translated(self, translator: Translator) -> str:
        reason = translator(REASONS[self.reason], error=self.error)
        return translator(MESSAGE, path=self.path, reason=reason)


def error_for(path: str | Path, exc: OSError) -> OutputError:
    """An OSError as an OutputError with the reason its errno means."""
    reason = _ERRNO_REASONS.get(exc.errno or 0, "other")
    return OutputError(path, reason, exc.strerror or str(exc))


def stream_fd(target: str) -> int | None:
    """The already-open descriptor a target names (`-`, `/dev/stdout`, `/proc/self/fd/3`, ...), if any."""
    if target in STREAM_NAMES:
        return STREAM_NAMES[target]
    found = _FD_PATH.match(target)
    return int(found.group(1)) if found else None


def same_target(a: str, b: str) -> bool:
    """Whether two output names (or an output and an input) are the same file or stream."""
    fa, fb = stream_fd(a), stream_fd(b)
    if fa is not None or fb is not None:
        return fa == fb
    pa, pb = Path(a).expanduser(), Path(b).expanduser()
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(pa)) == os.path.normcase(os.path.abspath(pb))


def write_output(target: str | Path, data: str | bytes, *, mode: int | None = None) -> str:
    """Write `data` (text is UTF-8) to `target` as described in the module docstring.

    Returns what was written to: the absolute path of a file, or the stream's name. `mode` (e.g. 0o600 for a
    file holding personal data) defaults to what the umask allows for a new file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    name = str(target)
    fd = stream_fd(name)
    if fd is not None:
        _write_fd(name, fd, payload)
        return name
    path = Path(name).expanduser().absolute()
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise error_for(path, exc) from exc
    if info is None or stat.S_ISREG(info.st_mode):
        _replace_file(path, payload, mode)
        return str(path)
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(path, "link")
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(path, "is_folder")
    if stat.S_ISFIFO(info.st_mode) or _safe_char_device(info):
        _write_in_place(path, payload)
        return str(path)
    raise OutputError(path, "not_a_file")


def create_new(path: str | Path, data: bytes, mode: int = 0o600) -> None:
    """Create `path`, which must not exist (not even as a link), holding `data`; see the module docstring."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        raise error_for(path, exc) from exc
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        os.close(fd)
        os.unlink(path)  # ours: created exclusively above
        raise error_for(path, exc) from exc
    os.close(fd)


def _safe_char_device(info: os.stat_result) -> bool:
    if not stat.S_ISCHR(info.st_mode):
        return False
    if sys.platform == "win32":
        return False
    rdev = (os.major(info.st_rdev), os.minor(info.st_rdev))
    # A terminal (ttys, pseudo-terminals, the console) or null/zero/full.
    return rdev in _SAFE_DEVICES or rdev[0] in (4, 5, 136, 137, 138, 139, 140, 141, 142, 143)


def _write_fd(name: str, fd: int, payload: bytes) -> None:
    """Write to one of our own open descriptors, in place (never opening the name)."""
    stream: IO[str] | None = {1: sys.stdout, 2: sys.stderr}.get(fd)
    try:
        if stream is not None:
            stream.flush()
            buffer = getattr(stream, "buffer", None)
            if buffer is not None:
                buffer.write(payload)
                buffer.flush()
            else:
                stream.write(payload.decode("utf-8", "replace"))
                stream.flush()
            return
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise error_for(name, exc) from exc
    except ValueError as exc:  # a closed stream
        raise OutputError(name, "other", str(exc)) from exc


def _write_in_place(path: Path, payload: bytes) -> None:
    """A pipe or a harmless character device: open it for writing without creating, following or truncating."""
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error_for(path, exc) from exc
    try:
        info = os.fstat(fd)
        if not (stat.S_ISFIFO(info.st_mode) or _safe_char_device(info)):
            raise OutputError(path, "not_a_file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise error_for(path, exc) from exc
    finally:
        os.close(fd)


def _umask_mode() -> int:
    """0o666 less the process umask (read without changing it where the system tells)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


def _replace_file(path: Path, payload: bytes, mode: int | None) -> None:
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise error_for(path, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode() if mode is None else mode)
        # Between our lstat and now something else may have appeared at `path`; rename never follows it,
        # it replaces the name. A folder that appeared makes the rename fail, which is reported.
        os.replace(tmp, path)
        _sync_folder(folder)
    except OSError as exc:
        raise error_for(path, exc) from exc
    finally:
        try:
            if os.path.lexists(tmp):
                os.unlink(tmp)
        except OSError:
            pass


def _sync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
