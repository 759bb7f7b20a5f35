"""The GloVe problem every trajectory claim is settled on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orthoproof.data import Cooccurrence, glove_weights
from orthoproof.errors import InvalidArgument
from orthoproof.models import GloveModel

__all__ = ["GloveProblem", "glove_problem"]


@dataclass(frozen=True)
class GloveProblem:
    """The GloVe problem built from an input: model and exact start."""

    model: GloveModel
    start: dict[str, np.ndarray]
    k: int


def glove_problem(
    data: Cooccurrence, k: int, seed: int, x_max: float, alpha: float
) -> GloveProblem:
    """GloVe's weighted problem on ``data`` with a seeded start in the hidden space.

    Weights f(X) and targets log X are computed once in float64; from then on
    they are the exact problem every backend solves, so precision changes the
    arithmetic and nothing else. The start is Gaussian with scale 1/√k,
    rounded to float64 (exact dyadic rationals).
    """
    m, n = data.shape
    if k > min(m, n):
        raise InvalidArgument.of(
            "k", k, f"at most {min(m, n)}, the smaller side of the {m}×{n} input"
        )
    counts = data.counts
    weights = glove_weights(counts, x_max=x_max, alpha=alpha)
    target = np.where(counts > 0, np.log(np.where(counts > 0, counts, 1.0)), 0.0)
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(k)
    start = {
        "A": rng.standard_normal((k, m)) * scale,
        "B": rng.standard_normal((k, n)) * scale,
        "b": rng.standard_normal(m) * 0.1,
        "c": rng.standard_normal(n) * 0.1,
    }
    return GloveProblem(GloveModel(weights, target), start, k)
