"""Checks shared by every producer of co-occurrence matrices.

All readers and the counter funnel their numbers through :func:`check_entries`,
so "finite and non-negative" means the same thing, with the same wording,
wherever the numbers came from.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from orthoproof.errors import DataError, InvalidArgument

__all__ = [
    "MAX_DENSE_ENTRIES",
    "as_count_matrix",
    "check_dense_size",
    "check_entries",
    "positive_int",
]


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an ``int`` if it is an integer of at least 1.

    Parameters
    ----------
    name
        The argument's name, quoted in the error message.
    value
        The candidate; any integer type (``int``, ``numpy.int64``, ...) is
        accepted, but ``bool`` and floats are not.

    Returns
    -------
    int
        The value itself.

    Raises
    ------
    InvalidArgument
        If ``value`` is not an integer or is less than 1.
    """
    if isinstance(value, bool):
        # bool is an int subclass, but ``True`` as a size is surely a mistake.
        raise InvalidArgument.of(name, value, "an integer >= 1")
    try:
        number = operator.index(value)
    except TypeError:
        raise InvalidArgument.of(name, value, "an integer >= 1") from None
    if number < 1:
        raise InvalidArgument.of(name, value, "an integer >= 1")
    return number


def check_entries(
    values: np.ndarray, where: str, describe: Callable[[int], str]
) -> None:
    """Raise at the first value that is not a finite, non-negative number.

    Parameters
    ----------
    values
        Array of any shape, float64; it is scanned in C (row-major) order.
    where
        The data's origin (file path or description), quoted in the message.
    describe
        Maps the flat index of the offending value to a phrase locating it in
        the input, e.g. ``"record 3 (word 2, context 7)"`` or ``"line 12"``.

    Raises
    ------
    DataError
        Naming ``where``, the location, the value and the rule it breaks.
    """
    flat = np.ravel(values)
    # NaN compares false with everything, so it needs its own test.
    bad = ~np.isfinite(flat) | (flat < 0)
    if not bad.any():
        return
    index = int(np.argmax(bad))
    value = float(flat[index])
    problem = "negative" if np.isfinite(value) else "not finite"
    raise DataError(
        f"{where}: {describe(index)} has value {value!r}, which is {problem}; "
        "co-occurrence counts must be finite numbers >= 0"
    )


def as_count_matrix(counts: Any, where: str) -> np.ndarray:
    """Convert to a fresh, non-empty 2-D float64 array of valid counts.

    Parameters
    ----------
    counts
        Array-like of shape ``(m, n)`` with a real numeric (or boolean) dtype.
    where
        The data's origin, quoted in error messages.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, n)``, float64, a copy owned by the caller.

    Raises
    ------
    DataError
        If the array is not 2-D, is empty, has a non-real dtype, or holds a NaN,
        infinite or negative entry.
    """
    array = np.asarray(counts)
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{where}: dtype {array.dtype} is not usable; expected real numbers "
            "(bool, integer or floating point)"
        )
    if array.ndim != 2:
        raise DataError(
            f"{where}: array has shape {array.shape}; expected a 2-D (m, n) matrix"
        )
    if array.size == 0:
        raise DataError(
            f"{where}: matrix has shape {array.shape}; expected at least one row "
            "and one column"
        )
    matrix = np.array(array, dtype=np.float64)
    n_columns = matrix.shape[1]
    check_entries(
        matrix,
        where,
        lambda k: f"entry [{k // n_columns}, {k % n_columns}] (0-based)",
    )
    return matrix


# A dense float64 matrix beyond this many entries (800 MB) is refused with a
# clear message rather than left to fail later with a bare MemoryError.
MAX_DENSE_ENTRIES = 100_000_000


def check_dense_size(shape: tuple[int, int], where: str) -> None:
    """Refuse shapes whose dense float64 matrix would not sensibly fit in memory.

    Parameters
    ----------
    shape
        The ``(m, n)`` shape about to be allocated.
    where
        The data's origin, quoted in the message.

    Raises
    ------
    DataError
        If ``m * n`` exceeds :data:`MAX_DENSE_ENTRIES`.
    """
    m, n = shape
    if m * n > MAX_DENSE_ENTRIES:
        raise DataError(
            f"{where}: a dense {m} x {n} matrix has {m * n} entries; the suite "
            f"holds matrices densely and accepts at most {MAX_DENSE_ENTRIES} "
            "entries (trim the vocabulary before exporting)"
        )
