"""Files as the VM sees them: logical paths, the `--root` mapping, text decoding, the file probes.

A *logical* path is written as it is on the VM (`/etc/waagent.conf`,
`C:\\WindowsAzure\\Logs\\WaAppAgent.log`). Without a root it is used as it is. With a root
(a copied tree, e.g. a collected log bundle) it is mapped below that folder:

- `/etc/waagent.conf` -> `ROOT/etc/waagent.conf`
- `C:\\WindowsAzure\\Logs\\x.log` -> `ROOT/WindowsAzure/Logs/x.log` (any drive letter dropped,
  backslashes are separators). When the exact name is missing, each component is looked up
  case-insensitively, because a tree copied from Windows keeps Windows' spelling.

A path that would leave the root (`..`, a symbolic link pointing outside) raises
`PathOutsideRoot`; the system probe turns that into an unavailable answer.

Text is decoded by `decode_bytes`: BOM first (UTF-8, UTF-16 LE/BE), then UTF-16 LE without a BOM
(recognised by its NUL bytes, as some Windows tools write it), then strict UTF-8, then the legacy
code page (cp932 on Japanese Windows), then latin-1, which always succeeds. CRLF becomes LF.

`read_file` reads only the last `max_bytes` bytes of a file (default 1 MiB, at most 16 MiB; a
seek to the tail, never the whole file); when it cut the file, the partial first line is
dropped so no half character survives. Files that report a size of 0 or refuse to seek to their
end (procfs such as `/proc/mounts`, some sysfs files) are read from the start instead, at most
`max_bytes` bytes, cut after the last whole line when there is more; their `size` stays what
`stat` said (0).
The answers of `read_file`, `stat` and `list_dir` are plain data; `mtime` is epoch seconds.
When the tree comes from a bundle, `uid`, `gid` and `owner` describe the copy, not the VM.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat as stat_module
import sys
from pathlib import Path
from typing import Any, BinaryIO

from wizard.i18n import N_
from wizard.probes.base import Answer, error_fields, os_error_fields

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_READ_BYTES = 16 * 1024 * 1024
MAX_DIR_ENTRIES = 500
MAX_DIR_SCAN = 20_000

_DRIVE = re.compile(r"^[A-Za-z]:")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class PathOutsideRoot(ValueError):
    """A logical path that would lead out of the `--root` folder."""

    def __init__(self, logical: str, through_link: bool = False) -> None:
        how = " (through a link)" if through_link else ""
        super().__init__(f"{logical!r} leads out of the --root folder{how}")
        self.logical = logical


def is_windows_path(logical: str) -> bool:
    """A path written the Windows way: a drive letter or a backslash."""
    return bool(_DRIVE.match(logical)) or "\\" in logical


def logical_parts(logical: str) -> list[str]:
    """The components of a logical path below its root, with `.` and `..` resolved lexically."""
    if is_windows_path(logical):
        pieces = re.split(r"[\\/]", _DRIVE.sub("", logical, count=1))
    else:
        pieces = logical.split("/")
    parts: list[str] = []
    for piece in pieces:
        if piece in ("", "."):
            continue
        if piece == "..":
            if not parts:
                raise PathOutsideRoot(logical)
            parts.pop()
            continue
        parts.append(piece)
    return parts


def map_logical(root: Path, logical: str) -> Path:
    """The path below `root` that stands for `logical`, by spelling only (no file system access)."""
    mapped = root.joinpath(*logical_parts(logical))
    if not _is_below(mapped, root):
        raise PathOutsideRoot(logical)
    return mapped


def _is_below(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def find_case_insensitive(root: Path, parts: list[str]) -> Path | None:
    """The existing path below `root` whose components match `parts` ignoring case, if any."""
    current = root
    for part in parts:
        exact = current / part
        if os.path.lexists(exact):
            current = exact
            continue
        try:
            names = sorted(os.listdir(current))
        except OSError:
            return None
        wanted = part.casefold()
        matches = [name for name in names if name.casefold() == wanted]
        if not matches:
            return None
        current = current / matches[0]
    return current


class FsRoot:
    """Turns logical VM paths into real paths: as they are, or below a `--root` folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else None

    def real(self, logical: str) -> Path:
        if self.root is None:
            return Path(logical)
        mapped = map_logical(self.root, logical)
        if not os.path.lexists(mapped):
            mapped = find_case_insensitive(self.root, logical_parts(logical)) or mapped
        if not _is_below(mapped.resolve(), self.root.resolve()):
            raise PathOutsideRoot(logical, through_link=True)
        return mapped


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` announces, if there is one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def looks_like_utf16le(data: bytes) -> bool:
    """UTF-16 LE text without a BOM: mostly ASCII characters, so NUL in most odd positions."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return False
    odd = sample[1::2]
    return odd.count(0) >= 0.6 * len(odd) and sample[0::2].count(0) <= 0.1 * len(odd)


def decode_bytes(data: bytes, legacy_codepage: str | None) -> str:
    """Text from bytes of unknown encoding; never raises. See the module docstring for the order."""
    return _normalise_newlines(_decode(data, legacy_codepage))


def _decode(data: bytes, legacy_codepage: str | None) -> str:
    bom = bom_encoding(data)
    if bom is not None:
        return data.decode(bom, errors="replace").removeprefix("\ufeff")
    if looks_like_utf16le(data):
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if legacy_codepage:
        try:
            return data.decode(legacy_codepage)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("latin-1")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n")


def decode_tail(head: bytes, tail: bytes, legacy_codepage: str | None) -> str:
    """Decode the last part of a file whose first bytes are `head`, dropping its partial first line.

    The head decides the encoding (a BOM is only there); for byte encodings the cut is made at the
    first LF byte, which is never part of a UTF-8 or cp932 multibyte character.
    """
    bom = bom_encoding(head)
    wide = _utf16_encoding(head)
    if wide is not None:
        text = tail.decode(wide, errors="replace")
        cut_at = text.find("\n")
        return _normalise_newlines(_keep_pem_opening(text[:max(cut_at, 0)], _drop_first_line(text, "\n")))
    cut = tail.find(b"\n")
    rest = tail[cut + 1 :] if cut >= 0 else tail
    dropped = tail[:max(cut, 0)].decode("latin-1")  # only looked at for an ASCII marker
    if bom == "utf-8":
        return _keep_pem_opening(dropped, _normalise_newlines(rest.decode("utf-8", errors="replace")))
    return _keep_pem_opening(dropped, decode_bytes(rest, legacy_codepage))


_PEM_LABEL_TAIL = re.compile(r"[A-Z0-9]{1,20}(?: [A-Z0-9]{1,20}){0,5}-----[ \t\r]*$")


def _keep_pem_opening(dropped: str, rest: str) -> str:
    """The kept text, with the opening line of a PEM block the dropped partial line began.

    A key whose `-----BEGIN ...-----` line is cut away would reach the secret filter as bare base64 lines it
    cannot tell from other text; with its opening kept (or, when the cut fell inside the marker, restored)
    the filter removes the whole block, as everywhere else."""
    begin = dropped.rfind("-----BEGIN")
    if begin >= 0:
        return dropped[begin:].rstrip("\r") + "\n" + rest
    mo = _PEM_LABEL_TAIL.search(dropped)
    if mo and "-----END" not in dropped:
        return "-----BEGIN " + mo.group().rstrip(" \t\r") + "\n" + rest
    return rest


def _utf16_encoding(head: bytes) -> str | None:
    """The UTF-16 flavour a file's first bytes show (BOM, or the NULs of BOM-less UTF-16 LE)."""
    bom = bom_encoding(head)
    if bom in ("utf-16-le", "utf-16-be"):
        return bom
    if bom is None and looks_like_utf16le(head):
        return "utf-16-le"
    return None


def _drop_first_line(text: str, newline: str) -> str:
    cut = text.find(newline)
    return text[cut + 1 :] if cut >= 0 else text


def _error_text(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def open_regular(real: Path, root: Path | None = None) -> int:
    """Open `real` for reading without ever blocking on it, and only if it is a regular file (inside
    `root`, when given, judged on the file actually opened). Returns the descriptor; raises OSError
    (EISDIR for a folder, EINVAL for a FIFO, device or socket, EXDEV for a file outside the root).

    O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; the checks run on
    the opened descriptor, so swapping the file for a link or a pipe after a check changes nothing."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(real, flags)
    try:
        info = os.fstat(fd)
        if stat_module.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a folder", str(real))
        if not stat_module.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(real))
        if root is not None:
            opened = _opened_path(fd, real)
            if not _is_below(opened, Path(os.path.realpath(root))):
                raise OSError(errno.EXDEV, "leads out of the --root folder", str(real))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def _opened_path(fd: int, fallback: Path) -> Path:
    """The real path of an open descriptor (Linux: /proc/self/fd), else the resolved name."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return Path(os.path.realpath(fallback))


def read_regular(real: Path, max_bytes: int, root: Path | None = None) -> bytes:
    """At most `max_bytes` from the start of a regular file (see `open_regular`); for small files
    read whole by the program itself, like a host name or a scenario."""
    fd = open_regular(real, root)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(max_bytes)


def read_file(real: Path, max_bytes: int | None, legacy_codepage: str | None,
              root: Path | None = None) -> Answer:
    """The `read_file` answer for a real path: the decoded last `max_bytes` bytes."""
    limit = _read_limit(max_bytes)
    answer: Answer = {"exists": False, "is_file": False, "readable": False, "size": None,
                      "mtime": None, "text": None, "truncated": False, "error": None}
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return answer
    except OSError as exc:
        return {**answer, **os_error_fields(exc)}
    answer.update(exists=True, is_file=stat_module.S_ISREG(info.st_mode), size=info.st_size,
                  mtime=info.st_mtime)
    if not answer["is_file"]:
        return {**answer, **error_fields(N_("not a regular file"))}
    try:
        text, truncated = _read_text(real, limit, legacy_codepage, root)
    except OSError as exc:
        return {**answer, **os_error_fields(exc)}
    return {**answer, "readable": True, "text": text, "truncated": truncated}


def _read_limit(max_bytes: int | None) -> int:
    if max_bytes is None or max_bytes <= 0:
        return DEFAULT_MAX_BYTES
    return min(int(max_bytes), MAX_READ_BYTES)


def _read_text(real: Path, limit: int, legacy_codepage: str | None, root: Path | None = None) -> tuple[str, bool]:
    with os.fdopen(open_regular(real, root), "rb") as handle:
        head = handle.read(4)
        try:
            size = handle.seek(0, os.SEEK_END)
        except OSError:  # procfs (/proc/mounts) refuses to seek to its end: EINVAL
            size = 0
        if size == 0:  # procfs and some sysfs files say 0 bytes yet have content
            return _read_from_start(handle, head, limit, legacy_codepage)
        if size <= limit:
            handle.seek(0)
            return decode_bytes(handle.read(limit), legacy_codepage), False
        start = size - limit
        if _utf16_encoding(head) is not None and start % 2:
            start += 1
        handle.seek(start)
        return decode_tail(head, handle.read(limit), legacy_codepage), True


def _read_from_start(handle: BinaryIO, head: bytes, limit: int, legacy_codepage: str | None) -> tuple[str, bool]:
    """A file whose size is unknown, read on from `head` without seeking: at most `limit` bytes.

    When there is more, the text is cut after its last complete line (the partial line dropped).
    """
    data = head + handle.read(max(0, limit + 1 - len(head)))
    if len(data) <= limit:
        return decode_bytes(data, legacy_codepage), False
    data = data[:limit]
    if _utf16_encoding(head) is None:
        cut = data.rfind(b"\n")
        data = data[: cut + 1] if cut >= 0 else data
    return decode_bytes(data, legacy_codepage), True


def stat_path(real: Path) -> Answer:
    """The `stat` answer for a real path (symbolic links followed)."""
    answer: Answer = {"exists": False, "is_dir": False, "is_file": False, "mode": None, "uid": None,
                      "gid": None, "owner": None, "size": None, "mtime": None, "error": None}
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return answer
    except OSError as exc:
        return {**answer, **os_error_fields(exc)}
    return {**answer, "exists": True, "is_dir": stat_module.S_ISDIR(info.st_mode),
            "is_file": stat_module.S_ISREG(info.st_mode), "mode": stat_module.S_IMODE(info.st_mode),
            "uid": info.st_uid, "gid": info.st_gid, "owner": _owner(real), "size": info.st_size,
            "mtime": info.st_mtime}


def _owner(real: Path) -> str | None:
    """The owner's user name (POSIX only: Windows has no `pwd`, and ACL owners are not what we judge)."""
    if sys.platform == "win32":
        return None
    try:
        return real.owner()
    except (NotImplementedError, KeyError, OSError):
        return None


def list_dir(real: Path) -> Answer:
    """The `list_dir` answer: at most 500 entries, sorted by name."""
    answer: Answer = {"exists": False, "entries": [], "truncated": False, "error": None}
    try:
        entries = _scan(real)
    except FileNotFoundError:
        return answer
    except NotADirectoryError:
        return {**answer, "exists": True, **error_fields(N_("not a folder"))}
    except OSError as exc:
        return {**answer, "exists": os.path.exists(real), **os_error_fields(exc)}
    entries.sort(key=lambda entry: entry["name"])
    return {**answer, "exists": True, "entries": entries[:MAX_DIR_ENTRIES],
            "truncated": len(entries) > MAX_DIR_ENTRIES}


def _scan(real: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    with os.scandir(real) as scan:
        for entry in scan:
            entries.append({"name": entry.name, "is_dir": _is_dir(entry)})
            if len(entries) >= MAX_DIR_SCAN:
                break
    return entries


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False

