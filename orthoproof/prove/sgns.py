"""SGNS (word2vec's logistic loss): proved through the product, not by ideals.

The loss contains ``exp`` and ``log``, so no polynomial certificate exists.
The route instead has three checked lemmas at explicit symbols and the
dimension-free generic theorem:

1. **factoring**: the model's loss at ``(A, B)`` is *structurally* the model's
   loss at a free m×n symbol matrix ``M`` (run with ``A' = I``, ``B' = M``)
   after ``xreplace(M := AᵀB)``: E depends on the factors only through AᵀB;
2. **G lemma**: the model's ``G`` (its B-gradient at ``A' = I``) equals
   sympy's scalar ``∂L/∂mᵢⱼ``; with ``u = exp(m)`` both are rational in u, and
   the numerator of their difference is handed to the polynomial kernel;
3. **chain structure**: the model's gradient at ``(A, B)`` is structurally
   ``(B Gᵀ, A G)`` with ``G`` at ``M := AᵀB``;
4. the word prover's ``*/generic`` theorem for any ``ℓ(AᵀB)`` with
   ``∇_A = BGᵀ``, ``∇_B = AG``, ``G = ∂ℓ/∂M``.

``proved`` needs all four; any failure gives ``undecided``. The high-precision
check (:func:`sgns_ball_check`) is evidence only: ``holds``.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from orthoproof.backends import ArbBackend, SympyBackend
from orthoproof.groups import rational_orthogonal
from orthoproof.models_extra import SgnsModel
from orthoproof.prove.certificate import Certificate
from orthoproof.prove.freeclaims import prove_free
from orthoproof.prove.kernel import verify
from orthoproof.prove.setup import symbolic_setup
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["exp_to_rational", "prove_sgns", "sgns_ball_check"]

XP = SympyBackend()


def _symbols(prefix: str, rows: int, cols: int) -> np.ndarray:
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = sympy.Symbol(f"{prefix}_{i + 1}_{j + 1}", real=True)
    return out


def exp_to_rational(exprs: list[Any]) -> tuple[list[Any], dict[Any, Any]]:
    """Replace each ``exp(z)`` by a positive symbol ``u`` and ``exp(−z)`` by 1/u.

    Exponents are matched after expansion, so ``exp(−a·b − c·d)`` meets
    ``exp(a·b + c·d)``. Returns the rewritten expressions and the map used.
    """
    atoms = set().union(*(sympy.sympify(e).atoms(sympy.exp) for e in exprs))
    keys: dict[Any, Any] = {}
    mapping: dict[Any, Any] = {}
    for atom in sorted(atoms, key=sympy.default_sort_key):
        z = sympy.expand(atom.args[0])
        if z in keys:
            mapping[atom] = keys[z]
        elif -z in keys:
            mapping[atom] = 1 / keys[-z]
        else:
            u = sympy.Symbol(f"u{len(keys) + 1}", positive=True)
            keys[z] = u
            mapping[atom] = u
    return [sympy.sympify(e).xreplace(mapping) for e in exprs], mapping


def _numerator(expr: Any) -> Any:
    """Numerator of ``expr`` over a common denominator (no simplification)."""
    num, _ = sympy.fraction(sympy.together(expr))
    return num


def _lemmas(dims: tuple[int, int, int]) -> tuple[list[str], list[str]]:
    """Run lemmas 1–3; return (steps passed, failures)."""
    setup = symbolic_setup(dims)
    model = SgnsModel(setup.weights, setup.target)
    m, n = setup.m, setup.n
    msym = _symbols("m", m, n)
    ident = np.array(
        [[sympy.Integer(int(i == j)) for j in range(m)] for i in range(m)], dtype=object
    )
    free = {"A": ident, "B": msym}
    params = {"A": setup.A, "B": setup.B}
    product = setup.A.T @ setup.B
    at = {msym[i, j]: product[i, j] for i in range(m) for j in range(n)}
    steps, failures = [], []

    loss_m = model.loss(XP, free)
    if model.loss(XP, params) == loss_m.xreplace(at):
        steps.append("E(A, B) is structurally L(M) with M := AᵀB (xreplace)")
    else:
        failures.append("E(A, B) did not match L(AᵀB) structurally")

    g_model = model.gradient(XP, free)["B"]  # = I·G
    derivs = [sympy.diff(loss_m, msym[i, j]) for i in range(m) for j in range(n)]
    rational, _ = exp_to_rational([*g_model.reshape(-1), *derivs])
    half = len(derivs)
    nums = [
        _numerator(lhs - rhs)
        for lhs, rhs in zip(rational[:half], rational[half:], strict=True)
    ]
    cert = Certificate(
        claim="G-lemma/sgns",
        dims=setup.dims,
        labels=tuple(f"G[{i + 1},{j + 1}]" for i in range(m) for j in range(n)),
        lhs=tuple(nums),
        rhs=tuple(sympy.Integer(0) for _ in nums),
    )
    report = verify(cert)
    if report.accepted:
        steps.append(
            "G = ∂L/∂M: with u = exp(m) the difference is rational in u; the kernel "
            f"expanded its numerators to 0 ({report.monomials} monomials)"
        )
    else:
        failures.append(f"G lemma rejected by the kernel: {report.reason}")

    g_at = np.vectorize(lambda e: e.xreplace(at), otypes=[object])(g_model)
    grads = model.gradient(XP, params)
    if (grads["A"] == setup.B @ g_at.T).all() and (grads["B"] == setup.A @ g_at).all():
        steps.append("∇_A = B Gᵀ and ∇_B = A G structurally, G at M := AᵀB")
    else:
        failures.append("the gradient is not structurally (BGᵀ, AG)")
    return steps, failures


def prove_sgns(kind: str, dims: tuple[int, int, int] = (2, 2, 2)) -> Evidence:
    """``<kind>/sgns``: lemmas at ``dims`` plus the generic word-prover theorem.

    The lemmas are checked at ``dims``; the theorem holds for all shapes. The
    claim is stated as proved at ``dims`` (the lemmas' shapes).
    """
    started = time.perf_counter()
    claim = f"{kind}/sgns"
    try:
        steps, failures = _lemmas(dims)
    except Exception as exc:  # a crash inside sympy is not a verdict
        steps, failures = [], [f"the lemmas raised {exc!r}"]
    theorem = prove_free(f"{kind}/generic")
    if theorem.verdict is Verdict.PROVED:
        steps.append(f"{kind}/generic proved by the word prover for all shapes")
    else:
        failures.append(f"{kind}/generic not proved: {theorem.summary}")
    verdict = Verdict.UNDECIDED if failures else Verdict.PROVED
    k, m, n = dims
    summary = (
        f"{claim} proved for k={k}, m={m}, n={n}: SGNS factors through AᵀB and "
        "the generic theorem applies"
        if not failures
        else f"{claim} not proved: {'; '.join(failures)}"
    )
    return Evidence(
        kind="symbolic",
        verdict=verdict,
        summary=summary,
        dimensions={"k": k, "m": m, "n": n},
        certificate={
            "claim": claim,
            "steps": [f"{i}. {s}" for i, s in enumerate(steps, start=1)],
            "theorem": theorem.certificate,
        },
        details={
            "method": "factoring lemmas + dimension-free theorem",
            "reason": "; ".join(failures),
            "timings_s": {"total": round(time.perf_counter() - started, 4)},
        },
    )


def _fractions(rng: np.random.Generator, shape: tuple[int, ...], low: int) -> Any:
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = Fraction(int(rng.integers(low, 7)), int(rng.integers(1, 5)))
    return out


def sgns_ball_check(
    kind: str, k: int = 3, shape: tuple[int, int] = (3, 2), prec: int = 256
) -> Evidence:
    """Evaluate ``<kind>/sgns`` in arb balls at ``prec`` bits with a rational P.

    ``holds`` when every difference is a ball containing 0 of radius below
    ``2^(−prec/2)``; ``refuted`` when some ball excludes 0 (a certified
    counterexample); otherwise ``undecided``.
    """
    xp = ArbBackend(prec)
    rng = np.random.default_rng([7, k])
    m, n = shape
    model = SgnsModel(_fractions(rng, (m, n), 0), _fractions(rng, (m, n), 0))
    a, b = _fractions(rng, (k, m), -6), _fractions(rng, (k, n), -6)
    if kind == "orbit-orthogonality":
        s = np.full((k, k), Fraction(0), dtype=object)
        for i in range(k):
            for j in range(i + 1, k):
                s[i, j] = Fraction(int(rng.integers(-5, 6)), 3)
                s[j, i] = -s[i, j]
        group = s
    else:
        group = rational_orthogonal(k, rng)
    with xp.context():
        pa, pb, g = xp.asarray(a), xp.asarray(b), xp.asarray(group)
        params = {"A": pa, "B": pb}
        moved = {"A": g @ pa, "B": g @ pb}
        if kind == "loss-invariance":
            diffs = [model.loss(xp, moved) - model.loss(xp, params)]
        elif kind == "gradient-equivariance":
            new, old = model.gradient(xp, moved), model.gradient(xp, params)
            diffs = [*(new["A"] - g @ old["A"]).ravel()]
            diffs += [*(new["B"] - g @ old["B"]).ravel()]
        else:
            grads = model.gradient(xp, params)
            diffs = [(grads["A"] * (g @ pa)).sum() + (grads["B"] * (g @ pb)).sum()]
    bound = 2.0 ** (-prec // 2)
    excludes = [d for d in diffs if not d.contains(0)]
    radius = max(float(d.rad()) for d in diffs)
    if excludes:
        verdict, what = Verdict.REFUTED, f"a ball excludes 0: {excludes[0]}"
    elif radius < bound:
        verdict, what = Verdict.HOLDS, f"every difference within ±{radius:.1e} of 0"
    else:
        verdict, what = Verdict.UNDECIDED, f"balls too wide (radius {radius:.1e})"
    return Evidence(
        kind="high-precision",
        verdict=verdict,
        summary=f"{kind}/sgns in arb balls at {prec} bits, k={k}, m={m}, n={n}, "
        f"rational P: {what}",
        dimensions={"k": k, "m": m, "n": n},
        precision=(xp.dps or 0,),
        errors=(radius,),
        details={"prec_bits": prec, "entries": len(diffs)},
    )
