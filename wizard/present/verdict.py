"""The verdict in plain words at the top of every presenter: what the run means for the backup.

It counts *causes* (see `wizard.present.causes`), not results: one firewall rule that makes five checks
fail is one problem, and the verdict says how many other results follow from the causes. Edge cases get
their own honest sentence: a machine whose kind could not be told, a machine that is not an Azure VM, a
cancelled run.
"""

from __future__ import annotations

from wizard.i18n import Translator
from wizard.model import Diagnosis, Status
from wizard.present.causes import CauseGroup


def verdict_of(diag: Diagnosis, groups: list[CauseGroup], t: Translator) -> tuple[str, str, Status]:
    """The verdict sentence(s), the same in one short line for small windows, and the status shown with it."""
    by_id = {r.id: r for r in diag.results}
    causes = [by_id[g.cause] for g in groups]
    problems = [c for c in causes if c.status is Status.PROBLEM]
    warnings = [c for c in causes if c.status is Status.WARNING]
    follow = sum(len(g.consequences) for g in groups)
    explained = {cid for g in groups for cid, _ in g.consequences}
    unsure = [r for r in diag.results if r.status in (Status.ERROR, Status.NOT_CHECKED) and r.id not in explained
              and r.id not in {c.id for c in causes}]
    if diag.cancelled:
        return (t("The run was cancelled; the results below are incomplete."),
                t("The run was cancelled: incomplete results."), Status.NOT_CHECKED)
    if not diag.platform_known:
        return (t("Could not tell what kind of machine this is, so nothing was checked. Run the wizard inside the "
                  "Azure VM itself (Windows or Linux), or give --root a bundle collected from one."),
                t("Could not tell what kind of machine this is."), Status.NOT_CHECKED)
    if diag.host.is_azure is False and not problems:
        return (t("This is not an Azure VM, so Azure VM Backup does not apply here. Run the wizard inside the VM "
                  "whose backup fails."), t("This is not an Azure VM."), Status.WARNING)
    if problems:
        main = t.ngettext(
            "{n} problem found inside this VM will make backups fail in the Take Snapshot phase.",
            "{n} problems found inside this VM will make backups fail in the Take Snapshot phase.",
            len(problems)).format(n=len(problems))
        short = t.ngettext("{n} problem will make backups fail.", "{n} problems will make backups fail.",
                           len(problems)).format(n=len(problems))
        status = Status.PROBLEM
    elif warnings:
        main = t.ngettext(
            "No blocking problem found, but {n} warning may make backups fail or slow them down.",
            "No blocking problem found, but {n} warnings may make backups fail or slow them down.",
            len(warnings)).format(n=len(warnings))
        short = t.ngettext("No blocking problem; {n} warning.", "No blocking problem; {n} warnings.",
                           len(warnings)).format(n=len(warnings))
        status = Status.WARNING
    elif unsure or any(c.status is Status.ERROR for c in causes):
        n = len(unsure) + sum(1 for c in causes if c.status is Status.ERROR)
        return (t.ngettext("No problem found, but {n} check could not look; see why below.",
                           "No problem found, but {n} checks could not look; see why below.", n).format(n=n),
                t.ngettext("No problem found; {n} check could not look.",
                           "No problem found; {n} checks could not look.", n).format(n=n), Status.NOT_CHECKED)
    else:
        return (t("No problem found inside this VM. If backups still fail, the cause is outside the VM: look up "
                  "the job's error code in the portal."), t("No problem found inside this VM."), Status.OK)
    parts = [main]
    if follow and len(causes) == 1:
        parts.append(t.ngettext("{n} more result follows from it and is listed under it.",
                                "{n} more results follow from it and are listed under it.", follow).format(n=follow))
    elif follow:
        parts.append(t.ngettext("{n} more result follows from these and is listed under its cause.",
                                "{n} more results follow from these and are listed under their causes.",
                                follow).format(n=follow))
    if unsure:
        parts.append(t.ngettext("{n} more check could not look; see why below.",
                                "{n} more checks could not look; see why below.", len(unsure)).format(n=len(unsure)))
    return t.sentences(parts), short, status
