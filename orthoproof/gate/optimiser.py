"""Check an optimiser's trajectory for equivariance under each group.

Per precision the optimiser runs ``steps`` steps from ``θ₀`` (once) and from
``P·θ₀`` (once per group); the deviation ``‖θ'_t − P·θ_t‖ / ‖θ_t‖`` after the
last step is read by the precision-scaling classifier. The per-step deviations
at the highest precision say at which step a break first showed.

A deviation that persists under O or SO is checked once more before it is
called a break (:mod:`orthoproof.gate.control`): rounding inside the optimiser
below the parameters' precision also persists across the ladder, but unlike a
break it does not shrink as the rotation approaches the identity. For torch
code the ladder is then run once more with those low-precision casts lifted
(:mod:`orthoproof.gate.lift`): if the lifted deviation shrinks, the update is
equivariant and the deviation was the rounding; otherwise the verdict stays
``undecided``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from orthoproof.errors import InvalidArgument
from orthoproof.gate.adapters import Runner, make_runner
from orthoproof.gate.calling import trapped_os_exit
from orthoproof.gate.control import CONTINUOUS, near_identity_control
from orthoproof.gate.errors import UserCodeError
from orthoproof.gate.lift import Lift, LiftedRunner
from orthoproof.gate.loading import object_path
from orthoproof.gate.precisions import Precision, classify_levels, deviation, ladder
from orthoproof.gate.problem import GROUPS, element, element_text, make_problem, move
from orthoproof.gate.results import CheckReport, GroupCheck, replay_command, verdict_of

__all__ = ["check_optimiser"]


def _kept(precision: Precision, trajectory: list[dict[str, Any]]) -> bool:
    last = trajectory[-1] if trajectory else {}
    return all(precision.keeps(v) for v in last.values())


def _first_step(precision: Precision, per_step: Sequence[float]) -> int | None:
    """First step (1-based) whose deviation exceeds √(rounding unit)·10.

    The same level as the classifier's: below it the deviation is rounding.
    """
    level = 10.0 * math.sqrt(precision.unit)
    for t, value in enumerate(per_step, start=1):
        if value > level:
            return t
    return None


def _lifted(
    runner: Runner,
    base: Mapping[str, tuple[Precision, dict[str, Any], Any, list[Any]]],
    p: Any,
    steps: int,
) -> Lift:
    """The ladder again for ``p``, with casts below the parameters' dtype lifted."""
    lifted = LiftedRunner(runner)
    finals = []
    for precision, theta, x, _ in base.values():
        with precision.context():
            plain = lifted.run(precision, theta, x, steps)[-1]
            moved = lifted.run(precision, move(p, precision, theta), x, steps)[-1]
            image = move(p, precision, plain)
            finals.append(deviation([moved["A"], moved["B"]], [image["A"], image["B"]]))
    dps = [prec.dps for prec, *_ in base.values()]
    return Lift(dict(lifted.casts), classify_levels(dps, finals))


@trapped_os_exit()  # conversions of returned values run user code too
def check_optimiser(
    opt: Any,
    *,
    groups: Sequence[str] = GROUPS,
    steps: int = 20,
    seed: int = 0,
    options: Mapping[str, Any] | None = None,
    params: str = "dict",
    k: int = 3,
    m: int = 4,
    n: int = 5,
    target: str | None = None,
    mpfr_dps: Sequence[int] = (30, 60),
) -> CheckReport:
    """Check whether ``opt`` commutes with each group acting on the hidden space.

    Parameters
    ----------
    opt
        An ``init``/``step`` object or a factory of one, a
        ``torch.optim.Optimizer`` subclass, or an optax transformation.
    groups
        Groups to check, from :data:`orthoproof.gate.problem.GROUPS`.
    steps
        Optimiser steps per trajectory.
    seed
        Seed of the problem and the group elements.
    options
        Keyword arguments for a factory or torch class (e.g. ``{"lr": 0.01}``).
    params
        How a protocol optimiser receives parameters: ``dict`` (``{"A", "B"}``),
        ``sequence`` (``[A, B]``) or ``array`` (``[A | B]``, k×(m+n)).
    k, m, n
        Shapes of the quadratic problem.
    target
        Import path for replay commands (derived from ``opt`` if omitted).
    mpfr_dps
        Digits of the mpfr rungs tried after the numpy dtypes.

    Raises
    ------
    UserCodeError
        If the optimiser raises, returns NaN or wrong shapes at float64.
    InvalidArgument
        If ``opt`` is none of the supported kinds, or an argument is invalid.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InvalidArgument.of("steps", steps, "a positive int")
    started = time.perf_counter()
    # The problem first: its arguments are checked before any user code runs.
    problem = make_problem(k, m, n, seed)
    runner: Runner = make_runner(opt, options, params=params, target=target)
    target = target or object_path(opt) or repr(opt)
    notes: list[str] = []
    base: dict[str, tuple[Precision, dict[str, Any], Any, list[Any]]] = {}
    for precision in ladder(mpfr_dps=mpfr_dps):
        if not runner.supports(precision):
            continue
        theta = {"A": precision.asarray(problem.A), "B": precision.asarray(problem.B)}
        x = precision.asarray(problem.data["X"])
        try:
            with precision.context():
                trajectory = runner.run(precision, theta, x, steps)
        except UserCodeError as exc:
            if precision.name == "float64":
                raise
            notes.append(f"{precision.name} skipped: {exc}")
            continue
        if not _kept(precision, trajectory):
            if precision.name == "float64":
                raise UserCodeError("step did not return float64 arrays for float64")
            notes.append(f"{precision.name} skipped: step changed the number type")
            continue
        base[precision.name] = (precision, theta, x, trajectory)
    if runner.kind != "protocol":
        notes.append(f"{runner.kind} runs in {', '.join(base)} only")
    extra = ["--steps", str(steps), "--k", str(k), "--m", str(m), "--n", str(n)]
    if options:
        extra += ["--options", json.dumps(dict(options), sort_keys=True)]
    if params != "dict":
        extra += ["--params", params]
    checks = []
    for group in groups:
        p = element(group, k, seed)
        finals, per_step = [], []
        for precision, theta, x, trajectory in base.values():
            with precision.context():
                moved = runner.run(precision, move(p, precision, theta), x, steps)
                devs = []
                for here, there in zip(trajectory, moved, strict=True):
                    image = move(p, precision, here)
                    devs.append(
                        deviation([there["A"], there["B"]], [image["A"], image["B"]])
                    )
            finals.append(devs[-1])
            per_step.append(devs)
        top = list(base.values())[-1][0]
        scaling = classify_levels([prec.dps for prec, *_ in base.values()], finals)
        f64 = list(base).index("float64")
        verdict, control, lift = verdict_of(scaling), None, None
        measurements = {"trajectory": scaling}
        if verdict == "broken" and group in CONTINUOUS:
            # Only here: one extra run at the top rung, for persisting groups.
            top_theta, top_x, top_trajectory = list(base.values())[-1][1:]
            control = near_identity_control(
                runner, top, top_theta, top_x, top_trajectory[-1], p, finals[-1], steps
            )
            if not control.scales:
                verdict = "undecided"
                if runner.kind == "torch":
                    # Rounding inside: is the update under it equivariant?
                    lift = _lifted(runner, base, p, steps)
                    measurements["lifted trajectory"] = lift.scaling
                    if lift.equivariant:
                        verdict = "equivariant"
        checks.append(
            GroupCheck(
                group=group,
                verdict=verdict,
                element=element_text(p),
                measurements=measurements,
                precisions=tuple(base),
                worst={
                    "final deviation at float64": finals[f64],
                    "in float64 rounding units": finals[f64] / 2.0**-53,
                    "largest deviation at float64 over the steps": max(per_step[f64]),
                },
                first_step=_first_step(top, per_step[-1]),
                replay=replay_command("optimiser", target, group, seed, extra=extra),
                control=control,
                lift=lift,
            )
        )
    return CheckReport(
        kind="optimiser",
        target=target,
        seed=seed,
        shapes=problem.shapes(("X",)),
        dtypes=tuple(base),
        steps=steps,
        groups=tuple(checks),
        notes=tuple(notes),
        timings={"check": time.perf_counter() - started},
    )
