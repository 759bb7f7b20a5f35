"""Shapes of the matrix-backed arrays (python-flint ``arb_mat``, FLINT nfloat).

Both hold a 1-D or 2-D array in one matrix, a vector as a column, and follow
numpy's broadcasting for the few shapes the models combine.
"""

from __future__ import annotations

import numpy as np

from orthoproof.errors import InvalidArgument

__all__ = ["broadcast_shape", "storage_shape"]

Shape = tuple[int, ...]


def storage_shape(shape: Shape) -> tuple[int, int]:
    """How an array of ``shape`` sits in a matrix: vectors as columns."""
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) == 1:
        return shape[0], 1
    raise InvalidArgument.of("shape", shape, "a 1-D or 2-D shape")


def broadcast_shape(a: Shape, b: Shape) -> Shape:
    """numpy's broadcast of ``a`` and ``b``, or ValueError naming both."""
    if a == b:
        return a
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        raise ValueError(f"shapes {a} and {b} do not broadcast") from None
