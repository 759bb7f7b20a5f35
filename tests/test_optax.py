"""optax's own transformations as third-party input, against FACTS.md.

The optax runner switches jax to float64 for its runs only, so the check reads
the scaling from float32 to float64 without the caller touching
``jax_enable_x64``; :func:`test_caller_x64_setting_is_left_alone` pins that.
"""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from orthoproof.cli import main as cli_main
from orthoproof.gate import check_optimiser
from orthoproof.gate.problem import GROUPS
from orthoproof.gate.results import replay_with_expectation

optax = pytest.importorskip("optax")
jax = pytest.importorskip("jax")

EVERY_GROUP = dict.fromkeys(GROUPS, "equivariant")
PER_COORDINATE = {
    **dict.fromkeys(("O", "SO"), "broken"),
    **dict.fromkeys(("signed-perm", "perm", "sign"), "equivariant"),
}

#: name -> (factory, options, expected verdict per group, reason)
TABLE: dict[str, tuple[Any, dict[str, Any], dict[str, str], str]] = {
    "sgd": (optax.sgd, {"learning_rate": 0.02}, EVERY_GROUP, "linear"),
    "sgd-momentum": (
        optax.sgd,
        {"learning_rate": 0.02, "momentum": 0.9, "nesterov": True},
        EVERY_GROUP,
        "linear",
    ),
    "adam": (optax.adam, {"learning_rate": 0.01}, PER_COORDINATE, "elementwise"),
    # Initial accumulator 0.1 and eps 1e-7 inside the root (FACTS.md): still a
    # per-coordinate accumulator.
    "adagrad": (
        optax.adagrad,
        {"learning_rate": 0.05},
        PER_COORDINATE,
        "diagonal accumulator",
    ),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_verdicts_match_facts(name: str) -> None:
    factory, options, expected, _ = TABLE[name]
    report = check_optimiser(factory, options=options, steps=20)
    assert report.dtypes == ("float32", "float64")
    for g in report.groups:
        assert g.verdict == expected[g.group], report.failure_message(
            g.with_expectation(expected[g.group])
        )
        if g.verdict == "broken":
            assert g.worst["in float64 rounding units"] > 1e8


def test_transformation_object_is_accepted() -> None:
    report = check_optimiser(optax.sgd(0.02), groups=("O",))
    assert report.group("O").verdict == "equivariant"


def test_caller_x64_setting_is_left_alone() -> None:
    before = bool(jax.config.jax_enable_x64)
    check_optimiser(optax.sgd, options={"learning_rate": 0.02}, groups=("sign",))
    assert bool(jax.config.jax_enable_x64) == before


def test_optax_replay_reproduces_the_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = check_optimiser(
        optax.adagrad, options={"learning_rate": 0.05}, groups=("O",)
    )
    g = report.group("O").with_expectation("equivariant")
    command = replay_with_expectation(g)
    assert command.startswith("orthoproof check --optimiser optax:adagrad ")
    code = cli_main(shlex.split(command)[1:])
    text = capsys.readouterr().out
    assert code == 1
    assert "group O is broken (expected equivariant)" in text
