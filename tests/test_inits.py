"""Tests of the initialisers, their exact law evidence and the init claims."""

from __future__ import annotations

import numpy as np
import pytest

from orthoproof.inits import (
    EXPECTED,
    INIT_GROUPS,
    INITIALISERS,
    init_claims,
    init_evidence,
    word2vec_matrix,
)
from orthoproof.inits.exact import law_evidence, word2vec_facts
from orthoproof.inits.word2vec import low_bits, low_bits_reference
from orthoproof.verdicts import Verdict, combine


@pytest.mark.parametrize("name", sorted(INITIALISERS))
def test_samplers_are_float64_of_the_right_shape(name: str) -> None:
    draw = INITIALISERS[name].sample((3, 5), np.random.default_rng(0))
    assert draw.shape == (3, 5)
    assert draw.dtype == np.float64


def test_word2vec_sequence_matches_the_64_bit_recurrence() -> None:
    np.testing.assert_array_equal(low_bits(3000), low_bits_reference(3000))
    w = word2vec_matrix((2, 3))
    first = (low_bits(1)[0] / 65536 - 0.5) / 2
    assert w[0, 0] == pytest.approx(first)
    facts = word2vec_facts()
    assert facts["first_65536_entries_distinct"]
    assert facts["vectors_repeat_d100"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("group", INIT_GROUPS)
def test_exact_evidence_matches_the_mathematics(name: str, group: str) -> None:
    evidence = law_evidence(INITIALISERS[name], group, 3, np.random.default_rng(1))
    assert evidence.verdict == EXPECTED[name][group]


def test_uniform_counterexample_is_exact() -> None:
    from fractions import Fraction

    ev = law_evidence(INITIALISERS["xavier-uniform"], "O", 4, np.random.default_rng(2))
    cx = ev.counterexample
    assert cx is not None
    p = np.array([[Fraction(v) for v in row] for row in cx["P"]], dtype=object)
    x = np.array([Fraction(v) for v in cx["x"]], dtype=object)
    assert all(-1 < v < 1 for v in x)
    assert any(abs(v) > 1 for v in p @ x)


def test_init_claims_and_evidence_agree() -> None:
    # Its time is the initialisations stage's, which verify reports; no test
    # asserts a speed on the shared machines.
    found = init_evidence(0)
    claims = init_claims()
    assert len(claims) == len(EXPECTED) * len(INIT_GROUPS)
    for claim_id, group, _statement, expected in claims:
        assert combine(found[(claim_id, group)]) == expected, (claim_id, group)
    calibration = found[("init-invariance/gaussian", "O")][1].details["calibration"]
    assert calibration["power_vs_xavier_uniform"] >= 0.9
    assert calibration["false_positive_rate"] <= 0.1
    assert Verdict.PROVED in {e.verdict for e in found[("init-invariance/zero", "O")]}
