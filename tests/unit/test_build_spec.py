"""build.spec's Windows branch, executed here with stand-ins for PyInstaller's Analysis, PYZ and EXE:
the windowed VMBackupWizard.exe and its console twin VMBackupWizard-cli.exe, their version
resources, and the Qt plugins Windows needs kept in the bundle; on Linux, which libraries go into the Zstandard
pack that the run-time hook unpacks. (The Linux branch is also built for real by scripts/check_executable.py.)"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def stand_in_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in binaries below are not files: ldd is not asked about them and their 'stripped copy' is a
    small file naming them (a real file is copied as it is)."""
    import scripts.pack_libraries as packer

    def stripped(src: str, dest: str, work: Path) -> Path:
        out = work / "stripped" / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(Path(src).read_bytes() if Path(src).is_file() else f"stand-in for {dest}".encode())
        return out

    monkeypatch.setattr(packer, "_needed", lambda src: {"libz.so.1"} if "libpython" in src else set())
    monkeypatch.setattr(packer, "_stripped", stripped)


def bundled_on_linux(ns: dict[str, Any]) -> list[str]:
    """What the Linux executable holds: the binaries PyInstaller keeps, then the members of the pack."""
    return [b[0] for b in ns["a"].binaries] + [m.name for m in ns["PACKED"]]


class Recorder:
    def __init__(self) -> None:
        self.exes: list[dict[str, Any]] = []

    def analysis(self, scripts: list[str], **kw: Any) -> Any:
        class A:
            pass

        a = A()
        a.scripts, a.pure = scripts, []  # type: ignore[attr-defined]
        a.binaries = [  # type: ignore[attr-defined]
            ("PySide6/Qt/plugins/platforms/qwindows.dll", "x", "BINARY"),
            ("PySide6/Qt/plugins/platforms/qoffscreen.dll", "x", "BINARY"),
            ("PySide6/Qt/plugins/platforms/qminimal.dll", "x", "BINARY"),
            ("PySide6/Qt6Network.dll", "x", "BINARY"),
        ]
        a.datas = [("PySide6/Qt/translations/qtbase_ja.qm", "x", "DATA"),  # type: ignore[attr-defined]
                   ("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA")]
        self.analysis_kw = kw
        return a

    def exe(self, *parts: Any, **kw: Any) -> dict[str, Any]:
        self.exes.append(kw)
        return kw


def run_spec(platform: str, workpath: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Recorder, dict[str, Any]]:
    rec = Recorder()
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace: dict[str, Any] = {"SPECPATH": str(ROOT), "workpath": str(workpath), "Analysis": rec.analysis,
                                 "PYZ": lambda pure: ("pyz", pure), "EXE": rec.exe, "__name__": "__main__"}
    code = compile((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec")
    exec(code, namespace)
    return rec, namespace


def test_windows_builds_the_windowed_exe_and_its_console_twin(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rec, ns = run_spec("win32", tmp_path, monkeypatch)
    assert [(e["name"], e["console"]) for e in rec.exes] == [("VMBackupWizard", False), ("VMBackupWizard-cli", True)]
    for exe in rec.exes:
        assert exe["uac_admin"] is False and exe["strip"] is False and exe["upx"] is False
        version = Path(exe["version"])
        assert version.parent == tmp_path and version.is_file()
        assert f"StringStruct('OriginalFilename', '{exe['name']}.exe')" in version.read_text(encoding="utf-8")
        assert exe["icon"] and Path(exe["icon"]).is_file()
    kept = [b[0] for b in ns["a"].binaries]
    assert "PySide6/Qt/plugins/platforms/qwindows.dll" in kept
    assert "PySide6/Qt/plugins/platforms/qoffscreen.dll" in kept  # --smoke-test renders the pages offscreen
    assert "PySide6/Qt6Network.dll" not in kept
    assert [d[0] for d in ns["a"].datas] == ["PySide6/Qt/translations/qtbase_ja.qm"]
    assert "ssl" in rec.analysis_kw["excludes"]


def test_linux_builds_one_console_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec, _ = run_spec("linux", tmp_path, monkeypatch)
    assert [(e["name"], e["console"], e["strip"], e["version"]) for e in rec.exes] == [
        ("vmbackup-wizard", True, True, None)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack", "shiboken_support"]  # no version resource


def test_the_twin_name_is_what_the_cli_recognises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.cli import is_console_twin

    rec, _ = run_spec("win32", tmp_path, monkeypatch)
    names = [e["name"] + ".exe" for e in rec.exes]
    assert [is_console_twin(True, "C:\\dist\\" + n) for n in names] == [False, True]


@pytest.mark.posix("PySide6 ships ICU as shared libraries on Linux only")
def test_linux_bundles_the_small_icu_data_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import PySide6

    (icu,) = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    dest = f"PySide6/Qt/lib/{icu.name}"
    original = Recorder.analysis

    def with_icu(self: Recorder, scripts: list[str], **kw: Any) -> Any:
        a = original(self, scripts, **kw)
        a.binaries = [(dest, str(icu), "BINARY"), ("PySide6/Qt/lib/libQt6Core.so.6", "core", "BINARY")]
        return a

    monkeypatch.setattr(Recorder, "analysis", with_icu)
    _, ns = run_spec("linux", tmp_path, monkeypatch)
    packed = {m.name: m for m in ns["PACKED"]}  # both go into the pack, the small ICU data in place of the big
    assert set(packed) == {dest, "PySide6/Qt/lib/libQt6Core.so.6"}
    small = tmp_path / "icu" / icu.name
    assert packed[dest].size == small.stat().st_size < icu.stat().st_size / 10


def test_linux_leaves_out_what_costs_start_up_time_and_is_never_used(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file in the one-file executable is unpacked at each start: no multiprocessing (its run-time hook
    would import it, pickle and socket before our first line), no GObject (no bundled library links it), no
    markupsafe metadata (7 small files)."""
    original = Recorder.analysis

    def linux_files(self: Recorder, scripts: list[str], **kw: Any) -> Any:
        a = original(self, scripts, **kw)
        a.binaries = [("libgobject-2.0.so.0", "x", "BINARY"), ("libglib-2.0.so.0", "x", "BINARY"),
                      ("PySide6/Qt/lib/libQt6Gui.so.6", "x", "BINARY")]
        a.datas = [("markupsafe-3.0.4.dist-info/METADATA", "x", "DATA"), ("resources/icons/app.svg", "x", "DATA")]
        return a

    monkeypatch.setattr(Recorder, "analysis", linux_files)
    rec, ns = run_spec("linux", tmp_path, monkeypatch)
    assert "multiprocessing" in rec.analysis_kw["excludes"]
    assert sorted(bundled_on_linux(ns)) == ["PySide6/Qt/lib/libQt6Gui.so.6", "libglib-2.0.so.0"]
    assert [d[0] for d in ns["a"].datas] == ["resources/icons/app.svg", "vmbackup-wizard-libs.pack"]


def test_shibokens_support_package_is_compiled_into_the_bundle(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """shiboken6 compiles `shibokensupport` from sources embedded in libshiboken at every start, unless a folder
    `shiboken6/files.dir` exists: then it imports the package normally. The spec bundles that folder (a README
    only) and the very sources of the installed shiboken6 as modules of the PYZ archive."""
    from scripts.shiboken_support import PACKAGE, embedded_sources

    rec, ns = run_spec("linux", tmp_path, monkeypatch)
    support = ns["SHIBOKEN_SUPPORT"]
    embedded = embedded_sources()
    assert embedded and support is not None
    assert support.marker in rec.analysis_kw["datas"] and support.marker[1] == "shiboken6/files.dir"
    assert support.path in rec.analysis_kw["pathex"]
    modules = set(rec.analysis_kw["hiddenimports"])
    for name, data in embedded.items():
        module = name[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        assert module in modules
        written = Path(support.path) / name
        assert written.read_bytes() == data
        compile(data, str(written), "exec")
    assert f"{PACKAGE}.signature.loader" in modules and PACKAGE in modules


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_every_data_file_budoux_reads_is_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 platform: str) -> None:
    """BudouX reads skip_nodes.json when imported and models/ja.json for the Japanese parser; a bundle without
    either breaks Japanese lines after any kana (the executable's --smoke-test fails then)."""
    import ast

    import budoux

    package = Path(budoux.__file__).parent
    read = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".json"):
                read.add(node.value)
    assert {"skip_nodes.json", "ja.json"} <= read, read  # what this BudouX opens; a newer one may read more
    rec, _ = run_spec(platform, tmp_path, monkeypatch)
    bundled = {(Path(src).name, dest) for src, dest in rec.analysis_kw["datas"]}
    assert ("skip_nodes.json", "budoux") in bundled
    assert ("ja.json", "budoux/models") in bundled


def test_linux_packs_what_only_qt_needs_and_keeps_what_runs_before_the_hook(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """PyInstaller inflates its own entries one after another with zlib at every start; the spec moves the
    libraries into a Zstandard pack that the run-time hook unpacks on every core. What Python needs before that
    hook runs (libpython, the standard extension modules, zstandard, the libraries they load) stays outside,
    and so do the symbolic links PyInstaller makes itself. The pack unpacks to exactly the stripped files."""
    from wizard.payload import unpack

    original = Recorder.analysis
    entries = [
        ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),
        ("python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so", "/x/_json.so", "EXTENSION"),
        ("zstandard/backend_c.cpython-311-x86_64-linux-gnu.so", "/x/backend_c.so", "EXTENSION"),
        ("libz.so.1", "/usr/lib/libz.so.1", "BINARY"),  # libpython loads it: kept
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
        ("PySide6/QtCore.abi3.so", "/x/QtCore.abi3.so", "EXTENSION"),
        ("markupsafe/_speedups.cpython-311-x86_64-linux-gnu.so", "/x/_speedups.so", "EXTENSION"),
        ("libfontconfig.so.1", "/usr/lib/libfontconfig.so.1", "BINARY"),
    ]

    def linux_files(self: Recorder, scripts: list[str], **kw: Any) -> Any:
        a = original(self, scripts, **kw)
        a.binaries = list(entries)
        return a

    monkeypatch.setattr(Recorder, "analysis", linux_files)
    rec, ns = run_spec("linux", tmp_path, monkeypatch)
    assert [b[0] for b in ns["a"].binaries] == [e[0] for e in entries[:5]]
    packed = sorted(m.name for m in ns["PACKED"])
    assert packed == sorted(e[0] for e in entries[5:])
    (pack,) = [d for d in ns["a"].datas if d[0] == "vmbackup-wizard-libs.pack"]
    assert pack[2] == "ZIPFILE"  # stored as it is, not inflated by the bootloader
    assert rec.analysis_kw["runtime_hooks"] == [str(ROOT / "scripts" / "pyi_rth_payload.py")]
    assert "zstandard" in rec.analysis_kw["hiddenimports"]
    assert "zstandard" not in rec.analysis_kw["excludes"] and "zstandard.backend_cffi" in rec.analysis_kw["excludes"]
    dest = tmp_path / "unpacked"
    dest.mkdir()
    unpack(Path(pack[1]), dest)
    for name in packed:
        assert (dest / name).read_bytes() == f"stand-in for {name}".encode()


def test_windows_packs_nothing_and_bundles_no_zstandard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec, ns = run_spec("win32", tmp_path, monkeypatch)
    assert ns["PACKED"] == [] and rec.analysis_kw["runtime_hooks"] == []
    assert "zstandard" in rec.analysis_kw["excludes"] and "zstandard" not in rec.analysis_kw["hiddenimports"]
