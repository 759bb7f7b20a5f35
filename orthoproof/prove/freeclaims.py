"""The generic-loss theorem, dimension-free: statements and their proofs.

For any loss ``ℓ(AᵀB)`` (plus biases the group does not touch) write
``G = ∂ℓ/∂M`` at ``M = AᵀB``, an arbitrary m×n matrix; the chain rule gives
``∇_A = BGᵀ`` and ``∇_B = AG``. Every claim below is a statement about words
in ``A`` (k×m), ``B`` (k×n), ``G`` (m×n) and the group element, proved for all
``k``, ``m`` and ``n`` at once by :func:`~orthoproof.prove.freeproof.prove_parts`.

>>> str(prove_free("orbit-orthogonality/generic").verdict)
'proved'
"""

from __future__ import annotations

from collections.abc import Callable

from orthoproof.errors import InvalidArgument
from orthoproof.prove.freeproof import prove_parts
from orthoproof.prove.words import (
    Expr,
    identity,
    inverse,
    invertible,
    matrix,
    orthogonal,
    scalar,
    skew,
    symmetric,
    tr,
)
from orthoproof.verdicts import Evidence, Verdict

__all__ = [
    "FALSE_IDENTITIES",
    "FREE_CLAIMS",
    "FREE_STATEMENTS",
    "false_identity_evidence",
    "prove_free",
    "soundness_evidence",
]

Part = tuple[str, Expr, Expr, str | None]

A, B = matrix("A", "k", "m"), matrix("B", "k", "n")
G = matrix("G", "m", "n")
P, S, M = orthogonal("P", "k"), skew("S", "k"), invertible("M", "k")
ETA = scalar("η")


def grad_a(a: Expr, b: Expr) -> Expr:
    """``∇_A = B Gᵀ``: G is the same wherever ``AᵀB`` is the same."""
    return b @ G.T


def grad_b(a: Expr, b: Expr) -> Expr:
    """``∇_B = A G``."""
    return a @ G


def _product_invariance() -> list[Part]:
    return [("product-invariance", (P @ A).T @ (P @ B), A.T @ B, None)]


def _loss_invariance() -> list[Part]:
    return [("loss-invariance/generic", (P @ A).T @ (P @ B), A.T @ B, "ℓ(AᵀB, b, c)")]


def _chain_rule() -> list[Part]:
    # dℓ = tr(Gᵀ dM) with dM = dAᵀB + AᵀdB, which must equal ⟨dA, ∇_A⟩ + ⟨dB, ∇_B⟩.
    da, db = matrix("dA", "k", "m"), matrix("dB", "k", "n")
    lhs = tr(G.T @ (da.T @ B + A.T @ db))
    rhs = tr(da.T @ grad_a(A, B)) + tr(db.T @ grad_b(A, B))
    return [("chain-rule", lhs, rhs, None)]


def _gradient_equivariance() -> list[Part]:
    # The moved point has the same product, so the same G (first part), and
    # then each gradient is P times the old one.
    pa, pb = P @ A, P @ B
    return [
        *_chain_rule(),
        ("same product, so same G", pa.T @ pb, A.T @ B, "G = ∂ℓ/∂M"),
        ("∇_A(PA, PB) = P∇_A", grad_a(pa, pb), P @ grad_a(A, B), None),
        ("∇_B(PA, PB) = P∇_B", grad_b(pa, pb), P @ grad_b(A, B), None),
    ]


def _orbit(s: Expr) -> list[Part]:
    pairing = tr(grad_a(A, B).T @ s @ A) + tr(grad_b(A, B).T @ s @ B)
    return [("⟨∇E, (SA, SB)⟩ = 0", pairing, 0 * tr(A.T @ A), None)]


def _balance(a: Expr, b: Expr) -> Expr:
    return a @ a.T - b @ b.T


def _balance_drift() -> list[Part]:
    ga, gb = grad_a(A, B), grad_b(A, B)
    a1, b1 = A - ETA * ga, B - ETA * gb
    drift = ETA * ETA * (ga @ ga.T - gb @ gb.T)
    return [
        (
            "Q' − Q = η²(∇_A∇_Aᵀ − ∇_B∇_Bᵀ)",
            _balance(a1, b1) - _balance(A, B),
            drift,
            None,
        )
    ]


def _balance_flow() -> list[Part]:
    # dQ/dt along Ȧ = −∇_A, Ḃ = −∇_B.
    ga, gb = grad_a(A, B), grad_b(A, B)
    rate = -(A @ ga.T + ga @ A.T) + (B @ gb.T + gb @ B.T)
    return [("dQ/dt = 0 under gradient flow", rate, 0 * (A @ A.T), None)]


def _gl_invariance() -> list[Part]:
    return [
        (
            "gl-invariance/generic",
            (M @ A).T @ (inverse(M).T @ B),
            A.T @ B,
            "ℓ(AᵀB, b, c)",
        )
    ]


def _relu_output() -> list[Part]:
    return [
        (
            "loss-invariance/relu-output",
            (P @ A).T @ (P @ B),
            A.T @ B,
            "½Σ w(relu(AᵀB) − X)²",
        )
    ]


#: Claim id → (statement, parts).
FREE_STATEMENTS: dict[str, tuple[str, Callable[[], list[Part]]]] = {
    "product-invariance": ("(PA)ᵀ(PB) = AᵀB for PᵀP = I", _product_invariance),
    "loss-invariance/generic": (
        "ℓ((PA)ᵀ(PB), b, c) = ℓ(AᵀB, b, c) for every loss of the product",
        _loss_invariance,
    ),
    "gradient-equivariance/generic": (
        "∇ℓ(PA, PB) = P·∇ℓ(A, B) with ∇_A = BGᵀ, ∇_B = AG",
        _gradient_equivariance,
    ),
    "orbit-orthogonality/generic": (
        "tr(∇_Aᵀ S A) + tr(∇_Bᵀ S B) = 0 for skew S",
        lambda: _orbit(S),
    ),
    "balance-drift/gd": (
        "one GD step changes Q = AAᵀ − BBᵀ by η²(∇_A∇_Aᵀ − ∇_B∇_Bᵀ)",
        _balance_drift,
    ),
    "balance-drift/flow": (
        "gradient flow conserves Q = AAᵀ − BBᵀ",
        _balance_flow,
    ),
    "gl-invariance/generic": (
        "ℓ((MA)ᵀ(M⁻ᵀB), b, c) = ℓ(AᵀB, b, c) for invertible M",
        _gl_invariance,
    ),
    "loss-invariance/relu-output": (
        "½Σ w(relu((PA)ᵀ(PB)) − X)² = ½Σ w(relu(AᵀB) − X)²: the nonlinearity "
        "acts after the product",
        _relu_output,
    ),
}

#: Every id :func:`prove_free` accepts.
FREE_CLAIMS: tuple[str, ...] = tuple(FREE_STATEMENTS)


def prove_free(claim_id: str) -> Evidence:
    """Prove a claim of :data:`FREE_CLAIMS` for all shapes.

    Returns
    -------
    Evidence
        ``kind="symbolic"``, ``dimensions=None`` (every k, m, n); ``proved``
        only if every part reduced to 0 and the word kernel accepted it.
    """
    if claim_id not in FREE_STATEMENTS:
        raise InvalidArgument.of("claim_id", claim_id, f"one of {FREE_CLAIMS}")
    statement, parts = FREE_STATEMENTS[claim_id]
    return prove_parts(claim_id, parts(), statement)


def _false_identities() -> dict[str, tuple[Expr, Expr]]:
    # A square (k×m and k×m) so that AᵀB and BᵀA have the same shape.
    b_square, q = matrix("B", "k", "m"), matrix("P", "k", "k")
    sym = symmetric("S", "k")
    orbit_sym = tr(grad_a(A, B).T @ sym @ A) + tr(grad_b(A, B).T @ sym @ B)
    return {
        "AᵀB = BᵀA": (A.T @ b_square, b_square.T @ A),
        "(PA)ᵀB = AᵀB": ((P @ A).T @ B, A.T @ B),
        "orbit orthogonality with S symmetric": (orbit_sym, 0 * tr(A.T @ A)),
        "product invariance without PᵀP = I": ((q @ A).T @ (q @ B), A.T @ B),
        "GD conserves Q exactly": (
            _balance(A - ETA * grad_a(A, B), B - ETA * grad_b(A, B)),
            _balance(A, B),
        ),
        "tr(PA Aᵀ) = tr(AAᵀ)": (tr(P @ A @ A.T), tr(A @ A.T)),
        "(MA)ᵀ(M⁻¹B) = AᵀB": ((M @ A).T @ (inverse(M) @ B), A.T @ B),
        "P = I": (P, identity("k")),
    }


#: Deliberately false identities that the prover must never prove.
FALSE_IDENTITIES: tuple[str, ...] = tuple(_false_identities())


def false_identity_evidence() -> dict[str, Evidence]:
    """Proof attempts of every false identity (each should be ``undecided``)."""
    return {
        name: prove_parts(name, [(name, lhs, rhs, None)])
        for name, (lhs, rhs) in _false_identities().items()
    }


def soundness_evidence() -> Evidence:
    """Evidence for ``soundness/false-identities``: none of them is proved.

    ``holds`` when every attempt is ``undecided``; ``refuted`` (with the
    identity named) if the prover ever proved one, which would be a bug.
    """
    attempts = false_identity_evidence()
    proved = [name for name, ev in attempts.items() if ev.verdict is Verdict.PROVED]
    verdict = Verdict.REFUTED if proved else Verdict.HOLDS
    summary = (
        f"the prover proved false identities: {proved}"
        if proved
        else f"none of {len(attempts)} false identities was proved"
    )
    return Evidence(
        kind="guard",
        verdict=verdict,
        summary=summary,
        counterexample={"proved": proved} if proved else None,
        details={name: str(ev.verdict) for name, ev in attempts.items()},
    )
