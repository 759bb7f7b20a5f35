"""The symmetry table: every optimiser of the catalogue under every group.

For each optimiser and each group of :data:`~orthoproof.groups.TABLE_GROUPS`,
one ``trajectory-equivariance/<optimiser>/glove`` claim is settled by the
existing trajectory machinery (:func:`orthoproof.trajectory.trajectory_evidence`)
on a small GloVe problem: precision scaling decides ``holds``, a persisting
deviation certified by ``arb`` balls decides ``refuted``, anything else is
``undecided``. The verdict is computed from evidence; FACTS.md's expectation is
recorded beside it.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from orthoproof.claims import ClaimSpec, trajectory_claim_id
from orthoproof.groups import TABLE_GROUPS, table_element
from orthoproof.optim import (
    CERTIFY_PREC,
    TABLE_HYPER,
    catalogue_optimiser,
    expected_verdict,
    table_names,
)
from orthoproof.trajectory import trajectory_evidence
from orthoproof.verdicts import Evidence, Verdict, combine

__all__ = [
    "GROUP_TITLES",
    "Row",
    "TableSettings",
    "markdown_table",
    "symmetry_table",
    "table_claims",
    "table_evidence",
]

#: How each group is named in statements and reports.
GROUP_TITLES = {
    "O": "O(k)",
    "SO": "SO(k)",
    "signed-perm": "signed permutations",
    "perm": "permutations",
    "sign": "sign flips",
}

#: Called as progress(stage, done, total, label), as verify's stages do.
Progress = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class TableSettings:
    """The problem and run of the table; every field is recorded with it."""

    seed: int = 0
    vocab_size: int = 12
    k: int = 3
    steps: int = 15
    dps: tuple[int, ...] = (30, 60)
    x_max: float = 100.0
    alpha: float = 0.75


@dataclass(frozen=True)
class Row:
    """One cell of the table: an optimiser under a group, with its verdict."""

    optimiser: str
    group: str
    expected: Verdict
    verdict: Verdict
    classification: str
    slope: float | None
    deviations: tuple[float, ...]
    certified: bool
    seconds: float

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "optimiser": self.optimiser,
            "group": self.group,
            "expected": str(self.expected),
            "verdict": str(self.verdict),
            "as_expected": self.as_expected,
            "classification": self.classification,
            "slope": self.slope,
            "deviations": list(self.deviations),
            "certified": self.certified,
            "seconds": self.seconds,
        }


def table_claims(
    names: Iterable[str] | None = None, groups: Sequence[str] = TABLE_GROUPS
) -> list[ClaimSpec]:
    """One ``trajectory-equivariance/<optimiser>/glove`` claim per optimiser × group."""
    return [
        ClaimSpec(
            trajectory_claim_id(name, "glove"),
            f"T steps of {name} on the glove loss from (PA₀, PB₀), with the state "
            f"moved by its law, end at (PA_T, PB_T), for P in {GROUP_TITLES[group]}",
            group,
            expected_verdict(name, group),
        )
        for name in (table_names() if names is None else names)
        for group in groups
    ]


@cache
def _problem(settings: TableSettings) -> Any:
    # Imported here so that importing the table never loads the corpus code.
    from orthoproof.data import load
    from orthoproof.problem import glove_problem

    data = load(None, vocab_size=settings.vocab_size)
    return glove_problem(
        data, settings.k, settings.seed, settings.x_max, settings.alpha
    )


def element_for(name: str, group: str, settings: TableSettings) -> np.ndarray:
    """The exact group element of one cell, reproducible from seed, name and group.

    Seeding by a checksum of the names (not their position) keeps every cell's
    element fixed when optimisers are added to the catalogue.
    """
    key = zlib.crc32(f"{name}|{group}".encode())
    rng = np.random.default_rng([settings.seed, key])
    return table_element(group, settings.k, rng)


def cell_evidence(
    name: str, group: str, settings: TableSettings
) -> tuple[list[Evidence], float]:
    """Evidence for one cell and the seconds it took."""
    problem = _problem(settings)
    p = element_for(name, group, settings)
    optimiser = catalogue_optimiser(name, **TABLE_HYPER.get(name, {}))
    begin = time.perf_counter()
    evidence = trajectory_evidence(
        problem.model,
        optimiser,
        problem.start,
        p,
        steps=settings.steps,
        dps=settings.dps,
        # L-BFGS divides by differences of nearby gradients: its balls need
        # more bits to stay finite over the run.
        certify_prec=CERTIFY_PREC.get(name),
        replay={
            "seed": settings.seed,
            "k": settings.k,
            "group": group,
            "vocab_size": settings.vocab_size,
            "shape": list(problem.model.shape),
        },
    )
    return evidence, round(time.perf_counter() - begin, 3)


def _row(name: str, group: str, evidence: list[Evidence], seconds: float) -> Row:
    scaling = evidence[0]
    return Row(
        optimiser=name,
        group=group,
        expected=expected_verdict(name, group),
        verdict=combine(evidence),
        classification=str(scaling.details.get("classification")),
        slope=scaling.details.get("slope"),
        deviations=tuple(scaling.errors or ()),
        certified=any(e.verdict == Verdict.REFUTED for e in evidence),
        seconds=seconds,
    )


def _cell(args: tuple[str, str, TableSettings]) -> tuple[list[Evidence], float]:
    return cell_evidence(*args)


def _quiet(stage: str, done: int, total: int, label: str) -> None:
    return None


def _run_cells(
    cells: list[tuple[str, str]],
    settings: TableSettings,
    progress: Progress,
    workers: int,
) -> list[tuple[list[Evidence], float]]:
    """Evidence for every cell, in order, in ``workers`` processes (1: in-process)."""
    jobs = [(name, group, settings) for name, group in cells]
    total = len(jobs)
    if workers <= 1:
        found = []
        for i, job in enumerate(jobs):
            progress("symmetry-table", i, total, f"{job[0]} [{job[1]}]")
            found.append(_cell(job))
        progress("symmetry-table", total, total, "done")
        return found
    with ProcessPoolExecutor(max_workers=workers) as pool:
        found = []
        for i, result in enumerate(pool.map(_cell, jobs, chunksize=4)):
            progress("symmetry-table", i + 1, total, f"{cells[i][0]} [{cells[i][1]}]")
            found.append(result)
    return found


def symmetry_table(
    settings: TableSettings | None = None,
    *,
    names: Iterable[str] | None = None,
    groups: Sequence[str] = TABLE_GROUPS,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[Row]:
    """Settle every optimiser × group cell and return the table's rows.

    Parameters
    ----------
    settings
        Problem and run; defaults: m = n = 12 built-in corpus, k = 3, 15 steps,
        float64 and 30 and 60 digits.
    names
        Optimisers of the catalogue (default: all, with named variants).
    groups
        Groups among :data:`~orthoproof.groups.TABLE_GROUPS`.
    workers
        Processes to spread the cells over.
    """
    settings = settings or TableSettings()
    cells = [
        (n, g) for n in (table_names() if names is None else names) for g in groups
    ]
    found = _run_cells(cells, settings, progress or _quiet, workers)
    return [
        _row(name, group, evidence, seconds)
        for (name, group), (evidence, seconds) in zip(cells, found, strict=True)
    ]


def table_evidence(
    seed: int = 0,
    progress: Progress | None = None,
    *,
    workers: int = 1,
    settings: TableSettings | None = None,
) -> dict[tuple[str, str], list[Evidence]]:
    """Evidence for every claim of :func:`table_claims`, keyed by (claim id, group)."""
    settings = settings or TableSettings(seed=seed)
    cells = [(n, g) for n in table_names() for g in TABLE_GROUPS]
    found = _run_cells(cells, settings, progress or _quiet, workers)
    return {
        (trajectory_claim_id(name, "glove"), group): evidence
        for (name, group), (evidence, _) in zip(cells, found, strict=True)
    }


def markdown_table(rows: Sequence[Row]) -> str:
    """The table as Markdown: one line per optimiser, one column per group."""
    groups = list(dict.fromkeys(r.group for r in rows))
    names = list(dict.fromkeys(r.optimiser for r in rows))
    cell = {(r.optimiser, r.group): r for r in rows}
    mark = {Verdict.HOLDS: "✓", Verdict.REFUTED: "✗", Verdict.UNDECIDED: "?"}
    lines = [
        "| optimiser | " + " | ".join(GROUP_TITLES[g] for g in groups) + " |",
        "|---|" + "---|" * len(groups),
    ]
    for name in names:
        marks = []
        for g in groups:
            r = cell[(name, g)]
            marks.append(mark.get(r.verdict, "?") + ("" if r.as_expected else " (!)"))
        lines.append(f"| {name} | " + " | ".join(marks) + " |")
    return "\n".join(lines)
