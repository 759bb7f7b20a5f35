"""Powell's method as scipy's defaults start it.

The design (a direction set built on the first step, one line minimisation per
step, why the symmetry is kept under sign flips only) is described in
:mod:`~orthoproof.optim.zeroth_order`. The direction set, the line search and
the step live here; the flattening of parameters, the ball-safe
:func:`~orthoproof.optim.zeroth_order.compare` and the loss plumbing are shared
with Nelder–Mead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from orthoproof.backends import Backend
from orthoproof.models import HIDDEN
from orthoproof.optim.laws import ExtOptimiser
from orthoproof.optim.zeroth_order import _Flat, _require, compare
from orthoproof.optimisers import State

__all__ = ["Powell", "parabola_minimum", "vector_order"]


def vector_order(layout: _Flat) -> Any:
    """Flat indices one embedding vector after another, then the other parameters.

    Each hidden array is read column by column (``A[:, 0]``, ``A[:, 1]``, …),
    the order of word vectors as GloVe and word2vec keep them in memory.
    """
    blocks, offset = [], 0
    for n in layout.names:
        index = offset + np.arange(layout.sizes[n]).reshape(layout.shapes[n])
        blocks.append(index.T.reshape(-1) if n in HIDDEN else index.reshape(-1))
        offset += layout.sizes[n]
    return np.concatenate(blocks)


def parabola_minimum(xp: Backend, h: Any, below: Any, centre: Any, above: Any) -> Any:
    """Where the parabola through ``(−h, below), (0, centre), (h, above)`` is lowest.

    ``h·(below − above) / (2·((above + below) − 2·centre))``: the exact
    minimiser when the three values come from a quadratic, as every coordinate
    line of a plain or GloVe loss is. Exchanging ``below`` and ``above`` (the
    mirrored line) negates the answer exactly in every number system: the sum
    is commutative and the difference changes sign without a new rounding.
    Where the parabola does not open upwards the line has no finite minimum to
    move to, and 0 (stay) is returned.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from orthoproof.backends import ExactBackend
    >>> def line(s):
    ...     return 3 * (s - Fraction(2, 7)) ** 2 + 5
    >>> parabola_minimum(ExactBackend(), 1, line(-1), line(0), line(1))
    Fraction(2, 7)
    >>> parabola_minimum(ExactBackend(), 1, line(1), line(0), line(-1))
    Fraction(-2, 7)
    """
    two = xp.number(2)
    curvature = (above + below) - two * centre
    # Decided, never guessed: along a coordinate a GloVe loss has second
    # derivative Σ w·v² (v: the other factor's entries), far from 0, so balls
    # settle this; and no group element makes it a tie that one run breaks
    # one way and its image the other (a mirrored line has the same
    # curvature, bit for bit).
    if compare(curvature, xp.number(0)) <= 0:
        return xp.number(0)
    return h * (below - above) / (two * curvature)


class Powell(ExtOptimiser):
    """Powell's method as scipy's ``minimize(method="Powell")`` starts it.

    Direction set (built on the first step): the identity on the parameter
    vector laid out one word vector after another, as GloVe and word2vec keep
    their vectors (:func:`vector_order`: the columns of ``A``, then of ``B``,
    then the biases), so a sweep visits every hidden coordinate of one vector
    before the next vector. One step is one line minimisation along the next
    direction of the set, in order: step ``t`` searches direction ``t mod N``
    for ``N`` parameters, so the position in the sweep is carried by the step
    counter, which every law keeps. The gradient is ignored.

    Line minimisation: the loss is probed at ``−h``, ``0`` and ``+h`` along the
    direction (``h`` is ``probe``) and the step moves to the vertex of the
    parabola through the three values (:func:`parabola_minimum`). That is the
    parabolic-interpolation step of Brent's method, which scipy's line search
    runs. Along a coordinate direction the loss of a plain or GloVe model is
    quadratic (``AᵀB`` is linear in each entry of ``A`` and of ``B``), so the
    vertex is the exact line minimum: the point Brent's search converges to.
    Its probes are symmetric about 0, so a mirrored line (a sign flip) gives
    exactly the mirrored step; the default ``h = 1`` is the first step length
    of scipy's bracket.

    Deviations from scipy, on purpose:

    - scipy brackets the minimum from the one-sided probes 0 and 1 and runs
      Brent's method (parabolic and golden-section steps) until a relative
      tolerance (``xtol·100``) is met. A search stopped by a tolerance can take
      different branches at different precisions, which defeats precision
      scaling, and one-sided probes do not mirror with the line. One parabola
      through symmetric probes replaces the search: on a quadratic line it is
      the minimum Brent's search closes in on, on other lines an estimate.
    - After each full sweep scipy may replace the direction of largest
      decrease by the sweep's net displacement (the conjugate-direction
      update), and it stops on a relative decrease of the loss. Neither is
      done here: the direction set stays the identity, so after the first
      sweep this is cyclic coordinate descent with exact line searches, not
      Powell's conjugate directions. Along a displacement that mixes entries
      of ``A`` and ``B`` a GloVe loss is quartic, where one parabola is not
      exact. The symmetry table's 15 steps do not finish a sweep (``N = 96``),
      so a replacement would not be reached there anyway.

    State: ``directions`` (every direction, stacked per parameter; law
    ``vector``).
    """

    name = "powell"
    needs_loss: ClassVar[bool] = True
    ext_laws = {"directions": "vector"}
    defaults = {"probe": "1"}

    def initial_directions(self, xp: Backend, params: Mapping[str, Any]) -> State:
        """The coordinate directions of ``params``, in :func:`vector_order`."""
        layout = _Flat(params)
        # Two converted numbers fill the N×N set: converting N² = 9216 entries
        # (N = 96 on the table's problem) costs about 0.08 s per run in balls.
        dtype = np.asarray(layout.flatten(params)).dtype
        rows = np.full((layout.size, layout.size), xp.number(0), dtype=dtype)
        rows[np.arange(layout.size), vector_order(layout)] = xp.number(1)
        return {"directions": layout.stack(rows)}

    def line_search(self, xp: Backend, along: Callable[[Any], Any], centre: Any) -> Any:
        """The step length along a direction.

        ``along(s)`` is the loss at step length ``s`` along the direction and
        ``centre`` the loss where it starts; the probes are ``−h`` and ``+h``.
        """
        h = self.h(xp, "probe")
        return parabola_minimum(xp, h, along(-h), centre, along(h))

    def step(  # type: ignore[no-untyped-def, override]
        self, xp, params, grads, state, loss=None
    ):
        loss = _require(loss, self.name)
        layout = _Flat(params)
        if "directions" not in state:
            state = {**state, **self.initial_directions(xp, params)}
        direction = layout.row(state["directions"], state["t"] % layout.size)
        x = layout.flatten(params)

        def along(s: Any) -> Any:
            return loss(layout.unflatten(x + s * direction))

        s = self.line_search(xp, along, loss(params))
        new = layout.unflatten(x + s * direction)
        return new, {**state, "t": state["t"] + 1}
