"""The small-gradient trap: Adam far below its ε still breaks the symmetry.

When every gradient entry is far below ε, ``m/(√v + ε) ≈ m/ε`` and Adam is
scaled SGD to first order, so in float64 its deviation from equivariance sinks
under rounding and a tolerance-based checker passes it. The exact computation
still differs (the next term is of relative order (g/ε)²), and the precision
classifier sees that the deviation does not fall with precision; ``arb``
certifies it. The GloVe cost is scaled by multiplying its weights, which
scales the loss and every gradient alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from orthoproof.backends import Float64Backend, MpfrBackend
from orthoproof.models import GloveModel
from orthoproof.optimisers import Adam
from orthoproof.trajectory.evidence import trajectory_evidence
from orthoproof.trajectory.run import run_pair
from orthoproof.verdicts import Evidence

__all__ = [
    "SMALL_GRADIENT_CLAIM",
    "TrapPoint",
    "float64_visibility_scale",
    "scaled_model",
    "small_gradient_evidence",
    "small_gradient_sweep",
]

SMALL_GRADIENT_CLAIM = "trajectory-equivariance/adam/glove-tiny-gradient"


def scaled_model(model: GloveModel, scale: str) -> GloveModel:
    """GloVe with every weight multiplied by ``scale``: loss and gradient scale alike.

    The product is rounded once in float64; from then on it is the exact
    problem every backend solves.
    """
    weights = np.asarray(model.weights, dtype=float) * float(scale)
    return GloveModel(weights, np.asarray(model.target, dtype=float))


def small_gradient_evidence(
    model: GloveModel,
    start: dict[str, Any],
    p: Any,
    *,
    scale: str = "1e-12",
    steps: int = 15,
    dps: Sequence[int] = (30, 60),
    lr: str = "0.01",
) -> list[Evidence]:
    """Evidence for :data:`SMALL_GRADIENT_CLAIM`: torch Adam on the scaled cost."""
    return trajectory_evidence(
        scaled_model(model, scale),
        Adam(lr=lr),
        start,
        p,
        steps=steps,
        dps=dps,
        replay={"loss_scale": scale},
    )


@dataclass(frozen=True)
class TrapPoint:
    """Adam's relative deviation at one loss scale: float64 and the exact value.

    ``exact`` is the deviation at ``dps`` digits, which agrees with the exact
    real value to many digits when the symmetry is broken; ``gradient`` is the
    largest |gradient entry| at the start (float64).
    """

    scale: str
    gradient: float
    float64: float
    exact: float

    def to_json(self) -> dict[str, Any]:
        return {
            "loss_scale": self.scale,
            "max_abs_gradient": self.gradient,
            "deviation_float64": self.float64,
            "deviation_exact": self.exact,
        }


def small_gradient_sweep(
    model: GloveModel,
    start: dict[str, Any],
    p: Any,
    scales: Sequence[str],
    *,
    steps: int = 15,
    dps: int = 40,
    lr: str = "0.01",
) -> list[TrapPoint]:
    """Measure Adam's deviation in float64 and at ``dps`` digits for each scale."""
    points = []
    f64 = Float64Backend()
    for scale in scales:
        scaled = scaled_model(model, scale)
        with f64.context():
            theta = {n: f64.asarray(v) for n, v in start.items()}
            grads = scaled.gradient(f64, theta, scaled.data(f64))
        largest = max(float(np.max(np.abs(g))) for g in grads.values())
        low = run_pair(f64, scaled, Adam(lr=lr), start, p, steps)
        high = run_pair(MpfrBackend.from_dps(dps), scaled, Adam(lr=lr), start, p, steps)
        points.append(TrapPoint(scale, largest, low.deviation, high.deviation))
    return points


def float64_visibility_scale(points: Sequence[TrapPoint]) -> TrapPoint | None:
    """The largest scale at which float64 no longer sees the exact deviation.

    float64 "sees" the breakage while its deviation agrees with the exact one
    within a factor of two; below that, what float64 reports is rounding.
    """
    hidden = [
        pt for pt in points if pt.exact > 0 and not 0.5 <= pt.float64 / pt.exact <= 2.0
    ]
    return max(hidden, key=lambda pt: float(pt.scale), default=None)
