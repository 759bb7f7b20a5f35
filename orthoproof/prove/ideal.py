"""Certificates of membership in the orthogonality ideal.

An invariance claim at fixed dimensions says, entry by entry, that
``lhs − rhs`` vanishes whenever ``PᵀP = I``. The certificate proves the
stronger, checkable statement that ``lhs − rhs`` lies in the ideal generated
by ``γ_pq = (PᵀP − I)_pq``: it lists cofactors ``C_pq`` with
``lhs − rhs = Σ γ_pq C_pq`` as polynomials. Membership implies the claim;
failing to find cofactors implies nothing, which is why the prover then says
``undecided`` and never ``refuted``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from orthoproof.models import Model
from orthoproof.prove.certificate import Certificate
from orthoproof.prove.cofactors import by_division, by_product_shift, delta_symbols
from orthoproof.prove.setup import SymbolicSetup
from orthoproof.prove.sides import claim_sides

__all__ = ["Attempt", "identity_certificate", "invariance_certificate"]


@dataclass
class Attempt:
    """A certificate, or the reason none was found, with timings in seconds."""

    certificate: Certificate | None
    reason: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def _first_non_polynomial(exprs: Sequence[Any]) -> Any | None:
    for expr in exprs:
        if not expr.is_polynomial():
            return expr
    return None


def _not_polynomial_reason(claim: str, expr: Any) -> str:
    names = sorted({f.func.__name__ for f in expr.atoms(sympy.Function)})
    found = ", ".join(names) if names else "a non-polynomial term"
    return (
        f"{claim}: the residual is not a polynomial (it contains {found}), so it "
        "cannot be certified as a member of the ideal of PᵀP − I"
    )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _group(setup: SymbolicSetup) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in setup.P)


def _describe_sides(kind: str, setup: SymbolicSetup, model: Model | None) -> str:
    what = {
        "product-invariance": "the product (PA)ᵀ(PB)",
        "loss-invariance": f"the {model.name if model else ''} loss E(PA, PB)",
        "gradient-equivariance": f"the {model.name if model else ''} gradient "
        "∇E(PA, PB)",
    }[kind]
    return (
        f"lhs: {what} with generic P ({setup.k * setup.k} free symbols), "
        "computed directly by the project's code on the sympy backend; "
        "rhs: the same at (A, B)"
        + (", turned by P for ∇A and ∇B" if kind == "gradient-equivariance" else "")
    )


def invariance_certificate(
    kind: str, claim: str, setup: SymbolicSetup, model: Model | None
) -> Attempt:
    """Build the ideal-membership certificate of one invariance claim.

    Cofactors come from the product shift (see
    :mod:`orthoproof.prove.cofactors`) and, failing that, from division.
    """
    clock = time.perf_counter()
    deltas = delta_symbols(setup.m, setup.n)
    sides = claim_sides(kind, setup, model, deltas)
    timings = {"build": time.perf_counter() - clock}
    residuals = [lhs - rhs for lhs, rhs in zip(sides.lhs, sides.rhs, strict=True)]
    odd = _first_non_polynomial([*sides.lhs, *sides.rhs])
    if odd is not None:
        return Attempt(None, _not_polynomial_reason(claim, odd), timings)
    clock = time.perf_counter()
    route = "shifting the product by δ = Aᵀ(PᵀP − I)B and splitting H(δ) = Σ δ_ij h_ij"
    rows = by_product_shift(sides.shifted, deltas, setup)
    if rows is None:
        route = "multivariate division by the generators"
        rows = by_division(residuals, setup)
    timings["cofactors"] = time.perf_counter() - clock
    if rows is None:
        reason = (
            f"{claim}: no cofactors found (the quantity does not factor through "
            "AᵀB and division left a remainder); not in the ideal as far as shown"
        )
        return Attempt(None, reason, timings)
    return Attempt(
        _certificate(claim, setup, sides, rows, route, kind, model), "", timings
    )


def _certificate(
    claim: str,
    setup: SymbolicSetup,
    sides: Any,
    rows: list[list[Any]],
    route: str,
    kind: str,
    model: Model | None,
) -> Certificate:
    nonzero = sum(1 for row in rows for c in row if c != 0)
    steps = (
        _describe_sides(kind, setup, model),
        f"cofactors found by {route}",
        f"{_count(len(sides.labels), 'entry', 'entries')} of lhs − rhs written as "
        f"Σ γ_pq C_pq over "
        f"{len(setup.generators)} generators γ_pq = (PᵀP − I)_pq, "
        f"{nonzero} nonzero cofactors",
    )
    return Certificate(
        claim=claim,
        dims=setup.dims,
        labels=sides.labels,
        lhs=sides.lhs,
        rhs=sides.rhs,
        group=_group(setup),
        generators=setup.generators,
        cofactors=tuple(tuple(row) for row in rows),
        steps=steps,
    )


def identity_certificate(
    claim: str,
    labels: Sequence[str],
    lhs: Sequence[Any],
    rhs: Sequence[Any],
    setup: SymbolicSetup,
) -> Attempt:
    """Certificate for a free-standing identity modulo ``PᵀP = I``, by division."""
    clock = time.perf_counter()
    residuals = [left - right for left, right in zip(lhs, rhs, strict=True)]
    odd = _first_non_polynomial([*lhs, *rhs])
    if odd is not None:
        return Attempt(None, _not_polynomial_reason(claim, odd))
    rows = by_division(residuals, setup)
    timings = {"cofactors": time.perf_counter() - clock}
    if rows is None:
        return Attempt(None, f"{claim}: division by PᵀP − I left a remainder", timings)
    nonzero = sum(1 for row in rows for c in row if c != 0)
    cert = Certificate(
        claim=claim,
        dims=setup.dims,
        labels=tuple(labels),
        lhs=tuple(lhs),
        rhs=tuple(rhs),
        group=_group(setup),
        generators=setup.generators,
        cofactors=tuple(tuple(row) for row in rows),
        steps=(
            "identity stated entry by entry in explicit symbols",
            f"cofactors found by multivariate division: {nonzero} nonzero",
        ),
    )
    return Attempt(cert, "", timings)
