"""Build-time half of wizard/payload.py, called by build.spec (Linux one-file build).

Moves the shared libraries that only Qt needs out of PyInstaller's list (which it would inflate with zlib at
every start, one after another) into one Zstandard pack that the run-time hook `scripts/pyi_rth_payload.py`
unpacks on every core. What stays with PyInstaller is what runs before that hook: the Python library, the
extension modules of Python's standard library, zstandard itself, and every library those load.

`split(binaries, work)` returns (the binaries PyInstaller keeps, the pack's TOC entry, its members).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wizard.payload import PAYLOAD_NAME, Member, pack  # noqa: E402

# loaded before the run-time hook runs (the bootloader loads libpython; Python's start-up and the hook import
# standard extension modules and zstandard)
EARLY = re.compile(r"^(libpython\d[\d.]*\.so[\d.]*|python\d\.\d+/lib-dynload/.*|zstandard/.*)$")

Entry = tuple[str, str, str]


def _needed(src: str) -> set[str]:
    """Base names of the libraries `src` loads, transitively (ldd, as PyInstaller itself asks)."""
    from PyInstaller.depend import bindepend

    return {Path(name).name for name, _path in bindepend.get_imports(src)}


def _stripped(src: str, dest: str, work: Path) -> Path:
    """A stripped copy of `src` (PyInstaller strips the binaries it packs itself; these it no longer sees)."""
    out = work / "stripped" / dest
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, out)
    out.chmod(Path(src).stat().st_mode & 0o777 | 0o600)
    if shutil.which("strip"):
        subprocess.run(["strip", str(out)], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def split(binaries: Iterable[Entry], work: Path, needed: Callable[[str], set[str]] | None = None,
          prepare: Callable[[str, str, Path], Path] | None = None) -> tuple[list[Entry], Entry | None, list[Member]]:
    """Pack every binary except what runs before the run-time hook (see EARLY) and the top-level libraries
    those load. Symbolic links stay with PyInstaller (it makes them; their targets may be packed)."""
    needed = needed or _needed
    prepare = prepare or _stripped
    binaries = list(binaries)
    early = [b for b in binaries if b[2] != "SYMLINK" and EARLY.match(b[0].replace("\\", "/"))]
    keep_names: set[str] = set()
    for _dest, src, _kind in early:
        keep_names |= needed(src)
    kept: list[Entry] = []
    packed: list[tuple[str, Path]] = []
    for entry in binaries:
        dest = entry[0].replace("\\", "/")
        top_level_needed_early = "/" not in dest and dest in keep_names
        if entry in early or top_level_needed_early or entry[2] == "SYMLINK":
            kept.append(entry)
        else:
            packed.append((dest, prepare(entry[1], dest, work)))
    if not packed:
        return kept, None, []
    out = work / PAYLOAD_NAME
    members = pack(packed, out)
    # 'ZIPFILE': PyInstaller writes it into the temporary folder as it is, not inflated (it is compressed already)
    return kept, (PAYLOAD_NAME, str(out), "ZIPFILE"), members
