"""Nelder–Mead: table verdicts, the rotated-simplex control, one step by hand."""

from __future__ import annotations

import numpy as np
import pytest

from orthoproof.backends import Float64Backend
from orthoproof.groups import act, table_element
from orthoproof.optim import act_state_ext, catalogue_optimiser, expected_verdict
from orthoproof.symmetry import TableSettings, _problem, symmetry_table
from orthoproof.trajectory.run import squared_distance

FAST = TableSettings(steps=6)


@pytest.mark.parametrize("name", ["nelder-mead"])
def test_table_cells_give_the_expected_verdicts(name: str) -> None:
    """Every group cell of the table gives FACTS.md's verdict, refutations certified."""
    rows = symmetry_table(FAST, names=[name], workers=1)
    assert all(r.as_expected for r in rows), [(r.group, r.verdict) for r in rows]
    assert all(r.certified for r in rows if str(r.expected) == "refuted")


def test_expected_verdicts() -> None:
    """The expected verdicts follow FACTS.md's rows for Nelder–Mead and Powell."""
    groups = ("O", "SO", "signed-perm", "perm", "sign")
    nm = [str(expected_verdict("nelder-mead", g)) for g in groups]
    powell = [str(expected_verdict("powell", g)) for g in groups]
    assert nm == ["refuted", "refuted", "holds", "holds", "holds"]
    assert powell == ["refuted"] * 4 + ["holds"]


def test_rotated_simplex_makes_nelder_mead_equivariant() -> None:
    """Moving the built simplex by P (the positive control) keeps runs together."""
    # FACTS.md's positive control: move the built simplex by P instead of
    # building an axis-aligned one around P·θ₀.
    xp = Float64Backend()
    problem = _problem(FAST)
    model, opt = problem.model, catalogue_optimiser("nelder-mead")
    p = table_element("O", FAST.k, np.random.default_rng(3))
    data = model.data(xp)

    def loss(q):  # type: ignore[no-untyped-def]
        return model.loss(xp, q, data)

    theta = {n: xp.asarray(v) for n, v in problem.start.items()}
    state = {"t": 0, **opt.initial_simplex(xp, theta, loss)}
    theta_p, state_p = act(xp, p, theta), act_state_ext(xp, opt, p, state)
    for _ in range(10):
        theta, state = opt.step(xp, theta, {}, state, loss=loss)
        theta_p, state_p = opt.step(xp, theta_p, {}, state_p, loss=loss)
    assert float(squared_distance(xp, theta_p, act(xp, p, theta))) < 1e-20


def test_one_nelder_mead_iteration_by_hand() -> None:
    """One iteration on x² + y² gives the hand-computed simplex."""
    # f(x, y) = x² + y² from (1, 2): simplex (1, 2), (1.05, 2), (1, 2.1) with
    # losses 5, 5.1025, 5.41. Reflect (1, 2.1) through the centroid
    # (1.025, 2): (1.05, 1.9), loss 4.7125 < 5, so expand to (1.075, 1.8),
    # loss 4.395625, which is better: it replaces the worst vertex.
    xp = Float64Backend()
    opt = catalogue_optimiser("nelder-mead")

    def loss(q):  # type: ignore[no-untyped-def]
        return (q["b"] ** 2).sum()

    params = {"b": np.array([1.0, 2.0])}
    new, state = opt.step(xp, params, {}, opt.init(xp, params), loss=loss)
    np.testing.assert_allclose(new["b"], [1.075, 1.8])
    np.testing.assert_allclose(
        state["simplex"]["b"], [[1.075, 1.8], [1.0, 2.0], [1.05, 2.0]]
    )
    np.testing.assert_allclose(list(state["fsim"]["loss"]), [4.395625, 5, 5.1025])


def test_one_nelder_mead_iteration_matches_scipy() -> None:
    """Five iterations agree with scipy's Nelder–Mead where scipy imports."""
    optimize = pytest.importorskip("scipy.optimize")
    xp = Float64Backend()
    opt = catalogue_optimiser("nelder-mead")
    target = np.array([0.3, -1.2, 2.0])

    def loss(q):  # type: ignore[no-untyped-def]
        return ((q["b"] - target) ** 2 * np.array([1.0, 3.0, 0.5])).sum()

    x0 = np.array([1.0, 0.0, -0.5])
    params, state = {"b": x0}, opt.init(xp, {"b": x0})
    for _ in range(5):
        params, state = opt.step(xp, params, {}, state, loss=loss)
    ref = optimize.minimize(
        lambda x: loss({"b": x}), x0, method="Nelder-Mead", options={"maxiter": 5}
    )
    np.testing.assert_allclose(params["b"], ref.x, rtol=1e-12)


def test_zeroth_order_step_needs_a_loss() -> None:
    """A zeroth-order step without a loss is refused, naming the loss."""
    xp = Float64Backend()
    opt = catalogue_optimiser("nelder-mead")
    params = {"b": np.array([1.0])}
    with pytest.raises(Exception, match="loss"):
        opt.step(xp, params, {}, opt.init(xp, params))
