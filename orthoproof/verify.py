"""``orthoproof verify``: every claim of the catalogue, settled on real input.

The pipeline has four evidence stages — symbolic proofs with exact checks,
fuzzing, and high-precision trajectories on the input's GloVe problem — and
combines each claim's evidence into its verdict. It reports progress through
a callback and logs; it never prints (the CLI owns the terminal).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from orthoproof.claims import CATALOGUE, ClaimSpec, expected_for
from orthoproof.data import Cooccurrence, glove_weights, load
from orthoproof.errors import InvalidArgument
from orthoproof.groups import exact_element
from orthoproof.models import GloveModel
from orthoproof.optimisers import optimiser_by_name
from orthoproof.report import RunInfo
from orthoproof.trajectory import trajectory_evidence
from orthoproof.verdicts import ClaimResult, Evidence, combine

__all__ = ["GloveProblem", "VerifyConfig", "glove_problem", "verify"]

log = logging.getLogger(__name__)

ALL_STAGES = ("proofs", "fuzzing", "trajectories")
#: Claim families the fuzzer measures (with any model of the catalogue).
FUZZED = (
    "product-invariance",
    "loss-invariance",
    "gradient-equivariance",
    "orbit-orthogonality",
)

#: Called as progress(stage, done, total, label) while the pipeline works.
Progress = Callable[[str, int, int, str], None]

#: Learning rates for full-batch training on GloVe's summed cost. Framework
#: defaults are kept where the run stays bounded (Adagrad, GloVe, Adam); plain
#: and momentum steps are scaled to the summed loss so that 50 steps descend.
TRAJECTORY_HYPER: Mapping[str, Mapping[str, str]] = {
    "sgd": {"lr": "0.002"},
    "momentum": {"lr": "0.0005", "momentum": "0.9"},
    "adagrad": {},
    "glove-adagrad": {},
    "adam": {"lr": "0.01"},
}


@dataclass(frozen=True)
class VerifyConfig:
    """Settings of one ``verify`` run; every field is recorded in the report."""

    seed: int = 0
    data: str | None = None
    #: words kept; None keeps all of a file and 40 of the built-in corpus
    vocab_size: int | None = None
    window: int = 10
    k: int = 4
    steps: int = 50
    dps: tuple[int, ...] = (30, 60)
    fuzz_examples: int = 150
    proof_dims: tuple[int, int, int] = (3, 2, 2)
    record_every: int = 5
    x_max: float = 100.0
    alpha: float = 0.75
    stages: tuple[str, ...] = ALL_STAGES

    def __post_init__(self) -> None:
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or self.seed < 0
        ):
            raise InvalidArgument.of("seed", self.seed, "a non-negative int")
        for name in ("vocab_size", "window", "k", "steps", "fuzz_examples"):
            value = getattr(self, name)
            if name == "vocab_size" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgument.of(name, value, "a positive int")
        if len(self.dps) < 2 or any(not isinstance(d, int) or d < 17 for d in self.dps):
            raise InvalidArgument.of(
                "dps",
                self.dps,
                "two or more ints above float64's 16 digits, e.g. 30,60",
            )
        unknown = set(self.stages) - set(ALL_STAGES)
        if unknown or not self.stages:
            raise InvalidArgument.of(
                "stages",
                self.stages,
                "a non-empty subset of proofs, fuzzing, trajectories",
            )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["dps"], out["proof_dims"] = list(self.dps), list(self.proof_dims)
        out["stages"] = list(self.stages)
        out["trajectory_hyperparameters"] = {
            name: optimiser_by_name(name, **hyper).hyper
            for name, hyper in TRAJECTORY_HYPER.items()
        }
        return out


@dataclass(frozen=True)
class GloveProblem:
    """The GloVe problem built from an input: model and exact start."""

    model: GloveModel
    start: dict[str, np.ndarray]
    k: int


def glove_problem(
    data: Cooccurrence, k: int, seed: int, x_max: float, alpha: float
) -> GloveProblem:
    """GloVe's weighted problem on ``data`` with a seeded start in the hidden space.

    Weights f(X) and targets log X are computed once in float64; from then on
    they are the exact problem every backend solves, so precision changes the
    arithmetic and nothing else. The start is Gaussian with scale 1/√k,
    rounded to float64 (exact dyadic rationals).
    """
    m, n = data.shape
    if k > min(m, n):
        raise InvalidArgument.of(
            "k", k, f"at most {min(m, n)}, the smaller side of the {m}×{n} input"
        )
    counts = data.counts
    weights = glove_weights(counts, x_max=x_max, alpha=alpha)
    target = np.where(counts > 0, np.log(np.where(counts > 0, counts, 1.0)), 0.0)
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(k)
    start = {
        "A": rng.standard_normal((k, m)) * scale,
        "B": rng.standard_normal((k, n)) * scale,
        "b": rng.standard_normal(m) * 0.1,
        "c": rng.standard_normal(n) * 0.1,
    }
    return GloveProblem(GloveModel(weights, target), start, k)


@dataclass
class _Clock:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - begin, 3)


def _symbolic_stage(
    config: VerifyConfig, wanted: set[str], progress: Progress
) -> dict[str, list[Evidence]]:
    from orthoproof.prove import SYMBOLIC_CLAIMS, exact_check, prove_claim

    ids = [s.id for s in CATALOGUE if s.id in SYMBOLIC_CLAIMS and s.id in wanted]
    found: dict[str, list[Evidence]] = {}
    for i, claim_id in enumerate(ids):
        progress("proofs", i, len(ids), claim_id)
        evidence = [prove_claim(claim_id, config.proof_dims)]
        evidence.append(exact_check(claim_id, seed=config.seed))
        found[claim_id] = evidence
    progress("proofs", len(ids), len(ids), "done")
    return found


def _fuzz_stage(
    config: VerifyConfig, wanted: set[str], progress: Progress
) -> dict[str, list[Evidence]]:
    from orthoproof.fuzz import fuzz_claim

    ids = [s.id for s in CATALOGUE if s.id.split("/")[0] in FUZZED and s.id in wanted]
    found: dict[str, list[Evidence]] = {}
    for i, claim_id in enumerate(ids):
        progress("fuzzing", i, len(ids), claim_id)
        found[claim_id] = [
            fuzz_claim(claim_id, max_examples=config.fuzz_examples, seed=config.seed)
        ]
    progress("fuzzing", len(ids), len(ids), "done")
    return found


def _trajectory_stage(
    config: VerifyConfig, problem: GloveProblem, wanted: set[str], progress: Progress
) -> dict[tuple[str, str], list[Evidence]]:
    specs = [
        s
        for s in CATALOGUE
        if s.id.startswith("trajectory-equivariance/") and s.id in wanted
    ]
    found: dict[tuple[str, str], list[Evidence]] = {}
    for i, spec in enumerate(specs):
        progress("trajectories", i, len(specs), f"{spec.id} [{spec.group}]")
        name = spec.id.split("/")[1]
        optimiser = optimiser_by_name(name, **TRAJECTORY_HYPER[name])
        # One group element per claim, drawn from the run's seed and the claim,
        # so that a single claim can be replayed on its own.
        rng = np.random.default_rng([config.seed, i])
        p = exact_element(spec.group, problem.k, rng)
        replay = {
            "seed": config.seed,
            "k": problem.k,
            "shape": list(problem.model.shape),
            "command": f"orthoproof verify --seed {config.seed} --k {problem.k} "
            f"--steps {config.steps} --only {spec.id}",
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
    progress("trajectories", len(specs), len(specs), "done")
    return found


STAGE_OF_KIND = {"symbolic": "proofs", "exact-check": "proofs", "fuzz": "fuzzing"}

#: Keys of evidence details that hold wall-clock times; they move to the run's
#: timings so everything else in a report is reproducible byte for byte.
TIMING_KEYS = ("timings_s", "seconds")


def _without_timings(
    evidence: list[Evidence], label: str, timings: dict[str, float]
) -> list[Evidence]:
    kept = []
    for item in evidence:
        for key in TIMING_KEYS:
            value = item.details.get(key)
            if isinstance(value, dict):
                value = value.get("total", sum(float(v) for v in value.values()))
            if value is not None:
                name = (
                    f"{STAGE_OF_KIND.get(item.kind, item.kind)}/{label} ({item.kind})"
                )
                timings[name] = round(timings.get(name, 0.0) + float(value), 3)
        details = {k: v for k, v in item.details.items() if k not in TIMING_KEYS}
        kept.append(replace(item, details=details))
    return kept


def _result(spec: ClaimSpec, evidence: list[Evidence], k: int) -> ClaimResult:
    return ClaimResult(
        id=spec.id,
        statement=spec.statement,
        group=spec.group,
        expected=expected_for(spec, k),
        verdict=combine(evidence),
        evidence=tuple(evidence),
    )


def _quiet(stage: str, done: int, total: int, label: str) -> None:
    log.info("%s %d/%d %s", stage, done, total, label)


def verify(
    config: VerifyConfig,
    progress: Progress | None = None,
    only: str | None = None,
    group: str | None = None,
) -> tuple[list[ClaimResult], RunInfo]:
    """Run every stage and return the claim results with the run metadata.

    ``only`` restricts the run to the claims whose id equals it, and ``group``
    to those stated for that group (for replay).
    """
    if only is not None:
        _check_only(only, config.stages)
    progress = progress or _quiet
    clock = _Clock()
    with clock.stage("input"):
        data = load(config.data, vocab_size=config.vocab_size, window=config.window)
        problem = glove_problem(data, config.k, config.seed, config.x_max, config.alpha)

    evidence: dict[tuple[str, str], list[Evidence]] = {}
    wanted = {s.id for s in CATALOGUE if only is None or s.id == only}
    if not wanted:
        known = sorted({s.id for s in CATALOGUE})
        raise InvalidArgument.of("only", only, f"a claim id among {known}")

    if "proofs" in config.stages:
        with clock.stage("proofs"):
            for cid, ev in _symbolic_stage(config, wanted, progress).items():
                evidence.setdefault((cid, "O"), []).extend(ev)
    if "fuzzing" in config.stages:
        with clock.stage("fuzzing"):
            for cid, ev in _fuzz_stage(config, wanted, progress).items():
                evidence.setdefault((cid, "O"), []).extend(ev)
    if "trajectories" in config.stages:
        with clock.stage("trajectories"):
            evidence.update(_trajectory_stage(config, problem, wanted, progress))

    # A claim with no evidence is reported (as undecided) only when every
    # stage ran: then the silence is a fault worth seeing, not a choice.
    complete = set(config.stages) == set(ALL_STAGES)
    per_claim: dict[str, float] = {}
    evidence = {
        key: _without_timings(items, key[0], per_claim)
        for key, items in evidence.items()
    }
    results = [
        _result(spec, evidence.get((spec.id, spec.group), []), config.k)
        for spec in CATALOGUE
        if spec.id in wanted
        and (group is None or spec.group == group)
        and (complete or (spec.id, spec.group) in evidence)
    ]
    run = RunInfo(
        seed=config.seed,
        input_source=data.source,
        input_sha256=data.sha256,
        input_shape=data.shape,
        config=config.to_json(),
        timings={**clock.timings, **per_claim},
    )
    return results, run


def _stages_of(claim_id: str) -> set[str]:
    if claim_id.startswith("trajectory-equivariance/"):
        return {"trajectories"}
    return {"proofs", "fuzzing"}


def _check_only(only: str, stages: tuple[str, ...]) -> None:
    """Refuse ``--only`` for a claim that none of the chosen stages settles."""
    known = sorted({s.id for s in CATALOGUE})
    if only not in known:
        raise InvalidArgument.of("only", only, f"a claim id among {known}")
    if not _stages_of(only) & set(stages):
        raise InvalidArgument.of(
            "stages",
            ",".join(stages),
            f"a stage that settles {only}: {sorted(_stages_of(only))}",
        )
