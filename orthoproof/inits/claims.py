"""The ``init-invariance/<init>`` claims and the stage that settles them."""

from __future__ import annotations

from typing import Any

import numpy as np

from orthoproof.inits.catalogue import INITIALISERS
from orthoproof.inits.elements import INIT_GROUPS
from orthoproof.inits.exact import law_evidence, word2vec_facts
from orthoproof.inits.statistical import calibrate, rotation_test_evidence
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["EXPECTED", "init_claims", "init_evidence"]

GROUP_WORDS = {
    "O": "every orthogonal P",
    "signed-perm": "every signed permutation P",
    "perm": "every coordinate permutation P",
    "sign": "every diagonal sign flip P",
}

_ALL = dict.fromkeys(INIT_GROUPS, Verdict.PROVED)
_SIGNED = {**_ALL, "O": Verdict.REFUTED}

#: What the mathematics says, per initialiser and group.
EXPECTED: dict[str, dict[str, Verdict]] = {
    "gaussian": _ALL,
    "xavier-normal": _ALL,
    "he-normal": _ALL,
    "zero": _ALL,
    "haar-orthogonal": _ALL,
    "xavier-uniform": _SIGNED,
    "gensim-uniform": _SIGNED,
    "glove-uniform": _SIGNED,
    # Its grid is not symmetric about 0, so only permutations remain.
    "word2vec-grid": {
        **dict.fromkeys(INIT_GROUPS, Verdict.REFUTED),
        "perm": Verdict.PROVED,
    },
    # Deterministic (r = 1): a point mass, invariant under the identity only.
    "word2vec-c": dict.fromkeys(INIT_GROUPS, Verdict.REFUTED),
}


def claim_id(init: str) -> str:
    return f"init-invariance/{init}"


def init_claims() -> list[tuple[str, str, str, Verdict]]:
    """Every initialisation claim as ``(claim_id, group, statement, expected)``."""
    out = []
    for name, per_group in EXPECTED.items():
        for group in INIT_GROUPS:
            statement = (
                f"the law π of the {name} initialisation satisfies "
                f"π(PA₀, PB₀) = π(A₀, B₀) for {GROUP_WORDS[group]}"
            )
            out.append((claim_id(name), group, statement, per_group[group]))
    return out


def init_evidence(seed: int, k: int = 4) -> dict[tuple[str, str], list[Evidence]]:
    """Exact and statistical evidence for every claim of :func:`init_claims`.

    The exact evidence is one proof or counterexample per (initialiser, group);
    the rotation test is attached to the O claims only, since it tests O(k)
    invariance (a pass says nothing about smaller groups and is not needed
    there). word2vec's generator facts go into the details of its evidence.
    """
    calibration = calibrate(seed)
    facts = word2vec_facts()
    found: dict[tuple[str, str], list[Evidence]] = {}
    for i, (name, init) in enumerate(INITIALISERS.items()):
        for j, group in enumerate(INIT_GROUPS):
            rng = np.random.default_rng([seed, i, j])
            evidence = [law_evidence(init, group, k, rng)]
            if name.startswith("word2vec"):
                evidence[0] = _with_details(evidence[0], {"word2vec_facts": facts})
            if group == "O":
                test = rotation_test_evidence(init, rng, calibration, k=k)
                if test is not None:
                    evidence.append(test)
            found[(claim_id(name), group)] = evidence
    return found


def _with_details(evidence: Evidence, extra: dict[str, Any]) -> Evidence:
    from dataclasses import replace

    return replace(evidence, details={**evidence.details, **extra})
