"""Fuzz one claim: float64 evidence first, an exact counterexample if it fails.

Float64 can only *suggest* that a claim is false: a violation beyond the
rounding bound may still be a bug in the bound. So a failing claim is searched
again over exact inputs (rational group elements from the Cayley transform,
fractions for the factor pair and data) and re-evaluated with
:class:`~orthoproof.backends.ExactBackend`. Only a non-zero exact difference
refutes; Hypothesis shrinks it to the smallest k, m and n and the simplest
entries, so the counterexample can be checked by hand.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from random import Random
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, find, given, settings, target
from hypothesis import seed as seed_with
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from orthoproof.backends import ExactBackend
from orthoproof.errors import InvalidArgument
from orthoproof.fuzz.properties import FAMILIES, MODELS, Problem, Sides, build_model
from orthoproof.fuzz.strategies import (
    factor_pairs,
    glove_problems,
    hidden_dims,
    orthogonal_matrices,
    rational_factor_pairs,
    rational_glove_problems,
    rational_orthogonal_matrices,
)
from orthoproof.models import Model
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["EXACT_SIDE", "MAX_SIDE", "fuzz_claim", "parse_claim"]

logger = logging.getLogger(__name__)

#: Largest m and n drawn while fuzzing in float64.
MAX_SIDE = 4
#: Largest m and n drawn in the exact search; counterexamples want few entries.
EXACT_SIDE = 3
#: Fewest exact examples tried at each hidden dimension.
_MIN_EXACT_BUDGET = 25

ModelFactory = Callable[[Any, Any], Model]
Elements = Callable[[int], st.SearchStrategy[Any]]
Case = tuple[Problem, Any]


def parse_claim(claim_id: str, *, custom_model: bool = False) -> tuple[str, str | None]:
    """Split a claim id into its family and model name, validating both.

    Parameters
    ----------
    claim_id
        ``product-invariance`` or ``<family>/<model>`` with a model of
        :data:`~orthoproof.fuzz.properties.MODELS`.
    custom_model
        Accept any model label (the caller supplies the model itself).
    """
    family, _, model = str(claim_id).partition("/")
    valid = f"product-invariance or <family>/<model>, family in {sorted(FAMILIES)}"
    if family not in FAMILIES:
        raise InvalidArgument.of("claim_id", claim_id, valid)
    if family == "product-invariance":
        if model:
            raise InvalidArgument.of("claim_id", claim_id, "no model after it")
        return family, None
    if not model or (model not in MODELS and not custom_model):
        raise InvalidArgument.of("claim_id", claim_id, f"a model among {MODELS}")
    return family, model


@st.composite
def _cases(
    draw: st.DrawFn,
    family: str,
    factory: ModelFactory | None,
    elements: Elements,
    shape: tuple[st.SearchStrategy[int], ...],
    exact: bool,
) -> Case:
    k, m, n = (draw(size) for size in shape)

    model = None
    if factory is not None:
        data = rational_glove_problems(m, n) if exact else glove_problems(m, n)
        model = factory(*draw(data))
    pairs = rational_factor_pairs if exact else factor_pairs
    params = draw(pairs(k, m, n, biases=bool(model is not None and model.extra)))
    return Problem(params, model), draw(elements(k))


@dataclass
class _Tally:
    """Statistics of one float64 run: coverage and the worst case."""

    examples: int = 0
    ks: set[int] = field(default_factory=set)
    worst_ratio: float = 0.0
    worst: dict[str, Any] = field(default_factory=dict)

    def record(self, problem: Problem, error: float, bound: float) -> float:
        """Add one example; return its error/bound ratio (NaN counts as ∞)."""
        ratio = error / bound if bound > 0 else math.inf
        if math.isnan(ratio):
            ratio = math.inf
        self.examples += 1
        self.ks.add(problem.k)
        if not self.worst or ratio > self.worst_ratio:
            self.worst_ratio = ratio
            self.worst = {"k": problem.k, "m": problem.m, "n": problem.n}
            self.worst |= {"error": error, "bound": bound, "ratio": ratio}
        return ratio


def _fuzz(
    measure: Callable[[Problem, Any], tuple[float, float]],
    cases: st.SearchStrategy[Case],
    max_examples: int,
    seed: int,
) -> _Tally:
    tally = _Tally()

    @seed_with(seed)
    @settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=max_examples,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(cases)
    def run(case: Case) -> None:
        ratio = tally.record(case[0], *measure(*case))
        # Steer generation towards large violations (target needs a finite value).
        target(min(ratio, 1e300), label="error/bound")

    run()
    return tally


def _difference(lhs: Any, rhs: Any) -> Any:
    if isinstance(lhs, Mapping):
        return {name: lhs[name] - rhs[name] for name in lhs}
    return lhs - rhs


def _nonzero(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_nonzero(v) for v in value.values())
    return bool(np.any(np.asarray(value, dtype=object) != 0))


def _strings(value: Any) -> Any:
    """Fractions (in any nesting of arrays and dicts) as strings, for JSON."""
    if isinstance(value, Mapping):
        return {name: _strings(v) for name, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_strings(v) for v in value] if value.ndim else _strings(value.item())
    return str(Fraction(value))


def _search_exact(
    family: str, factory: ModelFactory | None, max_k: int, budget: int, seed: int
) -> dict[str, Any] | None:
    """A shrunk exact counterexample, or ``None`` if the search finds none.

    Sizes are searched upwards rather than left to the shrinker: every array's
    size depends on k, m and n, so shrinking a size misaligns all later draws
    and Hypothesis rarely manages it. The first k with a violation is the
    smallest within the budget; m and n are then lowered the same way, and
    only the example at the final sizes is shrunk (shrinking is most of the
    cost of the search).
    """
    xp, sides = ExactBackend(), FAMILIES[family][1]

    def violated(case: Case) -> bool:
        return _nonzero(_difference(*sides(xp, *case)))

    def search(shape: tuple[st.SearchStrategy[int], ...], shrink: bool) -> Any:
        cases = _cases(family, factory, rational_orthogonal_matrices, shape, True)
        config = settings(
            database=None,
            deadline=None,
            max_examples=max(_MIN_EXACT_BUDGET, budget // max_k),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
        )
        try:
            return find(cases, violated, settings=config, random=Random(seed))
        except NoSuchExample:
            return None

    side = st.integers(1, EXACT_SIDE)
    found = None
    for k in range(1, max_k + 1):
        found = search((st.just(k), side, side), shrink=False)
        if found is not None:
            break
    if found is None:
        return None

    problem = found[0]
    sizes = [(m, n) for m in range(1, problem.m + 1) for n in range(1, problem.n + 1)]
    for m, n in sorted(sizes, key=lambda mn: (sum(mn), mn)):
        shrunk = search((st.just(k), st.just(m), st.just(n)), shrink=True)
        if shrunk is not None:
            return _counterexample(xp, sides, *shrunk)
    return _counterexample(xp, sides, *found)


def _counterexample(
    xp: ExactBackend, sides: Sides, problem: Problem, p: Any
) -> dict[str, Any]:
    lhs, rhs = sides(xp, problem, p)
    record: dict[str, Any] = {"k": problem.k, "m": problem.m, "n": problem.n}
    record["P"] = _strings(p)
    record |= _strings(dict(problem.params))
    if problem.model is not None:
        record["model"] = problem.model.name
        record["weights"] = _strings(problem.model.weights)
        record["target"] = _strings(problem.model.target)
    record |= {"lhs": _strings(lhs), "rhs": _strings(rhs)}
    record["difference"] = _strings(_difference(lhs, rhs))
    return record


def _check_arguments(max_examples: Any, seed: Any, max_k: Any) -> None:
    for name, value, low in (("max_examples", max_examples, 1), ("max_k", max_k, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidArgument.of(name, value, f"an int of at least {low}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidArgument.of("seed", seed, "a non-negative int")


def _factory(family: str, model: str | None, custom: ModelFactory | None) -> Any:
    if family == "product-invariance":
        if custom is not None:
            raise InvalidArgument.of("model", custom, "None for product-invariance")
        return None
    if custom is not None:
        return custom
    return lambda weights, target: build_model(str(model), weights, target)


def fuzz_claim(
    claim_id: str,
    max_examples: int = 200,
    seed: int = 0,
    max_k: int = 8,
    *,
    model: ModelFactory | None = None,
    elements: Elements | None = None,
) -> Evidence:
    """Fuzz a claim in float64; if it fails, certify or doubt the failure exactly.

    Parameters
    ----------
    claim_id
        ``product-invariance``, or ``loss-invariance``, ``gradient-equivariance``
        or ``orbit-orthogonality`` followed by ``/`` and a model name.
    max_examples
        Examples for the float64 run, and the budget of the exact search.
    seed
        Seed of both runs; the same seed gives the same evidence.
    max_k
        Largest hidden dimension drawn.
    model
        Builds the model from ``(weights, target)`` instead of the catalogue
        (for users' models, and for broken twins in tests).
    elements
        Strategy of group elements for a given k, instead of
        :func:`~orthoproof.fuzz.strategies.orthogonal_matrices`. The exact
        search always draws exact rational elements.

    Returns
    -------
    Evidence
        ``holds`` when every error/bound ratio is at most 1; otherwise
        ``refuted`` with a shrunk exact counterexample, or ``undecided`` when
        the exact search finds none.
    """
    family, name = parse_claim(claim_id, custom_model=model is not None)
    _check_arguments(max_examples, seed, max_k)
    factory = _factory(family, name, model)
    elements = elements or orthogonal_matrices
    side = st.integers(1, MAX_SIDE)
    shape = (hidden_dims(max_k), side, side)
    cases = _cases(family, factory, elements, shape, exact=False)

    start = time.perf_counter()
    tally = _fuzz(FAMILIES[family][0], cases, max_examples, seed)
    logger.info(
        "%s: %d examples, worst ratio %.3g", claim_id, tally.examples, tally.worst_ratio
    )
    if tally.examples and tally.worst_ratio <= 1:
        summary = (
            f"{tally.examples} float64 examples over k in {sorted(tally.ks)}: every "
            f"error within its rounding bound (worst ratio {tally.worst_ratio:.2g})"
        )
        return _evidence(Verdict.HOLDS, summary, tally, max_k, seed, start)

    counterexample = _search_exact(family, factory, max_k, max_examples, seed)
    excess = f"float64 error exceeded its rounding bound {tally.worst_ratio:.3g}-fold"
    if counterexample is None:
        summary = f"{excess}, but {max_examples} exact examples showed no violation"
        return _evidence(Verdict.UNDECIDED, summary, tally, max_k, seed, start)
    c = counterexample
    summary = (
        f"{excess}; exact arithmetic confirms a non-zero difference at "
        f"k={c['k']}, m={c['m']}, n={c['n']}"
    )
    return _evidence(Verdict.REFUTED, summary, tally, max_k, seed, start, c)


def _evidence(
    verdict: Verdict,
    summary: str,
    tally: _Tally,
    max_k: int,
    seed: int,
    start: float,
    counterexample: dict[str, Any] | None = None,
) -> Evidence:
    details = {
        "examples": tally.examples,
        "ks": sorted(tally.ks),
        "worst": tally.worst,
        "seed": seed,
        "seconds": time.perf_counter() - start,
    }
    return Evidence(
        kind="fuzz",
        verdict=verdict,
        summary=summary,
        dimensions={"k_max": max_k},
        errors=(tally.worst_ratio,),
        counterexample=counterexample,
        details=details,
    )
