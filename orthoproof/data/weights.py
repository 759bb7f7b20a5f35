"""GloVe's weighting function for the least-squares loss."""

from __future__ import annotations

import math

import numpy as np

from orthoproof.data.validation import check_entries
from orthoproof.errors import InvalidArgument

__all__ = ["glove_weights"]


def _positive_finite(name: str, value: float) -> float:
    """Return ``value`` as a float if it is a finite number greater than 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise InvalidArgument.of(name, value, "a finite number > 0")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise InvalidArgument.of(name, value, "a finite number > 0")
    return number


def glove_weights(
    counts: np.ndarray, x_max: float = 100.0, alpha: float = 0.75
) -> np.ndarray:
    """Weight each count by GloVe's ``f(x)`` (Pennington, Socher & Manning 2014).

    ``f(x) = (x / x_max) ** alpha`` for ``x < x_max`` and ``f(x) = 1`` otherwise,
    so ``f(0) = 0``: absent pairs carry no weight and frequent pairs are capped.

    Parameters
    ----------
    counts
        Array of any shape, typically ``(m, n)``, finite and ``>= 0``.
    x_max
        The count from which the weight is 1; finite and ``> 0``.
    alpha
        The exponent; finite and ``> 0``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``counts``, float64, values in ``[0, 1]``.

    Raises
    ------
    InvalidArgument
        If ``x_max`` or ``alpha`` is not a finite number ``> 0``.
    DataError
        If ``counts`` holds a NaN, infinite or negative value.
    """
    x_max = _positive_finite("x_max", x_max)
    alpha = _positive_finite("alpha", alpha)
    x = np.asarray(counts, dtype=np.float64)
    check_entries(x, "counts", lambda k: f"flat entry {k}")
    # Capping the ratio at 1 gives exactly 1.0 for x >= x_max (1 ** alpha) and
    # the textbook power below it, without a separate branch.
    return np.minimum(x / x_max, 1.0) ** alpha
