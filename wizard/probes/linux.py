"""The Linux-only probes: `run` in the C locale, `service` through systemd, `elevation`.

`service` asks `systemctl show <name> --property=LoadState,ActiveState,SubState,UnitFileState,
Description --no-pager` and maps systemd's words onto the catalogue's:

- ActiveState: active/reloading -> running, inactive -> stopped, failed -> failed,
  activating -> start_pending, deactivating -> stop_pending.
- UnitFileState (returned as `enabled`, untouched): enabled/enabled-runtime -> start_type
  automatic; disabled/masked -> disabled; static, indirect, generated, ... -> manual (started
  only by another unit or by hand).
- LoadState not-found -> exists false. A systemctl that cannot answer (not installed, no
  systemd running) makes the answer unavailable: we could not look.

The other probes (files, network, CPU, ...) are shared with Windows; see `system.py`.
"""

from __future__ import annotations

import os
import sys

from wizard.i18n import N_
from wizard.probes.base import NOT_HERE, Answer, unavailable
from wizard.probes.command import check_argv, clamp_timeout, run_bounded
from wizard.probes.fsroot import decode_bytes

SYSTEMCTL_PROPERTIES = "LoadState,ActiveState,SubState,UnitFileState,Description"
SERVICE_TIMEOUT = 10.0

_STATES = {
    "active": "running",
    "reloading": "running",
    "inactive": "stopped",
    "failed": "failed",
    "activating": "start_pending",
    "deactivating": "stop_pending",
}
_START_TYPES = {
    "enabled": "automatic",
    "enabled-runtime": "automatic",
    "disabled": "disabled",
    "masked": "disabled",
    "masked-runtime": "disabled",
}


def c_locale_env() -> dict[str, str]:
    """Our environment with messages forced to the C locale, so output parses the same everywhere."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def run(argv: list[str], timeout: float | None = None) -> Answer:
    """The `run` answer: `argv` run without a shell, `LC_ALL=C`, output decoded as UTF-8/latin-1."""
    return run_bounded(check_argv(argv), clamp_timeout(timeout), _decode, env=c_locale_env())


def _decode(data: bytes) -> str:
    return decode_bytes(data, None)


def parse_systemctl_show(text: str) -> dict[str, str]:
    """`Key=Value` lines of `systemctl show` as a dict (later duplicates win)."""
    props: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            props[key.strip()] = value.strip()
    return props


def service_state(active_state: str) -> str:
    return _STATES.get(active_state, active_state or "unknown")


def start_type(unit_file_state: str) -> str:
    if not unit_file_state:
        return "unknown"
    return _START_TYPES.get(unit_file_state, "manual")


def service_answer(props: dict[str, str]) -> Answer:
    """The `service` answer from `systemctl show` properties."""
    load_state = props.get("LoadState", "")
    base: Answer = {"exists": load_state not in ("not-found", ""), "load_state": load_state, "error": None}
    if not base["exists"]:
        return {**base, "state": None, "start_type": None, "enabled": None, "display_name": None,
                "sub_state": None}
    unit_file_state = props.get("UnitFileState", "")
    return {
        **base,
        "state": service_state(props.get("ActiveState", "")),
        "sub_state": props.get("SubState") or None,
        "start_type": start_type(unit_file_state),
        "enabled": unit_file_state or None,
        "display_name": props.get("Description") or None,
    }


def service(name: str) -> Answer:
    """The `service` answer for a systemd unit (`walinuxagent` or `walinuxagent.service`)."""
    argv = ["systemctl", "show", name, f"--property={SYSTEMCTL_PROPERTIES}", "--no-pager"]
    result = run(argv, timeout=SERVICE_TIMEOUT)
    if not result["found"]:
        return unavailable(N_("command not found: {command}"), command="systemctl")
    props = parse_systemctl_show(result["stdout"])
    if result["timed_out"]:
        return unavailable(N_("systemctl did not answer within {seconds} s"), seconds=f"{SERVICE_TIMEOUT:g}")
    if "LoadState" not in props:
        detail = result["stderr"].strip()[:500] or result["error"]
        if detail:
            return unavailable(N_("systemctl could not answer: {detail}"), detail=detail)
        return unavailable(N_("systemctl could not answer (exit code {code})"), code=result["returncode"])
    return service_answer(props)


def elevation() -> Answer:
    """The `elevation` answer: root or not, and who we run as."""
    if sys.platform == "win32":
        return unavailable(NOT_HERE)
    import pwd

    uid = os.geteuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    return {"is_admin": uid == 0, "user": user, "uid": uid}
