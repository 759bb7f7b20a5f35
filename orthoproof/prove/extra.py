"""Claims about the models of :mod:`orthoproof.models_extra`, and GL(k) claims.

One entry point per kind of evidence:

* :func:`prove_extra` — the proof (``proved`` or ``undecided``; ``refuted``
  for ``gl-invariance/l2``, which is false);
* :func:`check_extra` — independent evidence: exact rational arithmetic with
  exact orthogonal P for the rational losses, arb balls for SGNS.

>>> str(prove_extra("orbit-orthogonality/tied", (2, 2, 2)).verdict)
'proved'
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from orthoproof.backends import ExactBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act, rational_orthogonal, signed_permutation
from orthoproof.models import Model
from orthoproof.models_extra import extra_model_by_name
from orthoproof.prove.catalogue import MODEL_KINDS
from orthoproof.prove.fixedextra import prove_l2_loss, prove_tied
from orthoproof.prove.glfixed import prove_gl, refute_gl_l2
from orthoproof.prove.prover import prove_claim
from orthoproof.prove.sgns import prove_sgns, sgns_ball_check
from orthoproof.verdicts import Evidence, Verdict

__all__ = [
    "EXTRA_MODEL_CLAIMS",
    "EXTRA_MODEL_NAMES",
    "GL_FIXED_CLAIMS",
    "check_extra",
    "extra_evidence",
    "prove_extra",
]

EXTRA_MODEL_NAMES = ("weighted", "masked", "l2", "tied", "sgns")

#: ``<kind>/<model>`` for every new model: all true.
EXTRA_MODEL_CLAIMS: tuple[str, ...] = tuple(
    f"{kind}/{model}" for model in EXTRA_MODEL_NAMES for kind in MODEL_KINDS
)

#: GL(k) claims at fixed dimensions, with the verdict the mathematics gives.
GL_FIXED_CLAIMS: dict[str, Verdict] = {
    "gl-invariance/plain": Verdict.PROVED,
    "gl-invariance/glove": Verdict.PROVED,
    "gl-invariance/l2": Verdict.REFUTED,
}

XP = ExactBackend()


def _split(claim_id: str) -> tuple[str, str]:
    if claim_id not in EXTRA_MODEL_CLAIMS and claim_id not in GL_FIXED_CLAIMS:
        known = (*EXTRA_MODEL_CLAIMS, *GL_FIXED_CLAIMS)
        raise InvalidArgument.of("claim_id", claim_id, f"one of {known}")
    kind, model = claim_id.split("/", 1)
    return kind, model


def prove_extra(claim_id: str, dims: tuple[int, int, int] = (3, 2, 2)) -> Evidence:
    """The symbolic evidence for one claim of this module.

    Parameters
    ----------
    claim_id
        One of :data:`EXTRA_MODEL_CLAIMS` or :data:`GL_FIXED_CLAIMS`.
    dims
        ``(k, m, n)`` of the fixed-dimension proof; ``tied`` uses ``(k, m, m)``.
        SGNS checks its lemmas at ``dims`` and adds the dimension-free theorem.
    """
    kind, model = _split(claim_id)
    if kind == "gl-invariance":
        return refute_gl_l2() if model == "l2" else prove_gl(model, dims)
    if model == "tied":
        return prove_tied(kind, dims)
    if model == "sgns":
        return prove_sgns(kind, dims)
    if claim_id == "loss-invariance/l2":
        # The penalty defeats the product shift; its cofactors are written out.
        return prove_l2_loss(dims)
    return prove_claim(claim_id, dims)


# -- exact checks ---------------------------------------------------------------


def _rationals(rng: np.random.Generator, shape: tuple[int, ...], low: int = -6) -> Any:
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        out[index] = Fraction(int(rng.integers(low, 7)), int(rng.integers(1, 5)))
    return out


def _model(name: str, rng: np.random.Generator, m: int, n: int) -> Model:
    if name == "masked":
        mask = rng.integers(0, 2, size=(m, n)).astype(object)
        return extra_model_by_name(name, mask, _rationals(rng, (m, n)))
    if name == "l2":
        strength = Fraction(int(rng.integers(1, 5)), 3)
        w, t = _rationals(rng, (m, n), 0), _rationals(rng, (m, n))
        return extra_model_by_name(name, w, t, strength=strength)
    return extra_model_by_name(
        name, _rationals(rng, (m, n), 0), _rationals(rng, (m, n))
    )


def _skew(rng: np.random.Generator, k: int) -> np.ndarray:
    s = np.full((k, k), Fraction(0), dtype=object)
    for i in range(k):
        for j in range(i + 1, k):
            s[i, j] = Fraction(int(rng.integers(-5, 6)), int(rng.integers(1, 4)))
            s[j, i] = -s[i, j]
    return s


def _cases(
    name: str, kind: str, ks: tuple[int, ...], draws: int
) -> Iterator[tuple[Model, dict[str, Any], np.ndarray]]:
    for k in ks:
        for draw in range(draws):
            rng = np.random.default_rng([11, k, draw])
            m = int(rng.integers(1, 4))
            n = m if name == "tied" else int(rng.integers(1, 4))
            model = _model(name, rng, m, n)
            params = {"A": _rationals(rng, (k, m))}
            if name != "tied":
                params["B"] = _rationals(rng, (k, n))
            if kind == "orbit-orthogonality":
                yield model, params, _skew(rng, k)
                continue
            for g in (
                rational_orthogonal(k, rng),
                rational_orthogonal(k, rng, reflect=True),
                signed_permutation(k, rng),
            ):
                yield model, params, g


def _difference(kind: str, model: Model, params: dict[str, Any], g: Any) -> list[Any]:
    if kind == "loss-invariance":
        return [model.loss(XP, act(XP, g, params)) - model.loss(XP, params)]
    grads = model.gradient(XP, params)
    if kind == "orbit-orthogonality":
        return [sum((grads[x] * (g @ params[x])).sum() for x in params)]
    moved = model.gradient(XP, act(XP, g, params))
    return [v for x in params for v in (moved[x] - g @ grads[x]).ravel()]


def _exact(claim_id: str, ks: tuple[int, ...], draws: int) -> Evidence:
    kind, name = _split(claim_id)
    started, count = time.perf_counter(), 0
    for model, params, g in _cases(name, kind, ks, draws):
        count += 1
        bad = [d for d in _difference(kind, model, params, g) if d != 0]
        if bad:
            return Evidence(
                kind="exact-check",
                verdict=Verdict.REFUTED,
                summary=f"{claim_id}: exact case differs by {bad[0]}",
                counterexample={
                    "params": {
                        x: [[str(v) for v in r] for r in p] for x, p in params.items()
                    },
                    "element": [[str(v) for v in r] for r in g],
                    "difference": str(bad[0]),
                },
            )
    return Evidence(
        kind="exact-check",
        verdict=Verdict.HOLDS,
        summary=f"{claim_id}: exactly equal in all {count} rational cases "
        f"(k in {list(ks)}, exact rotations, reflections, signed permutations)",
        dimensions={"k_min": min(ks), "k_max": max(ks)},
        details={
            "cases": count,
            "timings_s": {"total": round(time.perf_counter() - started, 4)},
        },
    )


def check_extra(
    claim_id: str, ks: tuple[int, ...] = (1, 2, 3, 4), draws: int = 2
) -> Evidence:
    """Independent non-symbolic evidence for one claim of this module.

    Rational losses: exact :class:`~fractions.Fraction` arithmetic, ``holds``
    or ``refuted``. SGNS: arb balls at 256 bits, ``holds`` at best (a ball
    around 0 is not a proof). GL claims: the fixed-dimension evidence already
    is exact, so this returns it again.
    """
    kind, name = _split(claim_id)
    if kind == "gl-invariance":
        return prove_extra(claim_id, (2, 2, 2))
    if name == "sgns":
        return sgns_ball_check(kind)
    return _exact(claim_id, ks, draws)


def extra_evidence(
    claim_id: str, dims: tuple[int, int, int] = (3, 2, 2)
) -> list[Evidence]:
    """Proof and independent check of one claim, as a stage reports them."""
    proof = prove_extra(claim_id, dims)
    if claim_id in GL_FIXED_CLAIMS:
        return [proof]
    return [proof, check_extra(claim_id)]
