"""Tests of the basis study on the small profile."""

from __future__ import annotations

import json

import pytest

from orthoproof.errors import InvalidArgument
from orthoproof.study import REGIMES, fisher, run_study


def test_fisher_known_values() -> None:
    assert fisher([1.0]) == pytest.approx(1.0)
    assert fisher([0.05]) == pytest.approx(0.05)
    # χ²₄ survival at x = −2 log(0.01·0.01) = 18.42: e^{−9.21}(1 + 9.21)
    assert fisher([0.01, 0.01]) == pytest.approx(1e-4 * (1 + 9.2103404), rel=1e-6)


def test_small_study_is_json_ready_and_concludes_from_numbers() -> None:
    result = run_study("small", seed=0)
    json.dumps(result)
    assert set(result["regimes"]) == set(REGIMES)
    for regime in result["regimes"].values():
        assert 0 < regime["combined_p"]["A"] <= 1
        assert len(regime["runs"]) == 3
    assert all(name in result["conclusion"] for name in REGIMES)
    # the uniform start is axis-aligned and the test sees it
    assert result["regimes"]["b: sgd + uniform"]["combined_p"]["initial_A"] < 0.01


def test_bad_profile() -> None:
    with pytest.raises(InvalidArgument):
        run_study("huge")
