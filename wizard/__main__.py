"""`python -m wizard` runs the same entry point as the `vmbackup-wizard` command."""

import sys

from wizard.cli import main

sys.exit(main())
