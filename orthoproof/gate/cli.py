"""``orthoproof check``: the CI gate's command line.

Exit status: 0 when every ``--expect`` holds (or none was given), 1 when one
does not, 2 for a usage or input error (bad import path, code that raises,
wrong shapes, NaN), with a message naming the cause.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from orthoproof.errors import InvalidArgument, OrthoproofError
from orthoproof.gate.adapters import PARAM_FORMS
from orthoproof.gate.loading import load_object
from orthoproof.gate.problem import GROUPS
from orthoproof.gate.results import CheckReport, parse_expectations

__all__ = ["add_check_parser", "main", "run_check"]

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


def add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``check`` subcommand to an ``add_subparsers()`` object."""
    check = subparsers.add_parser(
        "check",
        help="check a user's loss or optimiser for rotation symmetry",
        description="Check a loss or optimiser named by import path; exit 0 when "
        "every --expect holds, 1 when one fails, 2 on a usage or input error.",
    )
    what = check.add_mutually_exclusive_group(required=True)
    what.add_argument("--loss", metavar="PKG.MOD:ATTR", help="loss(A, B, **data)")
    what.add_argument(
        "--optimiser",
        "--optimizer",
        dest="optimiser",
        metavar="PKG.MOD:ATTR",
        help="init/step object or factory, torch.optim class, or optax transform",
    )
    check.add_argument("--grad", metavar="PKG.MOD:ATTR", help="grad(A, B, **data)")
    check.add_argument("--options", default="{}", help="JSON keyword arguments")
    check.add_argument("--params", choices=PARAM_FORMS, default="dict")
    check.add_argument(
        "--group", action="append", choices=GROUPS, help="repeatable; default all"
    )
    check.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="GROUP=VERDICT",
        help="GROUP=equivariant|broken (repeatable)",
    )
    check.add_argument("--steps", type=int, default=20)
    check.add_argument("--seed", type=int, default=0)
    check.add_argument("--k", type=int, default=3)
    check.add_argument("--m", type=int, default=4)
    check.add_argument("--n", type=int, default=5)
    check.add_argument("--data-keys", default="X", help="loss keywords among X,W,b,c")
    check.add_argument("--json", metavar="PATH", help="write the JSON report")
    check.add_argument("--junit", metavar="PATH", help="write JUnit XML")
    return check


def _options(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidArgument.of("options", text, "a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidArgument.of("options", text, "a JSON object")
    return value


def _check(args: argparse.Namespace) -> CheckReport:
    from orthoproof.gate.loss import check_loss
    from orthoproof.gate.optimiser import check_optimiser

    groups = tuple(args.group or GROUPS)
    expectations = parse_expectations(args.expect)
    shapes = {"k": args.k, "m": args.m, "n": args.n}
    if args.loss:
        grad = load_object(args.grad) if args.grad else None
        report = check_loss(
            load_object(args.loss),
            grad,
            groups=groups,
            seed=args.seed,
            data_keys=tuple(s for s in args.data_keys.split(",") if s),
            target=args.loss,
            grad_target=args.grad,
            **shapes,
        )
    else:
        report = check_optimiser(
            load_object(args.optimiser),
            groups=groups,
            steps=args.steps,
            seed=args.seed,
            options=_options(args.options),
            params=args.params,
            target=args.optimiser,
            **shapes,
        )
    return report.expect(expectations)


def run_check(args: argparse.Namespace, console: Console) -> int:
    """Run ``orthoproof check`` for parsed ``args``; return the exit status."""
    from orthoproof.gate.output import summary_table, write_json, write_junit

    errors = Console(stderr=True, width=130)
    try:
        report = _check(args)
        if args.json:
            write_json(report, args.json)
        if args.junit:
            write_junit(report, args.junit)
    except (OrthoproofError, OSError) as exc:
        errors.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    console.print(summary_table(report))
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    failed = [g for g in report.groups if not g.as_expected]
    for g in failed:
        # soft_wrap: a replay command broken over two lines no longer replays.
        console.print(
            report.failure_message(g), highlight=False, markup=False, soft_wrap=True
        )
    if failed:
        console.print(f"{len(failed)} expectation(s) failed", style="bold red")
        return EXIT_MISMATCH
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (``python -m orthoproof.gate check ...``)."""
    parser = argparse.ArgumentParser(prog="orthoproof")
    add_check_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=130)
    return run_check(args, console)
