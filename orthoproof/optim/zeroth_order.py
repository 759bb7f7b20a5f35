"""Zeroth-order optimisers: Nelder–Mead here, Powell in :mod:`~orthoproof.optim.powell`.

Both work on the flattened vector of every parameter (the hidden arrays ``A``,
``B``, then the other parameters in name order) and need loss values rather
than gradients: they declare ``needs_loss = True``, and
:func:`~orthoproof.trajectory.run.run_pair` passes ``loss=`` to their step.
One call of :meth:`step` is one iteration of Nelder–Mead, or one line
minimisation of Powell, so both runs of a trajectory pair do the same amount
of work whatever their numbers are; there is no tolerance-based stopping.

Their search geometry is set in the coordinates of the start: Nelder–Mead's
initial simplex is axis-aligned, Powell's direction set is the identity. The
simplex and the direction set are state, declared with law ``vector`` (each
vertex or direction moves with ``P``), but they are created on the first step
from the parameters that step receives, not by :meth:`init`. So a run started
from ``P·θ₀`` builds its own axis-aligned simplex or coordinate directions
instead of the image of the first run's; that, and not the iteration itself,
is what breaks O(k) equivariance. Moving a built simplex or direction set with
:func:`~orthoproof.optim.laws.act_state_ext` restores it.

Powell keeps less of the symmetry than Nelder–Mead, which keeps signed
permutations: a sign flip of a hidden axis turns a coordinate direction ``eᵢ``
into ``−eᵢ``, and a mirror-symmetric line search along ``−eᵢ`` reaches the same
point, but a permutation changes which hidden axis each step of the sweep
searches.

Every comparison goes through :func:`compare`, which refuses to guess with
balls: an undecided comparison raises :class:`~orthoproof.errors.Uncertain`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument, Uncertain
from orthoproof.models import HIDDEN
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optimisers import State

__all__ = ["Loss", "NelderMead", "compare", "flat_names"]

Loss = Callable[[Mapping[str, Any]], Any]


def compare(a: Any, b: Any) -> int:
    """−1, 0 or 1 as ``a`` is below, equal to or above ``b``, decided or not at all.

    ``arb`` answers ``<`` with False both when it is false and when the balls
    overlap, so the three outcomes are asked separately and an overlap that is
    not an exact equality raises :class:`~orthoproof.errors.Uncertain`.
    """
    if a < b:
        return -1
    if b < a:
        return 1
    if a == b:
        return 0
    raise Uncertain(f"cannot order {a} and {b}")


def flat_names(params: Mapping[str, Any]) -> list[str]:
    """The fixed order of the flattened vector: hidden arrays, then the rest."""
    hidden = [n for n in HIDDEN if n in params]
    return [*hidden, *sorted(n for n in params if n not in HIDDEN)]


class _Flat:
    """Flattening of a parameter dictionary and its inverse, for one layout."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.names = flat_names(params)
        self.shapes = {n: np.shape(params[n]) for n in self.names}
        self.sizes = {n: int(np.prod(self.shapes[n], dtype=int)) for n in self.names}
        self.size = sum(self.sizes.values())

    def flatten(self, params: Mapping[str, Any]) -> Any:
        return np.concatenate([np.reshape(params[n], -1) for n in self.names])

    def unflatten(self, vector: Any) -> dict[str, Any]:
        out, offset = {}, 0
        for n in self.names:
            out[n] = np.reshape(vector[offset : offset + self.sizes[n]], self.shapes[n])
            offset += self.sizes[n]
        return out

    def stack(self, rows: Any) -> dict[str, Any]:
        """Rows of flat vectors as one stacked array per parameter.

        The stacked array of a hidden parameter has shape ``(rows, k, …)``, so
        the ``vector`` law's ``P @ value`` moves every row at once.
        """
        out, offset = {}, 0
        count = len(rows)
        for n in self.names:
            block = rows[:, offset : offset + self.sizes[n]]
            out[n] = np.reshape(block, (count, *self.shapes[n]))
            offset += self.sizes[n]
        return out

    def unstack(self, stacked: Mapping[str, Any]) -> Any:
        count = len(stacked[self.names[0]])
        return np.concatenate(
            [np.reshape(stacked[n], (count, -1)) for n in self.names], axis=1
        )

    def row(self, stacked: Mapping[str, Any], index: int) -> Any:
        """Row ``index`` of stacked arrays as one flat vector (one direction)."""
        return np.concatenate([np.reshape(stacked[n][index], -1) for n in self.names])


def _require(loss: Loss | None, name: str) -> Loss:
    if loss is None:
        raise InvalidArgument.of("loss", None, f"a loss function: {name} needs one")
    return loss


class NelderMead(ExtOptimiser):
    """Nelder–Mead as scipy's ``minimize(method="Nelder-Mead")`` defaults.

    Initial simplex (built on the first step): ``x₀`` and, per coordinate
    ``i``, ``x₀`` with entry ``i`` multiplied by ``1 + nonzdelt`` (0.05), or set
    to ``zdelt`` (0.00025) where it is zero. Coefficients of the non-adaptive
    method: reflection ρ = 1, expansion χ = 2, contraction ψ = 1/2, shrink
    σ = 1/2. One step is one iteration: reflect the worst vertex through the
    centroid of the others, then expand, contract outside or inside, or shrink
    towards the best vertex; the vertices are then sorted by loss, ties kept
    in their previous order (a stable sort), and the best vertex is returned
    as the parameters. The gradient is ignored.

    State: ``simplex`` (every vertex, stacked per parameter; law ``vector``)
    and ``fsim`` (their losses; ``invariant``), sorted best first.
    """

    name = "nelder-mead"
    needs_loss: ClassVar[bool] = True
    ext_laws = {"simplex": "vector", "fsim": "invariant"}
    defaults = {
        "reflection": "1",
        "expansion": "2",
        "contraction": "0.5",
        "shrink": "0.5",
        "nonzdelt": "0.05",
        "zdelt": "0.00025",
    }

    def initial_simplex(
        self, xp: Backend, params: Mapping[str, Any], loss: Loss
    ) -> State:
        """The axis-aligned simplex around ``params`` and its losses, sorted."""
        layout = _Flat(params)
        x0 = layout.flatten(params)
        scale, zdelt = xp.number(1) + self.h(xp, "nonzdelt"), self.h(xp, "zdelt")
        rows = [x0]
        for i in range(layout.size):
            vertex = x0.copy()
            # An exact test: the start is exact, so a ball here is a point.
            vertex[i] = zdelt if compare(x0[i], xp.number(0)) == 0 else scale * x0[i]
            rows.append(vertex)
        values = [loss(layout.unflatten(v)) for v in rows]
        return self._sorted(layout, np.array(rows), values)

    def _sorted(self, layout: _Flat, rows: Any, values: list[Any]) -> State:
        def by_loss(i: int, j: int) -> int:
            return compare(values[i], values[j]) or (i - j)

        order = sorted(range(len(values)), key=functools.cmp_to_key(by_loss))
        fsim = np.empty(len(values), dtype=object)
        fsim[:] = [values[i] for i in order]
        return {"simplex": layout.stack(rows[order]), "fsim": {"loss": fsim}}

    def step(  # type: ignore[no-untyped-def, override]
        self, xp, params, grads, state, loss=None
    ):
        loss = _require(loss, self.name)
        layout = _Flat(params)
        if "simplex" not in state:
            state = {**state, **self.initial_simplex(xp, params, loss)}
        sim = layout.unstack(state["simplex"])
        fsim = list(state["fsim"]["loss"])

        def f(x: Any) -> Any:
            return loss(layout.unflatten(x))

        one = xp.number(1)
        rho, chi = self.h(xp, "reflection"), self.h(xp, "expansion")
        psi, sigma = self.h(xp, "contraction"), self.h(xp, "shrink")
        count = layout.size
        xbar = sim[:-1].sum(axis=0) / xp.number(count)
        worst = sim[-1]
        xr = (one + rho) * xbar - rho * worst
        fxr = f(xr)
        replace: tuple[Any, Any] | None = None
        if compare(fxr, fsim[0]) < 0:
            xe = (one + rho * chi) * xbar - rho * chi * worst
            fxe = f(xe)
            replace = (xe, fxe) if compare(fxe, fxr) < 0 else (xr, fxr)
        elif compare(fxr, fsim[-2]) < 0:
            replace = (xr, fxr)
        elif compare(fxr, fsim[-1]) < 0:
            xc = (one + psi * rho) * xbar - psi * rho * worst
            fxc = f(xc)
            replace = (xc, fxc) if compare(fxc, fxr) <= 0 else None
        else:
            xcc = (one - psi) * xbar + psi * worst
            fxcc = f(xcc)
            replace = (xcc, fxcc) if compare(fxcc, fsim[-1]) < 0 else None

        if replace is not None:
            sim[-1], fsim[-1] = replace
        else:
            # Shrink every vertex but the best halfway towards it.
            for j in range(1, count + 1):
                sim[j] = sim[0] + sigma * (sim[j] - sim[0])
                fsim[j] = f(sim[j])
        out = self._sorted(layout, sim, fsim)
        best = {n: v[0].copy() for n, v in out["simplex"].items()}
        return best, {**state, **out, "t": state["t"] + 1}
