"""The optimiser catalogue: symmetry table, one-step claims, the small-gradient trap.

Settled on a smaller slice of the built-in corpus than the core trajectory
claims (see :class:`orthoproof.symmetry.TableSettings`), so that every
optimiser of FACTS.md meets every group within the run's time budget.
"""

from __future__ import annotations

import numpy as np

from orthoproof.claims import ClaimSpec
from orthoproof.stages.base import Context, Found, Stage
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["optimiser_stage"]

#: Loss scales of the small-gradient sweep (GloVe's cost times the scale).
SWEEP = ("1e-9", "1e-12", "1e-15", "1e-16", "1e-17")


def _claims() -> tuple[ClaimSpec, ...]:
    from orthoproof.optim.catalogue import expected_verdict, table_names
    from orthoproof.optim.step_claims import step_claim_id
    from orthoproof.symmetry import table_claims
    from orthoproof.trajectory.small_gradient import SMALL_GRADIENT_CLAIM

    steps = [
        ClaimSpec(
            step_claim_id(name),
            f"one step of {name} commutes with an exact rotation: "
            "step(Pθ, P·state) = P·step(θ, state)",
            "O",
            expected_verdict(name, "O"),
        )
        for name in table_names()
    ]
    trap = ClaimSpec(
        SMALL_GRADIENT_CLAIM,
        "Adam with gradients far below its ε (GloVe's cost × 1e-12) is still not "
        "O(k)-equivariant, though it then resembles scaled SGD",
        "O",
        Verdict.REFUTED,
    )
    return (*table_claims(), *steps, trap)


def _trap(ctx: Context) -> list[Evidence]:
    from orthoproof.groups import exact_element
    from orthoproof.symmetry import TableSettings, _problem
    from orthoproof.trajectory.small_gradient import (
        float64_visibility_scale,
        small_gradient_evidence,
        small_gradient_sweep,
    )

    settings = TableSettings(seed=ctx.config.seed)
    problem = _problem(settings)
    p = exact_element("O", settings.k, np.random.default_rng([ctx.config.seed, 12]))
    evidence = small_gradient_evidence(problem.model, problem.start, p)
    points = small_gradient_sweep(problem.model, problem.start, p, SWEEP)
    hidden = float64_visibility_scale(points)
    where = (
        f"below a largest gradient of about {hidden.gradient:.1e} "
        f"(loss scale {hidden.scale}) float64 shows only rounding"
        if hidden
        else "float64 sees the breakage at every scale of the sweep"
    )
    evidence.append(
        Evidence(
            kind="sweep",
            verdict=Verdict.UNDECIDED,  # a measurement, not a verdict
            summary=f"Adam's deviation against loss scale: {where}",
            details={"points": [pt.to_json() for pt in points]},
        )
    )
    return evidence


def _table(ctx: Context, wanted: set[tuple[str, str]]) -> Found:
    """Evidence for the wanted cells of the symmetry table.

    The whole table runs in two processes; a few cells (a replay with --only)
    run alone, in this one, with the very settings and group elements the
    whole table gives them.
    """
    from orthoproof.claims import trajectory_claim_id
    from orthoproof.groups import TABLE_GROUPS
    from orthoproof.optim.catalogue import table_names
    from orthoproof.symmetry import TableSettings, cell_evidence, table_evidence

    cells = {
        (trajectory_claim_id(name, "glove"), group): (name, group)
        for name in table_names()
        for group in TABLE_GROUPS
    }
    asked = [key for key in cells if key in wanted]
    if not asked:
        return {}
    if len(asked) == len(cells):
        return table_evidence(ctx.config.seed, ctx.progress, workers=2)
    settings = TableSettings(seed=ctx.config.seed)
    found: Found = {}
    for i, key in enumerate(asked):
        name, group = cells[key]
        ctx.progress("symmetry-table", i, len(asked), f"{name} [{group}]")
        found[key] = cell_evidence(name, group, settings)[0]
    ctx.progress("symmetry-table", len(asked), len(asked), "done")
    return found


def _run(ctx: Context) -> Found:
    from orthoproof.optim.catalogue import table_names
    from orthoproof.optim.step_claims import step_claim_id, step_evidence
    from orthoproof.trajectory.small_gradient import SMALL_GRADIENT_CLAIM

    wanted = {(s.id, s.group) for s in ctx.settle(optimiser_stage.claims)}
    found = _table(ctx, wanted)
    for name in table_names():
        if (step_claim_id(name), "O") in wanted:
            found[(step_claim_id(name), "O")] = [step_evidence(name, ctx.config.seed)]
    if (SMALL_GRADIENT_CLAIM, "O") in wanted:
        found[(SMALL_GRADIENT_CLAIM, "O")] = _trap(ctx)
    return found


optimiser_stage = Stage("optimisers", _claims(), _run)
