"""Tests of trajectory pairs, the precision-scaling classifier and ball certificates."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from orthoproof.backends import Float64Backend, MpfrBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import cayley, signed_permutation
from orthoproof.models import GloveModel
from orthoproof.optimisers import SGD, Momentum, optimiser_by_name
from orthoproof.trajectory import (
    certify_deviation,
    classify_scaling,
    run_pair,
    trajectory_evidence,
)
from orthoproof.verdicts import Verdict, combine

K, M, N, STEPS = 3, 5, 5, 10


def glove_problem(seed: int = 7) -> tuple[GloveModel, dict[str, Any]]:
    """A 5×5 GloVe problem from random positive counts and a k = 3 start,."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 300, size=(M, N)).astype(float)
    weights = np.minimum((counts / 100.0) ** 0.75, 1.0)
    model = GloveModel(weights, np.log(counts))
    start = {
        "A": rng.uniform(-0.5, 0.5, (K, M)),
        "B": rng.uniform(-0.5, 0.5, (K, N)),
        "b": rng.uniform(-0.1, 0.1, M),
        "c": rng.uniform(-0.1, 0.1, N),
    }
    return model, start


def rotation(reflect: bool = True) -> np.ndarray:
    """A fixed exact element of O(3) with no entry 0 or ±1."""
    p = cayley(
        [
            [0, Fraction(1, 2), Fraction(-1, 3)],
            [Fraction(-1, 2), 0, Fraction(2, 5)],
            [Fraction(1, 3), Fraction(-2, 5), 0],
        ]
    )
    if reflect:
        p[0, :] = -p[0, :]
    assert all(v not in (0, 1, -1) for v in p.flat)
    return p


class HeadStartMomentum(Momentum):
    """Heavy ball started from a nonzero, non-constant velocity (0.01·(1, 2, 3, …))."""

    name = "momentum+head-start"

    def initial(self, xp, field, value):  # type: ignore[no-untyped-def]
        shape = np.shape(value)
        ramp = (np.arange(int(np.prod(shape))).reshape(shape) + 1) / 100
        return xp.asarray(ramp)


class SignLeakSGD(SGD):
    """Broken twin: SGD plus a per-coordinate 1e-3·sign(∇) term (a signSGD leak)."""

    name = "sgd+sign-leak"

    def step(self, xp, params, grads, state):  # type: ignore[no-untyped-def]
        new, state = super().step(xp, params, grads, state)
        leak = xp.number("0.001")
        return {n: v - leak * xp.sign(grads[n]) for n, v in new.items()}, state


# --- the classifier on synthetic inputs -------------------------------------------


def test_classify_shrinking_deviation() -> None:
    """Deviations falling one digit per digit of precision are classified 'shrinks'."""
    scaling = classify_scaling([15, 30, 60], [1e-16, 1e-31, 1e-61])
    assert scaling.kind == "shrinks"
    assert scaling.slope == pytest.approx(-1.0, abs=0.01)
    assert scaling.dps == (15, 30, 60)


def test_classify_persisting_deviation() -> None:
    """Deviations that do not move with precision are classified 'persists'."""
    scaling = classify_scaling([15, 30, 60], [0.04, 0.04, 0.04])
    assert scaling.kind == "persists"
    assert scaling.slope == pytest.approx(0.0, abs=1e-12)
    noisy = classify_scaling([60, 15, 30], [2.1e-3, 2.0e-3, 1.9e-3])
    assert noisy.kind == "persists"


def test_classify_exact_zero() -> None:
    """No deviation at any precision is 'exact-zero' with no slope."""
    scaling = classify_scaling([15, 30, 60], [0.0, 0.0, 0.0])
    assert scaling.kind == "exact-zero"
    assert scaling.slope is None


def test_classify_zero_at_high_precision_counts_as_shrinking() -> None:
    """A deviation that vanishes at the top precision is put at that rounding unit."""
    scaling = classify_scaling([15, 30, 60], [1e-16, 1e-31, 0.0])
    assert scaling.kind == "shrinks"
    assert scaling.slope == pytest.approx(-1.0, abs=0.05)
    # the slope is partly placed, not measured: the reason says so
    assert "exactly zero at 60 digits" in scaling.reason


def test_classify_refuses_precisions_beyond_float64() -> None:
    """At 330 digits a rounding-level deviation is a float64 zero: no slope to fit."""
    with pytest.raises(InvalidArgument, match="307"):
        classify_scaling([15, 30, 330], [1e-16, 1e-31, 0.0])


@pytest.mark.parametrize(
    "deviations",
    [
        [1e-5, 1e-10, 1e-19],  # slope −0.3: neither rounding nor persistent
        [1e-3, 1e-7, 1e-20],  # falling, but still above 10^-(60/2) at 60 digits
        [math.nan, 1e-30, 1e-60],  # not finite
        [-1e-16, 1e-31, 1e-61],  # negative
        [math.inf, 1.0, 1.0],
        [1e-40, 1e-40, 1e-40],  # flat, but below the rounding unit of 30 digits
    ],
)
def test_classify_unclear(deviations: list[float]) -> None:
    """Ambiguous or malformed deviations are classified 'unclear'."""
    assert classify_scaling([15, 30, 60], deviations).kind == "unclear"


@pytest.mark.parametrize(
    ("dps", "deviations"),
    [
        ([30, 60], [1e-31, 1e-61]),
        ([30], [1e-31]),
        ([30, 30, 60], [1e-31, 1e-31, 1e-61]),
        ([15, 30, 60], [1e-16, 1e-31]),
    ],
)
def test_classify_needs_three_distinct_precisions(
    dps: list[int], deviations: list[float]
) -> None:
    """Fewer than three distinct precisions, or a missing deviation, is rejected."""
    with pytest.raises(InvalidArgument, match=r"^dps="):
        classify_scaling(dps, deviations)


# --- trajectory pairs -----------------------------------------------------------------


def test_sgd_pair_deviation_is_rounding() -> None:
    """SGD from P·θ₀ tracks P·θ_t to 1e-12 in float64 and to 1e-35 at 40 digits."""
    model, start = glove_problem()
    sgd = optimiser_by_name("sgd")
    low = run_pair(Float64Backend(), model, sgd, start, rotation(), STEPS)
    high = run_pair(MpfrBackend.from_dps(40), model, sgd, start, rotation(), STEPS)
    assert low.deviation < 1e-12
    assert high.deviation < 1e-35
    assert high.deviation > 0  # rounded P: a real, if tiny, deviation was measured
    assert (low.backend, low.dps, low.steps) == ("float64", 15, STEPS)
    assert (high.backend, high.dps, high.prec) == (
        "mpfr",
        40,
        MpfrBackend.from_dps(40).prec,
    )
    # both number systems ran the same problem to the same loss
    assert low.final_loss == pytest.approx(high.final_loss, rel=1e-12)


def test_sgd_run_actually_trains() -> None:
    """The SGD run on the GloVe problem halves the loss: the pair really moves."""
    model, start = glove_problem()
    xp = Float64Backend()
    initial = float(model.loss(xp, {n: xp.asarray(v) for n, v in start.items()}))
    pair = run_pair(xp, model, optimiser_by_name("sgd"), start, rotation(), STEPS)
    assert pair.final_loss < initial / 2


@pytest.mark.parametrize(
    "make",
    [
        Float64Backend,
        lambda: MpfrBackend.from_dps(30),
        lambda: MpfrBackend.from_dps(60),
    ],
)
def test_adam_pair_deviation_persists_at_every_precision(make: Any) -> None:
    """Adam leaves the rotated trajectory by more than 1e-4 at every precision."""
    model, start = glove_problem()
    pair = run_pair(make(), model, optimiser_by_name("adam"), start, rotation(), STEPS)
    assert pair.deviation > 1e-4


def test_adam_under_a_signed_permutation_deviates_only_by_rounding() -> None:
    """Under a signed permutation Adam deviates only by rounding of reordered sums."""
    model, start = glove_problem()
    p = signed_permutation(K, np.random.default_rng(3))
    adam = optimiser_by_name("adam")
    pair = run_pair(MpfrBackend.from_dps(30), model, adam, start, p, STEPS)
    assert pair.deviation < 1e-28


def test_recorded_curve_has_the_requested_points() -> None:
    """record_every=3 over 10 steps records steps 3, 6, 9 and 10, each with a gap."""
    model, start = glove_problem()
    pair = run_pair(
        Float64Backend(), model, optimiser_by_name("adam"), start, rotation(), STEPS, 3
    )
    assert [t for t, _ in pair.curve] == [3, 6, 9, 10]
    assert pair.curve[-1][1] == pytest.approx(pair.deviation, rel=1e-12)
    assert all(d > 0 for _, d in pair.curve)


def test_scaling_of_real_runs() -> None:
    """Measured SGD deviations classify as 'shrinks', Adam's as 'persists'."""
    model, start = glove_problem()
    backends = [Float64Backend(), MpfrBackend.from_dps(30), MpfrBackend.from_dps(60)]
    for name, kind in (("sgd", "shrinks"), ("adam", "persists")):
        pairs = [
            run_pair(xp, model, optimiser_by_name(name), start, rotation(), STEPS)
            for xp in backends
        ]
        scaling = classify_scaling([p.dps for p in pairs], [p.deviation for p in pairs])
        assert scaling.kind == kind


def test_run_pair_moves_the_initial_state_by_its_law() -> None:
    """A nonzero initial velocity is turned by P too, so heavy ball stays on track."""
    model, start = glove_problem()
    pair = run_pair(
        MpfrBackend.from_dps(40), model, HeadStartMomentum(), start, rotation(), STEPS
    )
    assert pair.deviation < 1e-35


def test_run_pair_without_the_state_law_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If run_pair left the initial state unmoved, the deviation would persist."""
    monkeypatch.setattr(
        "orthoproof.trajectory.run.act_state", lambda xp, opt, p, state: state
    )
    model, start = glove_problem()
    pair = run_pair(
        MpfrBackend.from_dps(40), model, HeadStartMomentum(), start, rotation(), STEPS
    )
    assert pair.deviation > 1e-3


# --- ball certificates ------------------------------------------------------------


def test_adam_deviation_is_certified_under_a_rotation() -> None:
    """The arb re-run certifies Adam's deviation: the ball lies strictly above 0."""
    model, start = glove_problem()
    cert = certify_deviation(model, optimiser_by_name("adam"), start, rotation(), STEPS)
    assert cert.certified is True
    assert cert.lower_bound > 1e-5
    assert cert.radius < 1e-60
    assert cert.steps == STEPS
    assert cert.prec == 256
    as_json = cert.to_json()
    assert as_json["certified"] is True
    assert as_json["lower_bound"] == cert.lower_bound


@pytest.mark.parametrize("reflect", [True, False])
def test_sgd_is_never_certified(reflect: bool) -> None:
    """SGD's ball contains 0 under rotations and signed permutations: no certificate."""
    model, start = glove_problem()
    sgd = optimiser_by_name("sgd")
    elements = [rotation(reflect), signed_permutation(K, np.random.default_rng(1))]
    for p in elements:
        for prec in (64, 256):
            cert = certify_deviation(model, sgd, start, p, STEPS, prec)
            assert cert.certified is False
            assert cert.lower_bound <= 0
            assert "contains 0" in cert.reason


def test_naive_certificates_would_refute_sgd() -> None:
    """Trusting a nonzero float64 gap or a ball's midpoint would wrongly refute SGD."""
    model, start = glove_problem()
    sgd = optimiser_by_name("sgd")
    float_pair = run_pair(Float64Backend(), model, sgd, start, rotation(), STEPS)
    # a float-only checker would call this a counterexample
    assert float_pair.deviation > 0
    cert = certify_deviation(model, sgd, start, rotation(), STEPS)
    midpoint = cert.lower_bound + cert.radius
    assert midpoint > 0  # so would a checker that reads the ball's midpoint
    assert cert.certified is False


def test_sign_leak_twin_is_caught() -> None:
    """SGD with a 1e-3·sign(∇) leak persists across precisions and is refuted."""
    model, start = glove_problem()
    leak = SignLeakSGD()
    evidence = trajectory_evidence(model, leak, start, rotation(), steps=STEPS)
    assert [e.kind for e in evidence] == ["trajectory", "certificate"]
    assert evidence[0].details["classification"] == "persists"
    assert min(evidence[0].errors or ()) > 1e-4
    assert evidence[1].verdict is Verdict.REFUTED
    assert combine(evidence) is Verdict.REFUTED


# --- evidence ----------------------------------------------------------------------


def test_sgd_evidence_holds() -> None:
    """trajectory_evidence gives SGD one 'holds' record with shrinking deviations."""
    model, start = glove_problem()
    evidence = trajectory_evidence(
        model, optimiser_by_name("sgd"), start, rotation(), steps=STEPS
    )
    assert len(evidence) == 1
    record = evidence[0]
    assert record.kind == "trajectory"
    assert record.verdict is Verdict.HOLDS
    assert record.precision == (15, 30, 60)
    assert record.details["classification"] == "shrinks"
    low, mid, high = record.errors or (1.0, 1.0, 1.0)
    assert low < 1e-12
    assert mid < 1e-25
    assert high < 1e-55
    assert record.counterexample is None
    assert combine(evidence) is Verdict.HOLDS


def test_adagrad_evidence_is_a_certified_refutation() -> None:
    """trajectory_evidence refutes Adagrad with a certificate and a replayable P."""
    model, start = glove_problem()
    p = rotation()
    evidence = trajectory_evidence(
        model,
        optimiser_by_name("adagrad"),
        start,
        p,
        steps=STEPS,
        replay={"seed": 7},
    )
    assert [e.kind for e in evidence] == ["trajectory", "certificate"]
    scaling, certificate = evidence
    assert scaling.verdict is Verdict.UNDECIDED
    assert scaling.details["classification"] == "persists"
    assert certificate.verdict is Verdict.REFUTED
    assert certificate.certificate is not None
    assert certificate.certificate["certified"] is True
    assert (certificate.errors or (0.0,))[0] > 0
    counterexample = certificate.counterexample
    assert counterexample is not None
    element = counterexample["group_element"]
    assert all(isinstance(v, str) for row in element for v in row)
    assert [[Fraction(v) for v in row] for row in element] == p.tolist()
    assert counterexample["steps"] == STEPS
    assert counterexample["optimiser"]["name"] == "adagrad"
    assert counterexample["seed"] == 7
    assert counterexample["deviation"] > 1e-3
    assert combine(evidence) is Verdict.REFUTED


def test_uncertified_persisting_deviation_stays_undecided() -> None:
    """Balls too coarse to exclude 0 (12 bits) leave the claim 'undecided'."""
    model, start = glove_problem()
    evidence = trajectory_evidence(
        model,
        optimiser_by_name("adam"),
        start,
        rotation(),
        steps=STEPS,
        certify_prec=12,
    )
    assert [e.kind for e in evidence] == ["trajectory", "certificate"]
    assert evidence[0].details["classification"] == "persists"
    assert evidence[1].verdict is Verdict.UNDECIDED
    assert evidence[1].counterexample is None
    assert evidence[1].certificate is not None
    assert evidence[1].certificate["certified"] is False
    assert evidence[1].certificate["prec"] == 12
    assert combine(evidence) is Verdict.UNDECIDED


def test_nan_ball_is_not_reported_as_containing_zero() -> None:
    """A NaN ball yields no certificate and a reason that does not claim it holds 0."""
    model, start = glove_problem()
    cert = certify_deviation(model, optimiser_by_name("adam"), start, rotation(), 1, 8)
    assert cert.certified is False
    assert cert.squared_ball == "nan"
    assert "contains 0" not in cert.reason


def test_adagrad_under_a_signed_permutation_holds() -> None:
    """Per-coordinate Adagrad is not refuted by a signed permutation: it holds."""
    model, start = glove_problem()
    p = signed_permutation(K, np.random.default_rng(2))
    evidence = trajectory_evidence(
        model, optimiser_by_name("adagrad"), start, p, steps=STEPS
    )
    assert len(evidence) == 1
    # Permuting the hidden index reorders the sums in AᵀB, so rounding may differ.
    assert evidence[0].details["classification"] in ("shrinks", "exact-zero")
    assert max(evidence[0].errors or (1.0,)) < 1e-12
    assert combine(evidence) is Verdict.HOLDS


def test_classify_refuses_to_call_a_loud_low_precision_shrinking() -> None:
    """Large in float64, tiny in mpfr: a dtype-dependent path, not rounding.

    The least-squares slope through all points is steep, so the overall fit
    alone said 'shrinks' (a gate passed code that used sign(g) for floats).
    """
    scaling = classify_scaling([7, 15, 18, 30, 60], [0.18, 0.18, 0.18, 2e-31, 1e-61])
    assert scaling.kind == "unclear"
    assert "at 7 digits" in scaling.reason
    # the honest case still shrinks: every level near its own rounding
    fine = classify_scaling([7, 15, 18, 30, 60], [1e-7, 1e-15, 1e-18, 1e-30, 1e-60])
    assert fine.kind == "shrinks"
