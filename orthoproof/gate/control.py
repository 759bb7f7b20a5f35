"""Tell rounding inside an optimiser from a real break of a rotation symmetry.

The precision ladder reads a deviation that does not fall from one rung to the
next as a break. That is wrong for code that rounds *inside* below the
parameters' precision: torch's Muon runs its Newton–Schulz step in bfloat16
whatever the parameters' dtype, so its deviation sits at bfloat16 rounding on
every rung although the update it approximates is equivariant.

The two cases differ in how the deviation depends on the group element. A real
break is a smooth function of ``P`` that vanishes at the identity, so moving
``P`` towards the identity shrinks it in proportion to the rotation angle
(first order). Rounding noise does not care how large the rotation is: as long
as the rotation changes the rounded bits at all, the deviation stays at the
internal rounding level. The control therefore runs two more trajectories, from
``P_ε·θ₀`` with the near-identity elements ``P_ε = Cayley(ε·S)``, where ``S`` is
the (normalised) Cayley parameter of the drawn element's rotation part, and
compares their deviations with each other and with the drawn element's.

Only continuous groups (O, SO) have elements near the identity; the discrete
groups keep the precision ladder alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from orthoproof.gate.adapters import Runner
from orthoproof.gate.precisions import Precision, deviation
from orthoproof.gate.problem import move
from orthoproof.groups import cayley

__all__ = [
    "CONTINUOUS",
    "EPSILONS",
    "NOISE_FRACTION",
    "SCALES_RATIO",
    "SLOPE_RATIO",
    "Control",
    "cayley_parameter",
    "near_identity",
    "near_identity_control",
]

#: Groups with elements arbitrarily close to the identity.
CONTINUOUS = ("O", "SO")
#: Sizes of the near-identity rotations (largest Cayley parameter). The
#: smaller changes entries by about 1 %, still above bfloat16's relative
#: spacing 2^-8, so rounding inside the optimiser keeps seeing different inputs;
#: going further down would let a coarse internal rounding swallow the
#: rotation and shrink the deviation like a break.
EPSILONS = (Fraction(1, 10), Fraction(1, 100))
#: From the drawn element to ε = 1/100, a break falls tenfold or more.
#: Rounding noise does not fall (measured 0.7 to 1.5 for torch's Muon). The
#: fall is less than the hundredfold a first-order term suggests because the
#: drawn rotations are large (angles up to about 140°), where the deviation
#: saturates (measured 7 to 25 for Adam and friends).
SCALES_RATIO = 10.0
#: From ε = 1/10 to ε = 1/100 both rotations are small, so a first-order break
#: falls about tenfold; rounding noise about onefold. √10 is the midpoint on a
#: log scale: a slope of one half.
SLOPE_RATIO = math.sqrt(10.0)
#: Rounding noise explains a deviation only if it is well below the rotation's
#: own effect ‖(P_ε − I)θ‖/‖θ‖ at the smallest ε: noise as large as that would
#: hide the fall the control looks for. Measured: torch's Muon 0.08; Rprop,
#: whose sign decisions flip discontinuously, 3 to 9. One half sits between.
NOISE_FRACTION = 0.5

_INTERNAL = (
    "deviation does not shrink with precision nor with the rotation's size: "
    "rounding inside the optimiser below the parameters' precision, e.g. bfloat16"
)


@dataclass(frozen=True)
class Control:
    """Deviation at the drawn element and at near-identity elements.

    ``near`` holds the deviations at ``Cayley(ε·S)`` for each of ``epsilons``;
    ``ratio`` is the drawn deviation over the smallest-ε one and
    ``slope_ratio`` the largest-ε one over the smallest-ε one; ``moved_by``
    is how far each near-identity element moves the final parameters.
    ``scales`` is true when either ratio shows the deviation falling towards
    the identity, by at least :data:`SCALES_RATIO` or :data:`SLOPE_RATIO`, or
    when the smallest-ε deviation is too large next to ``moved_by`` to be
    noise (:data:`NOISE_FRACTION`): the marks of a real break.
    """

    precision: str
    epsilons: tuple[str, ...]
    elements: tuple[list[list[str]], ...]
    drawn: float
    near: tuple[float, ...]
    moved_by: tuple[float, ...]
    ratio: float
    slope_ratio: float
    scales: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports (an infinite ratio becomes ``None``)."""

        def finite(value: float) -> float | None:
            # JSON has no infinity; a zero deviation near the identity gives one.
            return value if math.isfinite(value) else None

        return {
            "precision": self.precision,
            "epsilons": list(self.epsilons),
            "near_identity_elements": list(self.elements),
            "deviation_at_drawn_element": self.drawn,
            "deviations_near_identity": list(self.near),
            "ratio_drawn_to_smallest": finite(self.ratio),
            "ratio_largest_to_smallest": finite(self.slope_ratio),
            "displacements_near_identity": list(self.moved_by),
            "scales": self.scales,
            "reason": self.reason,
        }


def _fmpq_matrix(p: Any) -> flint.fmpq_mat:
    rows = np.asarray(p, dtype=object)
    k = rows.shape[0]
    flat = [Fraction(v) for v in rows.flat]
    return flint.fmpq_mat(k, k, [flint.fmpq(v.numerator, v.denominator) for v in flat])


def _to_fractions(m: flint.fmpq_mat, k: int) -> np.ndarray:
    return np.array(
        [
            [Fraction(int(m[i, j].p), int(m[i, j].q)) for j in range(k)]
            for i in range(k)
        ],
        dtype=object,
    )


def cayley_parameter(p: Any) -> np.ndarray | None:
    """Exact skew ``S`` with ``Cayley(S)`` the rotation part of ``p``, if any.

    The rotation part is ``p`` when its determinant is +1 and ``diag(−1, 1, …)·p``
    otherwise (the reflection the O draws use). Cayley is its own inverse,
    ``S = (I − Q)(I + Q)⁻¹``; it exists unless ``Q`` has eigenvalue −1, in which
    case ``None`` is returned.
    """
    q = _fmpq_matrix(p)
    k = q.nrows()
    if q.det() < 0:
        q = _fmpq_matrix(_to_fractions(q, k) * np.array([[-1]] + [[1]] * (k - 1)))
    ident = flint.fmpq_mat(k, k, [int(i == j) for i in range(k) for j in range(k)])
    if (ident + q).det() == 0:
        return None
    return _to_fractions((ident - q) * (ident + q).inv(), k)


def _fallback_skew(k: int) -> np.ndarray:
    """A fixed skew matrix with every off-diagonal entry nonzero."""
    s = np.full((k, k), Fraction(0), dtype=object)
    for i in range(k):
        for j in range(i + 1, k):
            value = Fraction(1 + (i + 2 * j) % 3, 2 + (i + j) % 2)
            s[i, j], s[j, i] = value, -value
    return s


def near_identity(p: Any, epsilon: Fraction) -> np.ndarray:
    """``Cayley(ε·S)`` for the Cayley parameter ``S`` of ``p``'s rotation part.

    ``S`` is scaled so that its largest entry is 1: the drawn parameters range
    from about 1/3 to 3, and ε must mean the same rotation size for every draw.

    No reflection is applied, also for O: ``diag(−1, 1, …)·Cayley(ε·S)`` tends to
    the reflection, not to the identity, so an optimiser broken by that
    reflection alone would keep its deviation as ε falls and be mistaken for
    rounding. ``Cayley(ε·S)`` lies in SO(k) ⊂ O(k), so it is an element of both.
    """
    skew = cayley_parameter(p)
    if skew is None or not any(v != 0 for v in skew.flat):
        skew = _fallback_skew(np.asarray(p).shape[0])
    largest = max(abs(Fraction(v)) for v in skew.flat)
    return cayley(skew * (Fraction(epsilon) / largest))


def _final_deviation(
    runner: Runner,
    precision: Precision,
    theta: dict[str, Any],
    x: Any,
    final: dict[str, Any],
    q: Any,
    steps: int,
) -> float:
    with precision.context():
        moved = runner.run(precision, move(q, precision, theta), x, steps)[-1]
        image = move(q, precision, final)
        return deviation([moved["A"], moved["B"]], [image["A"], image["B"]])


def _displacement(precision: Precision, final: dict[str, Any], q: Any) -> float:
    """How far ``q`` moves the final parameters, ‖qθ − θ‖/‖θ‖."""
    image = move(q, precision, final)
    with precision.context():
        return deviation([image["A"], image["B"]], [final["A"], final["B"]])


def _ratio(upper: float, lower: float) -> float:
    return math.inf if lower == 0 else upper / lower


def near_identity_control(
    runner: Runner,
    precision: Precision,
    theta: dict[str, Any],
    x: Any,
    final: dict[str, Any],
    p: Any,
    drawn: float,
    steps: int,
) -> Control:
    """Run from ``P_ε·θ₀`` for each ε of :data:`EPSILONS` and compare.

    Parameters
    ----------
    runner
        The optimiser's runner.
    precision
        The rung to run at: the highest one the optimiser ran at, where rounding
        at the parameters' own precision is smallest.
    theta, x
        Start and data at ``precision``.
    final
        Parameters after ``steps`` steps from ``theta``.
    p
        The drawn group element (exact).
    drawn
        Final deviation at ``precision`` for ``p``.
    steps
        Number of steps, as for ``p``.

    Returns
    -------
    Control
        The deviations, both ratios and the reading of them.
    """
    elements = [near_identity(p, eps) for eps in EPSILONS]
    near = tuple(
        _final_deviation(runner, precision, theta, x, final, q, steps) for q in elements
    )
    moved_by = tuple(_displacement(precision, final, q) for q in elements)
    overall = _ratio(drawn, near[-1])
    slope = _ratio(near[0], near[-1])
    too_large = near[-1] >= NOISE_FRACTION * moved_by[-1]
    scales = overall >= SCALES_RATIO or slope >= SLOPE_RATIO or too_large
    eps = ", ".join(str(e) for e in EPSILONS)
    numbers = (
        f"deviation {drawn:.2e} at the drawn element, "
        + ", ".join(f"{d:.2e}" for d in near)
        + f" at Cayley(ε·S) for ε = {eps} ({precision.name}); drawn/ε={EPSILONS[-1]} "
        f"ratio {overall:.3g}, ε={EPSILONS[0]}/ε={EPSILONS[-1]} ratio {slope:.3g}; "
        f"the ε={EPSILONS[-1]} rotation moves the parameters by {moved_by[-1]:.2e}"
    )
    if too_large and overall < SCALES_RATIO and slope < SLOPE_RATIO:
        reason = (
            "deviation near the identity is as large as the rotation's own effect, "
            f"too large for rounding noise: {numbers}"
        )
    elif scales:
        reason = f"deviation falls as the rotation shrinks, as a break does: {numbers}"
    else:
        reason = f"{_INTERNAL}; {numbers}"
    return Control(
        precision=precision.name,
        epsilons=tuple(str(e) for e in EPSILONS),
        elements=tuple([[str(v) for v in row] for row in q] for q in elements),
        drawn=drawn,
        near=near,
        moved_by=moved_by,
        ratio=overall,
        slope_ratio=slope,
        scales=scales,
        reason=reason,
    )
