"""torch.optim's own optimisers as third-party input, against FACTS.md.

torch computes in float32 and float64 only, so these verdicts come from the
two-precision rule of :func:`orthoproof.gate.precisions.classify_levels`: a
break must persist unchanged from float32 to float64 at a deviation above
√(float64 rounding unit), about 10^8 rounding units.
"""

from __future__ import annotations

import pytest

from orthoproof.gate import check_optimiser

torch = pytest.importorskip("torch")

EQUIVARIANT_UNDER_O = {
    "SGD": (torch.optim.SGD, {"lr": 0.02}),
    "SGD-momentum": (torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    "SGD-nesterov": (
        torch.optim.SGD,
        {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    ),
    "ASGD": (torch.optim.ASGD, {"lr": 0.02}),
}
PER_COORDINATE = {
    "Adagrad": (torch.optim.Adagrad, {"lr": 0.05}),
    "Adam": (torch.optim.Adam, {"lr": 0.01}),
    "AMSGrad": (torch.optim.Adam, {"lr": 0.01, "amsgrad": True}),
    "AdamW": (torch.optim.AdamW, {"lr": 0.01}),
    "RMSprop": (torch.optim.RMSprop, {"lr": 0.01}),
    "Adadelta": (torch.optim.Adadelta, {"lr": 1.0}),
    "Adamax": (torch.optim.Adamax, {"lr": 0.01}),
    "NAdam": (torch.optim.NAdam, {"lr": 0.01}),
    "RAdam": (torch.optim.RAdam, {"lr": 0.01}),
    "Rprop": (torch.optim.Rprop, {"lr": 0.01}),
    # FACTS.md: torch's L-BFGS scales its first step by 1/‖g‖₁. Tolerances are
    # zeroed so that float32 and float64 stop after the same iterations.
    "LBFGS": (
        torch.optim.LBFGS,
        {"lr": 0.1, "max_iter": 5, "tolerance_grad": 0, "tolerance_change": 0},
    ),
}
SMALL_GROUPS = ("signed-perm", "perm", "sign")


@pytest.mark.parametrize("name", sorted(EQUIVARIANT_UNDER_O))
def test_linear_optimisers_are_equivariant_under_every_group(name: str) -> None:
    cls, options = EQUIVARIANT_UNDER_O[name]
    report = check_optimiser(cls, options=options, steps=20)
    assert {g.group: g.verdict for g in report.groups} == dict.fromkeys(
        ("O", "SO", *SMALL_GROUPS), "equivariant"
    ), report.failure_message(report.groups[0])


@pytest.mark.parametrize("name", sorted(PER_COORDINATE))
def test_per_coordinate_optimisers_break_rotations_only(name: str) -> None:
    cls, options = PER_COORDINATE[name]
    steps = 3 if name == "LBFGS" else 20
    report = check_optimiser(cls, options=options, steps=steps)
    verdicts = {g.group: g.verdict for g in report.groups}
    assert verdicts["O"] == verdicts["SO"] == "broken", verdicts
    for group in SMALL_GROUPS:
        assert verdicts[group] == "equivariant", report.failure_message(
            report.group(group)
        )
    # The break is far above rounding at float64, not a borderline call.
    assert report.group("O").worst["in float64 rounding units"] > 1e8
