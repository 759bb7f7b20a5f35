"""Exact checks: the same claims on random rational inputs, with no symbols.

Independent of the symbolic proofs: factors, biases, weights and targets are
random :class:`~fractions.Fraction` matrices, the group elements are exact
(Cayley rotations, with and without a reflection, and signed permutations),
and the claims are evaluated with the :class:`~orthoproof.backends.ExactBackend`
and compared with ``==``. Equality in every case gives ``holds``; one unequal
case is a certified counterexample and gives ``refuted``.

Signed permutations alone would pass the L1 twin (``‖PA‖₁ = ‖A‖₁`` for them),
which is why the rotations are always drawn as well.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.backends import ExactBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act, rational_orthogonal, signed_permutation
from orthoproof.models import HIDDEN, Model
from orthoproof.prove.catalogue import build_model, parse_claim
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["exact_check"]

logger = logging.getLogger(__name__)

XP = ExactBackend()


def _rationals(rng: np.random.Generator, shape: tuple[int, ...], low: int = -6) -> Any:
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = Fraction(int(rng.integers(low, 7)), int(rng.integers(1, 5)))
    return out


def _skew(rng: np.random.Generator, k: int) -> np.ndarray:
    s = np.full((k, k), Fraction(0), dtype=object)
    for i in range(k):
        for j in range(i + 1, k):
            s[i, j] = Fraction(int(rng.integers(-5, 6)), int(rng.integers(1, 4)))
            s[j, i] = -s[i, j]
    return s


def _case(rng: np.random.Generator, k: int) -> dict[str, Any]:
    """Random rational inputs; weights are non-negative, as GloVe's f(X) is."""
    m, n = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    return {
        "A": _rationals(rng, (k, m)),
        "B": _rationals(rng, (k, n)),
        "b": _rationals(rng, (m,)),
        "c": _rationals(rng, (n,)),
        "weights": _rationals(rng, (m, n), low=0),
        "target": _rationals(rng, (m, n)),
    }


def _elements(
    kind: str, rng: np.random.Generator, k: int
) -> Iterator[tuple[str, np.ndarray]]:
    if kind == "orbit-orthogonality":
        yield "skew", _skew(rng, k)
        return
    yield "rotation", rational_orthogonal(k, rng)
    yield "rotation·reflection", rational_orthogonal(k, rng, reflect=True)
    yield "signed permutation", signed_permutation(k, rng)


def _scalar(value: Any) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = value
    return out


def _product(model: Any, params: dict[str, Any], g: np.ndarray) -> dict[str, Any]:
    a, b = params["A"], params["B"]
    return {"AᵀB": (g @ a).T @ (g @ b) - a.T @ b}


def _loss(model: Model, params: dict[str, Any], g: np.ndarray) -> dict[str, Any]:
    return {"E": _scalar(model.loss(XP, act(XP, g, params)) - model.loss(XP, params))}


def _gradient(model: Model, params: dict[str, Any], g: np.ndarray) -> dict[str, Any]:
    moved, base = model.gradient(XP, act(XP, g, params)), model.gradient(XP, params)
    return {
        f"∇{name}": moved[name] - (g @ base[name] if name in HIDDEN else base[name])
        for name in base
    }


def _orbit(model: Model, params: dict[str, Any], s: np.ndarray) -> dict[str, Any]:
    grads = model.gradient(XP, params)
    pairing = sum((grads[name] * (s @ params[name])).sum() for name in HIDDEN)
    return {"⟨∇E,(SA,SB)⟩": _scalar(pairing)}


#: lhs − rhs of each claim kind, for one case and one group element (or skew S).
_DIFFERENCES: dict[str, Callable[[Any, dict[str, Any], np.ndarray], dict[str, Any]]] = {
    "product-invariance": _product,
    "loss-invariance": _loss,
    "gradient-equivariance": _gradient,
    "orbit-orthogonality": _orbit,
}


def _difference(
    kind: str, model: Model | None, case: dict[str, Any], g: np.ndarray
) -> dict[str, Fraction]:
    """Nonzero entries of lhs − rhs, labelled with 1-based indices."""
    params = {"A": case["A"], "B": case["B"]}
    if model is not None:
        params.update({name: case[name] for name in model.extra})
    out = _DIFFERENCES[kind](model, params, g)
    return {
        name + (f"[{','.join(str(i + 1) for i in index)}]" if index else ""): value
        for name, array in out.items()
        for index, value in np.ndenumerate(np.asarray(array, dtype=object))
        if value != 0
    }


def _strings(array: Any) -> Any:
    return np.vectorize(str, otypes=[object])(np.asarray(array, dtype=object)).tolist()


def _counterexample(
    case: dict[str, Any],
    label: str,
    g: np.ndarray,
    diff: dict[str, Fraction],
    seed: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {name: _strings(value) for name, value in case.items()}
    out["S" if label == "skew" else "P"] = _strings(g)
    out["element"] = label
    out["difference"] = {name: str(value) for name, value in diff.items()}
    out["seed"] = list(seed)
    return out


def _check_args(ks: Sequence[int], draws: int) -> None:
    if not ks or any(
        not isinstance(k, int) or isinstance(k, bool) or k < 1 for k in ks
    ):
        raise InvalidArgument.of("ks", ks, "a non-empty sequence of positive ints")
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
        raise InvalidArgument.of("draws", draws, "a positive int")


def exact_check(
    claim_id: str, ks: Sequence[int] = (1, 2, 3, 4, 5), draws: int = 3, seed: int = 0
) -> Evidence:
    """Evaluate a claim exactly on random rational inputs and exact group elements.

    Parameters
    ----------
    claim_id
        One of :data:`orthoproof.prove.SYMBOLIC_CLAIMS`.
    ks
        Hidden dimensions to try.
    draws
        Random cases per hidden dimension; each case is tried with a rotation,
        a rotation times a reflection and a signed permutation (or one random
        skew matrix for orbit orthogonality).
    seed
        Case ``(k, draw)`` uses ``numpy.random.default_rng([seed, k, draw])``,
        so a counterexample replays on its own.

    Returns
    -------
    Evidence
        ``kind="exact-check"``: ``holds`` when every case was exactly equal,
        ``refuted`` with the first unequal case as the counterexample.
    """
    kind, name = parse_claim(claim_id)
    _check_args(ks, draws)
    started, cases = time.perf_counter(), 0
    for case_seed, case, label, g in _cases(kind, ks, draws, seed):
        cases += 1
        model = None if name is None else _model(name, case)
        diff = _difference(kind, model, case, g)
        if diff:
            elapsed = round(time.perf_counter() - started, 4)
            record = _counterexample(case, label, g, diff, case_seed)
            record["model"] = name
            return _refuted(claim_id, record, cases, elapsed)
    elapsed = round(time.perf_counter() - started, 4)
    logger.info("exact check of %s: %d cases equal in %.2f s", claim_id, cases, elapsed)
    return Evidence(
        kind="exact-check",
        verdict=Verdict.HOLDS,
        summary=f"{claim_id}: exactly equal in all {cases} rational cases "
        f"(k in {list(ks)}, {draws} draws each)",
        dimensions={"k_min": min(ks), "k_max": max(ks)},
        details={
            "cases": cases,
            "seed": seed,
            "ks": list(ks),
            "draws": draws,
            "timings_s": {"total": elapsed},
        },
    )


def _cases(
    kind: str, ks: Sequence[int], draws: int, seed: int
) -> Iterator[tuple[tuple[int, int, int], dict[str, Any], str, np.ndarray]]:
    """Every (seed, inputs, element name, element) the check evaluates."""
    for k in ks:
        for draw in range(draws):
            case_seed = (seed, k, draw)
            rng = np.random.default_rng(case_seed)
            case = _case(rng, k)
            for label, g in _elements(kind, rng, k):
                yield case_seed, case, label, g


def _model(name: str, case: dict[str, Any]) -> Model:
    # λ = 1 for the L1 twin: any positive strength breaks the symmetry.
    return build_model(name, case["weights"], case["target"], strength=1)


def _refuted(
    claim_id: str, record: dict[str, Any], cases: int, elapsed: float
) -> Evidence:
    k, m = np.shape(record["A"])
    n = np.shape(record["B"])[1]
    entry, value = next(iter(record["difference"].items()))
    return Evidence(
        kind="exact-check",
        verdict=Verdict.REFUTED,
        summary=f"{claim_id} refuted by an exact rational counterexample at "
        f"k={k}, m={m}, n={n} with a {record['element']}: {entry} differs by {value}",
        dimensions={"k": int(k), "m": int(m), "n": int(n)},
        counterexample=record,
        details={"cases": cases, "timings_s": {"total": elapsed}},
    )
