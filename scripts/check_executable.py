#!/usr/bin/env python3
"""Build the one-file Linux executable and check it the way a user would run it (used by .ci/run).

    python scripts/check_executable.py [--no-build]

- `--version` prints the version;
- `--smoke-test` (offscreen) passes;
- `--cli --scenario NAME --json -` gives every shipped scenario's expected exit code, and the
  JSON parses;
- a `--cli` run maps no Qt GUI library (glibc's LD_DEBUG lists every library loaded), so the
  terminal view works on a server without display libraries;
- a live run (not a replay) happens only inside an empty network namespace (`unshare -n`);
- no output anywhere contains a warning or a traceback.
Exits non-zero, saying why, on the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "dist" / "vmbackup-wizard"
# A Python traceback, a Python warning ("file.py:12: SomeWarning: ..."), or a Qt/C++ warning line.
BAD_OUTPUT = re.compile(r"(?m)^(Traceback \(most recent call last\)|.*\.py:\d+: \w*Warning: |Warning: |"
                        r"qt\.[\w.]+: |QWidget|QObject::)")


class CheckFailed(Exception):
    pass


def _run(args: list[str], env: dict[str, str] | None = None, expect: int | None = 0,
         prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    full = [*(prefix or []), str(EXE), *args]
    out = subprocess.run(full, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)
    if expect is not None and out.returncode != expect:
        raise CheckFailed(f"{' '.join(full)}: exit {out.returncode}, expected {expect}\n{out.stderr[-3000:]}")
    for stream in (out.stdout, out.stderr):
        if "LD_DEBUG" not in (env or {}) and BAD_OUTPUT.search(stream):
            raise CheckFailed(f"{' '.join(full)}: warning or traceback in the output:\n{stream[-3000:]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-build", action="store_true")
    opts = ap.parse_args()
    try:
        if not opts.no_build:
            print("exe: building with PyInstaller", flush=True)
            build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "build.spec"],
                                   cwd=ROOT, capture_output=True, text=True)
            if build.returncode != 0:
                raise CheckFailed("PyInstaller failed:\n" + build.stderr[-5000:])
            unresolved = sorted(set(re.findall(r"could not resolve '([^']+)'", build.stderr)))
            if unresolved:
                raise CheckFailed("libraries the bundle needs are not installed on the build machine (so they "
                                  f"would be missing from the executable): {unresolved}")
        size = EXE.stat().st_size
        print(f"exe: {EXE.relative_to(ROOT)} is {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")

        from wizard import __version__

        out = _run(["--version"])
        if out.stdout.strip() != f"vmbackup-wizard {__version__}":
            raise CheckFailed(f"--version printed {out.stdout!r}")
        print("exe: --version ok")

        out = _run(["--smoke-test"], env={"QT_QPA_PLATFORM": "offscreen"})
        print("exe: --smoke-test ok\n" + "".join("     " + line + "\n" for line in out.stdout.splitlines()))

        expectations = json.loads((ROOT / "resources" / "scenario-expectations.json").read_text(encoding="utf-8"))
        for name, e in sorted(expectations.items()):
            for lang in ("en", "ja"):
                out = _run(["--cli", "--lang", lang, "--scenario", name, "--json", "-"], expect=e["exit_code"])
                doc = json.loads(out.stdout)
                got = {r["id"]: r["status"] for r in doc["results"]}
                wrong = {k: (v, got.get(k)) for k, v in e["statuses"].items() if got.get(k) != v}
                if wrong or doc["language"] != lang:
                    raise CheckFailed(f"scenario {name} ({lang}): {wrong}")
        print(f"exe: {len(expectations)} scenarios replay with their expected exit codes (en, ja)")

        # The Japanese terminal view breaks lines between phrases: BudouX's model must be in the bundle.
        name = "linux-firewall-drops-wireserver"
        out = _run(["--cli", "--lang", "ja", "--scenario", name], expect=expectations[name]["exit_code"],
                   env={"COLUMNS": "60"})
        if "見つかりました" not in out.stdout or "Traceback" in out.stderr:
            raise CheckFailed(f"the Japanese terminal view failed:\n{out.stderr[-2000:]}")
        print("exe: the Japanese terminal view breaks lines between phrases")

        out = _run(["--cli", "--scenario", "healthy-linux", "--json", "-"], env={"LD_DEBUG": "libs"})
        gui_libs = sorted(set(re.findall(r"libQt6(?:Gui|Widgets|Svg|XcbQpa)[^\s]*", out.stderr)))
        if gui_libs:
            raise CheckFailed(f"the terminal view loaded Qt GUI libraries: {gui_libs}")
        print("exe: the terminal view loads no Qt GUI library")

        if shutil.which("xvfb-run"):
            out = _run(["--scenario", "healthy-linux", "--lang", "ja"], prefix=["xvfb-run", "-a"],
                       env={"VMBACKUP_WIZARD_EXIT_AFTER_SHOW": "1", "QT_QPA_PLATFORM": ""})
            if "first page shown" not in out.stdout:
                raise CheckFailed(f"the wizard did not show its first page on an X server:\n{out.stderr[-2000:]}")
            print("exe: the wizard starts on a real X server (Xvfb) with its bundled libraries")
        else:
            print("exe: X server start skipped: xvfb-run is not installed")

        # No window possible: one line saying why, then the terminal view with --cli's exit status.
        dead = next(f":{n}" for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
        for env, reason in (({"DISPLAY": dead, "QT_QPA_PLATFORM": ""}, f"The X display {dead} does not answer"),
                            ({"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}, "No display found")):
            for name, status in (("healthy-linux", 0), ("linux-firewall-drops-wireserver", 2)):
                out = _run(["--scenario", name, "--lang", "en"], env=env, expect=status)
                if reason not in out.stderr or "Showing the terminal view instead." not in out.stderr \
                        or "Summary:" not in out.stdout:
                    raise CheckFailed(f"no fallback to the terminal view ({env}):\n{out.stderr[-2000:]}")
        print("exe: without a usable display it says why and shows the terminal view (dead display, none)")

        if shutil.which("unshare") and os.geteuid() == 0:
            out = _run(["--cli", "--lang", "en"], expect=None, prefix=["unshare", "-n"])
            if out.returncode not in (0, 1, 2) or "Summary:" not in out.stdout:
                raise CheckFailed(f"live run without a network: exit {out.returncode}\n{out.stderr[-2000:]}")
            print(f"exe: live run in an empty network namespace finished (exit {out.returncode})")
        else:
            print("exe: live run skipped: needs root and unshare to cut the network off")

        if shutil.which("unshare") and os.geteuid() == 0:
            # A temporary folder with room for what PyInstaller unpacks but not for the packed libraries (a tmpfs
            # in a mount namespace of its own): one translated line, exit 3, nothing left behind.
            with tempfile.TemporaryDirectory() as small:
                script = 'mount -t tmpfs -o size=60m tmpfs "$0" && { TMPDIR="$0" "$@"; rc=$?; ls -A "$0"; exit $rc; }'
                out = _run(["--cli", "--lang", "ja", "--scenario", "healthy-linux"], expect=3,
                           prefix=["unshare", "-m", "sh", "-c", script, small])
                if "プログラムのライブラリを一時フォルダー" not in out.stderr or "ディスクがいっぱいです。" not in out.stderr \
                        or "_MEI" in out.stdout:
                    raise CheckFailed(f"a full temporary folder: {out.stderr[-2000:]}\nleft: {out.stdout[-500:]}")
            print("exe: a full temporary folder is one translated line, exit 3, nothing left behind")
        else:
            print("exe: full temporary folder skipped: needs root and unshare for a small tmpfs")
    except CheckFailed as exc:
        print(f"exe: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
