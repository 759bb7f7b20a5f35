"""``orthoproof verify``: settle every claim on real input and write the reports.

The command shows progress while the pipeline works and a one-screen summary
of the verdicts afterwards. Its exit status is the entry point's
(:mod:`orthoproof.cli`): 0 when every verdict equals its expected verdict, 1
when one differs, 2 when the reports cannot be written.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from orthoproof.claims import GROUP_NAMES
from orthoproof.config import (
    ALL_STAGES,
    MAX_DPS,
    MAX_FUZZ_EXAMPLES,
    MAX_STEPS,
    MAX_WINDOW,
    VerifyConfig,
)
from orthoproof.errors import OrthoproofError
from orthoproof.options import check_output_directory
from orthoproof.terminal import EXIT_MISMATCH, EXIT_OK, EXIT_USAGE, _unwritten
from orthoproof.trajectory.evidence import HIGH_PRECISION
from orthoproof.verdicts import ClaimResult

__all__ = ["add_verify_parser", "run_verify"]

STYLE = {
    "proved": "bold green",
    "holds": "green",
    "refuted": "bold red",
    "undecided": "yellow",
}


def _dps_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        # argparse prefixes "argument --dps: " itself.
        raise argparse.ArgumentTypeError(
            f"expected comma-separated ints such as 30,60, not {text!r}"
        ) from None
    return values


def add_verify_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``verify`` subcommand to an ``add_subparsers()`` object."""
    verify = subparsers.add_parser("verify", help="settle every claim on real input")
    verify.add_argument("--data", help="co-occurrence file: .bin (GloVe), .mtx, .npy")
    verify.add_argument(
        "--vocab-size",
        type=int,
        default=None,
        help="words kept (default: 40 of the built-in corpus, all of a file)",
    )
    verify.add_argument(
        "--window",
        type=int,
        default=10,
        help=f"built-in corpus's context window (default 10, at most {MAX_WINDOW})",
    )
    verify.add_argument(
        "--k", type=int, default=4, help="hidden dimension (default 4, at least 2)"
    )
    verify.add_argument(
        "--steps",
        type=int,
        default=50,
        help=f"trajectory steps (default 50, at most {MAX_STEPS})",
    )
    verify.add_argument(
        "--dps",
        type=_dps_list,
        default=(30, 60),
        help="two or more distinct high precisions in digits, from 17 to "
        f"{MAX_DPS} (default 30,60)",
    )
    verify.add_argument(
        "--backend",
        choices=tuple(HIGH_PRECISION),
        default="mpfr",
        help="high-precision number system of the core trajectory claims: mpfr "
        "object arrays (default), python-flint arb matrices, or FLINT's nfloat "
        "(the fastest; precision rounded up to whole 64-bit words)",
    )
    verify.add_argument("--seed", type=int, default=0)
    verify.add_argument(
        "--fuzz-examples",
        type=int,
        default=150,
        help=f"examples per fuzzed claim (default 150, at most {MAX_FUZZ_EXAMPLES})",
    )
    verify.add_argument("--only", help="settle just this claim id (for replay)")
    verify.add_argument(
        "--group",
        choices=tuple(GROUP_NAMES),
        help="with --only: just the claim stated for this group",
    )
    verify.add_argument(
        "--stages",
        default=",".join(ALL_STAGES),
        help=f"comma-separated subset of {','.join(ALL_STAGES)} (default: all)",
    )
    verify.add_argument(
        "--no-study", action="store_true", help="skip the basis-alignment study"
    )
    verify.add_argument(
        "--study-profile",
        choices=("small", "thorough"),
        default="small",
        help="small: seconds, in the default budget; thorough: more words and seeds",
    )
    verify.add_argument(
        "--out", default="reports", help="report directory (default reports)"
    )
    return verify


def _summary_table(results: Sequence[ClaimResult]) -> Table:
    table = Table(title="orthoproof verdicts", show_lines=False)
    table.add_column("claim", no_wrap=True)
    for column in ("group", "expected", "verdict", "evidence", ""):
        table.add_column(column)
    for r in results:
        style = STYLE[str(r.verdict)]
        kinds = ", ".join(sorted({e.kind for e in r.evidence})) or "none"
        mark = "[green]✓[/]" if r.as_expected else "[bold red]✗ differs[/]"
        table.add_row(
            escape(r.id),
            escape(r.group),
            str(r.expected),
            f"[{style}]{r.verdict}[/]",
            escape(kinds),
            mark,
        )
    return table


def _config(args: argparse.Namespace) -> VerifyConfig:
    """The settings of ``verify`` from its parsed options; checked on creation."""
    stages = tuple(s.strip() for s in args.stages.split(",") if s.strip())
    return VerifyConfig(
        seed=args.seed,
        data=args.data,
        vocab_size=args.vocab_size,
        window=args.window,
        k=args.k,
        steps=args.steps,
        dps=tuple(args.dps),
        backend=args.backend,
        fuzz_examples=args.fuzz_examples,
        stages=stages,
        study=not args.no_study and set(stages) == set(ALL_STAGES),
        study_profile=args.study_profile,
    )


def run_verify(args: argparse.Namespace, console: Console) -> int:
    """Run ``orthoproof verify`` for parsed ``args``; return the exit status."""
    from orthoproof.report import write_reports
    from orthoproof.verify import verify

    # Every check that needs no work comes first: the settings, then whether
    # the reports could be written at all. --only and --group are checked by
    # verify before it reads the input.
    config = _config(args)
    out = check_output_directory("--out", args.out)

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        # Labels hold group names in brackets, e.g. "adam [signed-perm]".
        TextColumn("{task.fields[label]}", markup=False),
    )
    with Progress(
        *columns, TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int, label: str) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, label="")
            bar.update(tasks[stage], completed=done, total=total, label=label)

        results, run, studies = verify(
            config, progress=progress, only=args.only, group=args.group
        )

    # Written before anything is printed, so that a closed pipe (| head)
    # cannot cost the reports; if they cannot be written after all (the
    # directory changed during the run), the verdicts are shown instead.
    try:
        paths = write_reports(results, run, out, studies)
    except (OSError, OrthoproofError) as exc:
        console.print(_summary_table(results))
        _unwritten("--out", args.out, exc, "the verdicts above were not saved")
        return EXIT_USAGE
    console.print(_summary_table(results))
    stages = {k: v for k, v in run.timings.items() if "/" not in k}
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in stages.items())
    console.print(f"timings: {timings} (total {sum(stages.values()):.1f}s)")
    console.print("reports: " + escape(", ".join(str(p) for p in paths.values())))
    if not results:
        console.print("[bold red]no claim was settled[/]: nothing to check")
        return EXIT_MISMATCH
    mismatched = [r for r in results if not r.as_expected]
    if mismatched:
        console.print(f"[bold red]{len(mismatched)} verdict(s) differ from expected[/]")
        return EXIT_MISMATCH
    console.print(f"[green]all {len(results)} verdicts as expected[/]")
    return EXIT_OK
