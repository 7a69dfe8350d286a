"""The import graph keeps the layers of the design: probes → checks → runner → answer → presenters.

- no import circle anywhere in `wizard/` (module level and inside functions alike);
- probes know nothing of checks, the answer layer or presenters;
- checks know nothing of the runner, the answer layer or presenters;
- the answer layer (`wizard.present`) never touches a probe implementation or the GUI;
- nothing but the wizard itself imports the GUI (the smoke test and the command line start it);
- the GUI never imports the command line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "wizard"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base
                                                                                                       else []))
                # `from package import module` depends on that module, not on the package's __init__
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets = subs if len(subs) == len(node.names) else [base, *subs]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target.startswith("wizard") and target != name:
                    graph[name].add(target)
    return graph


GRAPH = _graph()


def _reaches(start: str, goal: str) -> bool:
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt in GRAPH.get(node, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def test_there_is_no_import_circle() -> None:
    packages = {m for m in GRAPH if (PKG / Path(*m.split(".")[1:]) / "__init__.py").exists()}
    circles = sorted(f"{a} -> {b}" for a in GRAPH for b in GRAPH[a]
                     if b not in packages and a not in packages and _reaches(b, a))
    assert circles == []


def _imports(prefix: str) -> dict[str, set[str]]:
    return {m: deps for m, deps in GRAPH.items() if m == prefix or m.startswith(prefix + ".")}


def test_probes_know_nothing_above_them() -> None:
    bad = {m: {d for d in deps if d.startswith(("wizard.checks", "wizard.present", "wizard.gui", "wizard.report",
                                                  "wizard.cli", "wizard.runner"))}
           for m, deps in _imports("wizard.probes").items()}
    assert {m: d for m, d in bad.items() if d} == {}


def test_checks_know_nothing_of_the_runner_the_answer_or_presenters() -> None:
    bad = {m: {d for d in deps if d.startswith(("wizard.runner", "wizard.present", "wizard.gui", "wizard.report",
                                                  "wizard.cli", "wizard.launch"))}
           for m, deps in _imports("wizard.checks").items()}
    assert {m: d for m, d in bad.items() if d} == {}


def test_the_answer_layer_never_touches_probes_or_the_gui() -> None:
    allowed_probe = {"wizard.probes.safe"}  # the `finite` helper for numbers, not a probe
    bad = {m: {d for d in deps if (d.startswith("wizard.probes") and d not in allowed_probe)
               or d.startswith(("wizard.gui", "wizard.cli"))}
           for m, deps in _imports("wizard.present").items()}
    assert {m: d for m, d in bad.items() if d} == {}


def test_only_the_front_ends_start_the_gui_and_the_gui_never_imports_the_command_line() -> None:
    importers = {m for m, deps in GRAPH.items() if any(d.startswith("wizard.gui") for d in deps)
                 and not m.startswith("wizard.gui")}
    assert importers <= {"wizard.cli", "wizard.smoke"}
    assert not any(d == "wizard.cli" for deps in _imports("wizard.gui").values() for d in deps)


def test_no_module_is_longer_than_700_lines() -> None:
    long = {_module(p): n for p in PKG.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert long == {}


def test_ruff_holds_every_function_to_complexity_20() -> None:
    """The developers' guide: no function above cyclomatic complexity 20. Ruff's C901 (run by .ci/run) enforces
    it with the project's own configuration; a new offender fails here as well."""
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert "C901" in lint["select"] and lint["mccabe"]["max-complexity"] == 20
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "C901",
                          "--output-format", "concise", "wizard"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
