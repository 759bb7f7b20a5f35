"""Are the coordinate axes of a set of vectors privileged? A rotation test.

The null hypothesis is that the axes are arbitrary: the law of the vectors is
unchanged by rotating them, ``V ~ VQ`` for every orthogonal ``Q``. Under it,
the statistic of the observed vectors and the statistics of ``R`` copies
rotated by independent Haar-random ``Q₁ … Q_R`` are exchangeable, so the
rank of the observed value among them is uniform and

    p = (1 + #{r : T(VQ_r) ≥ T(V)}) / (R + 1)

satisfies P(p ≤ α) ≤ α exactly, for any N, k and any statistic, whenever
α(R + 1) is an integer (a Monte Carlo test, Barnard 1963). No distributional
assumption on the vectors is needed beyond the null itself.

What "privileged" means here is decided by the statistic; see
:mod:`orthoproof.basis.statistics`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from orthoproof.basis.statistics import STATISTICS, coordinate_kurtosis
from orthoproof.errors import DataError, InvalidArgument

__all__ = ["BasisResult", "measure_basis"]


@dataclass(frozen=True)
class BasisResult:
    """The outcome of :func:`measure_basis`.

    Attributes
    ----------
    statistic
        The statistic of the vectors as given.
    null_mean, null_sd
        Mean and standard deviation of the statistic over the rotated copies.
    p_value
        One-sided upper p-value with the +1 correction: small when the given
        axes score higher than random bases.
    p_lower
        The mirror p-value: small when the given axes score *lower*.
    p_two_sided
        ``min(1, 2·min(p_value, p_lower))``.
    effect_size
        ``(statistic − null_mean)/null_sd``, in null standard deviations.
    ratio
        ``statistic / null_mean`` (None when the null mean is 0).
    rotations, n_vectors, k, statistic_name, seed
        What was computed.
    coordinate_kurtosis
        Excess kurtosis of each given axis (which axes stand out), length k.
    """

    statistic: float
    null_mean: float
    null_sd: float
    p_value: float
    p_lower: float
    p_two_sided: float
    effect_size: float
    ratio: float | None
    rotations: int
    n_vectors: int
    k: int
    statistic_name: str
    seed: int
    coordinate_kurtosis: tuple[float, ...]

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["coordinate_kurtosis"] = list(self.coordinate_kurtosis)
        return out


def _check_vectors(vectors: Any) -> np.ndarray:
    v = np.asarray(vectors)
    if v.ndim != 2 or v.shape[0] < 2 or v.shape[1] < 2:
        raise InvalidArgument.of(
            "vectors", getattr(v, "shape", v), "a 2-D array N×k with N ≥ 2, k ≥ 2"
        )
    if v.dtype.kind not in "fiu":
        raise InvalidArgument.of("vectors", v.dtype, "a real numeric array")
    v = v.astype(np.float64)
    if not np.all(np.isfinite(v)):
        raise DataError("vectors contain NaN or infinite values; expected finite")
    if not np.any(v != v[0]):
        raise DataError("all vectors are identical; no basis can be measured")
    return v


def _haar_batch(k: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` Haar-distributed elements of O(k), shape ``(size, k, k)``.

    The same construction as :func:`orthoproof.groups.haar_orthogonal`
    (sign-fixed QR of a Gaussian matrix), stacked so numpy factors them at once.
    """
    q, r = np.linalg.qr(rng.standard_normal((size, k, k)))
    signs = np.sign(np.diagonal(r, axis1=1, axis2=2))
    signs[signs == 0] = 1
    return q * signs[:, None, :]


def _batches(total: int, per_item: int) -> list[int]:
    """Split ``total`` rotations into batches of bounded memory (~4M numbers)."""
    size = max(1, min(total, 4_000_000 // max(per_item, 1)))
    return [min(size, total - start) for start in range(0, total, size)]


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidArgument.of(name, value, "a positive int")
    return int(value)


def measure_basis(
    vectors: np.ndarray,
    rotations: int = 200,
    seed: int = 0,
    statistic: str = "kurtosis",
) -> BasisResult:
    """Test whether the coordinate axes of ``vectors`` are privileged.

    Parameters
    ----------
    vectors
        Shape ``(N, k)``: one vector per row (for a hidden-first parameter
        ``A`` of shape ``(k, m)``, pass ``A.T``).
    rotations
        Number ``R`` of Haar-random rotations forming the null distribution.
        The smallest attainable p-value is ``1/(R + 1)``.
    seed
        Seed of the rotations.
    statistic
        A name in :data:`~orthoproof.basis.statistics.STATISTICS`.

    Returns
    -------
    BasisResult
    """
    v = _check_vectors(vectors)
    rotations = _positive_int("rotations", rotations)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidArgument.of("seed", seed, "a non-negative int")
    if statistic not in STATISTICS:
        raise InvalidArgument.of("statistic", statistic, f"one of {sorted(STATISTICS)}")
    stat = STATISTICS[statistic]
    n, k = v.shape
    rng = np.random.default_rng(seed)
    observed = float(stat(v))
    # v @ q for a stack of q rotates every vector by each qᵀ at once.
    null = np.concatenate(
        [stat(v @ _haar_batch(k, size, rng)) for size in _batches(rotations, n * k)]
    )
    upper = (1 + int(np.sum(null >= observed))) / (rotations + 1)
    lower = (1 + int(np.sum(null <= observed))) / (rotations + 1)
    mean, sd = float(null.mean()), float(null.std(ddof=1)) if rotations > 1 else 0.0
    return BasisResult(
        statistic=observed,
        null_mean=mean,
        null_sd=sd,
        p_value=upper,
        p_lower=lower,
        p_two_sided=min(1.0, 2 * min(upper, lower)),
        effect_size=(observed - mean) / sd if sd > 0 else 0.0,
        ratio=observed / mean if mean != 0 else None,
        rotations=rotations,
        n_vectors=n,
        k=k,
        statistic_name=statistic,
        seed=seed,
        coordinate_kurtosis=tuple(float(x) for x in coordinate_kurtosis(v)),
    )
