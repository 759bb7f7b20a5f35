"""Gradient methods built from rotation-covariant operations, and value clipping.

Each step is linear in the gradient with scalar coefficients, or rescales it by
a norm that ``P`` does not change. Per-coordinate value clipping sits here as
the one exception of the family: a clamp on each entry, as GloVe applies.
"""

from __future__ import annotations

from typing import Any

from orthoproof.backends import Backend
from orthoproof.models import HIDDEN
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.linalg import frobenius, minimum, newton_schulz

__all__ = [
    "L2SGD",
    "LARS",
    "DecoupledDecaySGD",
    "GlobalNormClipSGD",
    "Muon",
    "Nesterov",
    "ValueClipSGD",
]


class Nesterov(ExtOptimiser):
    """torch.optim.SGD with ``nesterov=True``.

    ``u ← μu + ∇``, ``θ ← θ − η(∇ + μu)``.
    """

    name = "nesterov"
    laws = {"velocity": "vector"}
    defaults = {"lr": "0.01", "momentum": "0.9"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, mu = self.h(xp, "lr"), self.h(xp, "momentum")
        velocity = {n: mu * state["velocity"][n] + grads[n] for n in params}
        new = {n: v - lr * (grads[n] + mu * velocity[n]) for n, v in params.items()}
        return new, {"t": state["t"] + 1, "velocity": velocity}


class L2SGD(ExtOptimiser):
    """torch.optim.SGD with ``weight_decay``: an L2 term added to the gradient.

    ``θ ← θ − η(∇ + λθ)``; ½λ‖θ‖² is rotation invariant, so is the step.
    """

    name = "sgd-l2"
    defaults = {"lr": "0.01", "weight_decay": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, wd = self.h(xp, "lr"), self.h(xp, "weight_decay")
        new = {n: v - lr * (grads[n] + wd * v) for n, v in params.items()}
        return new, {**state, "t": state["t"] + 1}


class DecoupledDecaySGD(ExtOptimiser):
    """Decoupled weight decay (SGDW, Loshchilov and Hutter): ``θ ← (1 − ηλ)θ − η∇``."""

    name = "sgdw"
    defaults = {"lr": "0.01", "weight_decay": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, wd = self.h(xp, "lr"), self.h(xp, "weight_decay")
        keep = xp.number(1) - lr * wd
        new = {n: keep * v - lr * grads[n] for n, v in params.items()}
        return new, {**state, "t": state["t"] + 1}


class GlobalNormClipSGD(ExtOptimiser):
    """SGD after torch's ``clip_grad_norm_`` over all parameters together.

    ``g ← g·min(1, c/(‖g‖ + 1e-6))`` with ‖g‖ the Euclidean norm of every
    gradient entry. ‖Pg‖ = ‖g‖, so the rescaling is the same in both runs.
    """

    name = "clip-global-norm"
    defaults = {"lr": "0.01", "max_norm": "1"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr = self.h(xp, "lr")
        total = xp.number(0)
        for g in grads.values():
            total = total + (g * g).sum()
        # torch adds 1e-6 to the norm before dividing, then clamps the factor at 1.
        factor = self.h(xp, "max_norm") / (xp.sqrt(total) + xp.number("1e-6"))
        coef = minimum(factor, xp.number(1), xp)
        new = {n: v - lr * coef * grads[n] for n, v in params.items()}
        return new, {**state, "t": state["t"] + 1}


class ValueClipSGD(ExtOptimiser):
    """SGD after per-coordinate clipping (torch ``clip_grad_value_``, GloVe's clip).

    ``θ ← θ − η·clip(∇, c)`` entry by entry: the clamp sees the hidden basis.
    """

    name = "clip-value"
    defaults = {"lr": "0.01", "clip": "1"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr = self.h(xp, "lr")
        new = {
            n: v - lr * xp.clip(grads[n], self.hyper["clip"]) for n, v in params.items()
        }
        return new, {**state, "t": state["t"] + 1}


class LARS(ExtOptimiser):
    """LARS (You et al. 2017) with momentum, one trust ratio per parameter array.

    ``λ_l = η_trust‖w‖/(‖∇‖ + β‖w‖)``, ``v ← μv + γλ_l(∇ + βw)``, ``w ← w − v``.
    Each of A, B, b, c is one layer; its Frobenius norms are invariant.
    """

    name = "lars"
    laws = {"velocity": "vector"}
    defaults = {
        "lr": "0.1",
        "momentum": "0.9",
        "weight_decay": "0.0005",
        "trust_coefficient": "0.001",
    }

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, mu = self.h(xp, "lr"), self.h(xp, "momentum")
        wd, eta = self.h(xp, "weight_decay"), self.h(xp, "trust_coefficient")
        new, velocity = {}, {}
        for n, w in params.items():
            g = grads[n]
            w_norm = frobenius(xp, w)
            local = eta * w_norm / (frobenius(xp, g) + wd * w_norm)
            velocity[n] = mu * state["velocity"][n] + lr * local * (g + wd * w)
            new[n] = w - velocity[n]
        return new, {"t": state["t"] + 1, "velocity": velocity}


class Muon(ExtOptimiser):
    """Muon (Jordan et al. 2024) on the hidden matrices, momentum SGD on biases.

    Nesterov momentum ``u ← μu + ∇``, direction ``∇ + μu``; for A and B the
    direction is orthogonalised by five quintic Newton–Schulz steps after
    Frobenius normalisation and scaled by ``√max(1, k/m)``. Biases take the
    momentum direction itself (Muon leaves vectors to another optimiser).
    """

    name = "muon"
    laws = {"velocity": "vector"}
    defaults = {"lr": "0.02", "momentum": "0.95", "ns_steps": "5", "eps": "1e-7"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, mu = self.h(xp, "lr"), self.h(xp, "momentum")
        steps = int(self.hyper["ns_steps"])
        new, velocity = {}, {}
        for n, w in params.items():
            velocity[n] = mu * state["velocity"][n] + grads[n]
            direction = grads[n] + mu * velocity[n]
            if n in HIDDEN:
                rows, cols = w.shape
                direction = _orthogonalise(xp, direction, steps, self)
                if rows > cols:
                    direction = xp.sqrt(xp.number(rows) / xp.number(cols)) * direction
            new[n] = w - lr * direction
        return new, {"t": state["t"] + 1, "velocity": velocity}


def _orthogonalise(xp: Backend, g: Any, steps: int, opt: Muon) -> Any:
    """Newton–Schulz on the wide orientation (k ≤ m here); transpose a tall one."""
    rows, cols = g.shape
    if rows > cols:
        return newton_schulz(xp, g.T, steps, opt.hyper["eps"]).T
    return newton_schulz(xp, g, steps, opt.hyper["eps"])
