"""Dimension-free proofs, the GL(k) refutation, and the necessity of the conditions.

These claims do not depend on the input: they are settled by the word prover
(:func:`orthoproof.prove.prove_free`), whose certificates a separate checker
replays, and by exact rational counterexamples.
"""

from __future__ import annotations

from orthoproof.claims import ClaimSpec
from orthoproof.stages.base import Context, Found, Stage
from orthoproof.verdicts import Verdict

__all__ = ["theory_stage"]

_NECESSITY = {
    "loss-invariance/relu-hidden": "a ReLU on the hidden layer, ½Σ w(relu(A)ᵀB − X)², "
    "is O(k)-invariant — false",
    "loss-invariance/l1": "a loss plus λ‖A‖₁ is O(k)-invariant — false",
    "trajectory-equivariance/nmf-projection/plain": "projected GD onto A, B ≥ 0 "
    "(NMF) is O(k)-equivariant — false",
    "trajectory-equivariance/value-clipping/plain": "GD with per-coordinate value "
    "clipping of the gradient is O(k)-equivariant — false",
}


_GL_FIXED = {
    "gl-invariance/plain": "E(MA, M⁻ᵀB) = E(A, B) for the plain loss and every "
    "invertible M (fixed dimensions, symbolic M)",
    "gl-invariance/glove": "E(MA, M⁻ᵀB) = E(A, B) for GloVe with biases and every "
    "invertible M (fixed dimensions, symbolic M)",
    "gl-invariance/l2": "E(MA, M⁻ᵀB) = E(A, B) for the L2-regularised loss — false, "
    "the penalty is only O(k)-invariant",
}


def _gl_fixed() -> dict[str, Verdict]:
    from orthoproof.prove.extra import GL_FIXED_CLAIMS

    return GL_FIXED_CLAIMS


def _claims() -> tuple[ClaimSpec, ...]:
    from orthoproof.prove import GL_CLAIM
    from orthoproof.prove.freeclaims import FREE_STATEMENTS

    specs = [
        ClaimSpec(
            cid,
            f"{statement} (all shapes)",
            "GL" if cid.startswith("gl-") else "O",
            Verdict.PROVED,
        )
        for cid, (statement, _) in FREE_STATEMENTS.items()
    ]
    specs.append(
        ClaimSpec(
            GL_CLAIM,
            "gradient descent on the plain loss commutes with (A, B) → (MA, M⁻ᵀB) "
            "for invertible M — false: GD is only O(k)-equivariant",
            "GL",
            Verdict.REFUTED,
        )
    )
    specs += [ClaimSpec(cid, s, "O", Verdict.REFUTED) for cid, s in _NECESSITY.items()]
    specs += [
        ClaimSpec(cid, _GL_FIXED[cid], "GL", expected)
        for cid, expected in _gl_fixed().items()
    ]
    specs.append(
        ClaimSpec(
            "soundness/false-identities",
            "the word prover proves none of a list of false identities "
            "(AᵀB = BᵀA, orthogonality dropped, S symmetric instead of skew, …)",
            "O",
            Verdict.HOLDS,
        )
    )
    return tuple(specs)


def _run(ctx: Context) -> Found:
    from orthoproof.prove import (
        FREE_CLAIMS,
        GL_CLAIM,
        necessity_evidence,
        prove_free,
        refute_gl_equivariance,
        soundness_evidence,
    )

    specs = ctx.settle(theory_stage.claims)
    ctx.progress("theory", 0, len(specs), "dimension-free proofs")
    necessity = necessity_evidence()
    found: Found = {}
    for spec in specs:
        if spec.id in FREE_CLAIMS:
            found[(spec.id, spec.group)] = [prove_free(spec.id)]
        if spec.id in necessity:
            found.setdefault((spec.id, spec.group), []).extend(necessity[spec.id])
        if spec.id == GL_CLAIM and spec.group == "GL":
            found[(spec.id, spec.group)] = [refute_gl_equivariance()]
        if spec.id in _GL_FIXED and spec.group == "GL":
            from orthoproof.prove.extra import extra_evidence

            found[(spec.id, spec.group)] = extra_evidence(spec.id, (2, 2, 2))
        if spec.id == "soundness/false-identities":
            found[(spec.id, spec.group)] = [soundness_evidence()]
    ctx.progress("theory", len(specs), len(specs), "done")
    return found


theory_stage = Stage("theory", _claims(), _run)
