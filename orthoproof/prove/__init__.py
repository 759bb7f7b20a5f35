"""Symbolic proofs at stated dimensions, their certificates, and exact checks.

Each invariance claim is proved for fixed ``(k, m, n)`` by running the
project's own model code on explicit sympy symbols, writing the residual as a
combination of the generators of ``PᵀP − I`` (or as the zero polynomial), and
having a small kernel re-check that certificate by expansion alone. An
independent exact check evaluates the same claims on random rational inputs
with exact orthogonal matrices.

>>> from orthoproof.prove import prove_claim
>>> str(prove_claim("product-invariance", (2, 2, 2)).verdict)
'proved'
"""

from orthoproof.prove.catalogue import BROKEN_CLAIMS, SYMBOLIC_CLAIMS, TRUE_CLAIMS
from orthoproof.prove.certificate import Certificate, KernelReport
from orthoproof.prove.exact import exact_check
from orthoproof.prove.freeclaims import (
    FALSE_IDENTITIES,
    FREE_CLAIMS,
    false_identity_evidence,
    prove_free,
    soundness_evidence,
)
from orthoproof.prove.freeproof import certify_words, normal_form, prove_words
from orthoproof.prove.glclaims import GL_CLAIM, refute_gl_equivariance
from orthoproof.prove.kernel import check, verify
from orthoproof.prove.necessity import NECESSITY_CLAIMS, necessity_evidence
from orthoproof.prove.prover import (
    DEFAULT_DIMS,
    certificates,
    prove_claim,
    prove_identity,
)
from orthoproof.prove.wordkernel import check_words

__all__ = [
    "BROKEN_CLAIMS",
    "DEFAULT_DIMS",
    "FALSE_IDENTITIES",
    "FREE_CLAIMS",
    "GL_CLAIM",
    "NECESSITY_CLAIMS",
    "SYMBOLIC_CLAIMS",
    "TRUE_CLAIMS",
    "Certificate",
    "KernelReport",
    "certificates",
    "certify_words",
    "check",
    "check_words",
    "exact_check",
    "false_identity_evidence",
    "necessity_evidence",
    "normal_form",
    "prove_claim",
    "prove_free",
    "prove_identity",
    "prove_words",
    "refute_gl_equivariance",
    "soundness_evidence",
    "verify",
]
