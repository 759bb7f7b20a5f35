"""The bench command runs and reports ratios (it measures; it asserts no speed)."""

from __future__ import annotations

import pytest

from orthoproof.bench import main


def test_quick_bench_prints_every_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    """--quick prints both cases, both ratios and the certification time."""
    assert main(["--quick", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("nfloat backend / float64") == 2
    assert out.count("flint arb_mat / float64") == 2
    assert out.count("mpfr backend / float64") == 2
    assert out.count("mpmath.matrix / nfloat") == 2
    assert out.count("mpmath.matrix / flint") == 2
    assert "certified refutation" in out
    assert "dimension-free proofs, all" in out


def test_bench_refuses_zero_repeats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--quick", "--repeats", "0"])
    assert stop.value.code == 2
    assert "--repeats must be at least 1, not 0" in capsys.readouterr().err
