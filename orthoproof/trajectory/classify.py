"""Classify a trajectory pair by how its deviation scales with precision.

If an optimiser is equivariant, the only difference between the trajectory
from ``P·θ₀`` and the image of the trajectory from ``θ₀`` is rounding, so the
deviation falls like ``10^-dps``: log-deviation against ``dps`` has slope
about −1. If it is not, the deviation is a property of the exact real
computation and stays put: slope about 0. The classifier reads the slope, so
no tolerance on the deviation itself needs tuning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from orthoproof.errors import InvalidArgument

__all__ = ["Scaling", "classify_scaling", "loud_level"]

#: A holding symmetry must shed at least this many decimal digits of deviation
#: per digit of precision (ideal: 1). Rounding noise grows with the number of
#: steps, which lowers the intercept, not the slope.
HOLDS_SLOPE = -0.5
#: A broken symmetry keeps its deviation: the slope stays within this of 0.
BROKEN_SLOPE = 0.1


@dataclass(frozen=True)
class Scaling:
    """Outcome of the precision-scaling classifier.

    ``kind`` is ``"shrinks"`` (the deviation is rounding), ``"persists"``
    (the deviation survives more precision: a candidate refutation, still to
    be certified), ``"exact-zero"`` (no deviation at any precision), or
    ``"unclear"``.
    """

    kind: str
    slope: float | None
    dps: tuple[int, ...]
    deviations: tuple[float, ...]
    reason: str


#: Largest precision whose rounding unit 10^-digits is a normal float64.
MAX_DIGITS = 307


def loud_level(
    dps: Sequence[int], deviations: Sequence[float]
) -> tuple[int, float] | None:
    """The first precision whose deviation is at or above √(its rounding unit).

    Every precision must be near its own rounding: a deviation that falls
    overall yet stays large in one number system (code that takes another
    path for float64 than for mpfr) is not symmetry that rounding hides.
    """
    for d, v in zip(dps, deviations, strict=True):
        if v >= 10.0 ** (-d / 2):
            return d, v
    return None


def _fit_slope(dps: Sequence[int], deviations: Sequence[float]) -> float:
    x = np.asarray(dps, dtype=float)
    y = np.log10(np.asarray(deviations, dtype=float))
    return float(np.polyfit(x, y, 1)[0])


def classify_scaling(dps: Sequence[int], deviations: Sequence[float]) -> Scaling:
    """Classify deviations measured at increasing precisions.

    Parameters
    ----------
    dps
        Working precisions in decimal digits, at least three, all distinct.
    deviations
        Relative deviations ‖θ'_T − P·θ_T‖/‖θ_T‖, one per precision.

    Examples
    --------
    >>> classify_scaling([15, 30, 60], [1e-15, 1e-30, 1e-60]).kind
    'shrinks'
    >>> classify_scaling([15, 30, 60], [0.04, 0.04, 0.04]).kind
    'persists'
    """
    dps, deviations = tuple(int(d) for d in dps), tuple(float(v) for v in deviations)
    if len(dps) < 3 or len(set(dps)) != len(dps) or len(deviations) != len(dps):
        raise InvalidArgument.of(
            "dps", dps, "at least three distinct precisions, one deviation each"
        )
    if max(dps) > MAX_DIGITS:
        raise InvalidArgument.of(
            "dps", dps, f"precisions up to {MAX_DIGITS} digits (deviations are float64)"
        )
    if any(not math.isfinite(v) or v < 0 for v in deviations):
        return Scaling("unclear", None, dps, deviations, "a deviation is not finite")
    if all(v == 0 for v in deviations):
        return Scaling(
            "exact-zero", None, dps, deviations, "no deviation at any precision"
        )

    # An exact zero at high precision means "below the rounding unit there";
    # place it at that unit so the fit still sees the fall.
    floored = [
        v if v > 0 else 10.0 ** (-d) for d, v in zip(dps, deviations, strict=True)
    ]
    slope = _fit_slope(dps, floored)
    top = floored[int(np.argmax(dps))]
    half_top = 10.0 ** (-max(dps) / 2)

    falls = slope <= HOLDS_SLOPE and top < half_top
    loud = loud_level(dps, deviations)
    if falls and loud:
        d, v = loud
        reason = (
            f"deviation falls overall (slope {slope:+.3f}) but is {v:.3e} at {d} "
            f"digits, far above that precision's rounding (10^-{d}): the code "
            "seems to behave differently in that number system"
        )
        return Scaling("unclear", slope, dps, deviations, reason)
    if falls:
        reason = f"deviation falls {-slope:.2f} digits per digit of precision"
        zeros = [d for d, v in zip(dps, deviations, strict=True) if v == 0]
        if zeros:
            where = ", ".join(str(d) for d in zeros)
            reason += f" (exactly zero at {where} digits, counted as 10^-digits)"
        return Scaling("shrinks", slope, dps, deviations, reason)
    if abs(slope) <= BROKEN_SLOPE and top >= half_top:
        reason = (
            f"deviation stays at {top:.3e} whatever the precision (slope {slope:+.3f})"
        )
        return Scaling("persists", slope, dps, deviations, reason)
    reason = f"slope {slope:+.3f} with deviation {top:.3e} at {max(dps)} digits"
    return Scaling("unclear", slope, dps, deviations, reason)
