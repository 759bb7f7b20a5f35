"""Tests of the group elements: exact orthogonality, structure, Haar measure, action."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
import sympy

from orthoproof.backends import ExactBackend, Float64Backend, MpfrBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import (
    act,
    cayley,
    exact_element,
    haar_orthogonal,
    is_orthogonal,
    rational_orthogonal,
    signed_permutation,
    squared,
)

Sampler = Callable[[int, np.random.Generator], np.ndarray]

#: Kolmogorov–Smirnov acceptance level: with a fresh seed each run, a correct
#: sampler would fail one KS check with probability 1e-3.
KS_ALPHA = 1e-3


def exact_det(p: np.ndarray) -> Fraction:
    """Determinant of a matrix of Fractions, computed exactly by sympy."""
    matrix = sympy.Matrix(
        [
            [
                sympy.Rational(Fraction(v).numerator, Fraction(v).denominator)
                for v in row
            ]
            for row in p
        ]
    )
    value = matrix.det()
    return Fraction(int(value.p), int(value.q))


def exact_gram(p: np.ndarray) -> list[list[Fraction]]:
    """PᵀP computed entry by entry with Fractions (independent of numpy's matmul)."""
    k = p.shape[0]
    return [
        [
            sum((Fraction(p[r, i]) * Fraction(p[r, j]) for r in range(k)), Fraction(0))
            for j in range(k)
        ]
        for i in range(k)
    ]


def identity(k: int) -> list[list[Fraction]]:
    return [[Fraction(int(i == j)) for j in range(k)] for i in range(k)]


def is_signed_permutation(p: np.ndarray) -> bool:
    """Every entry in {0, ±1} and exactly one nonzero entry per row and column."""
    nonzero = np.vectorize(lambda v: v != 0)(p)
    return (
        all(v in (0, 1, -1) for v in p.flat)
        and bool(np.all(nonzero.sum(axis=0) == 1))
        and bool(np.all(nonzero.sum(axis=1) == 1))
    )


def keeps_an_axis(p: np.ndarray) -> bool:
    """True if some coordinate axis is mapped onto a coordinate axis."""
    return any(sum(1 for v in p[:, j] if v != 0) == 1 for j in range(p.shape[0]))


# --- exact elements ----------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_rational_orthogonal_is_exactly_special_orthogonal(k: int) -> None:
    """rational_orthogonal gives Fractions with PᵀP = I exactly and det P = +1."""
    for seed in range(4):
        p = rational_orthogonal(k, np.random.default_rng(seed))
        assert p.shape == (k, k)
        assert all(isinstance(v, Fraction) for v in p.flat)
        assert exact_gram(p) == identity(k)
        assert is_orthogonal(p)
        assert exact_det(p) == 1


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_rational_orthogonal_reflect_has_determinant_minus_one(k: int) -> None:
    """With reflect=True the element is still exactly orthogonal but has det −1."""
    for seed in range(4):
        p = rational_orthogonal(k, np.random.default_rng(seed), reflect=True)
        assert exact_gram(p) == identity(k)
        assert exact_det(p) == -1


def test_cayley_of_a_known_skew_matrix() -> None:
    """cayley([[0, t], [−t, 0]]) has cos (1−t²)/(1+t²) and sin 2t/(1+t²), exactly."""
    t = Fraction(1, 2)
    p = cayley([[0, t], [-t, 0]])
    # (I − S)(I + S)⁻¹ for S = [[0, t], [−t, 0]]
    c, s = (1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)
    assert p.tolist() == [[c, -s], [s, c]]
    assert (c, s) == (Fraction(3, 5), Fraction(4, 5))
    assert exact_det(p) == 1


def test_cayley_of_a_three_by_three_skew_matrix_is_special_orthogonal() -> None:
    """A 3×3 rational skew matrix maps to an exact rotation, not a signed perm."""
    skew = [
        [0, Fraction(1, 2), Fraction(-1, 3)],
        [Fraction(-1, 2), 0, Fraction(2, 5)],
        [Fraction(1, 3), Fraction(-2, 5), 0],
    ]
    p = cayley(skew)
    assert exact_gram(p) == identity(3)
    assert exact_det(p) == 1
    assert not is_signed_permutation(p)
    # cross-check against sympy's own (I − S)(I + S)⁻¹
    s = sympy.Matrix(3, 3, lambda i, j: sympy.nsimplify(str(skew[i][j])))
    expected = (sympy.eye(3) - s) * (sympy.eye(3) + s).inv()
    assert [[Fraction(str(v)) for v in row] for row in expected.tolist()] == p.tolist()


@pytest.mark.parametrize(
    "bad",
    [
        [[0, 1], [1, 0]],  # symmetric
        [[1, 0], [0, -1]],  # nonzero diagonal
        [[0, 1, 2], [-1, 0, 3]],  # not square
        [[0, Fraction(1, 2)], [Fraction(-1, 3), 0]],  # almost skew
    ],
)
def test_cayley_rejects_a_matrix_that_is_not_skew(bad: list[list[object]]) -> None:
    """cayley raises InvalidArgument naming skew for anything but a square Sᵀ = −S."""
    with pytest.raises(InvalidArgument, match=r"^skew="):
        cayley(bad)


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_signed_permutation_structure(k: int) -> None:
    """A signed permutation has one ±1 per row and column, as exact Fractions."""
    for seed in range(10):
        p = signed_permutation(k, np.random.default_rng(seed))
        assert p.shape == (k, k)
        assert all(isinstance(v, Fraction) for v in p.flat)
        assert is_signed_permutation(p)
        assert exact_gram(p) == identity(k)


def test_signed_permutation_covers_the_whole_group() -> None:
    """Over many draws at k = 2 all eight signed permutations appear."""
    seen = {
        tuple(int(v) for v in signed_permutation(2, np.random.default_rng(seed)).flat)
        for seed in range(200)
    }
    assert len(seen) == 8


@pytest.mark.parametrize("k", [2, 3, 4])
def test_exact_signed_permutation_moves_an_axis_and_flips_a_sign(k: int) -> None:
    """exact_element('signed-perm') is never diagonal and always has a −1 entry."""
    for seed in range(60):
        p = exact_element("signed-perm", k, np.random.default_rng(seed))
        assert is_signed_permutation(p)
        assert any(p[i, i] == 0 for i in range(k))
        assert any(v == -1 for v in p.flat)


def test_exact_signed_permutation_for_k_one_is_minus_one() -> None:
    """For k = 1 the only non-identity signed permutation is [−1]."""
    p = exact_element("signed-perm", 1, np.random.default_rng(0))
    assert p.tolist() == [[-1]]


@pytest.mark.parametrize("k", [2, 3, 4])
def test_exact_orthogonal_element_is_a_reflected_rotation(k: int) -> None:
    """exact_element('O') is exactly orthogonal with det −1."""
    for seed in range(20):
        p = exact_element("O", k, np.random.default_rng(seed))
        assert exact_gram(p) == identity(k)
        assert exact_det(p) == -1


@pytest.mark.parametrize("k", [2, 3, 4])
def test_exact_orthogonal_element_is_generic(k: int) -> None:
    """exact_element('O') has no zero entry: no signed permutation, no axis kept."""
    for seed in range(40):
        p = exact_element("O", k, np.random.default_rng(seed))
        assert all(v != 0 for v in p.flat)
        assert not is_signed_permutation(p)
        assert not keeps_an_axis(p)


def test_unfiltered_cayley_draws_include_signed_permutations() -> None:
    """Without exact_element's filter, k = 2 draws are often signed permutations."""
    # A zero or ±1 Cayley parameter gives the identity or a quarter turn (9 of the
    # 21 equally likely skew entries), so a check that used these draws for O(k)
    # would wrongly pass Adam: this pins why the filter is needed.
    offenders = [
        seed
        for seed in range(40)
        if is_signed_permutation(
            rational_orthogonal(2, np.random.default_rng(seed), reflect=True)
        )
    ]
    assert len(offenders) >= 5
    assert offenders[:2] == [0, 1]
    axis_keepers = [
        seed
        for seed in range(40)
        if keeps_an_axis(rational_orthogonal(3, np.random.default_rng(seed)))
    ]
    assert axis_keepers


def test_exact_element_rejects_unknown_groups_and_bad_k() -> None:
    """Unknown group names and non-positive k raise InvalidArgument."""
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidArgument, match=r"^group=.*signed-perm"):
        exact_element("GL", 3, rng)
    for bad in (0, -2, 2.0, True):
        with pytest.raises(InvalidArgument, match=r"^k="):
            rational_orthogonal(bad, rng)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument, match=r"^k="):
            haar_orthogonal(bad, rng)  # type: ignore[arg-type]


def test_is_orthogonal_is_exact() -> None:
    """is_orthogonal accepts exact orthogonal matrices and rejects near misses."""
    p = cayley([[0, Fraction(1, 2)], [Fraction(-1, 2), 0]])
    assert is_orthogonal(p)
    near = p.copy()
    near[0, 0] += Fraction(1, 10**30)
    assert not is_orthogonal(near)
    assert not is_orthogonal(2 * p)


# --- Haar measure ------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 8])
def test_haar_orthogonal_is_orthogonal_to_rounding(k: int) -> None:
    """haar_orthogonal returns float64 matrices with ‖PᵀP − I‖ below 1e-14."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        p = haar_orthogonal(k, rng)
        assert p.dtype == np.float64
        assert p.shape == (k, k)
        assert np.max(np.abs(p.T @ p - np.eye(k))) < 1e-14


def kolmogorov_p_value(statistic: float, n: int) -> float:
    """Asymptotic P(D_n ≥ statistic) for the one-sample KS test."""
    x = statistic * math.sqrt(n)
    if x < 0.2:
        return 1.0
    tail = sum((-1) ** (j - 1) * math.exp(-2 * j * j * x * x) for j in range(1, 101))
    return min(1.0, 2 * tail)


def uniform_angle_p_value(angles: list[float]) -> float:
    """KS p-value of angles in (−π, π] against the uniform distribution."""
    u = np.sort((np.asarray(angles) + math.pi) / (2 * math.pi))
    n = len(u)
    ranks = np.arange(1, n + 1)
    statistic = max(np.max(ranks / n - u), np.max(u - (ranks - 1) / n))
    return kolmogorov_p_value(float(statistic), n)


def rotation_angle(p: np.ndarray) -> float:
    """Angle of the rotation part of a 2×2 orthogonal P (P·diag(1, det P))."""
    r = p if np.linalg.det(p) > 0 else p @ np.diag([1.0, -1.0])
    return math.atan2(r[1, 0], r[0, 0])


def angle_statistics(
    sampler: Sampler, seed: int, draws: int
) -> tuple[float, float, int]:
    """(p-value over det=+1 draws, p-value over all draws, number of det=+1 draws)."""
    rng = np.random.default_rng(seed)
    matrices = [sampler(2, rng) for _ in range(draws)]
    proper = [rotation_angle(p) for p in matrices if np.linalg.det(p) > 0]
    everything = [rotation_angle(p) for p in matrices]
    proper_p = uniform_angle_p_value(proper) if proper else 0.0
    return proper_p, uniform_angle_p_value(everything), len(proper)


def plain_qr(k: int, rng: np.random.Generator) -> np.ndarray:
    """Broken twin: Q of numpy's QR of a Gaussian matrix, without the sign fix."""
    q, _ = np.linalg.qr(rng.standard_normal((k, k)))
    return q


def test_haar_rotation_angle_is_uniform() -> None:
    """For k = 2 the rotation angle of Haar draws passes a KS test for uniformity."""
    # 4000 draws with seed 2024. Each KS check has a false-positive rate of 1e-3
    # (under a fresh seed), and the det = +1 count is checked against
    # Binomial(4000, ½) at 5 standard deviations (false-positive rate ~6e-7).
    draws = 4000
    proper_p, all_p, proper = angle_statistics(haar_orthogonal, 2024, draws)
    assert proper_p > KS_ALPHA
    assert all_p > KS_ALPHA
    assert abs(proper - draws / 2) < 5 * math.sqrt(draws / 4)


def test_plain_qr_fails_the_haar_angle_statistic() -> None:
    """The same statistic rejects numpy's QR without the sign fix (not Haar)."""
    draws = 4000
    proper_p, all_p, proper = angle_statistics(plain_qr, 2024, draws)
    assert all_p < 1e-12
    # LAPACK's single Householder reflector gives det −1 for every 2×2 draw
    assert proper_p <= KS_ALPHA or abs(proper - draws / 2) >= 5 * math.sqrt(draws / 4)


def test_haar_first_column_is_uniform_on_the_sphere_for_k_three() -> None:
    """For k = 3 the first column's z coordinate is uniform on [−1, 1] (Archimedes)."""
    rng = np.random.default_rng(77)
    z = [haar_orthogonal(3, rng)[0, 0] for _ in range(3000)]
    angles = [math.pi * v for v in z]  # uniform on [−π, π] iff z is uniform on [−1, 1]
    assert uniform_angle_p_value(angles) > KS_ALPHA
    twin_rng = np.random.default_rng(77)
    twin = [plain_qr(3, twin_rng)[0, 0] for _ in range(3000)]
    assert uniform_angle_p_value([math.pi * v for v in twin]) < 1e-12


# --- the action and squared(P) --------------------------------------------------


def test_squared_is_doubly_stochastic_for_orthogonal_p() -> None:
    """P∘P has rows and columns summing exactly to 1 for exact orthogonal P."""
    for k, seed in ((2, 3), (3, 4), (5, 5)):
        p = rational_orthogonal(k, np.random.default_rng(seed), reflect=seed % 2 == 0)
        q = squared(p)
        assert all(v >= 0 for v in q.flat)
        assert list(q.sum(axis=0)) == [1] * k
        assert list(q.sum(axis=1)) == [1] * k
        assert q[0, 0] == p[0, 0] ** 2
    h = squared(haar_orthogonal(4, np.random.default_rng(9)))
    np.testing.assert_allclose(np.asarray(h, dtype=float).sum(axis=0), 1, atol=1e-14)
    np.testing.assert_allclose(np.asarray(h, dtype=float).sum(axis=1), 1, atol=1e-14)


def test_squared_of_a_signed_permutation_is_the_permutation() -> None:
    """P∘P of a signed permutation is the unsigned permutation matrix."""
    p = signed_permutation(4, np.random.default_rng(8))
    q = squared(p)
    assert np.array_equal(q, np.abs(p))
    assert all(v in (0, 1) for v in q.flat)


def test_act_rotates_factors_and_leaves_biases_untouched() -> None:
    """act maps A, B to PA, PB and returns biases unchanged, in every backend."""
    rng = np.random.default_rng(10)
    p = rational_orthogonal(3, rng)
    params = {
        "A": rng.uniform(-1, 1, (3, 4)),
        "B": rng.uniform(-1, 1, (3, 5)),
        "b": rng.uniform(-1, 1, 4),
        "c": rng.uniform(-1, 1, 5),
    }
    exact = ExactBackend()
    moved = act(exact, p, {n: exact.asarray(v) for n, v in params.items()})
    for name in ("A", "B"):
        expected = p @ exact.asarray(params[name])
        assert np.array_equal(moved[name], expected)
    for name in ("b", "c"):
        assert np.array_equal(moved[name], exact.asarray(params[name]))
    for xp in (Float64Backend(), MpfrBackend(80)):
        with xp.context():
            theta = {n: xp.asarray(v) for n, v in params.items()}
            out = act(xp, p, theta)
        assert out["b"] is theta["b"]
        assert out["c"] is theta["c"]
        np.testing.assert_allclose(
            xp.to_float(out["A"]), np.asarray(p, dtype=float) @ params["A"], rtol=1e-13
        )
