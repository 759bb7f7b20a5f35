"""Tests of orthoproof.fuzz: strategies, properties, runner and profiles."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import orthoproof.fuzz
from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument
from orthoproof.fuzz import (
    Problem,
    factor_pairs,
    fuzz_claim,
    gradient_equivariance_error,
    hypothesis_profile,
    orthogonal_matrices,
    product_invariance_error,
    rational_factor_pairs,
    rational_orthogonal_matrices,
    signed_permutations,
)
from orthoproof.fuzz.profiles import ENV_VAR
from orthoproof.fuzz.strategies import MAX_ENTRY, MIN_ENTRY
from orthoproof.groups import haar_orthogonal, is_orthogonal
from orthoproof.models import PlainModel
from orthoproof.verdicts import Evidence, Verdict

TRUE_CLAIMS = ["product-invariance"] + [
    f"{family}/{model}"
    for family in ("loss-invariance", "gradient-equivariance", "orbit-orthogonality")
    for model in ("plain", "glove")
]

#: Two-sided normal quantile for a false-positive rate of 1e-6 per statistic.
Z_1E6 = 4.892


# Broken twins: models whose gradient is wrong in a way a check must see.


class _SkewedGradient(PlainModel):
    """∇_A's first hidden coordinate 1 % too large: not rotation equivariant."""

    def gradient(self, xp: Backend, params: Any, data: Any = None) -> dict[str, Any]:
        grads = super().gradient(xp, params, data)
        grads["A"] = grads["A"].copy()
        grads["A"][0] = grads["A"][0] * xp.number("1.01")
        return grads


class _ScaledGradient(PlainModel):
    """∇_A 1 % too large throughout: wrong, yet still equivariant."""

    def gradient(self, xp: Backend, params: Any, data: Any = None) -> dict[str, Any]:
        grads = super().gradient(xp, params, data)
        grads["A"] = grads["A"] * xp.number("1.01")
        return grads


def _ratio(evidence: Evidence) -> float:
    """The worst error/bound ratio a fuzz run recorded."""
    assert evidence.errors is not None
    return evidence.errors[0]


def _example(evidence: Evidence) -> Mapping[str, Any]:
    """The counterexample a refutation carries."""
    assert evidence.counterexample is not None
    return evidence.counterexample


def _exact(rows: list[list[str]]) -> Any:
    """An object array of fractions from a counterexample's strings."""
    return np.array([[Fraction(v) for v in row] for row in rows], dtype=object)


def _problem(k: int, m: int, n: int, model: type | None = None) -> Problem:
    rng = np.random.default_rng(k * 100 + m * 10 + n)
    params = {"A": rng.standard_normal((k, m)), "B": rng.standard_normal((k, n))}
    if model is None:
        return Problem(params)
    weights, target = rng.uniform(size=(m, n)), rng.standard_normal((m, n))
    return Problem(params, model(weights, target))


# Runner.


@pytest.mark.parametrize("claim_id", TRUE_CLAIMS)
def test_true_claim_holds(claim_id: str) -> None:
    """Every true claim holds over the default 200 examples, within its bound."""
    evidence = fuzz_claim(claim_id)
    assert evidence.verdict == Verdict.HOLDS
    assert evidence.kind == "fuzz"
    assert evidence.details["examples"] == 200
    assert len(evidence.details["ks"]) >= 6
    assert 0 < _ratio(evidence) <= 1


def test_l1_control_refuted_at_k2() -> None:
    """The L1 breaker is refuted by an exact counterexample shrunk to k=2, m=n=1."""
    evidence = fuzz_claim("loss-invariance/glove+l1")
    assert evidence.verdict == Verdict.REFUTED
    assert _ratio(evidence) > 1e6
    example = _example(evidence)
    assert (example["k"], example["m"], example["n"]) == (2, 1, 1)

    # Replay from the recorded strings alone: the inner loss is invariant, so
    # the difference is the change of ‖A‖₁ under P.
    p, a = _exact(example["P"]), _exact(example["A"])
    assert is_orthogonal(p)
    change = sum(abs(v) for v in (p @ a).flat) - sum(abs(v) for v in a.flat)
    assert Fraction(example["difference"]) == change != 0


def test_l1_control_holds_at_k1() -> None:
    """At k=1, O(1) = {±1} keeps ‖A‖₁, so the L1 breaker needs k ≥ 2 to break."""
    evidence = fuzz_claim("loss-invariance/glove+l1", max_examples=50, max_k=1)
    assert evidence.verdict == Verdict.HOLDS


def test_skewed_gradient_is_refuted() -> None:
    """A gradient 1 % off in one hidden coordinate fails gradient equivariance."""
    evidence = fuzz_claim(
        "gradient-equivariance/twin", max_examples=50, model=_SkewedGradient
    )
    assert evidence.verdict == Verdict.REFUTED
    assert _ratio(evidence) > 1e6
    assert _example(evidence)["k"] == 2


def test_scaled_gradient_caught_by_orbit_orthogonality() -> None:
    """A uniformly scaled ∇_A stays equivariant but breaks orbit orthogonality."""
    equivariance = fuzz_claim(
        "gradient-equivariance/twin", max_examples=50, model=_ScaledGradient
    )
    orbit = fuzz_claim(
        "orbit-orthogonality/twin", max_examples=50, model=_ScaledGradient
    )
    assert equivariance.verdict == Verdict.HOLDS
    assert orbit.verdict == Verdict.REFUTED
    assert _ratio(orbit) > 1e6


def test_non_orthogonal_elements_do_not_hold() -> None:
    """Elements 1.001·P fail product invariance; exact re-check leaves it undecided."""
    evidence = fuzz_claim(
        "product-invariance",
        max_examples=50,
        elements=lambda k: orthogonal_matrices(k).map(lambda p: 1.001 * p),
    )
    assert evidence.verdict == Verdict.UNDECIDED
    assert _ratio(evidence) > 1e6


def test_same_seed_same_evidence() -> None:
    """Two runs with one seed give the same evidence; another seed differs."""
    first, again, other = (
        fuzz_claim("loss-invariance/glove", max_examples=30, seed=s) for s in (7, 7, 8)
    )
    assert first.details["worst"] == again.details["worst"]
    assert first.details["worst"] != other.details["worst"]


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"claim_id": "nonsense"}, "claim_id"),
        ({"claim_id": "product-invariance/plain"}, "claim_id"),
        ({"claim_id": "loss-invariance/unknown"}, "claim_id"),
        ({"claim_id": "loss-invariance/plain", "max_examples": 0}, "max_examples"),
        ({"claim_id": "loss-invariance/plain", "max_k": True}, "max_k"),
    ],
)
def test_bad_arguments_are_named(arguments: dict[str, Any], name: str) -> None:
    """Invalid arguments raise InvalidArgument naming the argument."""
    with pytest.raises(InvalidArgument, match=name):
        fuzz_claim(**arguments)


# Properties: the bounds hold for true claims and are far below real defects.


def test_bound_is_tight_enough_to_see_small_defects() -> None:
    """A 10⁻¹⁰ scaling of P already exceeds the product bound; exact P does not."""
    problem = _problem(4, 3, 3)
    p = haar_orthogonal(4, np.random.default_rng(1))
    error, bound = product_invariance_error(problem, p)
    assert error <= bound
    error, bound = product_invariance_error(problem, (1 + 1e-10) * p)
    assert error > 10 * bound
    error, bound = product_invariance_error(problem, 1.001 * p)
    assert error > 1e9 * bound


def test_gradient_bound_exposes_skewed_gradient() -> None:
    """The skewed twin's equivariance error is orders of magnitude over the bound."""
    p = haar_orthogonal(3, np.random.default_rng(2))
    error, bound = gradient_equivariance_error(_problem(3, 2, 4, PlainModel), p)
    assert error <= bound
    error, bound = gradient_equivariance_error(_problem(3, 2, 4, _SkewedGradient), p)
    assert error > 1e9 * bound


# Distributions.


def _haar_statistics(sampler: Callable[[np.random.Generator], np.ndarray]) -> dict:
    """z-scores of four statistics of k=3 draws that Haar measure pins down."""
    k, draws = 3, 2000
    rng = np.random.default_rng(20240611)
    q = np.array([sampler(rng) for _ in range(draws)])
    corner = q[:, 0, 0]
    squares_var = 2 * (k - 1) / (k**2 * (k + 2))  # Var x² for x a sphere coordinate
    binomial_sd = math.sqrt(0.25 / draws)
    return {
        "mean": corner.mean() / math.sqrt(1 / k / draws),
        "variance": (np.mean(corner**2) - 1 / k) / math.sqrt(squares_var / draws),
        "reflections": (np.mean(np.linalg.det(q) < 0) - 0.5) / binomial_sd,
        "positive corner": (np.mean(corner > 0) - 0.5) / binomial_sd,
    }


def test_haar_sampler_statistics() -> None:
    """Q[0,0] has mean 0 and variance 1/k, and half the draws have det −1."""
    z = _haar_statistics(lambda rng: haar_orthogonal(3, rng))
    assert all(abs(v) < Z_1E6 for v in z.values()), z


def test_plain_qr_fails_haar_statistics() -> None:
    """Plain QR without the sign fix never reflects and never has Q[0,0] > 0."""
    z = _haar_statistics(lambda rng: np.linalg.qr(rng.standard_normal((3, 3)))[0])
    assert abs(z["reflections"]) > Z_1E6
    assert abs(z["positive corner"]) > Z_1E6


@given(orthogonal_matrices(5))
def test_orthogonal_matrices_are_orthogonal(p: np.ndarray) -> None:
    """Drawn float elements are orthogonal to within a few units of roundoff."""
    assert np.abs(p.T @ p - np.eye(5)).max() < 8 * 5 * 2.0**-53


@given(st.integers(1, 6).flatmap(rational_orthogonal_matrices))
def test_rational_orthogonal_matrices_are_exact(p: np.ndarray) -> None:
    """Rational elements satisfy PᵀP = I exactly."""
    assert all(isinstance(v, Fraction) for v in p.flat)
    assert is_orthogonal(p)


def test_rational_orthogonal_shrinks_to_identity_or_reflection() -> None:
    """Shrinking gives the identity, or the simplest reflection when asked for one."""
    config = settings(database=None, max_examples=50)
    plain = find(rational_orthogonal_matrices(3), lambda p: True, settings=config)
    assert np.array_equal(plain, np.eye(3, dtype=int))

    def reflects(p: np.ndarray) -> bool:
        return np.linalg.det(p.astype(float)) < 0

    mirror = find(rational_orthogonal_matrices(3), reflects, settings=config)
    assert np.array_equal(mirror, np.diag([-1, 1, 1]))


@given(st.integers(1, 7).flatmap(signed_permutations))
def test_signed_permutations_have_one_sign_per_row_and_column(p: np.ndarray) -> None:
    """Each row and column holds exactly one ±1 and zeros elsewhere."""
    nonzero = p != 0
    assert set(p[nonzero].tolist()) <= {1, -1}
    assert (nonzero.sum(axis=0) == 1).all()
    assert (nonzero.sum(axis=1) == 1).all()


@given(factor_pairs(3, 2, 4, biases=True))
def test_factor_pairs_are_bounded(params: dict[str, np.ndarray]) -> None:
    """Float entries are 0 or of magnitude 10⁻³ to 10, in arrays of the right shapes."""
    shapes = {"A": (3, 2), "B": (3, 4), "b": (2,), "c": (4,)}
    assert {name: v.shape for name, v in params.items()} == shapes
    for values in params.values():
        size = np.abs(values[values != 0])
        assert ((size >= MIN_ENTRY) & (size <= MAX_ENTRY)).all()


@given(rational_factor_pairs(2, 3, 1))
def test_rational_factor_pairs_are_small_fractions(params: dict[str, Any]) -> None:
    """Exact entries are fractions with denominators of at most 4."""
    for values in params.values():
        assert all(isinstance(v, Fraction) and v.denominator <= 4 for v in values.flat)


# Profiles and exports.


def test_profile_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment variable selects the profile; an unknown name is refused."""
    previous = settings.get_current_profile_name()
    try:
        monkeypatch.setenv(ENV_VAR, "ci")
        assert hypothesis_profile() == settings.get_current_profile_name() == "ci"
        assert settings.get_profile("ci").derandomize
        assert settings.get_profile("ci").database is None
        assert hypothesis_profile("thorough") == "thorough"
        assert settings.get_profile("thorough").max_examples > 200
        monkeypatch.setenv(ENV_VAR, "fast")
        with pytest.raises(InvalidArgument, match=ENV_VAR):
            hypothesis_profile()
    finally:
        settings.load_profile(previous)


def test_public_names() -> None:
    """The package exports exactly the documented strategies, properties and runner."""
    assert set(orthoproof.fuzz.__all__) == {
        "Problem",
        "factor_pairs",
        "fuzz_claim",
        "glove_problems",
        "gradient_equivariance_error",
        "hidden_dims",
        "hypothesis_profile",
        "loss_invariance_error",
        "orbit_orthogonality_error",
        "orthogonal_matrices",
        "product_invariance_error",
        "rational_factor_pairs",
        "rational_glove_problems",
        "rational_orthogonal_matrices",
        "signed_permutations",
    }
