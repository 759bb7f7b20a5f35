"""The bench command runs and reports ratios (it measures; it asserts no speed)."""

from __future__ import annotations

import pytest

from orthoproof.bench import main


def test_quick_bench_prints_every_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    """--quick prints both cases, both ratios and the certification time."""
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert out.count("mpfr backend / float64") == 2
    assert out.count("mpmath.matrix / mpfr backend") == 2
    assert "certified refutation" in out
    assert "dimension-free proofs, all" in out
