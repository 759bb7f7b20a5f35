"""Necessity: each condition of the symmetry argument, broken, breaks the claim.

The rotation symmetry needs (i) a loss that sees the parameters only through
``AᵀB``, (ii) no basis-dependent penalty or constraint, and (iii) an optimiser
that does not act coordinate by coordinate. Each breaker below is *refuted*
by the smallest exact rational case at ``k = 2`` with the exact rotation
``P = [[3/5, −4/5], [4/5, 3/5]]`` (:data:`~orthoproof.prove.counterexamples.ROTATION`):

==============================================  ================================
``loss-invariance/relu-hidden``                 ½Σ(relu(A)ᵀB − X)²
``loss-invariance/l1``                          ½Σ(AᵀB − X)² + ‖A‖₁
``trajectory-equivariance/nmf-projection/plain`` one GD step, then max(0, ·)
``trajectory-equivariance/value-clipping/plain`` one GD step, gradient clipped
                                                to [−½, ½] per coordinate
==============================================  ================================

A nonlinearity *after* the product, ½Σ w(relu(AᵀB) − X)², still factors
through ``M = AᵀB``: ``loss-invariance/relu-output`` is proved dimension-free
and checked exactly, so the suite does not confuse the two placements.

>>> sorted(str(e[0].verdict) for e in necessity_evidence().values())
['proved', 'refuted', 'refuted', 'refuted', 'refuted']
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.backends import Backend
from orthoproof.models import L1Penalised, Model, Params, PlainModel, ReluHidden
from orthoproof.prove.counterexamples import (
    ROTATION,
    XP,
    Case,
    exact_matrix,
    gd_step,
    nonzero,
    refutation,
    smallest,
)
from orthoproof.prove.freeclaims import prove_free
from orthoproof.verdicts import Evidence, Verdict

__all__ = [
    "CLIP",
    "NECESSITY_CLAIMS",
    "STEP",
    "ReluOutput",
    "necessity_evidence",
    "relu_output_check",
]

#: Learning rate and clipping bound of the one-step counterexamples.
STEP = Fraction(1, 2)
CLIP = Fraction(1, 2)


class ReluOutput(Model):
    """½Σ w(relu(AᵀB) − X)²: a nonlinearity after the product, still invariant.

    ``G = w·(relu(M) − X)·H(M)`` with the step ``H`` taken as ½ at 0, the same
    convention as :class:`orthoproof.models.ReluHidden`.
    """

    name = "relu-output"

    # loss and gradient are written out here rather than through the base
    # class's hooks, so that this model means the same whatever they become.
    def _parts(self, xp: Backend, params: Params) -> tuple[Any, Any]:
        weights, target = self.data(xp)
        product = params["A"].T @ params["B"]
        r = (product + xp.abs(product)) / 2 - target
        return weights * r * r, weights * r * (xp.sign(product) + 1) / 2

    def loss(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> Any:
        return self._parts(xp, params)[0].sum() / 2

    def gradient(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> dict[str, Any]:
        g = self._parts(xp, params)[1]
        return {"A": params["B"] @ g.T, "B": params["A"] @ g}


def _rotated(case: Case) -> dict[str, Any]:
    return {"A": ROTATION @ case["A"], "B": ROTATION @ case["B"]}


def _loss_difference(model_of: Any) -> Any:
    def differs(case: Case) -> dict[str, Any]:
        model = model_of(case)
        moved = model.loss(XP, _rotated(case))
        base = model.loss(XP, {"A": case["A"], "B": case["B"]})
        return nonzero(E=np.array(moved - base, dtype=object))

    return differs


def _step_difference(**how: Any) -> Any:
    def differs(case: Case) -> dict[str, Any]:
        model = PlainModel(case["weights"], case["target"])
        moved = gd_step(model, _rotated(case), STEP, **how)
        after = gd_step(model, {"A": case["A"], "B": case["B"]}, STEP, **how)
        return nonzero(
            A=moved["A"] - ROTATION @ after["A"], B=moved["B"] - ROTATION @ after["B"]
        )

    return differs


def _plain(case: Case) -> PlainModel:
    return PlainModel(case["weights"], case["target"])


_BREAKERS: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "loss-invariance/relu-hidden": (
        "a ReLU on the hidden layer: E(PA, PB) ≠ E(A, B)",
        _loss_difference(lambda c: ReluHidden(_plain(c))),
        {},
    ),
    "loss-invariance/l1": (
        "an L1 penalty ‖A‖₁ (λ = 1): E(PA, PB) ≠ E(A, B)",
        _loss_difference(lambda c: L1Penalised(_plain(c), 1)),
        {"lambda": np.array(Fraction(1), dtype=object)},
    ),
    "trajectory-equivariance/nmf-projection/plain": (
        "one projected GD step (max(0, ·) after it) from (PA, PB) does not end "
        "at P·(A₁, B₁)",
        _step_difference(project=True),
        {"eta": np.array(STEP, dtype=object)},
    ),
    "trajectory-equivariance/value-clipping/plain": (
        "one GD step with the gradient clipped per coordinate to [−½, ½] from "
        "(PA, PB) does not end at P·(A₁, B₁)",
        _step_difference(clip=CLIP),
        {"eta": np.array(STEP, dtype=object), "clip": np.array(CLIP, dtype=object)},
    ),
}

#: Every claim id :func:`necessity_evidence` reports on.
NECESSITY_CLAIMS: tuple[str, ...] = (*_BREAKERS, "loss-invariance/relu-output")

#: A case where AᵀB has entries of both signs, so the output ReLU is active.
_RELU_CASE: Case = {
    "A": exact_matrix([[1, -1], [2, 1]]),
    "B": exact_matrix([[1, -2], [-1, 1]]),
    "weights": exact_matrix([[1, 2], ["1/2", 1]]),
    "target": exact_matrix([[1, 0], [-1, "1/3"]]),
}


def relu_output_check(case: Case | None = None) -> Evidence:
    """Exact check of invariance and equivariance for :class:`ReluOutput`.

    ``holds`` when the loss is unchanged and the gradient moves by ``P``,
    exactly, with the ReLU clipping part of ``AᵀB`` (otherwise the case would
    say nothing about the ReLU); ``refuted`` with the difference if not.
    """
    case = case if case is not None else _RELU_CASE
    model = ReluOutput(case["weights"], case["target"])
    params = {"A": case["A"], "B": case["B"]}
    product = case["A"].T @ case["B"]
    if not ((product < 0).any() and (product > 0).any()):
        return Evidence("exact-check", Verdict.UNDECIDED, "the ReLU is not exercised")
    moved, base = _rotated(case), params
    diff = nonzero(
        E=np.array(model.loss(XP, moved) - model.loss(XP, base), dtype=object),
        **{
            f"∇{name}": model.gradient(XP, moved)[name]
            - ROTATION @ model.gradient(XP, base)[name]
            for name in ("A", "B")
        },
    )
    if diff:
        return refutation(
            "loss-invariance/relu-output", "not invariant", case, diff, {"P": ROTATION}
        )
    return Evidence(
        kind="exact-check",
        verdict=Verdict.HOLDS,
        summary="loss-invariance/relu-output: E(PA, PB) = E(A, B) and "
        "∇E(PA, PB) = P∇E(A, B) exactly, with the ReLU active on part of AᵀB",
        dimensions={"k": 2, "m": 2, "n": 2},
        details={"P": [[str(v) for v in row] for row in ROTATION]},
    )


def necessity_evidence() -> dict[str, list[Evidence]]:
    """Evidence for every claim of :data:`NECESSITY_CLAIMS`.

    Returns
    -------
    dict
        Claim id → evidence. Each breaker: one ``refuted`` exact-check with
        the smallest counterexample. ``loss-invariance/relu-output``: a
        dimension-free ``proved`` and an exact ``holds``.
    """
    out: dict[str, list[Evidence]] = {}
    for claim_id, (reason, differs, extra) in _BREAKERS.items():
        case, diff = smallest(differs)
        out[claim_id] = [
            refutation(claim_id, reason, case, diff, {"P": ROTATION, **extra})
        ]
    out["loss-invariance/relu-output"] = [
        prove_free("loss-invariance/relu-output"),
        relu_output_check(),
    ]
    return out
