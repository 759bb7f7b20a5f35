"""Finding cofactors: writing a residual as a combination of ``(PᵀP − I)_pq``.

Two ways, tried in order:

**Shift of the product** (constructive, for anything that sees ``A`` and
``B`` only through ``M = AᵀB``). Let ``H(δ)`` be the quantity at product
``M + δ`` minus its value at ``M``, a polynomial with ``H(0) = 0``. Every
monomial of ``H`` contains some ``δ_ij``; giving each monomial to its first
``δ`` factor splits ``H = Σ_ij δ_ij h_ij(δ)``. Since
``(PA)ᵀ(PB) = M + Aᵀ(PᵀP − I)B``, putting ``δ = Aᵀ(PᵀP − I)B``, whose entries
are ``Σ_{p≤q} γ_pq e^{ij}_pq`` with ``e^{ij}_pq = A_pi B_qj + A_qi B_pj``
(``p < q``) or ``A_pi B_pj`` (``p = q``), gives the cofactors
``C_pq = Σ_ij e^{ij}_pq h_ij``.

**Division** (generic, for identities without that structure): sympy's
multivariate division by the generators; a zero remainder yields cofactors.
The generators are not a Gröbner basis, so a non-zero remainder proves
nothing; it only means this route found no certificate.

Neither route is trusted: whatever they return goes to the kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from sympy.polys.rings import ring as polynomial_ring

from orthoproof.prove.setup import SymbolicSetup

__all__ = [
    "by_division",
    "by_product_shift",
    "delta_symbols",
    "split_by_first_factor",
]


def delta_symbols(m: int, n: int) -> np.ndarray:
    """An m×n array of fresh symbols ``δ_i_j`` for the change of the product."""
    out = np.empty((m, n), dtype=object)
    for i in range(m):
        for j in range(n):
            out[i, j] = sympy.Symbol(f"δ_{i + 1}_{j + 1}", real=True)
    return out


def split_by_first_factor(
    poly: Any, deltas: Sequence[sympy.Symbol]
) -> dict[sympy.Symbol, Any] | None:
    """Write ``poly = Σ δ·h_δ`` by giving each monomial to its first δ factor.

    Returns ``None`` when ``poly`` is not a polynomial or has a monomial free of
    every δ (then ``H(0) ≠ 0``: the quantity does not factor through the
    product).
    """
    expanded = sympy.expand(poly)
    if not expanded.is_polynomial():
        return None
    order = {d: i for i, d in enumerate(deltas)}
    parts: dict[sympy.Symbol, list[Any]] = {d: [] for d in deltas}
    for term in sympy.Add.make_args(expanded):
        if term == 0:
            continue
        present = [s for s in term.free_symbols if s in order]
        if not present:
            return None
        first = min(present, key=order.__getitem__)
        # Mul merges powers of the same base, so this division is exact.
        parts[first].append(sympy.Mul(term, sympy.Pow(first, -1)))
    return {d: sympy.Add(*terms) for d, terms in parts.items()}


def _shift_basis(setup: SymbolicSetup) -> dict[tuple[int, int], list[Any]]:
    """``e^{ij}_pq`` for every product entry (i, j), one per generator."""
    a, b = setup.A, setup.B
    basis: dict[tuple[int, int], list[Any]] = {}
    for i in range(setup.m):
        for j in range(setup.n):
            basis[i, j] = [
                a[p, i] * b[q, j] + (a[q, i] * b[p, j] if p != q else 0)
                for p, q in setup.pairs
            ]
    return basis


def by_product_shift(
    shifted: Sequence[Any], deltas: np.ndarray, setup: SymbolicSetup
) -> list[list[Any]] | None:
    """Cofactors for each entry from its product-shift polynomial ``H(δ)``.

    Parameters
    ----------
    shifted
        ``H(δ)`` for each entry: the quantity at product ``M + δ`` minus the
        right-hand side of the claim.
    deltas
        The m×n δ symbols used in ``shifted``.
    setup
        Supplies ``A``, ``B`` and the generators.

    Returns
    -------
    list of list, or None
        One row of expanded cofactors per entry, or ``None`` when some entry
        does not split (not polynomial, or not zero at δ = 0).
    """
    flat = [deltas[i, j] for i in range(setup.m) for j in range(setup.n)]
    basis = _shift_basis(setup)
    # δ_ij = (Aᵀ(PᵀP − I)B)_ij, written through the generators.
    value = {
        deltas[i, j]: sympy.Add(
            *(g * e for g, e in zip(setup.generators, basis[i, j], strict=True))
        )
        for i, j in basis
    }
    rows: list[list[Any]] = []
    for entry in shifted:
        parts = split_by_first_factor(entry, flat)
        if parts is None:
            return None
        row = [sympy.Integer(0)] * len(setup.generators)
        for (i, j), e_row in basis.items():
            h = parts[deltas[i, j]]
            if h == 0:
                continue
            h = h.xreplace(value)
            row = [acc + e * h for acc, e in zip(row, e_row, strict=True)]
        rows.append(row)
    return [_expanded(row) for row in rows]


def _expanded(exprs: Sequence[Any]) -> list[Any]:
    """Expand polynomials through sympy's sparse polynomial ring.

    ``sympy.expand`` on these nested sums of products is about twenty times
    slower than ring arithmetic, which dominated the proofs at k = 3.
    """
    exprs = [sympy.sympify(e) for e in exprs]
    variables = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    if not variables:
        return [sympy.expand(e) for e in exprs]
    ring, *_ = polynomial_ring(variables, sympy.QQ)
    return [ring.from_expr(e).as_expr() for e in exprs]


def by_division(
    residuals: Sequence[Any], setup: SymbolicSetup
) -> list[list[Any]] | None:
    """Cofactors by multivariate division of each residual by the generators.

    Returns ``None`` as soon as some residual leaves a non-zero remainder or is
    not a polynomial.
    """
    gens = list(setup.generators)
    p_symbols = list(setup.P.reshape(-1))
    others = set().union(*(sympy.sympify(r).free_symbols for r in residuals))
    # P's entries lead the monomial order, so division attacks them first.
    order = p_symbols + sorted(others - set(p_symbols), key=str)
    rows: list[list[Any]] = []
    for residual in residuals:
        expanded = sympy.expand(residual)
        if not expanded.is_polynomial():
            return None
        if expanded == 0:
            rows.append([sympy.Integer(0)] * len(gens))
            continue
        quotients, remainder = sympy.reduced(expanded, gens, *order, order="grevlex")
        if sympy.expand(remainder) != 0:
            return None
        rows.append([sympy.expand(q) for q in quotients])
    return rows
