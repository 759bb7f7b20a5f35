"""Certificates: the plain data a proof hands to the checking kernel.

A certificate states a list of polynomial identities, one per *entry*::

    lhs − rhs = Σ_g  γ_g · C_g

where the ``γ_g`` are the generators of the ideal of ``PᵀP = I`` and the
``C_g`` are the entry's cofactors. With no generators the statement is simply
``lhs − rhs = 0`` as polynomials. The prover builds ``lhs`` and ``rhs`` by
running the model code; the kernel (:mod:`orthoproof.prove.kernel`) re-checks
the identities by polynomial expansion alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Certificate", "KernelReport"]


@dataclass(frozen=True)
class KernelReport:
    """What the kernel found when it re-checked a certificate.

    Attributes
    ----------
    accepted
        ``True`` only when every identity expanded to zero.
    reason
        Why the certificate was rejected (empty when accepted).
    monomials
        Monomials the kernel expanded and saw cancel, over all entries.
    entries
        Identities checked.
    """

    accepted: bool
    reason: str
    monomials: int = 0
    entries: int = 0


@dataclass(frozen=True)
class Certificate:
    """Polynomial identities that together prove one claim at fixed dimensions.

    Attributes
    ----------
    claim
        The claim id (or the lemma's name) the certificate supports.
    dims
        ``{"k": …, "m": …, "n": …}``.
    labels
        One human-readable name per entry, e.g. ``∇A[1,2]``.
    lhs, rhs
        The two sides of each entry, sympy expressions.
    group
        The k×k matrix of symbols ``P`` when the identities hold modulo
        ``PᵀP = I``; ``None`` when they hold outright.
    generators
        The ideal's generators ``(PᵀP − I)_pq``, ``p ≤ q``, in row order.
    cofactors
        For each entry, one cofactor per generator.
    steps
        The prover's account of how the certificate was built.
    """

    claim: str
    dims: dict[str, int]
    labels: tuple[str, ...]
    lhs: tuple[Any, ...]
    rhs: tuple[Any, ...]
    group: tuple[tuple[Any, ...], ...] | None = None
    generators: tuple[Any, ...] = ()
    cofactors: tuple[tuple[Any, ...], ...] = ()
    steps: tuple[str, ...] = field(default_factory=tuple)

    @property
    def nonzero_cofactors(self) -> int:
        return sum(1 for row in self.cofactors for c in row if c != 0)

    def summary(self, report: KernelReport | None = None) -> dict[str, Any]:
        """A JSON-ready account: counts, dimensions and numbered proof steps."""
        steps = list(self.steps)
        if report is not None:
            outcome = "0" if report.accepted else f"rejected ({report.reason})"
            entries = f"{report.entries} entr{'y' if report.entries == 1 else 'ies'}"
            # Digits grouped by spaces (1 234), as the report's prose writes them.
            count = f"{report.monomials:,}".replace(",", " ")
            what = "lhs − rhs − Σγ·C" if self.generators else "lhs − rhs"
            steps.append(
                f"kernel expanded {what} for {entries} over {count} monomials: "
                f"{outcome}"
            )
        return {
            "claim": self.claim,
            "dimensions": dict(self.dims),
            "entries": len(self.labels),
            "generators": len(self.generators),
            "ideal": "PᵀP − I" if self.generators else None,
            "nonzero_cofactors": self.nonzero_cofactors,
            "kernel": None
            if report is None
            else {
                "accepted": report.accepted,
                "reason": report.reason,
                "monomials": report.monomials,
                "entries": report.entries,
            },
            "steps": [f"{i}. {text}" for i, text in enumerate(steps, start=1)],
        }
