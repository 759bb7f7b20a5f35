"""How the commands speak to the terminal: exit statuses and error lines.

Shared by the entry point (:mod:`orthoproof.cli`) and the subcommand modules,
so that no subcommand has to import the entry point back.
"""

from __future__ import annotations

import shlex

from rich.console import Console
from rich.markup import escape

from orthoproof.options import os_reason

__all__ = ["EXIT_MISMATCH", "EXIT_OK", "EXIT_USAGE"]

#: 0: every verdict as expected; 1: a verdict differs; 2: usage or input error.
EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


def _unwritten(flag: str, value: str, exc: Exception, lost: str) -> None:
    """Say that output could not be written after the work, and what was lost."""
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        reason = os_reason(exc) + where
    else:
        reason = str(exc)
    _error(f"{flag}={shlex.quote(value)}: could not be written: {reason}; {lost}")


def _error(message: str) -> None:
    # Errors go to standard error so that redirected output stays clean. The
    # message quotes user text (paths, ids), which must not be read as markup.
    Console(stderr=True, width=130).print(
        f"[red]error:[/] {escape(message)}", highlight=False
    )
