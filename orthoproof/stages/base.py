"""What a stage of ``verify`` is: the claims it settles and how it settles them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orthoproof.claims import ClaimSpec
from orthoproof.verdicts import Evidence

if TYPE_CHECKING:
    from orthoproof.config import VerifyConfig
    from orthoproof.data import Cooccurrence
    from orthoproof.problem import GloveProblem

__all__ = ["Context", "Found", "Progress", "Stage"]

#: Called as progress(stage, done, total, label) while a stage works.
Progress = Callable[[str, int, int, str], None]
#: Evidence keyed by (claim id, group).
Found = dict[tuple[str, str], list[Evidence]]


@dataclass(frozen=True)
class Context:
    """Everything a stage may read: settings, input, problem, what to settle."""

    config: VerifyConfig
    data: Cooccurrence
    problem: GloveProblem
    wanted: frozenset[tuple[str, str]]
    progress: Progress

    def settle(self, claims: tuple[ClaimSpec, ...]) -> list[ClaimSpec]:
        """The claims of a stage that this run asks for, in catalogue order."""
        return [c for c in claims if (c.id, c.group) in self.wanted]


@dataclass(frozen=True)
class Stage:
    """A named source of evidence for a fixed set of claims."""

    name: str
    claims: tuple[ClaimSpec, ...]
    run: Callable[[Context], Mapping[tuple[str, str], list[Evidence]]]
