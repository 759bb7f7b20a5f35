"""Matrix functions written once against a backend, for structured optimisers.

Every function here is a fixed polynomial in its argument and in rotation
invariant scalars (Frobenius norms), with a fixed number of iterations. That
is what makes the optimisers built on them equivariant in every number system,
not only in exact arithmetic: the run from ``P·θ`` performs the same sequence
of operations on conjugated matrices. A tolerance-based stopping rule would
compare rounded norms and could stop the two runs at different iterations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument

__all__ = [
    "MUON_COEFFICIENTS",
    "eye",
    "frobenius",
    "inverse_root",
    "jacobi_eigh",
    "maximum",
    "minimum",
    "newton_schulz",
    "spd_inverse",
]

#: Quintic Newton–Schulz coefficients of Muon (Jordan et al. 2024).
MUON_COEFFICIENTS = ("3.4445", "-4.7750", "2.0315")


def eye(xp: Backend, k: int) -> Any:
    """The k×k identity in ``xp``."""
    return xp.asarray(np.eye(k, dtype=int))


def frobenius(xp: Backend, x: Any) -> Any:
    """‖x‖_F (or the Euclidean norm of a vector) as a number of ``xp``."""
    return xp.sqrt((x * x).sum())


def maximum(a: Any, b: Any, xp: Backend) -> Any:
    """Elementwise ``max(a, b)`` as ``(a + b + |a − b|)/2``.

    Written without a comparison so that ball arithmetic never has to decide
    an order it cannot see; the identity is exact over the reals.
    """
    half = xp.number("0.5")
    return half * (a + b + xp.abs(a - b))


def minimum(a: Any, b: Any, xp: Backend) -> Any:
    """Elementwise ``min(a, b)`` as ``(a + b − |a − b|)/2`` (see :func:`maximum`)."""
    half = xp.number("0.5")
    return half * (a + b - xp.abs(a - b))


def _root_of_scalar(xp: Backend, value: Any, p: int) -> Any:
    """``value^(1/p)`` for p = 1, 2 or 4, by square roots only."""
    if p == 1:
        return value
    if p == 2:
        return xp.sqrt(value)
    if p == 4:
        return xp.sqrt(xp.sqrt(value))
    raise InvalidArgument.of("p", p, "1, 2 or 4")


def inverse_root(xp: Backend, a: Any, p: int, iterations: int = 30) -> Any:
    """``a^(−1/p)`` of a symmetric positive definite matrix, p ∈ {2, 4}.

    Coupled Newton iteration for the inverse p-th root (Guo and Higham 2006):
    with ``c = ‖a‖_F^(1/p)``, ``X₀ = I/c`` and ``M₀ = a/c^p`` (eigenvalues in
    (0, 1]), repeat ``T = ((p+1)I − M)/p``, ``X ← XT``, ``M ← T^p M``. The
    iteration count is fixed (see the module note); 30 iterations reach
    float64 accuracy for condition numbers up to about 1e8 and are cheap for
    the k×k hidden blocks this is used on.
    """
    k = int(np.shape(a)[0])
    ident = eye(xp, k)
    norm = frobenius(xp, a)
    c = _root_of_scalar(xp, norm, p)
    x = ident / c
    m = a / norm
    pp = xp.number(p)
    for _ in range(iterations):
        t = (xp.number(p + 1) * ident - m) / pp
        x = x @ t
        tp = t
        for _ in range(p - 1):
            tp = tp @ t
        m = tp @ m
    return x


def newton_schulz(xp: Backend, g: Any, steps: int = 5, eps: str = "1e-7") -> Any:
    """Muon's approximate orthogonalisation of a k×m matrix (k ≤ m).

    ``X ← G/(‖G‖_F + ε)``, then ``steps`` times ``X ← aX + (bXXᵀ + c(XXᵀ)²)X``
    with the coefficients of :data:`MUON_COEFFICIENTS`. Only ``XXᵀ`` (k×k)
    and the invariant ‖G‖_F enter, so ``PG`` maps to ``P·NS(G)``.
    """
    a, b, c = (xp.number(v) for v in MUON_COEFFICIENTS)
    x = g / (frobenius(xp, g) + xp.number(eps))
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return x


def spd_inverse(xp: Backend, a: Any) -> Any:
    """The inverse of a symmetric positive definite k×k matrix.

    Gauss–Jordan elimination without pivoting: positive definiteness keeps
    every pivot positive, and leaving out the pivot search keeps the operation
    sequence free of comparisons, so it is the same for ``a`` and ``PaPᵀ`` and
    works on balls. Meant for the small hidden blocks (k ≤ 10).
    """
    k = int(np.shape(a)[0])
    rows = [a[i] * xp.number(1) for i in range(k)]
    inv = list(eye(xp, k))
    for i in range(k):
        pivot = rows[i][i]
        rows[i], inv[i] = rows[i] / pivot, inv[i] / pivot
        for j in range(k):
            if j != i:
                factor = rows[j][i]
                rows[j] = rows[j] - factor * rows[i]
                inv[j] = inv[j] - factor * inv[i]
    return np.stack(inv)


def jacobi_eigh(xp: Backend, a: Any, sweeps: int = 10) -> tuple[Any, Any]:
    """Eigenvalues and eigenvectors of a symmetric k×k matrix, largest first.

    Cyclic Jacobi with a fixed number of sweeps (see the module note). Each
    rotation annihilates ``a[p, q]`` with the tangent written as
    ``t = 2a_pq·sign(a_qq − a_pp)/(|a_qq − a_pp| + r)``,
    ``r = √((a_qq − a_pp)² + 4a_pq²)``: it never divides by ``a_pq``, so an
    off-diagonal entry that has converged to a ball around 0 stays harmless.
    It does need ``a_pp ≠ a_qq`` at every rotation, which distinct eigenvalues
    give near convergence. Eigenpairs are sorted by their float64 value, an
    order that is stable under rounding only when the eigenvalues are distinct
    (the caveat of SOAP's equivariance). Column signs are left as the
    iteration produces them; callers must not depend on them.

    Returns
    -------
    values, vectors
        A list of k eigenvalues and the k×k matrix whose columns are the
        corresponding unit eigenvectors.
    """
    k = int(np.shape(a)[0])
    one, two = xp.number(1), xp.number(2)
    work = a * one
    vectors = eye(xp, k)
    for _ in range(sweeps):
        for p in range(k - 1):
            for q in range(p + 1, k):
                diff = work[q, q] - work[p, p]
                apq = work[p, q]
                r = xp.sqrt(diff * diff + two * two * apq * apq)
                t = two * apq * xp.sign(diff) / (xp.abs(diff) + r)
                c = one / xp.sqrt(one + t * t)
                s = t * c
                rot = eye(xp, k)
                rot[p, p], rot[q, q], rot[p, q], rot[q, p] = c, c, s, -s
                work = rot.T @ work @ rot
                vectors = vectors @ rot
    diagonal = [work[i, i] for i in range(k)]
    order = sorted(range(k), key=lambda i: -float(xp.to_float(diagonal[i])))
    return [diagonal[i] for i in order], vectors[:, order]
