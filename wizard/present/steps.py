"""Fix steps a non-expert can follow on *this* machine.

Each step may say which platform it is for (`linux`/`windows`), which Linux package families
(`apt`, `dnf`, `zypper`, comma-separated) and which shell its command is written for (`sh`, `powershell`, `cmd`).
For the machine at hand the answer keeps only the steps that apply, labels each command with the shell
to paste it into, and drops `sudo` when the wizard already runs as root (it is kept otherwise, and
never added to a Windows command). A step without a platform applies everywhere. Steps without an
explicit shell get the one their command is written in: PowerShell when it uses cmdlets or PowerShell
syntax, the Command Prompt for cmd.exe-only syntax (`&&`, `%VAR%`) or plain Windows tools, `sh` on Linux.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from wizard.checks.commands import RERUN_AS_ROOT
from wizard.i18n import N_, Translator
from wizard.model import Diagnosis, FixStep

SHELL_LABELS: dict[str, str] = {
    "sh": N_("In a terminal"),
    "sh_root": N_("In a terminal (as root)"),
    "powershell": N_("In PowerShell run as administrator"),
    "cmd": N_("In a Command Prompt run as administrator"),
}
_CMDLET = re.compile(r"\b(?:Get|Set|Start|Stop|Restart|Test|Enable|Disable|New|Remove|Select|Where|ConvertTo|"
                     r"ConvertFrom|Format|Out|Invoke|Resolve)-[A-Z][A-Za-z]+\b|\$_|\$env:")
_CMD_ONLY = re.compile(r"&&|\|\||%[A-Za-z_]+%|^\s*(?:net|sc|reg|setx|netsh|vssadmin|msdtc|msiexec)\b", re.I)
_SUDO = re.compile(r"(^|&&\s*|;\s*|\|\s*)sudo(?:\s+-E)?\s+")


@dataclass(frozen=True)
class Environment:
    """What the steps are chosen for: the platform, the Linux package family, and elevation."""

    platform: str
    family: str | None
    elevated: bool | None
    rerun: str = ""
    """The command that starts this same wizard again as root (replaces `RERUN_AS_ROOT` in steps)."""


@dataclass(frozen=True)
class StepView:
    text: str
    command: str | None
    shell: str | None
    shell_label: str


def environment_of(diag: Diagnosis) -> Environment:
    family = None
    if diag.host.os == "linux":
        family = linux_family(diag)
    from wizard.elevation import sudo_command

    return Environment(diag.host.os, family, diag.host.is_admin, sudo_command())


def linux_family(diag: Diagnosis) -> str | None:
    """apt / dnf / zypper, from what the results saw of the distribution (None when unknown)."""
    text = " ".join(str(v) for v in (diag.host.os_version, diag.host.imds.get("os_type"),
                                     diag.host.imds.get("offer"), diag.host.imds.get("publisher"),
                                     diag.host.imds.get("sku"))).lower()
    for words, family in ((("ubuntu", "debian", "canonical"), "apt"),
                          (("sles", "suse"), "zypper"),
                          (("rhel", "redhat", "centos", "almalinux", "rocky", "oracle", "mariner", "azurelinux",
                            "fedora"), "dnf")):
        if any(w in text for w in words):
            return family
    return None


def shell_of(step: FixStep, platform: str) -> str | None:
    """The shell the step's command is written for (the step's own, else worked out from the command)."""
    if step.command is None:
        return None
    if step.shell:
        return step.shell
    command = step.command
    if (step.platform or platform) == "windows":
        if _CMDLET.search(command):
            return "powershell"
        return "cmd" if _CMD_ONLY.search(command) else "powershell"
    return "sh"


def applies(step: FixStep, env: Environment) -> bool:
    if step.platform and env.platform in ("linux", "windows") and step.platform != env.platform:
        return False
    return not (step.family and env.family and env.family not in step.family.split(","))


def without_sudo(command: str) -> str:
    return _SUDO.sub(lambda mo: mo.group(1), command)


def step_views(steps: Iterable[FixStep], t: Translator, env: Environment) -> list[StepView]:
    out: list[StepView] = []
    for step in steps:
        if not applies(step, env):
            continue
        shell = shell_of(step, env.platform)
        command = step.command
        if command == RERUN_AS_ROOT and env.rerun:
            command = env.rerun
        label = ""
        if command is not None and shell == "sh":
            # the key is a variable: Babel 2.18 extracts a literal inside a gettext call as a msgid
            key = "sh_root" if env.elevated else "sh"
            if env.elevated:
                command = without_sudo(command)
            label = t(SHELL_LABELS[key])
        elif shell in SHELL_LABELS:
            label = t(SHELL_LABELS[shell])
        out.append(StepView(t.msg(step.text), command, shell, label))
    return out
