"""Basis-alignment statistics: how much the coordinate axes stand out.

A statistic maps vectors ``V`` (N×k, one vector per row) to a number that is
large when the coordinate axes are special. Any such function gives a valid
test when compared with the same function of ``VQ`` for Haar-random ``Q`` (see
:mod:`orthoproof.basis.measure`); the choice only decides what the test can see.

``kurtosis`` (the default) is the mean over coordinates of the absolute excess
kurtosis of that coordinate across the vectors. Why this one:

* it is blind to scale and to second moments, so per-axis variances (which any
  orthogonal transform of a covariance can produce) do not count as alignment;
* a random direction mixes many coordinates, and mixtures are closer to
  Gaussian (kurtosis nearer 0) than their parts; so axes along which the
  vectors are sparse or heavy-tailed (positive kurtosis: a few words load
  strongly on an axis, as interpretable "feature" axes would) and axes left
  flat by a uniform initialisation (kurtosis −1.2) both stand out against
  random bases;
* it is the quantity varimax-type rotations of factor analysis maximise, so a
  high value is what an interpretable basis is usually taken to look like.

``sparsity`` is ``1 − mean_v ‖v‖₁/(√k‖v‖₂)``: how concentrated each vector is
on few axes (0 for vectors spread evenly, up to ``1 − 1/√k`` for vectors on an
axis). It sees only one direction of departure (concentration), so a uniform
initialisation, which spreads vectors, scores *below* random bases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["STATISTICS", "coordinate_kurtosis", "kurtosis_statistic", "sparsity"]

#: coordinates whose variance is below this fraction of the mean variance are
#: treated as constant: their kurtosis would be rounding noise divided by ~0.
_TINY = 1e-24


def coordinate_kurtosis(vectors: np.ndarray) -> np.ndarray:
    """Excess kurtosis of each coordinate across the vectors.

    Parameters
    ----------
    vectors
        Shape ``(..., N, k)``: a set of N vectors, or a stack of such sets.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., k)``; 0 for coordinates that are (numerically) constant.
    """
    centred = vectors - vectors.mean(axis=-2, keepdims=True)
    squares = centred**2
    m2 = squares.mean(axis=-2)
    m4 = (squares**2).mean(axis=-2)
    floor = _TINY * np.maximum(m2.mean(axis=-1, keepdims=True), np.finfo(float).tiny)
    live = m2 > floor
    safe = np.where(live, m2, 1.0)
    return np.where(live, m4 / safe**2 - 3.0, 0.0)


def kurtosis_statistic(vectors: np.ndarray) -> np.ndarray:
    """Mean absolute excess kurtosis of the coordinates.

    ``vectors`` has shape ``(..., N, k)``; the result has shape ``(...)``.
    """
    return np.mean(np.abs(coordinate_kurtosis(vectors)), axis=-1)


def sparsity(vectors: np.ndarray) -> np.ndarray:
    """``1 − mean ‖v‖₁/(√k‖v‖₂)`` over the nonzero vectors.

    ``vectors`` has shape ``(..., N, k)``; the result has shape ``(...)``.
    """
    k = vectors.shape[-1]
    l2 = np.linalg.norm(vectors, axis=-1)
    l1 = np.abs(vectors).sum(axis=-1)
    keep = l2 > 0
    ratio = np.where(keep, l1 / (np.sqrt(k) * np.where(keep, l2, 1.0)), 0.0)
    count = np.maximum(keep.sum(axis=-1), 1)
    return 1.0 - ratio.sum(axis=-1) / count


STATISTICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "kurtosis": kurtosis_statistic,
    "sparsity": sparsity,
}
