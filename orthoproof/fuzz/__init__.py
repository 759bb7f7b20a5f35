"""Property-based fuzzing of the symmetry claims.

Public Hypothesis strategies for the objects the claims quantify over
(:mod:`~orthoproof.fuzz.strategies`), the claims as measured errors with
rounding bounds (:mod:`~orthoproof.fuzz.properties`), and :func:`fuzz_claim`,
which turns a fuzz run into :class:`~orthoproof.verdicts.Evidence`.
"""

from orthoproof.fuzz.profiles import hypothesis_profile
from orthoproof.fuzz.properties import (
    Problem,
    gradient_equivariance_error,
    loss_invariance_error,
    orbit_orthogonality_error,
    product_invariance_error,
)
from orthoproof.fuzz.runner import fuzz_claim
from orthoproof.fuzz.strategies import (
    factor_pairs,
    glove_problems,
    hidden_dims,
    orthogonal_matrices,
    rational_factor_pairs,
    rational_glove_problems,
    rational_orthogonal_matrices,
    signed_permutations,
)

__all__ = [
    "Problem",
    "factor_pairs",
    "fuzz_claim",
    "glove_problems",
    "gradient_equivariance_error",
    "hidden_dims",
    "hypothesis_profile",
    "loss_invariance_error",
    "orbit_orthogonality_error",
    "orthogonal_matrices",
    "product_invariance_error",
    "rational_factor_pairs",
    "rational_glove_problems",
    "rational_orthogonal_matrices",
    "signed_permutations",
]
