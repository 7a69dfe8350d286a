"""The one writer (wizard/fileio.py), under attack: links planted at every name it could use, pipes,
devices, sockets, read-only folders, a full disk, and standard output redirected while running as root.
Every attack target is built inside a temporary folder (or a private mount namespace)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from wizard import fileio
from wizard.fileio import OutputError, same_target, stream_fd, write_output
from wizard.i18n import Translator

HTML = "<!DOCTYPE html><html lang=\"ja\"><title>レポート</title></html>\n"
ROOT = Path(__file__).resolve().parents[2]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- ordinary files ----------------------------------------------------------------------------------


def test_writes_utf8_and_returns_the_path(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    assert write_output(target, HTML) == str(target)
    assert target.read_text(encoding="utf-8") == HTML
    assert _leftovers(tmp_path) == ["r.html"]


def test_replaces_an_existing_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    write_output(target, HTML)
    assert target.read_text(encoding="utf-8") == HTML
    assert _leftovers(tmp_path) == ["r.html"]


@pytest.mark.posix("the umask")
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_output(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o640
    write_output(tmp_path / "b.json", "{}", mode=0o600)
    assert (tmp_path / "b.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("fail_in", ["write", "fsync", "replace"])
def test_a_failure_mid_write_leaves_the_old_file_and_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    fail_in: str) -> None:
    target = tmp_path / "r.html"
    target.write_text("the previous report", encoding="utf-8")

    def boom(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if fail_in == "write":
        real_fdopen = os.fdopen

        class HalfFile:
            def __init__(self, fd: int, mode: str) -> None:
                self._fh = real_fdopen(fd, mode)

            def __enter__(self) -> HalfFile:
                return self

            def __exit__(self, *exc: object) -> None:
                self._fh.close()

            def write(self, data: bytes) -> int:
                self._fh.write(data[: len(data) // 2])
                self._fh.flush()
                boom()
                return 0

            def flush(self) -> None:
                self._fh.flush()

            def fileno(self) -> int:
                return self._fh.fileno()

        monkeypatch.setattr(fileio.os, "fdopen", HalfFile)
    else:
        monkeypatch.setattr(fileio.os, fail_in, boom)
    with pytest.raises(OutputError) as info:
        write_output(target, HTML)
    assert info.value.reason == "full"
    assert "The disk is full." in str(info.value)
    assert _leftovers(tmp_path) == ["r.html"]
    assert target.read_text(encoding="utf-8") == "the previous report"


def test_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "r.html"
    with pytest.raises(OutputError) as info:
        write_output(target, HTML)
    assert info.value.reason == "missing"
    assert str(info.value) == f"Could not write {target}. The folder does not exist. Choose another place."
    assert _leftovers(tmp_path) == []
    ja = info.value.translated(Translator("ja"))
    assert str(target) in ja and "Could not" not in ja


def test_target_is_a_folder_or_its_parent_a_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        write_output(tmp_path, HTML)
    assert info.value.reason == "is_folder"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        write_output(tmp_path / "file" / "r.html", HTML)
    assert info.value.reason == "not_a_folder"
    assert _leftovers(tmp_path) == ["file"]


@pytest.mark.posix("os.geteuid and POSIX folder modes")
def test_an_unwritable_folder(tmp_path: Path) -> None:
    """A folder nobody may create files in, even root: /sys (or a read-only folder for a normal user)."""
    if os.geteuid() == 0:
        folder = Path("/sys")
        assert folder.is_dir(), "/sys is needed for this test"
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    try:
        with pytest.raises(OutputError) as info:
            write_output(folder / "vmbackup-report.html", HTML)
        assert info.value.reason in ("permission", "read_only")
        assert str(folder) in str(info.value) and "Choose another place." in str(info.value)
        assert not (folder / "vmbackup-report.html").exists()
    finally:
        if folder != Path("/sys"):
            folder.chmod(0o700)


# -- links: never followed, never replaced ----------------------------------------------------------------


@pytest.mark.posix("symbolic links")
def test_a_link_at_the_target_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "shadow"
    victim.write_text("root:secret-hash:19000:0:99999:7:::\n", encoding="utf-8")
    link = tmp_path / "report.html"
    link.symlink_to(victim)
    with pytest.raises(OutputError) as info:
        write_output(link, HTML)
    assert info.value.reason == "link"
    assert "symbolic link" in str(info.value)
    assert link.is_symlink() and victim.read_text(encoding="utf-8").startswith("root:secret-hash")
    assert _leftovers(tmp_path) == ["report.html", "shadow"]
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "created-through-the-link")
    with pytest.raises(OutputError):
        write_output(dangling, "{}")
    assert not (tmp_path / "created-through-the-link").exists()


@pytest.mark.posix("symbolic links")
def test_links_planted_at_every_temporary_name_are_never_followed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The attacker knows the old fixed name (.NAME.tmp) and, here, even the random names the writer will
    try: a link at each of them points at a victim file. The writer must create its own file instead."""
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    names = iter(["aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"])
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: names)
    for planted in (".r.json.tmp", ".r.json.aaaaaaaa.tmp", ".r.json.bbbbbbbb.tmp", ".r.json.cccccccc.tmp"):
        (tmp_path / planted).symlink_to(victim)
    write_output(tmp_path / "r.json", "{}\n")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == "{}\n" and not (tmp_path / "r.json").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_symlink()) == ["r.json", "victim"]


# -- streams, pipes, devices ----------------------------------------------------------------------------


def test_stream_names() -> None:
    assert [stream_fd(x) for x in ("-", "/dev/stdout", "/dev/stderr", "/proc/self/fd/7", "/dev/fd/3", "out.json")] \
        == [1, 1, 2, 7, 3, None]
    assert same_target("-", "/dev/stdout") and not same_target("-", "/dev/stderr")


def test_standard_output_is_written_in_place(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("a stream must never be opened or renamed by name")

    monkeypatch.setattr(fileio.os, "replace", never)
    monkeypatch.setattr(fileio.tempfile, "mkstemp", never)
    assert write_output("/dev/stdout", "to stdout\n") == "/dev/stdout"
    assert write_output("-", "dash\n") == "-"
    assert write_output("/dev/stderr", "to stderr\n") == "/dev/stderr"
    out = capsys.readouterr()
    assert out.out == "to stdout\ndash\n" and out.err == "to stderr\n"


@pytest.mark.posix("file descriptors by number")
def test_an_open_descriptor_is_written_in_place(tmp_path: Path) -> None:
    with open(tmp_path / "fd-target", "wb") as fh:
        write_output(f"/proc/self/fd/{fh.fileno()}", "through the descriptor")
    assert (tmp_path / "fd-target").read_text(encoding="utf-8") == "through the descriptor"
    assert _leftovers(tmp_path) == ["fd-target"]


@pytest.mark.posix("os.mkfifo")
def test_a_pipe_with_a_reader_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        for _ in range(200):
            try:
                write_output(fifo, "{}\n")
                break
            except OutputError as exc:  # the reader has not opened its end yet
                assert exc.reason == "no_reader"
                threading.Event().wait(0.01)
    finally:
        reader.join(5)
    assert got == [b"{}\n"]
    assert fifo.exists() and not fifo.is_file()


@pytest.mark.posix("os.mkfifo")
def test_a_pipe_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as info:
        write_output(fifo, HTML)
    assert info.value.reason == "no_reader"
    assert fifo.exists() and not fifo.is_file()


@pytest.mark.posix("unix sockets")
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(OutputError) as info:
            write_output(path, "x")
    assert info.value.reason == "not_a_file"
    assert path.exists() and not path.is_file()


@pytest.mark.posix("/dev/full and /dev/null")
def test_dev_full_is_a_full_disk_and_dev_null_swallows() -> None:
    with pytest.raises(OutputError) as info:
        write_output("/dev/full", HTML)
    assert info.value.reason == "full"
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")
    assert write_output("/dev/null", HTML) == "/dev/null"
    assert not os.path.isfile("/dev/null")


@pytest.mark.posix("device nodes")
def test_other_devices_are_refused(tmp_path: Path) -> None:
    """Block devices and unknown character devices (a root run must never write to /dev/sda or /dev/mem)."""
    if os.geteuid() != 0:
        info_target = Path("/dev/mem") if Path("/dev/mem").exists() else None
    else:
        info_target = tmp_path / "fake-disk"
        os.mknod(info_target, 0o600 | __import__("stat").S_IFBLK, os.makedev(7, 200))
    assert info_target is not None, "needs root (to make a block device in a temporary folder) or /dev/mem"
    before = os.stat(info_target)
    with pytest.raises(OutputError) as info:
        write_output(info_target, "x")
    assert info.value.reason == "not_a_file"
    assert os.stat(info_target).st_rdev == before.st_rdev


# -- the whole program, as root, with standard output redirected ----------------------------------------


def _unshare_flags() -> list[str] | None:
    for flags in (["-m"], ["-rm"]):
        try:
            if subprocess.run(["unshare", *flags, "true"], capture_output=True, timeout=10).returncode == 0:
                return flags
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


@pytest.mark.posix("a private mount namespace with its own /dev")
@pytest.mark.parametrize("option", ["--json", "--report", "--record", "--diagram"])
def test_dev_stdout_link_survives_every_output(tmp_path: Path, option: str) -> None:
    """Reliability review row 1: `--json /dev/stdout` with stdout redirected to a file replaced the
    /dev/stdout link. Run the real program in a private mount namespace whose /dev is a tmpfs holding
    the usual links, so a regression could only damage that copy; then look at the link."""
    flags = _unshare_flags()
    assert flags is not None, "unshare -m (root) or unshare -rm (user namespaces) is needed"
    out = tmp_path / "redirected.txt"
    script = (
        "set -e; mount -t tmpfs tmpfs /dev; ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; "
        "ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr; touch /dev/null; "
        f'"$@" > {out}; rc=$?; '
        "if [ -L /dev/stdout ]; then echo LINK-INTACT >&2; else echo LINK-REPLACED >&2; fi; exit $rc"
    )
    run = subprocess.run(["unshare", *flags, "sh", "-c", script, "sh", sys.executable, "-m", "wizard", "--cli",
                          "--lang", "en", "--scenario", "healthy-linux", option, "/dev/stdout"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "LINK-INTACT" in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    written = out.read_text(encoding="utf-8")
    marker = {"--json": '"schema"', "--report": "<!DOCTYPE html>", "--record": '"calls"', "--diagram": "<svg"}[option]
    assert marker in written
    assert "Summary:" not in written  # the terminal view stays off the redirected output


# -- create_new: files the program makes for itself in a private folder ------------------------------------


def test_create_new_makes_the_file_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "lib.so"
    fileio.create_new(target, b"\x7fELF" * 1000, 0o700)
    assert target.read_bytes() == b"\x7fELF" * 1000
    assert (target.stat().st_mode & 0o777) == 0o700 & ~_umask()


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


@pytest.mark.parametrize("planted", ["file", "link", "dangling link"])
def test_create_new_never_writes_over_or_through_what_is_there(tmp_path: Path, planted: str) -> None:
    target, victim = tmp_path / "lib.so", tmp_path / "victim"
    if planted == "file":
        target.write_bytes(b"planted")
    else:
        if planted == "link":
            victim.write_bytes(b"keep me")
        target.symlink_to(victim)
    with pytest.raises(OutputError) as info:
        fileio.create_new(target, b"new")
    assert info.value.reason == "exists"
    assert "Something of that name is already there." in str(info.value)
    if planted == "file":
        assert target.read_bytes() == b"planted"
    else:
        assert target.is_symlink()
        assert victim.read_bytes() == b"keep me" if planted == "link" else not victim.exists()


def test_create_new_on_a_full_disk_says_so_and_leaves_nothing(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "write", full)
    with pytest.raises(OutputError) as info:
        fileio.create_new(tmp_path / "lib.so", b"x" * 10)
    assert info.value.reason == "full"
    assert _leftovers(tmp_path) == []
    assert "ディスクがいっぱいです。" in info.value.translated(Translator("ja"))
