"""The pytest plugin's assertion helpers and its Hypothesis profile."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

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


USER_TESTS = textwrap.dedent(
    """
    import numpy as np
    from hypothesis import settings


    class Sign:
        def init(self, params):
            return None

        def step(self, params, grads, state):
            new = {k: params[k] - 0.01 * np.sign(grads[k]) for k in params}
            return new, state


    def test_profile_registered():
        assert settings.get_profile("orthoproof-ci").derandomize


    def test_fixture(orthoproof_check):
        assert orthoproof_check.seed == 7
        orthoproof_check.optimiser_equivariant(Sign(), group="signed-perm")
        orthoproof_check.optimiser_broken(Sign(), group="O")
    """
)


def _pytest_in(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plugin_loads_through_the_entry_point(tmp_path: Path) -> None:
    """A project that never imports orthoproof gets the fixture and profile."""
    run = _pytest_in(tmp_path, "--orthoproof-seed", "7")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_without_the_entry_point_the_fixture_is_missing(tmp_path: Path) -> None:
    # The control: blocking the entry point by name takes the fixture away,
    # so the passing run above really came through it.
    run = _pytest_in(tmp_path, "-p", "no:orthoproof")
    assert run.returncode != 0
    assert "fixture 'orthoproof_check' not found" in run.stdout
