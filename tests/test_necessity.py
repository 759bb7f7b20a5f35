"""Tests of the necessity refutations and of the ReLU-after-the-product proof.

Each refutation is recomputed here from its recorded counterexample with plain
:class:`~fractions.Fraction` arithmetic, without the library's models.
"""

from __future__ import annotations

import doctest
from fractions import Fraction
from typing import Any

import pytest

from orthoproof.prove import NECESSITY_CLAIMS, necessity, necessity_evidence
from orthoproof.prove.counterexamples import ROTATION
from orthoproof.verdicts import Verdict, combine

Vec = list[Fraction]

EVIDENCE = necessity_evidence()


def _vec(column: list[list[str]]) -> Vec:
    return [Fraction(row[0]) for row in column]


def _rot(p: list[list[Fraction]], v: Vec) -> Vec:
    return [sum(p[i][j] * v[j] for j in range(2)) for i in range(2)]


def _dot(a: Vec, b: Vec) -> Fraction:
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


def _relu(v: Vec) -> Vec:
    return [max(Fraction(0), x) for x in v]


def _clip(v: Vec, c: Fraction) -> Vec:
    return [min(c, max(-c, x)) for x in v]


def _case(claim_id: str) -> tuple[dict[str, Any], Vec, Vec, list[list[Fraction]]]:
    (evidence,) = EVIDENCE[claim_id]
    assert evidence.verdict is Verdict.REFUTED
    assert evidence.kind == "exact-check"
    ce = evidence.counterexample
    p = [[Fraction(v) for v in row] for row in ce["P"]]
    assert p == [[Fraction(3, 5), Fraction(-4, 5)], [Fraction(4, 5), Fraction(3, 5)]]
    # the case is the plain loss on one entry, target 0, weight 1
    assert ce["target"] == [["0"]]
    assert ce["weights"] == [["1"]]
    assert evidence.dimensions == {"k": 2, "m": 1, "n": 1}
    return ce, _vec(ce["A"]), _vec(ce["B"]), p


def test_module_doctests() -> None:
    assert doctest.testmod(necessity).failed == 0


def test_every_claim_reported() -> None:
    assert set(EVIDENCE) == set(NECESSITY_CLAIMS)
    assert {
        "loss-invariance/relu-hidden",
        "loss-invariance/l1",
        "trajectory-equivariance/nmf-projection/plain",
        "trajectory-equivariance/value-clipping/plain",
        "loss-invariance/relu-output",
    } == set(NECESSITY_CLAIMS)


def test_rotation_is_exactly_orthogonal() -> None:
    p = ROTATION
    assert (p.T @ p == [[1, 0], [0, 1]]).all()


def test_relu_hidden_refuted_exactly() -> None:
    ce, a, b, p = _case("loss-invariance/relu-hidden")
    loss = lambda a, b: _dot(_relu(a), b) ** 2 / 2  # noqa: E731
    diff = loss(_rot(p, a), _rot(p, b)) - loss(a, b)
    assert diff != 0
    assert str(diff) == ce["difference"]["E"]


def test_l1_refuted_exactly() -> None:
    ce, a, b, p = _case("loss-invariance/l1")
    loss = lambda a, b: _dot(a, b) ** 2 / 2 + sum(abs(x) for x in a)  # noqa: E731
    diff = loss(_rot(p, a), _rot(p, b)) - loss(a, b)
    assert diff != 0
    assert str(diff) == ce["difference"]["E"]


def _step(a: Vec, b: Vec, eta: Fraction, how: str, clip: Fraction) -> tuple[Vec, Vec]:
    g = _dot(a, b)  # G = AᵀB − 0 for the plain loss with weight 1
    grad_a, grad_b = [x * g for x in b], [x * g for x in a]
    if how == "clip":
        grad_a, grad_b = _clip(grad_a, clip), _clip(grad_b, clip)
    a1 = [x - eta * d for x, d in zip(a, grad_a, strict=True)]
    b1 = [x - eta * d for x, d in zip(b, grad_b, strict=True)]
    if how == "project":
        a1, b1 = _relu(a1), _relu(b1)
    return a1, b1


@pytest.mark.parametrize(
    ("claim_id", "how"),
    [
        ("trajectory-equivariance/nmf-projection/plain", "project"),
        ("trajectory-equivariance/value-clipping/plain", "clip"),
    ],
)
def test_one_step_refuted_exactly(claim_id: str, how: str) -> None:
    ce, a, b, p = _case(claim_id)
    eta = Fraction(ce["eta"])
    clip = Fraction(ce.get("clip", "0"))
    moved = _step(_rot(p, a), _rot(p, b), eta, how, clip)
    base = _step(a, b, eta, how, clip)
    diffs = [
        [x - y for x, y in zip(m, _rot(p, s), strict=True)]
        for m, s in zip(moved, base, strict=True)
    ]
    assert any(d != 0 for v in diffs for d in v)
    for name, d in zip("AB", diffs, strict=True):
        recorded = ce["difference"].get(name, [["0"], ["0"]])
        assert [str(x) for x in d] == [r[0] for r in recorded]


def test_relu_output_is_proved_and_checked() -> None:
    proof, check = EVIDENCE["loss-invariance/relu-output"]
    assert proof.verdict is Verdict.PROVED
    assert proof.dimensions is None
    assert check.verdict is Verdict.HOLDS
    assert combine([proof, check]) is Verdict.PROVED


def test_relu_output_check_catches_a_hidden_relu() -> None:
    # The same exact check run on a model with the ReLU on the hidden layer
    # must not pass: the check can tell the two placements apart.
    class Hidden(necessity.ReluOutput):
        def _parts(self, xp: Any, params: Any) -> tuple[Any, Any]:
            rect = dict(params, A=(params["A"] + xp.abs(params["A"])) / 2)
            return super()._parts(xp, rect)

    case = necessity._RELU_CASE
    model = Hidden(case["weights"], case["target"])
    moved = {"A": ROTATION @ case["A"], "B": ROTATION @ case["B"]}
    base = {"A": case["A"], "B": case["B"]}
    assert model.loss(necessity.XP, moved) != model.loss(necessity.XP, base)
