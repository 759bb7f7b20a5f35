"""``python -m orthoproof.gate check ...`` until the main CLI has the subcommand."""

from __future__ import annotations

import sys

from orthoproof.gate.cli import main

sys.exit(main())
