"""Number systems behind one array namespace.

Every model's loss and gradient and every optimiser's step is written once,
against the small namespace a :class:`Backend` offers, and run unchanged with
float64 (numpy), with high-precision floats (gmpy2 ``mpfr`` in numpy object
arrays), with balls (python-flint ``arb``), with exact rationals and with sympy
symbols. What is proved is what is run.

Inputs enter a backend exactly: float64 values are dyadic rationals and are
converted without rounding; rationals and decimal strings are rounded once, at
the backend's precision. Precision is scoped by :meth:`Backend.context`, never
set globally.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Self, cast

import flint
import gmpy2
import numpy as np
import sympy

from orthoproof.errors import InvalidArgument, Uncertain

__all__ = [
    "ArbBackend",
    "Backend",
    "ExactBackend",
    "Float64Backend",
    "MpfrBackend",
    "PrecisionBackend",
    "SympyBackend",
    "check_threads",
    "dps_to_prec",
    "numpy_function_guard",
    "prec_to_dps",
]

Array = np.ndarray


#: Threads python-flint lets FLINT use (``flint.ctx.threads`` asserts beyond).
MAX_FLINT_THREADS = 64


def check_threads(threads: Any) -> int:
    """FLINT's thread count: ``None`` is every core (at most 64), else 1 to 64."""
    if threads is None:
        return min(os.cpu_count() or 1, MAX_FLINT_THREADS)
    if (
        isinstance(threads, bool)
        or not isinstance(threads, int)
        or not 1 <= threads <= MAX_FLINT_THREADS
    ):
        raise InvalidArgument.of(
            "threads", threads, f"an int from 1 to {MAX_FLINT_THREADS}, or None"
        )
    return threads


_SHAPE_QUESTIONS: dict[Any, Callable[[Any], Any]] = {
    np.shape: lambda a: a.shape,
    np.ndim: lambda a: a.ndim,
    np.size: lambda a: a.size,
}


def numpy_function_guard(array: Any, func: Any, types: Any, args: Any, kw: Any) -> Any:
    """``__array_function__`` for the matrix backends' arrays.

    Without it np.dot, np.sum and friends take such an array for one opaque
    scalar and answer wrongly (np.dot multiplied entrywise); NotImplemented
    makes numpy raise TypeError instead. Only the shape questions, which the
    models ask of any array, are answered.
    """
    if func in _SHAPE_QUESTIONS and len(args) == 1 and args[0] is array and not kw:
        return _SHAPE_QUESTIONS[func](array)
    return NotImplemented


def dps_to_prec(dps: int) -> int:
    """Bits of mantissa needed for ``dps`` decimal digits (as mpmath counts)."""
    return max(1, round((dps + 1) * math.log2(10)))


def prec_to_dps(prec: int) -> int:
    """Decimal digits carried by ``prec`` bits (as mpmath counts)."""
    return max(1, round(prec / math.log2(10)) - 1)


class Backend:
    """An array namespace over one number system.

    Subclasses convert numbers in with :meth:`number`, provide the few
    elementwise functions the models and optimisers need, and say how their
    numbers come back out as float64 for reporting.
    """

    name = "abstract"
    #: working precision in bits (``None``: exact or symbolic)
    prec: int | None = None

    @property
    def dps(self) -> int | None:
        return None if self.prec is None else prec_to_dps(self.prec)

    def context(self) -> contextlib.AbstractContextManager[Any]:
        """Scope within which arithmetic runs at this backend's precision."""
        return contextlib.nullcontext()

    def number(self, value: Any) -> Any:
        """Convert a float, int, Fraction or decimal string, exactly or rounded once."""
        raise NotImplementedError

    def asarray(self, values: Any) -> Array:
        """Convert an array-like of numbers (any nesting) into this backend."""
        source = np.asarray(values, dtype=object)
        out = np.empty(source.shape, dtype=object)
        for index, value in np.ndenumerate(source):
            out[index] = self.number(value)
        return out

    def full(self, shape: tuple[int, ...], value: Any) -> Array:
        return self.asarray(np.full(shape, value, dtype=object))

    def zeros(self, shape: tuple[int, ...]) -> Array:
        return self.full(shape, 0)

    # Elementwise functions: object arrays map a scalar function over entries.
    def sqrt(self, x: Array) -> Array:
        return _map(self._sqrt, x)

    def abs(self, x: Array) -> Array:
        return _map(abs, x)

    def sign(self, x: Array) -> Array:
        return _map(self._sign, x)

    def clip(self, x: Array, bound: Any) -> Array:
        """Clamp every entry to ``[-bound, bound]`` (per-coordinate clipping)."""
        b = self._bound(bound)
        return _map(lambda v: self._clip(v, b), x)

    def _bound(self, bound: Any) -> Any:
        """A clipping bound in this backend, refused when negative."""
        if _as_fraction(bound) < 0:
            raise InvalidArgument.of("bound", bound, "a non-negative number")
        return self.number(bound)

    def to_float(self, x: Any) -> Any:
        """float64 view of a value or array, for reporting only."""
        if isinstance(x, np.ndarray):
            return np.vectorize(float, otypes=[float])(x) if x.size else x.astype(float)
        return float(x)

    # Scalar hooks.
    def _sqrt(self, v: Any) -> Any:
        raise NotImplementedError

    def _sign(self, v: Any) -> Any:
        return self.number((v > 0) - (v < 0))

    def _clip(self, v: Any, b: Any) -> Any:
        if v > b:
            return b
        if v < -b:
            return -b
        return v

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prec={self.prec})"


def _map(fn: Callable[[Any], Any], x: Any) -> Any:
    if isinstance(x, np.ndarray):
        out = np.empty(x.shape, dtype=x.dtype if x.dtype != object else object)
        flat_in, flat_out = x.reshape(-1), out.reshape(-1)
        for i, v in enumerate(flat_in):
            flat_out[i] = fn(v)
        return out
    return fn(x)


#: Largest decimal exponent a string may carry: "1e100000000" would be
#: expanded into an integer of a hundred million digits before rounding.
MAX_DECIMAL_EXPONENT = 4096
_EXPONENT = re.compile(r"[eE]\s*([+-]?\d+)\s*$")


def _as_fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    if isinstance(value, float | np.floating | gmpy2.mpfr):
        if not math.isfinite(value):
            raise InvalidArgument.of("value", value, "a finite number")
        # as_integer_ratio is exact for long double and mpfr too; float()
        # would cut them to 53 bits.
        return Fraction(*value.as_integer_ratio())
    if isinstance(value, gmpy2.mpz):
        return Fraction(int(value))
    if isinstance(value, str):
        exponent = _EXPONENT.search(value)
        if exponent and abs(int(exponent.group(1))) > MAX_DECIMAL_EXPONENT:
            raise InvalidArgument.of(
                "value",
                value,
                f"a decimal with an exponent from -{MAX_DECIMAL_EXPONENT} to "
                f"{MAX_DECIMAL_EXPONENT} (it is expanded exactly)",
            )
        try:
            return Fraction(value)
        except ValueError:
            raise InvalidArgument.of(
                "value", value, "a decimal or p/q string"
            ) from None
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, gmpy2.mpq):
        return Fraction(int(value.numerator), int(value.denominator))
    raise InvalidArgument.of(
        "value", value, "an int, float, Fraction or decimal string"
    )


class Float64Backend(Backend):
    """numpy float64: the reference speed, 53 bits."""

    name = "float64"
    prec = 53

    def number(self, value: Any) -> Any:
        q = _as_fraction(value)
        if isinstance(value, float):
            return value  # finite (checked above) and already exact
        try:
            return float(q)
        except OverflowError:
            raise InvalidArgument.of(
                "value", value, "a number within float64's range"
            ) from None

    def asarray(self, values: Any) -> Array:
        source = np.asarray(values)
        if source.dtype.kind in "fiub":
            out = source.astype(float)
            if not np.all(np.isfinite(out)):
                raise InvalidArgument.of(
                    "values", "array with NaN or inf", "finite numbers"
                )
            return out
        source = np.asarray(values, dtype=object)
        return (
            np.vectorize(self.number, otypes=[float])(source)
            if source.size
            else source.astype(float)
        )

    def sqrt(self, x: Array) -> Array:
        return np.sqrt(x)

    def abs(self, x: Array) -> Array:
        return np.abs(x)

    def sign(self, x: Array) -> Array:
        return np.sign(x)

    def clip(self, x: Array, bound: Any) -> Array:
        b = float(self._bound(bound))
        return np.clip(x, -b, b)

    def to_float(self, x: Any) -> Any:
        return np.asarray(x, dtype=float) if isinstance(x, np.ndarray) else float(x)


class PrecisionBackend(Backend):
    """A backend of floating-point numbers at a chosen ``prec`` in bits."""

    prec: int

    def __init__(self, prec: int) -> None:
        if isinstance(prec, bool) or not isinstance(prec, int) or prec < 2:
            raise InvalidArgument.of("prec", prec, "an int of at least 2 bits")
        self.prec = prec

    @classmethod
    def from_dps(cls, dps: int) -> Self:
        """The backend carrying ``dps`` decimal digits (as mpmath counts them)."""
        if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
            raise InvalidArgument.of("dps", dps, "an int of at least 1 digit")
        return cls(dps_to_prec(dps))


class MpfrBackend(PrecisionBackend):
    """gmpy2 ``mpfr`` numbers in numpy object arrays, at ``prec`` bits."""

    name = "mpfr"

    def context(self) -> contextlib.AbstractContextManager[Any]:
        return gmpy2.context(gmpy2.get_context(), precision=self.prec)  # type: ignore[no-any-return]

    def number(self, value: Any) -> Any:
        q = _as_fraction(value)
        with self.context():
            return gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator))

    def _sqrt(self, v: Any) -> Any:
        return gmpy2.sqrt(v)


class ArbBackend(PrecisionBackend):
    """python-flint ``arb`` balls: every result encloses the exact real value.

    Comparisons that a ball cannot decide raise :class:`Uncertain` instead of
    guessing, so a certificate computed here is never wrong, only sometimes
    missing.
    """

    name = "arb"

    def context(self) -> contextlib.AbstractContextManager[Any]:
        return flint.ctx.workprec(cast(int, self.prec))  # type: ignore[no-any-return]

    def number(self, value: Any) -> Any:
        q = _as_fraction(value)
        with self.context():
            return flint.arb(flint.fmpq(q.numerator, q.denominator))

    def _sqrt(self, v: Any) -> Any:
        return v.sqrt()

    def _sign(self, v: Any) -> Any:
        if v > 0:
            return flint.arb(1)
        if v < 0:
            return flint.arb(-1)
        if v.is_zero():  # the exact ball {0}: its sign is decided
            return flint.arb(0)
        raise Uncertain(f"sign of the ball {v} is not determined")

    def _clip(self, v: Any, b: Any) -> Any:
        # arb answers a comparison True only when it holds for every point of
        # both balls, so each branch is taken only when it is certain.
        if v > b:
            return b
        if v < -b:
            return -b
        if v <= b and v >= -b:
            return v
        raise Uncertain(f"cannot tell whether {v} lies within ±{b}")

    def to_float(self, x: Any) -> Any:
        if isinstance(x, np.ndarray):
            return np.vectorize(lambda v: float(v.mid()), otypes=[float])(x)
        return float(x.mid())


class ExactBackend(Backend):
    """Exact rationals (:class:`fractions.Fraction`); no square roots."""

    name = "exact"

    def number(self, value: Any) -> Any:
        return _as_fraction(value)

    def _sqrt(self, v: Any) -> Any:
        raise InvalidArgument.of("x", v, "no square root in exact rational arithmetic")


class SympyBackend(Backend):
    """sympy expressions: the symbolic number system the proofs run in."""

    name = "sympy"

    def number(self, value: Any) -> Any:
        if isinstance(value, sympy.Basic):
            return value
        q = _as_fraction(value)
        return sympy.Rational(q.numerator, q.denominator)

    def _sqrt(self, v: Any) -> Any:
        return sympy.sqrt(v)

    def abs(self, x: Array) -> Array:
        return _map(sympy.Abs, x)

    def _sign(self, v: Any) -> Any:
        return sympy.sign(v)

    def _clip(self, v: Any, b: Any) -> Any:
        return sympy.Max(-b, sympy.Min(b, v))

    def to_float(self, x: Any) -> Any:
        if isinstance(x, np.ndarray):
            return np.vectorize(lambda v: float(sympy.N(v)), otypes=[float])(x)
        return float(sympy.N(x))
