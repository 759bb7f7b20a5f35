"""Check a user's loss for invariance and its gradient for equivariance.

For each group element ``P`` and each precision the code runs at, the check
measures ``|E(PA, PB) − E(A, B)| / |E(A, B)|`` and
``‖∇E(PA, PB) − P·∇E(A, B)‖ / ‖∇E(A, B)‖``, then reads how both scale with
precision. The gradient comes from the user's callable or from central
differences with step ``2^-(bits/3)``, which balances truncation (h²) against
rounding (u/h); its error ~u^(2/3) still falls with precision, so the scaling
classifier sees it as rounding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from orthoproof.gate.calling import (
    call,
    finite_array,
    finite_scalar,
    trapped_os_exit,
)
from orthoproof.gate.errors import UserCodeError
from orthoproof.gate.loading import object_path
from orthoproof.gate.precisions import (
    Precision,
    classify_levels,
    deviation,
    ladder,
)
from orthoproof.gate.problem import (
    GROUPS,
    Problem,
    element,
    element_text,
    make_problem,
    move,
)
from orthoproof.gate.results import CheckReport, GroupCheck, replay_command, verdict_of

__all__ = ["check_loss"]

Loss = Callable[..., Any]


def _gradient(
    loss: Loss,
    grad: Callable[..., Any] | None,
    a: np.ndarray,
    b: np.ndarray,
    data: Mapping[str, Any],
    precision: Precision,
) -> tuple[np.ndarray, np.ndarray]:
    if grad is not None:
        out = call("gradient", grad, a.copy(), b.copy(), **data)
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise UserCodeError("gradient returned something other than (gA, gB)")
        ga = finite_array("gradient (A part)", out[0], a.shape, precision)
        gb = finite_array("gradient (B part)", out[1], b.shape, precision)
        return ga, gb
    h = precision.number(2.0 ** -(precision.bits // 3))
    two_h = h + h
    parts = []
    for x, other, first in ((a, b, True), (b, a, False)):
        g = np.empty(x.shape, dtype=x.dtype)
        for index in np.ndindex(x.shape):
            values = []
            for sign in (1, -1):
                probe = x.copy()
                probe[index] = probe[index] + sign * h
                pair = (probe, other) if first else (other, probe)
                values.append(call("loss", loss, *pair, **data))
            g[index] = (values[0] - values[1]) / two_h
        parts.append(g)
    return parts[0], parts[1]


def _evaluate(
    loss: Loss,
    grad: Callable[..., Any] | None,
    problem: Problem,
    params: Mapping[str, np.ndarray],
    data: Mapping[str, Any],
    precision: Precision,
) -> tuple[Any, tuple[np.ndarray, np.ndarray]]:
    value = call("loss", loss, params["A"].copy(), params["B"].copy(), **data)
    finite_scalar("loss", value, precision)
    if not precision.keeps(value):
        raise _Downcast(f"loss returned {type(value).__name__} for {precision.name}")
    ga, gb = _gradient(loss, grad, params["A"], params["B"], data, precision)
    return value, (ga, gb)


class _Downcast(Exception):
    """The code ran but left the precision: skip the rung, note why."""


@trapped_os_exit()  # conversions of returned values run user code too
def check_loss(
    loss: Loss,
    grad: Callable[..., Any] | None = None,
    *,
    k: int = 3,
    m: int = 4,
    n: int = 5,
    groups: Sequence[str] = GROUPS,
    seed: int = 0,
    data_keys: Sequence[str] = ("X",),
    target: str | None = None,
    grad_target: str | None = None,
    mpfr_dps: Sequence[int] = (30, 60),
) -> CheckReport:
    """Check ``loss(A, B, **data)`` for invariance under each group.

    Parameters
    ----------
    loss
        ``loss(A, B, **data) -> scalar`` on numpy arrays, hidden dimension
        first (``A`` is k×m, ``B`` is k×n).
    grad
        Optional ``grad(A, B, **data) -> (gA, gB)``; central differences
        otherwise.
    k, m, n
        Shapes of the generated problem.
    groups
        Groups to check, from :data:`orthoproof.gate.problem.GROUPS`.
    seed
        Seed of the problem and of the group elements.
    data_keys
        Which generated arrays to pass as keywords: ``X`` (m×n target), ``W``
        (m×n positive weights), ``b`` (m), ``c`` (n).
    target, grad_target
        Import paths, for replay commands (derived from the objects if omitted).
    mpfr_dps
        Digits of the mpfr rungs tried after the numpy dtypes.

    Returns
    -------
    CheckReport
        One :class:`GroupCheck` per group.

    Raises
    ------
    UserCodeError
        If the loss or gradient raises, returns NaN or the wrong shape at
        float64 (other precisions fall back silently, with a note).
    """
    started = time.perf_counter()
    problem = make_problem(k, m, n, seed)
    unknown = [key for key in data_keys if key not in problem.data]
    if unknown:
        from orthoproof.errors import InvalidArgument

        raise InvalidArgument.of("data_keys", list(data_keys), "names among X, W, b, c")
    target = target or object_path(loss) or repr(loss)
    grad_target = grad_target or (object_path(grad) if grad is not None else None)
    notes: list[str] = []
    base: dict[str, tuple[Precision, dict[str, Any], dict[str, Any], Any, Any]] = {}
    for precision in ladder(mpfr_dps=mpfr_dps):
        params = {"A": precision.asarray(problem.A), "B": precision.asarray(problem.B)}
        data = {key: precision.asarray(problem.data[key]) for key in data_keys}
        try:
            with precision.context():
                value, g = _evaluate(loss, grad, problem, params, data, precision)
        except (UserCodeError, _Downcast) as exc:
            if precision.name == "float64":
                raise
            notes.append(f"{precision.name} skipped: {exc}")
            continue
        base[precision.name] = (precision, params, data, value, g)
    extra = ["--k", str(k), "--m", str(m), "--n", str(n)]
    extra += ["--data-keys", ",".join(data_keys)]
    if grad_target:
        extra += ["--grad", grad_target]
    checks = []
    for group in groups:
        p = element(group, k, seed)
        loss_devs, grad_devs = [], []
        for precision, params, data, value, (ga, gb) in base.values():
            moved = move(p, precision, params)
            with precision.context():
                value2, (ga2, gb2) = _evaluate(
                    loss, grad, problem, moved, data, precision
                )
                scale = abs(value) if value != 0 else 1
                loss_devs.append(float(abs(value2 - value) / scale))
                image = move(p, precision, {"A": ga, "B": gb})
                grad_devs.append(deviation([ga2, gb2], [image["A"], image["B"]]))
        dps = [prec.dps for prec, *_ in base.values()]
        s_loss, s_grad = (
            classify_levels(dps, loss_devs),
            classify_levels(dps, grad_devs),
        )
        worst = {
            "loss deviation at float64": loss_devs[list(base).index("float64")],
            "gradient deviation at float64": grad_devs[list(base).index("float64")],
            "float64 rounding unit": 2.0**-53,
        }
        checks.append(
            GroupCheck(
                group=group,
                verdict=verdict_of(s_loss, s_grad),
                element=element_text(p),
                measurements={"loss": s_loss, "gradient": s_grad},
                precisions=tuple(base),
                worst=worst,
                first_step=None,
                replay=replay_command("loss", target, group, seed, extra=extra),
            )
        )
    return CheckReport(
        kind="loss",
        target=target,
        seed=seed,
        shapes=problem.shapes(tuple(data_keys)),
        dtypes=tuple(base),
        steps=None,
        groups=tuple(checks),
        notes=tuple(notes),
        timings={"check": time.perf_counter() - started},
    )
