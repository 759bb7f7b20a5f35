"""Initialisation laws: which groups leave them invariant (issue 7)."""

from __future__ import annotations

from orthoproof.claims import ClaimSpec
from orthoproof.stages.base import Context, Found, Stage

__all__ = ["INIT_K", "init_stage"]

#: Hidden dimension of the initialisation claims' evidence.
INIT_K = 4


def _claims() -> tuple[ClaimSpec, ...]:
    from orthoproof.inits import init_claims

    return tuple(
        ClaimSpec(cid, statement, group, expected)
        for cid, group, statement, expected in init_claims()
    )


def _run(ctx: Context) -> Found:
    from orthoproof.inits import init_evidence

    specs = ctx.settle(init_stage.claims)
    ctx.progress("initialisations", 0, 1, "exact laws and rotation tests")
    # The claims are about the laws, not this run's problem, so k is fixed at the
    # size the rotation test was calibrated for: at k = 2 its power is too low
    # and a pass would contradict the exact refutation of a uniform law.
    found = init_evidence(ctx.config.seed, k=INIT_K)
    ctx.progress("initialisations", 1, 1, "done")
    wanted = {(s.id, s.group) for s in specs}
    return {key: items for key, items in found.items() if key in wanted}


init_stage = Stage("initialisations", _claims(), _run)
