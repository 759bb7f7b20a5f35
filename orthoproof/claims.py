"""The claim catalogue: ids, statements, groups and expected verdicts.

Ids follow DESIGN §1 exactly. The expected verdict records what the
mathematics (and FACTS.md for the optimisers) says; the verdict reported
beside it is always computed from evidence, and ``verify`` fails when the two
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from orthoproof.errors import InvalidArgument
from orthoproof.verdicts import Verdict

__all__ = [
    "CATALOGUE",
    "TRAJECTORY_EXPECTED",
    "ClaimSpec",
    "claim",
    "expected_for",
    "trajectory_claim_id",
]

GROUP_NAMES = {
    "O": "O(k)",
    "SO": "SO(k)",
    "signed-perm": "signed permutations",
    "perm": "permutations",
    "sign": "sign flips",
    "GL": "GL(k)",
}


@dataclass(frozen=True)
class ClaimSpec:
    """A claim as the catalogue states it, before any evidence."""

    id: str
    statement: str
    group: str
    expected: Verdict


def _model_claims(model: str, described: str) -> list[ClaimSpec]:
    return [
        ClaimSpec(
            f"loss-invariance/{model}",
            f"E(PA, PB) = E(A, B) for the {described} loss E and every orthogonal P",
            "O",
            Verdict.PROVED,
        ),
        ClaimSpec(
            f"gradient-equivariance/{model}",
            f"∇E(PA, PB) = P·∇E(A, B) for the {described} loss (biases: unchanged)",
            "O",
            Verdict.PROVED,
        ),
        ClaimSpec(
            f"orbit-orthogonality/{model}",
            f"⟨∇E, (SA, SB)⟩ = 0 for every skew S: the {described} gradient is "
            "orthogonal to the orbit of O(k)",
            "O",
            Verdict.PROVED,
        ),
    ]


#: The optimisers of the core trajectory claims (issue 2), on the 40×40 input.
CORE_OPTIMISERS = ("sgd", "momentum", "adagrad", "glove-adagrad", "adam")
CORE_GROUPS = ("O", "signed-perm")


def _facts(optimiser: str, group: str) -> Verdict:
    # One source of truth for FACTS.md's table: the optimiser catalogue.
    from orthoproof.optim.catalogue import expected_verdict

    return expected_verdict(optimiser, group)


#: Verdicts FACTS.md gives for trajectories of each core optimiser and group.
TRAJECTORY_EXPECTED: dict[tuple[str, str], Verdict] = {
    (opt, group): _facts(opt, group) for group in CORE_GROUPS for opt in CORE_OPTIMISERS
}


def trajectory_claim_id(optimiser: str, model: str) -> str:
    return f"trajectory-equivariance/{optimiser}/{model}"


def _trajectory_claims(model: str) -> list[ClaimSpec]:
    return [
        ClaimSpec(
            trajectory_claim_id(opt, model),
            f"T steps of {opt} on the {model} loss from (PA₀, PB₀), with the state "
            f"moved by its law, end at (PA_T, PB_T), for P in {GROUP_NAMES[group]}",
            group,
            expected,
        )
        for (opt, group), expected in TRAJECTORY_EXPECTED.items()
    ]


CATALOGUE: tuple[ClaimSpec, ...] = (
    ClaimSpec(
        "product-invariance",
        "(PA)ᵀ(PB) = AᵀB for every P with PᵀP = I",
        "O",
        Verdict.PROVED,
    ),
    *_model_claims("plain", "squared-error"),
    *_model_claims("glove", "GloVe (weighted, with biases)"),
    ClaimSpec(
        "loss-invariance/glove+l1",
        "negative control: E(PA, PB) = E(A, B) for GloVe plus λ‖A‖₁ — false, the "
        "L1 penalty depends on the hidden basis",
        "O",
        Verdict.REFUTED,
    ),
    *_trajectory_claims("glove"),
)


def expected_for(spec: ClaimSpec, k: int, steps: int | None = None) -> Verdict:
    """The expected verdict of ``spec`` at hidden dimension ``k`` over ``steps``.

    O(1) is {+1, −1}, a group of sign flips, under which every per-coordinate
    optimiser is equivariant; so at k = 1 no trajectory claim can be refuted.
    Nor can one whose run is no longer than the optimiser's plain first steps
    (:attr:`~orthoproof.optimisers.Optimiser.plain_steps`).
    """
    if not spec.id.startswith("trajectory-equivariance/"):
        return spec.expected
    if k == 1:
        return Verdict.HOLDS
    if steps is not None and spec.expected == Verdict.REFUTED:
        from orthoproof.optimisers import OPTIMISERS

        optimiser = OPTIMISERS.get(spec.id.split("/")[1])
        if optimiser is not None and steps <= optimiser.plain_steps:
            return Verdict.HOLDS
    return spec.expected


def claim(claim_id: str, group: str = "O") -> ClaimSpec:
    """Look up a claim of the catalogue by id and group."""
    for spec in CATALOGUE:
        if spec.id == claim_id and spec.group == group:
            return spec
    known = sorted({s.id for s in CATALOGUE})
    raise InvalidArgument.of("claim", (claim_id, group), f"an id among {known}")
