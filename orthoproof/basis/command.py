"""``orthoproof basis PATH``: are the coordinate axes of these vectors privileged?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from orthoproof.basis.measure import measure_basis
from orthoproof.basis.readers import read_vectors
from orthoproof.basis.statistics import STATISTICS

__all__ = ["add_basis_parser", "run_basis"]

#: Significance level of the one-line reading; the p-value is printed as well.
ALPHA = 0.01


def add_basis_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``basis`` subcommand to an ``add_subparsers()`` object."""
    basis = subparsers.add_parser(
        "basis",
        help="test whether the axes of trained vectors are privileged",
        description="Compare a basis-alignment statistic of the vectors with its "
        "distribution over Haar-random rotations of the same vectors.",
    )
    basis.add_argument("path", help="word2vec/GloVe text vectors, or a .npy array")
    basis.add_argument("--rotations", type=int, default=199)
    basis.add_argument("--seed", type=int, default=0)
    basis.add_argument("--statistic", choices=sorted(STATISTICS), default="kurtosis")
    basis.add_argument("--json", help="also write the result as JSON to this path")
    return basis


def run_basis(args: argparse.Namespace, console: Console) -> int:
    """Measure, print the answer with its p-value and effect size; exit 0."""
    vectors = read_vectors(args.path)
    result = measure_basis(
        vectors.array,
        rotations=args.rotations,
        seed=args.seed,
        statistic=args.statistic,
    )
    table = Table(title=f"basis alignment of {args.path}")
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
        table.add_row(name, value)
    console.print(table)
    if result.p_value <= ALPHA:
        reading = f"the axes are privileged (p = {result.p_value:.3g} ≤ {ALPHA})"
    else:
        reading = (
            f"no evidence that the axes are privileged (p = {result.p_value:.3g}); "
            "that is not evidence that they are arbitrary"
        )
    console.print(reading)
    if args.json:
        from orthoproof.report.atomic import write_text_atomic

        doc = {
            "path": str(Path(args.path)),
            "words": len(vectors.words),
            **result.to_json(),
        }
        write_text_atomic(Path(args.json), json.dumps(doc, indent=2) + "\n")
    return 0
