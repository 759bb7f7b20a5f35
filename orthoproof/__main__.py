"""``python -m orthoproof`` runs the command-line interface."""

from orthoproof.cli import main

raise SystemExit(main())
