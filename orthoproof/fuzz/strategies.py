"""Hypothesis strategies for what the claims quantify over.

Two families: float64 strategies feed the fuzzing of a claim, and exact
strategies (entries are :class:`fractions.Fraction`) feed the search for a
certified counterexample once fuzzing has found a violation. Every strategy
shrinks towards the simplest case a reader can check by hand: hidden dimension
1, zero entries, the identity element.

Float entries are bounded, ``0`` or ``10⁻³ ≤ |x| ≤ 10``, and never NaN,
infinite or subnormal, so that a rounding bound scaled by operand sizes stays
meaningful and no product overflows.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from orthoproof.errors import InvalidArgument
from orthoproof.groups import cayley, haar_orthogonal

__all__ = [
    "MAX_DENOMINATOR",
    "MAX_ENTRY",
    "MIN_ENTRY",
    "factor_pairs",
    "glove_problems",
    "hidden_dims",
    "orthogonal_matrices",
    "rational_factor_pairs",
    "rational_glove_problems",
    "rational_orthogonal_matrices",
    "signed_permutations",
]

#: Largest magnitude of a float entry.
MAX_ENTRY = 10.0
#: Smallest non-zero magnitude of a float entry; smaller draws become zero.
MIN_ENTRY = 1e-3

Params = dict[str, np.ndarray]


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidArgument.of(name, value, "a positive int")
    return int(value)


def hidden_dims(max_k: int = 8) -> st.SearchStrategy[int]:
    """Hidden dimensions ``1 ≤ k ≤ max_k``, shrinking towards 1.

    Parameters
    ----------
    max_k
        Largest hidden dimension drawn.
    """
    return st.integers(1, _positive("max_k", max_k))


def orthogonal_matrices(k: int) -> st.SearchStrategy[np.ndarray]:
    """Haar-distributed elements of O(k), float64 k×k.

    Hypothesis draws only a seed; the matrix is
    :func:`orthoproof.groups.haar_orthogonal` of a numpy generator seeded with
    it. Building the Gaussian entries from Hypothesis floats instead would not
    keep the law Gaussian (Hypothesis favours boundary and simple values), and
    the Haar law is what makes a passing fuzz run say something about *almost
    every* rotation. QR of a Gaussian matrix alone is not Haar either: the
    factorisation fixes the signs of R's diagonal by its own convention (with
    LAPACK's Householder QR, as numpy uses, ``det Q = (−1)^(k−1)`` always and
    ``Q[0, 0] < 0`` for k ≥ 2), so half of O(k) is never drawn; multiplying
    Q's columns by the signs of R's diagonal restores the Haar law.

    Parameters
    ----------
    k
        Hidden dimension.
    """
    k = _positive("k", k)
    seeds = st.integers(0, 2**64 - 1)
    return seeds.map(lambda seed: haar_orthogonal(k, np.random.default_rng(seed)))


@st.composite
def _rational_orthogonal(
    draw: st.DrawFn, k: int, max_entry: int, max_denominator: int, reflections: bool
) -> np.ndarray:
    skew = np.full((k, k), Fraction(0), dtype=object)
    for i in range(k):
        for j in range(i + 1, k):
            value = _fraction(draw, -max_entry, max_entry, max_denominator)
            skew[i, j], skew[j, i] = value, -value
    p = cayley(skew)

    # Cayley reaches only SO(k); a reflection of the first coordinate reaches
    # the other component. False comes first, so shrinking drops it.
    if reflections and draw(st.booleans()):
        p[0, :] = -p[0, :]
    return p


def rational_orthogonal_matrices(
    k: int, *, max_entry: int = 3, max_denominator: int = 4, reflections: bool = True
) -> st.SearchStrategy[np.ndarray]:
    """Exactly orthogonal k×k matrices of :class:`~fractions.Fraction`.

    The Cayley transform ``(I − S)(I + S)⁻¹`` of a skew matrix ``S`` whose
    entries are small fractions, optionally followed by a reflection. ``S``
    shrinks entry by entry towards 0, so a shrunk element is the identity or
    close to it, with small numerators and denominators.

    Parameters
    ----------
    k
        Hidden dimension.
    max_entry
        Bound on the magnitude of the skew entries.
    max_denominator
        Largest denominator of a skew entry.
    reflections
        Whether elements of determinant −1 are drawn too.
    """
    return _rational_orthogonal(
        _positive("k", k),
        _positive("max_entry", max_entry),
        _positive("max_denominator", max_denominator),
        bool(reflections),
    )


@st.composite
def _signed_permutation(draw: st.DrawFn, k: int) -> np.ndarray:
    columns = draw(st.permutations(range(k)))
    signs = draw(st.lists(st.sampled_from((1, -1)), min_size=k, max_size=k))
    p = np.full((k, k), Fraction(0), dtype=object)
    for row, (column, sign) in enumerate(zip(columns, signs, strict=True)):
        p[row, column] = Fraction(sign)
    return p


def signed_permutations(k: int) -> st.SearchStrategy[np.ndarray]:
    """Signed permutation matrices, exact k×k, shrinking towards the identity.

    Every row and every column holds exactly one entry ±1. These are the
    elements of O(k) that a per-coordinate rule cannot tell from the identity.

    Parameters
    ----------
    k
        Hidden dimension.
    """
    return _signed_permutation(_positive("k", k))


def _flush(value: float) -> float:
    # Tiny magnitudes would make relative errors meaningless; mapping them to
    # zero keeps zero reachable, and zero is where Hypothesis shrinks floats.
    return value if abs(value) >= MIN_ENTRY else 0.0


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    raw = st.floats(
        low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False
    )
    return raw.map(_flush)


def _float_array(shape: tuple[int, ...], low: float) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=_floats(low, MAX_ENTRY))


def _shapes(k: int, m: int, n: int) -> tuple[int, int, int]:
    return _positive("k", k), _positive("m", m), _positive("n", n)


@st.composite
def _pairs(
    draw: st.DrawFn, shapes: tuple[int, int, int], biases: bool, entry: Any
) -> Params:
    k, m, n = shapes
    sizes: dict[str, tuple[int, ...]] = {"A": (k, m), "B": (k, n)}
    if biases:
        sizes |= {"b": (m,), "c": (n,)}
    return {name: draw(entry(shape)) for name, shape in sizes.items()}


def factor_pairs(
    k: int, m: int, n: int, biases: bool = False
) -> st.SearchStrategy[Params]:
    """Parameter dictionaries ``{"A": k×m, "B": k×n}`` of float64 arrays.

    Entries are 0 or ``10⁻³ ≤ |x| ≤ 10``, finite and normal.

    Parameters
    ----------
    k, m, n
        Hidden dimension, number of rows and of columns of ``AᵀB``.
    biases
        Also draw GloVe's biases ``b`` (m) and ``c`` (n).
    """
    return _pairs(_shapes(k, m, n), bool(biases), lambda s: _float_array(s, -MAX_ENTRY))


@st.composite
def _data(draw: st.DrawFn, m: int, n: int, exact: bool) -> tuple[np.ndarray, ...]:
    if exact:
        weights = draw(_fraction_array((m, n), 0, 1))
        target = draw(_fraction_array((m, n), -MAX_ENTRY, MAX_ENTRY))
    else:
        weights = draw(hnp.arrays(np.float64, (m, n), elements=_floats(0.0, 1.0)))
        target = draw(_float_array((m, n), -MAX_ENTRY))
    return weights, target


def glove_problems(m: int, n: int) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Data of a weighted factorisation: ``(weights, target)``, both m×n float64.

    Weights lie in ``[0, 1]`` (GloVe's f(X) does; zero masks a pair out),
    targets in ``[−10, 10]`` (GloVe's log X). Both keep the entry rules of
    :func:`factor_pairs`.

    Parameters
    ----------
    m, n
        Shape of the target.
    """
    return _data(_positive("m", m), _positive("n", n), False)


#: Largest denominator of an exact entry.
MAX_DENOMINATOR = 4


def _fraction(draw: st.DrawFn, low: int, high: int, max_denominator: int) -> Fraction:
    # Denominator first, then a numerator within range: both shrink (to 1 and
    # towards 0), and two integer draws are far cheaper than st.fractions.
    q = draw(st.integers(1, max_denominator))
    return Fraction(draw(st.integers(low * q, high * q)), q)


@st.composite
def _fraction_array(
    draw: st.DrawFn, shape: tuple[int, ...], low: float, high: float
) -> np.ndarray:
    # One denominator for the whole array halves the draws, which is most of
    # the cost of an exact search; shrinking it to 1 leaves integers.
    q = draw(st.integers(1, MAX_DENOMINATOR))
    numerators = st.integers(int(low) * q, int(high) * q)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = Fraction(draw(numerators), q)
    return out


def rational_factor_pairs(
    k: int, m: int, n: int, biases: bool = False
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Exact parameter dictionaries: object arrays of small fractions.

    Entries are fractions in ``[−10, 10]``; each array shares one denominator
    of at most 4. Numerators shrink towards 0 and denominators towards 1, so
    that a shrunk counterexample can be checked by hand.

    Parameters
    ----------
    k, m, n
        Hidden dimension, number of rows and of columns of ``AᵀB``.
    biases
        Also draw the biases ``b`` (m) and ``c`` (n).
    """
    entry = lambda s: _fraction_array(s, -MAX_ENTRY, MAX_ENTRY)  # noqa: E731
    return _pairs(_shapes(k, m, n), bool(biases), entry)


def rational_glove_problems(
    m: int, n: int
) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Exact ``(weights, target)``: fractions in ``[0, 1]`` and ``[−10, 10]``.

    Parameters
    ----------
    m, n
        Shape of the target.
    """
    return _data(_positive("m", m), _positive("n", n), True)
