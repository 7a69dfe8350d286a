#!/bin/sh
# Test stand-in for the VMSnapshotLinux launcher (written for the simulated VM, not Microsoft's code).
# Like the real launcher it looks for a Python in /usr/bin, then /usr/local/bin, and runs
# main/handle.py with it; without one it logs "python version unknown" and fails.
op="$1"
logdir=/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux
mkdir -p "$logdir"
log="$logdir/shell.log"
python=""
for dir in /usr/bin /usr/local/bin; do
    for name in python3.8 python3.7 python3.6 python3.5 python3.4 python3.3 python3 python2.7 python2.6 python2 python; do
        if [ -x "$dir/$name" ]; then
            python="$dir/$name"
            break 2
        fi
    done
done
if [ -z "$python" ]; then
    echo "$(date) - python version unknown" >> "$log"
    echo "python version unknown" >&2
    exit 1
fi
echo "$(date) - $python main/handle.py -$op" >> "$log"
exec "$python" main/handle.py "-$op"
