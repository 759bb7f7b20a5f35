"""A small GloVe problem and a training loop, shared by the backends' tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from orthoproof.models import GloveModel
from orthoproof.optimisers import Optimiser


def glove_problem(
    seed: int = 0, m: int = 6, n: int = 5, k: int = 3
) -> tuple[GloveModel, dict[str, np.ndarray]]:
    """A GloVe model on random counts, and a start with vectors and biases."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 20, (m, n)).astype(float)
    weights = np.minimum(1.0, (counts / 10) ** 0.75)
    target = np.where(counts > 0, np.log(np.maximum(counts, 1)), 0.0)
    start = {
        "A": rng.standard_normal((k, m)),
        "B": rng.standard_normal((k, n)),
        "b": rng.standard_normal(m) / 10,
        "c": rng.standard_normal(n) / 10,
    }
    return GloveModel(weights, target), start


def train(xp: Any, model: Any, optimiser: Optimiser, start: Any, steps: int) -> Any:
    """``steps`` steps in ``xp``; the end point with every backend array kept."""
    with xp.context():
        data = model.data(xp)
        theta = {n: xp.asarray(v) for n, v in start.items()}
        state = optimiser.init(xp, theta)
        for _ in range(steps):
            theta, state = optimiser.step(
                xp, theta, model.gradient(xp, theta, data), state
            )
        return theta


def train_to_float(
    xp: Any, model: Any, optimiser: Optimiser, start: Any, steps: int
) -> dict[str, np.ndarray]:
    """The end point of :func:`train` as float64 arrays."""
    theta = train(xp, model, optimiser, start, steps)
    with xp.context():
        return {n: xp.to_float(v) for n, v in theta.items()}
