"""Settings of a ``verify`` run, validated once and recorded in the report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from orthoproof.errors import InvalidArgument
from orthoproof.optimisers import optimiser_by_name

__all__ = ["ALL_STAGES", "TRAJECTORY_HYPER", "VerifyConfig"]

#: Evidence stages of ``verify``, in the order they run (see orthoproof.stages).
ALL_STAGES = (
    "theory",
    "proofs",
    "fuzzing",
    "trajectories",
    "optimisers",
    "initialisations",
)

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
    #: high-precision number system of the trajectory stage: "mpfr" (numpy
    #: object arrays) or "flint" (python-flint matrices, faster for large pairs)
    backend: str = "mpfr"
    fuzz_examples: int = 150
    proof_dims: tuple[int, int, int] = (3, 2, 2)
    record_every: int = 5
    x_max: float = 100.0
    alpha: float = 0.75
    stages: tuple[str, ...] = ALL_STAGES
    #: run the basis-alignment study (issue 7) after the claims, at this profile
    study: bool = True
    study_profile: str = "small"

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
        if self.backend not in ("mpfr", "flint"):
            raise InvalidArgument.of("backend", self.backend, "'mpfr' or 'flint'")
        if self.study_profile not in ("small", "thorough"):
            raise InvalidArgument.of(
                "study_profile", self.study_profile, "'small' or 'thorough'"
            )
        unknown = set(self.stages) - set(ALL_STAGES)
        if unknown or not self.stages:
            raise InvalidArgument.of(
                "stages", self.stages, f"a non-empty subset of {', '.join(ALL_STAGES)}"
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
