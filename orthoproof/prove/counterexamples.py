"""Exact rational counterexamples: the smallest case that breaks a claim.

Shared by :mod:`orthoproof.prove.necessity` and
:mod:`orthoproof.prove.glclaims`. Cases live at ``k = 2`` with one data entry
(``m = n = 1``, target 0, weight 1), and factor entries in ``{−1, 0, 1}``;
they are tried in a fixed order — fewest non-zero entries first — so the first
case that breaks a claim is the smallest one and is found the same way on
every run. All arithmetic is :class:`~fractions.Fraction`, compared with
``==``; no tolerance is involved.

>>> [[str(v) for v in row] for row in ROTATION]
[['3/5', '-4/5'], ['4/5', '3/5']]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.backends import ExactBackend
from orthoproof.groups import cayley
from orthoproof.models import HIDDEN, Model
from orthoproof.verdicts import Evidence, Verdict

__all__ = [
    "ROTATION",
    "XP",
    "Case",
    "cases",
    "exact_matrix",
    "gd_step",
    "nonzero",
    "refutation",
    "smallest",
    "strings",
]

XP = ExactBackend()

#: The Cayley rotation of the skew matrix with entry ½: [[3/5, −4/5], [4/5, 3/5]].
ROTATION = cayley(np.array([[0, Fraction(1, 2)], [Fraction(-1, 2), 0]], dtype=object))

Case = dict[str, np.ndarray]


def exact_matrix(rows: Any) -> np.ndarray:
    """An object array of :class:`Fraction` from nested numbers or strings."""
    return XP.asarray(rows)


def cases(k: int = 2) -> Iterator[Case]:
    """Every small case, smallest first (A, B are k×1 in {−1, 0, 1})."""
    vectors = sorted(
        itertools.product((0, 1, -1), repeat=2 * k),
        key=lambda v: (sum(x != 0 for x in v), sum(x < 0 for x in v)),
    )
    for v in vectors:
        yield {
            "A": exact_matrix([[x] for x in v[:k]]),
            "B": exact_matrix([[x] for x in v[k:]]),
            "weights": exact_matrix([[1]]),
            "target": exact_matrix([[0]]),
        }


def smallest(differs: Callable[[Case], Mapping[str, Any]]) -> tuple[Case, Mapping]:
    """The first case for which ``differs`` reports a non-empty difference."""
    for case in cases():
        diff = differs(case)
        if diff:
            return case, diff
    raise AssertionError("no small case breaks the claim")  # a bug in the caller


def strings(array: Any) -> Any:
    """Exact values as strings (``"3/5"``), for JSON."""
    arr = np.asarray(array, dtype=object)
    return np.vectorize(str, otypes=[object])(arr).tolist()


def refutation(
    claim_id: str,
    reason: str,
    case: Case,
    diff: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> Evidence:
    """``refuted`` evidence from an exact case and its non-zero differences."""
    k, m = np.shape(case["A"])
    n = np.shape(case["B"])[1]
    record: dict[str, Any] = {name: strings(v) for name, v in case.items()}
    record.update({name: strings(v) for name, v in extra.items()})
    record["difference"] = {name: strings(v) for name, v in diff.items()}
    first = next(iter(diff))
    return Evidence(
        kind="exact-check",
        verdict=Verdict.REFUTED,
        summary=f"{claim_id} refuted exactly at k={k}, m={m}, n={n}: {reason}; "
        f"{first} differs by {strings(diff[first])}",
        dimensions={"k": int(k), "m": int(m), "n": int(n)},
        counterexample=record,
        details={"arithmetic": "fractions.Fraction, compared with =="},
    )


def nonzero(**arrays: Any) -> dict[str, Any]:
    """The arrays that have a non-zero entry (a difference exactly not zero)."""
    return {
        name: v for name, v in arrays.items() if any(np.asarray(v, object).ravel() != 0)
    }


def gd_step(
    model: Model,
    params: Mapping[str, Any],
    eta: Fraction,
    *,
    clip: Fraction | None = None,
    project: bool = False,
) -> dict[str, Any]:
    """One exact GD step on A and B; optionally clipped or projected.

    ``clip`` clamps every gradient coordinate to ``[−clip, clip]`` before the
    step; ``project`` applies ``max(0, ·)`` after it (projected GD, as in NMF).
    """
    grads = model.gradient(XP, dict(params))
    out: dict[str, Any] = {}
    for name in HIDDEN:
        g = grads[name] if clip is None else XP.clip(grads[name], clip)
        new = params[name] - eta * g
        if project:
            new = np.vectorize(lambda v: max(Fraction(0), v), otypes=[object])(new)
        out[name] = new
    return out
