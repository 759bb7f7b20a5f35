"""The command line: ``orthoproof verify | check | basis | claims | report``.

The CLI owns the terminal: progress while the pipeline works, a one-screen
summary afterwards. Exit status: 0 when every verdict equals its expected
verdict, 1 when one differs, 2 for a usage or input error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orthoproof import __version__
from orthoproof.config import InvalidSetting
from orthoproof.errors import OrthoproofError
from orthoproof.options import check_output_directory, os_reason
from orthoproof.terminal import (
    EXIT_OK,
    EXIT_USAGE,
    _error,
    _unwritten,
)
from orthoproof.verdicts import Verdict
from orthoproof.verify_command import _config as _config  # tests import it here
from orthoproof.verify_command import add_verify_parser, run_verify

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orthoproof",
        description="Prove, fuzz and measure the rotation symmetry of factorisation "
        "models and their optimisers.",
    )
    parser.add_argument(
        "--version", action="version", version=f"orthoproof {__version__}"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more")
    commands = parser.add_subparsers(dest="command", required=True)

    add_verify_parser(commands)

    commands.add_parser("claims", help="list the claim catalogue")

    from orthoproof.gate.cli import add_check_parser

    add_check_parser(commands)

    from orthoproof.basis.command import add_basis_parser

    add_basis_parser(commands)

    report = commands.add_parser(
        "report", help="re-render Markdown, HTML and JUnit from a report.json"
    )
    report.add_argument("json", help="path of a report.json")
    report.add_argument("--out", required=True, help="directory for the reports")
    return parser


def _run_claims(console: Console) -> int:
    from orthoproof.groups import TABLE_GROUPS
    from orthoproof.optim.catalogue import expected_verdict, table_names
    from orthoproof.stages import catalogue
    from orthoproof.symmetry import GROUP_TITLES

    table = Table(title="claim catalogue")
    for column in ("claim", "group", "expected", "statement"):
        table.add_column(column)
    for spec in catalogue():
        table.add_row(spec.id, spec.group, str(spec.expected), spec.statement)
    console.print(table)

    # The optimisers' expected symmetries at a glance (FACTS.md's table).
    symmetry = Table(title="expected symmetry of each optimiser (✓ equivariant)")
    symmetry.add_column("optimiser")
    for group in TABLE_GROUPS:
        symmetry.add_column(GROUP_TITLES[group], justify="center")
    for name in table_names():
        marks = [
            "✓" if expected_verdict(name, g) == Verdict.HOLDS else "✗"
            for g in TABLE_GROUPS
        ]
        symmetry.add_row(name, *marks)
    console.print(symmetry)
    return EXIT_OK


def _run_report(args: argparse.Namespace, console: Console) -> int:
    from orthoproof.report import rerender_reports

    out = check_output_directory("--out", args.out)
    try:
        paths = rerender_reports(args.json, out)
    except OSError as exc:
        _unwritten("--out", args.out, exc, "nothing was re-rendered")
        return EXIT_USAGE
    for path in paths.values():
        console.print(f"wrote {escape(str(path))}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orthoproof`` console script.

    With ``argv`` None (the command line's own arguments) the process is the
    command's, and ``check`` runs the code under check in a child process.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    # Logs and CI pipes are not terminals: give the summary table room there
    # so claim ids are not cut.
    console = Console() if sys.stdout.isatty() else Console(width=130)
    try:
        if args.command == "verify":
            return run_verify(args, console)
        if args.command == "claims":
            return _run_claims(console)
        if args.command == "basis":
            from orthoproof.basis.command import run_basis

            return run_basis(args, console)
        if args.command == "check":
            from orthoproof.gate.cli import run_check, run_check_in_child

            # From the command line the process is ours: the check runs in a
            # child whose way of ending cannot decide the status.
            if argv is None:
                return run_check_in_child(args, console)
            return run_check(args, console)
        return _run_report(args, console)
    except InvalidSetting as exc:
        _error(str(exc.as_option()))
        return EXIT_USAGE
    except OrthoproofError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        # The commands turn the file errors they foresee into messages of their
        # own; this catches the rest, still without a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{os_reason(exc)}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; no report was written[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
