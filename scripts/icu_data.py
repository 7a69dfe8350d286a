#!/usr/bin/env python3
"""A small ICU data library for the Linux executable (used by build.spec).

PySide6's Qt links ICU, and its `libicudata.so.73` is 32 MB of locale data (12 MB compressed): a third of
what the one-file executable unpacks at every start. Qt Core calls ICU only for collation (`ucol_*`:
QCollator, e.g. sorting names in the file dialog), codecs (`ucnv_*`: QStringConverter for encodings Qt
does not know itself, of which Shift_JIS and EUC-JP are kept), the time zone ID and display name
(`ucal_*`) and locale case mapping
(`u_strToUpper/Lower`, whose tables are compiled into libicuuc). Line breaking and text shaping are Qt's
own (qunicodetools, HarfBuzz), so Japanese text lays out the same without ICU data.

This keeps, from the same ICU 73 data package, only what those calls read: the root, Japanese and
English collation with the collation base data, the codec alias table, the time zone tables and the
root/ja/en locale and zone-name bundles (about 2 MB) and links them into a `libicudata.so.73` of the same SONAME
exporting the same symbol (`icudt73_dat`), with `as` and `ld` from binutils (which PyInstaller needs on
Linux anyway). Anything else ICU looks for is reported missing and Qt falls back (e.g. a QCollator for
another language sorts by the root order).

    python scripts/icu_data.py SRC_LIBICUDATA OUT_LIBICUDATA   # what build.spec does

The package format ("CmnD"): the data header, a uint32 item count, then per item the offsets of its name
and of its data relative to the count, the names (NUL-terminated, sorted), then the items, 16-byte aligned.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

SYMBOL_RE = re.compile(r"^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+OBJECT\s+GLOBAL\s+DEFAULT\s+(\d+)\s+(icudt\d+_dat)$",
                       re.MULTILINE)
SECTION_RE = re.compile(r"^\s*\[\s*(\d+)\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", re.MULTILINE)

KEEP = (
    "coll/res_index.res", "coll/root.res", "coll/ja.res", "coll/en.res", "coll/ucadata.icu",
    "cnvalias.icu",
    "zoneinfo64.res", "timezoneTypes.res", "metaZones.res", "supplementalData.res",
    "res_index.res", "pool.res", "root.res", "ja.res", "en.res",
    "zone/res_index.res", "zone/pool.res", "zone/root.res", "zone/ja.res", "zone/en.res",
    "ibm-943_P15A-2003.cnv", "euc-jp-2007.cnv",  # Shift_JIS (cp932) and EUC-JP
)


class IcuDataError(Exception):
    pass


def extract_package(library: Path) -> tuple[str, bytes]:
    """The symbol name (`icudt73_dat`) and the whole data package a libicudata exports."""
    dyn = subprocess.run(["readelf", "--dyn-syms", "-W", str(library)], capture_output=True, text=True,
                         check=True).stdout
    found = SYMBOL_RE.search(dyn)
    if not found:
        raise IcuDataError(f"{library}: no icudtNN_dat symbol")
    value, size, index, symbol = int(found[1], 16), int(found[2], 0), int(found[3]), found[4]
    sections = subprocess.run(["readelf", "-S", "-W", str(library)], capture_output=True, text=True,
                              check=True).stdout
    for m in SECTION_RE.finditer(sections):
        if int(m[1]) == index:
            addr, offset = int(m[2], 16), int(m[3], 16)
            break
    else:
        raise IcuDataError(f"{library}: section {index} not found")
    with library.open("rb") as fh:
        fh.seek(value - addr + offset)
        data = fh.read(size)
    return symbol, data


def _header_size(data: bytes) -> int:
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD":
        raise IcuDataError("not an ICU common data package (CmnD)")
    if data[8] != 0:  # UDataInfo.isBigEndian
        raise IcuDataError("only little-endian ICU data is handled")
    return header_size


def read_package(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The package's header and its items by full name (e.g. `icudt73l/coll/ja.res`)."""
    start = _header_size(data)
    (count,) = struct.unpack_from("<I", data, start)
    toc = [struct.unpack_from("<II", data, start + 4 + 8 * i) for i in range(count)]
    items: dict[str, bytes] = {}
    for i, (name_off, data_off) in enumerate(toc):
        end_name = data.index(b"\0", start + name_off)
        name = data[start + name_off:end_name].decode("ascii")
        end = start + toc[i + 1][1] if i + 1 < count else len(data)
        items[name] = data[start + data_off:end]
    return data[:start], items


def write_package(header: bytes, items: dict[str, bytes]) -> bytes:
    """A package of `items` with `header`: names sorted (ICU searches them by bisection), items aligned."""
    names = sorted(items)
    count = len(names)
    toc_size = 4 + 8 * count
    name_blob = b""
    name_offsets = []
    for n in names:
        name_offsets.append(toc_size + len(name_blob))
        name_blob += n.encode("ascii") + b"\0"
    pos = toc_size + len(name_blob)
    pad = (-(len(header) + pos)) % 16
    pos += pad
    body = b""
    data_offsets = []
    for n in names:
        data_offsets.append(pos + len(body))
        body += items[n] + b"\0" * ((-len(items[n])) % 16)
    toc = struct.pack("<I", count) + b"".join(struct.pack("<II", a, b)
                                                 for a, b in zip(name_offsets, data_offsets, strict=True))
    return header + toc + name_blob + b"\0" * pad + body


def filtered(data: bytes, keep: tuple[str, ...] = KEEP) -> bytes:
    """The package with only the items named in `keep` (names without the `icudt73l/` prefix)."""
    header, items = read_package(data)
    prefix = next(iter(items)).split("/", 1)[0] + "/"
    wanted = {prefix + k for k in keep}
    missing = wanted - set(items)
    if missing:
        raise IcuDataError(f"not in the ICU data: {sorted(missing)}")
    return write_package(header, {k: v for k, v in items.items() if k in wanted})


def build_library(source: Path, target: Path, keep: tuple[str, ...] = KEEP) -> Path:
    """Write a libicudata with the same SONAME and symbol as `source` holding only `keep`."""
    symbol, data = extract_package(source)
    small = filtered(data, keep)
    soname = subprocess.run(["readelf", "-d", str(source)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", soname)
    if not found:
        raise IcuDataError(f"{source}: no SONAME")
    with tempfile.TemporaryDirectory(prefix="icudata-") as tmp:
        work = Path(tmp)
        (work / "data.dat").write_bytes(small)
        (work / "data.s").write_text(
            f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n{symbol}:\n'
            f'\t.incbin "{work / "data.dat"}"\n\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
        subprocess.run(["as", "-o", str(work / "data.o"), str(work / "data.s")], check=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ld", "-shared", "-soname", found[1], "-o", str(target), str(work / "data.o")], check=True)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    out = build_library(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{out}: {out.stat().st_size / 1e6:.2f} MB")
