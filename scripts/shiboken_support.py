#!/usr/bin/env python3
"""shiboken6's support package precompiled into the executable (used by build.spec).

`import shiboken6` (which PySide6 does first, and PyInstaller's PySide6 run-time hook before our first line)
loads `shibokensupport` (function signatures, enums, features: 13 modules). Its sources are a zip
embedded in libshiboken, and shiboken's bootstrap compiles every one of them with `compile()` at each start
(`import shiboken6`: about 61 ms, 46 ms with the package precompiled; the naive build pays it too). The bootstrap takes a different path
when a folder `files.dir` exists beside `shiboken6/__init__.py`: it puts that folder first on `sys.path` and
imports `shibokensupport` normally. So the build

- writes the embedded sources (the very files of the installed shiboken6) into the work folder, where
  PyInstaller's analysis finds them and puts them, compiled, into the PYZ archive like every other module;
- bundles `shiboken6/files.dir` holding only a README: the folder exists, holds no module, and the import
  falls through to the PYZ archive.

The code that runs is the same; only its compilation moved to build time. If a shiboken6 release no longer
embeds its support package this way, `extract` returns None and the build goes on without this.

    python scripts/shiboken_support.py OUT_DIR    # writes the sources and prints the module names
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

PACKAGE = "shibokensupport"
README = """\
shiboken6 imports its support package from this folder when the folder exists. In VM Backup Wizard's
one-file executable the package is in the PYZ archive, compiled when the executable was built, instead of
compiled from the sources embedded in libshiboken at every start (see scripts/shiboken_support.py).
"""


class Support(NamedTuple):
    path: str
    """The folder holding the `shibokensupport` package sources (for PyInstaller's pathex)."""
    modules: list[str]
    """Every module of the package (hidden imports: the bootstrap imports them by name)."""
    marker: tuple[str, str]
    """The README that makes `shiboken6/files.dir` exist in the bundle: (source, destination folder)."""


def embedded_sources() -> dict[str, bytes] | None:
    """The `shibokensupport/...py` files embedded in the installed libshiboken, or None if not found."""
    import shiboken6  # noqa: F401 - the import runs shiboken's bootstrap, which loads the package

    package = sys.modules.get(PACKAGE)
    archive = getattr(getattr(package, "__loader__", None), "zfile", None)
    if archive is None:
        return None
    return {name: archive.read(name) for name in archive.namelist()
            if name.startswith(PACKAGE + "/") and name.endswith(".py")}


def extract(out: Path) -> Support | None:
    sources = embedded_sources()
    if not sources:
        print("shiboken_support: no embedded shibokensupport sources found; the executable compiles them at "
              "start-up", file=sys.stderr)
        return None
    root = out / "src"
    modules = []
    for name, data in sorted(sources.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        modules.append(name[: -len(".py")].replace("/", ".").removesuffix(".__init__"))
    readme = out / "files.dir" / "README.txt"
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text(README, encoding="utf-8")
    return Support(str(root), modules, (str(readme), "shiboken6/files.dir"))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    support = extract(Path(argv[0]))
    if support is None:
        return 1
    print("\n".join(support.modules))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
