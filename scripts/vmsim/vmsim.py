#!/usr/bin/env python3
"""The simulated Azure Linux VM by hand (docs/vmsim.md). Needs root.

    python scripts/vmsim/vmsim.py build                 # build (or reuse) the cached Debian 12 tree
    python scripts/vmsim/vmsim.py faults                # list the faults the tests stage
    python scripts/vmsim/vmsim.py wizard [--fault ID] [--user vmuser] [--keep]
                                                        # boot, wait for a healthy agent, stage the fault,
                                                        # run the wizard inside, print its verdicts, stop
    python scripts/vmsim/vmsim.py shell [--fault ID]    # boot and stay up; prints the nsenter command to
                                                        # enter the VM; Ctrl-C powers it off

Everything runs inside an empty network namespace; the wizard is pointed at the loopback emulator
(`--wireserver 127.0.0.1 ... --imds 127.0.0.2:80`). Nothing is sent beyond loopback.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "vmsim"))

from simvm import tree as tree_module
from simvm.faults import FAULTS, by_id
from simvm.vm import SimVM, VMError, missing_requirements


def _build() -> tree_module.Tree:
    tree = tree_module.build()
    state = "built" if tree.built_now else "reused"
    print(f"tree {state} in {tree.seconds:.1f} s: {tree.root}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(tree.manifest["versions"].items()) if v))
    return tree


def _boot(keep: bool) -> SimVM:
    tree = _build()
    vm = SimVM(tree, keep=keep)
    vm.start()
    print(f"booted in {vm.timings['boot_s']} s (run folder {vm.run_dir}); waiting for a healthy agent ...")
    print(f"agent healthy after {vm.wait_healthy(timeout=300):.1f} s")
    return vm


def cmd_wizard(args: argparse.Namespace) -> int:
    fault = by_id()[args.fault] if args.fault else None
    vm = _boot(args.keep)
    try:
        if fault is not None:
            print(f"staging {fault.id}: {fault.title}")
            fault.setup(vm)
        try:
            run = vm.run_wizard(args.fault or "manual", user=args.user or (fault.user if fault else "root"))
        finally:
            if fault is not None:
                fault.undo(vm)
        for r in run.doc["results"]:
            print(f"  {r['id']:26} {r['status']:12} {r['summary']}")
        print(f"exit code {run.exit_code}, {run.seconds:.1f} s; recording: {run.recording}")
        if args.json:
            Path(args.json).write_text(json.dumps(run.doc, indent=1), encoding="utf-8")
        return 0
    finally:
        vm.stop()


def cmd_shell(args: argparse.Namespace) -> int:
    vm = _boot(keep=True)
    try:
        if args.fault:
            by_id()[args.fault].setup(vm)
            print(f"staged {args.fault} (not undone)")
        print("enter the VM with:\n  " + shlex.join(["nsenter", "-t", str(vm.init_pid), "-a", "-r", "-w", "bash"]))
        env = [f"{k}={v}" for k, v in vm.wizard_env().items()]
        print("run the wizard inside with:\n  " + shlex.join(["env", *env, *vm.wizard_argv()]))
        print("Ctrl-C powers the VM off.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        vm.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="The simulated Azure Linux VM by hand (docs/vmsim.md).")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build or reuse the cached tree")
    sub.add_parser("faults", help="list the faults")
    wizard = sub.add_parser("wizard", help="boot, stage a fault, run the wizard inside, stop")
    wizard.add_argument("--fault", choices=sorted(by_id()))
    wizard.add_argument("--user", choices=("root", "vmuser"))
    wizard.add_argument("--json", help="write the wizard's JSON here")
    wizard.add_argument("--keep", action="store_true", help="keep the run folder")
    shell = sub.add_parser("shell", help="boot and stay up until Ctrl-C")
    shell.add_argument("--fault", choices=sorted(by_id()))
    args = parser.parse_args()
    if args.command == "faults":
        for fault in FAULTS:
            print(f"{fault.id:32} {fault.title}")
        return 0
    build_needed = not (tree_module.cache_root() / tree_module.recipe_hash() / "manifest.json").exists()
    reasons = missing_requirements(build=build_needed)
    if args.command == "build":
        reasons = [r for r in reasons if "mmdebstrap" in r or "root" in r]
    if reasons:
        print("vmsim: cannot run here: " + "; ".join(reasons), file=sys.stderr)
        return 2
    try:
        if args.command == "build":
            _build()
            return 0
        if args.command == "wizard":
            return cmd_wizard(args)
        return cmd_shell(args)
    except (VMError, tree_module.TreeError) as exc:
        print(f"vmsim: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
