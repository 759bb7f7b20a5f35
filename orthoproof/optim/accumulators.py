"""Second-moment methods: per-coordinate, per-vector and matrix accumulators.

Per-coordinate accumulators (RMSprop, Adadelta, optax's Adagrad) see the
hidden basis. One accumulator per embedding vector (row-wise Adagrad), or a
k×k matrix ``Σ GGᵀ`` that turns with ``P`` (full-matrix Adagrad on the hidden
block, Shampoo), do not. Biases are not moved by ``P``; they get a diagonal
accumulator, which cannot affect equivariance.
"""

from __future__ import annotations

import numpy as np

from orthoproof.models import HIDDEN
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.linalg import eye, inverse_root

__all__ = [
    "Adadelta",
    "FullMatrixAdagrad",
    "OptaxAdagrad",
    "RMSprop",
    "RowwiseAdagrad",
    "Shampoo",
]


class RMSprop(ExtOptimiser):
    """torch.optim.RMSprop defaults: η = 1e-2, α = 0.99, ε = 1e-8 outside the root.

    ``v ← αv + (1 − α)∇²``, ``θ ← θ − η∇/(√v + ε)`` (not centred, no momentum).
    """

    name = "rmsprop"
    laws = {"square_avg": "square"}
    defaults = {"lr": "0.01", "alpha": "0.99", "eps": "1e-8"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, alpha, eps = (self.h(xp, k) for k in ("lr", "alpha", "eps"))
        one = xp.number(1)
        v = {
            n: alpha * state["square_avg"][n] + (one - alpha) * grads[n] * grads[n]
            for n in params
        }
        new = {n: w - lr * grads[n] / (xp.sqrt(v[n]) + eps) for n, w in params.items()}
        return new, {"t": state["t"] + 1, "square_avg": v}


class Adadelta(ExtOptimiser):
    """torch.optim.Adadelta defaults: η = 1, ρ = 0.9, ε = 1e-6 inside both roots.

    ``v ← ρv + (1 − ρ)∇²``, ``Δ = √(u + ε)/√(v + ε)·∇``,
    ``u ← ρu + (1 − ρ)Δ²``, ``θ ← θ − ηΔ``.
    """

    name = "adadelta"
    laws = {"square_avg": "square", "acc_delta": "square"}
    defaults = {"lr": "1.0", "rho": "0.9", "eps": "1e-6"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, rho, eps = (self.h(xp, k) for k in ("lr", "rho", "eps"))
        one = xp.number(1)
        new, v, u = {}, {}, {}
        for n, w in params.items():
            g = grads[n]
            v[n] = rho * state["square_avg"][n] + (one - rho) * g * g
            delta = xp.sqrt(state["acc_delta"][n] + eps) / xp.sqrt(v[n] + eps) * g
            u[n] = rho * state["acc_delta"][n] + (one - rho) * delta * delta
            new[n] = w - lr * delta
        return new, {"t": state["t"] + 1, "square_avg": v, "acc_delta": u}


class OptaxAdagrad(ExtOptimiser):
    """optax.adagrad: initial accumulator 0.1, ε = 1e-7 inside the root.

    ``s ← s + ∇²``, ``θ ← θ − η∇/√(s + ε)``. optax has no default rate; 1e-2
    (torch's) is used.
    """

    name = "adagrad-optax"
    laws = {"sum": "square"}
    defaults = {"lr": "0.01", "initial_accumulator_value": "0.1", "eps": "1e-7"}

    def initial(self, xp, field, value):  # type: ignore[no-untyped-def]
        return xp.full(np.shape(value), self.hyper["initial_accumulator_value"])

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        acc = {n: state["sum"][n] + grads[n] * grads[n] for n in params}
        new = {n: w - lr * grads[n] / xp.sqrt(acc[n] + eps) for n, w in params.items()}
        return new, {"t": state["t"] + 1, "sum": acc}


class RowwiseAdagrad(ExtOptimiser):
    """Row-wise Adagrad: one accumulator per embedding vector (dlrm, fbgemm).

    For the hidden arrays each column (one word's vector) keeps
    ``s_j ← s_j + ‖g_j‖²/k`` (the mean square of its entries) and steps by
    ``−η g_j/(√s_j + ε)``. ‖Pg_j‖ = ‖g_j‖, so the accumulator is invariant and
    the step turns with ``P``. Biases are one-entry rows: plain Adagrad. torch
    Adagrad's defaults otherwise: η = 1e-2, initial 0, ε = 1e-10 outside.
    """

    name = "adagrad-rowwise"
    ext_laws = {"row_sum": "invariant"}
    defaults = {"lr": "0.01", "eps": "1e-10", "initial_accumulator_value": "0"}

    def initial_ext(self, xp, field, value):  # type: ignore[no-untyped-def]
        shape = np.shape(value)[-1:]
        return xp.full(shape, self.hyper["initial_accumulator_value"])

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        new, acc = {}, {}
        for n, w in params.items():
            g = grads[n]
            if n in HIDDEN:
                mean_square = (g * g).sum(axis=0) / xp.number(g.shape[0])
            else:
                mean_square = g * g
            acc[n] = self.field(xp, state, "row_sum", n, w) + mean_square
            new[n] = w - lr * g / (xp.sqrt(acc[n]) + eps)
        return new, {"t": state["t"] + 1, "row_sum": acc}


class FullMatrixAdagrad(ExtOptimiser):
    """Full-matrix Adagrad on the hidden block (Duchi et al. 2011).

    ``H ← H + GGᵀ`` (k×k, the hidden-side factor of ``Σ vec(G)vec(G)ᵀ``),
    ``θ ← θ − η(H + δI)^(−1/2) G``. ``H → PHPᵀ`` and the inverse root
    conjugates with ``P``, so the step turns with ``P``. The k×k root is a
    fixed-count coupled Newton iteration (see :mod:`orthoproof.optim.linalg`).
    Biases: diagonal Adagrad.
    """

    name = "adagrad-full"
    ext_laws = {"gram": "conjugate"}
    defaults = {"lr": "0.01", "delta": "1e-6", "iterations": "30"}

    def initial_ext(self, xp, field, value):  # type: ignore[no-untyped-def]
        if len(np.shape(value)) == 2:
            return xp.zeros((np.shape(value)[0],) * 2)
        return xp.zeros(np.shape(value))

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, delta = self.h(xp, "lr"), self.h(xp, "delta")
        new, gram = {}, {}
        for n, w in params.items():
            g, held = grads[n], self.field(xp, state, "gram", n, w)
            if n in HIDDEN:
                gram[n] = held + g @ g.T
                k = g.shape[0]
                root = inverse_root(
                    xp, gram[n] + delta * eye(xp, k), 2, int(self.hyper["iterations"])
                )
                new[n] = w - lr * (root @ g)
            else:
                gram[n] = held + g * g
                new[n] = w - lr * g / xp.sqrt(gram[n] + delta)
        return new, {"t": state["t"] + 1, "gram": gram}


class Shampoo(ExtOptimiser):
    """Shampoo (Gupta et al. 2018) for the k×m hidden matrices.

    ``L ← L + GGᵀ`` (k×k), ``R ← R + GᵀG`` (m×m), both from ``εI``; the step is
    ``−η L^(−1/4) G R^(−1/4)``. ``L → PLPᵀ`` (law ``conjugate``) while ``R`` is
    unchanged (``GᵀPᵀPG = GᵀG``, law ``invariant``). With ``right = 0`` the
    right factor is dropped (one-sided Shampoo, ``L^(−1/2) G``): R cannot
    affect equivariance, and its m×m root dominates the cost in object arrays.
    No grafting: grafting onto Adagrad's per-coordinate norms would break the
    symmetry. Biases: diagonal Adagrad.
    """

    name = "shampoo"
    ext_laws = {"left": "conjugate", "right": "invariant"}
    defaults = {"lr": "0.01", "eps": "1e-4", "right": "1", "iterations": "30"}

    def initial_ext(self, xp, field, value):  # type: ignore[no-untyped-def]
        shape = np.shape(value)
        if len(shape) == 1:
            return xp.full(shape, self.hyper["eps"])
        side = shape[0] if field == "left" else shape[1]
        return self.h(xp, "eps") * eye(xp, side)

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr = self.h(xp, "lr")
        iterations = int(self.hyper["iterations"])
        two_sided = self.hyper["right"] not in ("0", "False", "false")
        new, left, right = {}, {}, {}
        for n, w in params.items():
            g = grads[n]
            held_left = self.field(xp, state, "left", n, w)
            if n not in HIDDEN:
                left[n] = held_left + g * g
                new[n] = w - lr * g / xp.sqrt(left[n])
                continue
            left[n] = held_left + g @ g.T
            if two_sided:
                right[n] = self.field(xp, state, "right", n, w) + g.T @ g
                pre_l = inverse_root(xp, left[n], 4, iterations)
                pre_r = inverse_root(xp, right[n], 4, iterations)
                new[n] = w - lr * (pre_l @ g @ pre_r)
            else:
                new[n] = w - lr * (inverse_root(xp, left[n], 2, iterations) @ g)
        out = {"t": state["t"] + 1, "left": left}
        if right:
            out["right"] = right
        return new, out
