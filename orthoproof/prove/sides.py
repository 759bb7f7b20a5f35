"""The two sides of each invariance claim, computed by the project's model code.

For every claim the prover needs three things per entry, each obtained by
running the model on the symbolic backend:

``lhs``
    the quantity at the acted parameters ``(PA, PB)`` with ``P`` generic; this
    is what the kernel certifies, so it never goes through the δ trick;
``rhs``
    what the claim says ``lhs`` equals (the quantity at ``(A, B)``, turned by
    ``P`` for the hidden gradients);
``shifted``
    ``H(δ)``: the quantity at product ``AᵀB + δ``, turned like ``rhs``, minus
    ``rhs``. It only serves to find cofactors.

The product is shifted without touching the model: with ``A' = [A; I_m]`` and
``B' = [B; δ]`` (k+m rows) one has ``A'ᵀB' = AᵀB + δ``, and the first k rows of
the hidden gradients at ``(A', B')`` are ``B G(M + δ)ᵀ`` and ``A G(M + δ)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from orthoproof.backends import SympyBackend
from orthoproof.errors import InvalidArgument
from orthoproof.models import HIDDEN, Model
from orthoproof.prove.setup import SymbolicSetup

__all__ = ["KINDS", "Sides", "claim_sides", "stacked"]

XP = SympyBackend()

#: A quantity: model and parameters in, named arrays out (hidden arrays keep
#: the hidden space on axis 0). ``product-invariance`` ignores the model.
Quantity = Callable[[Any, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Sides:
    """Per-entry ``lhs``, ``rhs`` and product-shift polynomial ``shifted``."""

    labels: tuple[str, ...]
    lhs: tuple[Any, ...]
    rhs: tuple[Any, ...]
    shifted: tuple[Any, ...]
    deltas: np.ndarray


def stacked(
    setup: SymbolicSetup, params: dict[str, Any], deltas: np.ndarray
) -> dict[str, Any]:
    """Parameters whose product is ``AᵀB + δ``: ``A' = [A; I]``, ``B' = [B; δ]``.

    The hidden dimension grows to k+m, which a model that factors through the
    product cannot notice; one that does not (an L1 penalty sees the extra
    identity block) fails to split later, and so gets no certificate.
    """
    ident = np.array(
        [[sympy.Integer(int(i == j)) for j in range(setup.m)] for i in range(setup.m)],
        dtype=object,
    )
    out = dict(params)
    out["A"] = np.vstack([params["A"], ident])
    out["B"] = np.vstack([params["B"], deltas])
    return out


def _product(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {"AᵀB": params["A"].T @ params["B"]}


def _loss(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    loss = np.empty((), dtype=object)
    loss[()] = model.loss(XP, params)
    return {"E": loss}


def _gradient(model: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {f"∇{name}": value for name, value in model.gradient(XP, params).items()}


KINDS: dict[str, Quantity] = {
    "product-invariance": _product,
    "loss-invariance": _loss,
    "gradient-equivariance": _gradient,
}


def _turn(setup: SymbolicSetup, arrays: dict[str, Any]) -> dict[str, Any]:
    """Apply ``P`` to the hidden arrays' first k rows; biases are left alone."""
    hidden = {f"∇{name}" for name in HIDDEN}
    return {
        name: (setup.P @ value[: setup.k] if name in hidden else value)
        for name, value in arrays.items()
    }


def _flatten(arrays: dict[str, Any]) -> tuple[list[str], list[Any]]:
    labels, values = [], []
    for name, value in arrays.items():
        for index, entry in np.ndenumerate(np.asarray(value, dtype=object)):
            suffix = f"[{','.join(str(i + 1) for i in index)}]" if index else ""
            labels.append(name + suffix)
            values.append(entry)
    return labels, values


def claim_sides(
    kind: str, setup: SymbolicSetup, model: Model | None, deltas: np.ndarray
) -> Sides:
    """Build ``lhs``, ``rhs`` and ``shifted`` for one claim kind of :data:`KINDS`.

    Parameters
    ----------
    kind
        ``product-invariance``, ``loss-invariance`` or ``gradient-equivariance``.
    setup
        The symbols; ``P`` stays generic.
    model
        The model whose ``loss`` or ``gradient`` is run (``None`` for the
        product).
    deltas
        m×n fresh symbols for the shift of the product.

    Returns
    -------
    Sides
        Entries labelled like ``∇A[2,1]`` (1-based), in a fixed order.
    """
    if kind not in KINDS:
        raise InvalidArgument.of("kind", kind, f"one of {sorted(KINDS)}")
    if model is None and kind != "product-invariance":
        raise InvalidArgument.of("model", model, f"a Model for {kind}")
    quantity = KINDS[kind]
    extra = model.extra if model is not None else ()
    params = setup.params(extra)
    turn = kind == "gradient-equivariance"
    at_acted = quantity(model, setup.acted(params))
    at_base = quantity(model, params)
    at_shift = quantity(model, stacked(setup, params, deltas))
    if turn:
        at_base, at_shift = _turn(setup, at_base), _turn(setup, at_shift)
    labels, lhs = _flatten(at_acted)
    _, rhs = _flatten(at_base)
    _, shift = _flatten(at_shift)
    shifted = [s - r for s, r in zip(shift, rhs, strict=True)]
    return Sides(tuple(labels), tuple(lhs), tuple(rhs), tuple(shifted), deltas)
