"""sympy's known traps (issue 3), reproduced, and how the suite avoids them.

Measured with sympy 1.14: the matrix-symbol derivative still returns 0 for
trace sums; ``HadamardProduct`` of a sum no longer raises when built, but the
derivative of the weighted loss written with it raises ``TypeError``;
``simplify`` leaves a true identity (atan(p) + atan(1/p) = π/2 for p > 0)
unreduced. None of this reaches a verdict: the provers use explicit symbols,
scalar ``diff`` and polynomial expansion.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from sympy import HadamardProduct, MatrixSymbol, Trace

from orthoproof.models import Model
from orthoproof.prove import prove_claim, prove_free, prove_words
from orthoproof.prove.freeclaims import false_identity_evidence
from orthoproof.prove.words import matrix, orthogonal, skew, symmetric, tr
from orthoproof.verdicts import Verdict

K = 3
A, B, X, W = (MatrixSymbol(name, K, K) for name in "ABXW")
DIMS = (2, 2, 2)


def test_trace_sum_derivative_is_wrongly_zero() -> None:
    """sympy 26585/27406/30527: d/dA [tr(A) + tr(Aᵀ)] comes out 0, not 2I."""
    assert (Trace(A) + Trace(A.T)).diff(A).is_ZeroMatrix
    assert (Trace(A * B) + Trace(B * A)).diff(A).is_ZeroMatrix
    # With explicit entries, scalar diff gets the truth: the suite's route.
    a = sympy.Matrix(K, K, lambda i, j: sympy.Symbol(f"a{i}{j}"))
    grad = sympy.Matrix(K, K, lambda i, j: sympy.diff(a.trace() + a.T.trace(), a[i, j]))
    assert grad == 2 * sympy.eye(K)


def test_hadamard_loss_derivative_raises() -> None:
    """The weighted loss tr(Wᵀ((AᵀB − X)∘(AᵀB − X))) cannot be differentiated."""
    residual = A.T * B - X
    assert HadamardProduct(A + B, X).doit() == HadamardProduct(A + B, X)
    with pytest.raises(TypeError):
        Trace(W.T * HadamardProduct(residual, residual)).diff(A)


def test_simplify_misses_a_true_identity() -> None:
    """Like sympy 17905: a true identity that simplify does not bring to 0."""
    p = sympy.Symbol("p", positive=True)
    identity = sympy.atan(p) + sympy.atan(1 / p) - sympy.pi / 2
    assert sympy.simplify(identity) != 0
    assert abs(sympy.N(identity.subs(p, sympy.Rational(3, 7)), 50)) < 1e-45


class MatrixSymbolGradient(Model):
    """A model whose gradient comes from sympy's matrix-symbol derivative.

    For the trace sum tr(AᵀB) + tr(BᵀA) that derivative is 0 (the trap), so
    the 'gradient' here is 0 while the loss is not constant.
    """

    name = "matrix-symbol-gradient"

    def loss(self, xp, params, data=None):  # type: ignore[override]
        a, b = params["A"], params["B"]
        return 2 * (a * b).sum()

    def gradient(self, xp, params, data=None):  # type: ignore[override]
        k, m = params["A"].shape
        am, bm = MatrixSymbol("A", k, m), MatrixSymbol("B", k, m)
        derivative = (Trace(am.T * bm) + Trace(bm.T * am)).diff(am)
        assert derivative.is_ZeroMatrix  # the trap, reproduced inside the model
        zero = np.full(params["A"].shape, sympy.Integer(0), dtype=object)
        return {"A": zero, "B": zero.copy()}


def test_trap_gradient_is_never_proved() -> None:
    """The chain-rule lemma rejects a gradient taken from the trap."""
    factory = MatrixSymbolGradient
    for claim in ("gradient-equivariance/plain", "orbit-orthogonality/plain"):
        evidence = prove_claim(claim, DIMS, model_factory=factory)
        assert evidence.verdict == Verdict.UNDECIDED, evidence.summary
        assert "chain-rule" in evidence.details["reason"]


def test_false_identities_never_proved_by_the_word_prover() -> None:
    """AᵀB = BᵀA, orthogonality dropped, S symmetric: all undecided."""
    attempts = false_identity_evidence()
    assert attempts
    assert all(e.verdict != Verdict.PROVED for e in attempts.values())
    a, b = matrix("A", "k", "m"), matrix("B", "k", "m")
    s, q, p = symmetric("S", "k"), matrix("Q", "k", "k"), orthogonal("P", "k")
    assert prove_words("ab", a.T @ b, b.T @ a).verdict != Verdict.PROVED
    assert (
        prove_words("no-orth", (q @ a).T @ (q @ b), a.T @ b).verdict != Verdict.PROVED
    )
    assert (
        prove_words("sym", tr(a.T @ s @ a), 0 * tr(a.T @ a)).verdict != Verdict.PROVED
    )
    # the true twins are proved, so the guard is not vacuous
    assert prove_words("orth", (p @ a).T @ (p @ b), a.T @ b).verdict == Verdict.PROVED
    sk = skew("S", "k")
    assert prove_words("skew", tr(a.T @ sk @ a), 0 * tr(a.T @ a)).verdict == (
        Verdict.PROVED
    )
    assert prove_free("orbit-orthogonality/generic").verdict == Verdict.PROVED


class DroppedOrthogonality(Model):
    """Loss ½Σ w(AᵀB − X)² + Σ A: depends on A itself, not only through AᵀB."""

    name = "dropped"

    def loss(self, xp, params, data=None):  # type: ignore[override]
        return super().loss(xp, params, data) + params["A"].sum()

    def gradient(self, xp, params, data=None):  # type: ignore[override]
        grads = super().gradient(xp, params, data)
        grads["A"] = grads["A"] + 1
        return grads


def test_false_identities_never_proved_at_fixed_dimension(monkeypatch) -> None:
    """The fixed-dimension prover: undecided for each false statement."""
    evidence = prove_claim(
        "loss-invariance/plain", DIMS, model_factory=DroppedOrthogonality
    )
    assert evidence.verdict == Verdict.UNDECIDED
    # S symmetric instead of skew: swap the setup's S and the orbit proof fails.
    import orthoproof.prove.lemmas as lemmas
    from orthoproof.prove.setup import symbolic_setup

    setup = symbolic_setup(DIMS)
    sym = np.array(
        [
            [sympy.Symbol(f"r{min(i, j)}{max(i, j)}") for j in range(2)]
            for i in range(2)
        ],
        dtype=object,
    )
    original = lemmas.orbit_certificate

    def with_symmetric(setup_, model, claim):  # type: ignore[no-untyped-def]
        import dataclasses

        return original(dataclasses.replace(setup_, S=sym), model, claim)

    monkeypatch.setattr("orthoproof.prove.prover.orbit_certificate", with_symmetric)
    evidence = prove_claim("orbit-orthogonality/plain", DIMS)
    assert evidence.verdict == Verdict.UNDECIDED
    assert setup.S[0, 1] == -setup.S[1, 0]  # the real setup is untouched
    # AᵀB = BᵀA at fixed dimension: not an identity in explicit entries.
    from orthoproof.prove import prove_identity

    a, b = setup.A, setup.B
    lhs = list((a.T @ b).reshape(-1))
    rhs = list((b.T @ a).reshape(-1))
    labels = [f"e{i}" for i in range(len(lhs))]
    assert prove_identity("AᵀB = BᵀA", labels, lhs, rhs, DIMS).verdict == (
        Verdict.UNDECIDED
    )
