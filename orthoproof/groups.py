"""Group elements acting on the hidden space.

A group element ``P`` (k×k) acts on a factor pair by ``(A, B) → (PA, PB)`` and
leaves biases alone. Samplers return float64 matrices (Haar measure on O(k));
exact elements are numpy object arrays of :class:`fractions.Fraction`, so every
backend can take them in without a rounding the user did not choose.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument
from orthoproof.models import HIDDEN

__all__ = [
    "GROUPS",
    "TABLE_GROUPS",
    "act",
    "cayley",
    "exact_element",
    "haar_orthogonal",
    "is_orthogonal",
    "permutation",
    "rational_orthogonal",
    "sign_flip",
    "signed_permutation",
    "special_orthogonal",
    "squared",
    "table_element",
]

#: The groups orthoproof draws from, by the names used in claims and reports.
GROUPS = ("O", "signed-perm")


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InvalidArgument.of("k", k, "a positive int (the hidden dimension)")
    return int(k)


def haar_orthogonal(k: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed element of O(k), float64.

    QR of a standard Gaussian matrix alone is not Haar: numpy's QR fixes signs
    by its own convention, which biases the result. Multiplying each column of
    Q by the sign of R's matching diagonal entry removes the bias (Mezzadri
    2007).
    """
    k = _check_k(k)
    q, r = np.linalg.qr(rng.standard_normal((k, k)))
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1
    return q * signs


def cayley(skew: Any) -> np.ndarray:
    """Exact orthogonal ``(I − S)(I + S)⁻¹`` of a rational skew matrix ``S``.

    ``I + S`` is always invertible for real skew ``S`` (its eigenvalues are
    1 + iθ), and the result lies in SO(k). Entries are :class:`Fraction`.
    """
    s = np.asarray(skew, dtype=object)
    k = s.shape[0]
    if (
        s.ndim != 2
        or s.shape != (k, k)
        or any(s[i, j] != -s[j, i] for i in range(k) for j in range(k))
    ):
        raise InvalidArgument.of("skew", s.tolist(), "a square matrix with Sᵀ = −S")
    fq = [
        [flint.fmpq(Fraction(v).numerator, Fraction(v).denominator) for v in row]
        for row in s
    ]
    ident = flint.fmpq_mat(k, k, [int(i == j) for i in range(k) for j in range(k)])
    sm = flint.fmpq_mat(k, k, [v for row in fq for v in row])
    p = (ident - sm) * (ident + sm).inv()
    return np.array(
        [
            [Fraction(int(p[i, j].p), int(p[i, j].q)) for j in range(k)]
            for i in range(k)
        ],
        dtype=object,
    )


def rational_orthogonal(
    k: int, rng: np.random.Generator, *, reflect: bool = False, spread: int = 3
) -> np.ndarray:
    """A random exact element of O(k): Cayley of a small rational skew matrix.

    With ``reflect`` the result is multiplied by ``diag(−1, 1, …, 1)`` so that
    the other component of O(k) (determinant −1) is covered too.
    """
    k = _check_k(k)
    skew = np.zeros((k, k), dtype=object)
    for i in range(k):
        for j in range(i + 1, k):
            value = Fraction(
                int(rng.integers(-spread, spread + 1)), int(rng.integers(1, spread + 1))
            )
            skew[i, j], skew[j, i] = value, -value
    p = cayley(skew)
    if reflect:
        p[0, :] = -p[0, :]
    return p


def signed_permutation(k: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly drawn signed permutation matrix, exact (Fraction entries)."""
    k = _check_k(k)
    p = np.full((k, k), Fraction(0), dtype=object)
    for row, (col, sign) in enumerate(
        zip(rng.permutation(k), rng.choice([-1, 1], size=k), strict=True)
    ):
        p[row, int(col)] = Fraction(int(sign))
    return p


def exact_element(group: str, k: int, rng: np.random.Generator) -> np.ndarray:
    """An exact element of the named group that is not the identity.

    For ``O`` the element is a proper rotation times a reflection, so both
    components of O(k) are exercised and no coordinate axis is kept.
    """
    if group == "O":
        return _generic_orthogonal(k, rng)
    if group == "signed-perm":
        return _moving_signed_permutation(k, rng)
    raise InvalidArgument.of("group", group, f"one of {GROUPS}")


def _generic_orthogonal(k: int, rng: np.random.Generator) -> np.ndarray:
    """An exact element of O(k) with no zero entry (for k ≥ 2).

    A rotation whose Cayley parameters happen to vanish is a signed
    permutation, under which per-coordinate optimisers are equivariant: such a
    draw would test the wrong group. Requiring every entry to be nonzero rules
    out every signed permutation and every block that keeps an axis.
    """
    for _ in range(1000):
        p = rational_orthogonal(k, rng, reflect=True)
        if k == 1 or all(v != 0 for v in p.flat):
            return p
    raise AssertionError("unreachable: 1000 draws without a generic rotation")


def _moving_signed_permutation(k: int, rng: np.random.Generator) -> np.ndarray:
    """A signed permutation that flips a sign and, for k > 1, moves an axis.

    A draw that only flipped signs would leave every sum in the same order and
    could hide a dependence on the order of the hidden coordinates.
    """
    for _ in range(1000):
        p = signed_permutation(k, rng)
        moves = k == 1 or any(p[i, i] == 0 for i in range(k))
        if moves and any(v < 0 for v in p.flat):
            return p
    raise AssertionError("unreachable: 1000 draws without a moving signed permutation")


def is_orthogonal(p: Any) -> bool:
    """Exact test of ``PᵀP = I`` for a matrix of rationals."""
    p = np.asarray(p, dtype=object)
    return bool(np.array_equal(p.T @ p, np.eye(p.shape[0], dtype=int)))


def squared(p: Any) -> np.ndarray:
    """The entrywise square ``P∘P``.

    For orthogonal P it is doubly stochastic, and for a signed permutation it is
    the plain permutation: the law by which P acts on per-coordinate second
    moments (Adagrad's and Adam's accumulators). A constant accumulator is fixed
    by it, so optimisers that start from one start from a fixed point.
    """
    p = np.asarray(p, dtype=object)
    return p * p


def act(xp: Backend, p: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """Apply the group element ``p`` to the hidden arrays of ``params``."""
    pm = xp.asarray(p)
    return {
        name: (pm @ value if name in HIDDEN else value)
        for name, value in params.items()
    }


# --- further groups for the symmetry table (issue 4) --------------------------
# Added beside the original two so that existing callers keep their behaviour:
# ``GROUPS`` and :func:`exact_element` are unchanged, ``TABLE_GROUPS`` and
# :func:`table_element` cover every group of the table.

#: Every group of the symmetry table, largest first: O(k), SO(k), signed
#: permutations, permutations, sign flips.
TABLE_GROUPS = ("O", "SO", "signed-perm", "perm", "sign")


def special_orthogonal(k: int, rng: np.random.Generator) -> np.ndarray:
    """An exact element of SO(k) with no zero entry (for k ≥ 2).

    The Cayley transform of a skew matrix always has determinant +1, so no
    reflection is applied. As for O(k), a zero entry is refused: it would mean
    the draw keeps an axis or is a signed permutation, a smaller group under
    which per-coordinate optimisers are equivariant.
    """
    k = _check_k(k)
    for _ in range(1000):
        p = rational_orthogonal(k, rng, reflect=False)
        if k == 1 or all(v != 0 for v in p.flat):
            return p
    raise AssertionError("unreachable: 1000 draws without a generic rotation")


def permutation(k: int, rng: np.random.Generator) -> np.ndarray:
    """An exact permutation matrix that moves at least one axis (for k ≥ 2).

    The identity is refused because every optimiser is equivariant under it.
    """
    k = _check_k(k)
    for _ in range(1000):
        order = rng.permutation(k)
        if k == 1 or any(int(c) != i for i, c in enumerate(order)):
            p = np.full((k, k), Fraction(0), dtype=object)
            for row, col in enumerate(order):
                p[row, int(col)] = Fraction(1)
            return p
    raise AssertionError("unreachable: 1000 draws without a moving permutation")


def sign_flip(k: int, rng: np.random.Generator) -> np.ndarray:
    """An exact diagonal ±1 matrix that flips one axis and, for k ≥ 2, keeps one.

    Both ``I`` and ``−I`` are refused: ``−I`` commutes with every matrix and
    lies in SO(k) for even k, so an optimiser that is merely odd in the
    gradient would pass it without being equivariant under any sign pattern.
    """
    k = _check_k(k)
    for _ in range(1000):
        signs = [int(s) for s in rng.choice([-1, 1], size=k)]
        if -1 in signs and (k == 1 or 1 in signs):
            p = np.full((k, k), Fraction(0), dtype=object)
            for i, s in enumerate(signs):
                p[i, i] = Fraction(s)
            return p
    raise AssertionError("unreachable: 1000 draws without a proper sign flip")


def table_element(group: str, k: int, rng: np.random.Generator) -> np.ndarray:
    """A generic exact element of a group of :data:`TABLE_GROUPS`.

    ``O`` and ``signed-perm`` use the same draws as :func:`exact_element`.
    """
    if group in GROUPS:
        return exact_element(group, k, rng)
    if group == "SO":
        return special_orthogonal(k, rng)
    if group == "perm":
        return permutation(k, rng)
    if group == "sign":
        return sign_flip(k, rng)
    raise InvalidArgument.of("group", group, f"one of {TABLE_GROUPS}")
