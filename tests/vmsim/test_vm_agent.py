"""The simulated VM itself: an empty network namespace, the real agent healthy against the emulator,
its own firewall rules in force, the wizard running from this working tree inside the VM."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from simvm import emulator as emu
from simvm.session import Session
from simvm.vm import HANDLER_DIR, REPO

pytestmark = [pytest.mark.vmsim, pytest.mark.timeout(900)]


def test_the_namespace_has_loopback_only(vmsim: Session) -> None:
    vmsim.vm.assert_loopback_only()
    links = vmsim.vm.exec(["ip", "-o", "link"]).stdout.splitlines()
    assert [line.split(":")[1].strip() for line in links] == ["lo"]
    addresses = vmsim.vm.exec(["ip", "-o", "addr"]).stdout.splitlines()
    assert addresses and all(ipaddress.ip_interface(line.split()[3]).ip.is_loopback for line in addresses)


def test_every_request_the_emulator_saw_came_from_loopback(vmsim: Session) -> None:
    requests = vmsim.vm.requests()
    assert len(requests) > 20
    assert {ipaddress.ip_address(r["client"]).is_loopback for r in requests if "client" in r} == {True}


def test_the_agent_found_the_emulator_through_the_dhcp_lease(vmsim: Session) -> None:
    log = vmsim.vm.waagent_log()
    assert "found endpoint [127.0.0.1]" in log
    assert "Wire server endpoint:127.0.0.1" in log
    assert vmsim.vm.read("/var/lib/waagent/WireServerEndpoint") == "127.0.0.1"


def test_the_agents_own_imds_attempts_fail_inside_the_vm(vmsim: Session) -> None:
    log = vmsim.vm.waagent_log()
    assert "[IMDS_CONNECTION_ERROR]" in log
    fallback = [r for r in vmsim.vm.requests() if r.get("imds_fallback")]
    assert fallback and fallback[0]["path"].startswith("/metadata/instance")


def test_the_agent_ran_the_handler_and_reports_it_healthy(vmsim: Session) -> None:
    vm = vmsim.vm
    assert vm.handler_ready(since=vm.booted_at)
    downloads = [r["path"] for r in vm.requests() if r.get("role") == "storage" and r.get("status") == 200]
    assert f"/vmsim/{emu.HANDLER}_manifest.xml" in downloads
    assert f"/vmsim/{emu.ZIP_NAME}" in downloads
    assert '"status": "success"' in vm.read(f"{HANDLER_DIR}/status/0.status")
    assert "Extension status: [('Microsoft.Azure.RecoveryServices.VMSnapshotLinux', 'success')]" in vm.waagent_log()


def test_the_agent_installed_its_own_firewall_rules(vmsim: Session) -> None:
    rules = vmsim.vm.exec(["iptables", "-w", "-t", "security", "-S", "OUTPUT"]).stdout
    assert "-A OUTPUT -d 127.0.0.1/32 -p tcp -m tcp --dport 53 -j ACCEPT" in rules
    assert "-A OUTPUT -d 127.0.0.1/32 -p tcp -m owner --uid-owner 0 -j ACCEPT" in rules
    assert "-A OUTPUT -d 127.0.0.1/32 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP" in rules


def test_those_rules_admit_root_and_drop_everyone_else(vmsim: Session) -> None:
    url = "http://127.0.0.1/?comp=versions"
    as_root = vmsim.vm.exec(["curl", "-sS", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", url], check=False)
    as_user = vmsim.vm.exec(["curl", "-sS", "-m", "2", "-o", "/dev/null", url], user="vmuser", check=False)
    assert as_root.stdout == "200"
    assert as_user.returncode == 28  # curl: operation timed out


def test_the_wizard_inside_runs_from_this_working_tree(vmsim: Session) -> None:
    assert Path(vmsim.vm.wizard_source()) == REPO / "wizard" / "__init__.py"


def test_the_tree_holds_debians_agent(vmsim: Session) -> None:
    version = vmsim.vm.exec(["waagent", "--version"]).stdout
    assert "WALinuxAgent-2.7.3.0 running on debian 12" in version
    assert "Python: 3.11" in version
