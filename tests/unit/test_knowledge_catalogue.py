"""The error-code catalogue, phase texts and FAQ are complete, well-formed and point at real check ids."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from wizard.i18n import Translator
from wizard.knowledge import (
    CATALOGUE,
    FAQS,
    PHASE_NAMES,
    PHASE_SECTIONS,
    SECTIONS,
    list_error_codes,
    lookup,
    render_faq,
    render_sections,
)
from wizard.model import DocLink, FixStep, Msg, Phase

# The check catalogue of design.md §4 (stable ids).
DESIGN_CHECK_IDS = frozenset({
    "env.azure", "env.elevation", "net.wireserver_port80", "net.wireserver_port32526",
    "net.wireserver_versions", "net.hostplugin_health", "net.imds", "net.proxy", "net.firewall", "net.dhcp",
    "agent.installed", "agent.service", "agent.version", "agent.config", "agent.log", "agent.python",
    "ext.backup", "ext.others", "ext.prepost", "res.cpu", "res.memory", "res.disk", "res.vss", "res.mounts",
    "res.disk_layout", "env.guest_proxy_agent",
    # issue 17: the agent-health checks of Microsoft's VM assist (docs/vmassist-parity.md)
    "guest.keyiso", "guest.wmi", "guest.crp_cert", "guest.machinekeys", "guest.folder_acl", "guest.modules",
    "guest.wcf_debug", "guest.crashes", "guest.tls", "guest.unit", "guest.agent_python", "guest.agent_package",
})

# Every code of facts §8 (codes sharing a row are separate entries or aliases).
FACTS_SECTION_8 = (
    "UserErrorGuestAgentStatusUnavailable", "GuestAgentSnapshotTaskStatusError",
    "UserErrorVmProvisioningStateFailed", "UserErrorRpCollectionLimitReached",
    "UserErrorKeyvaultPermissionsNotConfigured", "ExtensionSnapshotFailedNoNetwork",
    "ExtensionOperationFailedForManagedDisks", "ExtentionOperationFailedForManagedDisks",
    "BackUpOperationFailed", "BackUpOperationFailedV2", "UserErrorUnsupportedDiskSize",
    "UserErrorBackupOperationInProgress", "UserErrorCrpReportedUserError", "UserErrorBcmDatasourceNotPresent",
    "VMRestorePointInternalError", "CopyingVHDsFromBackUpVaultTakingLongTime", "UserErrorVmNotInDesirableState",
    "VmNotInDesirableState", "UserErrorFsFreezeFailed", "UserErrorUnableToOpenMount",
    "ExtensionSnapshotFailedCOM", "ExtensionInstallationFailedCOM", "ExtensionInstallationFailedMDTC",
    "ExtensionFailedVssWriterInBadState", "ExtensionFailedVssServiceInBadState",
    "ExtensionConfigParsingFailure", "ExtensionStuckInDeletionState", "ExtensionFailedSnapshotLimitReachedError",
    "ExtensionFailedTimeoutVMNetworkUnresponsive", "320001", "ResourceNotFound", "400094", "BCMV2VMNotFound",
    "UserErrorBCMPremiumStorageQuotaError", "380008", "AzureVmOffline", "ExtensionSnapshotBitlockerError",
    "ExtensionSnapshotFailedNoSecureNetwork", "ExtensionVCRedistInstallationFailure",
    "UserErrorRequestDisallowedByPolicy", "UserErrorSkuNotAvailable", "UserErrorMarketPlaceVMNotSupported",
    "UserErrorInstantRpNotFound", "UserErrorMigrationFromTrustedLaunchVMToNonTrustedVMNotAllowed",
    "UserErrorCrossSubscriptionRestore", "UserErrorSharedDiskBackupNotSupported",
    "UserErrorStandardSSDNotSupported",
)

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "wizard" / "knowledge"
LEARN = re.compile(r"^https://learn\.microsoft\.com/[a-z0-9/\-]+(#[a-z0-9\-]+)?$")
ALLOWED_URLS = re.compile(r"^https://(learn\.microsoft\.com|github\.com|go\.microsoft\.com)/")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogue_has_every_code_of_the_facts_table() -> None:
    assert len(CATALOGUE) >= 30
    for code in FACTS_SECTION_8:
        assert lookup(code) is not None, code


def test_codes_and_aliases_are_unique() -> None:
    names = [n.lower() for e in CATALOGUE for n in e.names]
    assert len(names) == len(set(names))


def test_numeric_ids_are_aliases_of_their_named_codes() -> None:
    assert lookup("380008") is lookup("AzureVmOffline")
    assert lookup("320001") is lookup("ResourceNotFound")
    assert lookup("400094") is lookup("BCMV2VMNotFound")
    assert lookup("BackUpOperationFailedV2") is lookup("BackUpOperationFailed")
    assert lookup("  usererrorfsfreezefailed ") is lookup("UserErrorFsFreezeFailed")
    assert lookup("") is None
    assert lookup("NoSuchCode") is None


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.code)
def test_entry_is_complete(entry) -> None:  # type: ignore[no-untyped-def]
    assert entry.code and " " not in entry.code
    for msg in (entry.title, entry.meaning):
        assert isinstance(msg, Msg) and msg.id.strip() and msg.params == {}
        assert not _placeholders(msg.id)
    assert entry.steps, "every entry says what to do"
    for step in entry.steps:
        assert isinstance(step, FixStep) and step.text.id.strip()
        assert step.command is None or step.command.strip()
        assert not _placeholders(step.text.id)
    assert entry.docs, "every entry links official documentation"
    for link in entry.docs:
        assert isinstance(link, DocLink) and link.title.id.strip()
        assert LEARN.match(link.url), link.url
    assert isinstance(entry.fixable_in_vm, bool)
    assert entry.phase is None or isinstance(entry.phase, Phase)


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.code)
def test_related_checks_exist_in_the_design(entry) -> None:  # type: ignore[no-untyped-def]
    assert set(entry.related_checks) <= DESIGN_CHECK_IDS
    assert len(set(entry.related_checks)) == len(entry.related_checks)
    if entry.fixable_in_vm:
        assert entry.related_checks, "an in-VM cause must be detectable by some check"


def test_registry_ids_are_a_subset_of_the_design() -> None:
    from wizard.checks.registry import ALL_CHECKS

    assert {c.id for c in ALL_CHECKS} <= DESIGN_CHECK_IDS


def test_key_facts_of_the_main_codes() -> None:
    agent = lookup("UserErrorGuestAgentStatusUnavailable")
    assert agent is not None
    assert agent.title.id == "VM Agent unable to communicate with Azure Backup"
    assert agent.fixable_in_vm and agent.phase is Phase.TAKE_SNAPSHOT
    assert {"agent.service", "net.wireserver_port80", "net.wireserver_port32526", "net.firewall"} <= set(
        agent.related_checks)
    commands = " ".join(s.command or "" for s in agent.steps)
    assert "168.63.129.16" in commands and "32526" in commands
    copying = lookup("CopyingVHDsFromBackUpVaultTakingLongTime")
    assert copying is not None and copying.phase is Phase.TRANSFER_TO_VAULT and not copying.fixable_in_vm
    assert "res.vss" in lookup("ExtensionFailedVssWriterInBadState").related_checks  # type: ignore[union-attr]


def test_to_dict_has_the_symptom_shape() -> None:
    entry = lookup("ExtensionSnapshotFailedNoNetwork")
    assert entry is not None
    data = entry.to_dict()
    assert {"code", "title", "meaning", "fixable_in_vm", "related_checks", "steps", "docs"} <= set(data)
    assert data["code"] == "ExtensionSnapshotFailedNoNetwork"
    assert data["title"] == {"id": entry.title.id, "params": {}}
    assert data["meaning"]["id"] == entry.meaning.id
    assert data["steps"][0] == {"text": {"id": entry.steps[0].text.id, "params": {}},
                                "command": entry.steps[0].command, "platform": "windows"}
    assert data["docs"][0]["url"].startswith("https://learn.microsoft.com/")
    assert data["related_checks"] == list(entry.related_checks)
    assert all(FixStep.from_dict(s) == step for s, step in zip(data["steps"], entry.steps, strict=True))


def test_list_error_codes_in_catalogue_order() -> None:
    rows = list_error_codes(Translator("en"))
    assert [code for code, _ in rows] == [e.code for e in CATALOGUE]
    assert dict(rows)["UserErrorFsFreezeFailed"].startswith("Failed to freeze")


def test_phase_sections_cover_the_facts() -> None:
    assert set(PHASE_SECTIONS) == set(Phase)
    assert set(PHASE_NAMES.values()) == {"Take Snapshot", "Transfer data to vault"}
    text = " ".join(p.id for s in SECTIONS for p in s.paragraphs)
    for fact in ("168.63.129.16", "32526", "forced tunnelling", "Network security groups (NSG)", "Azure Firewall",
                 "user-defined routes", "network interface (NIC)", "internet", "instant restore",
                 "restart the VM", "still in Take Snapshot", "skipped", "stopped (deallocated)",
                 "Application-consistent", "File-system consistent", "Crash-consistent"):
        assert fact in text, fact
    rendered = render_sections(Translator("en"))
    assert [r["key"] for r in rendered] == [s.key for s in SECTIONS]
    assert all(r["paragraphs"] and r["heading"] for r in rendered)


def test_faq_has_the_seed_questions_and_more() -> None:
    assert len(FAQS) >= 8
    keys = {f.key for f in FAQS}
    assert {"forced_tunnelling", "after_take_snapshot", "transfer_load"} <= keys
    assert len(keys) == len(FAQS)
    for f in FAQS:
        assert f.question.id.strip().endswith("?")
        assert f.answer and all(a.id.strip() for a in f.answer)
        assert all(ALLOWED_URLS.match(d.url) for d in f.docs)
    rendered = render_faq(Translator("en"))
    assert rendered[0]["question"] == FAQS[0].question.id


def _literal_marker_calls() -> list[tuple[str, int, ast.expr]]:
    calls = []
    for path in sorted(KNOWLEDGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_":
                calls.append((path.name, node.lineno, node.args[0]))
    return calls


def test_every_marked_string_is_a_literal_babel_can_extract() -> None:
    calls = _literal_marker_calls()
    assert len(calls) > 200
    for name, line, arg in calls:
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), f"{name}:{line}"


def test_every_text_in_the_data_is_a_marked_msgid() -> None:
    marked = {arg.value for _, _, arg in _literal_marker_calls() if isinstance(arg, ast.Constant)}
    texts = [e.title.id for e in CATALOGUE] + [e.meaning.id for e in CATALOGUE]
    texts += [s.text.id for e in CATALOGUE for s in e.steps] + [d.title.id for e in CATALOGUE for d in e.docs]
    texts += [p.id for s in SECTIONS for p in (s.heading, *s.paragraphs)]
    texts += [m.id for f in FAQS for m in (f.question, *f.answer)]
    missing = [t for t in texts if t not in marked]
    assert not missing
