"""`python -m wizard.gui [options]` opens the wizard directly (for development; the program's
own entry point is `vmbackup-wizard`). Takes the command line's options plus `--screenshots DIR`."""

from __future__ import annotations

import argparse
import sys

from wizard.cli import UsageError, _setup_logging, build_parser
from wizard.i18n import detect_language


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        parser.add_argument("--screenshots", metavar="DIR",
                            help="walk every page after the run and save a PNG of each to DIR, then exit")
    except argparse.ArgumentError:
        pass  # the command line already has it
    _setup_logging()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"vmbackup-wizard: {exc}", file=sys.stderr)
        return 3
    from wizard.gui import run_gui

    return run_gui(args, args.lang or detect_language())


sys.exit(main())
