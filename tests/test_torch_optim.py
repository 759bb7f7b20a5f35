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
from dataclasses import dataclass
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
    # torch runs Newton–Schulz in bfloat16: O and SO are settled by the lift.
    "Muon": Case(
        "Muon",
        {"lr": 0.02},
        EVERY_GROUP,
        "Newton–Schulz is a polynomial in XXᵀ times X",
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
        assert measured[group] == wanted, report.failure_message(
            report.group(group).with_expectation(wanted)
        )
    for group in GROUPS:
        if case.expected[group] == "broken":
            # Far above rounding at float64, not a borderline call.
            assert report.group(group).worst["in float64 rounding units"] > 1e8


@pytest.mark.parametrize("group", ROTATIONS)
def test_muon_rotations_settled_by_the_lift(group: str) -> None:
    """bfloat16 rounding persists, the control calls it rounding, the lift decides."""
    report = check_optimiser(torch.optim.Muon, options={"lr": 0.02}, groups=(group,))
    g = report.group(group)
    assert g.verdict == "equivariant", report.failure_message(g)
    assert g.measurements["trajectory"].kind == "persists"
    assert g.control is not None
    assert not g.control.scales
    assert "bfloat16" in g.control.reason
    assert g.lift is not None
    assert g.lift.casts.get("bfloat16", 0) > 0
    assert g.measurements["lifted trajectory"].kind == "shrinks"
    assert "lifted" in report.failure_message(g)


class _Elementwise(torch.optim.Optimizer):
    """A minimal torch optimiser: ``p ← p − lr·update(g)``, for the twins below."""

    def __init__(self, params: Any, lr: float = 0.02, delta: float = 1e-4) -> None:
        super().__init__(params, {"lr": lr, "delta": delta})

    def update(self, g: Any, delta: float) -> Any:
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                p.sub_(group["lr"] * self.update(p.grad, group["delta"]))
        return loss


class _RoundedWithBreak(_Elementwise):
    """Broken twin: bfloat16 rounding hides a weak per-coordinate term.

    ``u = bf16(g) + δ·g³`` (entrywise cube) with δ small enough that the break
    sits below bfloat16 noise near the identity, so the control alone would
    call the whole deviation rounding. The lift must expose the cube.
    """

    def update(self, g: Any, delta: float) -> Any:
        return g.bfloat16().to(g.dtype) + delta * g**3


class _QuantisedWithoutCasts(_Elementwise):
    """Rounds to 8 bits by arithmetic, with no cast for the lift to find."""

    def update(self, g: Any, delta: float) -> Any:
        scale = 2.0 ** torch.floor(torch.log2(g.abs().max())) / 128
        return torch.round(g / scale) * scale


def test_lift_exposes_a_break_hidden_under_bfloat16() -> None:
    report = check_optimiser(_RoundedWithBreak, options={"lr": 0.02}, groups=("O",))
    g = report.group("O")
    assert g.verdict == "undecided", report.failure_message(g)
    # The control alone takes the deviation for rounding; the lift shows more.
    assert g.control is not None
    assert not g.control.scales
    assert g.lift is not None
    assert g.measurements["lifted trajectory"].kind == "persists"
    assert not g.lift.equivariant


def test_lift_without_casts_proves_nothing() -> None:
    report = check_optimiser(
        _QuantisedWithoutCasts, options={"lr": 0.02}, groups=("O",)
    )
    g = report.group("O")
    assert g.verdict == "undecided", report.failure_message(g)
    assert g.lift is not None
    assert sum(g.lift.casts.values()) == 0
    assert not g.lift.equivariant
    assert "lifting changed nothing" in g.lift.reason


def test_lifted_casts_count_and_restore() -> None:
    from collections import Counter

    from orthoproof.gate.lift import lifted_casts

    saved = (torch.Tensor.bfloat16, torch.Tensor.half, torch.Tensor.to)
    x = torch.ones(2, dtype=torch.float64)
    counts: Counter[str] = Counter()
    seen: list[torch.dtype] = []

    def user_code() -> None:
        with lifted_casts(counts):
            seen.append(x.bfloat16().dtype)
            seen.append(x.half().dtype)
            seen.append(x.to(torch.bfloat16).dtype)
            seen.append(x.to(dtype=torch.float16).dtype)
            seen.append(x.to(torch.float32).dtype)  # not a low precision: kept
            raise RuntimeError("user code raised")

    with pytest.raises(RuntimeError, match="user code"):
        user_code()
    assert seen == [torch.float64] * 4 + [torch.float32]
    assert counts == Counter({"bfloat16": 1, "half": 1, "to": 2})
    assert (torch.Tensor.bfloat16, torch.Tensor.half, torch.Tensor.to) == saved
    assert x.bfloat16().dtype == torch.bfloat16


def test_muon_json_records_the_lift(tmp_path: Path) -> None:
    from orthoproof.gate.output import json_document

    report = check_optimiser(torch.optim.Muon, options={"lr": 0.02}, groups=("O",))
    claim = json_document(report)["claims"][0]
    assert claim["verdict"] == "holds"
    lifted = [
        e for e in claim["evidence"] if e["details"]["quantity"] == "lifted trajectory"
    ]
    assert len(lifted) == 1
    assert lifted[0]["details"]["lift"]["equivariant"] is True
    raw = [e for e in claim["evidence"] if e["details"]["quantity"] == "trajectory"]
    assert raw[0]["verdict"] == "undecided"


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
