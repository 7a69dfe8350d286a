"""wizard/payload.py: the Linux executable's packed libraries, packed at build time and unpacked at every start.

The pack is read as untrusted: hostile indexes, damaged frames, links and files planted in the unpack folder
must fail with a message that names the member, never write outside the folder, never follow a link."""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard import payload
from wizard.payload import MAGIC, PayloadError, pack, read_index, unpack, unpack_at_start


def _files(tmp: Path, spec: dict[str, bytes], mode: int = 0o644) -> list[tuple[str, Path]]:
    src = tmp / "src"
    out = []
    for i, (name, data) in enumerate(sorted(spec.items())):
        f = src / f"{i}.bin"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
        f.chmod(mode)
        out.append((name, f))
    return out


SAMPLE = {
    "libQt6Core.so.6": os.urandom(3000) + b"\0" * 200_000,
    "PySide6/Qt/lib/libQt6Gui.so.6": b"gui" * 50_000,
    "PySide6/Qt/plugins/platforms/libqxcb.so": b"xcb",
    "PySide6/QtCore.abi3.so": b"",
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    out = tmp_path / "libs.pack"
    pack(_files(tmp_path, SAMPLE, 0o755), out)
    return out


def _raw(index: list[dict[str, object]], data: bytes = b"") -> bytes:
    body = json.dumps(index).encode()
    return MAGIC + struct.pack("<I", len(body)) + body + data


@pytest.mark.parametrize("workers", [1, 3])
def test_round_trip_gives_the_same_bytes_and_modes(sample: Path, tmp_path: Path, workers: int) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    members = unpack(sample, dest, workers=workers)
    assert sorted(m.name for m in members) == sorted(SAMPLE)
    for name, data in SAMPLE.items():
        out = dest / name
        assert out.read_bytes() == data
        assert stat.S_IMODE(out.stat().st_mode) & 0o700 == 0o700  # executable libraries stay executable
    assert sample.stat().st_size < sum(map(len, SAMPLE.values())) / 4  # it is compressed


def test_unpacking_into_existing_folders_is_fine_but_not_over_files(sample: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    (dest / "PySide6" / "Qt").mkdir(parents=True)  # PyInstaller wrote data files here already
    unpack(sample, dest)
    assert (dest / "PySide6/Qt/lib/libQt6Gui.so.6").is_file()
    with pytest.raises(PayloadError) as err:
        unpack(sample, dest)  # everything exists now
    assert "cannot write" in str(err.value) and err.value.reason == "exists"
    assert err.value.error == os.strerror(errno.EEXIST)


def test_a_planted_link_is_never_followed(sample: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    (dest / "libQt6Core.so.6").symlink_to(victim)
    with pytest.raises(PayloadError) as err:
        unpack(sample, dest, workers=1)
    assert "libQt6Core.so.6" in str(err.value)
    assert victim.read_bytes() == b"keep me"


def test_a_planted_link_in_place_of_a_folder_is_refused(sample: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (dest / "PySide6").symlink_to(elsewhere)
    with pytest.raises(PayloadError) as err:
        unpack(sample, dest)
    assert err.value.name == "PySide6" and "not a folder" in str(err.value)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b", "C:/x", "a\0b",
                                  "", "a/", 7, None])
def test_names_that_are_not_plain_relative_paths_are_refused(name: object) -> None:
    with pytest.raises(PayloadError, match="name"):
        read_index(_raw([{"name": name, "mode": 0o644, "size": 0, "offset": 0, "length": 0}]))


@pytest.mark.parametrize("entry, message", [
    ({"name": "a", "mode": 0o644, "size": 1, "offset": 0, "length": 99}, "length"),
    ({"name": "a", "mode": 0o644, "size": 1, "offset": 5, "length": 5}, "ends after the end"),
    ({"name": "a", "mode": 0o644, "size": -1, "offset": 0, "length": 0}, "size"),
    ({"name": "a", "mode": 0o644, "size": True, "offset": 0, "length": 0}, "size"),
    ({"name": "a", "mode": 0o644, "size": 2 ** 40, "offset": 0, "length": 0}, "size"),
    ({"name": "a", "mode": 0o4755, "size": 0, "offset": 0, "length": 0}, "mode"),
    ({"name": "a", "mode": "rw", "size": 0, "offset": 0, "length": 0}, "mode"),
    ({"name": "a", "size": 0, "offset": 0, "length": 0}, "mode"),
])
def test_members_outside_the_file_or_with_odd_numbers_are_refused(entry: dict[str, object], message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        read_index(_raw([entry], b"12345678"))


@pytest.mark.parametrize("raw, message", [
    (b"", "magic"),
    (b"PK\x03\x04" + b"\0" * 20, "magic"),
    (MAGIC + struct.pack("<I", 999), "does not fit"),
    (MAGIC + struct.pack("<I", 3) + b"{x}", "not JSON"),
    (MAGIC + struct.pack("<I", 2) + b"\xff\xfe", "not JSON"),
    (MAGIC + struct.pack("<I", 2) + b"{}", "not a list"),
    (_raw([1]), "not an object"),
    (_raw([{"name": "a", "mode": 0, "size": 0, "offset": 0, "length": 0}] * 2), "twice"),
    (_raw([{"name": "a", "mode": 0, "size": 0, "offset": 0, "length": 0},
           {"name": "a/b", "mode": 0, "size": 0, "offset": 0, "length": 0}]), "both a member and the folder"),
])
def test_malformed_packs_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        read_index(raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_after_the_magic_never_crash_the_reader(tail: bytes) -> None:
    try:
        start, members = read_index(MAGIC + tail)
    except PayloadError:
        return
    for m in members:
        assert start + m.offset + m.length <= len(MAGIC) + len(tail)
        assert not m.name.startswith("/") and ".." not in m.name.split("/")


def _rewrite(sample: Path, change: object) -> None:
    raw = sample.read_bytes()
    start, _members = read_index(raw)
    head = len(MAGIC) + 4
    index = json.loads(raw[head:start])
    data = bytearray(raw[start:])
    change(index, data)  # type: ignore[operator]
    sample.write_bytes(_raw(index, bytes(data)))


def test_a_damaged_frame_names_the_member(sample: Path, tmp_path: Path) -> None:
    def flip(index: list[dict[str, int]], data: bytearray) -> None:
        gui = next(e for e in index if e["name"].endswith("Gui.so.6"))
        data[gui["offset"] + gui["length"] // 2] ^= 0xFF

    _rewrite(sample, flip)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(PayloadError) as err:
        unpack(sample, dest, workers=2)
    assert err.value.name == "PySide6/Qt/lib/libQt6Gui.so.6" and "damaged" in str(err.value)


@pytest.mark.parametrize("name, size", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", 4),  # the frame holds 3 bytes
    ("libQt6Core.so.6", 10),  # a bomb: the frame holds 203000 bytes and is never unpacked whole
])
def test_a_member_that_unpacks_to_another_size_is_refused(sample: Path, tmp_path: Path, name: str,
                                                          size: int) -> None:
    def resize(index: list[dict[str, int]], data: bytearray) -> None:
        next(e for e in index if e["name"] == name)["size"] = size

    _rewrite(sample, resize)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(PayloadError) as err:
        unpack(sample, dest)
    assert err.value.name == name and err.value.reason == ""  # the pack is damaged, not the system
    assert not (dest / name).exists()


def test_a_missing_pack_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(PayloadError, match="cannot read") as err:
        unpack(tmp_path / "absent.pack", tmp_path)
    assert err.value.reason == "missing"


def test_workers_follow_the_cpus_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert payload.workers_here() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert payload.workers_here() == payload.MAX_WORKERS
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert payload.workers_here() == 1


def test_at_start_unpacks_and_deletes_the_pack(sample: Path, tmp_path: Path) -> None:
    base = tmp_path / "_MEIabc"
    base.mkdir()
    sample.rename(base / payload.PAYLOAD_NAME)
    assert unpack_at_start(str(base), argv=[], exit=pytest.fail) is True
    assert (base / "PySide6/QtCore.abi3.so").is_file()
    assert not (base / payload.PAYLOAD_NAME).exists()


def test_at_start_does_nothing_unfrozen_or_without_a_pack(tmp_path: Path) -> None:
    assert unpack_at_start(None, argv=[], exit=pytest.fail) is False  # pytest is not frozen: no sys._MEIPASS
    assert unpack_at_start(str(tmp_path), argv=[], exit=pytest.fail) is False


def _start_failing(sample: Path, tmp_path: Path, lang: str) -> str:
    base = tmp_path / "_MEIxyz"
    base.mkdir(exist_ok=True)
    sample.rename(base / payload.PAYLOAD_NAME)
    err = io.StringIO()
    codes: list[int] = []
    unpack_at_start(str(base), argv=["--lang", lang], stderr=err, exit=codes.append)
    from wizard.launch import EXIT_TOOL_FAILED

    assert codes == [EXIT_TOOL_FAILED]
    text = err.getvalue()
    assert text.count("\n") == 1 and "Traceback" not in text
    return text


@pytest.mark.parametrize("lang, words", [
    ("en", ["Could not unpack the program's libraries into the temporary folder", "The disk is full.", "TMPDIR"]),
    ("ja", ["プログラムのライブラリを一時フォルダー", "ディスクがいっぱいです。", "TMPDIR"]),
])
def test_at_start_a_full_temporary_folder_is_one_line_in_the_users_language(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, words: list[str]) -> None:
    from wizard import fileio

    def full(path: Path, data: bytes, mode: int = 0o600) -> None:
        raise fileio.error_for(path, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(fileio, "create_new", full)
    text = _start_failing(sample, tmp_path, lang)
    assert all(w in text for w in words), text
    assert f" {tmp_path} " in text and "(libQt6Core.so.6)" in text  # the folder TMPDIR names, and the member
    assert "No space left" not in text  # the system's English is replaced by the one writer's sentence


@pytest.mark.parametrize("lang, words", [("en", "Something of that name is already there."), ("ja", "すでに存在")])
def test_at_start_a_planted_file_is_refused_in_the_users_language(sample: Path, tmp_path: Path, lang: str,
                                                                  words: str) -> None:
    (tmp_path / "_MEIxyz").mkdir()
    (tmp_path / "_MEIxyz" / "libQt6Core.so.6").write_bytes(b"planted")
    text = _start_failing(sample, tmp_path, lang)
    assert words in text and "libQt6Core.so.6" in text and str(tmp_path) in text


@pytest.mark.parametrize("lang, words", [("en", "The program file is damaged"), ("ja", "プログラム ファイルが破損")])
def test_at_start_a_damaged_pack_says_to_download_it_again(sample: Path, tmp_path: Path, lang: str,
                                                          words: str) -> None:
    def flip(index: list[dict[str, int]], data: bytearray) -> None:
        data[len(data) // 2] ^= 0xFF

    _rewrite(sample, flip)
    text = _start_failing(sample, tmp_path, lang)
    assert words in text and "SHA-256" in text
