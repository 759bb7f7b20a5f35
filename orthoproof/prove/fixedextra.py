"""Fixed-dimension certificates the generic prover cannot build on its own.

Two models need cofactors found another way; the kernel still checks the
model's own ``lhs`` and ``rhs``, so how the cofactors were found is not
trusted.

``l2``
    The penalty ``λ(‖A‖² + ‖B‖²)/2`` does not factor through ``AᵀB``, so the
    product shift alone fails. The residual splits: the weighted part gets its
    cofactors from the product shift, the penalty its own, written out:
    ``‖PA‖² − ‖A‖² = Σ_j Σ_pq A_pj A_qj (PᵀP − I)_pq``.
``tied``
    One factor, product ``AᵀA``: ``(PA)ᵀ(PA) = AᵀA + Aᵀ(PᵀP − I)A``, so the
    product shift works with ``B`` replaced by ``A``. The setup is taken with
    ``n = m`` and the symbols of ``B`` are never used.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import sympy

from orthoproof.backends import SympyBackend
from orthoproof.models_extra import L2Model, TiedModel, WeightedModel
from orthoproof.prove.certificate import Certificate
from orthoproof.prove.cofactors import by_product_shift, delta_symbols
from orthoproof.prove.ideal import Attempt
from orthoproof.prove.prover import STRENGTH, attempts_evidence
from orthoproof.prove.setup import SymbolicSetup, symbolic_setup
from orthoproof.prove.sides import claim_sides
from orthoproof.verdicts import Evidence

__all__ = ["prove_l2_loss", "prove_tied"]

XP = SympyBackend()


def _expanded(exprs: list[Any]) -> list[Any]:
    return [sympy.expand(e) for e in exprs]


def _penalty_cofactors(setup: SymbolicSetup) -> list[Any]:
    """Cofactors of ``λ(‖PA‖² + ‖PB‖² − ‖A‖² − ‖B‖²)/2`` per generator."""
    out = []
    for p, q in setup.pairs:
        total = sympy.Integer(0)
        for x in (setup.A, setup.B):
            for j in range(x.shape[1]):
                # γ_pq appears twice in Σ_pq (p ≠ q, Γ symmetric), once on the diagonal
                total += x[p, j] * x[q, j] * (1 if p != q else sympy.Rational(1, 2))
        out.append(STRENGTH * total)
    return out


def _attempt_l2(setup: SymbolicSetup, claim: str) -> Attempt:
    clock = time.perf_counter()
    model = L2Model(setup.weights, setup.target, STRENGTH)
    inner = WeightedModel(setup.weights, setup.target)
    deltas = delta_symbols(setup.m, setup.n)
    sides = claim_sides("loss-invariance", setup, inner, deltas)
    rows = by_product_shift(sides.shifted, deltas, setup)
    timings = {"build": time.perf_counter() - clock}
    if rows is None:
        return Attempt(None, f"{claim}: the weighted part did not split", timings)
    params = setup.params()
    lhs = model.loss(XP, setup.acted(params))
    rhs = model.loss(XP, params)
    penalty = _penalty_cofactors(setup)
    row = _expanded([c + d for c, d in zip(rows[0], penalty, strict=True)])
    cert = Certificate(
        claim=claim,
        dims=setup.dims,
        labels=("E",),
        lhs=(lhs,),
        rhs=(rhs,),
        group=tuple(tuple(r) for r in setup.P),
        generators=setup.generators,
        cofactors=(tuple(row),),
        steps=(
            "lhs: the l2 loss E(PA, PB) with generic P, rhs: E(A, B), both by the "
            "project's code on the sympy backend, λ symbolic",
            "cofactors: the weighted part by shifting the product by "
            "δ = Aᵀ(PᵀP − I)B; the penalty by ‖PX‖² − ‖X‖² = "
            "Σ_j Σ_pq X_pj X_qj (PᵀP − I)_pq for X = A, B",
        ),
    )
    timings["cofactors"] = time.perf_counter() - clock
    return Attempt(cert, "", timings)


def prove_l2_loss(dims: tuple[int, int, int]) -> Evidence:
    """``loss-invariance/l2`` at ``dims``, λ symbolic, kernel-checked."""
    started = time.perf_counter()
    setup = symbolic_setup(dims)
    claim = "loss-invariance/l2"
    try:
        attempts = [_attempt_l2(setup, claim)]
    except Exception as exc:  # a crash inside sympy is not a verdict
        attempts = [Attempt(None, f"{claim}: the proof attempt raised {exc!r}")]
    return attempts_evidence(claim, setup, attempts, started)


# -- tied ---------------------------------------------------------------------


def _flat(array: Any) -> list[Any]:
    return list(np.asarray(array, dtype=object).reshape(-1))


def _labels(name: str, array: Any) -> list[str]:
    return [
        f"{name}[{','.join(str(i + 1) for i in index)}]" if index else name
        for index, _ in np.ndenumerate(np.asarray(array, dtype=object))
    ]


def _tied_setup(dims: tuple[int, int, int]) -> SymbolicSetup:
    k, m, _ = dims
    return symbolic_setup((k, m, m))


def _tied_shift(
    setup: SymbolicSetup, model: TiedModel, kind: str, deltas: Any
) -> tuple[list[str], list[Any], list[Any], list[Any]]:
    a, p = setup.A, setup.P
    data = model.data(XP)
    if kind == "loss-invariance":
        lhs = [model.loss(XP, {"A": p @ a})]
        rhs = [model.loss(XP, {"A": a})]
        shifted = [model.loss_of_product(XP, a.T @ a + deltas, data) - rhs[0]]
        return ["E"], lhs, rhs, shifted
    moved = model.gradient(XP, {"A": p @ a})["A"]
    turned = p @ model.gradient(XP, {"A": a})["A"]
    g = model.product_gradient(XP, a.T @ a + deltas - data[1], data)
    at_shift = p @ (a @ (g + g.T))
    lhs, rhs = _flat(moved), _flat(turned)
    shifted = [s - r for s, r in zip(_flat(at_shift), rhs, strict=True)]
    return _labels("∇A", moved), lhs, rhs, shifted


def _tied_invariance(setup: SymbolicSetup, kind: str, claim: str) -> Attempt:
    clock = time.perf_counter()
    model = TiedModel(setup.weights, setup.target)
    deltas = delta_symbols(setup.m, setup.m)
    labels, lhs, rhs, shifted = _tied_shift(setup, model, kind, deltas)
    # (PA)ᵀ(PA) − AᵀA = Aᵀ(PᵀP − I)A: the product-shift basis with B := A.
    rows = by_product_shift(shifted, deltas, dataclasses.replace(setup, B=setup.A))
    timings = {"build": time.perf_counter() - clock}
    if rows is None:
        return Attempt(None, f"{claim}: the shift by Aᵀ(PᵀP − I)A did not split")
    cert = Certificate(
        claim=claim,
        dims=setup.dims,
        labels=tuple(labels),
        lhs=tuple(lhs),
        rhs=tuple(rhs),
        group=tuple(tuple(r) for r in setup.P),
        generators=setup.generators,
        cofactors=tuple(tuple(r) for r in rows),
        steps=(
            f"lhs: the tied {'loss' if kind == 'loss-invariance' else 'gradient'} "
            "at PA with generic P by the project's code; rhs: the same at A"
            + (", turned by P" if kind != "loss-invariance" else ""),
            "cofactors by shifting the product AᵀA by δ = Aᵀ(PᵀP − I)A",
        ),
    )
    return Attempt(cert, "", timings)


def _tied_chain_rule(setup: SymbolicSetup) -> Attempt:
    model = TiedModel(setup.weights, setup.target)
    params = {"A": setup.A}
    loss = model.loss(XP, params)
    grad = model.gradient(XP, params)["A"]
    labels, lhs, rhs = [], [], []
    for index, symbol in np.ndenumerate(setup.A):
        labels.append(f"∂E/∂{symbol}")
        lhs.append(grad[index])
        rhs.append(sympy.diff(loss, symbol))
    cert = Certificate(
        claim="chain-rule/tied",
        dims=setup.dims,
        labels=tuple(labels),
        lhs=tuple(lhs),
        rhs=tuple(rhs),
        steps=("the model's gradient 2A·sym(G) against sympy's scalar ∂E/∂a",),
    )
    return Attempt(cert)


def _tied_orbit(setup: SymbolicSetup, claim: str) -> Attempt:
    model = TiedModel(setup.weights, setup.target)
    grad = model.gradient(XP, {"A": setup.A})["A"]
    pairing = sympy.Add(*(grad * (setup.S @ setup.A)).reshape(-1))
    cert = Certificate(
        claim=claim,
        dims=setup.dims,
        labels=("⟨∇E, SA⟩",),
        lhs=(pairing,),
        rhs=(sympy.Integer(0),),
        steps=("gradient paired with the orbit direction SA, S generic skew",),
    )
    return Attempt(cert)


def prove_tied(kind: str, dims: tuple[int, int, int]) -> Evidence:
    """``<kind>/tied`` at ``(k, m)`` (``n`` is taken equal to ``m``).

    Gradient claims carry the chain-rule lemma as a separately checked part,
    as the generic prover's do.
    """
    started = time.perf_counter()
    setup = _tied_setup(dims)
    claim = f"{kind}/tied"
    try:
        if kind == "loss-invariance":
            attempts = [_tied_invariance(setup, kind, claim)]
        elif kind == "gradient-equivariance":
            attempts = [_tied_chain_rule(setup), _tied_invariance(setup, kind, claim)]
        else:
            attempts = [_tied_chain_rule(setup), _tied_orbit(setup, claim)]
    except Exception as exc:  # a crash inside sympy is not a verdict
        attempts = [Attempt(None, f"{claim}: the proof attempt raised {exc!r}")]
    return attempts_evidence(claim, setup, attempts, started)
