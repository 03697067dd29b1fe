"""Run the command line with ``python -m enrollctl``."""

import sys

from enrollctl.cli import main

sys.exit(main())
