"""GloVe's per-pair loop: FACTS.md's formulas, the record order, table verdicts."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from orthoproof.backends import ArbBackend, Float64Backend, MpfrBackend
from orthoproof.errors import InvalidArgument
from orthoproof.flintmat import FlintBackend
from orthoproof.models import GloveModel, PlainModel
from orthoproof.optim import all_laws, catalogue_optimiser, expected_verdict
from orthoproof.optim.glove_pairs import GlovePairs, record_order
from orthoproof.optim.step_claims import _sides, step_evidence, step_inputs
from orthoproof.optimisers import GloveAdagrad
from orthoproof.symmetry import TableSettings, symmetry_table
from orthoproof.verdicts import Verdict

K, M, N = 2, 3, 4
Arrays = dict[str, np.ndarray]
GROUPS = ("O", "SO", "signed-perm", "perm", "sign")


def tiny_problem(seed: int = 0) -> tuple[GloveModel, Arrays]:
    """A 3×4 GloVe problem with one unobserved pair, and a start."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 1.0, (M, N))
    weights[1, 2] = 0.0  # unobserved: GloVe has no record for it
    target = rng.uniform(-1.0, 2.0, (M, N))
    start = {
        "A": rng.normal(0, 1, (K, M)),
        "B": rng.normal(0, 1, (K, N)),
        "b": rng.normal(0, 0.3, M),
        "c": rng.normal(0, 0.3, N),
    }
    return GloveModel(weights, target), start


def epochs(
    opt: Any, model: GloveModel, start: Arrays, count: int = 1, xp: Any = None
) -> tuple[Arrays, Any]:
    xp = xp or Float64Backend()
    with xp.context():
        data = model.data(xp)
        theta = {n: xp.asarray(v) for n, v in start.items()}
        state = opt.init(xp, theta)
        for _ in range(count):
            theta, state = opt.step(xp, theta, {}, state, model=model, data=data)
    return theta, state


def reference_epochs(
    model: GloveModel, start: Arrays, seed: int, count: int = 1, **hyper: float
) -> tuple[dict[str, Any], int]:
    """FACTS.md's per-pair rule in plain Python lists; also counts clipped values."""
    eta, bound = hyper.get("lr", 0.05), hyper.get("clip", 100.0)
    f = np.asarray(model.weights, dtype=float)
    logx = np.asarray(model.target, dtype=float)
    # Word vectors and context vectors as lists of columns.
    w = [list(col) for col in start["A"].T]
    wt = [list(col) for col in start["B"].T]
    bw, bc = list(start["b"]), list(start["c"])
    gw = [[1.0] * K for _ in range(M)]
    gc = [[1.0] * K for _ in range(N)]
    gbw, gbc = [1.0] * M, [1.0] * N
    records = [(i, j) for i in range(M) for j in range(N) if f[i, j] != 0]
    order = np.random.default_rng(seed).permutation(len(records))
    clipped = 0
    for _ in range(count):
        for r in order:
            i, j = records[r]
            diff = sum(w[i][d] * wt[j][d] for d in range(K)) + bw[i] + bc[j]
            fdiff = f[i, j] * (diff - logx[i, j])
            for d in range(K):
                raw1, raw2 = fdiff * wt[j][d], fdiff * w[i][d]
                clipped += (abs(raw1) > bound) + (abs(raw2) > bound)
                t1 = eta * min(max(raw1, -bound), bound)
                t2 = eta * min(max(raw2, -bound), bound)
                w[i][d] -= t1 / math.sqrt(gw[i][d])
                wt[j][d] -= t2 / math.sqrt(gc[j][d])
                gw[i][d] += t1 * t1
                gc[j][d] += t2 * t2
            bw[i] -= fdiff / math.sqrt(gbw[i])
            bc[j] -= fdiff / math.sqrt(gbc[j])
            gbw[i] += fdiff * fdiff
            gbc[j] += fdiff * fdiff
    out = {"A": np.array(w).T, "B": np.array(wt).T, "b": bw, "c": bc}
    return out | {"gA": np.array(gw).T, "gB": np.array(gc).T}, clipped


@pytest.mark.parametrize("hyper", [{}, {"lr": 0.5, "clip": 0.3}])
def test_one_epoch_matches_the_per_pair_formulas(hyper: dict[str, float]) -> None:
    """One and two float64 epochs equal FACTS.md's rule run pair by pair in Python."""
    model, start = tiny_problem()
    opt = GlovePairs(**{k: str(v) for k, v in hyper.items()}, seed=3)
    for count in (1, 2):
        got, state = epochs(opt, model, start, count)
        want, clipped = reference_epochs(model, start, 3, count, **hyper)
        for n in ("A", "B", "b", "c"):
            np.testing.assert_allclose(got[n], want[n], rtol=1e-13, err_msg=n)
        np.testing.assert_allclose(state["gradsq"]["A"], want["gA"], rtol=1e-13)
        np.testing.assert_allclose(state["gradsq"]["B"], want["gB"], rtol=1e-13)
        assert state["t"] == count
    # The second case exists to make clipping bind; the first keeps GloVe's bound.
    assert (clipped > 0) == bool(hyper)


def test_the_record_order_matters() -> None:
    """Another seed gives another epoch, which the reference comparison rejects."""
    model, start = tiny_problem()
    got, _ = epochs(GlovePairs(seed=4), model, start)
    want, _ = reference_epochs(model, start, 3)
    assert np.max(np.abs(got["A"] - want["A"])) > 1e-4
    same, _ = epochs(GlovePairs(seed=3), model, start)
    np.testing.assert_allclose(same["A"], want["A"], rtol=1e-13)


def test_record_order_skips_unobserved_pairs_and_depends_on_the_seed_only() -> None:
    """Every observed pair once, none unobserved; a fixed seed fixes the order."""
    model, _ = tiny_problem()
    order = record_order(model.weights, 5)
    assert sorted(order) == [
        (i, j) for i in range(M) for j in range(N) if (i, j) != (1, 2)
    ]
    assert record_order(model.weights, 5) == order
    assert record_order(model.weights, 6) != order


def test_a_single_record_is_one_full_batch_glove_step() -> None:
    """With one observed pair, an epoch equals GloveAdagrad's full-batch step."""
    model, start = tiny_problem()
    weights = np.zeros((M, N))
    weights[2, 1] = 0.7
    single = GloveModel(weights, model.target)
    got, state = epochs(GlovePairs(), single, start)

    xp, full = Float64Backend(), GloveAdagrad()
    data = single.data(xp)
    grads = single.gradient(xp, start, data)
    want, want_state = full.step(xp, start, grads, full.init(xp, start))
    for n in start:
        np.testing.assert_allclose(got[n], want[n], rtol=1e-15, atol=0, err_msg=n)
        np.testing.assert_allclose(
            state["gradsq"][n], want_state["gradsq"][n], rtol=1e-15, atol=0
        )
    # Every other column stays where it was.
    assert np.array_equal(np.delete(got["A"], 2, axis=1), np.delete(start["A"], 2, 1))


@pytest.mark.parametrize("xp", [MpfrBackend.from_dps(30), ArbBackend(128)])
def test_high_precision_epochs_agree_with_float64(xp: Any) -> None:
    """mpfr object arrays and arb balls run the same two epochs as float64."""
    model, start = tiny_problem(1)
    want, _ = epochs(GlovePairs(), model, start, 2)
    got, _ = epochs(GlovePairs(), model, start, 2, xp)
    for n in start:
        np.testing.assert_allclose(xp.to_float(got[n]), want[n], rtol=1e-12)


def test_refuses_what_it_cannot_walk() -> None:
    """No model, a model without GloVe's cost, flint matrices, a bad seed: refused."""
    model, start = tiny_problem()
    xp, opt = Float64Backend(), GlovePairs()
    state = opt.init(xp, start)
    with pytest.raises(InvalidArgument, match="model"):
        opt.step(xp, start, {}, state)
    plain = PlainModel(model.weights, model.target)
    with pytest.raises(InvalidArgument, match="GloveModel"):
        opt.step(xp, start, {}, state, model=plain, data=plain.data(xp))
    flint_xp = FlintBackend(64)
    with flint_xp.context():
        theta = {n: flint_xp.asarray(v) for n, v in start.items()}
        with pytest.raises(InvalidArgument, match="numpy array"):
            opt.step(flint_xp, theta, {}, state, model=model, data=model.data(xp))
    with pytest.raises(InvalidArgument, match="seed"):
        GlovePairs(seed="-1")


def test_catalogue_entry_laws_and_expected_row() -> None:
    """Per-coordinate accumulators: ✗ under O(k) and SO(k), ✓ under the rest."""
    opt = catalogue_optimiser("glove-adagrad-pairs")
    assert all_laws(opt) == {"gradsq": "square"}
    assert opt.hyper == {
        "lr": "0.05",
        "clip": "100",
        "initial_accumulator_value": "1",
        "seed": "0",
    }
    verdicts = [expected_verdict("glove-adagrad-pairs", g) for g in GROUPS]
    assert verdicts == [Verdict.REFUTED] * 2 + [Verdict.HOLDS] * 3


def test_step_claim_is_refuted_by_a_rotation_but_not_a_signed_permutation() -> None:
    """The one-step claim: a ball above 0 for the rotation, around 0 for ±perm."""
    evidence = step_evidence("glove-adagrad-pairs")
    assert evidence.verdict == Verdict.REFUTED
    inputs = step_inputs()
    inputs["p"] = np.array([[0, Fraction(-1)], [Fraction(1), 0]], dtype=object)
    xp = ArbBackend(256)
    diff, size = _sides(xp, "glove-adagrad-pairs", inputs)
    with xp.context():
        assert diff.contains(0)
        assert float(diff.upper()) < 1e-60 * float(size.lower())


def test_table_cells_give_the_expected_verdicts() -> None:
    """The five group cells give FACTS.md's row, refutations ball-certified."""
    rows = symmetry_table(TableSettings(steps=6), names=["glove-adagrad-pairs"])
    assert [r.group for r in rows] == list(GROUPS)
    assert all(r.as_expected for r in rows), [(r.group, r.verdict) for r in rows]
    assert all(r.certified for r in rows if r.expected == Verdict.REFUTED)
