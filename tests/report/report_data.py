"""Diagnoses for the report tests: the shipped scenarios (replayed once), with case details, and a hostile one."""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.knowledge.symptom import build_symptom, order_results
from wizard.model import CheckResult, Component, Diagnosis, DocLink, FixStep, HostInfo, Msg, Phase, Status
from wizard.paths import resource
from wizard.probes.scenario import ReplayProbe

SCENARIOS = sorted(p.stem for p in resource("scenarios").glob("*.json"))
LANGS = ("en", "ja")
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_COMMENT = "<!--<script>alert(2)</script>"


@cache
def _replayed(name: str) -> Diagnosis:
    diag = runner.run(ALL_CHECKS, ReplayProbe.load(resource("scenarios", name + ".json")))
    diag.source = {"kind": "scenario", "path": str(resource("scenarios", name + ".json")), "title": name}
    return diag


def scenario(name: str) -> Diagnosis:
    """A fresh copy of the diagnosis of a shipped scenario (replayed once per test session)."""
    return copy.deepcopy(_replayed(name))


def with_case(diag: Diagnosis) -> Diagnosis:
    """The diagnosis as the wizard makes it with every case detail filled in."""
    diag.symptom = build_symptom("UserErrorGuestAgentStatusUnavailable", "take_snapshot")
    diag.results = order_results(diag.results, diag.symptom)
    diag.case = {"activity_id": "3f2b8c1e-9d4a-4b7e-8f21-6c5d0a9e7b13", "started": "Since 2026-11-20, every night",
                 "tried": "Restarted the VM.\nChecked the NSG rules."}
    return diag


def hostile_diagnosis() -> Diagnosis:
    """Every VM-derived string a report shows, set to markup that would run if it were not escaped."""
    hostile = HOSTILE_IMG + HOSTILE_SCRIPT + HOSTILE_COMMENT
    result = CheckResult(
        id="net.firewall", status=Status.PROBLEM, component=Component.NETWORK_PATH, phase=Phase.TAKE_SNAPSHOT,
        title=Msg("In-guest firewall rules"),
        summary=Msg('The in-guest firewall blocks root\'s connections to the Wire Server (168.63.129.16) on port '
                    '{ports}: rule "{rule}" in {where}.', {"ports": "80", "rule": hostile, "where": HOSTILE_SCRIPT}),
        why=Msg("{x}", {"x": hostile}),
        fix=[FixStep(Msg("{x}", {"x": HOSTILE_IMG}), command=hostile)],
        docs=[DocLink(Msg(HOSTILE_IMG), "javascript:alert(3)")],
        error_codes=[HOSTILE_IMG],
        evidence={"text": hostile, HOSTILE_IMG: [HOSTILE_SCRIPT, {"nested": HOSTILE_COMMENT}]},
        duration_s=0.5,
    )
    return Diagnosis(
        tool_name="vmbackup-wizard", tool_version="0.1.0",
        started_at=dt.datetime(2026, 11, 25, 19, 5, 51, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        duration_s=1.0,
        host=HostInfo(hostname=HOSTILE_IMG, os="linux", os_version=HOSTILE_SCRIPT, is_admin=True, is_azure=True,
                      imds={"name": HOSTILE_IMG, "resource_group": HOSTILE_SCRIPT, "vm_id": HOSTILE_COMMENT,
                            "location": hostile}),
        results=[result],
        symptom={**(build_symptom("UserErrorGuestAgentStatusUnavailable", "take_snapshot") or {}), "input": hostile},
        source={"kind": "scenario", "path": HOSTILE_SCRIPT, "title": HOSTILE_IMG},
        case={"activity_id": HOSTILE_IMG, "started": HOSTILE_SCRIPT, "tried": hostile},
    )
