"""The verdict in plain words at the top of every presenter, and the order results are shown in."""

from __future__ import annotations

from wizard.i18n import Translator
from wizard.model import COMPONENT_ORDER, CheckResult, Diagnosis, Status


def verdict(diag: Diagnosis, t: Translator) -> str:
    """One or two sentences saying what the run means for the backup."""
    main = _main_verdict(diag, t)
    c = diag.counts()
    unsure = c["error"] + c["not_checked"]
    if unsure and (c["problem"] or c["warning"]) and not diag.cancelled:
        more = t.ngettext("{n} more check could not look; see why below.",
                          "{n} more checks could not look; see why below.", unsure).format(n=unsure)
        return t("{sentence} {more}", sentence=main, more=more)
    return main


def _main_verdict(diag: Diagnosis, t: Translator) -> str:
    c = diag.counts()
    if not diag.platform_known and not diag.cancelled:
        return t("Could not tell what kind of machine this is, so nothing was checked. Run the wizard inside the "
                 "Azure VM itself (Windows or Linux), or give --root a bundle collected from one.")
    if diag.cancelled:
        return t("The run was cancelled; the results below are incomplete.")
    if c["problem"]:
        return t.ngettext(
            "{n} problem found inside this VM will make backups fail in the Take Snapshot phase.",
            "{n} problems found inside this VM will make backups fail in the Take Snapshot phase.",
            c["problem"],
        ).format(n=c["problem"])
    if c["warning"]:
        return t.ngettext(
            "No blocking problem found, but {n} warning may make backups fail or slow them down.",
            "No blocking problem found, but {n} warnings may make backups fail or slow them down.",
            c["warning"],
        ).format(n=c["warning"])
    unsure = c["error"] + c["not_checked"]
    if unsure:
        return t.ngettext(
            "No problem found, but {n} check could not look; see why below.",
            "No problem found, but {n} checks could not look; see why below.",
            unsure,
        ).format(n=unsure)
    return t("No problem found inside this VM. If backups still fail, the cause is outside the VM: "
             "look up the job's error code in the portal.")


def severity_sorted(results: list[CheckResult]) -> list[CheckResult]:
    """Worst first, catalogue order within a status (a stable sort)."""
    return sorted(results, key=lambda r: r.status.rank)


def grouped(results: list[CheckResult]) -> list[tuple[str, str, list[CheckResult]]]:
    """Results as (phase, component, results) groups: groups with worse results first, then
    diagram order; inside a group, worst first."""
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    for r in results:
        groups.setdefault((r.phase.value, r.component.value), []).append(r)

    def key(item: tuple[tuple[str, str], list[CheckResult]]) -> tuple[int, int, int]:
        (phase, comp), rs = item
        worst_rank = min(r.status.rank for r in rs)
        return (0 if phase == "take_snapshot" else 1, worst_rank, COMPONENT_ORDER.index(comp))

    return [(p, c, severity_sorted(rs)) for (p, c), rs in sorted(groups.items(), key=key)]


def needs_detail(r: CheckResult) -> bool:
    return r.status in (Status.PROBLEM, Status.WARNING, Status.ERROR)
