"""More factorisation models, each written once against a :class:`Backend`.

=============  ==============================================================
``weighted``   ½Σ wᵢⱼ((AᵀB)ᵢⱼ − Xᵢⱼ)², elementwise weights, no biases
``masked``     matrix completion: the same with weights in {0, 1}
``l2``         the weighted loss plus λ(‖A‖² + ‖B‖²)/2
``tied``       X ≈ AᵀA with a single factor A: ½Σ w(AᵀA − X)²
``sgns``       word2vec's skip-gram negative sampling, full batch:
               Σ x⁺·softplus(−M) + x⁻·softplus(M), M = AᵀB
=============  ==============================================================

All of them are O(k)-invariant. ``weighted``, ``masked`` and ``sgns`` factor
through ``M = AᵀB``; ``l2`` adds a penalty that is invariant because
``‖PA‖ = ‖A‖``; ``tied`` factors through ``AᵀA``, and the group acts on its
only factor by ``A → PA``, so ``(PA)ᵀ(PA) = AᵀA``.

SGNS needs ``exp`` and ``log``, which :mod:`orthoproof.backends` does not
offer; :func:`exp` and :func:`log` below map them onto each backend's own
number type (sympy, numpy, gmpy2, python-flint) without touching the backends.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import flint
import gmpy2
import numpy as np
import sympy

from orthoproof.backends import (
    ArbBackend,
    Backend,
    ExactBackend,
    Float64Backend,
    MpfrBackend,
    SympyBackend,
)
from orthoproof.errors import InvalidArgument
from orthoproof.models import Model, Params

__all__ = [
    "EXTRA_MODELS",
    "L2Model",
    "MaskedModel",
    "SgnsModel",
    "TiedModel",
    "WeightedModel",
    "exp",
    "extra_model_by_name",
    "log",
    "sigmoid",
    "softplus",
]


# -- exp and log per backend --------------------------------------------------


def _elementwise(xp: Backend, fn: Callable[[Any], Any], x: Any) -> Any:
    """Apply a scalar function to every entry, inside the backend's precision."""
    with xp.context():
        if isinstance(x, np.ndarray):
            out = np.empty(x.shape, dtype=object)
            for index, value in np.ndenumerate(x):
                out[index] = fn(value)
            return out
        return fn(x)


def _scalar(xp: Backend, name: str) -> Callable[[Any], Any]:
    """The scalar ``exp`` or ``log`` of ``xp``'s number type."""
    if isinstance(xp, SympyBackend):
        return {"exp": sympy.exp, "log": sympy.log}[name]
    if isinstance(xp, MpfrBackend):
        return {"exp": gmpy2.exp, "log": gmpy2.log}[name]
    if isinstance(xp, ArbBackend):
        return {"exp": flint.arb.exp, "log": flint.arb.log}[name]
    if isinstance(xp, ExactBackend):
        # exp of a non-zero rational is irrational: no exact value exists.
        raise InvalidArgument.of(
            "backend", xp.name, "a backend with exp and log (not exact rationals)"
        )
    raise InvalidArgument.of("backend", xp.name, "sympy, float64, mpfr or arb")


def exp(xp: Backend, x: Any) -> Any:
    """Elementwise ``exp`` in ``xp`` (a backend method of that name wins)."""
    own = getattr(xp, "exp", None)
    if callable(own):
        return own(x)
    if isinstance(xp, Float64Backend):
        return np.exp(x)
    return _elementwise(xp, _scalar(xp, "exp"), x)


def log(xp: Backend, x: Any) -> Any:
    """Elementwise natural ``log`` in ``xp`` (a backend method of that name wins)."""
    own = getattr(xp, "log", None)
    if callable(own):
        return own(x)
    if isinstance(xp, Float64Backend):
        return np.log(x)
    return _elementwise(xp, _scalar(xp, "log"), x)


def softplus(xp: Backend, x: Any) -> Any:
    """``log(1 + eᶻ)``; float64 uses ``logaddexp`` so large z do not overflow."""
    if isinstance(xp, Float64Backend):
        return np.logaddexp(0.0, x)
    return log(xp, 1 + exp(xp, x))


def sigmoid(xp: Backend, x: Any) -> Any:
    """``σ(z) = 1/(1 + e⁻ᶻ)``, the derivative of :func:`softplus`."""
    if isinstance(xp, Float64Backend):
        # tanh form: no overflow for very negative z
        return (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0)) / 2.0
    return 1 / (1 + exp(xp, -x))


# -- models -------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    if isinstance(value, sympy.Basic):
        return bool(value.is_number)
    return isinstance(value, int | float | Fraction | np.number)


class WeightedModel(Model):
    """Elementwise-weighted squared error ½Σ wᵢⱼ((AᵀB)ᵢⱼ − Xᵢⱼ)², no biases.

    The same mathematics as :class:`~orthoproof.models.PlainModel`, under its
    own name so that claims about weighted factorisation are stated as such.
    """

    name = "weighted"


class MaskedModel(Model):
    """Matrix completion: ½Σ over observed pairs of ((AᵀB)ᵢⱼ − Xᵢⱼ)².

    ``mask`` holds 1 for an observed pair and 0 otherwise. Symbolic entries
    are accepted unchecked: a proof with a symbol in each place covers every
    mask at once.
    """

    name = "masked"

    def __init__(self, mask: Any, target: Any) -> None:
        super().__init__(mask, target)
        bad = [
            v for v in self.weights.reshape(-1) if _is_number(v) and v != 0 and v != 1
        ]
        if bad:
            raise InvalidArgument.of("mask", bad[0], "entries 0 or 1")


class L2Model(Model):
    """Weighted squared error plus ``λ(‖A‖² + ‖B‖²)/2``; gradient adds λA, λB.

    The penalty is a function of ``AAᵀ`` and ``BBᵀ``'s traces, which O(k)
    leaves alone; it is *not* a function of ``AᵀB``, so GL(k) breaks it.
    """

    name = "l2"

    def __init__(self, weights: Any, target: Any, strength: Any = 1) -> None:
        super().__init__(weights, target)
        self.strength = strength

    def penalty(self, xp: Backend, params: Params) -> Any:
        lam = xp.number(self.strength)
        a, b = params["A"], params["B"]
        return lam * ((a * a).sum() + (b * b).sum()) / 2

    def loss(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> Any:
        return super().loss(xp, params, data) + self.penalty(xp, params)

    def gradient(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> dict[str, Any]:
        grads = super().gradient(xp, params, data)
        lam = xp.number(self.strength)
        grads["A"] = grads["A"] + lam * params["A"]
        grads["B"] = grads["B"] + lam * params["B"]
        return grads


class TiedModel(Model):
    """One factor: ½Σ wᵢⱼ((AᵀA)ᵢⱼ − Xᵢⱼ)², A k×m, weights and X m×m.

    Parameters are ``{"A"}`` only. The group acts by ``A → PA``; the product
    the loss sees is ``AᵀA``, unchanged by orthogonal P. With
    ``G = w∘(AᵀA − X)`` the gradient is ``A(G + Gᵀ) = 2A·sym(G)``, because
    ``dM = dAᵀA + AᵀdA`` meets G from both sides.
    """

    name = "tied"
    #: the parameters the group moves (``B`` does not exist here)
    hidden = ("A",)

    def __init__(self, weights: Any, target: Any) -> None:
        super().__init__(weights, target)
        m, n = self.shape
        if m != n:
            raise InvalidArgument.of("weights", (m, n), "a square m×m array")

    def residual(self, xp: Backend, params: Params, data: tuple[Any, Any]) -> Any:
        _, target = data
        return params["A"].T @ params["A"] - target

    def loss_of_product(self, xp: Backend, product: Any, data: tuple[Any, Any]) -> Any:
        """½Σ w(M − X)² at an arbitrary m×m product ``M`` (for proofs)."""
        _, target = data
        r = product - target
        return (self.product_gradient(xp, r, data) * r).sum() / 2

    def gradient(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> dict[str, Any]:
        data = data if data is not None else self.data(xp)
        g = self.product_gradient(xp, self.residual(xp, params, data), data)
        return {"A": params["A"] @ (g + g.T)}


class SgnsModel(Model):
    """Skip-gram negative sampling as one full-batch loss (Mikolov et al. 2013).

    ``E = Σᵢⱼ x⁺ᵢⱼ·softplus(−Mᵢⱼ) + x⁻ᵢⱼ·softplus(Mᵢⱼ)`` with ``M = AᵀB``,
    where ``x⁺`` counts observed (word, context) pairs and ``x⁻`` the negative
    samples drawn for them. ``G = ∂E/∂M = −x⁺σ(−M) + x⁻σ(M)``. Needs ``exp``
    and ``log``, so it cannot run on exact rationals.
    """

    name = "sgns"

    def __init__(self, positive: Any, negative: Any) -> None:
        # Stored as weights/target so the rest of the suite sees the usual pair.
        super().__init__(positive, negative)

    @property
    def positive(self) -> np.ndarray:
        return self.weights

    @property
    def negative(self) -> np.ndarray:
        return self.target

    def residual(self, xp: Backend, params: Params, data: tuple[Any, Any]) -> Any:
        """The product ``M = AᵀB`` itself: SGNS has no target to subtract."""
        return params["A"].T @ params["B"]

    def product_gradient(
        self, xp: Backend, residual: Any, data: tuple[Any, Any]
    ) -> Any:
        pos, neg = data
        return -pos * sigmoid(xp, -residual) + neg * sigmoid(xp, residual)

    def loss(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> Any:
        data = data if data is not None else self.data(xp)
        pos, neg = data
        m = self.residual(xp, params, data)
        return (pos * softplus(xp, -m) + neg * softplus(xp, m)).sum()


#: Models of this module by claim-id name.
EXTRA_MODELS: dict[str, type[Model]] = {
    "weighted": WeightedModel,
    "masked": MaskedModel,
    "l2": L2Model,
    "tied": TiedModel,
    "sgns": SgnsModel,
}


def extra_model_by_name(name: str, weights: Any, target: Any, **kwargs: Any) -> Model:
    """Build a model of :data:`EXTRA_MODELS` (``strength=`` for ``l2``)."""
    if name not in EXTRA_MODELS:
        raise InvalidArgument.of("model", name, f"one of {sorted(EXTRA_MODELS)}")
    return EXTRA_MODELS[name](weights, target, **kwargs)
