"""Our check ids beside the VM assist names (issue 17): in the answer every presenter renders, and in
docs/vmassist-parity.md, where no row is left without our id or a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.knowledge import vmassist
from wizard.paths import resource
from wizard.present.answer import VMASSIST_ROW, build_answer
from wizard.probes.scenario import ReplayProbe
from wizard.report.render import render_report

PARITY = Path(__file__).resolve().parents[2] / "docs" / "vmassist-parity.md"
IDS = {c.id for c in ALL_CHECKS}


def answer(name: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    diag = runner.run(ALL_CHECKS, ReplayProbe.load(resource("scenarios") / f"{name}.json"))
    return build_answer(diag, lang)


def test_windows_findings_carry_the_vmassist_names_as_their_first_evidence_row() -> None:
    a = answer("healthy-windows")
    keyiso = a.findings["guest.keyiso"]
    assert keyiso.vmassist == ("Keyiso service",)
    assert (keyiso.evidence_rows[0].key, keyiso.evidence_rows[0].value) == (VMASSIST_ROW, "Keyiso service")
    assert a.findings["agent.service"].vmassist == ("RdAgent service", "WindowsAzureGuestAgent service")
    assert a.findings["res.vss"].vmassist == ()  # a backup check VM assist lacks: no row
    assert all(r.key != VMASSIST_ROW for r in a.findings["res.vss"].evidence_rows)


def test_linux_findings_use_the_linux_names_and_stay_english_in_japanese() -> None:
    a = answer("healthy-linux", "ja")
    assert a.findings["guest.agent_package"].evidence_rows[0].value.startswith("- Unit package; - Repo for Unit")
    assert a.findings["agent.config"].vmassist == ("Extensions", "AutoUpgrade", "WAA Extension", "WAA AutoUpgrade")


def test_the_report_shows_the_row() -> None:
    diag = runner.run(ALL_CHECKS, ReplayProbe.load(resource("scenarios") / "healthy-windows.json"))
    html = render_report(diag, "en")
    assert "StdRegProv WMI class" in html and VMASSIST_ROW in html


def test_every_mapped_id_exists_and_every_check_is_mapped_or_backup_only() -> None:
    mapped = set(vmassist.WINDOWS) | set(vmassist.LINUX)
    assert mapped <= IDS
    assert vmassist.BACKUP_ONLY <= IDS
    assert IDS - mapped - vmassist.BACKUP_ONLY == set()
    assert not mapped & vmassist.BACKUP_ONLY - {"ext.backup"}


def _rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_the_parity_table_has_no_row_without_our_id_or_a_reason() -> None:
    text = PARITY.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    checked = 0
    for section in sections:
        if not (section.startswith("Windows") or section.startswith("Linux")):
            continue
        for row in _rows(section)[1:]:
            ours, notes = row[2], row[3]
            ids = re.findall(r"`([a-z]+\.[a-z_0-9]+)`", ours)
            assert set(ids) <= IDS, row
            if not ids:
                assert ours in ("—", "-") and re.search(r"not (made|a check)", notes), row
            checked += 1
    assert checked >= 45


def test_the_parity_doc_names_every_check_and_every_vmassist_name() -> None:
    text = PARITY.read_text(encoding="utf-8")
    assert {i for i in IDS if f"`{i}`" not in text} == set()
    missing = [n for names in vmassist.WINDOWS.values() for n in names
               if n.split(" (")[0] not in text and not n.startswith(("aggregatestatus", "VM agent installed by"))]
    assert missing == []


@pytest.mark.parametrize("system, table", [("windows", vmassist.WINDOWS), ("linux", vmassist.LINUX)])
def test_lookup(system: str, table: dict[str, tuple[str, ...]]) -> None:
    for cid, names in table.items():
        assert vmassist.vmassist_names(cid, system) == names
    assert vmassist.vmassist_names("agent.service", "darwin") == ()


def test_the_json_document_carries_the_names() -> None:
    from wizard.jsonio import answer_doc

    doc = answer_doc(answer("healthy-windows"))
    assert doc["vmassist"]["guest.crp_cert"] == ["TenantEncryptionCert installed",
                                                 "TenantEncryptionCert within validity period"]
    assert "res.vss" not in doc["vmassist"]
