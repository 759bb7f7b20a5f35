"""A CI gate for other people's code: is the hidden basis still arbitrary?

:func:`check_loss` and :func:`check_optimiser` run a user's loss or optimiser
from ``θ₀`` and from ``P·θ₀`` for an element ``P`` of each group, at every
precision the code runs at, and classify the deviation by how it scales with
precision (see :mod:`orthoproof.gate.precisions`). :func:`load_object` resolves
``package.module:attribute`` paths; :mod:`orthoproof.gate.cli` is the
``orthoproof check`` subcommand.
"""

from __future__ import annotations

from orthoproof.gate.errors import UserCodeError
from orthoproof.gate.loading import load_object
from orthoproof.gate.loss import check_loss
from orthoproof.gate.optimiser import check_optimiser
from orthoproof.gate.problem import GROUPS
from orthoproof.gate.results import CheckReport, GroupCheck

__all__ = [
    "GROUPS",
    "CheckReport",
    "GroupCheck",
    "UserCodeError",
    "check_loss",
    "check_optimiser",
    "load_object",
]
