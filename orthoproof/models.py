"""Factorisation models ``X ≈ AᵀB``: losses and gradients, written once.

Shapes: ``A`` is k×m, ``B`` is k×n (hidden dimension first), targets and
weights are m×n. GloVe adds a word bias ``b`` (m) and a context bias ``c`` (n),
which the hidden-space group does not touch.

Every model here factors through the product: the loss is a function of
``M = AᵀB`` (and the biases), and the gradient follows from one m×n matrix
``G = ∂ℓ/∂M`` by the chain rule, ``∇_A = B Gᵀ`` and ``∇_B = A G``. The
breakers (an L1 penalty, a ReLU on the hidden layer) are written beside them so
that the suite's checks have something to catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument

__all__ = [
    "HIDDEN",
    "GloveModel",
    "L1Penalised",
    "Model",
    "Params",
    "PlainModel",
    "ReluHidden",
    "check_params",
    "model_by_name",
]

#: Parameters are named arrays; those in HIDDEN carry the hidden space on axis 0.
Params = Mapping[str, Any]
HIDDEN = ("A", "B")


class Model:
    """A loss of a factor pair (and possibly biases) with its gradient.

    Subclasses define :meth:`product_gradient` (the m×n matrix ``G`` and the
    loss) for models that factor through ``AᵀB``; breakers override
    :meth:`loss` and :meth:`gradient` directly.
    """

    name = "abstract"
    #: parameter names besides A and B (biases)
    extra: tuple[str, ...] = ()

    def __init__(self, weights: Any, target: Any) -> None:
        self.weights = np.asarray(weights, dtype=object)
        self.target = np.asarray(target, dtype=object)
        if self.weights.ndim != 2 or self.weights.shape != self.target.shape:
            raise InvalidArgument.of(
                "weights",
                self.weights.shape,
                f"a 2-D array shaped like target {self.target.shape}",
            )

    @property
    def shape(self) -> tuple[int, int]:
        m, n = self.weights.shape
        return int(m), int(n)

    def data(self, xp: Backend) -> tuple[Any, Any]:
        """Weights and target converted exactly into ``xp``."""
        return xp.asarray(self.weights), xp.asarray(self.target)

    def residual(self, xp: Backend, params: Params, data: tuple[Any, Any]) -> Any:
        """``AᵀB`` (plus biases) minus the target, m×n."""
        _, target = data
        return params["A"].T @ params["B"] - target

    def product_gradient(
        self, xp: Backend, residual: Any, data: tuple[Any, Any]
    ) -> Any:
        """``G = ∂loss/∂(AᵀB)`` from the residual: ``w∘r``."""
        weights, _ = data
        return weights * residual

    def loss(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> Any:
        """½Σ w·r² over every pair."""
        data = data if data is not None else self.data(xp)
        r = self.residual(xp, params, data)
        return (self.product_gradient(xp, r, data) * r).sum() / 2

    def gradient(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> dict[str, Any]:
        """Gradient of the loss for every parameter, by the chain rule.

        The loss itself is not formed: a training step needs only ``G``.
        """
        data = data if data is not None else self.data(xp)
        g = self.product_gradient(xp, self.residual(xp, params, data), data)
        grads = {"A": params["B"] @ g.T, "B": params["A"] @ g}
        grads.update(self.bias_gradient(g))
        return grads

    def bias_gradient(self, g: Any) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={self.shape})"


class PlainModel(Model):
    """Weighted squared error ½Σ wᵢⱼ((AᵀB)ᵢⱼ − Xᵢⱼ)²; unweighted when w ≡ 1."""

    name = "plain"


class GloveModel(Model):
    """GloVe's cost ½Σ f(Xᵢⱼ)(aᵢ·bⱼ + bᵢ + cⱼ − log Xᵢⱼ)² (Pennington et al. 2014).

    ``weights`` are f(X) (zero where X is zero, so unobserved pairs drop out) and
    ``target`` is log X where X > 0; both are given as data, so that every
    backend sees the same exact problem.
    """

    name = "glove"
    extra = ("b", "c")

    def residual(self, xp: Backend, params: Params, data: tuple[Any, Any]) -> Any:
        base = super().residual(xp, params, data)
        return base + params["b"][:, None] + params["c"][None, :]

    def bias_gradient(self, g: Any) -> dict[str, Any]:
        return {"b": g.sum(axis=1), "c": g.sum(axis=0)}


class L1Penalised(Model):
    """A model plus ``λ‖A‖₁``: a coordinate-wise penalty that breaks O(k) symmetry.

    Kept as the negative control: the checks must refute its invariance.
    """

    def __init__(self, inner: Model, strength: Any = 1) -> None:
        self.inner = inner
        self.strength = strength
        self.weights, self.target = inner.weights, inner.target
        self.name = f"{inner.name}+l1"
        self.extra = inner.extra

    def residual(self, xp: Backend, params: Params, data: tuple[Any, Any]) -> Any:
        return self.inner.residual(xp, params, data)

    def bias_gradient(self, g: Any) -> dict[str, Any]:
        return self.inner.bias_gradient(g)

    def loss(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> Any:
        lam = xp.number(self.strength)
        return self.inner.loss(xp, params, data) + lam * xp.abs(params["A"]).sum()

    def gradient(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> dict[str, Any]:
        grads = self.inner.gradient(xp, params, data)
        grads["A"] = grads["A"] + xp.number(self.strength) * xp.sign(params["A"])
        return grads


class ReluHidden(Model):
    """A ReLU on the hidden layer: ½Σ w(relu(A)ᵀB − X)². Breaks O(k) symmetry."""

    def __init__(self, inner: Model) -> None:
        self.inner = inner
        self.weights, self.target = inner.weights, inner.target
        self.name = f"{inner.name}+relu-hidden"
        self.extra = inner.extra

    def _relu(self, xp: Backend, a: Any) -> Any:
        return (a + xp.abs(a)) / 2

    def loss(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> Any:
        data = data if data is not None else self.data(xp)
        rectified = dict(params, A=self._relu(xp, params["A"]))
        return self.inner.loss(xp, rectified, data)

    def gradient(
        self, xp: Backend, params: Params, data: tuple[Any, Any] | None = None
    ) -> dict[str, Any]:
        data = data if data is not None else self.data(xp)
        rectified = dict(params, A=self._relu(xp, params["A"]))
        grads = self.inner.gradient(xp, rectified, data)
        # d relu(a)/da is the step function (taken as ½ at 0, like (1 + sign)/2)
        grads["A"] = grads["A"] * (xp.sign(params["A"]) + 1) / 2
        return grads


def check_params(model: Model, params: Params) -> int:
    """Validate parameter shapes against ``model``; return the hidden dimension k.

    A model whose ``hidden`` names only ``A`` (a tied factorisation) has no B.
    """
    m, n = model.shape
    hidden = tuple(getattr(model, "hidden", HIDDEN))
    for name in (*hidden, *model.extra):
        if name not in params:
            raise InvalidArgument.of(
                "params", sorted(params), f"names {hidden} and {model.extra}"
            )
    sizes = {"A": m, "B": n}
    shapes = {name: np.shape(params[name]) for name in hidden}
    k = shapes["A"][0] if len(shapes["A"]) == 2 else None
    for name, shape in shapes.items():
        if len(shape) != 2 or shape[0] != k or shape[1] != sizes[name]:
            expected = " and ".join(f"{h} k×{sizes[h]}" for h in hidden)
            raise InvalidArgument.of("params", shapes, expected)
    # Biases broadcast silently in the residual, so a wrong length would give a
    # wrong loss rather than an error: check them explicitly.
    for name, size in (("b", m), ("c", n)):
        if name in model.extra and np.shape(params[name]) != (size,):
            raise InvalidArgument.of(
                "params", {name: np.shape(params[name])}, f"{name} of shape ({size},)"
            )
    return int(shapes["A"][0])


def model_by_name(name: str, weights: Any, target: Any) -> Model:
    """Build a model of the catalogue by its claim-id name."""
    models: dict[str, type[Model]] = {"plain": PlainModel, "glove": GloveModel}
    if name not in models:
        raise InvalidArgument.of("model", name, f"one of {sorted(models)}")
    return models[name](weights, target)
