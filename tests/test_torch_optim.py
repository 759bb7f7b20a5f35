"""Every optimiser torch.optim ships, classified per group against FACTS.md.

torch computes in float32 and float64 only, so these verdicts come from the
two-precision rule of :func:`orthoproof.gate.precisions.classify_levels`: a
break must persist unchanged from float32 to float64 at a deviation above
√(float64 rounding unit), about 10^8 rounding units.

:data:`TABLE` names each case by the torch.optim class it runs, so
:func:`test_table_knows_every_torch_optimiser` fails as soon as torch ships an
optimiser the table has no verdict for.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from orthoproof.cli import main as cli_main
from orthoproof.gate import check_optimiser
from orthoproof.gate.problem import GROUPS
from orthoproof.gate.results import replay_with_expectation

torch = pytest.importorskip("torch")

ROTATIONS = ("O", "SO")
SIGNED_PERMUTATIONS = ("signed-perm", "perm", "sign")
#: Verdict per group for an optimiser that commutes with every rotation.
EVERY_GROUP = dict.fromkeys(GROUPS, "equivariant")
#: Verdict per group for one with a per-coordinate (privileged) basis.
PER_COORDINATE = {
    **dict.fromkeys(ROTATIONS, "broken"),
    **dict.fromkeys(SIGNED_PERMUTATIONS, "equivariant"),
}


@dataclass(frozen=True)
class Case:
    """One torch.optim class with options, its expected verdicts and why."""

    cls: str
    options: dict[str, Any]
    expected: dict[str, str]
    reason: str
    steps: int = 20
    slow: bool = False
    #: Groups where the gate measures otherwise than FACTS.md, with the cause.
    known_gaps: dict[str, str] = field(default_factory=dict)


MUON_GAP = (
    "torch's Muon runs Newton–Schulz in bfloat16 whatever the parameter dtype, "
    "so its deviation (~1e-3, bfloat16 rounding) cannot fall from float32 to "
    "float64; the near-identity control sees it stay flat as the rotation "
    "shrinks and reports undecided, not broken. The same update at the "
    "parameters' precision is equivariant (test_muon_update_at_own_precision)"
)

TABLE: dict[str, Case] = {
    "SGD": Case("SGD", {"lr": 0.02}, EVERY_GROUP, "linear in the gradient"),
    "SGD-momentum": Case(
        "SGD", {"lr": 0.02, "momentum": 0.9}, EVERY_GROUP, "heavy ball: linear"
    ),
    "SGD-nesterov-L2": Case(
        "SGD",
        {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
        EVERY_GROUP,
        "Nesterov and an L2 term: linear, ‖W‖² invariant",
    ),
    "ASGD": Case(
        "ASGD", {"lr": 0.02}, EVERY_GROUP, "SGD with scalar step decay and averaging"
    ),
    "Muon": Case(
        "Muon",
        {"lr": 0.02},
        EVERY_GROUP,
        "Newton–Schulz is a polynomial in XXᵀ times X",
        known_gaps=dict.fromkeys(ROTATIONS, MUON_GAP),
    ),
    "Adagrad": Case("Adagrad", {"lr": 0.05}, PER_COORDINATE, "diagonal accumulator"),
    "Adam": Case("Adam", {"lr": 0.01}, PER_COORDINATE, "elementwise m/√v"),
    "AMSGrad": Case(
        "Adam", {"lr": 0.01, "amsgrad": True}, PER_COORDINATE, "elementwise max"
    ),
    "Adam-L2": Case(
        "Adam",
        {"lr": 0.01, "weight_decay": 0.01},
        PER_COORDINATE,
        "L2 term enters the elementwise moments",
    ),
    "AdamW": Case(
        "AdamW", {"lr": 0.01}, PER_COORDINATE, "decoupled decay; Adam direction"
    ),
    "Adamax": Case("Adamax", {"lr": 0.01}, PER_COORDINATE, "elementwise ∞-norm"),
    "NAdam": Case("NAdam", {"lr": 0.01}, PER_COORDINATE, "elementwise m/√v"),
    "RAdam": Case("RAdam", {"lr": 0.01}, PER_COORDINATE, "elementwise m/√v"),
    "RMSprop": Case("RMSprop", {"lr": 0.01}, PER_COORDINATE, "elementwise √v"),
    "RMSprop-centred": Case(
        "RMSprop",
        {"lr": 0.01, "centered": True, "momentum": 0.5},
        PER_COORDINATE,
        "elementwise variance",
    ),
    "Adadelta": Case("Adadelta", {"lr": 1.0}, PER_COORDINATE, "elementwise ratios"),
    "Rprop": Case("Rprop", {"lr": 0.01}, PER_COORDINATE, "elementwise sign"),
    "Adafactor": Case(
        "Adafactor", {"lr": 0.01}, PER_COORDINATE, "row and column sums of G²"
    ),
    "SparseAdam": Case(
        "SparseAdam",
        {"lr": 0.01},
        PER_COORDINATE,
        "Adam on the stored entries (gradients handed over in sparse form)",
        slow=True,
    ),
    # FACTS.md: torch's L-BFGS scales its first step by 1/‖g‖₁ (invariant under
    # signed permutations only). Tolerances are zeroed so that float32 and
    # float64 stop after the same inner iterations.
    "LBFGS": Case(
        "LBFGS",
        {"lr": 0.1, "max_iter": 5, "tolerance_grad": 0, "tolerance_change": 0},
        PER_COORDINATE,
        "first step scaled by 1/‖g‖₁",
        steps=3,
    ),
}


def _shipped() -> set[str]:
    """Names of the Optimizer subclasses torch.optim exports."""
    return {
        name
        for name in dir(torch.optim)
        if isinstance(getattr(torch.optim, name), type)
        and issubclass(getattr(torch.optim, name), torch.optim.Optimizer)
        and getattr(torch.optim, name) is not torch.optim.Optimizer
    }


def test_table_knows_every_torch_optimiser() -> None:
    unknown = _shipped() - {case.cls for case in TABLE.values()}
    assert not unknown, f"torch.optim ships optimisers without a verdict: {unknown}"


def _params(name: str, case: Case) -> Any:
    return pytest.param(case, id=name, marks=[pytest.mark.slow] if case.slow else [])


@pytest.mark.parametrize("case", [_params(*item) for item in TABLE.items()])
def test_verdicts_match_facts(case: Case) -> None:
    cls = getattr(torch.optim, case.cls)
    report = check_optimiser(cls, options=case.options, steps=case.steps)
    measured = {g.group: g.verdict for g in report.groups}
    for group, wanted in case.expected.items():
        if group in case.known_gaps:
            # A gap may leave the gate undecided, never contradicting FACTS.md.
            assert measured[group] == "undecided", report.failure_message(
                report.group(group)
            )
            continue
        assert measured[group] == wanted, report.failure_message(
            report.group(group).with_expectation(wanted)
        )
    for group in GROUPS:
        if case.expected[group] == "broken":
            # Far above rounding at float64, not a borderline call.
            assert report.group(group).worst["in float64 rounding units"] > 1e8


@pytest.mark.parametrize("group", ROTATIONS)
def test_muon_rotations_undecided_not_broken(group: str) -> None:
    """FACTS.md says equivariant; the gate cannot see past bfloat16, says so."""
    report = check_optimiser(torch.optim.Muon, options={"lr": 0.02}, groups=(group,))
    g = report.group(group)
    assert g.verdict == "undecided", report.failure_message(g)
    assert g.measurements["trajectory"].kind == "persists"
    assert g.control is not None
    assert not g.control.scales
    assert "bfloat16" in g.control.reason
    assert "near-identity control" in report.failure_message(g)


@pytest.mark.parametrize("name", ["Adam", "Adagrad", "RMSprop", "Rprop", "LBFGS"])
def test_control_keeps_rotation_breaks(name: str) -> None:
    """Per-coordinate optimisers still break O and SO after the control."""
    case = TABLE[name]
    cls = getattr(torch.optim, case.cls)
    report = check_optimiser(
        cls, options=case.options, steps=case.steps, groups=ROTATIONS
    )
    for g in report.groups:
        assert g.verdict == "broken", report.failure_message(g)
        assert g.control is not None
        assert g.control.scales


def test_weak_torch_adagrad_still_broken() -> None:
    """A large initial accumulator makes the break weak, not rounding."""
    report = check_optimiser(
        torch.optim.Adagrad,
        options={"lr": 0.05, "initial_accumulator_value": 1e6},
        groups=("O",),
    )
    g = report.group("O")
    assert g.verdict == "broken", report.failure_message(g)
    assert g.worst["final deviation at float64"] < 1e-6


def test_muon_deviation_is_bfloat16_sized() -> None:
    """The rotation deviation is rounding-sized for bfloat16, unlike Adam's."""
    report = check_optimiser(torch.optim.Muon, options={"lr": 0.02}, groups=ROTATIONS)
    for g in report.groups:
        deviations = g.measurements["trajectory"].deviations
        # bfloat16 keeps 8 significant bits: one rounding is 2^-8 ≈ 3.9e-3.
        assert all(1e-5 < d < 4 * 2.0**-8 for d in deviations), deviations


def test_muon_update_at_own_precision() -> None:
    from tests.gate_examples import optimisers

    report = check_optimiser(optimisers.Muon, steps=10)
    assert {g.verdict for g in report.groups} == {"equivariant"}
    assert "mpfr60" in report.dtypes


def test_torch_replay_reproduces_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The printed replay, run through the CLI, fails the same way."""
    case = TABLE["Adam"]
    report = check_optimiser(torch.optim.Adam, options=case.options, groups=("O",))
    g = report.group("O").with_expectation("equivariant")
    assert "replay:" in report.failure_message(g)
    command = replay_with_expectation(g)
    out = tmp_path / "replay.json"
    code = cli_main([*shlex.split(command)[1:], "--json", str(out)])
    capsys.readouterr()
    assert code == 1
    claim = json.loads(out.read_text())["claims"][0]
    assert claim["group"] == "O"
    assert claim["evidence"][0]["details"]["gate_verdict"] == g.verdict == "broken"
