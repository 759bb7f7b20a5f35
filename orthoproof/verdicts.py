"""Verdicts and the evidence behind them: the vocabulary every layer reports in.

A verdict is computed, never written in: each evidence-producing layer returns an
:class:`Evidence` record, and :func:`combine` decides the verdict of a claim from
the records alone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClaimResult", "Evidence", "Verdict", "combine"]


class Verdict(enum.StrEnum):
    """How strongly a claim is settled (DESIGN §2)."""

    PROVED = "proved"  # a symbolic proof whose certificate was re-checked
    HOLDS = "holds"  # no proof, but strong numerical evidence
    REFUTED = "refuted"  # a certified counterexample
    UNDECIDED = "undecided"  # nothing conclusive


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for or against a claim.

    Parameters
    ----------
    kind
        ``symbolic``, ``exact-check``, ``fuzz``, ``trajectory`` or ``certificate``.
    verdict
        What this piece of evidence alone supports.
    summary
        One sentence a reader can follow.
    dimensions
        Shapes the evidence covers, e.g. ``{"k": 3, "m": 2, "n": 2}``.
    precision
        Working precisions in decimal digits (``dps``), where relevant.
    errors
        Measured errors or deviations, one per precision or per case.
    counterexample
        Everything needed to replay a refutation.
    certificate
        What an independent checker re-verified.
    """

    kind: str
    verdict: Verdict
    summary: str
    dimensions: Mapping[str, int] | None = None
    precision: tuple[int, ...] | None = None
    errors: tuple[float, ...] | None = None
    counterexample: Mapping[str, Any] | None = None
    certificate: Mapping[str, Any] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (tuples become lists)."""
        return {
            "kind": self.kind,
            "verdict": str(self.verdict),
            "summary": self.summary,
            "dimensions": dict(self.dimensions) if self.dimensions else None,
            "precision": list(self.precision) if self.precision else None,
            "errors": list(self.errors) if self.errors is not None else None,
            "counterexample": self.counterexample,
            "certificate": self.certificate,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class ClaimResult:
    """A claim of the catalogue together with its computed verdict."""

    id: str
    statement: str
    group: str
    expected: Verdict
    verdict: Verdict
    evidence: tuple[Evidence, ...]

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "statement": self.statement,
            "group": self.group,
            "expected": str(self.expected),
            "verdict": str(self.verdict),
            "as_expected": self.as_expected,
            "evidence": [e.to_json() for e in self.evidence],
        }


def combine(evidence: Iterable[Evidence]) -> Verdict:
    """The verdict that a set of evidence supports.

    A certified refutation outweighs numerical support (a counterexample is
    final; fuzzing can miss it, or sample dimensions where the claim happens to
    hold); a proof needs no contradicting evidence; numerical support alone
    gives ``holds``. Evidence that both proves and refutes is a bug in the
    suite, so it is reported as ``undecided`` rather than picking a side.

    >>> combine([Evidence("fuzz", Verdict.HOLDS, "ok")])
    <Verdict.HOLDS: 'holds'>
    >>> combine([])
    <Verdict.UNDECIDED: 'undecided'>
    """
    verdicts = {e.verdict for e in evidence}
    if {Verdict.REFUTED, Verdict.PROVED} <= verdicts:
        return Verdict.UNDECIDED
    for strongest in (Verdict.REFUTED, Verdict.PROVED, Verdict.HOLDS):
        if strongest in verdicts:
            return strongest
    return Verdict.UNDECIDED
