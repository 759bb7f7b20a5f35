"""Optimisers, each with its state and the law by which a group element acts on it.

An optimiser's step is written once against a :class:`~orthoproof.backends.Backend`
and runs in every number system. Parameters and states are dictionaries of
arrays keyed by parameter name; the hidden arrays (``A``, ``B``) carry the
hidden space on axis 0.

The state law says how ``P`` moves each state field along with the parameters:

``vector``
    first-moment quantities (momentum, Adam's m) turn with ``P``;
``square``
    per-coordinate second moments (Adagrad's and Adam's accumulators) move by
    ``P∘P``, exact for signed permutations. For a general rotation no law makes
    a per-coordinate accumulator equivariant, which is the point.

Hyperparameters are kept as decimal strings, so each backend rounds them once
at its own precision; defaults follow the framework named in each class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import squared
from orthoproof.models import HIDDEN

__all__ = [
    "OPTIMISERS",
    "SGD",
    "Adagrad",
    "Adam",
    "GloveAdagrad",
    "Momentum",
    "Optimiser",
    "act_state",
    "optimiser_by_name",
]

State = dict[str, Any]


class Optimiser:
    """Base class: hyperparameters, state initialisation, one step, state law."""

    name: ClassVar[str] = "abstract"
    #: how P acts on each per-parameter state field: "vector" or "square"
    laws: ClassVar[Mapping[str, str]] = {}
    defaults: ClassVar[Mapping[str, str]] = {}
    #: steps from the initial state that are plain gradient steps whatever the
    #: gradient (GloVe's lagged accumulator makes its first step so), during
    #: which even a per-coordinate optimiser commutes with every rotation
    plain_steps: ClassVar[int] = 0

    def __init__(self, **hyper: Any) -> None:
        unknown = set(hyper) - set(self.defaults)
        if unknown:
            raise InvalidArgument.of(
                "hyper", sorted(unknown), f"names among {sorted(self.defaults)}"
            )
        self.hyper = {k: str(hyper.get(k, v)) for k, v in self.defaults.items()}

    def h(self, xp: Backend, name: str) -> Any:
        """A hyperparameter as a number of ``xp``."""
        return xp.number(self.hyper[name])

    def init(self, xp: Backend, params: Mapping[str, Any]) -> State:
        """Initial state: one entry per (field, parameter) plus a step counter."""
        state: State = {"t": 0}
        for field in self.laws:
            state[field] = {n: self.initial(xp, field, v) for n, v in params.items()}
        return state

    def initial(self, xp: Backend, field: str, value: Any) -> Any:
        return xp.zeros(np.shape(value))

    def step(
        self,
        xp: Backend,
        params: Mapping[str, Any],
        grads: Mapping[str, Any],
        state: State,
    ) -> tuple[dict[str, Any], State]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.hyper.items())
        return f"{type(self).__name__}({args})"


class SGD(Optimiser):
    """Plain gradient descent ``θ ← θ − η∇``."""

    name = "sgd"
    defaults = {"lr": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr = self.h(xp, "lr")
        new = {n: v - lr * grads[n] for n, v in params.items()}
        return new, {**state, "t": state["t"] + 1}


class Momentum(Optimiser):
    """Heavy-ball momentum as torch.optim.SGD: ``u ← μu + ∇``, ``θ ← θ − ηu``."""

    name = "momentum"
    laws = {"velocity": "vector"}
    defaults = {"lr": "0.01", "momentum": "0.9"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, mu = self.h(xp, "lr"), self.h(xp, "momentum")
        velocity = {n: mu * state["velocity"][n] + grads[n] for n in params}
        new = {n: v - lr * velocity[n] for n, v in params.items()}
        return new, {"t": state["t"] + 1, "velocity": velocity}


class Adagrad(Optimiser):
    """Diagonal Adagrad as torch.optim.Adagrad.

    ``s ← s + ∇²``, ``θ ← θ − η∇/(√s + ε)``; torch's defaults: η = 1e-2,
    initial accumulator 0, ε = 1e-10 outside the root.
    """

    name = "adagrad"
    laws = {"sum": "square"}
    defaults = {"lr": "0.01", "eps": "1e-10", "initial_accumulator_value": "0"}

    def initial(self, xp, field, value):  # type: ignore[no-untyped-def]
        return xp.full(np.shape(value), self.hyper["initial_accumulator_value"])

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        acc = {n: state["sum"][n] + grads[n] * grads[n] for n in params}
        new = {
            n: v - lr * grads[n] / (xp.sqrt(acc[n]) + eps) for n, v in params.items()
        }
        return new, {"t": state["t"] + 1, "sum": acc}


class GloveAdagrad(Optimiser):
    """GloVe's own lagged Adagrad (stanfordnlp/GloVe ``src/glove.c``).

    For the vectors: ``u = η·clip(∇)`` per coordinate, ``θ ← θ − u/√s`` with the
    accumulator *before* this step, then ``s ← s + u²``. For the biases: no η
    and no clipping, ``b ← b − ∇_b/√s_b``, ``s_b ← s_b + ∇_b²``. Accumulators
    start at 1. GloVe applies this per co-occurrence pair; here it is applied to
    the full-batch gradient. GloVe's own per-pair loop over shuffled records is
    :class:`~orthoproof.optim.glove_pairs.GlovePairs` (``glove-adagrad-pairs``).
    """

    name = "glove-adagrad"
    laws = {"gradsq": "square"}
    defaults = {"lr": "0.05", "clip": "100", "initial_accumulator_value": "1"}
    # The first step divides by √1: SGD on the clipped gradient, and the clip
    # (100, far above the built-in input's gradients) is all that could break it.
    plain_steps = 1

    def initial(self, xp, field, value):  # type: ignore[no-untyped-def]
        return xp.full(np.shape(value), self.hyper["initial_accumulator_value"])

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr = self.h(xp, "lr")
        new, acc = {}, {}
        for n, v in params.items():
            # GloVe clips and scales the vector gradients only, not the biases'.
            u = lr * xp.clip(grads[n], self.hyper["clip"]) if n in HIDDEN else grads[n]
            new[n] = v - u / xp.sqrt(state["gradsq"][n])
            acc[n] = state["gradsq"][n] + u * u
        return new, {"t": state["t"] + 1, "gradsq": acc}


class Adam(Optimiser):
    """Adam as torch.optim.Adam: bias-corrected moments, ε = 1e-8 outside the root."""

    name = "adam"
    laws = {"m": "vector", "v": "square"}
    defaults = {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, b1, b2, eps = (self.h(xp, k) for k in ("lr", "beta1", "beta2", "eps"))
        one = xp.number(1)
        t = state["t"] + 1
        m = {n: b1 * state["m"][n] + (one - b1) * grads[n] for n in params}
        v = {n: b2 * state["v"][n] + (one - b2) * grads[n] * grads[n] for n in params}
        c1, c2 = one - b1**t, one - b2**t
        new = {
            n: p - lr * (m[n] / c1) / (xp.sqrt(v[n] / c2) + eps)
            for n, p in params.items()
        }
        return new, {"t": t, "m": m, "v": v}


OPTIMISERS: dict[str, type[Optimiser]] = {
    cls.name: cls for cls in (SGD, Momentum, Adagrad, GloveAdagrad, Adam)
}


def optimiser_by_name(name: str, **hyper: Any) -> Optimiser:
    """Build an optimiser of the catalogue by its claim-id name."""
    if name not in OPTIMISERS:
        raise InvalidArgument.of("optimiser", name, f"one of {sorted(OPTIMISERS)}")
    return OPTIMISERS[name](**hyper)


def act_state(xp: Backend, optimiser: Optimiser, p: Any, state: State) -> State:
    """Move ``state`` by the group element ``p`` according to ``optimiser.laws``."""
    linear, quadratic = xp.asarray(p), xp.asarray(squared(p))
    moved: State = {"t": state["t"]}
    for field, law in optimiser.laws.items():
        by = linear if law == "vector" else quadratic
        moved[field] = {
            n: (by @ v if n in HIDDEN else v) for n, v in state[field].items()
        }
    return moved
