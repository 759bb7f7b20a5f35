"""``orthoproof check`` on example user code: verdicts, exit codes, outputs."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from orthoproof.cli import main as cli_main
from orthoproof.errors import InvalidArgument
from orthoproof.gate import UserCodeError, check_loss, check_optimiser, load_object
from orthoproof.gate.cli import main
from orthoproof.gate.precisions import classify_levels
from orthoproof.report import validate
from tests.gate_examples import losses, optimisers

EX = "tests.gate_examples"


def test_correct_loss_is_invariant_under_every_group() -> None:
    report = check_loss(losses.plain)
    assert {g.verdict for g in report.groups} == {"equivariant"}
    # Central differences still shed rounding as precision grows.
    assert "mpfr60" in report.dtypes


def test_l1_loss_breaks_rotations_but_not_signed_permutations() -> None:
    report = check_loss(losses.l1, groups=("O", "signed-perm"))
    assert report.group("O").verdict == "broken"
    assert report.group("signed-perm").verdict == "equivariant"


def test_sgd_object_equivariant_and_sign_sgd_broken() -> None:
    assert check_optimiser(optimisers.sgd, groups=("O",)).group("O").verdict == (
        "equivariant"
    )
    report = check_optimiser(optimisers.sign_sgd, groups=("O", "signed-perm"))
    assert report.group("O").verdict == "broken"
    assert report.group("O").first_step == 1
    assert report.group("signed-perm").verdict == "equivariant"


def test_parameter_forms_agree() -> None:
    for form in ("sequence",):
        with pytest.raises(UserCodeError, match="raised"):
            # The example indexes params by name, so a list makes it raise.
            check_optimiser(optimisers.SGD, params=form, groups=("O",))


def test_two_precision_rule_needs_a_flat_line_far_above_rounding() -> None:
    assert classify_levels([6, 15], [1e-7, 1e-16]).kind == "shrinks"
    assert classify_levels([6, 15], [0.2, 0.2]).kind == "persists"
    assert classify_levels([6, 15], [1e-3, 1e-5]).kind == "unclear"


def test_bad_import_path_names_the_path() -> None:
    with pytest.raises(InvalidArgument, match="nowhere"):
        load_object(f"{EX}.nowhere:thing")
    with pytest.raises(InvalidArgument, match="missing"):
        load_object(f"{EX}.losses:missing")
    with pytest.raises(InvalidArgument):
        load_object("no-colon")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def test_cli_bad_path_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run(capsys, "--loss", f"{EX}.nowhere:loss")
    assert code == 2
    assert f"{EX}.nowhere:loss" in text


def test_cli_raising_code_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run(capsys, "--loss", f"{EX}.losses:raises")
    assert code == 2
    assert "deliberate failure" in text


def test_cli_nan_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run(capsys, "--loss", f"{EX}.losses:nan")
    assert code == 2
    assert "nan" in text


def test_cli_expectation_mismatch_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    target = f"{EX}.optimisers:sign_sgd"
    code, text = _run(capsys, "--optimiser", target, "--expect", "O=equivariant")
    assert code == 1
    assert f"orthoproof check --optimiser {target} --group O --seed 0" in text
    assert "group element P" in text


def test_cli_expectations_hold_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run(
        capsys,
        "--optimiser",
        f"{EX}.optimisers:SGD",
        "--options",
        '{"lr": 0.01}',
        "--group",
        "O",
        "--group",
        "sign",
        "--expect",
        "O=equivariant",
    )
    assert code == 0


def test_cli_bad_expect_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _run(capsys, "--loss", f"{EX}.losses:plain", "--expect", "O=maybe")
    assert code == 2
    assert "O=maybe" in text


def test_json_and_junit_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json, out_xml = tmp_path / "check.json", tmp_path / "check.xml"
    code, _ = _run(
        capsys,
        "--loss",
        f"{EX}.losses:l1",
        "--grad",
        f"{EX}.losses:plain_grad",
        "--expect",
        "O=equivariant",
        "--expect",
        "sign=equivariant",
        "--json",
        str(out_json),
        "--junit",
        str(out_xml),
    )
    assert code == 1
    doc = json.loads(out_json.read_text())
    assert validate(doc) == []
    assert doc["summary"]["ok"] is False
    by_group = {c["group"]: c for c in doc["claims"]}
    # measured, not certified: the report never calls it refuted
    assert by_group["O"]["verdict"] == "undecided"
    assert "broken" in by_group["O"]["evidence"][0]["summary"]
    assert by_group["sign"]["verdict"] == "holds"
    suite = ET.fromstring(out_xml.read_text())
    assert suite.get("tests") == "5"
    assert suite.get("failures") == "1"
    failure = suite.find("testcase[@name='O']/failure")
    assert failure is not None
    assert "replay:" in (failure.text or "")


@pytest.mark.parametrize(
    ("kind", "target", "options"),
    [
        ("--optimiser", f"{EX}.optimisers:sign_sgd", []),
        ("--optimiser", f"{EX}.optimisers:SGD", ["--options", '{"momentum": 0.9}']),
        ("--loss", f"{EX}.losses:l1", []),
    ],
)
def test_printed_replay_replays(
    capsys: pytest.CaptureFixture[str], kind: str, target: str, options: list[str]
) -> None:
    """The replay line printed on failure gives the same verdict and exit code."""
    # sign_sgd and l1 break O; SGD is equivariant, so expecting a break fails.
    wanted = "equivariant" if kind == "--loss" or "sign" in target else "broken"
    code, text = _run(
        capsys, kind, target, *options, "--seed", "5", "--expect", f"O={wanted}"
    )
    assert code == 1
    replay = next(
        line.split("replay: ", 1)[1] for line in text.splitlines() if "replay: " in line
    )
    verdict = next(line for line in text.splitlines() if ": group O is " in line)
    assert "--seed 5" in replay
    assert code == cli_main(shlex.split(replay)[1:])
    again = capsys.readouterr().out
    assert verdict.strip() in again
    assert f"replay: {replay}" in again


def test_internal_rounding_is_undecided_not_broken() -> None:
    """An update rounded to 8 bits persists on the ladder but is no break."""
    report = check_optimiser(optimisers.rounded_sgd, groups=("O", "SO", "perm"))
    for group in ("O", "SO"):
        g = report.group(group)
        assert g.measurements["trajectory"].kind == "persists"
        assert g.verdict == "undecided", report.failure_message(g)
        assert g.control is not None
        assert "rounding inside the optimiser" in g.control.reason
    # The discrete group needs no control: no rounding differs under a perm.
    assert report.group("perm").control is None


def test_weak_breaker_is_still_broken() -> None:
    """Adagrad with a large accumulator: a tiny deviation, but one that scales."""
    report = check_optimiser(optimisers.weak_adagrad, groups=("O", "SO", "sign"))
    for group in ("O", "SO"):
        g = report.group(group)
        assert g.verdict == "broken", report.failure_message(g)
        assert g.worst["final deviation at float64"] < 1e-5
        assert g.control is not None
        assert g.control.ratio >= 10
    assert report.group("sign").verdict == "equivariant"


def test_control_element_is_near_identity_and_exact() -> None:
    from fractions import Fraction

    from orthoproof.gate.control import EPSILONS, cayley_parameter, near_identity
    from orthoproof.gate.problem import element
    from orthoproof.groups import cayley, is_orthogonal

    for group in ("O", "SO"):
        p = element(group, 3, 0)
        skew = cayley_parameter(p)
        assert skew is not None
        # The rotation part is recovered exactly (O adds diag(-1, 1, 1)).
        rotation = cayley(skew)
        if group == "O":
            rotation[0, :] = -rotation[0, :]
        assert (rotation == p).all()
        for eps in EPSILONS:
            q = near_identity(p, eps)
            assert is_orthogonal(q)
            assert (
                max(abs(Fraction(v) - (i == j)) for (i, j), v in np.ndenumerate(q))
                < 4 * eps
            )


def test_control_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "check.json"
    code, _ = _run(
        capsys,
        "--optimiser",
        f"{EX}.optimisers:rounded_sgd",
        "--group",
        "O",
        "--json",
        str(out),
    )
    assert code == 0
    doc = json.loads(out.read_text())
    assert validate(doc) == []
    evidence = doc["claims"][0]["evidence"][0]
    assert evidence["summary"].startswith("trajectory: undecided")
    assert evidence["details"]["near_identity_control"]["scales"] is False


def test_two_levels_with_a_loud_float32_are_unclear() -> None:
    """torch's two rungs: float32 at 0.18 is no rounding, whatever float64 says."""
    from orthoproof.gate.precisions import classify_levels

    assert classify_levels([7, 15], [0.18, 1e-20]).kind == "unclear"
    assert classify_levels([7, 15], [1e-7, 1e-15]).kind == "shrinks"
