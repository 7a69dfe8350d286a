"""`agent.python`: the Python the Linux backup extension's launcher needs.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.agent.common import LINUX_BINARIES, LINUX_UNITS, PYTHON_CANDIDATES, PYTHON_NAMES, _exists
from wizard.checks.base import CheckContext, Finding, m, step
from wizard.checks.commands import sh
from wizard.checks.docs import MATRIX as DOC_MATRIX
from wizard.checks.docs import TS_VM as DOC_TS_VM
from wizard.model import FixStep, Status
from wizard.parsers import waagent as wa
from wizard.probes.base import is_unavailable

# --- agent.python -----------------------------------------------------------------------------


def check_python(ctx: CheckContext) -> Finding:
    answers = {p: ctx.call("stat", path=p) for p in PYTHON_CANDIDATES}
    found = [p for p, a in answers.items() if _exists(a) and a.get("is_file", True) is not False]
    evidence: dict[str, Any] = {
        "search_order": "handle.sh: /usr/bin/ then /usr/local/bin/, names " + " ".join(PYTHON_NAMES)
                        + "; then python on PATH, then the Python running the agent",
        "order_note": "whether handle.sh walks folders or names first is not documented (folders first assumed); "
                      "the outcome (found or not) does not depend on it.",
        "found": found,
    }
    if all(is_unavailable(a) for a in answers.values()):
        return Finding(Status.NOT_CHECKED, m("Not checked: could not look for Python on this VM."), evidence=evidence)
    docs = [DOC_MATRIX, DOC_TS_VM]
    if found:
        picked = found[0]
        mode = answers[picked].get("mode")
        evidence["picked"] = picked
        evidence["picked_mode"] = oct(mode) if isinstance(mode, int) else mode
        if isinstance(mode, int) and not mode & 0o111:
            return Finding(
                Status.WARNING,
                m("{python} is the Python the backup extension's launcher would pick, but it is not executable "
                  "(mode {mode}).", python=picked, mode=oct(mode)),
                why=m("The launcher runs the first Python it finds; if that one cannot run, the backup extension "
                      "does not start and the snapshot is not taken."),
                fix=[step("Make it executable again, or reinstall the distribution's python3 package.",
                          command=f"sudo chmod 755 {sh(picked)}")],
                docs=docs, evidence=evidence)
        return Finding(Status.OK, m("The Linux backup extension's launcher will use {python}.", python=picked),
                       evidence=evidence)
    agent_python = _agent_python(ctx, evidence)
    if agent_python is not None:
        return Finding(
            Status.INFO,
            m("None of the Python paths the backup extension's launcher tries exists; it would fall back to the "
              "agent's own Python, {python}.", python=agent_python),
            why=m("This last fallback is not how the launcher normally finds Python; if the backup extension does "
                  "not start, install the distribution's python3 package."),
            fix=_python_install_steps(), docs=docs, evidence=evidence)
    return Finding(
        Status.PROBLEM,
        m("No Python that the Linux backup extension's launcher looks for was found (for example /usr/bin/python3)."),
        why=m("The backup extension (VMSnapshotLinux) is started by a shell script that runs its Python code; "
              "without Python it stops with \"python version unknown\" and no snapshot is taken."),
        fix=_python_install_steps(), docs=docs, evidence=evidence)


def _python_install_steps() -> list[FixStep]:
    return [step("Install Python 3 on Ubuntu or Debian.",
                 command="sudo apt-get update && sudo apt-get install python3"),
            step("Install Python 3 on Red Hat Enterprise Linux and related distributions.",
                 command="sudo yum install python3")]


def _agent_python(ctx: CheckContext, evidence: dict[str, Any]) -> str | None:
    """The absolute path of the Python that runs the agent (unit ExecStart or waagent's #! line), if it exists."""
    candidates: list[str] = []
    for unit in LINUX_UNITS[:6]:
        ans = ctx.call("read_file", path=unit, max_bytes=64 * 1024)
        if ans.get("readable"):
            found = wa.interpreter_from_unit(str(ans.get("text") or ""))
            if found:
                candidates.append(found)
    for binary in LINUX_BINARIES:
        ans = ctx.call("read_file", path=binary, max_bytes=64 * 1024)
        if ans.get("readable") and not ans.get("truncated"):
            found = wa.interpreter_from_shebang(str(ans.get("text") or ""))
            if found:
                candidates.append(found)
    evidence["agent_python_candidates"] = candidates[:10]
    for path in candidates:
        if path.startswith("/") and _exists(ctx.call("stat", path=path)):
            evidence["agent_python"] = path
            return path
    return None
