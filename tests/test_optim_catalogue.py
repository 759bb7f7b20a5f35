"""The extended optimiser catalogue: framework formulas, state laws, number systems."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest

from orthoproof.backends import ArbBackend, Float64Backend, MpfrBackend
from orthoproof.groups import cayley, signed_permutation
from orthoproof.optim import (
    TABLE_HYPER,
    act_state_ext,
    all_laws,
    catalogue_optimiser,
    expected_verdict,
    resolved_hyperparameters,
    table_names,
)
from orthoproof.optim.linalg import inverse_root, newton_schulz
from orthoproof.optim.step_claims import step_evidence
from orthoproof.optimisers import OPTIMISERS, act_state
from orthoproof.verdicts import Verdict

K, M, N = 3, 4, 5
Arrays = dict[str, np.ndarray]


def inputs(seed: int = 0) -> tuple[Arrays, list[Arrays]]:
    rng = np.random.default_rng(seed)
    shapes = {"A": (K, M), "B": (K, N), "b": (M,), "c": (N,)}
    params = {n: rng.uniform(-1, 1, s) for n, s in shapes.items()}
    grads = [{n: rng.normal(0, 2, s) for n, s in shapes.items()} for _ in range(2)]
    return params, grads


def run(name: str, params: Arrays, grads: list[Arrays]) -> Arrays:
    xp = Float64Backend()
    opt = catalogue_optimiser(name)
    theta = {n: xp.asarray(v) for n, v in params.items()}
    state = opt.init(xp, theta)
    for g in grads:
        theta, state = opt.step(xp, theta, g, state)
    return theta


# --- hand-written float64 references, two steps each --------------------------


def ref_nesterov(p: Arrays, gs: list[Arrays]) -> Arrays:
    u = {n: np.zeros_like(v) for n, v in p.items()}
    p = {n: v.copy() for n, v in p.items()}
    for g in gs:
        for n in p:
            u[n] = 0.9 * u[n] + g[n]
            p[n] = p[n] - 0.01 * (g[n] + 0.9 * u[n])
    return p


def ref_sgd_l2(p: Arrays, gs: list[Arrays]) -> Arrays:
    for g in gs:
        p = {n: v - 0.01 * (g[n] + 0.01 * v) for n, v in p.items()}
    return p


def ref_sgdw(p: Arrays, gs: list[Arrays]) -> Arrays:
    for g in gs:
        p = {n: (1 - 0.01 * 0.01) * v - 0.01 * g[n] for n, v in p.items()}
    return p


def ref_clip_global(p: Arrays, gs: list[Arrays]) -> Arrays:
    for g in gs:
        norm = np.sqrt(sum(float(np.sum(x**2)) for x in g.values()))
        coef = min(1.0, 1.0 / (norm + 1e-6))
        p = {n: v - 0.01 * coef * g[n] for n, v in p.items()}
    return p


def ref_clip_value(p: Arrays, gs: list[Arrays]) -> Arrays:
    for g in gs:
        p = {n: v - 0.01 * np.clip(g[n], -1, 1) for n, v in p.items()}
    return p


def ref_lars(p: Arrays, gs: list[Arrays]) -> Arrays:
    u = {n: np.zeros_like(v) for n, v in p.items()}
    for g in gs:
        new = {}
        for n, w in p.items():
            wn, gn = np.linalg.norm(w), np.linalg.norm(g[n])
            local = 0.001 * wn / (gn + 0.0005 * wn)
            u[n] = 0.9 * u[n] + 0.1 * local * (g[n] + 0.0005 * w)
            new[n] = w - u[n]
        p = new
    return p


def ref_muon(p: Arrays, gs: list[Arrays]) -> Arrays:
    u = {n: np.zeros_like(v) for n, v in p.items()}
    a, b, c = 3.4445, -4.7750, 2.0315
    for g in gs:
        new = {}
        for n, w in p.items():
            u[n] = 0.95 * u[n] + g[n]
            d = g[n] + 0.95 * u[n]
            if w.ndim == 2:
                x = d / (np.linalg.norm(d) + 1e-7)
                for _ in range(5):
                    gram = x @ x.T
                    x = a * x + (b * gram + c * gram @ gram) @ x
                d = x
            new[n] = w - 0.02 * d
        p = new
    return p


def ref_rmsprop(p: Arrays, gs: list[Arrays]) -> Arrays:
    v = {n: np.zeros_like(x) for n, x in p.items()}
    for g in gs:
        for n in p:
            v[n] = 0.99 * v[n] + 0.01 * g[n] ** 2
        p = {n: w - 0.01 * g[n] / (np.sqrt(v[n]) + 1e-8) for n, w in p.items()}
    return p


def ref_adadelta(p: Arrays, gs: list[Arrays]) -> Arrays:
    v = {n: np.zeros_like(x) for n, x in p.items()}
    u = {n: np.zeros_like(x) for n, x in p.items()}
    for g in gs:
        new = {}
        for n, w in p.items():
            v[n] = 0.9 * v[n] + 0.1 * g[n] ** 2
            d = np.sqrt(u[n] + 1e-6) / np.sqrt(v[n] + 1e-6) * g[n]
            u[n] = 0.9 * u[n] + 0.1 * d**2
            new[n] = w - d
        p = new
    return p


def ref_adagrad_optax(p: Arrays, gs: list[Arrays]) -> Arrays:
    s = {n: np.full_like(x, 0.1) for n, x in p.items()}
    for g in gs:
        for n in p:
            s[n] = s[n] + g[n] ** 2
        p = {n: w - 0.01 * g[n] / np.sqrt(s[n] + 1e-7) for n, w in p.items()}
    return p


def ref_rowwise(p: Arrays, gs: list[Arrays]) -> Arrays:
    s = {n: np.zeros(x.shape[-1]) for n, x in p.items()}
    for g in gs:
        for n in p:
            s[n] = s[n] + (np.mean(g[n] ** 2, axis=0) if g[n].ndim == 2 else g[n] ** 2)
        p = {n: w - 0.01 * g[n] / (np.sqrt(s[n]) + 1e-10) for n, w in p.items()}
    return p


def _inv_root(a: np.ndarray, p: float) -> np.ndarray:
    w, q = np.linalg.eigh(a)
    return (q * w ** (-1 / p)) @ q.T


def ref_adagrad_full(p: Arrays, gs: list[Arrays]) -> Arrays:
    h = {
        n: (np.zeros((K, K)) if x.ndim == 2 else np.zeros_like(x)) for n, x in p.items()
    }
    for g in gs:
        new = {}
        for n, w in p.items():
            if w.ndim == 2:
                h[n] = h[n] + g[n] @ g[n].T
                new[n] = w - 0.01 * _inv_root(h[n] + 1e-6 * np.eye(K), 2) @ g[n]
            else:
                h[n] = h[n] + g[n] ** 2
                new[n] = w - 0.01 * g[n] / np.sqrt(h[n] + 1e-6)
        p = new
    return p


def ref_shampoo(p: Arrays, gs: list[Arrays]) -> Arrays:
    left = {
        n: (1e-4 * np.eye(K) if x.ndim == 2 else np.full_like(x, 1e-4))
        for n, x in p.items()
    }
    right = {n: 1e-4 * np.eye(x.shape[1]) for n, x in p.items() if x.ndim == 2}
    for g in gs:
        new = {}
        for n, w in p.items():
            if w.ndim == 2:
                left[n] = left[n] + g[n] @ g[n].T
                right[n] = right[n] + g[n].T @ g[n]
                pre = _inv_root(left[n], 4) @ g[n] @ _inv_root(right[n], 4)
                new[n] = w - 0.01 * pre
            else:
                left[n] = left[n] + g[n] ** 2
                new[n] = w - 0.01 * g[n] / np.sqrt(left[n])
        p = new
    return p


def _adam_like(
    p: Arrays, gs: list[Arrays], update: Callable, b1=0.9, b2=0.999
) -> Arrays:
    m = {n: np.zeros_like(x) for n, x in p.items()}
    v = {n: np.zeros_like(x) for n, x in p.items()}
    extra: dict = {}
    for t, g in enumerate(gs, start=1):
        new = {}
        for n, w in p.items():
            m[n] = b1 * m[n] + (1 - b1) * g[n]
            v[n] = b2 * v[n] + (1 - b2) * g[n] ** 2
            new[n] = update(n, w, g[n], m[n], v[n], t, extra)
        p = new
    return p


def ref_amsgrad(p: Arrays, gs: list[Arrays]) -> Arrays:
    def update(n, w, g, m, v, t, extra):
        extra[n] = np.maximum(extra.get(n, np.zeros_like(v)), v)
        c1, c2 = 1 - 0.9**t, 1 - 0.999**t
        return w - 0.001 / c1 * m / (np.sqrt(extra[n]) / np.sqrt(c2) + 1e-8)

    return _adam_like(p, gs, update)


def ref_adamax(p: Arrays, gs: list[Arrays]) -> Arrays:
    def update(n, w, g, m, v, t, extra):
        extra[n] = np.maximum(0.999 * extra.get(n, np.zeros_like(v)), np.abs(g) + 1e-8)
        return w - 0.002 / (1 - 0.9**t) * m / extra[n]

    return _adam_like(p, gs, update)


def ref_nadam(p: Arrays, gs: list[Arrays]) -> Arrays:
    def mu(i: int) -> float:
        return 0.9 * (1 - 0.5 * 0.96 ** (i * 0.004))

    def update(n, w, g, m, v, t, extra):
        prod = float(np.prod([mu(i) for i in range(1, t + 1)]))
        d = np.sqrt(v / (1 - 0.999**t)) + 1e-8
        return (
            w
            - 0.002 * (1 - mu(t)) / (1 - prod) * g / d
            - 0.002 * mu(t + 1) / (1 - prod * mu(t + 1)) * m / d
        )

    return _adam_like(p, gs, update)


def ref_adamw(p: Arrays, gs: list[Arrays]) -> Arrays:
    def update(n, w, g, m, v, t, extra):
        c1, c2 = 1 - 0.9**t, 1 - 0.999**t
        return w * (1 - 0.001 * 0.01) - 0.001 / c1 * m / (
            np.sqrt(v) / np.sqrt(c2) + 1e-8
        )

    return _adam_like(p, gs, update)


def ref_adam_optax(p: Arrays, gs: list[Arrays]) -> Arrays:
    def update(n, w, g, m, v, t, extra):
        mh, vh = m / (1 - 0.9**t), v / (1 - 0.999**t)
        return w - 0.001 * mh / (np.sqrt(vh + 0.0) + 1e-8)

    return _adam_like(p, gs, update)


def ref_adam_keras(p: Arrays, gs: list[Arrays]) -> Arrays:
    def update(n, w, g, m, v, t, extra):
        alpha = 0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        return w - alpha * m / (np.sqrt(v) + 1e-7)

    return _adam_like(p, gs, update)


def ref_lamb(p: Arrays, gs: list[Arrays]) -> Arrays:
    def update(n, w, g, m, v, t, extra):
        r = (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-6) + 0.01 * w
        return w - 0.001 * np.linalg.norm(w) / np.linalg.norm(r) * r

    return _adam_like(p, gs, update)


def ref_lion(p: Arrays, gs: list[Arrays]) -> Arrays:
    m = {n: np.zeros_like(x) for n, x in p.items()}
    for g in gs:
        new = {}
        for n, w in p.items():
            c = 0.9 * m[n] + 0.1 * g[n]
            new[n] = w - 1e-4 * np.sign(c)
            m[n] = 0.99 * m[n] + 0.01 * g[n]
        p = new
    return p


def ref_signsgd(p: Arrays, gs: list[Arrays]) -> Arrays:
    for g in gs:
        p = {n: w - 0.01 * np.sign(g[n]) for n, w in p.items()}
    return p


REFERENCES = {
    "nesterov": ref_nesterov,
    "sgd-l2": ref_sgd_l2,
    "sgdw": ref_sgdw,
    "clip-global-norm": ref_clip_global,
    "clip-value": ref_clip_value,
    "lars": ref_lars,
    "muon": ref_muon,
    "rmsprop": ref_rmsprop,
    "adadelta": ref_adadelta,
    "adagrad-optax": ref_adagrad_optax,
    "adagrad-rowwise": ref_rowwise,
    "adagrad-full": ref_adagrad_full,
    "shampoo": ref_shampoo,
    "amsgrad": ref_amsgrad,
    "adamax": ref_adamax,
    "nadam": ref_nadam,
    "adamw": ref_adamw,
    "adam-optax": ref_adam_optax,
    "adam-keras": ref_adam_keras,
    "lamb": ref_lamb,
    "lion": ref_lion,
    "signsgd": ref_signsgd,
}


def test_every_new_optimiser_has_a_reference() -> None:
    # The later additions have their references in test_optim_more.py and
    # test_optim_zeroth.py.
    later = {"radam", "adafactor", "soap", "kfac", "lbfgs", "lbfgs-torch", "cg"}
    later |= {"nelder-mead"}
    later |= {"powell"}  # in test_optim_powell.py
    later |= {"glove-adagrad-pairs"}  # in test_glove_pairs.py
    new = set(table_names()) - set(OPTIMISERS) - {"adagrad-large-init"} - later
    assert new == set(REFERENCES)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_two_steps_match_the_framework_formula(name: str) -> None:
    params, grads = inputs()
    got = run(name, params, grads)
    want = REFERENCES[name](params, grads)
    for n in params:
        np.testing.assert_allclose(got[n], want[n], rtol=1e-9, atol=1e-12, err_msg=n)


@pytest.mark.parametrize(
    "name", ["muon", "shampoo", "nadam", "adagrad-rowwise", "lion"]
)
def test_runs_in_every_number_system(name: str) -> None:
    params, grads = inputs(1)
    want = run(name, params, grads)
    for xp in (MpfrBackend.from_dps(30), ArbBackend(128)):
        opt = catalogue_optimiser(name)
        with xp.context():
            theta = {n: xp.asarray(v) for n, v in params.items()}
            state = opt.init(xp, theta)
            for g in grads:
                theta, state = opt.step(
                    xp, theta, {n: xp.asarray(v) for n, v in g.items()}, state
                )
        for n in params:
            np.testing.assert_allclose(xp.to_float(theta[n]), want[n], rtol=1e-9)


def test_inverse_root_and_newton_schulz() -> None:
    xp = Float64Backend()
    rng = np.random.default_rng(2)
    g = rng.normal(size=(3, 7))
    a = g @ g.T + 0.1 * np.eye(3)
    for p in (2, 4):
        np.testing.assert_allclose(inverse_root(xp, a, p), _inv_root(a, p), rtol=1e-10)
    x = newton_schulz(xp, g)
    # NS5 pushes singular values into roughly [0.7, 1.2], not exactly to 1.
    s = np.linalg.svd(x, compute_uv=False)
    assert np.all((s > 0.6) & (s < 1.3))


def test_conjugate_law_moves_structured_state() -> None:
    xp = Float64Backend()
    params, grads = inputs()
    opt = catalogue_optimiser("shampoo")
    state = opt.init(xp, params)
    _, state = opt.step(xp, params, grads[0], state)
    p = cayley(np.array([[0, Fraction(1, 2), 0], [Fraction(-1, 2), 0, 1], [0, -1, 0]]))
    moved = act_state_ext(xp, opt, p, state)
    pf = p.astype(float)
    np.testing.assert_allclose(moved["left"]["A"], pf @ state["left"]["A"] @ pf.T)
    np.testing.assert_allclose(moved["right"]["A"], state["right"]["A"])
    assert all_laws(opt) == {"left": "conjugate", "right": "invariant"}


def test_act_state_ext_agrees_with_act_state_on_old_laws() -> None:
    xp = Float64Backend()
    params, grads = inputs()
    opt = catalogue_optimiser("adam")
    state = opt.init(xp, params)
    _, state = opt.step(xp, params, grads[0], state)
    p = signed_permutation(K, np.random.default_rng(0))
    old, new = act_state(xp, opt, p, state), act_state_ext(xp, opt, p, state)
    for field in ("m", "v"):
        for n in params:
            np.testing.assert_array_equal(old[field][n], new[field][n])


def test_resolved_hyperparameters_are_recorded() -> None:
    resolved = resolved_hyperparameters("adagrad-optax")
    assert resolved["hyper"]["initial_accumulator_value"] == "0.1"
    assert resolved["hyper"]["eps"] == "1e-7"
    assert resolved_hyperparameters("adam-keras")["hyper"]["eps"] == "1e-7"
    assert resolved_hyperparameters("adam-optax")["hyper"]["eps_root"] == "0"
    assert (
        resolved_hyperparameters("adagrad-large-init")["hyper"][
            "initial_accumulator_value"
        ]
        == "1e6"
    )
    assert set(TABLE_HYPER) == set(table_names())


@pytest.mark.parametrize("name", table_names())
def test_step_claim_matches_facts(name: str) -> None:
    evidence = step_evidence(name)
    assert evidence.verdict == expected_verdict(name, "O")
    if evidence.verdict == Verdict.REFUTED:
        assert evidence.counterexample is not None
