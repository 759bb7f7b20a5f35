"""Turn trajectory pairs into evidence for ``trajectory-equivariance`` claims.

One claim is settled by running the same pair in float64 and in ``mpfr`` at
each requested precision, classifying the deviations by their precision
scaling, and, when the deviation persists, re-running in balls to certify it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from orthoproof.backends import (
    Backend,
    Float64Backend,
    MpfrBackend,
    dps_to_prec,
    prec_to_dps,
)
from orthoproof.errors import InvalidArgument
from orthoproof.flintmat import FlintBackend
from orthoproof.models import Model
from orthoproof.nfloat import NfloatBackend
from orthoproof.optimisers import Optimiser
from orthoproof.trajectory.certify import certify_deviation
from orthoproof.trajectory.classify import classify_scaling
from orthoproof.trajectory.run import TrajectoryPair, run_pair
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["HIGH_PRECISION", "backends_for", "matrix_text", "trajectory_evidence"]

log = logging.getLogger(__name__)


#: high-precision backends a trajectory can run in, by name
HIGH_PRECISION: dict[str, Callable[[int], Backend]] = {
    "mpfr": MpfrBackend.from_dps,
    "flint": FlintBackend.from_dps,
    "nfloat": NfloatBackend.from_dps,
}


def backends_for(dps: Sequence[int], backend: str = "mpfr") -> list[Backend]:
    """float64 followed by ``backend`` at each precision, in increasing order."""
    if backend not in HIGH_PRECISION:
        raise InvalidArgument.of("backend", backend, f"one of {sorted(HIGH_PRECISION)}")
    make = HIGH_PRECISION[backend]
    levels = sorted(dps)
    made = [make(d) for d in levels]
    # nfloat rounds precision up to whole words: two requested precisions may
    # land on one, and the slope against precision would then divide by zero.
    for i in range(1, len(made)):
        if made[i - 1].prec == made[i].prec:
            raise InvalidArgument.of(
                "dps",
                tuple(dps),
                f"precisions that differ in the {backend} backend: "
                f"{levels[i - 1]} and {levels[i]} digits both run at "
                f"{made[i].prec} bits (nfloat works in whole 64-bit words; "
                "about 20 digits apart is always enough)",
            )
    return [Float64Backend(), *made]


def matrix_text(p: Any) -> list[list[str]]:
    """An exact matrix as nested lists of strings, for reports and replay."""
    return [[str(v) for v in row] for row in p]


def _scaling_evidence(
    pairs: Sequence[TrajectoryPair], optimiser: Optimiser
) -> Evidence:
    dps = tuple(int(pr.dps or 0) for pr in pairs)
    deviations = tuple(pr.deviation for pr in pairs)
    scaling = classify_scaling(dps, deviations)
    verdict = (
        Verdict.HOLDS
        if scaling.kind in ("shrinks", "exact-zero")
        else Verdict.UNDECIDED
    )
    return Evidence(
        kind="trajectory",
        verdict=verdict,
        summary=f"precision scaling: {scaling.kind} — {scaling.reason}",
        precision=dps,
        errors=deviations,
        details={
            "slope": scaling.slope,
            "classification": scaling.kind,
            "steps": pairs[0].steps,
            "backends": [pr.backend for pr in pairs],
            "optimiser": {"name": optimiser.name, **optimiser.hyper},
            "final_loss": pairs[-1].final_loss,
            "curves": {
                str(pr.dps): [list(point) for point in pr.curve] for pr in pairs
            },
        },
    )


def trajectory_evidence(
    model: Model,
    optimiser: Optimiser,
    start: Mapping[str, Any],
    p: Any,
    *,
    steps: int,
    dps: Sequence[int] = (30, 60),
    record_every: int = 0,
    replay: Mapping[str, Any] | None = None,
    certify_prec: int | None = None,
    backend: str = "mpfr",
) -> list[Evidence]:
    """Evidence for one ``trajectory-equivariance`` claim with one group element.

    Returns the precision-scaling evidence and, when the deviation persists
    across precisions, the ball-arithmetic certificate (``refuted`` only if the
    ball excludes zero).
    """
    pairs = [
        run_pair(xp, model, optimiser, start, p, steps, record_every)
        for xp in backends_for(dps, backend)
    ]
    scaling = _scaling_evidence(pairs, optimiser)
    evidence = [scaling]
    if scaling.details["classification"] != "persists":
        return evidence

    prec = certify_prec or dps_to_prec(max(dps))
    cert = certify_deviation(model, optimiser, start, p, steps, prec)
    counterexample = {
        "group_element": matrix_text(p),
        "steps": steps,
        "optimiser": {"name": optimiser.name, **optimiser.hyper},
        "deviation": pairs[-1].deviation,
        **dict(replay or {}),
    }
    evidence.append(
        Evidence(
            kind="certificate",
            verdict=Verdict.REFUTED if cert.certified else Verdict.UNDECIDED,
            summary=cert.reason,
            precision=(prec_to_dps(prec),),
            errors=(cert.lower_bound,),
            counterexample=counterexample if cert.certified else None,
            certificate=cert.to_json(),
        )
    )
    return evidence
