"""``step-equivariance/<optimiser>``: one step at k = 2 under an exact rotation.

The step is taken from a warm state (one earlier step; :data:`WARM_STEPS` for
the exceptions), so the state law is
exercised, not only the zero state: ``step(Pθ, P∇, P·s) = P·step(θ, ∇, s)``
with ``P = [[3/5, −4/5], [4/5, 3/5]]`` (the Cayley transform of the skew
matrix with entry 1/2; no entry is zero, so it is not a signed permutation).

Optimisers whose step uses only field operations and comparisons run in exact
rationals: equality is then exact for the stated input (``holds``, not a
proof for every input), inequality an exact counterexample (``refuted``).
Optimisers with square roots run in ``arb`` balls: a ball of ‖lhs − rhs‖²
strictly above 0 refutes; a ball around 0 of tiny radius is strong numerical
evidence (``holds``), never a proof.

Optimisers that walk data records rather than a gradient (``needs_data``:
GloVe's per-pair loop) step on a small exact GloVe problem,
:func:`invariant_model`, whose data the group does not touch.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.backends import ArbBackend, Backend, ExactBackend
from orthoproof.errors import Uncertain
from orthoproof.groups import act, cayley
from orthoproof.models import GloveModel
from orthoproof.optim.catalogue import TABLE_HYPER, catalogue_optimiser
from orthoproof.optim.laws import act_state_ext
from orthoproof.trajectory.run import squared_distance
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["EXACT_STEP", "WARM_STEPS", "step_claim_id", "step_evidence", "step_inputs"]

#: Optimisers whose step needs no square root: settled in exact rationals.
EXACT_STEP = frozenset(
    {
        "sgd",
        "momentum",
        "nesterov",
        "sgd-l2",
        "sgdw",
        "clip-value",
        "signsgd",
        "lion",
        "nelder-mead",
        "powell",
    }
)
K, M, N = 2, 3, 3

#: Steps taken before the claimed one, where one warm step would miss the
#: breakage: RAdam is plain momentum until ρ_t > 5 (t = 6), and torch's
#: L-BFGS breaks the symmetry on its first step only (the 1/‖∇‖₁ scale).
WARM_STEPS: dict[str, int] = {
    "radam": 5,
    "lbfgs-torch": 0,
    # Zeroth-order methods build their simplex or directions from the start on
    # the first step: a warm state moved by its law would be equivariant.
    "nelder-mead": 0,
    "powell": 0,
}


def invariant_loss(xp: Backend, params: Any) -> Any:
    """An O(k)-invariant loss for zeroth-order steps: ‖AᵀB − T‖² + ‖b‖² + ‖c‖².

    ``T`` is a fixed small rational matrix; the loss depends on the hidden
    arrays only through ``AᵀB``, so ``P`` leaves it unchanged.
    """
    a, b = params["A"], params["B"]
    target = xp.asarray(
        [[Fraction(i - j, 4) for j in range(b.shape[1])] for i in range(a.shape[1])]
    )
    diff = a.T @ b - target
    return (diff * diff).sum() + (params["b"] ** 2).sum() + (params["c"] ** 2).sum()


def invariant_model() -> GloveModel:
    """A small exact GloVe problem (M×N) for steps that walk data records.

    Weights in (0, 1] and targets are fixed rationals; like any GloVe cost it
    depends on the hidden arrays only through ``AᵀB``.
    """
    weights = np.empty((M, N), dtype=object)
    target = np.empty((M, N), dtype=object)
    for i, j in np.ndindex(M, N):
        weights[i, j] = Fraction(1 + (i + 2 * j) % 4, 4)
        target[i, j] = Fraction(i - j, 4)
    return GloveModel(weights, target)


def _step(xp: Backend, opt: Any, theta: Any, g: Any, state: Any) -> Any:
    if getattr(opt, "needs_data", False):
        # The claimed gradient is not read: the step walks the records itself.
        model = invariant_model()
        return opt.step(xp, theta, g, state, model=model, data=model.data(xp))
    if getattr(opt, "needs_loss", False):
        return opt.step(xp, theta, g, state, loss=lambda q: invariant_loss(xp, q))
    return opt.step(xp, theta, g, state)


def step_claim_id(name: str) -> str:
    return f"step-equivariance/{name}"


def _rational(rng: np.random.Generator, shape: tuple[int, ...], spread: int) -> Any:
    # Eighths keep the exact arithmetic small; entries reach ±spread so that
    # clipping thresholds below it bind.
    values = rng.integers(-8 * spread, 8 * spread + 1, size=shape)
    out = np.empty(shape, dtype=object)
    for index, v in np.ndenumerate(values):
        out[index] = Fraction(int(v), 8)
    return out


def step_inputs(seed: int = 0) -> dict[str, Any]:
    """Exact parameters, two gradients and the rotation of the step claim."""
    rng = np.random.default_rng(seed)
    shapes = {"A": (K, M), "B": (K, N), "b": (M,), "c": (N,)}
    return {
        "params": {n: _rational(rng, s, 1) for n, s in shapes.items()},
        "grads": [{n: _rational(rng, s, 2) for n, s in shapes.items()} for _ in "12"],
        # Drawn after the first two, so those stay as they were.
        "more_grads": [
            {n: _rational(rng, s, 2) for n, s in shapes.items()} for _ in range(4)
        ],
        "p": cayley(
            np.array([[0, Fraction(1, 2)], [Fraction(-1, 2), 0]], dtype=object)
        ),
    }


def _sides(xp: Backend, name: str, inputs: dict[str, Any]) -> tuple[Any, Any]:
    """‖step(Pθ, P∇, P·s) − P·step(θ, ∇, s)‖² and ‖P·step(θ, ∇, s)‖², in ``xp``."""
    opt = catalogue_optimiser(name, **TABLE_HYPER.get(name, {}))
    p = inputs["p"]
    grads = [*inputs["grads"], *inputs.get("more_grads", [])]
    warm = WARM_STEPS.get(name, 1)
    with xp.context():
        theta = {n: xp.asarray(v) for n, v in inputs["params"].items()}
        gs = [{n: xp.asarray(v) for n, v in g.items()} for g in grads[: warm + 1]]
        # The claimed step uses the second gradient, as with one warm step.
        claimed = gs.pop(1 if warm >= 1 else 0)
        state = opt.init(xp, theta)
        for g in gs:
            theta, state = _step(xp, opt, theta, g, state)
        rhs, _ = _step(xp, opt, theta, claimed, state)
        rhs = act(xp, p, rhs)
        moved = act_state_ext(xp, opt, p, state)
        lhs, _ = _step(xp, opt, act(xp, p, theta), act(xp, p, claimed), moved)
        zero = {n: v * xp.number(0) for n, v in rhs.items()}
        return squared_distance(xp, lhs, rhs), squared_distance(xp, rhs, zero)


def step_evidence(name: str, seed: int = 0, prec: int = 256) -> Evidence:
    """Evidence for ``step-equivariance/<name>`` (see the module note)."""
    inputs = step_inputs(seed)
    dims = {"k": K, "m": M, "n": N}
    p_text = [[str(v) for v in row] for row in inputs["p"]]
    if name in EXACT_STEP:
        diff, _ = _sides(ExactBackend(), name, inputs)
        broken = diff != 0
        return Evidence(
            kind="exact-check",
            verdict=Verdict.REFUTED if broken else Verdict.HOLDS,
            summary=(
                f"exact rationals: ‖lhs − rhs‖² = {diff}"
                if broken
                else "exact rationals: both sides equal for this input (not a proof)"
            ),
            dimensions=dims,
            errors=(float(diff),),
            counterexample={"P": p_text, "seed": seed} if broken else None,
        )
    xp = ArbBackend(prec)
    try:
        diff, size = _sides(xp, name, inputs)
    except Uncertain as exc:
        return Evidence("certificate", Verdict.UNDECIDED, str(exc), dimensions=dims)
    with xp.context():
        broken = bool(diff > 0)
        radius, lower = float(diff.rad()), float(diff.lower())
        relative = float(diff.upper()) / max(float(size.lower()), 1e-300)
    summary = (
        f"arb at {prec} bits: ‖lhs − rhs‖² ≥ {lower:.3e} > 0"
        if broken
        else f"arb at {prec} bits: ball of ‖lhs − rhs‖² contains 0, relative "
        f"size ≤ {relative:.1e} (evidence, not a proof)"
    )
    return Evidence(
        kind="certificate",
        verdict=Verdict.REFUTED if broken else Verdict.HOLDS,
        summary=summary,
        dimensions=dims,
        precision=(prec,),
        errors=(lower,),
        counterexample={"P": p_text, "seed": seed} if broken else None,
        certificate={"ball": diff.str(10), "radius": radius, "prec_bits": prec},
    )
