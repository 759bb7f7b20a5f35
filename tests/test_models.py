"""Tests of the factorisation models: gradients, invariance, equivariance, shapes."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from orthoproof.backends import Backend, ExactBackend, MpfrBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act, cayley, signed_permutation
from orthoproof.models import (
    GloveModel,
    L1Penalised,
    Model,
    PlainModel,
    ReluHidden,
    check_params,
    model_by_name,
)

K, M, N = 3, 4, 5
#: 50 digits; the finite-difference step and the agreement it allows.
FD_DPS, FD_STEP, FD_TOLERANCE = 50, "1e-20", 1e-28


def glove_data(rng: np.random.Generator, m: int = M, n: int = N) -> tuple[Any, Any]:
    """GloVe weights f(X) and targets log X of random positive counts, in float64."""
    counts = rng.integers(1, 250, size=(m, n)).astype(float)
    return np.minimum((counts / 100.0) ** 0.75, 1.0), np.log(counts)


def float_params(rng: np.random.Generator, glove: bool) -> dict[str, Any]:
    """Random float64 parameters (exact dyadics in every backend)."""
    params = {
        "A": rng.uniform(-1, 1, (K, M)),
        "B": rng.uniform(-1, 1, (K, N)),
    }
    if glove:
        params["b"] = rng.uniform(-0.5, 0.5, M)
        params["c"] = rng.uniform(-0.5, 0.5, N)
    return params


def rational_params(rng: np.random.Generator, glove: bool) -> dict[str, Any]:
    """Random small-denominator rational parameters as Fraction object arrays."""

    def block(*shape: int) -> np.ndarray:
        out = np.empty(shape, dtype=object)
        for index in np.ndindex(*shape):
            out[index] = Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 7)))
        return out

    params = {"A": block(K, M), "B": block(K, N)}
    if glove:
        params["b"], params["c"] = block(M), block(N)
    return params


def rotation() -> np.ndarray:
    """A fixed exact rotation of R³ that is not a signed permutation."""
    skew = [
        [0, Fraction(1, 2), Fraction(-1, 3)],
        [Fraction(-1, 2), 0, Fraction(2, 5)],
        [Fraction(1, 3), Fraction(-2, 5), 0],
    ]
    p = cayley(skew)
    assert any(v not in (0, 1, -1) for v in p.flat)
    return p


def make_model(name: str, rng: np.random.Generator) -> Model:
    """A plain model with uniform weights or a GloVe model on random counts."""
    weights, target = glove_data(rng)
    if name == "plain":
        return PlainModel(np.ones_like(weights), target / 4)
    return GloveModel(weights, target)


def fd_mismatch(model: Model, xp: Backend, params: Mapping[str, Any]) -> float:
    """Largest gap between model.gradient and central differences, over every entry."""
    with xp.context():
        theta = {n: xp.asarray(v) for n, v in params.items()}
        data = model.data(xp)
        grads = model.gradient(xp, theta, data)
        h = xp.number(FD_STEP)
        worst = xp.number(0)
        for name, value in theta.items():
            for index in np.ndindex(*value.shape):
                plus, minus = value.copy(), value.copy()
                plus[index] = plus[index] + h
                minus[index] = minus[index] - h
                up = model.loss(xp, {**theta, name: plus}, data)
                down = model.loss(xp, {**theta, name: minus}, data)
                gap = abs((up - down) / (2 * h) - grads[name][index])
                worst = max(worst, gap)
        return float(worst)


class ScaledGradient(PlainModel):
    """Broken twin: ∇_A scaled by 1.001."""

    def gradient(self, xp, params, data=None):  # type: ignore[no-untyped-def]
        grads = super().gradient(xp, params, data)
        grads["A"] = grads["A"] * xp.number("1.001")
        return grads


class UnweightedGradient(GloveModel):
    """Broken twin: the chain rule applied to the residual without the weights."""

    def gradient(self, xp, params, data=None):  # type: ignore[no-untyped-def]
        data = data if data is not None else self.data(xp)
        r = self.residual(xp, params, data)
        grads = {"A": params["B"] @ r.T, "B": params["A"] @ r}
        grads.update(self.bias_gradient(r))
        return grads


class MissingBiasGradient(GloveModel):
    """Broken twin: the context-bias gradient left out (zero)."""

    def bias_gradient(self, g):  # type: ignore[no-untyped-def]
        return {"b": g.sum(axis=1), "c": g.sum(axis=0) * 0}


# --- gradients against finite differences -------------------------------------


@pytest.mark.parametrize("name", ["plain", "glove"])
def test_gradient_matches_central_differences(name: str) -> None:
    """The chain-rule gradient agrees with 50-digit central differences to ~1e-30."""
    rng = np.random.default_rng(11)
    model = make_model(name, rng)
    params = float_params(rng, glove=name == "glove")
    mismatch = fd_mismatch(model, MpfrBackend.from_dps(FD_DPS), params)
    assert mismatch < FD_TOLERANCE


def test_breaker_gradients_match_central_differences() -> None:
    """L1Penalised and ReluHidden gradients match central differences off the kinks."""
    rng = np.random.default_rng(12)
    weights, target = glove_data(rng)
    params = float_params(rng, glove=True)
    assert np.min(np.abs(params["A"])) > 1e-6  # far from the kinks at 0
    xp = MpfrBackend.from_dps(FD_DPS)
    for model in (
        L1Penalised(GloveModel(weights, target), "0.3"),
        ReluHidden(GloveModel(weights, target)),
    ):
        assert fd_mismatch(model, xp, params) < FD_TOLERANCE


@pytest.mark.parametrize(
    ("twin", "glove"),
    [(ScaledGradient, False), (UnweightedGradient, True), (MissingBiasGradient, True)],
)
def test_finite_difference_check_catches_a_wrong_gradient(
    twin: type, glove: bool
) -> None:
    """The same comparison flags a gradient off by 0.1 %, unweighted, or missing ∇c."""
    rng = np.random.default_rng(11)
    weights, target = glove_data(rng)
    model = twin(np.ones_like(weights) if not glove else weights, target / 4)
    params = float_params(rng, glove=glove)
    mismatch = fd_mismatch(model, MpfrBackend.from_dps(FD_DPS), params)
    assert mismatch > 1e-6


# --- exact invariance and equivariance ------------------------------------------


@pytest.mark.parametrize("name", ["plain", "glove"])
def test_loss_is_exactly_invariant_under_a_rational_rotation(name: str) -> None:
    """E(PA, PB) equals E(A, B) as Fractions for an exact orthogonal P."""
    rng = np.random.default_rng(21)
    model = make_model(name, rng)
    xp = ExactBackend()
    params = rational_params(rng, glove=name == "glove")
    for p in (rotation(), -rotation(), rotation()[[1, 0, 2]]):
        before = model.loss(xp, params)
        after = model.loss(xp, act(xp, p, params))
        assert isinstance(before, Fraction)
        assert after == before
        assert before != 0


@pytest.mark.parametrize("breaker", ["l1", "relu"])
def test_breakers_are_not_invariant_under_a_rational_rotation(breaker: str) -> None:
    """L1Penalised and ReluHidden change their loss exactly under a rotation."""
    rng = np.random.default_rng(22)
    weights, target = glove_data(rng)
    inner = GloveModel(weights, target)
    model = L1Penalised(inner, 1) if breaker == "l1" else ReluHidden(inner)
    xp = ExactBackend()
    params = rational_params(rng, glove=True)
    before = model.loss(xp, params)
    after = model.loss(xp, act(xp, rotation(), params))
    assert abs(float(after - before)) > 1e-3


def test_l1_penalty_is_invariant_under_signed_permutations() -> None:
    """‖PA‖₁ = ‖A‖₁ for signed permutations, so L1Penalised keeps that smaller group."""
    rng = np.random.default_rng(23)
    weights, target = glove_data(rng)
    model = L1Penalised(GloveModel(weights, target), Fraction(1, 2))
    xp = ExactBackend()
    params = rational_params(rng, glove=True)
    for seed in range(5):
        p = signed_permutation(K, np.random.default_rng(seed))
        assert model.loss(xp, act(xp, p, params)) == model.loss(xp, params)


def test_relu_breaks_even_signed_permutation_invariance() -> None:
    """A hidden-layer ReLU is not invariant under flipping the sign of one axis."""
    rng = np.random.default_rng(24)
    weights, target = glove_data(rng)
    model = ReluHidden(GloveModel(weights, target))
    xp = ExactBackend()
    params = rational_params(rng, glove=True)
    flip = np.diag([Fraction(-1), Fraction(1), Fraction(1)])
    assert model.loss(xp, act(xp, flip, params)) != model.loss(xp, params)


@pytest.mark.parametrize("name", ["plain", "glove"])
def test_gradient_is_exactly_equivariant(name: str) -> None:
    """∇E(PA, PB) equals P·∇E(A, B) exactly; bias gradients do not change."""
    rng = np.random.default_rng(25)
    model = make_model(name, rng)
    xp = ExactBackend()
    params = rational_params(rng, glove=name == "glove")
    p = rotation()
    grads = model.gradient(xp, params)
    moved = model.gradient(xp, act(xp, p, params))
    assert set(moved) == set(params)
    for key in ("A", "B"):
        assert np.array_equal(moved[key], p @ grads[key])
        assert any(v != 0 for v in grads[key].flat)
    for key in set(params) - {"A", "B"}:
        assert np.array_equal(moved[key], grads[key])


def test_gradient_equivariance_check_catches_a_per_coordinate_term() -> None:
    """The exact equivariance comparison fails for L1Penalised (its ∇_A has sign(A))."""
    rng = np.random.default_rng(25)
    weights, target = glove_data(rng)
    model = L1Penalised(GloveModel(weights, target), 1)
    xp = ExactBackend()
    params = rational_params(rng, glove=True)
    p = rotation()
    grads = model.gradient(xp, params)
    moved = model.gradient(xp, act(xp, p, params))
    assert not np.array_equal(moved["A"], p @ grads["A"])
    assert np.array_equal(moved["B"], p @ grads["B"])


def test_glove_bias_gradients_are_row_and_column_sums() -> None:
    """GloVe's ∂E/∂b and ∂E/∂c are the row and column sums of G = w∘r."""
    rng = np.random.default_rng(26)
    weights, target = glove_data(rng)
    model = GloveModel(weights, target)
    xp = ExactBackend()
    params = rational_params(rng, glove=True)
    data = model.data(xp)
    r = model.residual(xp, params, data)
    assert r[1, 2] == (
        (params["A"][:, 1] * params["B"][:, 2]).sum()
        + params["b"][1]
        + params["c"][2]
        - Fraction(float(target[1, 2]))
    )
    grads = model.gradient(xp, params, data)
    g = data[0] * r
    assert np.array_equal(grads["b"], g.sum(axis=1))
    assert np.array_equal(grads["c"], g.sum(axis=0))
    assert model.loss(xp, params, data) == (g * r).sum() / 2


# --- shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"A": np.zeros((K, M + 1)), "B": np.zeros((K, N))},
        {"A": np.zeros((K, M)), "B": np.zeros((K, N - 1))},
        {"A": np.zeros((K, M)), "B": np.zeros((K + 1, N))},
        {"A": np.zeros(M), "B": np.zeros((K, N))},
        {"A": np.zeros((K, M, 1)), "B": np.zeros((K, N))},
        {"B": np.zeros((K, N))},
    ],
)
def test_check_params_rejects_wrong_shapes(bad: dict[str, Any]) -> None:
    """Wrong or missing factor shapes raise InvalidArgument naming params."""
    model = PlainModel(np.ones((M, N)), np.zeros((M, N)))
    with pytest.raises(InvalidArgument, match=r"^params="):
        check_params(model, bad)


def test_check_params_requires_glove_biases() -> None:
    """A GloVe model without its biases is rejected; with them k is returned."""
    model = GloveModel(np.ones((M, N)), np.zeros((M, N)))
    params = {"A": np.zeros((K, M)), "B": np.zeros((K, N))}
    with pytest.raises(InvalidArgument, match=r"^params=.*'b', 'c'"):
        check_params(model, params)
    assert check_params(model, {**params, "b": np.zeros(M), "c": np.zeros(N)}) == K
    plain = PlainModel(np.ones((M, N)), np.zeros((M, N)))
    assert check_params(plain, {"A": np.zeros((7, M)), "B": np.zeros((7, N))}) == 7


@pytest.mark.parametrize(
    ("b", "c"),
    [
        (np.zeros(1), np.zeros(N)),
        (np.zeros(M), np.zeros((2, 2))),
        (np.zeros(N), np.zeros(M)),
    ],
)
def test_check_params_rejects_wrong_bias_shapes(b: np.ndarray, c: np.ndarray) -> None:
    """GloVe biases must be b of length m and c of length n, or InvalidArgument."""
    model = GloveModel(np.ones((M, N)), np.zeros((M, N)))
    params = {"A": np.zeros((K, M)), "B": np.zeros((K, N)), "b": b, "c": c}
    with pytest.raises(InvalidArgument, match=r"^params="):
        check_params(model, params)


def test_model_rejects_mismatched_data_and_unknown_names() -> None:
    """Weights shaped unlike the target, or an unknown name, raise InvalidArgument."""
    with pytest.raises(InvalidArgument, match=r"^weights="):
        PlainModel(np.ones((M, N)), np.zeros((M, N + 1)))
    with pytest.raises(InvalidArgument, match=r"^weights="):
        PlainModel(np.ones(M), np.zeros(M))
    with pytest.raises(InvalidArgument, match="glove"):
        model_by_name("nmf", np.ones((M, N)), np.zeros((M, N)))
    assert isinstance(
        model_by_name("glove", np.ones((M, N)), np.zeros((M, N))), GloveModel
    )
