"""The stages of ``verify``, each a source of evidence for its own claims.

A new kind of evidence joins the pipeline by adding a :class:`Stage` to
:data:`STAGES`; ``verify`` needs no other change.
"""

from __future__ import annotations

from orthoproof.claims import ClaimSpec
from orthoproof.config import ALL_STAGES
from orthoproof.stages.base import Context, Found, Progress, Stage
from orthoproof.stages.core import fuzz_stage, proof_stage, trajectory_stage
from orthoproof.stages.inits import init_stage
from orthoproof.stages.optimisers import optimiser_stage
from orthoproof.stages.theory import theory_stage

__all__ = ["STAGES", "Context", "Found", "Progress", "Stage", "catalogue"]

STAGES: tuple[Stage, ...] = (
    theory_stage,
    proof_stage,
    fuzz_stage,
    trajectory_stage,
    optimiser_stage,
    init_stage,
)
assert tuple(s.name for s in STAGES) == ALL_STAGES, "config.ALL_STAGES is stale"


def catalogue(stages: tuple[Stage, ...] = STAGES) -> list[ClaimSpec]:
    """Every claim the given stages settle, once each, in stage order."""
    seen: dict[tuple[str, str], ClaimSpec] = {}
    for stage in stages:
        for spec in stage.claims:
            seen.setdefault((spec.id, spec.group), spec)
    return list(seen.values())
