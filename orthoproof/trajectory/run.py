"""Run an optimiser from a start and from its image under a group element.

A trajectory pair is the heart of the equivariance test: ``T`` steps from
``θ₀`` and ``T`` steps from ``P·θ₀`` (with the optimiser state moved by its
declared law) must end at ``P·θ_T`` and ``θ'_T`` that agree, if the optimiser
is equivariant under ``P``. The deviation between them is computed inside the
backend, so with balls it is itself a ball that encloses the exact value.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from orthoproof.backends import Backend
from orthoproof.groups import act
from orthoproof.models import Model
from orthoproof.optimisers import Optimiser, act_state

__all__ = ["TrajectoryPair", "run_pair", "squared_distance"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrajectoryPair:
    """The outcome of one trajectory pair in one number system.

    ``deviation`` is ‖θ'_T − P·θ_T‖ / ‖θ_T‖ over all parameters (float64 view);
    ``squared`` is the backend's own value of ‖θ'_T − P·θ_T‖², a ball under
    :class:`~orthoproof.backends.ArbBackend`. ``curve`` holds (step, deviation)
    pairs recorded along the way.
    """

    backend: str
    dps: int | None
    prec: int | None
    steps: int
    deviation: float
    squared: Any
    curve: tuple[tuple[int, float], ...]
    final_loss: float


def squared_distance(
    xp: Backend, left: Mapping[str, Any], right: Mapping[str, Any]
) -> Any:
    """Σ (left − right)² over every entry of every parameter, in ``xp``."""
    total = xp.number(0)
    for name in left:
        diff = left[name] - right[name]
        total = total + (diff * diff).sum()
    return total


def _relative(xp: Backend, sq: Any, reference: Mapping[str, Any]) -> float:
    """‖θ'_T − P·θ_T‖ / ‖θ_T‖ as a float, from the squared distance ``sq``."""
    size = sum(float(np.sum(xp.to_float(v) ** 2)) for v in reference.values())
    return float(np.sqrt(max(float(xp.to_float(sq)), 0.0) / max(size, 1e-300)))


def _step(
    xp: Backend,
    model: Model,
    optimiser: Optimiser,
    data: Any,
    params: Mapping[str, Any],
    state: Any,
) -> tuple[Any, Any]:
    """One optimiser step.

    Optimisers with ``needs_loss`` also get the loss; those with ``needs_data``
    get the model and its data instead of a gradient.
    """
    if getattr(optimiser, "needs_data", False):
        # Per-record methods (GloVe's own loop) walk the data themselves: the
        # full-batch gradient would be computed for nothing.
        return optimiser.step(  # type: ignore[call-arg]
            xp, params, {}, state, model=model, data=data
        )
    grads = model.gradient(xp, params, data)
    if getattr(optimiser, "needs_loss", False):
        # Zeroth-order methods evaluate the loss at points of their own choosing.
        return optimiser.step(  # type: ignore[call-arg]
            xp, params, grads, state, loss=lambda q: model.loss(xp, q, data)
        )
    return optimiser.step(xp, params, grads, state)


def run_pair(
    xp: Backend,
    model: Model,
    optimiser: Optimiser,
    start: Mapping[str, Any],
    p: Any,
    steps: int,
    record_every: int = 0,
) -> TrajectoryPair:
    """Train from ``start`` and from ``p·start`` for ``steps`` full-batch steps.

    Parameters
    ----------
    xp
        Number system to run in; the whole run happens inside its precision.
    start
        Initial parameters as exact numbers (float64 arrays are exact dyadics).
    p
        Exact group element, k×k.
    record_every
        Record the deviation every this many steps (0: only at the end).
    """
    curve: list[tuple[int, float]] = []
    with xp.context():
        data = model.data(xp)
        theta = {n: xp.asarray(v) for n, v in start.items()}
        state = optimiser.init(xp, theta)
        theta_p = act(xp, p, theta)
        state_p = act_state(xp, optimiser, p, state)

        for t in range(1, steps + 1):
            theta, state = _step(xp, model, optimiser, data, theta, state)
            theta_p, state_p = _step(xp, model, optimiser, data, theta_p, state_p)
            if record_every and (t % record_every == 0 or t == steps):
                sq = squared_distance(xp, theta_p, act(xp, p, theta))
                curve.append((t, _relative(xp, sq, theta)))

        sq = squared_distance(xp, theta_p, act(xp, p, theta))
        deviation = _relative(xp, sq, theta)
        final_loss = float(xp.to_float(model.loss(xp, theta, data)))

    log.debug(
        "%s %s: deviation %.3e after %d steps", optimiser.name, xp, deviation, steps
    )
    return TrajectoryPair(
        backend=xp.name,
        dps=xp.dps,
        prec=xp.prec,
        steps=steps,
        deviation=deviation,
        squared=sq,
        curve=tuple(curve),
        final_loss=final_loss,
    )
