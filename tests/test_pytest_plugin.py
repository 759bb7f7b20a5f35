"""The pytest plugin's assertion helpers and its Hypothesis profile."""

from __future__ import annotations

import pytest
from hypothesis import settings

from orthoproof.pytest_plugin import (
    CI_PROFILE,
    assert_loss_invariant,
    assert_optimiser_broken,
    assert_optimiser_equivariant,
)
from tests.gate_examples import losses, optimisers


def test_invariant_loss_passes() -> None:
    assert_loss_invariant(losses.plain, losses.plain_grad, group=["O", "sign"])


def test_l1_loss_fails_with_a_replayable_message() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_loss_invariant(losses.l1, group="O", seed=3)
    message = str(caught.value)
    for needed in ("group element P", "seed 3", "shapes", "dtypes", "replay:"):
        assert needed in message
    assert "--loss tests.gate_examples.losses:l1 --group O --seed 3" in message


def test_l1_loss_passes_under_signed_permutations() -> None:
    assert_loss_invariant(losses.l1, group="signed-perm")


def test_optimiser_helpers() -> None:
    assert_optimiser_equivariant(optimisers.SGD, group=["O", "signed-perm"])
    assert_optimiser_broken(optimisers.sign_sgd, group="O")
    assert_optimiser_equivariant(optimisers.sign_sgd, group="signed-perm")
    with pytest.raises(AssertionError, match="step 1"):
        assert_optimiser_equivariant(optimisers.sign_sgd, group="O")


def test_ci_profile_is_derandomised() -> None:
    profile = settings.get_profile(CI_PROFILE)
    assert profile.derandomize
    assert profile.database is None
