"""Powell: table verdicts, the mirrored and exact line search, controls and twins."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from orthoproof.backends import ExactBackend, Float64Backend, MpfrBackend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import act, table_element
from orthoproof.optim import act_state_ext, catalogue_optimiser
from orthoproof.optim.powell import Powell, parabola_minimum, vector_order
from orthoproof.optim.zeroth_order import _Flat, compare
from orthoproof.symmetry import (
    TableSettings,
    _problem,
    element_for,
    symmetry_table,
)
from orthoproof.trajectory import trajectory_evidence
from orthoproof.trajectory.run import squared_distance
from orthoproof.verdicts import Verdict, combine

TABLE = TableSettings()


class ForwardOnlyPowell(Powell):
    """A broken twin: it never steps backwards along a direction."""

    name = "powell-forward-only"

    def line_search(self, xp, along, centre):  # type: ignore[no-untyped-def]
        s = super().line_search(xp, along, centre)
        return s if compare(s, xp.number(0)) > 0 else xp.number(0)


class OneSidedPowell(Powell):
    """A twin probing at 0, h and 2h, as a one-sided bracket would."""

    name = "powell-one-sided"

    def line_search(self, xp, along, centre):  # type: ignore[no-untyped-def]
        # The parabola through 0, h, 2h, read about its middle probe: on a
        # quadratic line the same minimum, reached with other roundings.
        h = self.h(xp, "probe")
        return h + parabola_minimum(xp, h, centre, along(h), along(2 * h))


def _glove_loss(xp: Any) -> Any:
    model = _problem(TABLE).model
    data = model.data(xp)
    return lambda q: model.loss(xp, q, data)


def _start(xp: Any) -> dict[str, Any]:
    return {n: xp.asarray(v) for n, v in _problem(TABLE).start.items()}


def test_table_cells_give_the_expected_verdicts() -> None:
    """The five table cells give FACTS.md's row: only sign flips hold."""
    rows = {r.group: r for r in symmetry_table(TABLE, names=["powell"])}
    assert all(r.as_expected for r in rows.values()), rows
    for group in ("O", "SO", "signed-perm", "perm"):
        assert rows[group].verdict == Verdict.REFUTED
        assert rows[group].certified
    assert rows["sign"].verdict == Verdict.HOLDS
    assert rows["sign"].classification in ("exact-zero", "shrinks")


def test_table_sign_cell_searches_a_flipped_axis() -> None:
    """The table's 15 steps search along the hidden axis its sign flip mirrors."""
    # Otherwise the sign cell would hold without exercising the mirrored search.
    start = _problem(TABLE).start
    p = element_for("powell", "sign", TABLE)
    flipped = {i for i in range(TABLE.k) if p[i, i] == -1}
    m = start["A"].shape[1]
    searched = {int(i) // m for i in vector_order(_Flat(start))[: TABLE.steps]}
    assert flipped <= searched


@pytest.mark.parametrize("xp", [Float64Backend(), MpfrBackend(100)], ids=str)
def test_mirrored_line_gives_the_mirrored_minimiser(xp: Any) -> None:
    """Exchanging the probes at −h and +h negates the step exactly, bit for bit."""
    rng = np.random.default_rng(7)
    with xp.context():
        for _ in range(200):
            scale = 10.0 ** rng.integers(-6, 6)
            below, centre, above = (xp.number(float(v)) for v in rng.normal(size=3))
            h = xp.number(float(scale))
            # Keep the parabola opening upwards, so the formula is used.
            centre = min(centre, (below + above) / 2) - xp.number(1)
            s = parabola_minimum(xp, h, below, centre, above)
            assert parabola_minimum(xp, h, above, centre, below) == -s


def test_line_search_is_exact_on_a_quadratic() -> None:
    """On any quadratic a(s − c)² + d with a > 0 the step lands on c exactly."""
    xp = ExactBackend()
    rng = np.random.default_rng(3)
    for _ in range(50):
        a, c, d = (Fraction(int(v), int(w)) for v, w in rng.integers(1, 30, (3, 2)))
        c *= int(rng.choice([-1, 1]))
        h = Fraction(int(rng.integers(1, 9)), int(rng.integers(1, 9)))

        def line(s: Fraction, a: Fraction = a, c: Fraction = c, d: Fraction = d):
            return a * (s - c) ** 2 + d

        assert parabola_minimum(xp, h, line(-h), line(Fraction(0)), line(h)) == c


def test_a_line_without_a_minimum_is_not_followed() -> None:
    """A flat or downward-opening parabola leaves the point where it is."""
    xp = ExactBackend()
    assert parabola_minimum(xp, 1, Fraction(3), Fraction(2), Fraction(1)) == 0
    assert parabola_minimum(xp, 1, Fraction(0), Fraction(1), Fraction(0)) == 0


def test_one_step_minimises_the_glove_loss_along_its_direction() -> None:
    """In exact rationals the searched partial derivative is 0 after the step."""
    xp = ExactBackend()
    model = _problem(TABLE).model
    data = model.data(xp)
    opt = catalogue_optimiser("powell")
    theta = _start(xp)
    for searched in (0, 1):
        theta, _ = opt.step(
            xp, theta, {}, {"t": searched}, loss=lambda q: model.loss(xp, q, data)
        )
        # Steps 0 and 1 search A[0, 0] and A[1, 0]: the first word vector.
        assert model.gradient(xp, theta, data)["A"][searched, 0] == 0


def test_a_sweep_minimises_a_separable_quadratic() -> None:
    """One sweep (N steps) reaches the minimum of Σ wᵢ(xᵢ − cᵢ)², then stays."""
    xp = ExactBackend()
    target = {"b": [Fraction(1, 3), Fraction(-2)], "c": [Fraction(5, 7)]}
    weight = [Fraction(2), Fraction(1, 5), Fraction(3)]

    def loss(q):  # type: ignore[no-untyped-def]
        diffs = [*(q["b"] - target["b"]), *(q["c"] - target["c"])]
        return sum(w * v * v for w, v in zip(weight, diffs, strict=True))

    opt = catalogue_optimiser("powell")
    params = {"b": xp.asarray([1, 1]), "c": xp.asarray([0])}
    state = opt.init(xp, params)
    for _ in range(3):
        params, state = opt.step(xp, params, {}, state, loss=loss)
    assert list(params["b"]) == target["b"]
    assert list(params["c"]) == target["c"]
    # The next sweep starts again with the first direction and finds nothing.
    again, state = opt.step(xp, params, {}, state, loss=loss)
    assert list(again["b"]) == target["b"]
    assert state["t"] == 4


def test_directions_go_one_word_vector_after_another() -> None:
    """The direction set is the identity, listed A column by column, then B, biases."""
    xp = ExactBackend()
    params = {
        "A": xp.asarray([[1, 2, 3], [4, 5, 6]]),
        "B": xp.asarray([[7], [8]]),
        "b": xp.asarray([9, 10, 11]),
    }
    directions = catalogue_optimiser("powell").initial_directions(xp, params)
    stacked = directions["directions"]
    # Which entry each direction moves: A[0,0], A[1,0], A[0,1], ..., B, then b.
    moved = [
        (n, tuple(int(i) for i in np.argwhere(stacked[n][j] == 1)[0]))
        for j in range(10)
        for n in stacked
        if np.any(stacked[n][j] == 1)
    ]
    assert moved == [
        ("A", (0, 0)),
        ("A", (1, 0)),
        ("A", (0, 1)),
        ("A", (1, 1)),
        ("A", (0, 2)),
        ("A", (1, 2)),
        ("B", (0, 0)),
        ("B", (1, 0)),
        ("b", (0,)),
        ("b", (1,)),
    ]


@pytest.mark.parametrize(
    ("xp", "bound"), [(Float64Backend(), 1e-20), (MpfrBackend.from_dps(30), 1e-50)]
)
def test_rotated_direction_set_makes_powell_equivariant(xp: Any, bound: float) -> None:
    """Moving the built direction set by P (the positive control) keeps runs close."""
    # FACTS.md's positive control: search along P·eᵢ from P·θ₀ instead of along
    # the coordinate directions of P·θ₀; rounding is all that separates them.
    opt = catalogue_optimiser("powell")
    p = table_element("O", TABLE.k, np.random.default_rng(3))
    with xp.context():
        loss, theta = _glove_loss(xp), _start(xp)
        state = {"t": 0, **opt.initial_directions(xp, theta)}
        theta_p, state_p = act(xp, p, theta), act_state_ext(xp, opt, p, state)
        for _ in range(10):
            theta, state = opt.step(xp, theta, {}, state, loss=loss)
            theta_p, state_p = opt.step(xp, theta_p, {}, state_p, loss=loss)
        assert float(squared_distance(xp, theta_p, act(xp, p, theta))) < bound


def test_forward_only_twin_fails_the_sign_flip_cell() -> None:
    """A line search that never steps back is refuted, with balls, by a sign flip."""
    problem = _problem(TABLE)
    p = element_for("powell", "sign", TABLE)
    evidence = trajectory_evidence(
        problem.model, ForwardOnlyPowell(), problem.start, p, steps=TABLE.steps
    )
    assert combine(evidence) == Verdict.REFUTED
    assert evidence[-1].kind == "certificate"


def test_one_sided_twin_holds_by_precision_scaling() -> None:
    """One-sided probes mirror only up to rounding: the sign cell says so by scaling."""
    # The same exact minimum on mirrored lines, other roundings: the deviation
    # falls with precision instead of being 0, and the verdict is still holds.
    problem = _problem(TABLE)
    p = element_for("powell", "sign", TABLE)
    evidence = trajectory_evidence(
        problem.model, OneSidedPowell(), problem.start, p, steps=TABLE.steps
    )
    assert combine(evidence) == Verdict.HOLDS
    assert evidence[0].details["classification"] == "shrinks"


def test_zeroth_order_step_needs_a_loss() -> None:
    """A Powell step without a loss is refused, naming the loss."""
    xp = Float64Backend()
    opt = catalogue_optimiser("powell")
    params = {"b": np.array([1.0])}
    with pytest.raises(InvalidArgument, match="loss"):
        opt.step(xp, params, {}, opt.init(xp, params))
