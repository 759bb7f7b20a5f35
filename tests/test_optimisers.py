"""Tests of the optimisers: framework formulas, step equivariance, state laws, names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
import pytest

from orthoproof.backends import Backend, ExactBackend, Float64Backend, MpfrBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import cayley, signed_permutation
from orthoproof.optimisers import (
    OPTIMISERS,
    SGD,
    Adagrad,
    Adam,
    GloveAdagrad,
    Momentum,
    Optimiser,
    act_state,
    optimiser_by_name,
)

K, M, N = 3, 4, 5
Arrays = dict[str, np.ndarray]
Reference = Callable[[Arrays, list[Arrays]], tuple[Arrays, Arrays]]


def params_and_grads(seed: int = 0) -> tuple[Arrays, list[Arrays]]:
    """Parameters and two steps of gradients, with entries that exercise edge cases.

    Gradients include values above GloVe's clip of 100 (on vectors and biases) and
    values far below Adam's and Adagrad's ε, where the ε placement decides the step.
    """
    rng = np.random.default_rng(seed)
    shapes = {"A": (K, M), "B": (K, N), "b": (M,), "c": (N,)}
    params = {n: rng.uniform(-1, 1, s) for n, s in shapes.items()}
    grads = [{n: rng.normal(0, 2, s) for n, s in shapes.items()} for _ in range(2)]
    grads[0]["A"][0, 1] = 250.0
    grads[0]["B"][2, 3] = -180.0
    grads[1]["A"][1, 2] = -1e3
    grads[0]["b"][0] = 300.0
    grads[1]["c"][1] = -150.0
    grads[0]["A"][2, 0] = 1e-9
    grads[1]["A"][2, 0] = 2e-9
    grads[0]["B"][0, 0] = -3e-12
    grads[1]["B"][0, 0] = 1e-12
    return params, grads


# --- hand-written float64 references of the framework formulas -------------------


def ref_sgd(params: Arrays, grads: list[Arrays]) -> tuple[Arrays, Arrays]:
    theta = {n: v.copy() for n, v in params.items()}
    for g in grads:
        for n in theta:
            theta[n] = theta[n] - 0.01 * g[n]
    return theta, {}


def ref_momentum(params: Arrays, grads: list[Arrays]) -> tuple[Arrays, Arrays]:
    # torch.optim.SGD(momentum=0.9, dampening=0): buf = g on the first step,
    # then buf = μ·buf + g; θ −= lr·buf.
    theta = {n: v.copy() for n, v in params.items()}
    buf: Arrays = {}
    for t, g in enumerate(grads):
        for n in theta:
            buf[n] = g[n].copy() if t == 0 else 0.9 * buf[n] + g[n]
            theta[n] = theta[n] - 0.01 * buf[n]
    return theta, buf


def ref_adagrad(params: Arrays, grads: list[Arrays]) -> tuple[Arrays, Arrays]:
    # torch.optim.Adagrad: lr 1e-2, initial accumulator 0, ε 1e-10 outside the root.
    theta = {n: v.copy() for n, v in params.items()}
    acc = {n: np.zeros_like(v) for n, v in params.items()}
    for g in grads:
        for n in theta:
            acc[n] = acc[n] + g[n] ** 2
            theta[n] = theta[n] - 0.01 * g[n] / (np.sqrt(acc[n]) + 1e-10)
    return theta, acc


def ref_adam(params: Arrays, grads: list[Arrays]) -> tuple[Arrays, Arrays]:
    # torch.optim.Adam: lr 1e-3, β = (0.9, 0.999), ε 1e-8 outside the root,
    # step = lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
    theta = {n: v.copy() for n, v in params.items()}
    m = {n: np.zeros_like(v) for n, v in params.items()}
    v2 = {n: np.zeros_like(v) for n, v in params.items()}
    for t, g in enumerate(grads, start=1):
        for n in theta:
            m[n] = 0.9 * m[n] + 0.1 * g[n]
            v2[n] = 0.999 * v2[n] + (1 - 0.999) * g[n] ** 2
            denom = np.sqrt(v2[n]) / np.sqrt(1 - 0.999**t) + 1e-8
            theta[n] = theta[n] - (0.001 / (1 - 0.9**t)) * m[n] / denom
    return theta, v2


def ref_glove(params: Arrays, grads: list[Arrays]) -> tuple[Arrays, Arrays]:
    # stanfordnlp/GloVe: vectors u = η·clip(g, ±100), θ −= u/√acc (acc read BEFORE
    # this step), acc += u²; biases θ −= g/√acc, acc += g², no η, no clip; acc₀ = 1.
    theta = {n: v.copy() for n, v in params.items()}
    acc = {n: np.ones_like(v) for n, v in params.items()}
    for g in grads:
        for n in theta:
            u = 0.05 * np.clip(g[n], -100.0, 100.0) if n in ("A", "B") else g[n]
            theta[n] = theta[n] - u / np.sqrt(acc[n])
            acc[n] = acc[n] + u * u
    return theta, acc


CASES: dict[str, tuple[Reference, str | None]] = {
    "sgd": (ref_sgd, None),
    "momentum": (ref_momentum, "velocity"),
    "adagrad": (ref_adagrad, "sum"),
    "adam": (ref_adam, "v"),
    "glove-adagrad": (ref_glove, "gradsq"),
}


def run(
    xp: Backend, optimiser: Optimiser, params: Mapping[str, Any], grads: list[Arrays]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply ``optimiser`` for len(grads) steps with the given gradients, in ``xp``."""
    with xp.context():
        theta = {n: xp.asarray(v) for n, v in params.items()}
        state = optimiser.init(xp, theta)
        for g in grads:
            theta, state = optimiser.step(
                xp, theta, {n: xp.asarray(v) for n, v in g.items()}, state
            )
    return theta, state


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_steps_match_the_framework_formula(name: str) -> None:
    """Two float64 steps agree with a hand-written reference of the framework's rule."""
    reference, field = CASES[name]
    params, grads = params_and_grads()
    theta, state = run(Float64Backend(), optimiser_by_name(name), params, grads)
    expected, expected_state = reference(params, grads)
    assert state["t"] == 2
    for n in params:
        np.testing.assert_allclose(theta[n], expected[n], rtol=1e-13, atol=1e-16)
        if field is not None:
            np.testing.assert_allclose(
                state[field][n], expected_state[n], rtol=1e-13, atol=0
            )


def test_reference_comparison_catches_a_wrong_glove_rule() -> None:
    """The GloVe reference rejects a rule that reads the accumulator after adding u²."""
    params, grads = params_and_grads()

    class EagerGlove(GloveAdagrad):
        def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
            lr = self.h(xp, "lr")
            new, acc = {}, {}
            for n, v in params.items():
                if n in ("A", "B"):
                    u = lr * xp.clip(grads[n], self.hyper["clip"])
                else:
                    u = grads[n]
                acc[n] = state["gradsq"][n] + u * u
                new[n] = v - u / xp.sqrt(acc[n])
            return new, {"t": state["t"] + 1, "gradsq": acc}

    theta, _ = run(Float64Backend(), EagerGlove(), params, grads)
    expected, _ = ref_glove(params, grads)
    assert np.max(np.abs(theta["A"] - expected["A"])) > 1e-3


def test_glove_clips_vectors_but_not_biases() -> None:
    """A vector gradient of 250 moves by η·100, a bias gradient of 300 by 300."""
    params, grads = params_and_grads()
    theta, state = run(Float64Backend(), GloveAdagrad(), params, grads[:1])
    assert theta["A"][0, 1] == params["A"][0, 1] - 0.05 * 100.0
    assert theta["b"][0] == params["b"][0] - 300.0
    assert state["gradsq"]["A"][0, 1] == 1.0 + 25.0
    assert state["gradsq"]["b"][0] == 1.0 + 300.0**2


def test_defaults_follow_the_frameworks() -> None:
    """Default hyperparameters are the decimal strings FACTS.md lists."""
    assert SGD().hyper == {"lr": "0.01"}
    assert Momentum().hyper == {"lr": "0.01", "momentum": "0.9"}
    assert Adagrad().hyper == {
        "lr": "0.01",
        "eps": "1e-10",
        "initial_accumulator_value": "0",
    }
    assert Adam().hyper == {
        "lr": "0.001",
        "beta1": "0.9",
        "beta2": "0.999",
        "eps": "1e-8",
    }
    assert GloveAdagrad().hyper == {
        "lr": "0.05",
        "clip": "100",
        "initial_accumulator_value": "1",
    }
    assert set(OPTIMISERS) == {"sgd", "momentum", "adagrad", "glove-adagrad", "adam"}


def test_hyperparameters_are_overridable() -> None:
    """An overridden hyperparameter is used in the step (Adagrad with lr 0.5)."""
    params, grads = params_and_grads()
    theta, _ = run(Float64Backend(), Adagrad(lr="0.5"), params, grads[:1])
    g = grads[0]["A"]
    np.testing.assert_allclose(
        theta["A"], params["A"] - 0.5 * g / (np.abs(g) + 1e-10), rtol=1e-13
    )


# --- step equivariance at 50 digits --------------------------------------------------


def rotation() -> np.ndarray:
    """A fixed exact rotation of R³ times a reflection; no entry is 0 or ±1."""
    p = cayley(
        [
            [0, Fraction(1, 2), Fraction(-1, 3)],
            [Fraction(-1, 2), 0, Fraction(2, 5)],
            [Fraction(1, 3), Fraction(-2, 5), 0],
        ]
    )
    p[0, :] = -p[0, :]
    assert all(v not in (0, 1, -1) for v in p.flat)
    return p


def moderate_grads(seed: int) -> tuple[Arrays, list[Arrays]]:
    """Parameters and gradients of order one, far above every ε and below the clip."""
    rng = np.random.default_rng(seed)
    shapes = {"A": (K, M), "B": (K, N), "b": (M,), "c": (N,)}
    params = {n: rng.uniform(-1, 1, s) for n, s in shapes.items()}
    grads = [
        {n: rng.uniform(0.5, 3, s) * rng.choice([-1, 1], s) for n, s in shapes.items()}
        for _ in range(2)
    ]
    return params, grads


def step_deviation(name: str, p: np.ndarray, seed: int = 3) -> float:
    """max |run(Pθ, P·state, P·g) − P·run(θ, state, g)| over two steps, at 50 digits."""
    xp = MpfrBackend.from_dps(50)
    optimiser = optimiser_by_name(name)
    params, grads = moderate_grads(seed)
    with xp.context():
        pm = xp.asarray(p)

        def move(arrays: Mapping[str, Any]) -> dict[str, Any]:
            return {n: (pm @ v if n in ("A", "B") else v) for n, v in arrays.items()}

        theta = {n: xp.asarray(v) for n, v in params.items()}
        state = optimiser.init(xp, theta)
        theta_p, state_p = move(theta), act_state(xp, optimiser, p, state)
        for g in grads:
            gx = {n: xp.asarray(v) for n, v in g.items()}
            theta, state = optimiser.step(xp, theta, gx, state)
            theta_p, state_p = optimiser.step(xp, theta_p, move(gx), state_p)
        image = move(theta)
        worst = max(
            abs(a - b)
            for n in theta
            for a, b in zip(theta_p[n].flat, image[n].flat, strict=True)
        )
    return float(worst)


@pytest.mark.parametrize("name", ["sgd", "momentum"])
def test_linear_optimisers_are_rotation_equivariant(name: str) -> None:
    """SGD and heavy ball commute with an exact rotation up to 50-digit rounding."""
    assert step_deviation(name, rotation()) < 1e-40


@pytest.mark.parametrize("name", ["adagrad", "glove-adagrad", "adam"])
def test_per_coordinate_optimisers_are_not_rotation_equivariant(name: str) -> None:
    """Adagrad, GloVe's Adagrad and Adam leave the rotated path by more than 1e-6."""
    assert step_deviation(name, rotation()) > 1e-6


@pytest.mark.parametrize("name", sorted(OPTIMISERS))
def test_every_optimiser_is_signed_permutation_equivariant(name: str) -> None:
    """Every optimiser commutes with signed permutations (state moved by its law)."""
    for seed in range(3):
        p = signed_permutation(K, np.random.default_rng(seed))
        assert step_deviation(name, p, seed=seed) < 1e-40


def test_square_law_is_needed_for_signed_permutations() -> None:
    """Moving Adam's v by P instead of P∘P would make accumulators negative."""

    class WrongLawAdam(Adam):
        laws: ClassVar[Mapping[str, str]] = {"m": "vector", "v": "vector"}

    p = np.array([[0, -1, 0], [0, 0, 1], [1, 0, 0]], dtype=object) * Fraction(1)
    xp = MpfrBackend.from_dps(50)
    params, grads = moderate_grads(4)
    with xp.context():
        theta = {n: xp.asarray(v) for n, v in params.items()}
        state = Adam().init(xp, theta)
        # one real Adam step first, so that v is nonzero when it is moved
        _, state = Adam().step(
            xp, theta, {n: xp.asarray(v) for n, v in grads[0].items()}, state
        )
        wrong = act_state(xp, WrongLawAdam(), p, state)
        right = act_state(xp, Adam(), p, state)
        permuted = np.abs(p) @ state["v"]["A"]
    assert any(v < 0 for v in wrong["v"]["A"].flat)
    assert all(v > 0 for v in right["v"]["A"].flat)
    assert np.array_equal(right["v"]["A"], permuted)


# --- state laws ---------------------------------------------------------------------


def test_act_state_moves_vector_fields_by_p_and_square_fields_by_p_squared() -> None:
    """act_state sends Adam's m to P·m, v to (P∘P)·v, leaves biases and t alone."""
    rng = np.random.default_rng(6)
    xp = ExactBackend()
    p = rotation()

    def block(*shape: int) -> np.ndarray:
        return xp.asarray(rng.integers(-5, 6, shape).astype(float) / 4)

    state = {
        "t": 7,
        "m": {"A": block(K, M), "B": block(K, N), "b": block(M), "c": block(N)},
        "v": {
            "A": block(K, M) ** 2,
            "B": block(K, N) ** 2,
            "b": block(M),
            "c": block(N),
        },
    }
    moved = act_state(xp, Adam(), p, state)
    assert moved["t"] == 7
    p2 = np.array([[v * v for v in row] for row in p], dtype=object)
    for n in ("A", "B"):
        assert np.array_equal(moved["m"][n], p @ state["m"][n])
        assert np.array_equal(moved["v"][n], p2 @ state["v"][n])
        assert not np.array_equal(moved["m"][n], moved["v"][n])
    for n in ("b", "c"):
        assert np.array_equal(moved["m"][n], state["m"][n])
        assert np.array_equal(moved["v"][n], state["v"][n])


def test_state_laws_are_declared_per_field() -> None:
    """Momentum's velocity and Adam's m turn with P; accumulators move by P∘P."""
    assert dict(SGD.laws) == {}
    assert dict(Momentum.laws) == {"velocity": "vector"}
    assert dict(Adagrad.laws) == {"sum": "square"}
    assert dict(GloveAdagrad.laws) == {"gradsq": "square"}
    assert dict(Adam.laws) == {"m": "vector", "v": "square"}


def test_constant_accumulator_is_fixed_by_the_square_law() -> None:
    """GloVe's initial accumulator of ones is unchanged by P∘P for an exact rotation."""
    xp = ExactBackend()
    theta = {"A": xp.zeros((K, M)), "B": xp.zeros((K, N)), "b": xp.zeros(M)}
    state = GloveAdagrad().init(xp, theta)
    moved = act_state(xp, GloveAdagrad(), rotation(), state)
    for n in theta:
        assert all(v == 1 for v in moved["gradsq"][n].flat)


# --- names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "bad"),
    [(SGD, "momentum"), (Adam, "betas"), (Adagrad, "lr_decay"), (GloveAdagrad, "eta")],
)
def test_unknown_hyperparameters_are_rejected(cls: type[Optimiser], bad: str) -> None:
    """An unknown hyperparameter name raises InvalidArgument listing the valid names."""
    with pytest.raises(InvalidArgument, match=r"^hyper=") as info:
        cls(**{bad: "0.1"})
    for valid in cls.defaults:
        assert valid in str(info.value)


def test_optimiser_by_name_rejects_unknown_names() -> None:
    """optimiser_by_name refuses an unknown name and lists the valid ones."""
    with pytest.raises(InvalidArgument, match=r"^optimiser='rmsprop'") as info:
        optimiser_by_name("rmsprop")
    for valid in ("adagrad", "adam", "glove-adagrad", "momentum", "sgd"):
        assert repr(valid) in str(info.value)
    assert isinstance(optimiser_by_name("adam", lr="0.01"), Adam)
    assert optimiser_by_name("adam", lr="0.01").hyper["lr"] == "0.01"
