"""Sign-based methods: the elementwise sign fixes the hidden basis.

``sign(P∇) ≠ P·sign(∇)`` for a general rotation; for a signed permutation the
two agree, so these are equivariant under signed permutations only.
"""

from __future__ import annotations

from orthoproof.optim.laws import ExtOptimiser

__all__ = ["Lion", "SignSGD"]


class SignSGD(ExtOptimiser):
    """signSGD (Bernstein et al. 2018): ``θ ← θ − η·sign(∇)``."""

    name = "signsgd"
    defaults = {"lr": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr = self.h(xp, "lr")
        new = {n: w - lr * xp.sign(grads[n]) for n, w in params.items()}
        return new, {**state, "t": state["t"] + 1}


class Lion(ExtOptimiser):
    """Lion (Chen et al. 2023): η = 1e-4, β₁ = 0.9, β₂ = 0.99, λ = 0.

    ``c = β₁m + (1 − β₁)∇``, ``θ ← θ − η(sign(c) + λθ)``,
    ``m ← β₂m + (1 − β₂)∇``.
    """

    name = "lion"
    laws = {"m": "vector"}
    defaults = {"lr": "0.0001", "beta1": "0.9", "beta2": "0.99", "weight_decay": "0"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, b1, b2, wd = (
            self.h(xp, k) for k in ("lr", "beta1", "beta2", "weight_decay")
        )
        one = xp.number(1)
        new, m = {}, {}
        for n, w in params.items():
            c = b1 * state["m"][n] + (one - b1) * grads[n]
            new[n] = w - lr * (xp.sign(c) + wd * w)
            m[n] = b2 * state["m"][n] + (one - b2) * grads[n]
        return new, {"t": state["t"] + 1, "m": m}
