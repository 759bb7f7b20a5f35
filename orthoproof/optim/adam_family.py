"""Adam and its relatives, in the framework variants that change results.

All of them divide a first moment by the root of a per-coordinate second
moment (or a per-coordinate maximum), so none is equivariant under a general
rotation; all are under signed permutations. Where frameworks differ in where
ε sits or how the bias correction is applied, each variant follows its source.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from orthoproof.backends import Backend
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.linalg import frobenius, maximum

__all__ = ["LAMB", "AMSGrad", "AdamW", "Adamax", "KerasAdam", "NAdam", "OptaxAdam"]


def _moments(
    opt: ExtOptimiser, xp: Backend, params: Any, grads: Any, state: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Adam's moments ``m ← β₁m + (1 − β₁)∇``, ``v ← β₂v + (1 − β₂)∇²``."""
    b1, b2 = opt.h(xp, "beta1"), opt.h(xp, "beta2")
    one = xp.number(1)
    m = {n: b1 * state["m"][n] + (one - b1) * grads[n] for n in params}
    v = {n: b2 * state["v"][n] + (one - b2) * grads[n] * grads[n] for n in params}
    return m, v


ADAM_DEFAULTS = {"lr": "0.001", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8"}


class AMSGrad(ExtOptimiser):
    """torch.optim.Adam with ``amsgrad=True``.

    ``v̂ ← max(v̂, v)``; ``θ ← θ − (η/c₁)·m/(√v̂/√c₂ + ε)``.
    """

    name = "amsgrad"
    laws = {"m": "vector", "v": "square", "v_max": "square"}
    defaults = ADAM_DEFAULTS

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        t = state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        v_max = {n: maximum(state["v_max"][n], v[n], xp) for n in params}
        one = xp.number(1)
        c1, c2 = one - self.h(xp, "beta1") ** t, one - self.h(xp, "beta2") ** t
        new = {
            n: w - (lr / c1) * m[n] / (xp.sqrt(v_max[n]) / xp.sqrt(c2) + eps)
            for n, w in params.items()
        }
        return new, {"t": t, "m": m, "v": v, "v_max": v_max}


class Adamax(ExtOptimiser):
    """torch.optim.Adamax: η = 2e-3, ε = 1e-8 added to |∇| inside the maximum.

    ``u ← max(β₂u, |∇| + ε)``, ``θ ← θ − η/(1 − β₁ᵗ)·m/u``. ``u`` is a
    per-coordinate magnitude; it moves like a second moment (``P∘P``), which
    is exact for signed permutations.
    """

    name = "adamax"
    laws = {"m": "vector", "u": "square"}
    defaults = {**ADAM_DEFAULTS, "lr": "0.002"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, b1, b2, eps = (self.h(xp, k) for k in ("lr", "beta1", "beta2", "eps"))
        one, t = xp.number(1), state["t"] + 1
        m = {n: b1 * state["m"][n] + (one - b1) * grads[n] for n in params}
        u = {n: maximum(b2 * state["u"][n], xp.abs(grads[n]) + eps, xp) for n in params}
        clr = lr / (one - b1**t)
        new = {n: w - clr * m[n] / u[n] for n, w in params.items()}
        return new, {"t": t, "m": m, "u": u}


class NAdam(ExtOptimiser):
    """torch.optim.NAdam: η = 2e-3, momentum decay ψ = 4e-3.

    ``μ_t = β₁(1 − ½·0.96^(tψ))``; with ``Π_t = μ₁⋯μ_t`` and
    ``d = √(v/c₂) + ε``: ``θ ← θ − η(1 − μ_t)/(1 − Π_t)·∇/d
    − ημ_{t+1}/(1 − Π_tμ_{t+1})·m/d``. ``Π_t`` is recomputed from ``t`` so
    that the state carries only per-coordinate fields.
    """

    name = "nadam"
    laws = {"m": "vector", "v": "square"}
    defaults = {**ADAM_DEFAULTS, "lr": "0.002", "momentum_decay": "0.004"}

    def _mu(self, xp: Backend, i: int) -> Any:
        power = xp.number(Fraction(self.hyper["momentum_decay"]) * i)
        half = xp.number("0.5")
        return self.h(xp, "beta1") * (xp.number(1) - half * xp.number("0.96") ** power)

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        one, t = xp.number(1), state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        product = one
        for i in range(1, t + 1):
            product = product * self._mu(xp, i)
        mu, mu_next = self._mu(xp, t), self._mu(xp, t + 1)
        c2 = one - self.h(xp, "beta2") ** t
        new = {}
        for n, w in params.items():
            denom = xp.sqrt(v[n] / c2) + eps
            new[n] = (
                w
                - lr * (one - mu) / (one - product) * grads[n] / denom
                - lr * mu_next / (one - product * mu_next) * m[n] / denom
            )
        return new, {"t": t, "m": m, "v": v}


class AdamW(ExtOptimiser):
    """torch.optim.AdamW: ``θ ← θ(1 − ηλ)`` first, then torch's Adam step; λ = 1e-2."""

    name = "adamw"
    laws = {"m": "vector", "v": "square"}
    defaults = {**ADAM_DEFAULTS, "weight_decay": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps, wd = self.h(xp, "lr"), self.h(xp, "eps"), self.h(xp, "weight_decay")
        one, t = xp.number(1), state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        c1, c2 = one - self.h(xp, "beta1") ** t, one - self.h(xp, "beta2") ** t
        new = {
            n: w * (one - lr * wd)
            - (lr / c1) * m[n] / (xp.sqrt(v[n]) / xp.sqrt(c2) + eps)
            for n, w in params.items()
        }
        return new, {"t": t, "m": m, "v": v}


class OptaxAdam(ExtOptimiser):
    """optax.adam: ε = 1e-8 outside the root, ``eps_root`` = 0 inside.

    ``θ ← θ − η·m̂/(√(v̂ + ε_root) + ε)`` with ``m̂ = m/c₁``, ``v̂ = v/c₂``.
    """

    name = "adam-optax"
    laws = {"m": "vector", "v": "square"}
    defaults = {**ADAM_DEFAULTS, "eps_root": "0"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps, eps_root = (self.h(xp, k) for k in ("lr", "eps", "eps_root"))
        one, t = xp.number(1), state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        c1, c2 = one - self.h(xp, "beta1") ** t, one - self.h(xp, "beta2") ** t
        new = {
            n: w - lr * (m[n] / c1) / (xp.sqrt(v[n] / c2 + eps_root) + eps)
            for n, w in params.items()
        }
        return new, {"t": t, "m": m, "v": v}


class KerasAdam(ExtOptimiser):
    """keras.optimizers.Adam: ε̂ = 1e-7 added to the uncorrected root.

    ``α_t = η√c₂/c₁``, ``θ ← θ − α_t·m/(√v + ε̂)`` (Kingma and Ba's "epsilon
    hat" form, which is not torch's: ε̂ is not rescaled by the correction).
    """

    name = "adam-keras"
    laws = {"m": "vector", "v": "square"}
    defaults = {**ADAM_DEFAULTS, "eps": "1e-7"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        one, t = xp.number(1), state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        c1, c2 = one - self.h(xp, "beta1") ** t, one - self.h(xp, "beta2") ** t
        alpha = lr * xp.sqrt(c2) / c1
        new = {n: w - alpha * m[n] / (xp.sqrt(v[n]) + eps) for n, w in params.items()}
        return new, {"t": t, "m": m, "v": v}


class LAMB(ExtOptimiser):
    """LAMB (You et al. 2019): Adam's direction, rescaled per layer.

    ``r = m̂/(√v̂ + ε) + λθ``, ``θ ← θ − η·(‖θ‖/‖r‖)·r`` for each parameter
    array; the trust ratio is invariant but ``r`` is per-coordinate. ε = 1e-6,
    λ = 0.01. A zero norm uses ratio 1, as the reference implementation does.
    """

    name = "lamb"
    laws = {"m": "vector", "v": "square"}
    defaults = {**ADAM_DEFAULTS, "eps": "1e-6", "weight_decay": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps, wd = self.h(xp, "lr"), self.h(xp, "eps"), self.h(xp, "weight_decay")
        one, t = xp.number(1), state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        c1, c2 = one - self.h(xp, "beta1") ** t, one - self.h(xp, "beta2") ** t
        new = {}
        for n, w in params.items():
            r = (m[n] / c1) / (xp.sqrt(v[n] / c2) + eps) + wd * w
            w_norm, r_norm = frobenius(xp, w), frobenius(xp, r)
            # The zero test reads an exact zero only (a ball {0}, a float 0.0).
            degenerate = xp.to_float(w_norm) == 0 or xp.to_float(r_norm) == 0
            ratio = one if degenerate else w_norm / r_norm
            new[n] = w - lr * ratio * r
        return new, {"t": t, "m": m, "v": v}
