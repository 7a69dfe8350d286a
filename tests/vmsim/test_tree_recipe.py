"""The recipe of the simulated VM's tree: Debian's own waagent.conf turned into the simulator's, the
cache key that decides when the tree is rebuilt."""

from __future__ import annotations

from simvm import tree
from simvm.vm import DATA

DEBIAN_CONF = DATA / "debian12_waagent.conf"


def test_debians_conf_gets_the_simulator_settings() -> None:
    original = DEBIAN_CONF.read_text(encoding="utf-8")
    edited = tree.edit_waagent_conf(original)
    assert tree.waagent_conf_value(original, "Provisioning.Agent") == "cloud-init"
    for key, value in tree.WAAGENT_CONF_SET.items():
        assert tree.waagent_conf_value(edited, key) == value
    assert tree.waagent_conf_value(edited, "OS.RootDeviceScsiTimeout") is None
    assert tree.waagent_conf_value(edited, "AutoUpdate.Enabled") == "n", "Debian's auto-update setting is kept"
    assert tree.waagent_conf_value(edited, "Extensions.Enabled") == "y"


def test_the_edit_keeps_every_other_line() -> None:
    original = DEBIAN_CONF.read_text(encoding="utf-8").splitlines()
    edited = tree.edit_waagent_conf("\n".join(original)).splitlines()
    changed = {line.split("=")[0].lstrip("#") for line in original if line not in edited}
    assert changed == {*tree.WAAGENT_CONF_SET, *tree.WAAGENT_CONF_COMMENT} - {"Logs.Console"}


def test_the_lease_hands_over_127_0_0_1_as_option_245() -> None:
    assert "option unknown-245 7f:0:0:1;" in tree.LEASE
    assert "expire 4 2099/" in tree.LEASE


def test_the_cache_key_follows_the_recipe(monkeypatch) -> None:
    key = tree.recipe_hash()
    assert key == tree.recipe_hash()
    monkeypatch.setattr(tree, "PACKAGES", (*tree.PACKAGES, "strace"))
    assert tree.recipe_hash() != key


def test_the_pinned_agent_is_debians_2_7_3_0() -> None:
    assert tree.PINNED["waagent"].startswith("2.7.3.0-")
    tree.verify({"waagent": tree.PINNED["waagent"], "python3": "3.11.2-1+b1", "systemd": "252.39-1~deb12u2"})
