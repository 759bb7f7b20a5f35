"""Certify that a trajectory pair really differs, with ball arithmetic.

The run is repeated in python-flint ``arb`` balls from the same exact start
and the same exact group element. Every ball encloses the value the exact real
computation would produce, so if the ball of ‖θ'_T − P·θ_T‖² lies strictly
above zero, the exact trajectories differ: a certified counterexample to
equivariance. A ball that touches zero, or a comparison the balls cannot
decide (per-coordinate clipping at its threshold), yields no certificate,
never a false one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orthoproof.backends import ArbBackend
from orthoproof.errors import Uncertain
from orthoproof.models import Model
from orthoproof.optimisers import Optimiser
from orthoproof.trajectory.run import run_pair

__all__ = ["BallCertificate", "certify_deviation"]


@dataclass(frozen=True)
class BallCertificate:
    """Outcome of the ball re-run: ``certified`` only if the ball excludes 0."""

    certified: bool
    prec: int
    steps: int
    squared_ball: str
    lower_bound: float
    radius: float
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "python-flint arb ball arithmetic",
            "quantity": "‖θ'_T − P·θ_T‖² (exact inputs, exact P)",
            "certified": self.certified,
            "prec": self.prec,
            "steps": self.steps,
            "ball": self.squared_ball,
            "lower_bound": self.lower_bound,
            "radius": self.radius,
            "reason": self.reason,
        }


def certify_deviation(
    model: Model,
    optimiser: Optimiser,
    start: Mapping[str, Any],
    p: Any,
    steps: int,
    prec: int = 256,
) -> BallCertificate:
    """Re-run the pair in balls at ``prec`` bits and test whether 0 is excluded."""
    xp = ArbBackend(prec)
    try:
        pair = run_pair(xp, model, optimiser, start, p, steps)
    except Uncertain as exc:
        return BallCertificate(False, prec, steps, "", 0.0, float("inf"), str(exc))

    ball = pair.squared
    with xp.context():
        finite = bool(ball.is_finite())
        excluded = finite and bool(ball > 0)
        lower = float(ball.lower())
        radius = float(ball.rad())
    if excluded:
        reason = "the ball lies strictly above 0: the exact trajectories differ"
    elif not finite:
        reason = f"the ball is not finite at {prec} bits: no certificate, raise prec"
    else:
        reason = "the ball contains 0: no certificate at this precision"
    return BallCertificate(excluded, prec, steps, ball.str(10), lower, radius, reason)
