"""The three core stages: symbolic proofs, fuzzing and trajectories."""

from __future__ import annotations

import shlex

import numpy as np

from orthoproof.claims import CATALOGUE, ClaimSpec
from orthoproof.config import TRAJECTORY_HYPER, VerifyConfig, option_args
from orthoproof.groups import exact_element
from orthoproof.optimisers import optimiser_by_name
from orthoproof.stages.base import Context, Found, Stage
from orthoproof.trajectory import trajectory_evidence
from orthoproof.verdicts import Verdict

__all__ = [
    "EXTRA_MODEL_SPECS",
    "FUZZED",
    "fuzz_stage",
    "proof_stage",
    "replay_command",
    "trajectory_stage",
]

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
    found.update(_extra_proofs(ctx))
    ctx.progress("proofs", len(specs), len(specs), "done")
    return found


_EXTRA_DESCRIBED = {
    "weighted": "elementwise-weighted squared-error",
    "masked": "masked (matrix completion)",
    "l2": "L2-regularised (+λ(‖A‖² + ‖B‖²)/2)",
    "tied": "tied X ≈ AᵀA (one factor, A → PA)",
    "sgns": "word2vec SGNS logistic (negative samples)",
}


def _extra_specs() -> tuple[ClaimSpec, ...]:
    from orthoproof.prove.extra import EXTRA_MODEL_CLAIMS

    statements = {
        "loss-invariance": "E(PA, PB) = E(A, B) for the {} loss and every orthogonal P",
        "gradient-equivariance": "∇E(PA, PB) = P·∇E(A, B) for the {} loss",
        "orbit-orthogonality": "⟨∇E, (SA, SB)⟩ = 0 for every skew S, {} loss",
    }
    out = []
    for cid in EXTRA_MODEL_CLAIMS:
        kind, model = cid.split("/", 1)
        text = statements[kind].format(_EXTRA_DESCRIBED[model])
        out.append(ClaimSpec(cid, text, "O", Verdict.PROVED))
    return tuple(out)


#: Claims about the models of orthoproof.models_extra, settled with the proofs.
EXTRA_MODEL_SPECS = _extra_specs()


def _extra_proofs(ctx: Context) -> Found:
    from orthoproof.prove.extra import extra_evidence

    specs = ctx.settle(EXTRA_MODEL_SPECS)
    found: Found = {}
    for i, spec in enumerate(specs):
        ctx.progress("proofs", i, len(specs), spec.id)
        found[(spec.id, spec.group)] = extra_evidence(spec.id, ctx.config.proof_dims)
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


#: Settings every replay command spells out, defaults or not, so that the
#: seed, size and length of the run are read off the command itself.
_PINNED = ("seed", "k", "steps")
#: Settings a replay repeats when they differ from their defaults. The study's
#: are left out: a replay of one claim never runs the study.
_REPLAYED = (
    "data",
    "vocab_size",
    "window",
    "dps",
    "backend",
    "fuzz_examples",
    "stages",
)


def replay_command(config: VerifyConfig, claim_id: str, group: str) -> str:
    """The ``orthoproof verify`` command that settles one claim as this run did.

    Every option that differs from its default is repeated (the data path
    among them), each quoted for a POSIX shell.
    """
    return shlex.join(
        [
            "orthoproof",
            "verify",
            *option_args(config, _PINNED, changed_only=False),
            "--only",
            claim_id,
            "--group",
            group,
            *option_args(config, _REPLAYED),
        ]
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
            "command": replay_command(config, spec.id, spec.group),
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
            backend=config.backend,
        )
    ctx.progress("trajectories", len(specs), len(specs), "done")
    return found


proof_stage = Stage(
    "proofs",
    (
        *(s for s in CATALOGUE if not s.id.startswith("trajectory-")),
        *EXTRA_MODEL_SPECS,
    ),
    _proofs,
)
fuzz_stage = Stage(
    "fuzzing",
    tuple(s for s in CATALOGUE if s.id.split("/")[0] in FUZZED),
    _fuzzing,
)
trajectory_stage = Stage("trajectories", TRAJECTORY_CLAIMS, _trajectories)
