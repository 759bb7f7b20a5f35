"""The extended optimiser catalogue (issue 4): every optimiser of FACTS.md's table.

Each optimiser is an :class:`~orthoproof.optimisers.Optimiser` written once
against a backend, declares how a group element acts on its state (see
:mod:`orthoproof.optim.laws`), and runs in float64, ``mpfr`` and ``arb``.
"""

from orthoproof.optim.catalogue import (
    CATALOGUE_OPTIMISERS,
    CERTIFY_PREC,
    EQUIVARIANT_UNDER_O,
    TABLE_HYPER,
    VARIANTS,
    catalogue_optimiser,
    expected_verdict,
    resolved_hyperparameters,
    table_names,
)
from orthoproof.optim.laws import LAWS, ExtOptimiser, act_state_ext, all_laws

__all__ = [
    "CATALOGUE_OPTIMISERS",
    "CERTIFY_PREC",
    "EQUIVARIANT_UNDER_O",
    "LAWS",
    "TABLE_HYPER",
    "VARIANTS",
    "ExtOptimiser",
    "act_state_ext",
    "all_laws",
    "catalogue_optimiser",
    "expected_verdict",
    "resolved_hyperparameters",
    "table_names",
]
