"""What a check finds, per group, and how a failure is replayed."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orthoproof.errors import InvalidArgument
from orthoproof.trajectory.classify import Scaling

if TYPE_CHECKING:
    from orthoproof.gate.control import Control
    from orthoproof.gate.lift import Lift

__all__ = [
    "VERDICTS",
    "CheckReport",
    "GroupCheck",
    "parse_expectations",
    "replay_command",
    "replay_with_expectation",
    "verdict_of",
]

#: Verdicts of the gate, in the vocabulary of ``--expect``.
VERDICTS = ("equivariant", "broken", "undecided")


def verdict_of(*scalings: Scaling) -> str:
    """``broken`` if any measurement persists, ``equivariant`` if all shrink."""
    kinds = {s.kind for s in scalings}
    if "persists" in kinds:
        return "broken"
    if kinds <= {"shrinks", "exact-zero"}:
        return "equivariant"
    return "undecided"


@dataclass(frozen=True)
class GroupCheck:
    """The verdict for one group, with everything needed to replay it.

    ``measurements`` maps a quantity (``trajectory``, ``loss``, ``gradient``) to
    its deviations per precision and the classifier's reading of them.
    ``control`` is the near-identity control of a persisting deviation under a
    continuous group (:mod:`orthoproof.gate.control`), if one was run.
    """

    group: str
    verdict: str
    element: list[list[str]]
    measurements: Mapping[str, Scaling]
    precisions: tuple[str, ...]
    worst: Mapping[str, float]
    first_step: int | None
    replay: str
    expected: str | None = None
    control: Control | None = None
    #: the ladder re-run with low-precision casts lifted, if it was needed
    lift: Lift | None = None

    @property
    def as_expected(self) -> bool:
        return self.expected is None or self.expected == self.verdict

    def with_expectation(self, expected: str | None) -> GroupCheck:
        return GroupCheck(**{**self.__dict__, "expected": expected})


@dataclass(frozen=True)
class CheckReport:
    """All groups of one check of a loss or an optimiser."""

    kind: str
    target: str
    seed: int
    shapes: Mapping[str, list[int]]
    dtypes: tuple[str, ...]
    steps: int | None
    groups: tuple[GroupCheck, ...]
    notes: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(g.as_expected for g in self.groups)

    def group(self, name: str) -> GroupCheck:
        for g in self.groups:
            if g.group == name:
                return g
        raise KeyError(name)

    def expect(self, expectations: Mapping[str, str]) -> CheckReport:
        """A copy with ``--expect`` expectations attached to their groups."""
        unknown = set(expectations) - {g.group for g in self.groups}
        if unknown:
            raise InvalidArgument.of(
                "expect", sorted(unknown), "groups that were checked"
            )
        groups = tuple(
            g.with_expectation(expectations.get(g.group)) for g in self.groups
        )
        return CheckReport(**{**self.__dict__, "groups": groups})

    def failure_message(self, g: GroupCheck) -> str:
        """A replayable account of one group's result."""
        step = "n/a" if g.first_step is None else str(g.first_step)
        lines = [
            f"{self.kind} {self.target}: group {g.group} is {g.verdict}"
            + (f" (expected {g.expected})" if g.expected else ""),
            f"  group element P = {g.element}",
            f"  seed {self.seed}; shapes {dict(self.shapes)}; "
            f"dtypes {', '.join(self.dtypes)}",
            f"  deviation first above the rounding level at step {step}",
        ]
        for quantity, s in g.measurements.items():
            devs = ", ".join(
                f"{p}={d:.2e}" for p, d in zip(g.precisions, s.deviations, strict=False)
            )
            lines.append(f"  {quantity}: {s.kind} — {s.reason}; deviations {devs}")
        if g.control is not None:
            lines.append(f"  near-identity control: {g.control.reason}")
        if g.lift is not None:
            lines.append(f"  lifted: {g.lift.reason}")
        for key, value in g.worst.items():
            lines.append(f"  {key}: {value:.3e}")
        lines.append(f"  replay: {replay_with_expectation(g)}")
        return "\n".join(lines)


def replay_with_expectation(g: GroupCheck) -> str:
    """``g.replay`` plus the ``--expect`` that failed, so the replay fails too.

    Without the expectation the replayed command would print the same verdict
    but exit 0, and a CI log would not show it failing again.
    """
    if g.expected is None or not g.replay.startswith("orthoproof check "):
        return g.replay
    return f"{g.replay} {shlex.join(['--expect', f'{g.group}={g.expected}'])}"


def replay_command(
    kind: str,
    target: str | None,
    group: str,
    seed: int,
    *,
    extra: Sequence[str] = (),
) -> str:
    """The ``orthoproof check`` command that re-runs one group of a check."""
    if target is None:
        return "(not replayable from the command line: object has no import path)"
    words = ["orthoproof", "check", f"--{kind}", target, "--group", group]
    words += ["--seed", str(seed), *extra]
    return shlex.join(words)


def parse_expectations(
    items: Sequence[str], *, argument: str = "--expect"
) -> dict[str, str]:
    """Turn ``GROUP=equivariant|broken`` strings into a mapping.

    A group may be named twice with the same verdict (``invariant`` is a synonym
    of ``equivariant``); two different verdicts for one group contradict each
    other and are refused, rather than letting the last one silently win.
    ``argument`` is the name errors give the strings under.
    """
    from orthoproof.gate.problem import GROUPS

    out: dict[str, str] = {}
    first: dict[str, str] = {}
    for item in items:
        group, sep, verdict = item.partition("=")
        verdict = {"invariant": "equivariant"}.get(verdict, verdict)
        if not sep or group not in GROUPS or verdict not in ("equivariant", "broken"):
            raise InvalidArgument(
                f"{argument}={item!r}: expected GROUP=equivariant|broken with "
                f"GROUP one of {', '.join(GROUPS)}"
            )
        if group in out and out[group] != verdict:
            raise InvalidArgument(
                f"{argument}={item!r} contradicts {argument}={first[group]!r}: "
                "expected one verdict per group"
            )
        out[group] = verdict
        first.setdefault(group, item)
    return out


def as_json(report: CheckReport) -> dict[str, Any]:
    """Plain data for one report (used by the JSON and JUnit writers)."""
    return {
        "kind": report.kind,
        "target": report.target,
        "seed": report.seed,
        "shapes": dict(report.shapes),
        "dtypes": list(report.dtypes),
        "steps": report.steps,
        "notes": list(report.notes),
    }
