"""A WaAppAgent.log or status file that cannot be read: in use by the agent (a sharing violation, retried
once) is told apart from access denied by the Windows error number, not by the (translated) text."""

from __future__ import annotations

from typing import Any

from wizard import runner
from wizard.checks.registry import ALL_CHECKS
from wizard.checks.win_files import unreadable_reason
from wizard.model import Status
from wizard.probes.base import Answer, os_error_fields
from wizard.probes.fake import FakeSystem

LOG = "C:\\WindowsAzure\\Logs\\WaAppAgent.log"
IN_USE: Answer = {"exists": True, "is_file": True, "readable": False, "size": 10, "mtime": 1.0, "text": None,
                  "truncated": False, "winerror": 32,
                  "error": "プロセスはファイルにアクセスできません。別のプロセスが使用中です。"}


class Locked:
    """Answers the log's read with a sharing violation `times` times, then reads it."""

    def __init__(self, inner: FakeSystem, times: int) -> None:
        self.inner, self.times, self.reads = inner, times, 0

    def call(self, probe: str, /, **args: Any) -> Answer:
        if probe == "read_file" and args.get("path") == LOG:
            self.reads += 1
            if self.reads <= self.times:
                return dict(IN_USE)
        return self.inner.call(probe, **args)


def vm() -> FakeSystem:
    fake = FakeSystem(system="windows", user="Administrator", is_admin=False).on_azure()
    fake.files[LOG] = "[00000006] [06/20/2019 07:44:28.93] [INFO] Agent started\n"
    return fake


def test_a_log_in_use_is_read_on_the_second_try() -> None:
    probe = Locked(vm(), times=1)
    r = runner.run(ALL_CHECKS, probe, only=["agent.log"]).results[0]
    assert r.status is Status.OK and probe.reads == 2


def test_a_log_still_in_use_is_said_to_be_in_use_not_forbidden() -> None:
    probe = Locked(vm(), times=5)
    r = runner.run(ALL_CHECKS, probe, only=["agent.log"]).results[0]
    assert r.status is Status.NOT_CHECKED
    assert r.summary.id.startswith("Not checked: {path} is in use by another program")
    assert r.fix == []  # running as Administrator would not help
    assert probe.reads == 2


def test_reasons_come_from_the_error_number() -> None:
    assert unreadable_reason(IN_USE) == "in_use"
    assert unreadable_reason({"winerror": 5, "error": "アクセスが拒否されました。"}) == "denied"
    assert unreadable_reason({"error": "Permission denied"}) == "denied"
    assert unreadable_reason({"error": "something else"}) == "other"


def test_the_file_probe_keeps_the_windows_error_number() -> None:
    exc = OSError(13, "The process cannot access the file because it is being used by another process")
    exc.winerror = 32  # type: ignore[attr-defined]
    assert os_error_fields(exc)["winerror"] == 32
    assert "winerror" not in os_error_fields(OSError(13, "Permission denied"))
