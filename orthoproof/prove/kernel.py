"""The checking kernel: re-verifies a certificate by polynomial expansion alone.

The kernel is deliberately small and trusts nothing the prover computed except
the statement itself. It

1. insists every expression is a polynomial with exact coefficients (``Abs``,
   ``sign`` or a float make the certificate unacceptable, not "probably fine");
2. rebuilds the generators of the orthogonality ideal from the symbols of
   ``P`` and compares them with the certificate's, so a certificate cannot
   swap in an easier ideal;
3. expands ``lhs``, ``rhs`` and ``Σ γ·C`` for every entry into sparse
   polynomials over ℚ and accepts only if ``lhs − rhs − Σ γ·C`` is the zero
   polynomial.

Expansion is plain polynomial arithmetic (sympy's sparse ``PolyRing``); the
simplifier (``simplify``, ``cancel``, ``nsimplify``), whose heuristics could
hide a mistake, is never called.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy
from sympy.polys.polyerrors import BasePolynomialError
from sympy.polys.rings import ring as polynomial_ring

from orthoproof.prove.certificate import Certificate, KernelReport

__all__ = ["check", "verify"]


def _not_polynomial(exprs: Iterable[Any]) -> str | None:
    """Why some expression is not an exact polynomial, or ``None``."""
    for expr in exprs:
        expr = sympy.sympify(expr)
        if expr.has(sympy.Float):
            return f"floating-point coefficient in {str(expr)[:60]}"
        if not expr.is_polynomial():
            names = sorted({f.func.__name__ for f in expr.atoms(sympy.Function)})
            return f"not a polynomial (contains {', '.join(names) or 'a fraction'})"
    return None


def _own_generators(group: tuple[tuple[Any, ...], ...]) -> list[Any] | None:
    """``(PᵀP − I)_pq`` for ``p ≤ q``, built here from the symbols of P."""
    k = len(group)
    if any(len(row) != k for row in group):
        return None
    flat = [s for row in group for s in row]
    if not all(isinstance(s, sympy.Symbol) for s in flat) or len(set(flat)) != k * k:
        return None
    return [
        sympy.Add(*(group[r][p] * group[r][q] for r in range(k))) - int(p == q)
        for p in range(k)
        for q in range(p, k)
    ]


def _check_ideal(cert: Certificate) -> str | None:
    if cert.group is None:
        return "generators given without P" if cert.generators else None
    own = _own_generators(cert.group)
    if own is None:
        return "P is not a square matrix of distinct symbols"
    if len(own) != len(cert.generators):
        return f"{len(cert.generators)} generators, PᵀP − I has {len(own)}"
    for mine, given in zip(own, cert.generators, strict=True):
        if sympy.expand(mine - given) != 0:
            return f"generator {given} is not an entry of PᵀP − I"
    return None


def _check_shape(cert: Certificate) -> str | None:
    size = len(cert.labels)
    if not size or len(cert.lhs) != size or len(cert.rhs) != size:
        return "labels, lhs and rhs differ in length (or are empty)"
    if cert.generators and len(cert.cofactors) != size:
        return "one row of cofactors per entry is needed"
    if any(len(row) != len(cert.generators) for row in cert.cofactors):
        return "one cofactor per generator is needed"
    return None


def _ring(cert: Certificate) -> Any:
    """The polynomial ring over ℚ in every symbol the certificate mentions."""
    exprs = [*cert.lhs, *cert.rhs, *cert.generators]
    exprs += [c for row in cert.cofactors for c in row]
    if cert.group is not None:
        exprs += [s for row in cert.group for s in row]
    variables = set().union(*(sympy.sympify(e).free_symbols for e in exprs))
    # A ring needs at least one generator; a dummy one changes nothing.
    ordered = sorted(variables, key=str) or [sympy.Dummy("x")]
    ring, *_ = polynomial_ring(ordered, sympy.QQ)
    return ring


def _expand(ring: Any, expr: Any) -> tuple[Any, int]:
    """``expr`` as a ring element, and the monomials its summands expand to.

    Counting per top-level summand reports the work of a zero-polynomial
    certificate (whose sum cancels completely) instead of a bare 0.
    """
    expr = sympy.sympify(expr)
    if not isinstance(expr, sympy.Add):
        poly = ring.from_expr(expr)
        return poly, len(poly)
    total, count = ring.zero, 0
    for term in expr.args:
        poly = ring.from_expr(term)
        total += poly
        count += len(poly)
    return total, count


def verify(cert: Certificate) -> KernelReport:
    """Re-check every identity of ``cert``; say why if any fails.

    Parameters
    ----------
    cert
        The certificate to check.

    Returns
    -------
    KernelReport
        ``accepted`` is ``True`` only if every entry's ``lhs − rhs − Σγ·C`` is
        the zero polynomial.
    """
    cofactors = [c for row in cert.cofactors for c in row]
    problem = (
        _check_shape(cert)
        or _not_polynomial([*cert.lhs, *cert.rhs, *cert.generators, *cofactors])
        or _check_ideal(cert)
    )
    if problem:
        return KernelReport(False, problem)
    try:
        return _compare(cert)
    except (ValueError, TypeError, ArithmeticError, BasePolynomialError) as exc:
        # Whatever the arithmetic cannot digest is not a certificate.
        return KernelReport(False, f"cannot read the certificate as polynomials: {exc}")


def _compare(cert: Certificate) -> KernelReport:
    """Expand and compare every entry; the shape and ideal are already checked."""
    # Sparse polynomials over ℚ: expansion is exact arithmetic on monomial
    # dictionaries, and much faster than sympy.expand on these expressions.
    ring = _ring(cert)
    gens = [ring.from_expr(g) for g in cert.generators]
    monomials = 0
    for index, label in enumerate(cert.labels):
        (lhs, seen_l), (rhs, seen_r) = (
            _expand(ring, cert.lhs[index]),
            _expand(ring, cert.rhs[index]),
        )
        combination = ring.zero
        if gens:
            for g, c in zip(gens, cert.cofactors[index], strict=True):
                combination += g * ring.from_expr(c)
        monomials += seen_l + seen_r + len(combination)
        left = lhs - rhs - combination
        if left != 0:
            return KernelReport(
                False,
                f"entry {label}: {len(left)} monomials do not cancel",
                monomials,
                index + 1,
            )
    return KernelReport(True, "", monomials, len(cert.labels))


def check(cert: Certificate) -> bool:
    """``True`` if the kernel accepts ``cert`` (see :func:`verify`)."""
    return verify(cert).accepted
