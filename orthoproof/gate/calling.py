"""Calling the user's code and holding its answers to account.

Whatever the user's code does wrong (raises, returns NaN, the wrong shape or a
non-number) becomes a :class:`UserCodeError` that names the callable, the
precision and the cause, so the CLI can exit with status 2 and say why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from orthoproof.gate.errors import UserCodeError
from orthoproof.gate.precisions import Precision, to_float64

__all__ = ["call", "finite_array", "finite_scalar"]


def call(what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, with any exception turned into UserCodeError."""
    try:
        return fn(*args, **kwargs)
    except UserCodeError:
        raise
    except Exception as exc:  # the user's code may raise anything
        raise UserCodeError(f"{what} raised {type(exc).__name__}: {exc}") from exc


def finite_scalar(what: str, value: Any, precision: Precision) -> float:
    """Check that ``value`` is one finite number; return it as float64."""
    array = np.asarray(value)
    if array.shape != ():
        raise UserCodeError(
            f"{what} returned shape {array.shape} at {precision.name}; "
            "expected a scalar"
        )
    try:
        number = float(array.item())
    except (TypeError, ValueError) as exc:
        raise UserCodeError(
            f"{what} returned {type(value).__name__} at {precision.name}; "
            "expected a number"
        ) from exc
    if not math.isfinite(number):
        raise UserCodeError(
            f"{what} returned {number} (not finite) at {precision.name}"
        )
    return number


def finite_array(
    what: str, value: Any, shape: tuple[int, ...], precision: Precision
) -> np.ndarray:
    """Check the shape and finiteness of a returned array."""
    array = np.asarray(value)
    if array.shape != shape:
        raise UserCodeError(
            f"{what} returned shape {array.shape} at {precision.name}; expected {shape}"
        )
    try:
        as_float = to_float64(array)
    except (TypeError, ValueError) as exc:
        raise UserCodeError(f"{what} returned non-numbers at {precision.name}") from exc
    if not np.all(np.isfinite(as_float)):
        raise UserCodeError(f"{what} returned NaN or inf at {precision.name}")
    return array
