"""Combining evidence into verdicts, and the catalogue's expectations."""

from __future__ import annotations

import pytest

from orthoproof.claims import CATALOGUE, claim, expected_for
from orthoproof.errors import InvalidArgument
from orthoproof.verdicts import ClaimResult, Evidence, Verdict, combine

V = Verdict


def _ev(verdict: Verdict, kind: str = "fuzz") -> Evidence:
    return Evidence(kind, verdict, "test")


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], V.UNDECIDED),
        ([V.UNDECIDED], V.UNDECIDED),
        ([V.HOLDS], V.HOLDS),
        ([V.HOLDS, V.UNDECIDED], V.HOLDS),
        ([V.PROVED, V.HOLDS], V.PROVED),
        ([V.UNDECIDED, V.PROVED], V.PROVED),
        ([V.UNDECIDED, V.REFUTED], V.REFUTED),
        ([V.REFUTED, V.REFUTED], V.REFUTED),
        # a proof and a certified counterexample contradict: a fault in the
        # suite, so never pick a side
        ([V.PROVED, V.REFUTED], V.UNDECIDED),
        ([V.PROVED, V.HOLDS, V.REFUTED], V.UNDECIDED),
        # numerical support does not contradict a certified counterexample:
        # fuzzing can miss it, or run where the claim happens to hold (an L1
        # penalty at k = 1, where O(1) is only ±1), and the counterexample is final
        ([V.HOLDS, V.REFUTED], V.REFUTED),
    ],
)
def test_combine(verdicts: list[Verdict], expected: Verdict) -> None:
    """The claim verdict follows from the evidence verdicts as DESIGN §2 says."""
    assert combine(_ev(v) for v in verdicts) == expected


def test_claim_result_reports_whether_as_expected() -> None:
    """as_expected compares the computed verdict with the catalogue's."""
    result = ClaimResult("x", "s", "O", V.PROVED, V.UNDECIDED, (_ev(V.UNDECIDED),))
    assert not result.as_expected
    assert result.to_json()["as_expected"] is False
    assert result.to_json()["evidence"][0]["verdict"] == "undecided"


def test_catalogue_pairs_are_unique_and_cover_design_ids() -> None:
    """Each (id, group) appears once; the DESIGN §1 ids of issue 2 are present."""
    pairs = [(s.id, s.group) for s in CATALOGUE]
    assert len(pairs) == len(set(pairs))
    ids = {s.id for s in CATALOGUE}
    for needed in (
        "product-invariance",
        "loss-invariance/glove",
        "gradient-equivariance/glove",
        "orbit-orthogonality/glove",
        "trajectory-equivariance/glove-adagrad/glove",
    ):
        assert needed in ids


def test_per_coordinate_optimisers_expected_broken_only_under_rotations() -> None:
    """Adam is expected refuted under O(k) and to hold under signed permutations."""
    assert claim("trajectory-equivariance/adam/glove", "O").expected == V.REFUTED
    assert (
        claim("trajectory-equivariance/adam/glove", "signed-perm").expected == V.HOLDS
    )
    assert claim("trajectory-equivariance/sgd/glove", "O").expected == V.HOLDS


def test_expectations_at_k_one_follow_o1_being_sign_flips() -> None:
    """At k = 1, O(1) = {±1}, so no trajectory claim is expected refuted."""
    spec = claim("trajectory-equivariance/adam/glove", "O")
    assert expected_for(spec, 1) == V.HOLDS
    assert expected_for(spec, 2) == V.REFUTED
    assert expected_for(claim("loss-invariance/glove+l1"), 1) == V.REFUTED


def test_glove_adagrads_plain_first_step_is_expected_to_hold() -> None:
    """GloVe's lag: step one divides by √1, so one step commutes with P."""
    lagged = claim("trajectory-equivariance/glove-adagrad/glove", "O")
    assert expected_for(lagged, 4, steps=1) == V.HOLDS
    assert expected_for(lagged, 4, steps=2) == V.REFUTED
    assert expected_for(lagged, 4) == V.REFUTED
    # torch's Adagrad divides by √(0 + g²) at once: broken from step one
    plain = claim("trajectory-equivariance/adagrad/glove", "O")
    assert expected_for(plain, 4, steps=1) == V.REFUTED


def test_unknown_claim_is_named() -> None:
    """Looking up an unknown claim raises InvalidArgument naming it."""
    with pytest.raises(InvalidArgument, match="no-such"):
        claim("no-such")


def test_the_longest_run_of_a_claim_decides_its_expectation() -> None:
    """A one-step core run beside the table's 15 steps: GloVe-Adagrad must break."""
    from orthoproof.verify import _result

    spec = claim("trajectory-equivariance/glove-adagrad/glove", "O")

    def run(steps: int, verdict: Verdict) -> Evidence:
        return Evidence("trajectory", verdict, "a run", details={"steps": steps})

    short = [run(1, V.HOLDS)]
    assert _result(spec, short, 4, 1).expected == V.HOLDS
    both = [run(1, V.HOLDS), run(15, V.UNDECIDED)]
    assert _result(spec, both, 4, 1).expected == V.REFUTED
    assert _result(spec, [], 4, 50).expected == V.REFUTED
