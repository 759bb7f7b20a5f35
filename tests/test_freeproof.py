"""Tests of the dimension-free prover, its word kernel and the GL refutation."""

from __future__ import annotations

import dataclasses
import doctest
from fractions import Fraction

import pytest

from orthoproof.errors import InvalidArgument
from orthoproof.prove import (
    FALSE_IDENTITIES,
    FREE_CLAIMS,
    certify_words,
    check_words,
    counterexamples,
    false_identity_evidence,
    freeclaims,
    freeproof,
    glclaims,
    normal_form,
    prove_free,
    refute_gl_equivariance,
    soundness_evidence,
    wordkernel,
    words,
)
from orthoproof.prove.wordkernel import Step, WordCertificate
from orthoproof.prove.words import (
    Letter,
    Term,
    matrix,
    orthogonal,
    show,
    skew,
    symmetric,
    tr,
)
from orthoproof.verdicts import Verdict

A, B = matrix("A", "k", "m"), matrix("B", "k", "n")
P, S = orthogonal("P", "k"), skew("S", "k")


@pytest.mark.parametrize(
    "module", [words, wordkernel, freeproof, freeclaims, counterexamples, glclaims]
)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.failed == 0
    assert result.attempted > 0 or module is wordkernel


@pytest.mark.parametrize("claim_id", FREE_CLAIMS)
def test_every_true_identity_is_proved_and_kernel_accepted(claim_id: str) -> None:
    evidence = prove_free(claim_id)
    assert evidence.verdict is Verdict.PROVED, evidence.summary
    assert evidence.kind == "symbolic"
    assert evidence.dimensions is None  # all shapes
    for part in evidence.certificate["parts"]:
        assert part["kernel"]["accepted"], part
        assert part["residual"] == "0"
        assert part["steps"][-1].endswith("0, accepted")


def test_free_claims_cover_the_brief() -> None:
    assert set(FREE_CLAIMS) >= {
        "product-invariance",
        "loss-invariance/generic",
        "gradient-equivariance/generic",
        "orbit-orthogonality/generic",
        "balance-drift/gd",
        "gl-invariance/generic",
        "loss-invariance/relu-output",
    }


def test_whole_catalogue_proves() -> None:
    # How fast is the bench session's to say (about 14 ms), not a test's.
    for claim_id in FREE_CLAIMS:
        assert prove_free(claim_id).verdict == Verdict.PROVED, claim_id


def test_orbit_proof_uses_transpose_reversal_and_skewness() -> None:
    steps = prove_free("orbit-orthogonality/generic").certificate["steps"]
    text = "\n".join(steps)
    assert "tr(W) = tr(Wᵀ)" in text
    assert "Sᵀ = −S" in text


def test_trace_normal_form() -> None:
    # cyclic rotation and transpose reversal give one representative
    assert normal_form(tr(A.T @ B @ B.T @ A) - tr(B.T @ A @ A.T @ B)) == {}
    assert normal_form(tr(A @ A.T @ P) - tr(P.T @ A @ A.T)) == {}
    # inverse pairs meet across the ends of a trace
    assert normal_form(tr(P @ A @ A.T @ P.T) - tr(A.T @ A)) == {}
    # tr(W) = −tr(W) for W = AᵀSA
    assert normal_form(tr(A.T @ S @ A)) == {}
    assert show(normal_form(tr(A.T @ symmetric("R", "k") @ A))) == "tr(AAᵀR)"


def test_matrix_words_are_not_rotated() -> None:
    # Only traces are cyclic: AᵀB and BᵀA stay different (as do their shapes).
    sq = matrix("C", "k", "m")
    assert show(normal_form(A.T @ sq - sq.T @ A)) == "AᵀC − CᵀA"


def test_ill_typed_statements_are_refused() -> None:
    with pytest.raises(InvalidArgument):
        _ = A @ B
    with pytest.raises(InvalidArgument):
        _ = A.T @ B - B.T @ A  # m×n against n×m
    with pytest.raises(InvalidArgument):
        tr(A)
    with pytest.raises(InvalidArgument):
        words.facts_of(words.Sym("Q", ("k", "m"), "orthogonal"))


@pytest.mark.parametrize("name", FALSE_IDENTITIES)
def test_false_identities_are_undecided(name: str) -> None:
    evidence = false_identity_evidence()[name]
    assert evidence.verdict is Verdict.UNDECIDED
    assert "normal form" in evidence.summary


def test_false_identities_include_the_required_ones() -> None:
    assert {
        "AᵀB = BᵀA",
        "(PA)ᵀB = AᵀB",
        "orbit orthogonality with S symmetric",
        "product invariance without PᵀP = I",
    } <= set(FALSE_IDENTITIES)


def test_soundness_evidence_holds() -> None:
    assert soundness_evidence().verdict is Verdict.HOLDS


# --- tampered certificates ---------------------------------------------------------


def _product_certificate() -> WordCertificate:
    cert, residual = certify_words("product", (P @ A).T @ (P @ B), A.T @ B)
    assert residual == {}
    assert check_words(cert).accepted
    return cert


def _orbit_certificate() -> WordCertificate:
    lhs = tr(matrix("G", "m", "n") @ B.T @ S @ A)
    lhs = lhs + tr(matrix("G", "m", "n").T @ A.T @ S @ B)
    cert, residual = certify_words("orbit", lhs, 0 * tr(A.T @ A))
    assert residual == {}
    assert check_words(cert).accepted
    return cert


def test_tamper_fact_dropped_from_the_statement() -> None:
    # The same steps for a Q that is merely a square matrix: QᵀQ → I is unsound.
    cert = _product_certificate()
    q = matrix("P", "k", "k")
    forged = dataclasses.replace(cert, lhs=(q @ A).T @ (q @ B))
    report = check_words(forged)
    assert not report.accepted
    assert "no inverse pair" in report.reason


def test_tamper_step_dropped() -> None:
    cert = _product_certificate()
    report = check_words(dataclasses.replace(cert, steps=()))
    assert not report.accepted
    assert "remain" in report.reason


def test_tamper_step_drops_its_term() -> None:
    cert = _product_certificate()
    step = dataclasses.replace(cert.steps[0], after=None)
    report = check_words(dataclasses.replace(cert, steps=(step,)))
    assert not report.accepted


def test_tamper_wrong_sign_for_skew() -> None:
    cert = _orbit_certificate()
    steps = [
        dataclasses.replace(s, sign=1) if s.rule == "skew" else s for s in cert.steps
    ]
    assert any(s.rule == "skew" for s in cert.steps)
    report = check_words(dataclasses.replace(cert, steps=tuple(steps)))
    assert not report.accepted
    assert "not what the rule gives" in report.reason


def test_tamper_statement_changed() -> None:
    cert = _product_certificate()
    forged = dataclasses.replace(cert, rhs=2 * (A.T @ B))
    assert not check_words(forged).accepted


def test_tamper_fake_rotation_and_zero_trace() -> None:
    r = symmetric("R", "k")
    lhs = tr(A.T @ r @ A)
    word = (Letter("A", True), Letter("R"), Letter("A"))
    term = Term((), word, True)
    # tr(AᵀRA) is not zero for symmetric R: a zero-trace step must be refused
    zero = WordCertificate("x", lhs, 0 * lhs, (Step("zero-trace", term, None),))
    assert not check_words(zero).accepted
    # and a step that permutes letters is not a rotation: tr(CᵀRC) → tr(RCᵀC)
    c = matrix("C", "k", "k")
    lhs = tr(c.T @ r @ c)
    term = Term((), (Letter("C", True), Letter("R"), Letter("C")), True)
    fake = Term((), (Letter("R"), Letter("C", True), Letter("C")), True)
    rot = WordCertificate(
        "x", lhs, tr(r @ c.T @ c), (Step("cyclic", term, fake, 1, 1),)
    )
    assert not check_words(rot).accepted


def test_tamper_unknown_rule() -> None:
    cert = _product_certificate()
    step = dataclasses.replace(cert.steps[0], rule="simplify")
    assert not check_words(dataclasses.replace(cert, steps=(step,))).accepted


def test_kernel_accepts_genuine_zero_trace() -> None:
    lhs = tr(A.T @ S @ A)
    word = (Letter("A", True), Letter("S"), Letter("A"))
    cert = WordCertificate(
        "x", lhs, 0 * lhs, (Step("zero-trace", Term((), word, True), None, 1, 0),)
    )
    assert check_words(cert).accepted


# --- GL(k) ---------------------------------------------------------------------------


def test_gl_equivariance_refuted_exactly() -> None:
    evidence = refute_gl_equivariance()
    assert evidence.verdict is Verdict.REFUTED
    ce = evidence.counterexample
    f = [[Fraction(v) for v in row] for row in ce["A"]]
    g = [[Fraction(v) for v in row] for row in ce["B"]]
    m_diag = [Fraction(ce["M"][i][i]) for i in range(2)]
    eta = Fraction(ce["eta"])
    a, b = [r[0] for r in f], [r[0] for r in g]
    # plain loss ½(aᵀb − 0)²: G = aᵀb, ∇_a = b·G, and the product is unchanged
    grad = sum(x * y for x, y in zip(a, b, strict=True))
    moved_b = [b[i] / m_diag[i] for i in range(2)]
    lhs = [m_diag[i] * a[i] - eta * moved_b[i] * grad for i in range(2)]
    rhs = [m_diag[i] * (a[i] - eta * b[i] * grad) for i in range(2)]
    assert lhs != rhs
    assert [str(x - y) for x, y in zip(lhs, rhs, strict=True)] == [
        r[0] for r in ce["difference"]["A"]
    ]
