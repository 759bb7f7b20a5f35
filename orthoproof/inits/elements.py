"""Exact group elements for the initialisation claims, by group name.

``O`` and ``signed-perm`` come from :func:`orthoproof.groups.exact_element`;
the two smaller groups ``perm`` (coordinate permutations) and ``sign``
(coordinate sign flips) are drawn here, never as the identity, so that a claim
is never "checked" with an element that moves nothing.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from orthoproof.errors import InvalidArgument
from orthoproof.groups import exact_element

__all__ = ["INIT_GROUPS", "group_element", "is_signed_permutation"]

#: Groups of the initialisation claims, largest first.
INIT_GROUPS = ("O", "signed-perm", "perm", "sign")


def group_element(group: str, k: int, rng: np.random.Generator) -> np.ndarray:
    """An exact, non-identity element of ``group`` acting on k coordinates.

    Returns
    -------
    numpy.ndarray
        Shape ``(k, k)``, object array of :class:`~fractions.Fraction`.
    """
    if group in ("O", "signed-perm"):
        return exact_element(group, k, rng)
    if k < 2 and group == "perm":
        raise InvalidArgument.of("k", k, "at least 2 for a non-trivial permutation")
    p = np.full((k, k), Fraction(0), dtype=object)
    if group == "perm":
        order = rng.permutation(k)
        while np.array_equal(order, np.arange(k)):
            order = rng.permutation(k)
        for row, col in enumerate(order):
            p[row, int(col)] = Fraction(1)
        return p
    if group == "sign":
        signs = rng.choice([-1, 1], size=k)
        signs[int(rng.integers(k))] = -1  # at least one flip
        for i, s in enumerate(signs):
            p[i, i] = Fraction(int(s))
        return p
    raise InvalidArgument.of("group", group, f"one of {INIT_GROUPS}")


def is_signed_permutation(p: np.ndarray) -> bool:
    """Exactly one ±1 in every row and column, zeros elsewhere."""
    p = np.asarray(p, dtype=object)
    nonzero = p != 0
    return bool(
        all(v in (1, -1) for v in p[nonzero])
        and np.all(nonzero.sum(axis=0) == 1)
        and np.all(nonzero.sum(axis=1) == 1)
    )
