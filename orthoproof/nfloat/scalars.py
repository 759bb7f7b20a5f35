"""Scalars of the nfloat backend: mpfr numbers in Python, nfloat words for FLINT.

A loss, a norm or a bias correction is one number; mpfr at the array's
precision is the fastest way to hold one exactly in Python. Where a scalar
meets an array it is encoded into one nfloat element (cached by value, since
hyperparameters recur on every step), and entries read back are decoded into
exact mpfr numbers.
"""

from __future__ import annotations

import ctypes
import math
import numbers
from fractions import Fraction
from typing import Any

import gmpy2
import numpy as np

from orthoproof.backends import _as_fraction
from orthoproof.nfloat.library import Context

__all__ = [
    "decode_scalar",
    "element",
    "encode_scalar",
    "exact_float",
    "is_scalar",
    "scalar_of",
]


def scalar_of(ctx: Context, value: Any) -> Any:
    """``value`` as an mpfr at the context's precision, rounded once."""
    if isinstance(value, gmpy2.mpfr):
        # Wider numbers are rounded once, as every other input is.
        return value if value.precision <= ctx.prec else gmpy2.mpfr(value, ctx.prec)
    q = _as_fraction(value)
    with gmpy2.context(gmpy2.get_context(), precision=ctx.prec):
        return gmpy2.mpfr(gmpy2.mpq(q.numerator, q.denominator))


def element(ctx: Context, value: Any) -> Any:
    """A scalar as one nfloat element FLINT can read (cached by value)."""
    v = scalar_of(ctx, value)
    found = ctx.scalars.get(v)
    if found is None:
        if len(ctx.scalars) > 4096:  # a run's scalars are few; a leak is not
            ctx.scalars.clear()
        found = ctx.scalars[v] = ctypes.create_string_buffer(
            encode_scalar(ctx, v), ctx.size
        )
    return found


def encode_scalar(ctx: Context, value: Any) -> bytes:
    v = scalar_of(ctx, value)
    if gmpy2.is_nan(v) or gmpy2.is_infinite(v):
        # nfloat contexts here carry no infinities or NaNs (see library._FLAGS).
        raise FloatingPointError(
            f"nfloat: the scalar {v} cannot enter an array (no infinities or NaNs)"
        )
    mantissa, exponent = v.as_mantissa_exp()
    return ctx.encode(int(mantissa < 0), abs(int(mantissa)), int(exponent))


def decode_scalar(ctx: Context, raw: bytes) -> Any:
    parts = ctx.decode(raw)
    with gmpy2.context(gmpy2.get_context(), precision=ctx.prec):
        if isinstance(parts, float):
            return gmpy2.mpfr(parts)
        sign, mantissa, exponent = parts
        # The sign goes in here: negating after the context closes would
        # round to whatever precision the caller's context has.
        value = gmpy2.mul_2exp(gmpy2.mpfr(-mantissa if sign else mantissa), exponent)
    # nfloat's exponents reach about ±2^61, mpfr's (as gmpy2 builds it) ±2^30.
    if not gmpy2.is_finite(value) or value == 0:
        raise FloatingPointError(
            f"nfloat: an entry of about 2^{exponent + mantissa.bit_length()} is "
            "beyond the exponent range of mpfr numbers, and cannot be read back"
        )
    return value


def exact_float(ctx: Context, raw: bytes) -> float:
    """One entry as the float64 nearest to it (subnormal, zero or infinite)."""
    parts = ctx.decode(raw)
    if isinstance(parts, float):
        return parts
    sign, mantissa, exponent = parts
    exact = Fraction(mantissa) * Fraction(2) ** exponent
    try:
        number = float(exact)  # correctly rounded, subnormals included
    except OverflowError:
        number = math.inf
    return -number if sign else number


_SCALAR_TYPES = frozenset({gmpy2.mpfr, gmpy2.mpz, float, int, Fraction, np.float64})


def is_scalar(value: Any) -> bool:
    return type(value) in _SCALAR_TYPES or isinstance(value, numbers.Real)
