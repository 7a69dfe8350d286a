"""scripts/icu_data.py: the small ICU data library of the Linux executable. Built from PySide6's own
libicudata, it keeps exactly the chosen items, byte for byte, and Qt behaves the same with it for what the
wizard can reach: Japanese and English collation (the file dialog's sorting), locale case mapping, time zone
names, Shift_JIS/EUC-JP codecs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import icu_data  # noqa: E402

pytestmark = pytest.mark.posix("PySide6 ships ICU as shared libraries on Linux only")


def _pyside_icu() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.fail("PySide6's libicudata is missing; the executable's ICU data cannot be made from it")
    return found[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return icu_data.build_library(_pyside_icu(), tmp_path_factory.mktemp("icu") / _pyside_icu().name)


def test_the_small_package_keeps_exactly_the_chosen_items(small: Path) -> None:
    full_symbol, full = icu_data.extract_package(_pyside_icu())
    symbol, data = icu_data.extract_package(small)
    assert symbol == full_symbol
    header, items = icu_data.read_package(data)
    full_header, full_items = icu_data.read_package(full)
    assert header == full_header
    prefix = next(iter(full_items)).split("/", 1)[0] + "/"
    assert sorted(items) == sorted(prefix + k for k in icu_data.KEEP)
    for name, blob in items.items():
        # An item is what ICU reads from its offset; the rest of the slot is alignment padding.
        assert blob.rstrip(b"\0\xaa") == full_items[name].rstrip(b"\0\xaa")
    assert len(data) < 3_000_000 < 30_000_000 < len(full)


def test_the_package_format_round_trips() -> None:
    _, full = icu_data.extract_package(_pyside_icu())
    header, items = icu_data.read_package(full)
    rebuilt = icu_data.write_package(header, items)
    assert len(rebuilt) == len(full)
    again_header, again = icu_data.read_package(rebuilt)
    assert again_header == header and list(again) == sorted(items)
    assert all(again[k].rstrip(b"\0\xaa") == items[k].rstrip(b"\0\xaa") for k in items)
    with pytest.raises(icu_data.IcuDataError):
        icu_data.read_package(b"\x20\x00\xda\x27" + b"\0" * 8 + b"ResB" + b"\0" * 16)
    with pytest.raises(icu_data.IcuDataError, match="not in the ICU data"):
        icu_data.filtered(full, ("no/such.res",))


def test_the_library_has_the_soname_qt_asks_for(small: Path) -> None:
    dynamic = subprocess.run(["readelf", "-d", str(small)], capture_output=True, text=True, check=True).stdout
    assert f"Library soname: [{_pyside_icu().name}]" in dynamic
    assert "NEEDED" not in dynamic


QT_PROBE = r"""
import json
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone, Qt, qInstallMessageHandler
messages = []
qInstallMessageHandler(lambda kind, context, text: messages.append(text))
words = ["ファイル10", "ファイル2", "かき", "あお", "漢字", "カキ", "file10", "File2", "Ärger", "apple"]
out = {}
for name in ("ja_JP", "en_US", "de_DE"):
    c = QCollator(QLocale(name))
    c.setNumericMode(True)
    c.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    out[name] = sorted(words, key=c.sortKey)
out["upper"] = [QLocale("ja_JP").toUpper("straße"), QLocale("tr_TR").toUpper("istanbul")]
tz = QTimeZone(b"Asia/Tokyo")
out["tz"] = [tz.isValid(), tz.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName,
                                          QLocale("ja_JP"))]
out["codecs"] = [QStringDecoder(n).isValid() for n in ("Shift_JIS", "EUC-JP", "UTF-8")]
out["messages"] = messages
print(json.dumps(out, ensure_ascii=False))
"""


def _qt_probe(preload: Path | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)  # a library of the same SONAME satisfies Qt Core's NEEDED entry
    out = subprocess.run([sys.executable, "-c", QT_PROBE], capture_output=True, text=True, env=env, check=True,
                         timeout=120)
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_qt_behaves_the_same_with_the_small_data(small: Path) -> None:
    full = _qt_probe(None)
    reduced = _qt_probe(small)
    assert full["ja_JP"][:4] == ["apple", "Ärger", "File2", "file10"]  # type: ignore[index]
    assert reduced == full
    assert reduced["messages"] == []
