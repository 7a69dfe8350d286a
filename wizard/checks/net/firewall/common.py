"""What both sides of `net.firewall` share: the ports, portal error codes, limits, and running a command
with its outcome recorded.
"""

from __future__ import annotations

from typing import Any

from wizard.checks.base import CheckContext, error_msg
from wizard.i18n import N_
from wizard.knowledge import commands
from wizard.model import ListParam, Msg, listed
from wizard.probes.base import Answer, is_unavailable

PORTS = (80, 32526)
ERROR_CODES = ["UserErrorGuestAgentStatusUnavailable", "ExtensionSnapshotFailedNoNetwork",
               "ExtensionOperationFailedForManagedDisks"]
IPTABLES_TABLES = ("filter", "security")
IPTABLES_NFT_TABLE_NAMES = frozenset({"filter", "security", "raw", "mangle", "nat"})
MAX_NFT_TABLES = 20
EXCERPT = 2000
RUN_TIMEOUT = 15.0
PS_TIMEOUT = 60.0
PROFILES_PS_TIMEOUT = 20.0
WFP_NOTE = ("The Windows guest agent limits the Wire Server to Administrators and SYSTEM with its own firewall "
            "rules/WFP filters whose names are not confirmed by public documentation; this check judges rules by "
            "what they match, not by name, and reads Windows Firewall rules from the active store "
            "(Get-NetFirewallRule), not raw WFP filters (netsh wfp show filters dir=OUT remoteaddr=168.63.129.16).")
VERIFY_LINUX = commands.LINUX_WIRESERVER_TEST
VERIFY_WINDOWS = commands.WINDOWS_WIRESERVER_TEST

_PERMISSION_WORDS = ("permission denied", "must be root", "operation not permitted", "access is denied")
_NO_WAIT_WORDS = ("unrecognized option", "unknown option", "invalid option")


def _ports_text(ports: list[int]) -> ListParam:
    """Port numbers as a list parameter: "80, 32526" in English, "80、32526" in Japanese."""
    return listed(str(p) for p in ports)


def _stderr(ans: Answer) -> str:
    return str(ans.get("stderr") or ans.get("error") or "")[:500]


def _run_state(ans: Answer) -> str:
    """ok | unavailable | not_found | permission | timeout | failed."""
    if is_unavailable(ans):
        return "unavailable"
    if not ans.get("found"):
        return "not_found"
    if ans.get("timed_out"):
        return "timeout"
    if ans.get("returncode") == 0:
        return "ok"
    err = _stderr(ans).lower()
    if any(w in err for w in _PERMISSION_WORDS):
        return "permission"
    return "failed"


def _run(ctx: CheckContext, argv: list[str], runs: list[dict[str, Any]], timeout: float = RUN_TIMEOUT) -> Answer:
    ans = ctx.call("run", argv=argv, timeout=timeout)
    record = {"argv": " ".join(argv), "state": _run_state(ans), "returncode": ans.get("returncode"),
              "stderr": _stderr(ans)[:300]}
    if ans.get("error_msg"):
        record["error_msg"] = ans["error_msg"]
    runs.append(record)
    return ans


def _run_reason(run: dict[str, Any]) -> Msg:
    """Why a command gave no rules: its own words on stderr, else the probe's reason, else its exit code."""
    if run.get("error_msg"):
        return error_msg(run)
    if run.get("stderr"):
        return error_msg({"error": run["stderr"][:200]})
    return Msg(N_("exit code {code}"), {"code": run.get("returncode")})
