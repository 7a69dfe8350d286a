"""The file probes: `--root` path mapping, bounded tail reads, decoding, `stat` and `list_dir`."""

from __future__ import annotations

import codecs
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.probes import fsroot
from wizard.probes.fsroot import (
    FsRoot,
    PathOutsideRoot,
    decode_bytes,
    is_windows_path,
    list_dir,
    map_logical,
    read_file,
    stat_path,
)
from wizard.probes.system import SystemProbe

DATA = Path(__file__).resolve().parent.parent / "data"
MIB = 1024 * 1024


def vssadmin_ja_cp932() -> tuple[str, bytes]:
    """The Japanese `vssadmin list writers` sample as Windows writes it: cp932 with CRLF.

    The sample came from a web page that typeset the banner's hyphen as an en dash, which cp932
    cannot encode; vssadmin itself prints an ASCII hyphen.
    """
    text = (DATA / "windows" / "vssadmin_list_writers_ja_healthy.txt").read_text(encoding="utf-8")
    text = text.replace("\u2013", "-")
    return text, text.replace("\n", "\r\n").encode("cp932")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- path mapping ----------------------------------------------------------------------------


def test_linux_paths_map_below_the_root(tmp_path: Path) -> None:
    assert map_logical(tmp_path, "/etc/waagent.conf") == tmp_path / "etc" / "waagent.conf"
    assert map_logical(tmp_path, "/var/lib/waagent/../waagent/x") == tmp_path / "var/lib/waagent/x"


@pytest.mark.parametrize(
    "logical",
    [r"C:\WindowsAzure\Logs\x.log", r"c:\WindowsAzure\Logs\x.log", "C:/WindowsAzure/Logs/x.log",
     r"D:\WindowsAzure\\Logs\.\x.log", r"\WindowsAzure\Logs\x.log"],
)
def test_windows_paths_map_below_the_root_without_drive(tmp_path: Path, logical: str) -> None:
    assert is_windows_path(logical)
    assert map_logical(tmp_path, logical) == tmp_path / "WindowsAzure" / "Logs" / "x.log"


@pytest.mark.parametrize(
    "logical", ["/../etc/passwd", "/etc/../../passwd", r"C:\..\Windows", r"C:\WindowsAzure\..\..\x", ".."]
)
def test_dot_dot_out_of_the_root_is_refused(tmp_path: Path, logical: str) -> None:
    with pytest.raises(PathOutsideRoot):
        map_logical(tmp_path, logical)
    answer = SystemProbe(tmp_path).call("read_file", path=logical)
    assert answer["unavailable"] is True
    assert "--root" in answer["error"]


@pytest.mark.posix("symbolic links without Windows' developer mode")
def test_a_link_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", b"secret")
    root = tmp_path / "bundle"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "waagent.conf").symlink_to(outside)
    with pytest.raises(PathOutsideRoot):
        FsRoot(root).real("/etc/waagent.conf")
    answer = SystemProbe(root).call("read_file", path="/etc/waagent.conf")
    assert answer["unavailable"] is True
    assert "secret" not in str(answer)


@pytest.mark.posix("symbolic links without Windows' developer mode")
def test_a_link_inside_the_root_is_followed(tmp_path: Path) -> None:
    target = write(tmp_path / "var" / "log" / "waagent.log.1", b"rotated\n")
    (tmp_path / "var" / "log" / "waagent.log").symlink_to(target)
    assert SystemProbe(tmp_path).call("read_file", path="/var/log/waagent.log")["text"] == "rotated\n"


def test_windows_names_are_found_ignoring_case(tmp_path: Path) -> None:
    log = write(tmp_path / "windowsazure" / "LOGS" / "waappagent.LOG", b"[00000006] ok\r\n")
    assert FsRoot(tmp_path).real(r"C:\WindowsAzure\Logs\WaAppAgent.log") == log
    answer = SystemProbe(tmp_path).call("read_file", path=r"C:\WindowsAzure\Logs\WaAppAgent.log")
    assert answer["text"] == "[00000006] ok\n"


def test_an_exact_name_wins_over_a_case_insensitive_one(tmp_path: Path) -> None:
    write(tmp_path / "etc" / "WAAGENT.CONF", b"upper")
    exact = write(tmp_path / "etc" / "waagent.conf", b"exact")
    assert FsRoot(tmp_path).real("/etc/waagent.conf") == exact


def test_without_a_root_paths_are_used_as_they_are() -> None:
    assert FsRoot(None).real("/etc/waagent.conf") == Path("/etc/waagent.conf")


@given(st.text())
def test_mapping_stays_below_the_root_or_refuses(logical: str) -> None:
    root = Path("/bundle")
    try:
        mapped = map_logical(root, logical)
    except PathOutsideRoot:
        return
    assert mapped == root or mapped.is_relative_to(root)


@given(st.text(alphabet=st.sampled_from("ab./\\:C.\x00 é"), max_size=30))
def test_the_system_probe_never_raises_on_odd_paths(logical: str) -> None:
    with tempfile.TemporaryDirectory() as root:
        probe = SystemProbe(Path(root))
        for name in ("read_file", "stat", "list_dir"):
            answer = probe.call(name, path=logical)
            assert isinstance(answer, dict)


# -- decoding --------------------------------------------------------------------------------


def test_cp932_text_is_decoded_with_the_legacy_code_page() -> None:
    text, data = vssadmin_ja_cp932()
    assert decode_bytes(data, "cp932") == text
    assert "状態: [1] 安定" in decode_bytes(data, "cp932")
    assert decode_bytes(data, None) != text


def test_a_windows_bundle_file_in_cp932_reads_as_japanese(tmp_path: Path) -> None:
    text, data = vssadmin_ja_cp932()
    write(tmp_path / "Logs" / "vssadmin.txt", data)
    answer = SystemProbe(tmp_path).call("read_file", path=r"C:\Logs\vssadmin.txt")
    assert answer["text"] == text
    assert answer["size"] == len(data)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_bom_is_decoded(bom: bytes) -> None:
    encoding = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    assert decode_bytes(bom + "状態: [1] 安定\r\n".encode(encoding), "cp932") == "状態: [1] 安定\n"


def test_utf8_bom_is_stripped_and_utf16_without_bom_is_recognised() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + b"Caption\r\n", None) == "Caption\n"
    assert decode_bytes("Caption  \r\nWindows\r\n".encode("utf-16-le"), None) == "Caption  \nWindows\n"


def test_crlf_becomes_lf_and_undecodable_bytes_fall_back_to_latin1() -> None:
    assert decode_bytes(b"a\r\nb\rc\n", None) == "a\nb\rc\n"
    assert decode_bytes(b"caf\xe9", None) == "café"
    assert decode_bytes(b"\x82\xa0", "no-such-codec") == "\x82\xa0"


@given(st.binary(max_size=2048), st.sampled_from([None, "cp932", "cp1252", "no-such-codec"]))
def test_decode_bytes_never_raises(data: bytes, codepage: str | None) -> None:
    text = decode_bytes(data, codepage)
    assert isinstance(text, str)
    assert "\r\n" not in text


# -- read_file -------------------------------------------------------------------------------


def test_read_file_answers_a_small_file_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "waagent.conf", b"Extensions.Enabled=y\r\nAutoUpdate.Enabled=y\r\n")
    answer = read_file(path, None, None)
    assert answer == {
        "exists": True, "is_file": True, "readable": True, "size": 44, "mtime": os.stat(path).st_mtime,
        "text": "Extensions.Enabled=y\nAutoUpdate.Enabled=y\n", "truncated": False, "error": None,
    }


def test_read_file_of_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    missing = read_file(tmp_path / "nope", None, None)
    assert (missing["exists"], missing["readable"], missing["text"]) == (False, False, None)
    folder = read_file(tmp_path, None, None)
    assert (folder["exists"], folder["is_file"], folder["readable"]) == (True, False, False)
    assert folder["error"]


def test_read_file_reads_only_the_tail_of_a_big_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"2025-11-20T10:{i // 60 % 60:02d}:{i % 60:02d}Z INFO line {i:07d}\n" for i in range(100_000)]
    path = write(tmp_path / "waagent.log", "".join(lines).encode())
    assert path.stat().st_size > 3 * MIB
    bytes_read = counting_open(monkeypatch)

    answer = read_file(path, MIB, None)

    assert answer["truncated"] is True
    assert sum(bytes_read) <= MIB + 4
    assert answer["text"].endswith(lines[-1])
    kept = answer["text"].splitlines(keepends=True)
    assert kept == lines[-len(kept) :]
    assert MIB - 100 < len(answer["text"]) <= MIB


def counting_open(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make fsroot's `open` record how many bytes each read returns."""
    counts: list[int] = []

    class Counting(io.BufferedReader):
        def read(self, size: int | None = -1, /) -> bytes:
            data = super().read(size)
            counts.append(len(data))
            return data

    def opener(path: Any, mode: str = "r") -> io.BufferedReader:
        assert mode == "rb"
        return Counting(io.FileIO(path, "r"))

    monkeypatch.setattr(fsroot, "open", opener, raising=False)
    return counts


@pytest.mark.parametrize(("encoding", "codepage"), [("utf-8", None), ("cp932", "cp932")])
def test_a_tail_cut_inside_a_character_drops_the_partial_line(
    tmp_path: Path, encoding: str, codepage: str | None
) -> None:
    line = "ライター名: 安定\n"
    path = write(tmp_path / "log.txt", (line * 1000).encode(encoding))
    width = len(line.encode(encoding))
    answer = read_file(path, width * 10 + 2, codepage)
    assert answer["truncated"] is True
    assert answer["text"] == line * 10


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_the_tail_of_a_utf16_file_keeps_its_encoding(tmp_path: Path, encoding: str) -> None:
    line = "状態: [1] 安定\r\n"
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    path = write(tmp_path / "writers.txt", bom + (line * 500).encode(encoding))
    answer = read_file(path, 1001, None)
    assert answer["truncated"] is True
    assert answer["text"] and set(answer["text"].splitlines()) == {"状態: [1] 安定"}


def test_read_file_that_may_not_be_opened_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "HandlerState", b"secret")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(fsroot.os, "open", denied)
    answer = read_file(path, None, None)
    assert (answer["exists"], answer["is_file"], answer["readable"]) == (True, True, False)
    assert answer["error"] == "Permission denied"
    assert answer["text"] is None


# -- stat and list_dir -----------------------------------------------------------------------


@pytest.mark.posix("POSIX file modes, uid and owner")
def test_stat_reports_mode_owner_and_kind(tmp_path: Path) -> None:
    path = write(tmp_path / "etc" / "azure" / "VMSnapshotScriptPluginConfig.json", b"{}")
    path.chmod(0o600)
    answer = SystemProbe(tmp_path).call("stat", path="/etc/azure/VMSnapshotScriptPluginConfig.json")
    assert answer["exists"] is True
    assert (answer["is_file"], answer["is_dir"]) == (True, False)
    assert answer["mode"] == 0o600
    assert answer["uid"] == os.getuid()
    assert answer["owner"] and answer["size"] == 2
    assert isinstance(answer["mtime"], float)
    folder = stat_path(tmp_path / "etc")
    assert (folder["is_dir"], folder["is_file"]) == (True, False)
    assert stat_path(tmp_path / "missing")["exists"] is False


def test_list_dir_is_sorted_and_bounded(tmp_path: Path) -> None:
    for i in range(510):
        (tmp_path / f"f{i:04d}.status").write_bytes(b"")
    (tmp_path / "a_dir").mkdir()
    answer = list_dir(tmp_path)
    assert answer["exists"] is True
    assert answer["truncated"] is True
    assert len(answer["entries"]) == 500
    assert answer["entries"][0] == {"name": "a_dir", "is_dir": True}
    assert answer["entries"][1] == {"name": "f0000.status", "is_dir": False}
    names = [entry["name"] for entry in answer["entries"]]
    assert names == sorted(names)


def test_list_dir_of_a_file_or_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "x", b"")
    assert list_dir(path)["exists"] is True
    assert list_dir(path)["error"] == "not a folder"
    assert list_dir(path)["error_msg"] == {"id": "not a folder", "params": {}}
    missing = list_dir(tmp_path / "missing")
    assert missing == {"exists": False, "entries": [], "truncated": False, "error": None}


@pytest.mark.parametrize("cut_inside_marker", [False, True])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_tail_cut_that_drops_a_pem_opening_keeps_it_for_the_secret_filter(
    tmp_path: Path, encoding: str, cut_inside_marker: bool
) -> None:
    # found by benchmarks/bench_hostile.py: a tail read began on the line of `-----BEGIN PRIVATE KEY-----`,
    # dropped it as a partial line, and the key's base64 lines (no END: a key cut short) reached the recording
    from wizard.redact import strip_secrets_text

    tail = "detail: -----BEGIN PRIVATE KEY-----\nMIIEFAKEcut12a\nFAKEcut12b+/FAKEcut12c</Detail>\nlast line\n"
    data = ("x" * 5000 + "\n" + tail).encode(encoding)
    keep = len(tail.encode(encoding)) - (len("detail: -----BEGIN P".encode(encoding)) if cut_inside_marker else 0)
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else b""
    path = write(tmp_path / "status.json", bom + data)
    answer = read_file(path, keep, None)
    assert answer["truncated"] is True
    assert answer["text"].endswith("last line\n")
    assert "FAKEcut12" not in strip_secrets_text(answer["text"])
    assert "last line" in strip_secrets_text(answer["text"])
