"""Load generators run *inside* the simulated VM with Debian's own python3 (stdlib only).

    python3 hogs.py memory READY_FILE   # hold anonymous memory until MemAvailable < 7.5 % of MemTotal
    python3 hogs.py cpu N               # N busy processes

Started as transient systemd services (`systemd-run`), so `systemctl stop` ends them; the memory
hog asks the kernel to kill it first (`OOMScoreAdjust=1000`) if memory runs out for real.
"""

import mmap
import os
import sys
import time

MEMORY_AVAILABLE_TARGET = 0.075
STEP = 256 * 1024 * 1024


def meminfo():
    values = {}
    with open("/proc/meminfo") as handle:
        for line in handle:
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0]) * 1024
    return values["MemTotal"], values["MemAvailable"]


def memory(ready_file):
    held = []
    while True:
        total, available = meminfo()
        if available / total < MEMORY_AVAILABLE_TARGET:
            break
        size = min(STEP, max(mmap.PAGESIZE, available - int(total * (MEMORY_AVAILABLE_TARGET - 0.01))))
        held.append(mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE))
    with open(ready_file + ".tmp", "w") as handle:
        handle.write(str(sum(len(m) for m in held)))
    os.rename(ready_file + ".tmp", ready_file)
    while True:
        time.sleep(3600)


def cpu(count):
    for _ in range(count - 1):
        if os.fork() == 0:
            break
    while True:
        pass


if __name__ == "__main__":
    if sys.argv[1] == "memory":
        memory(sys.argv[2])
    elif sys.argv[1] == "cpu":
        cpu(int(sys.argv[2]))
    else:
        sys.exit("usage: hogs.py memory READY_FILE | cpu N")
