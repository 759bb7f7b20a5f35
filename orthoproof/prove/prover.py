"""Symbolic proofs of the invariance claims at stated dimensions.

``prove_claim`` assembles the certificates a claim needs, has the kernel
re-check each of them, and reports ``proved`` only if the kernel accepted all.
Anything else (no certificate found, a rejected certificate, a non-polynomial
residual, an exception inside sympy) gives ``undecided``: failing to prove is
never evidence against a claim.

What each claim needs:

========================  ==================================================
``product-invariance``    ideal certificate
``loss-invariance/*``     ideal certificate
``gradient-equivariance`` chain-rule lemma + ideal certificate
``orbit-orthogonality``   chain-rule lemma + zero-polynomial certificate
========================  ==================================================
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import sympy

from orthoproof.errors import InvalidArgument
from orthoproof.models import Model
from orthoproof.prove.catalogue import build_model, parse_claim
from orthoproof.prove.certificate import Certificate
from orthoproof.prove.ideal import Attempt, identity_certificate, invariance_certificate
from orthoproof.prove.kernel import verify
from orthoproof.prove.lemmas import chain_rule_certificate, orbit_certificate
from orthoproof.prove.setup import SymbolicSetup, symbolic_setup
from orthoproof.verdicts import Evidence, Verdict

__all__ = [
    "DEFAULT_DIMS",
    "attempts_evidence",
    "certificates",
    "prove_claim",
    "prove_identity",
]

logger = logging.getLogger(__name__)

#: Dimensions (k, m, n) proved by default: every claim in a few seconds.
DEFAULT_DIMS = (3, 2, 2)

#: λ of the L1 twin is a symbol, so the proof attempt covers every strength.
STRENGTH = sympy.Symbol("λ", positive=True)

ModelFactory = Callable[[Any, Any], Model]


def _timed(build: Callable[[], Certificate]) -> Attempt:
    clock = time.perf_counter()
    cert = build()
    return Attempt(cert, "", {"build": time.perf_counter() - clock})


def _attempts(
    claim_id: str, setup: SymbolicSetup, factory: ModelFactory | None
) -> list[Attempt]:
    kind, name = parse_claim(claim_id)
    model: Model | None = None
    if name is not None:
        model = (
            factory(setup.weights, setup.target)
            if factory is not None
            else build_model(name, setup.weights, setup.target, strength=STRENGTH)
        )
    if kind == "product-invariance":
        return [invariance_certificate(kind, claim_id, setup, None)]
    if model is None:
        raise InvalidArgument.of("claim_id", claim_id, "a claim that names a model")
    if kind == "loss-invariance":
        return [invariance_certificate(kind, claim_id, setup, model)]
    # "Gradient" claims are about ∇E only if the model's gradient is ∇E.
    lemma = _timed(lambda: chain_rule_certificate(setup, model))
    if kind == "gradient-equivariance":
        return [lemma, invariance_certificate(kind, claim_id, setup, model)]
    return [lemma, _timed(lambda: orbit_certificate(setup, model, claim_id))]


def _judge(attempts: list[Attempt]) -> tuple[bool, str, list[dict[str, Any]], dict]:
    """Run the kernel on every certificate; collect summaries and timings."""
    parts: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    reasons: list[str] = []
    for attempt in attempts:
        cert = attempt.certificate
        tag = cert.claim if cert is not None else "attempt"
        for stage, seconds in attempt.timings.items():
            timings[f"{tag}:{stage}"] = round(seconds, 4)
        if cert is None:
            reasons.append(attempt.reason)
            continue
        clock = time.perf_counter()
        report = verify(cert)
        timings[f"{tag}:kernel"] = round(time.perf_counter() - clock, 4)
        parts.append(cert.summary(report))
        if not report.accepted:
            reasons.append(
                f"{cert.claim}: kernel rejected the certificate: {report.reason}"
            )
    # No certificate at all proves nothing, even with no complaint recorded.
    accepted = bool(parts) and not reasons
    return accepted, "; ".join(reasons) or "no certificate", parts, timings


def attempts_evidence(
    claim_id: str, setup: SymbolicSetup, attempts: list[Attempt], started: float
) -> Evidence:
    accepted, reason, parts, timings = _judge(attempts)
    timings["total"] = round(time.perf_counter() - started, 4)
    dims = setup.dims
    shape = f"k={dims['k']}, m={dims['m']}, n={dims['n']}"
    if accepted:
        verdict = Verdict.PROVED
        summary = (
            f"{claim_id} proved for {shape}; the kernel re-checked every certificate"
        )
    else:
        verdict = Verdict.UNDECIDED
        summary = f"{claim_id} not proved for {shape}: {reason}"
    steps = [f"[{part['claim']}] {step}" for part in parts for step in part["steps"]]
    certificate = {
        "claim": claim_id,
        "dimensions": dims,
        "parts": parts,
        "steps": steps,
    }
    details = {
        "timings_s": timings,
        "reason": "" if accepted else reason,
        "method": "fixed-dimension",
    }
    logger.info("%s at %s: %s in %.2f s", claim_id, shape, verdict, timings["total"])
    return Evidence(
        kind="symbolic",
        verdict=verdict,
        summary=summary,
        dimensions=dims,
        certificate=certificate,
        details=details,
    )


def prove_claim(
    claim_id: str,
    dims: tuple[int, int, int] = DEFAULT_DIMS,
    *,
    model_factory: ModelFactory | None = None,
) -> Evidence:
    """Prove one claim symbolically at dimensions ``dims = (k, m, n)``.

    Parameters
    ----------
    claim_id
        One of :data:`orthoproof.prove.SYMBOLIC_CLAIMS`.
    dims
        Hidden dimension k and data shape m×n the proof covers.
    model_factory
        Builds the model from symbolic ``(weights, target)`` in place of the
        catalogue's; lets a caller put a model of its own through the same
        proof (the tests use it for deliberately wrong gradients).

    Returns
    -------
    Evidence
        ``kind="symbolic"``; ``proved`` only when the kernel accepted every
        certificate, otherwise ``undecided`` with the reason in ``summary`` and
        ``details["reason"]``.
    """
    started = time.perf_counter()
    setup = symbolic_setup(dims)
    parse_claim(claim_id)  # a bad id is the caller's error, not an undecided proof
    try:
        attempts = _attempts(claim_id, setup, model_factory)
    except Exception as exc:  # a crash inside sympy must not become a verdict
        logger.warning("proof of %s failed: %r", claim_id, exc)
        attempts = [Attempt(None, f"{claim_id}: the proof attempt raised {exc!r}")]
    return attempts_evidence(claim_id, setup, attempts, started)


def certificates(
    claim_id: str,
    dims: tuple[int, int, int] = DEFAULT_DIMS,
    *,
    model_factory: ModelFactory | None = None,
) -> list[Certificate]:
    """The certificates :func:`prove_claim` would hand to the kernel, unchecked.

    Parts for which no certificate was found are left out, so the list can be
    shorter than the claim needs; exceptions propagate.
    """
    parse_claim(claim_id)
    attempts = _attempts(claim_id, symbolic_setup(dims), model_factory)
    return [a.certificate for a in attempts if a.certificate is not None]


def prove_identity(
    claim: str,
    labels: Sequence[str],
    lhs: Sequence[Any],
    rhs: Sequence[Any],
    dims: tuple[int, int, int],
) -> Evidence:
    """Prove ``lhs = rhs`` entrywise modulo ``PᵀP = I`` with the setup's symbols.

    The expressions should be built from :func:`symbolic_setup` ``(dims)``;
    cofactors are sought by division only, so a ``proved`` here means the
    kernel accepted an ideal-membership certificate and nothing else.
    """
    started = time.perf_counter()
    setup = symbolic_setup(dims)
    try:
        attempts = [identity_certificate(claim, labels, lhs, rhs, setup)]
    except Exception as exc:  # as in prove_claim: a crash is not a verdict
        logger.warning("proof of %s failed: %r", claim, exc)
        attempts = [Attempt(None, f"{claim}: the proof attempt raised {exc!r}")]
    return attempts_evidence(claim, setup, attempts, started)
