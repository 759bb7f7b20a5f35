"""Proofs and checks of the new models' claims, and of GL(k) at fixed dims."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy

from orthoproof.backends import SympyBackend
from orthoproof.errors import InvalidArgument
from orthoproof.models_extra import SgnsModel, sigmoid
from orthoproof.prove.extra import (
    EXTRA_MODEL_CLAIMS,
    GL_FIXED_CLAIMS,
    check_extra,
    prove_extra,
)
from orthoproof.prove.glfixed import _certificate, verify_gl
from orthoproof.prove.sgns import prove_sgns
from orthoproof.stages import catalogue
from orthoproof.verdicts import Verdict

DIMS = (2, 2, 2)


@pytest.mark.parametrize("claim_id", EXTRA_MODEL_CLAIMS)
def test_extra_claims_proved_and_hold(claim_id: str) -> None:
    """Every new model claim is proved, and its independent check holds."""
    proof = prove_extra(claim_id, DIMS)
    assert proof.verdict == Verdict.PROVED, proof.summary
    check = check_extra(claim_id, ks=(1, 2, 3), draws=1)
    assert check.verdict == Verdict.HOLDS, check.summary


def test_gl_claims() -> None:
    """GL invariance: proved for plain and GloVe, refuted exactly for l2."""
    for claim_id, expected in GL_FIXED_CLAIMS.items():
        assert prove_extra(claim_id, DIMS).verdict == expected
    refutation = prove_extra("gl-invariance/l2")
    assert refutation.counterexample["difference"]


def test_gl_kernel_rejects_tampering() -> None:
    """A changed cofactor or an easier generator is rejected by verify_gl."""
    cert = _certificate("glove", DIMS)
    assert verify_gl(cert).accepted
    wrong = dataclasses.replace(cert, cofactors=((cert.cofactors[0][0] + 1,),))
    assert not verify_gl(wrong).accepted
    easier = dataclasses.replace(cert, generators=(sympy.Integer(1),))
    assert not verify_gl(easier).accepted


def test_unknown_claim_is_an_error() -> None:
    with pytest.raises(InvalidArgument):
        prove_extra("loss-invariance/nmf")


class WrongSgns(SgnsModel):
    """SGNS whose G forgets the negative samples: not the loss's gradient."""

    name = "sgns-wrong"

    def product_gradient(self, xp, residual, data):  # type: ignore[override]
        pos, _ = data
        return -pos * sigmoid(xp, -residual)


def test_sgns_lemma_catches_wrong_gradient(monkeypatch) -> None:
    """With a wrong G the SGNS route says undecided, never proved."""
    import orthoproof.prove.sgns as sgns

    monkeypatch.setattr(sgns, "SgnsModel", WrongSgns)
    evidence = prove_sgns("gradient-equivariance", DIMS)
    assert evidence.verdict == Verdict.UNDECIDED
    assert "G lemma" in evidence.details["reason"]


def test_sgns_factoring_is_structural() -> None:
    """The loss at (A, B) is the loss at free M with M := AᵀB, as trees."""
    xp = SympyBackend()
    a = np.array([[sympy.Symbol("a1")], [sympy.Symbol("a2")]], dtype=object)
    b = np.array([[sympy.Symbol("b1")], [sympy.Symbol("b2")]], dtype=object)
    m = sympy.Symbol("m")
    model = SgnsModel([[sympy.Symbol("x")]], [[sympy.Symbol("y")]])
    free = model.loss(xp, {"A": np.array([[1]], dtype=object), "B": np.array([[m]])})
    assert model.loss(xp, {"A": a, "B": b}) == free.xreplace({m: (a.T @ b)[0, 0]})


def test_stages_list_the_new_claims() -> None:
    ids = {spec.id for spec in catalogue()}
    assert set(EXTRA_MODEL_CLAIMS) <= ids
    assert set(GL_FIXED_CLAIMS) <= ids
