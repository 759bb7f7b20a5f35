"""The models of orthoproof.models_extra on every backend they support."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from orthoproof.backends import (
    ArbBackend,
    ExactBackend,
    Float64Backend,
    MpfrBackend,
    SympyBackend,
)
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act, rational_orthogonal
from orthoproof.models import PlainModel
from orthoproof.models_extra import (
    L2Model,
    MaskedModel,
    SgnsModel,
    TiedModel,
    WeightedModel,
    exp,
    extra_model_by_name,
    log,
)

RNG = np.random.default_rng(3)
W = RNG.uniform(0.5, 2.0, (3, 2))
X = RNG.normal(size=(3, 2))
A, B = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 2))
F64 = Float64Backend()


def _numeric_gradient(model, params, name, eps=1e-6):
    out = np.zeros_like(params[name])
    for index in np.ndindex(*params[name].shape):
        up = {k: v.copy() for k, v in params.items()}
        down = {k: v.copy() for k, v in params.items()}
        up[name][index] += eps
        down[name][index] -= eps
        out[index] = (model.loss(F64, up) - model.loss(F64, down)) / (2 * eps)
    return out


@pytest.mark.parametrize(
    "model",
    [
        WeightedModel(W, X),
        MaskedModel(np.array([[1, 0], [1, 1], [0, 1]]), X),
        L2Model(W, X, strength=0.3),
        SgnsModel(W, W[::-1]),
    ],
    ids=lambda m: m.name,
)
def test_gradient_matches_finite_differences(model) -> None:
    """Each model's chain-rule gradient is its loss's derivative (float64)."""
    params = {"A": A.copy(), "B": B.copy()}
    grads = model.gradient(F64, params)
    for name in ("A", "B"):
        assert np.allclose(
            grads[name], _numeric_gradient(model, params, name), atol=1e-6
        )


def test_tied_gradient_and_params() -> None:
    """Tied has one factor; its gradient 2A·sym(G) matches finite differences."""
    w, x = RNG.uniform(0.5, 2.0, (3, 3)), RNG.normal(size=(3, 3))
    model = TiedModel(w, x)
    params = {"A": A.copy()}
    grads = model.gradient(F64, params)
    assert set(grads) == {"A"}
    assert np.allclose(grads["A"], _numeric_gradient(model, params, "A"), atol=1e-6)
    with pytest.raises(InvalidArgument):
        TiedModel(W, X)  # not square


def test_weighted_is_plain_under_its_own_name() -> None:
    params = {"A": A, "B": B}
    assert WeightedModel.name == "weighted"
    assert WeightedModel(W, X).loss(F64, params) == PlainModel(W, X).loss(F64, params)


def test_mask_must_be_zero_one() -> None:
    with pytest.raises(InvalidArgument):
        MaskedModel(np.array([[1, 2], [0, 1], [1, 1]]), X)


def test_l2_penalty_and_exact_invariance() -> None:
    """The L2 loss is exactly invariant under a rational rotation."""
    xp = ExactBackend()
    rng = np.random.default_rng(1)
    model = L2Model(np.ones((2, 2), dtype=int), np.eye(2, dtype=int), Fraction(1, 3))
    a = xp.asarray([[1, 2], [3, "1/2"], [0, -1]])
    b = xp.asarray([[2, 0], [1, 1], ["2/3", 5]])
    p = rational_orthogonal(3, rng)
    params = {"A": a, "B": b}
    assert model.loss(xp, act(xp, p, params)) == model.loss(xp, params)
    moved = model.gradient(xp, act(xp, p, params))
    base = model.gradient(xp, params)
    assert (moved["A"] == p @ base["A"]).all()


def test_exp_log_on_every_backend() -> None:
    """exp and log map to each number type; exact rationals refuse them."""
    for xp in (F64, MpfrBackend(100), ArbBackend(100)):
        value = xp.asarray(np.array([["1/3"]], dtype=object))
        back = log(xp, exp(xp, value))
        assert abs(float(xp.to_float(back)[0, 0]) - 1 / 3) < 1e-12
    sym = SympyBackend()
    assert str(exp(sym, sym.asarray([[0]]))[0, 0]) == "1"
    with pytest.raises(InvalidArgument):
        exp(ExactBackend(), ExactBackend().asarray([[1]]))


def test_sgns_float_is_stable_and_agrees_with_mpfr() -> None:
    """SGNS in float64 survives huge products and matches 200-bit mpfr."""
    model = SgnsModel(W, W)
    big = {"A": A * 400, "B": B * 400}
    assert np.isfinite(model.loss(F64, big))
    params = {"A": A, "B": B}
    xp = MpfrBackend(200)
    exact_params = {k: xp.asarray(v) for k, v in params.items()}
    assert abs(float(model.loss(xp, exact_params)) - model.loss(F64, params)) < 1e-12


def test_factory_by_name() -> None:
    assert extra_model_by_name("l2", W, X, strength=2).strength == 2
    with pytest.raises(InvalidArgument):
        extra_model_by_name("nmf", W, X)
