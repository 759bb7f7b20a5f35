"""``orthoproof basis PATH``: are the coordinate axes of these vectors privileged?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orthoproof.basis.measure import BasisResult, measure_basis
from orthoproof.basis.readers import Vectors, read_vectors
from orthoproof.basis.statistics import STATISTICS
from orthoproof.options import InvalidOption, check_output_file, os_reason

__all__ = ["add_basis_parser", "run_basis"]

#: Significance level of the one-line reading; the p-value is printed as well.
ALPHA = 0.01
#: Most Haar rotations of the null. 99 999 resolve p-values to 1e-5, far below
#: any significance level in use; more only catches a slipped digit late.
MAX_ROTATIONS = 99_999


def add_basis_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``basis`` subcommand to an ``add_subparsers()`` object."""
    basis = subparsers.add_parser(
        "basis",
        help="test whether the axes of trained vectors are privileged",
        description="Compare a basis-alignment statistic of the vectors with its "
        "distribution over Haar-random rotations of the same vectors.",
    )
    basis.add_argument("path", help="word2vec/GloVe text vectors, or a .npy array")
    basis.add_argument(
        "--rotations",
        type=int,
        default=199,
        help=f"Haar rotations of the null (default 199, at most {MAX_ROTATIONS})",
    )
    basis.add_argument("--seed", type=int, default=0)
    basis.add_argument("--statistic", choices=sorted(STATISTICS), default="kurtosis")
    basis.add_argument("--json", help="also write the result as JSON to this path")
    return basis


def _check_options(args: argparse.Namespace) -> Path | None:
    """Refuse bad options before reading or measuring; return the --json path."""
    if not 1 <= args.rotations <= MAX_ROTATIONS:
        raise InvalidOption(
            "--rotations", args.rotations, f"an int from 1 to {MAX_ROTATIONS}"
        )
    if args.seed < 0:
        raise InvalidOption("--seed", args.seed, "a non-negative int")
    return None if args.json is None else check_output_file("--json", args.json)


def _read(path: str) -> Vectors:
    try:
        return read_vectors(path)
    except OSError as error:
        # The reader reports missing and unreadable files; a path the system
        # cannot even look up (a name too long, a loop) fails in stat.
        raise InvalidOption(
            "path",
            path,
            "a readable vector file",
            f"cannot be read ({os_reason(error)})",
        ) from error


def run_basis(args: argparse.Namespace, console: Console) -> int:
    """Measure, print the answer with its p-value and effect size; exit 0."""
    json_path = _check_options(args)
    vectors = _read(args.path)
    result = measure_basis(
        vectors.array,
        rotations=args.rotations,
        seed=args.seed,
        statistic=args.statistic,
    )
    table = Table(title=f"basis alignment of {escape(args.path)}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("vectors × dimension", f"{result.n_vectors} × {result.k}"),
        (f"statistic ({result.statistic_name})", f"{result.statistic:.4g}"),
        ("under random rotations", f"{result.null_mean:.4g} ± {result.null_sd:.2g}"),
        ("p-value (axes more aligned than rotations)", f"{result.p_value:.3g}"),
        ("effect size (null sd)", f"{result.effect_size:+.2f}"),
    ]
    for name, value in rows:
        table.add_row(escape(name), value)
    console.print(table)
    if result.p_value <= ALPHA:
        reading = f"the axes are privileged (p = {result.p_value:.3g} ≤ {ALPHA})"
    else:
        reading = (
            f"no evidence that the axes are privileged (p = {result.p_value:.3g}); "
            "that is not evidence that they are arbitrary"
        )
    console.print(reading)
    if json_path is not None:
        _write_json(json_path, args, vectors, result)
    return 0


def _write_json(
    path: Path, args: argparse.Namespace, vectors: Vectors, result: BasisResult
) -> None:
    from orthoproof.report.atomic import write_text_atomic

    doc = {
        "path": str(Path(args.path)),
        "words": len(vectors.words),
        **result.to_json(),
    }
    try:
        write_text_atomic(path, json.dumps(doc, indent=2) + "\n")
    except OSError as error:
        # Checked before the measurement; this is the directory changing since.
        raise InvalidOption(
            "--json",
            args.json,
            "a file path in an existing directory that can be written",
            f"could not be written ({os_reason(error)}); the result above "
            "was not saved",
        ) from error
