"""Tests of the symbolic prover, its certificate kernel and the exact checks."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import sympy

from orthoproof.backends import ExactBackend, SympyBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act, is_orthogonal
from orthoproof.models import GloveModel
from orthoproof.prove import (
    BROKEN_CLAIMS,
    SYMBOLIC_CLAIMS,
    TRUE_CLAIMS,
    Certificate,
    certificates,
    check,
    exact_check,
    prove_claim,
    prove_identity,
    verify,
)
from orthoproof.prove.catalogue import build_model
from orthoproof.prove.cofactors import by_division, split_by_first_factor
from orthoproof.prove.setup import symbolic_setup
from orthoproof.verdicts import Verdict

DIMS = (2, 2, 2)


class ForgetfulGlove(GloveModel):
    """GloVe whose A-gradient drops the weights: B rᵀ instead of B (w∘r)ᵀ."""

    name = "glove-forgetful"

    def gradient(self, xp: Any, params: Any, data: Any = None) -> dict[str, Any]:
        data = data if data is not None else self.data(xp)
        grads = super().gradient(xp, params, data)
        grads["A"] = params["B"] @ self.residual(xp, params, data).T
        return grads


def _ideal_certificate(claim_id: str) -> Certificate:
    """The certificate with cofactors among those the claim's proof produces."""
    return next(c for c in certificates(claim_id, DIMS) if c.generators)


def _with_cofactor(cert: Certificate, change: Any) -> Certificate:
    """``cert`` with its first nonzero cofactor replaced by ``change(cofactor)``."""
    rows = [list(row) for row in cert.cofactors]
    i, j = next((i, j) for i, row in enumerate(rows) for j, c in enumerate(row) if c)
    rows[i][j] = change(rows[i][j])
    return dataclasses.replace(cert, cofactors=tuple(tuple(row) for row in rows))


def _fractions(nested: Any) -> np.ndarray:
    return np.vectorize(Fraction, otypes=[object])(np.asarray(nested, dtype=object))


@pytest.mark.parametrize("claim_id", TRUE_CLAIMS)
def test_true_claims_are_proved(claim_id: str) -> None:
    """Every true claim is proved at (2, 2, 2) with every part kernel-accepted."""
    evidence = prove_claim(claim_id, DIMS)
    assert evidence.verdict == Verdict.PROVED, evidence.summary
    assert evidence.kind == "symbolic"
    assert dict(evidence.dimensions) == {"k": 2, "m": 2, "n": 2}
    parts = evidence.certificate["parts"]
    assert parts
    assert all(part["kernel"]["accepted"] for part in parts)
    assert all(part["kernel"]["monomials"] > 0 for part in parts)
    json.dumps(evidence.to_json())


@pytest.mark.parametrize("claim_id", TRUE_CLAIMS)
def test_kernel_accepts_true_certificates(claim_id: str) -> None:
    """The kernel, called directly, accepts each certificate of a true claim."""
    found = certificates(claim_id, DIMS)
    assert found
    assert all(check(cert) for cert in found)


def test_gradient_proof_needs_chain_rule_lemma() -> None:
    """Gradient claims carry the chain-rule lemma as a separately checked part."""
    parts = prove_claim("gradient-equivariance/glove", DIMS).certificate["parts"]
    assert [part["claim"] for part in parts] == [
        "chain-rule/glove",
        "gradient-equivariance/glove",
    ]


def test_certified_loss_is_the_models_own() -> None:
    """The certified lhs is the model's loss evaluated directly at (PA, PB)."""
    setup = symbolic_setup(DIMS)
    model = build_model("glove", setup.weights, setup.target)
    cert = certificates("loss-invariance/glove", DIMS)[0]
    params = setup.params(model.extra)
    direct = model.loss(SympyBackend(), setup.acted(params))
    assert sympy.expand(cert.lhs[0] - direct) == 0
    assert cert.lhs[0].has(setup.P[0, 0])
    assert not any(s.name.startswith("δ") for s in cert.lhs[0].free_symbols)


def test_kernel_rejects_zeroed_cofactor() -> None:
    """Dropping one cofactor (setting it to zero) makes the kernel reject."""
    cert = _ideal_certificate("loss-invariance/glove")
    assert check(cert)
    assert not check(_with_cofactor(cert, lambda c: 0))


def test_kernel_rejects_perturbed_cofactor() -> None:
    """Adding 1 to one cofactor makes the kernel reject and name the entry."""
    cert = _ideal_certificate("gradient-equivariance/plain")
    report = verify(_with_cofactor(cert, lambda c: c + 1))
    assert not report.accepted
    assert "do not cancel" in report.reason


def test_kernel_rejects_missing_cofactor() -> None:
    """A row with one cofactor removed no longer matches the generators."""
    cert = _ideal_certificate("product-invariance")
    rows = (cert.cofactors[0][1:], *cert.cofactors[1:])
    assert not check(dataclasses.replace(cert, cofactors=rows))


def test_kernel_rejects_tampered_lhs() -> None:
    """Changing a certified side by one monomial makes the kernel reject."""
    cert = _ideal_certificate("product-invariance")
    lhs = (cert.lhs[0] + cert.group[0][0], *cert.lhs[1:])
    assert not check(dataclasses.replace(cert, lhs=lhs))


def test_kernel_rejects_unrelated_ideal() -> None:
    """A true membership in the ideal of P − I is not accepted as orthogonality."""
    setup = symbolic_setup(DIMS)
    cert = _ideal_certificate("product-invariance")
    unrelated = tuple((setup.P - np.eye(2, dtype=int)).reshape(-1))
    residuals = [lhs - rhs for lhs, rhs in zip(cert.lhs, cert.rhs, strict=True)]
    rows = by_division(residuals, dataclasses.replace(setup, generators=unrelated))
    assert rows is not None
    for residual, row in zip(residuals, rows, strict=True):
        combination = sum(g * c for g, c in zip(unrelated, row, strict=True))
        assert sympy.expand(residual - combination) == 0
    forged = dataclasses.replace(
        cert, generators=unrelated, cofactors=tuple(tuple(r) for r in rows)
    )
    report = verify(forged)
    assert not report.accepted
    assert "PᵀP − I" in report.reason


def test_kernel_rejects_non_polynomial() -> None:
    """An identity that holds but involves Abs is refused, not waved through."""
    x = sympy.Symbol("x", real=True)
    cert = Certificate("abs", {"k": 1, "m": 1, "n": 1}, ("e",), (sympy.Abs(x),), (0,))
    report = verify(cert)
    assert not report.accepted
    assert "Abs" in report.reason


@pytest.mark.parametrize("claim_id", BROKEN_CLAIMS)
def test_l1_twins_are_undecided(claim_id: str) -> None:
    """The L1 twins are neither proved nor refuted by the symbolic prover."""
    evidence = prove_claim(claim_id, DIMS)
    assert evidence.verdict == Verdict.UNDECIDED
    assert "not a polynomial" in evidence.details["reason"]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("AᵀB = BᵀA", lambda s: (s.A.T @ s.B, s.B.T @ s.A)),
        ("(PA)ᵀB = AᵀB", lambda s: ((s.P @ s.A).T @ s.B, s.A.T @ s.B)),
        (
            "(PA)ᵀ(P²B) = AᵀB",
            lambda s: ((s.P @ s.A).T @ (s.P @ s.P @ s.B), s.A.T @ s.B),
        ),
    ],
)
def test_false_identities_are_undecided(name: str, make: Any) -> None:
    """False identities get undecided from the generic prover, never proved."""
    lhs, rhs = make(symbolic_setup(DIMS))
    labels = [f"[{i},{j}]" for i in range(2) for j in range(2)]
    evidence = prove_identity(name, labels, lhs.reshape(-1), rhs.reshape(-1), DIMS)
    assert evidence.verdict == Verdict.UNDECIDED


def test_generic_prover_proves_true_identity() -> None:
    """The division route does prove (PA)ᵀ(PB) = AᵀB, so its refusals mean something."""
    s = symbolic_setup(DIMS)
    lhs, rhs = (s.P @ s.A).T @ (s.P @ s.B), s.A.T @ s.B
    labels = [f"[{i},{j}]" for i in range(2) for j in range(2)]
    evidence = prove_identity("product", labels, lhs.reshape(-1), rhs.reshape(-1), DIMS)
    assert evidence.verdict == Verdict.PROVED


def test_chain_rule_lemma_catches_wrong_gradient() -> None:
    """A gradient that forgets the weights is not proved equivariant."""
    claim_id = "gradient-equivariance/glove"
    evidence = prove_claim(claim_id, DIMS, model_factory=ForgetfulGlove)
    assert evidence.verdict == Verdict.UNDECIDED
    assert "chain-rule/glove-forgetful" in evidence.details["reason"]
    parts = evidence.certificate["parts"]
    accepted = {part["claim"]: part["kernel"]["accepted"] for part in parts}
    assert accepted["chain-rule/glove-forgetful"] is False
    # The wrong gradient is still equivariant: only the lemma exposes it.
    assert accepted[claim_id] is True


def test_orbit_proof_rejects_wrong_gradient() -> None:
    """Orbit orthogonality of a gradient that forgets the weights is not proved."""
    claim_id = "orbit-orthogonality/glove"
    evidence = prove_claim(claim_id, DIMS, model_factory=ForgetfulGlove)
    assert evidence.verdict == Verdict.UNDECIDED
    assert "chain-rule/glove-forgetful" in evidence.details["reason"]


def test_crash_is_undecided() -> None:
    """An exception during a proof yields undecided, not an error or a verdict."""

    def broken(weights: Any, target: Any) -> GloveModel:
        raise ZeroDivisionError("deliberate")

    evidence = prove_claim("loss-invariance/glove", DIMS, model_factory=broken)
    assert evidence.verdict == Verdict.UNDECIDED
    assert "ZeroDivisionError" in evidence.details["reason"]


def test_split_refuses_constant_term() -> None:
    """A polynomial that is not zero at δ = 0 does not split over δ."""
    d1, d2, x = sympy.symbols("d1 d2 x")
    parts = split_by_first_factor(x * d1 + d1 * d2**2, [d1, d2])
    assert parts == {d1: x + d2**2, d2: 0}
    assert split_by_first_factor(x + d1, [d1, d2]) is None


def test_unknown_claim_is_rejected() -> None:
    """An id outside SYMBOLIC_CLAIMS is the caller's error."""
    with pytest.raises(InvalidArgument):
        prove_claim("loss-invariance/nmf", DIMS)
    with pytest.raises(InvalidArgument):
        exact_check("step-equivariance/adam")
    assert set(TRUE_CLAIMS) | set(BROKEN_CLAIMS) == set(SYMBOLIC_CLAIMS)


@pytest.mark.parametrize("claim_id", TRUE_CLAIMS)
def test_exact_check_holds_for_true_claims(claim_id: str) -> None:
    """Each true claim holds exactly on random rational cases for k = 1..5."""
    evidence = exact_check(claim_id)
    assert evidence.kind == "exact-check"
    assert evidence.verdict == Verdict.HOLDS, evidence.summary
    assert evidence.details["cases"] >= 15


def test_exact_check_refutes_l1_loss() -> None:
    """The L1 loss twin is refuted by a counterexample that replays exactly."""
    evidence = exact_check("loss-invariance/glove+l1")
    assert evidence.verdict == Verdict.REFUTED
    cx = evidence.counterexample
    p = _fractions(cx["P"])
    assert is_orthogonal(p)
    model = build_model(
        "glove+l1", _fractions(cx["weights"]), _fractions(cx["target"]), strength=1
    )
    params = {name: _fractions(cx[name]) for name in ("A", "B", "b", "c")}
    xp = ExactBackend()
    gap = model.loss(xp, act(xp, p, params)) - model.loss(xp, params)
    assert gap != 0
    assert str(gap) in cx["difference"].values()
    json.dumps(evidence.to_json())


def test_exact_check_refutes_l1_gradient() -> None:
    """The L1 gradient twin is refuted with an orthogonal P on record."""
    evidence = exact_check("gradient-equivariance/glove+l1", ks=(2, 3), draws=2)
    assert evidence.verdict == Verdict.REFUTED
    assert is_orthogonal(_fractions(evidence.counterexample["P"]))
    assert evidence.counterexample["difference"]


def test_signed_permutations_alone_miss_l1() -> None:
    """At k = 1 (only ±1) the L1 twin passes, so rotations are what refute it."""
    assert exact_check("loss-invariance/glove+l1", ks=(1,)).verdict == Verdict.HOLDS
