"""The fuzzed claims as measurements: a relative error and its rounding bound.

Each claim is written once as a pair of *sides* against a backend, so the same
code measures the claim in float64 and re-checks it exactly with fractions:

``product-invariance``
    ``(PA)ᵀ(PB)`` against ``AᵀB``;
``loss-invariance/<model>``
    ``E(PA, PB)`` against ``E(A, B)``;
``gradient-equivariance/<model>``
    ``∇E(PA, PB)`` against ``P·∇E(A, B)`` (bias gradients untouched);
``orbit-orthogonality/<model>``
    ``Y = A∇_Aᵀ + B∇_Bᵀ`` against ``Yᵀ``: ``⟨∇E, (SA, SB)⟩ = ⟨Y, S⟩`` vanishes
    for every skew ``S`` exactly when ``Y`` is symmetric.

Each ``*_error(problem, P)`` returns ``(error, bound)``: the largest entrywise
violation divided by that entry's *scale* (a sum of absolute values of the
operands), and a bound, in the same units, on what float64 rounding alone can
produce when the claim is true. The bounds are worst-case (Higham's
``γ_n = nu/(1 − nu)`` for an n-term dot product, ``u = 2⁻⁵³``) for models that
factor through ``AᵀB`` with ``G = ∂ℓ/∂(AᵀB)``, times a margin of 2 that covers
second-order terms and the float evaluation of the scales. They grow with k, m
and n, not with the data, so a true claim never exceeds them while a 1 %
defect exceeds them by some twelve orders of magnitude. Scales also include
the magnitudes of the computed sides, so that a model outside that form (the
L1 breaker) is judged relative to its own size.

``P`` is trusted to be orthogonal to ``|PᵀP − I| ≤ c_P·k·u`` entrywise with
``c_P = 8``: over 20 000 draws of :func:`~orthoproof.groups.haar_orthogonal`
for each k ≤ 8 the measured defect never passed ``4.5·k·u`` (at k = 2), and a
rational element rounded to float64 is within ``2u``. The defect is *not*
measured and excused, so a matrix that is not orthogonal is caught.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from orthoproof.backends import Backend, Float64Backend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act
from orthoproof.models import L1Penalised, Model, model_by_name

__all__ = [
    "FAMILIES",
    "MODELS",
    "ORTHOGONALITY_DEFECT",
    "UNIT_ROUNDOFF",
    "Problem",
    "build_model",
    "gradient_equivariance_error",
    "gradient_equivariance_sides",
    "loss_invariance_error",
    "loss_invariance_sides",
    "orbit_orthogonality_error",
    "orbit_orthogonality_sides",
    "product_invariance_error",
    "product_invariance_sides",
]

#: u = 2⁻⁵³, float64's unit roundoff.
UNIT_ROUNDOFF = 2.0**-53
#: c_P: an element P is trusted to satisfy |PᵀP − I| ≤ c_P·k·u entrywise.
ORTHOGONALITY_DEFECT = 8.0
#: Covers second-order terms and the float evaluation of the scales.
_MARGIN = 2.0
#: Models the fuzzed claims are stated for; ``+l1`` is the negative control.
MODELS = ("plain", "glove", "plain+l1", "glove+l1")

_F64 = Float64Backend()


@dataclass(frozen=True)
class Problem:
    """A factor pair, its biases and, for all but product invariance, a model.

    Parameters
    ----------
    params
        ``{"A": k×m, "B": k×n}`` and any biases, in one number system.
    model
        The loss the claim is about; ``None`` for product invariance.
    """

    params: Mapping[str, Any]
    model: Model | None = None

    @property
    def k(self) -> int:
        """Hidden dimension."""
        return int(np.shape(self.params["A"])[0])

    @property
    def m(self) -> int:
        """Rows of ``AᵀB`` (columns of A)."""
        return int(np.shape(self.params["A"])[1])

    @property
    def n(self) -> int:
        """Columns of ``AᵀB`` (columns of B)."""
        return int(np.shape(self.params["B"])[1])

    def require_model(self) -> Model:
        """The model, or an error naming what is missing."""
        if self.model is None:
            raise InvalidArgument.of("problem.model", None, "a model for this claim")
        return self.model


def build_model(name: str, weights: Any, target: Any) -> Model:
    """The catalogue's model ``name`` (one of :data:`MODELS`) on given data."""
    base, _, breaker = name.partition("+")
    if name not in MODELS:
        raise InvalidArgument.of("model", name, f"one of {MODELS}")
    model = model_by_name(base, weights, target)
    return L1Penalised(model) if breaker == "l1" else model


# Sides: each claim once, against any backend.


def product_invariance_sides(xp: Backend, problem: Problem, p: Any) -> tuple[Any, Any]:
    """``((PA)ᵀ(PB), AᵀB)``, each m×n."""
    moved = act(xp, p, problem.params)
    return moved["A"].T @ moved["B"], problem.params["A"].T @ problem.params["B"]


def loss_invariance_sides(xp: Backend, problem: Problem, p: Any) -> tuple[Any, Any]:
    """``(E(PA, PB), E(A, B))``, two scalars."""
    model = problem.require_model()
    data = model.data(xp)
    moved = act(xp, p, problem.params)
    return model.loss(xp, moved, data), model.loss(xp, problem.params, data)


def gradient_equivariance_sides(
    xp: Backend, problem: Problem, p: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(∇E(PA, PB), P·∇E(A, B))``, dictionaries shaped like the parameters."""
    model = problem.require_model()
    data = model.data(xp)
    moved = model.gradient(xp, act(xp, p, problem.params), data)
    turned = act(xp, p, model.gradient(xp, problem.params, data))
    return moved, turned


def orbit_orthogonality_sides(
    xp: Backend, problem: Problem, p: Any = None
) -> tuple[Any, Any]:
    """``(Y, Yᵀ)`` with ``Y = A∇_Aᵀ + B∇_Bᵀ`` (k×k); ``p`` is not used."""
    y, _ = _orbit_matrix(xp, problem)
    return y, y.T


def _orbit_matrix(xp: Backend, problem: Problem) -> tuple[Any, dict[str, Any]]:
    """``Y = A∇_Aᵀ + B∇_Bᵀ`` together with the gradients it was built from."""
    model = problem.require_model()
    grads = model.gradient(xp, problem.params, model.data(xp))
    y = problem.params["A"] @ grads["A"].T + problem.params["B"] @ grads["B"].T
    return y, grads


# Scales: sums of absolute values that dominate every rounding error.


def _relative(difference: Any, scale: Any) -> float:
    """Largest ``|difference| / scale``; 0/0 counts as 0 and x/0 as infinite."""
    diff = np.abs(np.asarray(difference, dtype=float))
    scale = np.asarray(scale, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(scale > 0, diff / scale, np.where(diff > 0, np.inf, 0.0))
    return float(np.max(ratio, initial=0.0))


def _product_scale(params: Mapping[str, Any]) -> np.ndarray:
    """``L_ij = ‖a_i‖₁‖b_j‖₁`` (m×n): dominates |A|ᵀ|B| and |A|ᵀ|P|ᵀ|P||B|."""
    return np.outer(np.abs(params["A"]).sum(axis=0), np.abs(params["B"]).sum(axis=0))


def _residual_scale(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """``(|w|, Z)``, both m×n, Z the scale of the residual ``AᵀB + b + c − X``."""
    weights, target = problem.require_model().data(_F64)
    z = _product_scale(problem.params) + np.abs(np.asarray(target, dtype=float))
    if "b" in problem.params:
        z = z + np.abs(problem.params["b"])[:, None] + np.abs(problem.params["c"])
    return np.abs(weights), z


def _weighted_scale(problem: Problem) -> np.ndarray:
    """``W = |w|∘Z`` (m×n), which dominates ``|G|`` for ``G = w∘r``."""
    weights, z = _residual_scale(problem)
    return np.asarray(weights * z, dtype=float)


def _residual_units(k: int) -> float:
    """κ_r: a computed residual is within κ_r·u·Z of the exact one at (A, B).

    The product costs (5 + c_P)·k·u·L (the products with P, the two Gram
    products and P's defect), and the target and bias additions three more
    roundings.
    """
    return (5.02 + ORTHOGONALITY_DEFECT) * k + 3


# Errors and bounds in float64.


def product_invariance_error(problem: Problem, p: Any) -> tuple[float, float]:
    """Relative violation of ``(PA)ᵀ(PB) = AᵀB`` and its rounding bound.

    Entry (i, j) deviates by at most ``γ_k(4|A|ᵀ|P|ᵀ|P||B| + |A|ᵀ|B|) +
    |A|ᵀ|PᵀP − I||B|``, and each term is at most a multiple of
    ``L_ij = ‖a_i‖₁‖b_j‖₁``, so the bound is ``2(5 + c_P)·k·u`` relative to L.

    Parameters
    ----------
    problem
        The factor pair; no model is needed.
    p
        k×k group element, trusted orthogonal to ``c_P·k·u``.

    Returns
    -------
    error, bound
        ``max |lhs − rhs| / L`` and the largest value rounding can explain.
    """
    lhs, rhs = product_invariance_sides(_F64, problem, _float(p))
    error = _relative(lhs - rhs, _product_scale(problem.params))
    return error, _MARGIN * (5.02 + ORTHOGONALITY_DEFECT) * problem.k * UNIT_ROUNDOFF


def loss_invariance_error(problem: Problem, p: Any) -> tuple[float, float]:
    """Relative violation of ``E(PA, PB) = E(A, B)`` and its rounding bound.

    Both residuals are within ``κ_r·u·Z`` of the exact residual, and the sum
    ``½Σ w r²`` adds ``γ_{mn+2}``, so ``|ΔE| ≤ (2κ_r + mn + 2)·u·Σ w Z²``.

    Parameters
    ----------
    problem
        Factor pair, biases and model.
    p
        k×k group element, trusted orthogonal to ``c_P·k·u``.

    Returns
    -------
    error, bound
        ``|ΔE| / (Σ|w|Z² + |E(PA, PB)| + |E(A, B)|)`` and its bound.
    """
    lhs, rhs = loss_invariance_sides(_F64, problem, _float(p))
    weights, z = _residual_scale(problem)
    scale = np.sum(weights * z * z)
    error = _relative(lhs - rhs, scale + abs(lhs) + abs(rhs))
    units = 2 * _residual_units(problem.k) + problem.m * problem.n + 2
    return error, _MARGIN * units * UNIT_ROUNDOFF


def gradient_equivariance_error(problem: Problem, p: Any) -> tuple[float, float]:
    """Relative violation of ``∇E(PA, PB) = P·∇E(A, B)`` and its rounding bound.

    ``G`` is computed to ``(κ_r + 1)·u·W`` on either side, and the products
    with ``P`` and ``B`` (or ``A``) add ``γ_k + γ_n`` (or ``γ_m``), so each side
    of ∇_A is within ``(k + n + κ_r + 1)·u·|P||B|Wᵀ`` of ``P B Gᵀ``; likewise
    for ∇_B with ``|P||A|W`` and for the biases with the row and column sums of
    ``W``. The bound is twice that, times the margin.

    Parameters
    ----------
    problem
        Factor pair, biases and model.
    p
        k×k group element, trusted orthogonal to ``c_P·k·u``.

    Returns
    -------
    error, bound
        Largest entrywise violation over all gradients, relative to its scale.
    """
    pf = _float(p)
    lhs, rhs = gradient_equivariance_sides(_F64, problem, pf)
    w, ap = _weighted_scale(problem), np.abs(pf)
    chain = {
        "A": ap @ np.abs(problem.params["B"]) @ w.T,
        "B": ap @ np.abs(problem.params["A"]) @ w,
        "b": w.sum(axis=1),
        "c": w.sum(axis=0),
    }
    error = 0.0
    for name, moved in lhs.items():
        # |P||∇| rather than |P∇|: the rounding of the product with P scales so.
        own = ap @ np.abs(rhs[name]) if name in ("A", "B") else np.abs(rhs[name])
        scale = chain.get(name, 0.0) + np.abs(moved) + own
        error = max(error, _relative(moved - rhs[name], scale))
    units = problem.k + max(problem.m, problem.n) + _residual_units(problem.k) + 1
    return error, _MARGIN * 2 * units * UNIT_ROUNDOFF


def orbit_orthogonality_error(problem: Problem, p: Any = None) -> tuple[float, float]:
    """Relative asymmetry of ``Y = A∇_Aᵀ + B∇_Bᵀ`` and its rounding bound.

    With the computed ``G``, ``A(BGᵀ)ᵀ + B(AG)ᵀ`` is exactly symmetric; the
    products and the sum add at most ``(m + n + 1)·u·S`` to each entry, with
    ``S = |A|W|B|ᵀ + |B|Wᵀ|A|ᵀ``, so ``|Y − Yᵀ| ≤ 2(m + n + 1)·u·S``.

    Parameters
    ----------
    problem
        Factor pair, biases and model.
    p
        Not used: symmetry of Y covers every skew direction at once. Accepted so
        that all properties share one signature.

    Returns
    -------
    error, bound
        ``max |Y − Yᵀ| / S`` and its bound.
    """
    y, grads = _orbit_matrix(_F64, problem)
    a, b = np.abs(problem.params["A"]), np.abs(problem.params["B"])
    w = _weighted_scale(problem)
    own = a @ np.abs(grads["A"]).T + b @ np.abs(grads["B"]).T
    scale = a @ w @ b.T + own
    error = _relative(y - y.T, scale + scale.T)
    units = 2 * (problem.m + problem.n + 1)
    return error, _MARGIN * units * UNIT_ROUNDOFF


def _float(p: Any) -> np.ndarray:
    return np.asarray(p, dtype=float)


Property = Callable[[Problem, Any], tuple[float, float]]
Sides = Callable[[Backend, Problem, Any], tuple[Any, Any]]

#: Claim family → (float64 measurement, sides for the exact re-check).
FAMILIES: Mapping[str, tuple[Property, Sides]] = {
    "product-invariance": (product_invariance_error, product_invariance_sides),
    "loss-invariance": (loss_invariance_error, loss_invariance_sides),
    "gradient-equivariance": (gradient_equivariance_error, gradient_equivariance_sides),
    "orbit-orthogonality": (orbit_orthogonality_error, orbit_orthogonality_sides),
}
