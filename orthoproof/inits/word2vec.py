"""word2vec's C initialiser: a 64-bit LCG whose low 16 bits pick a grid level.

``word2vec.c`` fills ``syn0`` (vocabulary × d, row-major) with
``((r & 0xFFFF)/65536 − 0.5)/d`` after each step ``r ← r·25214903917 + 11``
(mod 2⁶⁴), starting from ``r = 1``. Two facts decide its symmetry:

* the grid ``{(j/65536 − 1/2)/d : j = 0, …, 65535}`` contains ``−1/(2d)`` but
  not ``+1/(2d)``: it is not symmetric about 0;
* the low 16 bits of an LCG modulo 2⁶⁴ form an LCG of their own modulo 2¹⁶
  (multiplier 25214903917 mod 2¹⁶ = 58989, increment 11), which has full period
  65 536 by the Hull–Dobell conditions. So every entry determines the next one,
  the entries repeat with period 65 536, and the first 65 536 entries are a
  permutation of the grid: far from independent.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from orthoproof.errors import InvalidArgument

__all__ = [
    "LEVELS",
    "MULTIPLIER",
    "grid_value",
    "low_bits",
    "word2vec_matrix",
]

MULTIPLIER = 25214903917
INCREMENT = 11
LEVELS = 65536
_MASK64 = (1 << 64) - 1


def low_bits(count: int, start: int = 1) -> np.ndarray:
    """The first ``count`` values of ``r & 0xFFFF`` after each LCG step from ``start``.

    Only the low 16 bits are needed, and they follow their own LCG modulo 2¹⁶,
    so the sequence is generated there (exactly the same values, much faster).

    Returns
    -------
    numpy.ndarray
        Shape ``(count,)``, dtype int64, values in ``0 … 65535``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidArgument.of("count", count, "a non-negative int")
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise InvalidArgument.of("start", start, "a non-negative int (the LCG seed)")
    # One period of the 16-bit LCG, then tiled: the sequence is periodic.
    period = np.empty(LEVELS, dtype=np.int64)
    r = start & 0xFFFF
    a16 = MULTIPLIER & 0xFFFF
    for i in range(LEVELS):
        r = (r * a16 + INCREMENT) & 0xFFFF
        period[i] = r
    reps = -(-count // LEVELS)
    return np.tile(period, max(reps, 1))[:count]


def low_bits_reference(count: int, start: int = 1) -> list[int]:
    """The same values from the full 64-bit recurrence (slow; for checking)."""
    out, r = [], start
    for _ in range(count):
        r = (r * MULTIPLIER + INCREMENT) & _MASK64
        out.append(r & 0xFFFF)
    return out


def grid_value(level: int, d: int) -> Fraction:
    """The exact real value ``(level/65536 − 1/2)/d`` of one grid level."""
    return (Fraction(level, LEVELS) - Fraction(1, 2)) / d


def word2vec_matrix(shape: tuple[int, int], start: int = 1) -> np.ndarray:
    """``syn0`` as word2vec.c computes it, laid out hidden-first.

    Parameters
    ----------
    shape
        ``(d, m)``: hidden dimension ``d`` (``layer1_size``) by ``m`` words.
    start
        The LCG seed; word2vec.c always uses 1.

    Returns
    -------
    numpy.ndarray
        Shape ``(d, m)``, float64 holding the float32 values the C code stores
        (float32 division by 65536 and the subtraction are exact; the final
        division by ``d`` rounds in float32, as in C on SSE hardware).
    """
    d, m = shape
    levels = low_bits(d * m, start).astype(np.float32)
    values = (levels / np.float32(LEVELS) - np.float32(0.5)) / np.float32(d)
    # C stores syn0[a*d + b] for word a, coordinate b: row-major words × d.
    return values.reshape(m, d).T.astype(np.float64)
