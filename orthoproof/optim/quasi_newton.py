"""L-BFGS and nonlinear conjugate gradients with a fixed step.

Both build their direction from inner products over the whole parameter
vector (biases included) and linear combinations of stored gradients and
steps. ``P`` preserves every such inner product, so both are equivariant
under O(k), provided every scalar they use is an inner product. torch's
L-BFGS is not: its first step is scaled by 1/‖g‖₁, and ‖Pg‖₁ ≠ ‖g‖₁.

No line search: scipy's methods search along the direction (a data-dependent
number of loss evaluations that the one-gradient-per-step interface cannot
express), torch's default (``line_search_fn=None``) takes the fixed step
``lr``, which is what is reproduced here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orthoproof.backends import Backend
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.linalg import maximum, minimum

__all__ = ["LBFGS", "NonlinearCG", "TorchLBFGS"]

Arrays = Mapping[str, Any]


def dot(xp: Backend, x: Arrays, y: Arrays) -> Any:
    """Σ x·y over every entry of every parameter: the flat inner product."""
    total = xp.number(0)
    for n in x:
        total = total + (x[n] * y[n]).sum()
    return total


def _axpy(a: Any, x: Arrays, y: Arrays) -> dict[str, Any]:
    return {n: a * x[n] + y[n] for n in y}


class LBFGS(ExtOptimiser):
    """L-BFGS with the two-loop recursion, fixed memory and fixed step.

    ``d = −H∇`` with ``H₀ = (sᵀy / yᵀy)·I`` from the newest pair (``I`` before
    the first) and the last ``history_size`` pairs ``s = θ_t − θ_{t−1}``,
    ``y = ∇_t − ∇_{t−1}``, newest first; ``θ ← θ + η·d``. A pair with
    ``yᵀs ≤ 1e-10`` is not stored (torch's test; scipy's is relative). The
    test compares an invariant scalar, so both runs of a trajectory pair
    decide it alike unless it falls within rounding of the threshold.
    ``history_size`` = 10 is scipy's ``maxcor`` default.

    State: the previous gradient and step, and the pairs ``s0, y0, s1, …``
    (newest first), all law ``vector``, created when first needed.
    """

    name = "lbfgs"
    defaults = {"lr": "1", "history_size": "10", "curvature_tol": "1e-10"}

    def __init__(self, **hyper: Any) -> None:
        super().__init__(**hyper)
        size = int(self.hyper["history_size"])
        fields = ["prev_grad", "prev_step"]
        fields += [f"{kind}{i}" for i in range(size) for kind in "sy"]
        # Per instance: the number of pair fields depends on history_size.
        self.ext_laws = dict.fromkeys(fields, "vector")

    def first_scale(self, xp: Backend, grads: Arrays) -> Any:
        """Factor of η on the first step (1 here; torch's differs)."""
        return xp.number(1)

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        t = state["t"] + 1
        size = int(self.hyper["history_size"])
        pairs = [
            (state[f"s{i}"], state[f"y{i}"]) for i in range(size) if f"s{i}" in state
        ]
        if t > 1:
            s = state["prev_step"]
            y = {n: grads[n] - state["prev_grad"][n] for n in grads}
            curvature = xp.to_float(dot(xp, y, s))
            if curvature > float(self.hyper["curvature_tol"]):
                pairs = [(s, y), *pairs][:size]
        direction = self.two_loop(xp, grads, pairs)
        scale = self.first_scale(xp, grads) if t == 1 else xp.number(1)
        step = {n: self.h(xp, "lr") * scale * d for n, d in direction.items()}
        new = {n: w + step[n] for n, w in params.items()}
        out = {"t": t, "prev_grad": dict(grads), "prev_step": step}
        for i, (s_i, y_i) in enumerate(pairs):
            out[f"s{i}"], out[f"y{i}"] = s_i, y_i
        return new, out

    def two_loop(
        self, xp: Backend, grads: Arrays, pairs: list[tuple[Arrays, Arrays]]
    ) -> dict[str, Any]:
        """``−H∇`` by the two-loop recursion over ``pairs`` (newest first)."""
        q = {n: -g for n, g in grads.items()}
        rhos = [xp.number(1) / dot(xp, y, s) for s, y in pairs]
        alphas = []
        for (s, y), rho in zip(pairs, rhos, strict=True):
            alpha = rho * dot(xp, s, q)
            alphas.append(alpha)
            q = _axpy(-alpha, y, q)
        if pairs:
            s, y = pairs[0]
            q = {n: (dot(xp, s, y) / dot(xp, y, y)) * v for n, v in q.items()}
        for (s, y), rho, alpha in reversed(list(zip(pairs, rhos, alphas, strict=True))):
            beta = rho * dot(xp, y, q)
            q = _axpy(alpha - beta, s, q)
        return q


class TorchLBFGS(LBFGS):
    """torch.optim.LBFGS as one inner iteration per step, torch's defaults.

    ``lr`` = 1, ``history_size`` = 100, no line search; one step here is one
    iteration of a single ``.step(closure)`` call with ``max_iter`` at least
    the run length. The first iteration's step is ``min(1, 1/‖∇‖₁)·η``, which
    depends on the coordinates. torch also stops when ‖∇‖∞ ≤ 1e-7 or the
    change falls below 1e-9; neither happens in the table's runs, and neither
    is reproduced.
    """

    name = "lbfgs-torch"
    defaults = {"lr": "1", "history_size": "100", "curvature_tol": "1e-10"}

    def first_scale(self, xp: Backend, grads: Arrays) -> Any:
        l1 = xp.number(0)
        for g in grads.values():
            l1 = l1 + xp.abs(g).sum()
        one = xp.number(1)
        return minimum(one, one / l1, xp)


class NonlinearCG(ExtOptimiser):
    """Polak–Ribière nonlinear conjugate gradients (PR+), fixed step.

    ``β = max(0, ∇ᵀ(∇ − ∇_prev) / ∇_prevᵀ∇_prev)`` (0 on the first step),
    ``d ← −∇ + βd``, ``θ ← θ + ηd``. The restart at β < 0 is the one scipy's
    ``fmin_cg`` applies; it compares an invariant scalar with 0 through the
    comparison-free :func:`~orthoproof.optim.linalg.maximum`.
    """

    name = "cg"
    laws = {"prev_grad": "vector", "direction": "vector"}
    defaults = {"lr": "0.01"}

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        t = state["t"] + 1
        prev = state["prev_grad"]
        if t == 1:
            beta = xp.number(0)
        else:
            change = {n: grads[n] - prev[n] for n in grads}
            ratio = dot(xp, grads, change) / dot(xp, prev, prev)
            beta = maximum(ratio, xp.number(0), xp)
        direction = {n: beta * state["direction"][n] - g for n, g in grads.items()}
        lr = self.h(xp, "lr")
        new = {n: w + lr * direction[n] for n, w in params.items()}
        return new, {"t": t, "prev_grad": dict(grads), "direction": direction}
