"""GL(k): the loss is invariant, plain gradient descent is not equivariant.

``E(MA, M⁻ᵀB) = E(A, B)`` for every invertible ``M`` because the product is
unchanged (proved dimension-free in :mod:`orthoproof.prove.freeclaims`). The
gradient, however, transforms as ``∇_A → M⁻ᵀ∇_A`` rather than ``M∇_A``, so a
GD step from ``(MA, M⁻ᵀB)`` lands at ``M·(A − η∇_A)`` only when ``M⁻ᵀ = M``
on the directions involved, i.e. essentially only for orthogonal ``M``.
:func:`refute_gl_equivariance` exhibits the smallest exact case.

>>> str(refute_gl_equivariance().verdict)
'refuted'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.models import PlainModel
from orthoproof.prove.counterexamples import (
    Case,
    exact_matrix,
    gd_step,
    nonzero,
    refutation,
    smallest,
)
from orthoproof.verdicts import Evidence

__all__ = ["GL_CLAIM", "GL_ELEMENT", "GL_STEP", "refute_gl_equivariance"]

#: The catalogue id this refutes, with group ``GL`` (one plain GD step is the
#: first step of the trajectory).
GL_CLAIM = "trajectory-equivariance/sgd/plain"

#: A diagonal element of GL(2) that is not orthogonal, and its inverse transpose.
GL_ELEMENT = exact_matrix([[2, 0], [0, 1]])
_INVERSE_T = exact_matrix([["1/2", 0], [0, 1]])

#: The learning rate of the step.
GL_STEP = Fraction(1, 10)


def _difference(case: Case) -> dict[str, Any]:
    model = PlainModel(case["weights"], case["target"])
    moved = {"A": GL_ELEMENT @ case["A"], "B": _INVERSE_T @ case["B"]}
    after_moved = gd_step(model, moved, GL_STEP)
    after = gd_step(model, case, GL_STEP)
    return nonzero(
        A=after_moved["A"] - GL_ELEMENT @ after["A"],
        B=after_moved["B"] - _INVERSE_T @ after["B"],
    )


def refute_gl_equivariance() -> Evidence:
    """GD is not GL(k)-equivariant: an exact rational counterexample.

    Returns
    -------
    Evidence
        ``kind="exact-check"``, ``refuted``: one GD step (η = 1/10) of the
        plain loss from ``(MA, M⁻ᵀB)`` with ``M = diag(2, 1)`` does not end at
        ``(M A₁, M⁻ᵀ B₁)``; the counterexample records every input.
    """
    # M⁻ᵀ is written out so the check does not depend on an inversion routine;
    # confirm it is right.
    assert (np.eye(2, dtype=int) == GL_ELEMENT.T @ _INVERSE_T).all()
    case, diff = smallest(_difference)
    return refutation(
        f"{GL_CLAIM} under GL(k)",
        "one GD step from (MA, M⁻ᵀB) does not end at M·(A − η∇_A)",
        case,
        diff,
        {"M": GL_ELEMENT, "M⁻ᵀ": _INVERSE_T, "eta": np.array(GL_STEP, dtype=object)},
    )
