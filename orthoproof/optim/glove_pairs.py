"""GloVe's own training loop: one co-occurrence record at a time, in a fixed order.

stanfordnlp/GloVe (``src/glove.c``) takes no full-batch steps. It walks the
shuffled records ``(i, j, Xᵢⱼ)`` one by one and updates word vector ``i``,
context vector ``j`` and both biases at once, so every record sees the updates
of the records before it. :class:`GlovePairs` is that loop: one :meth:`step`
is one epoch over the nonzero records of a
:class:`~orthoproof.models.GloveModel`, in an order drawn once from the
``seed`` hyperparameter.

The order depends on the seed and on which records are nonzero, never on the
parameters, so both runs of a trajectory pair visit the records alike and the
symmetry verdicts are the update rule's own, not an artefact of the order.

The loop needs the data rather than a gradient: the class declares
``needs_data = True``, and :func:`~orthoproof.trajectory.run.run_pair` then
passes ``model=`` and ``data=`` to :meth:`step` (and an empty gradient, which
the loop does not read).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from orthoproof.errors import InvalidArgument
from orthoproof.models import GloveModel
from orthoproof.optimisers import GloveAdagrad

__all__ = ["GlovePairs", "record_order"]


def record_order(weights: Any, seed: int) -> list[tuple[int, int]]:
    """The nonzero records of ``weights`` (m×n), shuffled once by ``seed``.

    A record with zero weight would move nothing, so it is skipped, as GloVe
    stores only observed pairs.
    """
    observed = np.asarray(np.asarray(weights, dtype=object) != 0, dtype=bool)
    rows, cols = np.nonzero(observed)
    shuffled = np.random.default_rng(seed).permutation(len(rows))
    return [(int(rows[r]), int(cols[r])) for r in shuffled]


class GlovePairs(GloveAdagrad):
    """GloVe's lagged Adagrad applied record by record (``src/glove.c``).

    For each record ``(i, j)`` in turn, with ``a = Aᵢ``, ``b = Bⱼ`` (columns)
    and ``f = f(Xᵢⱼ)`` the model's weight::

        diff = a·b + bᵢ + cⱼ − log Xᵢⱼ
        u_a = η·clip(f·diff·b),  u_b = η·clip(f·diff·a)   (per coordinate)
        a ← a − u_a/√s_a,  b ← b − u_b/√s_b,  then s ← s + u²
        bᵢ ← bᵢ − f·diff/√s_bᵢ,  cⱼ ← cⱼ − f·diff/√s_cⱼ,  then s ← s + (f·diff)²

    Both vector updates are formed from the vectors as they were before this
    record, and every accumulator is read before this record adds to it.
    Biases get no η and no clipping; accumulators start at 1. With a single
    record, one epoch is exactly one :class:`GloveAdagrad` step.

    Hyperparameters: GloVe's ``lr`` (η), ``clip``, ``initial_accumulator_value``,
    and ``seed``, from which the record order is drawn. State law: the
    accumulators are per coordinate (``square``), as for :class:`GloveAdagrad`.
    """

    name = "glove-adagrad-pairs"
    needs_data: ClassVar[bool] = True
    defaults = {**GloveAdagrad.defaults, "seed": "0"}

    def __init__(self, **hyper: Any) -> None:
        super().__init__(**hyper)
        seed = self.hyper["seed"]
        if not seed.isdigit():
            raise InvalidArgument.of("seed", hyper.get("seed"), "a non-negative int")

    def step(  # type: ignore[no-untyped-def, override]
        self, xp, params, grads, state, model=None, data=None
    ):
        model, data = _require(model, data, params)
        # The bound as an exact rational, parsed once rather than per record;
        # each backend still rounds it once, at its own precision.
        lr, clip = self.h(xp, "lr"), Fraction(self.hyper["clip"])
        weights, target = data
        # Copies: the caller may step from the same state twice (step claims).
        w = {n: v.copy() for n, v in params.items()}
        s = {n: v.copy() for n, v in state["gradsq"].items()}
        A, B, b, c = w["A"], w["B"], w["b"], w["c"]
        sA, sB, sb, sc = s["A"], s["B"], s["b"], s["c"]

        for i, j in record_order(model.weights, int(self.hyper["seed"])):
            fdiff = (A[:, i] @ B[:, j] + b[i] + c[j] - target[i, j]) * weights[i, j]

            # Array first in each product: a scalar of any backend then
            # defers to numpy's elementwise loop.
            ua = xp.clip(B[:, j] * fdiff, clip) * lr
            ub = xp.clip(A[:, i] * fdiff, clip) * lr
            A[:, i] = A[:, i] - ua / xp.sqrt(sA[:, i])
            B[:, j] = B[:, j] - ub / xp.sqrt(sB[:, j])
            sA[:, i] = sA[:, i] + ua * ua
            sB[:, j] = sB[:, j] + ub * ub

            # Biases: f·diff itself, with no η and no clipping.
            b[i] = b[i] - fdiff / xp.sqrt(sb[i])
            c[j] = c[j] - fdiff / xp.sqrt(sc[j])
            sb[i] = sb[i] + fdiff * fdiff
            sc[j] = sc[j] + fdiff * fdiff
        return w, {"t": state["t"] + 1, "gradsq": s}


def _require(model: Any, data: Any, params: Any) -> tuple[GloveModel, Any]:
    """The model and its data, checked: GloVe's cost, numpy-array parameters."""
    if not isinstance(model, GloveModel):
        raise InvalidArgument.of(
            "model", model, "a GloveModel: glove-adagrad-pairs walks its records"
        )
    if data is None:
        raise InvalidArgument.of("data", data, "the model's (weights, target) pair")
    # Entries are read and written one column at a time, which python-flint
    # matrices (FlintBackend) do not offer.
    for n, v in params.items():
        if not isinstance(v, np.ndarray):
            raise InvalidArgument.of(
                f"params[{n!r}]", v, "a numpy array (float64, mpfr or arb backend)"
            )
    return model, data
