"""Seeded inputs and group elements shared by the loss and optimiser checks.

Inputs lie on a grid of multiples of 2^-10 of modest size, so they are exact in
every rung of the ladder (float32 included): every precision starts from the
same real numbers and differs only in how it rounds afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral
from typing import Any

import numpy as np

from orthoproof.errors import InvalidArgument
from orthoproof.gate.precisions import Precision
from orthoproof.groups import TABLE_GROUPS, table_element

__all__ = ["GROUPS", "Problem", "check_seed", "element", "make_problem", "move"]

#: Groups a check can draw from, largest first.
GROUPS = TABLE_GROUPS
_GRID = 2.0**-10


@dataclass(frozen=True)
class Problem:
    """Factors, target and weights of a small factorisation problem (float64)."""

    k: int
    m: int
    n: int
    A: np.ndarray
    B: np.ndarray
    data: dict[str, np.ndarray]

    def shapes(self, keys: tuple[str, ...]) -> dict[str, list[int]]:
        """Shapes of the factors and of the data arrays named by ``keys``."""
        return {"A": [self.k, self.m], "B": [self.k, self.n]} | {
            key: list(self.data[key].shape) for key in keys
        }


def _grid(rng: np.random.Generator, shape: tuple[int, ...], bound: float) -> Any:
    steps = int(bound / _GRID)
    return rng.integers(-steps, steps + 1, size=shape) * _GRID


def make_problem(k: int, m: int, n: int, seed: int) -> Problem:
    """A seeded problem whose gradients are O(1), far above any optimiser's eps.

    Adam and friends act like scaled SGD when gradients are below their eps and
    would then look equivariant; entries of order one avoid that.
    """
    for name, value in (("k", k), ("m", m), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgument.of(name, value, "a positive int")
    if k < 2:
        # k = 1 has only ±1: O, SO and signed permutations collapse.
        raise InvalidArgument.of("k", k, "at least 2")
    check_seed(seed)
    rng = np.random.default_rng([seed, 0x0DA7A])
    data = {
        "X": _grid(rng, (m, n), 2.0),
        "W": 0.25 + np.abs(_grid(rng, (m, n), 1.0)),
        "b": _grid(rng, (m,), 0.5),
        "c": _grid(rng, (n,), 0.5),
    }
    return Problem(k, m, n, _grid(rng, (k, m), 1.0), _grid(rng, (k, n), 1.0), data)


def check_seed(seed: int) -> None:
    """Refuse a seed numpy's seeding cannot take, naming it.

    ``default_rng`` wants non-negative integers and would otherwise fail deep
    inside numpy with a message that does not say which argument was wrong.
    """
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise InvalidArgument.of("seed", seed, "a non-negative int")


def element(group: str, k: int, seed: int) -> np.ndarray:
    """The exact group element a check with this seed uses for ``group``.

    It depends on the seed and the group name only, so a replay that selects a
    single group meets the same element.
    """
    if group not in GROUPS:
        raise InvalidArgument.of("group", group, f"one of {GROUPS}")
    check_seed(seed)
    rng = np.random.default_rng([seed, 0x6E0, GROUPS.index(group)])
    return table_element(group, k, rng)


def move(p: Any, precision: Precision, arrays: dict[str, Any]) -> dict[str, Any]:
    """``P`` applied at ``precision`` to every array (hidden dimension first)."""
    pm = precision.asarray(p)
    with precision.context():
        return {name: pm @ value for name, value in arrays.items()}


def element_text(p: Any) -> list[list[str]]:
    """The element as exact ``p/q`` strings, for messages and JSON."""
    return [[str(Fraction(v)) for v in row] for row in np.asarray(p, dtype=object)]
