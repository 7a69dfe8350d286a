"""The one-file executable's packed libraries: packed when it is built, unpacked when it starts (Linux).

PyInstaller's one-file executable inflates everything it holds into a fresh temporary folder at every start,
one file after another, with zlib. For the Qt libraries that is most of the time between the double-click
and the first page. The build (`build.spec`) packs those libraries instead into one file of Zstandard frames
(smaller than zlib, and about three times faster to unpack on one core), stored as it is in the executable;
PyInstaller writes that file into the temporary folder, and a run-time hook (`scripts/pyi_rth_payload.py`)
unpacks it there, on every core the program may use, before anything imports Qt.

The pack is ours, inside our own executable, but it is read as untrusted all the same: every name must be a
plain relative path, every member must lie inside the file and unpack to the size the index gives, each frame
carries a checksum, and nothing is written through a link or over an existing file.
"""

from __future__ import annotations

import json
import mmap
import os
import stat
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wizard.i18n import N_

MAGIC = b"VMBWPACK1\n"
# the file's name inside the executable's temporary folder
PAYLOAD_NAME = "vmbackup-wizard-libs.pack"
_HEADER = struct.Struct("<I")  # length of the JSON index that follows the magic
MAX_INDEX = 1 << 20
MAX_MEMBER = 1 << 30
MAX_WORKERS = 8


class PayloadError(Exception):
    """The pack cannot be unpacked. `str()` is English, for the log. `name` is the member, folder or file
    concerned; `reason` a key of `wizard.fileio.REASONS` when the system refused (a full or read-only temporary
    folder, ...), with the system's own words in `error`, and empty when the pack itself is damaged."""

    def __init__(self, message: str, name: str = "", reason: str = "", error: str = "") -> None:
        super().__init__(message)
        self.name = name
        self.reason = reason
        self.error = error


UNPACK_FAILED = N_("Could not unpack the program's libraries into the temporary folder {folder} ({file}). {reason} "
                   "Free some space there, or point TMPDIR at a folder you may write to, and start the program "
                   "again.")
PACK_DAMAGED = N_("The program file is damaged: its libraries cannot be unpacked ({detail}). Download it again and "
                  "compare its SHA-256 with the published one.")


def _refused(message: str, name: str, exc: OSError) -> PayloadError:
    """A PayloadError for what the system refused, with the reason the one writer gives the same errno."""
    from wizard.fileio import error_for

    err = error_for(name, exc)
    return PayloadError(f"{message}: {exc}", name, err.reason, err.error)


@dataclass(frozen=True)
class Member:
    name: str  # relative path with '/' separators
    mode: int  # permission bits
    size: int  # unpacked size
    offset: int  # of its Zstandard frame, from the start of the data
    length: int  # of that frame


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name or len(name) > 1024:
        raise PayloadError(f"a member has an unusable name: {name!r}")
    parts = name.split("/")
    if (name.startswith("/") or "\\" in name or "\x00" in name or ":" in parts[0]
            or any(p in ("", ".", "..") for p in parts)):
        raise PayloadError(f"a member's name is not a plain relative path: {name!r}")
    return name


def _int(entry: dict[str, Any], key: str, upper: int) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= upper:
        raise PayloadError(f"member {entry.get('name')!r}: {key} is not a number from 0 to {upper}: {value!r}")
    return value


def read_index(buf: bytes | mmap.mmap | memoryview) -> tuple[int, list[Member]]:
    """(offset of the data, members) of a pack held in `buf`; PayloadError if anything does not add up."""
    with memoryview(buf) as view:  # released on the way out, so the caller may close an mmap even on failure
        return _read_index(view)


def _read_index(view: memoryview) -> tuple[int, list[Member]]:
    head = len(MAGIC) + _HEADER.size
    if len(view) < head or bytes(view[: len(MAGIC)]) != MAGIC:
        raise PayloadError("not a pack of this program (the file does not start with its magic)")
    (index_len,) = _HEADER.unpack_from(view, len(MAGIC))
    if index_len > MAX_INDEX or head + index_len > len(view):
        raise PayloadError(f"the index length {index_len} does not fit the file of {len(view)} bytes")
    try:
        index = json.loads(bytes(view[head : head + index_len]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"the index is not JSON: {exc}") from exc
    if not isinstance(index, list):
        raise PayloadError("the index is not a list of members")
    start = head + index_len
    data_len = len(view) - start
    members: list[Member] = []
    seen: set[str] = set()
    for entry in index:
        if not isinstance(entry, dict):
            raise PayloadError(f"an index entry is not an object: {entry!r}")
        name = _check_name(entry.get("name"))
        if name in seen:
            raise PayloadError(f"member {name!r} is listed twice")
        seen.add(name)
        m = Member(name, _int(entry, "mode", 0o777), _int(entry, "size", MAX_MEMBER),
                   _int(entry, "offset", data_len), _int(entry, "length", data_len))
        if m.offset + m.length > data_len:
            raise PayloadError(f"member {name!r} ends after the end of the file")
        members.append(m)
    dirs = {n.rsplit("/", 1)[0] for n in seen if "/" in n}
    for d in dirs:
        if d in seen:
            raise PayloadError(f"{d!r} is both a member and the folder of another")
    return start, members


def pack(files: Iterable[tuple[str, Path]], out: Path, level: int = 19) -> list[Member]:
    """Write the pack of `files` ((name inside the pack, file to read)) to `out` (build time; needs zstandard)."""
    import zstandard

    cctx = zstandard.ZstdCompressor(level=level, write_checksum=True, write_content_size=True, threads=-1)
    members: list[Member] = []
    frames: list[bytes] = []
    offset = 0
    for name, src in sorted(files):
        _check_name(name)
        data = Path(src).read_bytes()
        frame = cctx.compress(data)
        members.append(Member(name, stat.S_IMODE(Path(src).stat().st_mode) | 0o600, len(data), offset, len(frame)))
        frames.append(frame)
        offset += len(frame)
    index = json.dumps([m.__dict__ for m in members], separators=(",", ":")).encode("utf-8")
    if len(index) > MAX_INDEX:
        raise PayloadError(f"the index of {len(members)} members is over {MAX_INDEX} bytes")
    with open(out, "wb") as fh:
        fh.write(MAGIC + _HEADER.pack(len(index)) + index)
        for frame in frames:
            fh.write(frame)
    read_index(out.read_bytes())  # what was written reads back
    return members


def workers_here() -> int:
    """How many threads unpack: the CPUs this process may run on, at most MAX_WORKERS."""
    affinity = getattr(os, "sched_getaffinity", None)  # not on Windows or macOS
    try:
        n = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    except OSError:
        n = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, n))


def _make_dirs(dest: Path, members: Sequence[Member]) -> None:
    """Every folder the members need, under `dest`: created private, or an existing real folder (never a link)."""
    needed: set[str] = set()
    for m in members:
        parts = m.name.split("/")[:-1]
        needed.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    for rel in sorted(needed, key=lambda r: r.count("/")):
        path = dest / rel
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise PayloadError(f"{rel!r} exists and is not a folder", rel, "not_a_folder") from None
        except OSError as exc:
            raise _refused(f"cannot create the folder {rel!r}", rel, exc) from exc


def unpack(payload: Path, dest: Path, workers: int | None = None) -> list[Member]:
    """Unpack the pack at `payload` into the folder `dest` (whose members must not exist yet).

    Frames are unpacked and written by `workers` threads at once (zstandard and the writes release the GIL),
    the biggest first. Raises PayloadError naming the member and the reason (OSError's strerror included)."""
    try:
        with open(payload, "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise _refused(f"cannot read {payload}", payload.name, exc) from exc
    except ValueError as exc:  # an empty file cannot be mapped
        raise PayloadError(f"cannot read {payload}: {exc}", payload.name) from exc
    try:
        start, members = read_index(buf)
        _make_dirs(dest, members)
        with memoryview(buf) as whole, whole[start:] as data:
            _unpack_members(data, members, dest, workers)
        return members
    finally:
        buf.close()


def _unpack_members(data: memoryview, members: Sequence[Member], dest: Path, workers: int | None) -> None:
    import zstandard

    from wizard.fileio import OutputError, create_new

    local = threading.local()

    def one(m: Member) -> None:
        dctx = getattr(local, "dctx", None)
        if dctx is None:
            dctx = local.dctx = zstandard.ZstdDecompressor()
        try:
            out = dctx.decompress(data[m.offset : m.offset + m.length], max_output_size=m.size)
        except zstandard.ZstdError as exc:
            raise PayloadError(f"member {m.name!r} is damaged: {exc}", m.name) from exc
        if len(out) != m.size:
            raise PayloadError(f"member {m.name!r} unpacked to {len(out)} bytes, not {m.size}", m.name)
        try:
            create_new(dest / m.name, out, (m.mode & 0o700) | 0o600)
        except OutputError as exc:
            raise PayloadError(f"cannot write {dest / m.name}: {exc.error}", m.name, exc.reason, exc.error) from exc

    order = sorted(members, key=lambda m: m.size, reverse=True)
    n = workers if workers is not None else workers_here()
    if n <= 1 or len(order) <= 1:
        for m in order:
            one(m)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="unpack") as pool:
            for _ in pool.map(one, order):  # re-raises the first failure
                pass


def unpack_at_start(meipass: str | None = None, argv: Sequence[str] | None = None, stderr: IO[str] | None = None,
                    exit: Callable[[int], Any] = sys.exit) -> bool:
    """The run-time hook's work: unpack the pack that PyInstaller wrote into the temporary folder, then delete it.

    Nothing to do (False) when not frozen or when the build holds no pack. On failure: one line in the user's
    language on stderr (which file, why, where the temporary folder is) and exit with the tool-failed status."""
    base = meipass if meipass is not None else getattr(sys, "_MEIPASS", None)
    if not base:
        return False
    pack_path = Path(base) / PAYLOAD_NAME
    if not pack_path.is_file():
        return False
    try:
        unpack(pack_path, Path(base))
        pack_path.unlink()
    except (PayloadError, OSError) as exc:
        _report(exc, base, argv, stderr)
        from wizard.launch import EXIT_TOOL_FAILED

        exit(EXIT_TOOL_FAILED)
        return False
    return True


def _report(exc: Exception, base: str, argv: Sequence[str] | None, stderr: IO[str] | None) -> None:
    from wizard import TOOL_NAME
    from wizard.cli import language_asked
    from wizard.fileio import REASONS, error_for
    from wizard.i18n import Translator

    t = Translator(language_asked(list(sys.argv[1:] if argv is None else argv)))
    if isinstance(exc, OSError):  # deleting the pack once unpacked
        err = error_for(PAYLOAD_NAME, exc)
        exc = PayloadError(str(exc), PAYLOAD_NAME, err.reason, err.error)
    reason, error, name = (getattr(exc, key, "") for key in ("reason", "error", "name"))
    if reason:
        sentence = REASONS.get(reason) or REASONS["other"]
        because = t(sentence, error=error or str(exc))
        line = t(UNPACK_FAILED, folder=str(Path(base).parent), file=name or PAYLOAD_NAME, reason=because)
    else:
        line = t(PACK_DAMAGED, detail=str(exc))
    print(f"{TOOL_NAME}: {line}", file=stderr or sys.stderr)
