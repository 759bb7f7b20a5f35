"""The ladder of precisions a check runs the user's code at.

The deviation between the trajectory from ``P·θ₀`` and the image of the
trajectory from ``θ₀`` is pure rounding when the code is equivariant, so it
falls with the working precision; when the code is not, it stays put. The
ladder is float32, float64, long double (where it is wider than float64) and
gmpy2 ``mpfr`` object arrays at about 30 and 60 digits. A rung is used only if
the code runs on it *and* returns numbers of the same kind: code that quietly
converts to float64 would otherwise look like it had no rounding to shed.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import gmpy2
import numpy as np

from orthoproof.backends import MpfrBackend, prec_to_dps
from orthoproof.trajectory.classify import (
    BROKEN_SLOPE,
    HOLDS_SLOPE,
    Scaling,
    classify_scaling,
    loud_level,
)

__all__ = [
    "Precision",
    "classify_levels",
    "deviation",
    "ladder",
    "to_float64",
]


@dataclass(frozen=True)
class Precision:
    """One rung: a numpy float dtype, or mpfr at ``bits`` bits (``dtype`` None)."""

    name: str
    bits: int
    dtype: Any = None

    @property
    def dps(self) -> int:
        return prec_to_dps(self.bits)

    @property
    def unit(self) -> float:
        """The rounding unit 2^-bits (relative error of one rounding)."""
        return math.ldexp(1.0, -self.bits)

    @property
    def is_mpfr(self) -> bool:
        return self.dtype is None

    def context(self) -> contextlib.AbstractContextManager[Any]:
        # mpfr arithmetic rounds to the *context* precision, not the operands':
        # the user's code must run inside this scope.
        if self.is_mpfr:
            return MpfrBackend(self.bits).context()
        return contextlib.nullcontext()

    def number(self, value: Fraction | float | int) -> Any:
        """One exact input rounded once to this precision."""
        q = Fraction(value)
        if self.is_mpfr:
            return MpfrBackend(self.bits).number(q)
        kind = np.dtype(self.dtype).type
        # Numerator and denominator are small ints, exact in the dtype, so the
        # division is the only rounding.
        return kind(q.numerator) / kind(q.denominator)

    def asarray(self, values: Any) -> np.ndarray:
        """An array of exact values (float64 on a coarse grid, or Fractions)."""
        source = np.asarray(values)
        if source.dtype != object and not self.is_mpfr:
            return source.astype(self.dtype)
        if self.is_mpfr:
            return MpfrBackend(self.bits).asarray(source)
        out = np.empty(source.shape, dtype=self.dtype)
        for index, value in np.ndenumerate(source):
            out[index] = self.number(value)
        return out

    def keeps(self, value: Any) -> bool:
        """Whether a returned scalar or array still carries this precision."""
        array = np.asarray(value)
        if self.is_mpfr:
            if array.dtype != object:
                return False
            return all(isinstance(v, type(gmpy2.mpfr(0))) for v in array.flat)
        if array.dtype == self.dtype:
            return True
        # A Python float from float32 or float64 code holds the value exactly.
        return isinstance(value, float | int) and self.bits <= 53


def ladder(*, mpfr_dps: Sequence[int] = (30, 60)) -> tuple[Precision, ...]:
    """The rungs available on this machine, lowest precision first."""
    rungs = [Precision("float32", 24, np.float32), Precision("float64", 53, np.float64)]
    long_bits = np.finfo(np.longdouble).nmant + 1
    if long_bits > 53:  # on some platforms long double is just float64
        rungs.append(Precision("longdouble", long_bits, np.longdouble))
    for dps in mpfr_dps:
        bits = max(round((dps + 1) * math.log2(10)), long_bits + 8)
        rungs.append(Precision(f"mpfr{dps}", bits))
    return tuple(rungs)


def to_float64(values: Any) -> np.ndarray:
    """float64 copy of an array of any rung, for norms and reports."""
    array = np.asarray(values)
    if array.dtype == object:
        return np.vectorize(float, otypes=[float])(array) if array.size else array
    return array.astype(np.float64)


def deviation(moved: Sequence[Any], image: Sequence[Any]) -> float:
    """Relative deviation ‖moved − image‖ / ‖image‖ over a list of arrays.

    The difference is taken at the working precision, before any conversion:
    converting first would bury a 1e-40 deviation under float64's rounding.
    """
    num = 0.0
    den = 0.0
    for a, b in zip(moved, image, strict=True):
        diff = to_float64(np.asarray(a) - np.asarray(b))
        num += float(np.sum(diff * diff))
        ref = to_float64(b)
        den += float(np.sum(ref * ref))
    if num == 0.0:
        return 0.0
    return math.sqrt(num) / max(math.sqrt(den), 1e-300)


def classify_levels(dps: Sequence[int], deviations: Sequence[float]) -> Scaling:
    """Classify deviations at two or more precisions.

    Three or more go to :func:`classify_scaling` unchanged. With only two (torch
    runs in float32 and float64 only) the same slope and size thresholds are
    applied to the straight line through the two points: ``shrinks`` needs the
    deviation to fall at least half a digit per digit of precision *and* to be
    below the square root of the top rounding unit; ``persists`` needs a flat
    line at a deviation above that square root, i.e. about 10^8 rounding units
    at float64. Two points cannot show a straight line, so the reason says so.
    """
    dps, devs = tuple(int(d) for d in dps), tuple(float(v) for v in deviations)
    if len(dps) >= 3:
        return classify_scaling(dps, devs)
    if any(not math.isfinite(v) for v in devs):
        return Scaling("unclear", None, dps, devs, "a deviation is not finite")
    if all(v == 0 for v in devs):
        return Scaling("exact-zero", None, dps, devs, "no deviation at any precision")
    floored = [v if v > 0 else 10.0 ** (-d) for d, v in zip(dps, devs, strict=True)]
    slope = (math.log10(floored[-1]) - math.log10(floored[0])) / (dps[-1] - dps[0])
    top, half_top = floored[-1], 10.0 ** (-dps[-1] / 2)
    note = " (two precisions only)"
    falls = slope <= HOLDS_SLOPE and top < half_top
    loud = loud_level(dps, devs)
    if falls and loud:
        d, v = loud
        reason = f"deviation is {v:.3e} at {d} digits, far above its rounding{note}"
        return Scaling("unclear", slope, dps, devs, reason)
    if falls:
        reason = f"deviation falls {-slope:.2f} digits per digit{note}"
        return Scaling("shrinks", slope, dps, devs, reason)
    if abs(slope) <= BROKEN_SLOPE and top >= half_top:
        reason = f"deviation stays at {top:.3e} (slope {slope:+.3f}){note}"
        return Scaling("persists", slope, dps, devs, reason)
    reason = f"slope {slope:+.3f} with deviation {top:.3e}{note}"
    return Scaling("unclear", slope, dps, devs, reason)
