"""Measuring whether the coordinate axes of trained vectors are privileged.

:func:`measure_basis` compares a basis-alignment statistic of the given
vectors with its distribution over Haar-random rotations of the same vectors;
:func:`read_vectors` reads word2vec/GloVe text vectors and ``.npy`` arrays.
"""

from __future__ import annotations

from orthoproof.basis.measure import BasisResult, measure_basis
from orthoproof.basis.readers import (
    Vectors,
    read_text_vectors,
    read_vectors,
    read_vectors_npy,
)
from orthoproof.basis.statistics import STATISTICS, coordinate_kurtosis

__all__ = [
    "STATISTICS",
    "BasisResult",
    "Vectors",
    "coordinate_kurtosis",
    "measure_basis",
    "read_text_vectors",
    "read_vectors",
    "read_vectors_npy",
]
