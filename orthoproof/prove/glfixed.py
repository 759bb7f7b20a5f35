"""GL(k) at fixed dimensions: ``E(MA, M⁻ᵀB) = E(A, B)`` with a symbolic M.

``M`` is a k×k matrix of free symbols and ``z`` a fresh symbol standing for
``1/det M``, so ``M⁻ᵀ = z·adj(M)ᵀ`` is a polynomial matrix and the only fact
needed is the single generator ``γ = z·det(M) − 1``. Since
``(MA)ᵀ(z·adj(M)ᵀB) = z·det(M)·AᵀB = AᵀB + γ·AᵀB``, shifting the product by
``δ = γ·AᵀB`` gives the cofactor. :func:`verify_gl` rebuilds ``γ`` from the
symbols itself (Leibniz's formula for the determinant) and accepts only if
``lhs − rhs − γ·C`` expands to the zero polynomial.

The L2 penalty is not a function of ``AᵀB``, so ``gl-invariance/l2`` is
refuted by :func:`refute_gl_l2` with an exact rational case.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import sympy
from sympy.polys.rings import ring as polynomial_ring

from orthoproof.backends import SympyBackend
from orthoproof.errors import InvalidArgument
from orthoproof.models import GloveModel, Model, PlainModel
from orthoproof.models_extra import L2Model
from orthoproof.prove.certificate import Certificate, KernelReport
from orthoproof.prove.cofactors import delta_symbols, split_by_first_factor
from orthoproof.prove.counterexamples import (
    XP as EXACT,
)
from orthoproof.prove.counterexamples import (
    Case,
    nonzero,
    refutation,
    smallest,
)
from orthoproof.prove.glclaims import GL_ELEMENT
from orthoproof.prove.setup import symbolic_setup
from orthoproof.prove.sides import stacked
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["GL_MODELS", "prove_gl", "refute_gl_l2", "verify_gl"]

XP = SympyBackend()
#: Models whose GL(k) invariance is proved at fixed dimensions.
GL_MODELS = {"plain": PlainModel, "glove": GloveModel}
Z = sympy.Symbol("z", real=True)


def _leibniz_det(rows: tuple[tuple[Any, ...], ...]) -> Any:
    k = len(rows)
    total = sympy.Integer(0)
    for perm in itertools.permutations(range(k)):
        inversions = sum(
            1 for i in range(k) for j in range(i + 1, k) if perm[i] > perm[j]
        )
        total += (-1) ** inversions * sympy.Mul(*(rows[i][perm[i]] for i in range(k)))
    return total


def verify_gl(cert: Certificate) -> KernelReport:
    """Accept ``cert`` only if ``lhs − rhs = γ·C`` with ``γ = z·det(M) − 1``.

    ``cert.group`` holds M's symbols; the generator is rebuilt here, never read.
    """
    if cert.group is None or len(cert.generators) != 1 or len(cert.labels) != 1:
        return KernelReport(False, "one entry, M and one generator are needed")
    flat = [s for row in cert.group for s in row]
    if not all(isinstance(s, sympy.Symbol) for s in flat) or len(set(flat)) != len(
        flat
    ):
        return KernelReport(False, "M is not a matrix of distinct symbols")
    gamma = Z * _leibniz_det(cert.group) - 1
    exprs = [cert.lhs[0], cert.rhs[0], cert.cofactors[0][0], gamma]
    if any(
        e.has(sympy.Float) or not e.is_polynomial() for e in map(sympy.sympify, exprs)
    ):
        return KernelReport(False, "not an exact polynomial")
    variables = sorted(
        set().union(*(sympy.sympify(e).free_symbols for e in exprs)), key=str
    )
    ring, *_ = polynomial_ring(variables, sympy.QQ)
    lhs, rhs, cof, gen = (ring.from_expr(e) for e in exprs)
    if ring.from_expr(cert.generators[0]) != gen:
        return KernelReport(False, "the generator is not z·det(M) − 1")
    left = lhs - rhs - gen * cof
    seen = len(lhs) + len(rhs) + len(gen * cof)
    if left != 0:
        return KernelReport(False, f"{len(left)} monomials do not cancel", seen, 1)
    return KernelReport(True, "", seen, 1)


def _certificate(name: str, dims: tuple[int, int, int]) -> Certificate:
    setup = symbolic_setup(dims)
    k = setup.k
    m_sym = sympy.Matrix(
        k, k, lambda i, j: sympy.Symbol(f"q_{i + 1}_{j + 1}", real=True)
    )
    mat = np.array(m_sym.tolist(), dtype=object)
    inv_t = np.array((Z * m_sym.adjugate().T).tolist(), dtype=object)
    model: Model = GL_MODELS[name](setup.weights, setup.target)
    params = setup.params(model.extra)
    moved = dict(params, A=mat @ params["A"], B=inv_t @ params["B"])
    lhs, rhs = model.loss(XP, moved), model.loss(XP, params)
    deltas = delta_symbols(setup.m, setup.n)
    shifted = model.loss(XP, stacked(setup, params, deltas)) - rhs
    flat = list(deltas.reshape(-1))
    parts = split_by_first_factor(shifted, flat)
    if parts is None:
        raise ValueError("the loss does not split over the product shift")
    gamma = Z * _leibniz_det(tuple(tuple(r) for r in mat)) - 1
    product = params["A"].T @ params["B"]
    value = {deltas[i, j]: gamma * product[i, j] for i, j in np.ndindex(deltas.shape)}
    cofactor = sympy.Add(
        *(
            product[i, j] * parts[deltas[i, j]].xreplace(value)
            for i, j in np.ndindex(deltas.shape)
        )
    )
    return Certificate(
        claim=f"gl-invariance/{name}",
        dims=setup.dims,
        labels=("E",),
        lhs=(lhs,),
        rhs=(rhs,),
        group=tuple(tuple(r) for r in mat),
        generators=(gamma,),
        cofactors=((sympy.expand(cofactor),),),
        steps=(
            f"lhs: the {name} loss at (MA, z·adj(M)ᵀB), M generic k×k, z for 1/det M; "
            "rhs: at (A, B); both by the project's code",
            "cofactor by shifting the product by δ = (z·det M − 1)·AᵀB",
        ),
    )


def prove_gl(name: str, dims: tuple[int, int, int] = (2, 2, 2)) -> Evidence:
    """``gl-invariance/<name>`` for ``plain`` or ``glove`` at ``dims``."""
    if name not in GL_MODELS:
        raise InvalidArgument.of("name", name, f"one of {sorted(GL_MODELS)}")
    started = time.perf_counter()
    claim = f"gl-invariance/{name}"
    try:
        cert = _certificate(name, dims)
        report = verify_gl(cert)
        reason = "" if report.accepted else f"kernel rejected: {report.reason}"
        parts = [cert.summary(report)]
    except Exception as exc:  # a crash inside sympy is not a verdict
        reason, parts = f"the proof attempt raised {exc!r}", []
    k, m, n = dims
    verdict = Verdict.UNDECIDED if reason else Verdict.PROVED
    return Evidence(
        kind="symbolic",
        verdict=verdict,
        summary=f"{claim} {'proved' if not reason else 'not proved'} for k={k}, "
        f"m={m}, n={n}" + (f": {reason}" if reason else " modulo z·det(M) = 1"),
        dimensions={"k": k, "m": m, "n": n},
        certificate={"claim": claim, "parts": parts},
        details={
            "method": "fixed-dimension, ideal of z·det(M) − 1",
            "reason": reason,
            "timings_s": {"total": round(time.perf_counter() - started, 4)},
        },
    )


def _l2_difference(case: Case) -> dict[str, Any]:
    model = L2Model(case["weights"], case["target"], 1)
    inv_t = EXACT.asarray([["1/2", 0], [0, 1]])
    moved = {"A": GL_ELEMENT @ case["A"], "B": inv_t @ case["B"]}
    gap = model.loss(EXACT, moved) - model.loss(EXACT, dict(case))
    return nonzero(E=np.array(gap, dtype=object))


def refute_gl_l2() -> Evidence:
    """``gl-invariance/l2`` is false: the smallest exact case, λ = 1, M = diag(2, 1)."""
    case, diff = smallest(_l2_difference)
    return refutation(
        "gl-invariance/l2",
        "the penalty λ(‖MA‖² + ‖M⁻ᵀB‖²)/2 differs from λ(‖A‖² + ‖B‖²)/2",
        case,
        diff,
        {"M": GL_ELEMENT, "lambda": np.array(1, dtype=object)},
    )
