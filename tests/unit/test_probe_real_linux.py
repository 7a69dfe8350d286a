"""Every real-system probe, asked about the Linux machine the tests run on.

Nothing here is faked: procfs, sysfs, /etc, real commands (present and absent), the service
manager, and the machine's CPU, memory, disks and processes. Each answer is compared with what
this machine says through another route (a plain `open()`, `os.statvfs`, `/proc/meminfo`), so a
probe that answers "nothing" or the wrong thing fails, not only one that crashes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wizard.parsers.mounts import parse_proc_mounts
from wizard.probes.system import SystemProbe

pytestmark = pytest.mark.posix("reads this Linux machine's procfs, sysfs and /etc and runs its commands")


@pytest.fixture
def probe() -> SystemProbe:
    return SystemProbe()


# -- procfs and sysfs: size 0, no seek to the end ---------------------------------------------


def test_proc_mounts_is_read_whole_and_parses(probe: SystemProbe) -> None:
    expected = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    answer = probe.call("read_file", path="/proc/mounts", max_bytes=1024 * 1024)
    assert answer["exists"] and answer["is_file"] and answer["readable"], answer
    assert answer["error"] is None and answer["truncated"] is False
    assert answer["text"].splitlines()[0] == expected.splitlines()[0]
    assert len(answer["text"].splitlines()) == len(expected.splitlines()) > 0
    mounts = parse_proc_mounts(answer["text"])["mounts"]
    assert "/" in {m["target"] for m in mounts}
    assert "/proc" in {m["target"] for m in mounts}


def test_a_procfs_file_larger_than_the_limit_is_cut_after_a_whole_line(probe: SystemProbe) -> None:
    answer = probe.call("read_file", path="/proc/self/status", max_bytes=64)
    assert answer["readable"] and answer["truncated"] is True
    assert answer["text"].startswith("Name:\t")
    assert answer["text"].endswith("\n") and len(answer["text"].encode()) <= 64


def test_a_sysfs_attribute_reads_like_open(probe: SystemProbe) -> None:
    path = "/sys/devices/system/cpu/online"
    answer = probe.call("read_file", path=path)
    assert answer["readable"] and answer["truncated"] is False
    assert answer["text"] == Path(path).read_text(encoding="ascii")
    assert re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*\n", answer["text"])
