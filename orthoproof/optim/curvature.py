"""Curvature-preconditioned methods on the hidden side: damped Gauss–Newton, SOAP.

Both precondition a hidden gradient on the left by a k×k matrix built from
the parameters or past gradients. Such a matrix conjugates with ``P``
(``M → PMPᵀ``), so ``M⁻¹G`` or an eigenbasis of ``M`` turns with ``P``.
"""

from __future__ import annotations

import numpy as np

from orthoproof.models import HIDDEN
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.linalg import eye, jacobi_eigh, spd_inverse

__all__ = ["SOAP", "DampedGaussNewton"]

#: Each factor's Gauss–Newton block comes from the other factor.
PARTNER = {"A": "B", "B": "A"}


class DampedGaussNewton(ExtOptimiser):
    """K-FAC-style damped Gauss–Newton for ``ℓ(AᵀB)``, fixed step.

    ``A ← A − η(BBᵀ + λI)⁻¹∇_A`` and ``B ← B − η(AAᵀ + λI)⁻¹∇_B``, both from
    the parameters before the step; biases take a plain gradient step.

    The simplification: for the unweighted loss ½‖AᵀB − X‖² the Gauss–Newton
    block of ``A`` is exactly ``BBᵀ ⊗ I``. GloVe's weights ``f(Xᵢⱼ)`` make the
    true block of column ``aᵢ`` equal ``Σⱼ fᵢⱼ bⱼbⱼᵀ``, which the optimiser
    cannot see (it receives gradients only), so the unweighted Kronecker
    factor stands in for it, as K-FAC's factors stand in for the Fisher.
    ``(PBBᵀPᵀ + λI)⁻¹P = P(BBᵀ + λI)⁻¹``: equivariant under O(k). No state.
    """

    name = "kfac"
    defaults = {"lr": "0.1", "damping": "0.1"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        lr, damping = self.h(xp, "lr"), self.h(xp, "damping")
        new = {}
        for n, w in params.items():
            g = grads[n]
            if n in HIDDEN:
                other = params[PARTNER.get(n, n)]
                gram = other @ other.T + damping * eye(xp, int(np.shape(w)[0]))
                g = spd_inverse(xp, gram) @ g
            new[n] = w - lr * g
        return new, {"t": state["t"] + 1}


class SOAP(ExtOptimiser):
    """SOAP (Vyas et al. 2024), one-sided: Adam in the eigenbasis of ``L``.

    For a hidden matrix: ``L ← β_sL + (1 − β_s)GGᵀ`` (k×k), ``Q`` its
    eigenvectors (largest eigenvalue first), ``m ← β₁m + (1 − β₁)G`` in the
    original basis, ``v ← β₂v + (1 − β₂)(QᵀG)²`` in the eigenbasis, and
    ``θ ← θ − η(√c₂/c₁)·Q(Qᵀm / (√v + ε)) − ηλθ``. Biases: the same Adam
    without a basis. Defaults follow the paper's code (η = 3e-3,
    β₁ = β₂ = β_s = 0.95, ε = 1e-8, λ = 0.01).

    Simplifications, each recorded: only the left (hidden) factor ``L`` is
    used, because ``R = Σ GᵀG`` is unchanged by ``P`` and so cannot affect
    equivariance, while its m×m eigenproblem dominates the cost; the basis is
    recomputed on every step from the updated ``L`` (the paper's code: every
    10 steps, from the previous ``L``, skipping the first update); the
    eigenvectors come from a fixed number of Jacobi sweeps
    (:func:`~orthoproof.optim.linalg.jacobi_eigh`), not power iteration + QR.

    Why ✓ only with distinct eigenvalues: with ``L → PLPᵀ`` the eigenbasis
    becomes ``PQD`` for a sign matrix ``D``, which ``v`` (squares) and
    ``Q(Qᵀm/·)`` cannot see; a repeated eigenvalue leaves the basis free
    within its eigenspace, and the per-coordinate ``v`` then breaks O(k).
    State laws: ``m`` vector, ``L`` conjugate, ``v`` invariant (it lives in
    the eigenbasis, whose coordinates ``P`` does not change).
    """

    name = "soap"
    laws = {"m": "vector"}
    ext_laws = {"left": "conjugate", "v": "invariant"}
    defaults = {
        "lr": "0.003",
        "beta1": "0.95",
        "beta2": "0.95",
        "shampoo_beta": "0.95",
        "eps": "1e-8",
        "weight_decay": "0.01",
        "sweeps": "10",
    }

    def initial_ext(self, xp, field, value):  # type: ignore[no-untyped-def]
        shape = np.shape(value)
        if field == "left" and len(shape) > 1:
            return xp.zeros((shape[0], shape[0]))
        return xp.zeros(shape)

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        one, t = xp.number(1), state["t"] + 1
        lr, eps = self.h(xp, "lr"), self.h(xp, "eps")
        b2, bs = self.h(xp, "beta2"), self.h(xp, "shampoo_beta")
        b1 = self.h(xp, "beta1")
        m = {n: b1 * state["m"][n] + (one - b1) * grads[n] for n in params}
        c1, c2 = one - b1**t, one - b2**t
        size = lr * xp.sqrt(c2) / c1
        decay = lr * self.h(xp, "weight_decay")
        new, left, v = {}, {}, {}
        for n, w in params.items():
            g = grads[n]
            if n not in HIDDEN:
                held = self.field(xp, state, "v", n, w)
                v[n] = b2 * held + (one - b2) * g * g
                new[n] = w - size * m[n] / (xp.sqrt(v[n]) + eps) - decay * w
                continue
            left[n] = bs * self.field(xp, state, "left", n, w) + (one - bs) * (g @ g.T)
            _, q = jacobi_eigh(xp, left[n], int(self.hyper["sweeps"]))
            rotated = q.T @ g
            held = self.field(xp, state, "v", n, w)
            v[n] = b2 * held + (one - b2) * rotated * rotated
            direction = q @ ((q.T @ m[n]) / (xp.sqrt(v[n]) + eps))
            new[n] = w - size * direction - decay * w
        return new, {"t": t, "m": m, "left": left, "v": v}
