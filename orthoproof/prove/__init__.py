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
from orthoproof.prove.kernel import check, verify
from orthoproof.prove.prover import (
    DEFAULT_DIMS,
    certificates,
    prove_claim,
    prove_identity,
)

__all__ = [
    "BROKEN_CLAIMS",
    "DEFAULT_DIMS",
    "SYMBOLIC_CLAIMS",
    "TRUE_CLAIMS",
    "Certificate",
    "KernelReport",
    "certificates",
    "check",
    "exact_check",
    "prove_claim",
    "prove_identity",
    "verify",
]
