"""Certificates that need no ideal: the chain-rule lemma and orbit orthogonality.

**Chain-rule lemma.** The models compute their gradient by the chain rule
(``∇_A = B Gᵀ``, ``∇_B = A G``); nothing in the equivariance proof checks that
this *is* the gradient of the loss. The lemma does: for every explicit entry
``x`` of every parameter, the model's ``gradient`` minus sympy's ordinary
scalar derivative ``∂E/∂x`` of the model's ``loss`` must be the zero
polynomial. Scalar ``diff`` of an expression in explicit symbols is plain
calculus; no matrix-symbol derivative is involved.

**Orbit orthogonality.** For a generic skew ``S`` (free symbols above the
diagonal), the pairing ``⟨∇E, (SA, SB)⟩ = Σ ∇_A∘(SA) + Σ ∇_B∘(SB)`` must be
the zero polynomial: the gradient has no component along the orbit of O(k).
No orthogonality ideal is needed, since ``S`` is skew by construction.
"""

from __future__ import annotations

import numpy as np
import sympy

from orthoproof.backends import SympyBackend
from orthoproof.models import Model
from orthoproof.prove.certificate import Certificate
from orthoproof.prove.setup import SymbolicSetup

__all__ = ["chain_rule_certificate", "orbit_certificate"]

XP = SympyBackend()


def chain_rule_certificate(setup: SymbolicSetup, model: Model) -> Certificate:
    """Entries ``gradient[x] = ∂loss/∂x`` for every parameter entry ``x``."""
    params = setup.params(model.extra)
    loss = model.loss(XP, params)
    grads = model.gradient(XP, params)
    labels, lhs, rhs = [], [], []
    for name, value in params.items():
        grad = np.asarray(grads[name], dtype=object)
        for index, symbol in np.ndenumerate(value):
            labels.append(f"∂E/∂{symbol}")
            lhs.append(grad[index])
            rhs.append(sympy.diff(loss, symbol))
    steps = (
        f"loss E of {model.name} built from explicit entries "
        f"({len(labels)} parameters) on the sympy backend",
        "each entry of the model's chain-rule gradient paired with sympy's scalar "
        "derivative ∂E/∂x of that loss",
    )
    return Certificate(
        claim=f"chain-rule/{model.name}",
        dims=setup.dims,
        labels=tuple(labels),
        lhs=tuple(lhs),
        rhs=tuple(rhs),
        steps=steps,
    )


def orbit_certificate(setup: SymbolicSetup, model: Model, claim: str) -> Certificate:
    """One entry: ``Σ ∇_A∘(SA) + Σ ∇_B∘(SB) = 0`` for the generic skew S."""
    params = setup.params(model.extra)
    grads = model.gradient(XP, params)
    s = setup.S
    pairing = sympy.Add(
        *(grads["A"] * (s @ params["A"])).reshape(-1),
        *(grads["B"] * (s @ params["B"])).reshape(-1),
    )
    free = setup.k * (setup.k - 1) // 2
    steps = (
        f"gradient of {model.name} at explicit entries paired with the orbit "
        f"direction (SA, SB), S skew with {free} free "
        f"entr{'y' if free == 1 else 'ies'} (biases fixed)",
    )
    return Certificate(
        claim=claim,
        dims=setup.dims,
        labels=("⟨∇E,(SA,SB)⟩",),
        lhs=(pairing,),
        rhs=(sympy.Integer(0),),
        steps=steps,
    )
