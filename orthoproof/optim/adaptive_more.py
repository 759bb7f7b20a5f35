"""RAdam and Adafactor: per-coordinate (or per-row) second moments, torch's forms.

Both divide by a root of squared gradient entries, so neither is equivariant
under a general rotation; both are under signed permutations, which permute
and flip the entries without changing their squares.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.backends import Backend
from orthoproof.models import HIDDEN
from orthoproof.optim.adam_family import ADAM_DEFAULTS, _moments
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.linalg import maximum, minimum

__all__ = ["Adafactor", "RAdam"]


class RAdam(ExtOptimiser):
    """torch.optim.RAdam (Liu et al. 2020), torch's defaults, no weight decay.

    With ``ρ_∞ = 2/(1 − β₂) − 1`` and ``ρ_t = ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)``: while
    ``ρ_t ≤ 5`` the step is momentum only, ``θ ← θ − η·m/c₁``; after that
    ``θ ← θ − η·(m/c₁)·r_t·√c₂/(√v + ε)`` with the rectification
    ``r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))``.
    ``ρ_t`` is computed in exact rationals, so the branch is decided exactly
    in every number system; ``r_t`` is the root of that scalar.
    """

    name = "radam"
    laws = {"m": "vector", "v": "square"}
    defaults = ADAM_DEFAULTS

    def rho(self, t: int) -> tuple[Fraction, Fraction]:
        """``(ρ_∞, ρ_t)`` as exact rationals of the decimal β₂."""
        b2 = Fraction(self.hyper["beta2"])
        rho_inf = 2 / (1 - b2) - 1
        return rho_inf, rho_inf - 2 * t * b2**t / (1 - b2**t)

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        one, t = xp.number(1), state["t"] + 1
        m, v = _moments(self, xp, params, grads, state)
        c1, c2 = one - self.h(xp, "beta1") ** t, one - self.h(xp, "beta2") ** t
        rho_inf, rho_t = self.rho(t)
        new = {}
        for n, w in params.items():
            if rho_t > 5:
                ratio = (rho_t - 4) * (rho_t - 2) * rho_inf
                ratio /= (rho_inf - 4) * (rho_inf - 2) * rho_t
                rect = xp.sqrt(xp.number(ratio))
                adaptive = xp.sqrt(c2) / (xp.sqrt(v[n]) + eps)
                new[n] = w - lr * (m[n] / c1) * rect * adaptive
            else:
                new[n] = w - lr * (m[n] / c1)
        return new, {"t": t, "m": m, "v": v}


class Adafactor(ExtOptimiser):
    """torch.optim.Adafactor (torch ≥ 2.5, Shazeer and Stern 2018), torch's defaults.

    For a k×m hidden matrix: ``β̂ = 1 − t^τ`` (τ = −0.8), row factor
    ``R ← β̂R + (1 − β̂)·mean_j G²`` (one entry per hidden coordinate), column
    factor ``C ← β̂C + (1 − β̂)·mean_i G²``, ``V = R Cᵀ / max(mean R, ε₁)``,
    ``U = G / max(√V, ε₁)``, ``Û = U / max(1, RMS(U)/d)`` and
    ``θ ← θ − max(ε₂, RMS(θ))·min(η, 1/√t)·Û`` after the decoupled decay
    ``θ ← θ − ηλθ``. Vectors keep an unfactored ``V``. torch averages where
    the paper sums; the ratio ``V`` is the same unless ε₁ binds. torch's
    ε₁ = None means the dtype's machine epsilon; the float64 value is
    recorded. R is per hidden coordinate (law ``square``); C holds squared
    column norms, which ``P`` does not change (law ``invariant``).
    """

    name = "adafactor"
    laws = {"row": "square"}
    ext_laws = {"col": "invariant"}
    defaults = {
        "lr": "0.01",
        "beta2_decay": "-0.8",
        "eps1": "2.220446049250313e-16",
        "eps2": "0.001",
        "d": "1",
        "weight_decay": "0",
    }

    def initial(self, xp, field, value):  # type: ignore[no-untyped-def]
        shape = np.shape(value)
        return xp.zeros(shape[:1])

    def initial_ext(self, xp, field, value):  # type: ignore[no-untyped-def]
        shape = np.shape(value)
        return xp.zeros(shape[1:] if len(shape) > 1 else (1,))

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        one, t = xp.number(1), state["t"] + 1
        lr, eps1, eps2 = self.h(xp, "lr"), self.h(xp, "eps1"), self.h(xp, "eps2")
        beta = one - xp.number(t) ** self.h(xp, "beta2_decay")
        rho = minimum(lr, one / xp.sqrt(xp.number(t)), xp)
        new, row, col = {}, {}, {}
        for n, w in params.items():
            g = grads[n]
            sq = g * g
            alpha = maximum(eps2, _rms(xp, w), xp) * rho
            w = w - lr * self.h(xp, "weight_decay") * w
            if n in HIDDEN:
                row[n] = beta * state["row"][n] + (one - beta) * _mean(xp, sq, 1)
                held = self.field(xp, state, "col", n, w)
                col[n] = beta * held + (one - beta) * _mean(xp, sq, 0)
                scale = maximum(_mean(xp, row[n], 0), eps1, xp)
                var = row[n][:, None] * col[n][None, :] / scale
            else:
                row[n] = beta * state["row"][n] + (one - beta) * sq
                col[n] = self.field(xp, state, "col", n, w)
                var = row[n]
            u = g / maximum(xp.sqrt(var), eps1, xp)
            u = u / maximum(one, _rms(xp, u) / self.h(xp, "d"), xp)
            new[n] = w - alpha * u
        return new, {"t": t, "row": row, "col": col}


def _mean(xp: Backend, x: Any, axis: int) -> Any:
    return x.sum(axis=axis) / xp.number(np.shape(x)[axis])


def _rms(xp: Backend, x: Any) -> Any:
    return xp.sqrt((x * x).sum() / xp.number(np.size(x)))
