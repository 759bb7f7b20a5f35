"""The symmetry table, the extra groups and the small-gradient trap."""

from __future__ import annotations

import numpy as np
import pytest

from orthoproof.groups import (
    TABLE_GROUPS,
    is_orthogonal,
    permutation,
    sign_flip,
    special_orthogonal,
    table_element,
)
from orthoproof.symmetry import (
    TableSettings,
    markdown_table,
    symmetry_table,
    table_claims,
)
from orthoproof.verdicts import Verdict

FAST = TableSettings(steps=6)


@pytest.mark.parametrize("seed", range(20))
def test_group_elements_are_exact_and_generic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k in (2, 3, 4):
        so = special_orthogonal(k, rng)
        assert is_orthogonal(so)
        assert all(v != 0 for v in so.flat)
        assert np.linalg.det(so.astype(float)) == pytest.approx(1.0)
        perm = permutation(k, rng)
        assert is_orthogonal(perm)
        assert any(perm[i, i] == 0 for i in range(k))
        flip = sign_flip(k, rng)
        diag = [flip[i, i] for i in range(k)]
        assert -1 in diag
        assert 1 in diag
        assert is_orthogonal(flip)
        for group in TABLE_GROUPS:
            assert is_orthogonal(table_element(group, k, rng))


def test_claims_cover_every_optimiser_and_group() -> None:
    claims = table_claims()
    assert len({(c.id, c.group) for c in claims}) == len(claims)
    adam = {
        c.group: c.expected
        for c in claims
        if c.id.startswith("traj") and "/adam/" in c.id
    }
    assert adam == {
        "O": Verdict.REFUTED,
        "SO": Verdict.REFUTED,
        "signed-perm": Verdict.HOLDS,
        "perm": Verdict.HOLDS,
        "sign": Verdict.HOLDS,
    }


def test_positive_controls_hold_under_rotations() -> None:
    names = ["adagrad-rowwise", "clip-global-norm", "muon", "shampoo", "adagrad-full"]
    rows = symmetry_table(FAST, names=names, groups=("O", "SO"))
    assert all(r.verdict == Verdict.HOLDS and r.as_expected for r in rows), rows


def test_weak_breakers_are_refuted_with_a_certificate() -> None:
    rows = symmetry_table(FAST, names=["adagrad-large-init"], groups=("O",))
    assert rows[0].verdict == Verdict.REFUTED
    assert rows[0].certified
    # The deviation is far below a float64 tolerance a checker might pick.
    assert rows[0].deviations[-1] < 1e-5


def test_broken_twin_a_permutation_only_checker_passes_adam() -> None:
    rows = {r.group: r for r in symmetry_table(FAST, names=["adam"])}
    for group in ("signed-perm", "perm", "sign"):
        assert rows[group].verdict == Verdict.HOLDS
    for group in ("O", "SO"):
        assert rows[group].verdict == Verdict.REFUTED
        assert rows[group].certified


def test_markdown_marks_each_cell() -> None:
    rows = symmetry_table(FAST, names=["sgd", "signsgd"], groups=("O", "perm"))
    text = markdown_table(rows)
    assert "| sgd | ✓ | ✓ |" in text
    assert "| signsgd | ✗ | ✓ |" in text


def test_small_gradient_trap_is_still_refuted() -> None:
    from orthoproof.data import load
    from orthoproof.problem import glove_problem
    from orthoproof.trajectory.small_gradient import (
        float64_visibility_scale,
        small_gradient_evidence,
        small_gradient_sweep,
    )
    from orthoproof.verdicts import combine

    problem = glove_problem(load(None, vocab_size=12), 3, 0, 100.0, 0.75)
    p = table_element("O", 3, np.random.default_rng(1))
    evidence = small_gradient_evidence(problem.model, problem.start, p, steps=6)
    assert combine(evidence) == Verdict.REFUTED
    points = small_gradient_sweep(
        problem.model, problem.start, p, ["1e-12", "1e-20"], steps=6
    )
    hidden = float64_visibility_scale(points)
    assert hidden is not None
    assert hidden.scale == "1e-20"


@pytest.mark.slow
def test_whole_table_matches_facts() -> None:
    rows = symmetry_table(workers=2)
    wrong = [r for r in rows if not r.as_expected]
    assert not wrong, wrong
