"""The three core stages: symbolic proofs, fuzzing and trajectories."""

from __future__ import annotations

import numpy as np

from orthoproof.claims import CATALOGUE
from orthoproof.config import TRAJECTORY_HYPER
from orthoproof.groups import exact_element
from orthoproof.optimisers import optimiser_by_name
from orthoproof.stages.base import Context, Found, Stage
from orthoproof.trajectory import trajectory_evidence

__all__ = ["FUZZED", "fuzz_stage", "proof_stage", "trajectory_stage"]

#: Claim families the fuzzer measures (with any model of the catalogue).
FUZZED = (
    "product-invariance",
    "loss-invariance",
    "gradient-equivariance",
    "orbit-orthogonality",
)


def _proofs(ctx: Context) -> Found:
    from orthoproof.prove import SYMBOLIC_CLAIMS, exact_check, prove_claim

    specs = ctx.settle(tuple(s for s in CATALOGUE if s.id in SYMBOLIC_CLAIMS))
    found: Found = {}
    for i, spec in enumerate(specs):
        ctx.progress("proofs", i, len(specs), spec.id)
        found[(spec.id, spec.group)] = [
            prove_claim(spec.id, ctx.config.proof_dims),
            exact_check(spec.id, seed=ctx.config.seed),
        ]
    ctx.progress("proofs", len(specs), len(specs), "done")
    return found


def _fuzzing(ctx: Context) -> Found:
    from orthoproof.fuzz import fuzz_claim

    specs = ctx.settle(tuple(s for s in CATALOGUE if s.id.split("/")[0] in FUZZED))
    found: Found = {}
    for i, spec in enumerate(specs):
        ctx.progress("fuzzing", i, len(specs), spec.id)
        evidence = fuzz_claim(
            spec.id, max_examples=ctx.config.fuzz_examples, seed=ctx.config.seed
        )
        found[(spec.id, spec.group)] = [evidence]
    ctx.progress("fuzzing", len(specs), len(specs), "done")
    return found


TRAJECTORY_CLAIMS = tuple(
    s for s in CATALOGUE if s.id.startswith("trajectory-equivariance/")
)


def _trajectories(ctx: Context) -> Found:
    config, problem = ctx.config, ctx.problem
    specs = ctx.settle(TRAJECTORY_CLAIMS)
    found: Found = {}
    for i, spec in enumerate(specs):
        ctx.progress("trajectories", i, len(specs), f"{spec.id} [{spec.group}]")
        name = spec.id.split("/")[1]
        optimiser = optimiser_by_name(name, **TRAJECTORY_HYPER[name])
        # One group element per claim, drawn from the run's seed and the claim's
        # place in the catalogue, so that a claim replays alone with --only.
        rng = np.random.default_rng([config.seed, TRAJECTORY_CLAIMS.index(spec)])
        p = exact_element(spec.group, problem.k, rng)
        replay = {
            "seed": config.seed,
            "k": problem.k,
            "shape": list(problem.model.shape),
            "command": f"orthoproof verify --seed {config.seed} --k {problem.k} "
            f"--steps {config.steps} --only {spec.id} --group {spec.group}",
        }
        found[(spec.id, spec.group)] = trajectory_evidence(
            problem.model,
            optimiser,
            problem.start,
            p,
            steps=config.steps,
            dps=config.dps,
            record_every=config.record_every,
            replay=replay,
        )
    ctx.progress("trajectories", len(specs), len(specs), "done")
    return found


proof_stage = Stage(
    "proofs", tuple(s for s in CATALOGUE if not s.id.startswith("trajectory-")), _proofs
)
fuzz_stage = Stage(
    "fuzzing",
    tuple(s for s in CATALOGUE if s.id.split("/")[0] in FUZZED),
    _fuzzing,
)
trajectory_stage = Stage("trajectories", TRAJECTORY_CLAIMS, _trajectories)
