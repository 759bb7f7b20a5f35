"""Tests of the basis measurement: planted alignment found, rotations passed."""

from __future__ import annotations

import numpy as np
import pytest

from orthoproof.basis import measure_basis, read_vectors
from orthoproof.errors import DataError, InvalidArgument
from orthoproof.groups import haar_orthogonal


def planted(rng: np.random.Generator, n: int = 400, k: int = 8) -> np.ndarray:
    """Sparse heavy-tailed loadings along the axes: a privileged basis."""
    return rng.standard_t(3, size=(n, k)) * (rng.random((n, k)) < 0.3)


def test_planted_alignment_is_detected() -> None:
    result = measure_basis(planted(np.random.default_rng(1)), rotations=199)
    assert result.p_value < 0.01
    assert result.effect_size > 3


def test_rotated_copy_is_not_detected_for_most_seeds() -> None:
    rng = np.random.default_rng(2)
    vectors = planted(rng)
    ps = [
        measure_basis(vectors @ haar_orthogonal(8, rng), rotations=99, seed=s).p_value
        for s in range(10)
    ]
    assert sum(p > 0.05 for p in ps) >= 8


def test_isotropic_gaussian_is_not_detected() -> None:
    rng = np.random.default_rng(3)
    ps = [
        measure_basis(rng.standard_normal((300, 6)), 99, s).p_value for s in range(10)
    ]
    assert sum(p > 0.05 for p in ps) >= 8


def test_uniform_cube_is_detected_and_sparsity_sees_the_other_side() -> None:
    vectors = np.random.default_rng(4).uniform(-1, 1, (2000, 4))
    assert measure_basis(vectors, 99).p_value == pytest.approx(0.01)
    # a cube spreads vectors over the axes: concentration is *below* random bases
    assert measure_basis(vectors, 99, statistic="sparsity").p_lower == 0.01


def test_result_is_json_ready() -> None:
    import json

    out = measure_basis(np.random.default_rng(5).standard_normal((50, 3)), 19)
    assert json.loads(json.dumps(out.to_json()))["k"] == 3


@pytest.mark.parametrize(
    ("vectors", "error"),
    [
        (np.zeros((5, 3)), DataError),
        (np.ones(4), InvalidArgument),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), DataError),
    ],
)
def test_bad_vectors_raise(vectors: np.ndarray, error: type[Exception]) -> None:
    with pytest.raises(error):
        measure_basis(vectors)


def test_text_vectors_with_and_without_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    glove = tmp_path / "v.txt"
    glove.write_text("the 0.1 0.2 0.3\nof -1 2 3.5e-1\n")
    w2v = tmp_path / "w.txt"
    w2v.write_text("2 3\nthe 0.1 0.2 0.3\nof -1 2 3.5e-1\n")
    a, b = read_vectors(glove), read_vectors(w2v)
    assert a.words == b.words == ("the", "of")
    np.testing.assert_array_equal(a.array, b.array)
    assert a.array.shape == (2, 3)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a 1 2\nb 1 x\n", 2, "'x' is not a number"),
        ("a 1 2\nb 1 2 3\n", 2, "3 numbers"),
        ("2 2\na 1 2\nb 1\n", 3, "1 numbers"),
        ("a 1 2\nb\n", 2, "no numbers"),
        ("a 1 2\nb nan 2\n", 2, "NaN"),
    ],
)
def test_bad_text_names_file_and_line(
    tmp_path, text: str, line: int, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(DataError, match=rf"bad\.txt:{line}: .*{fragment}"):
        read_vectors(path)


def test_header_count_mismatch_and_npy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "h.txt"
    path.write_text("3 2\na 1 2\nb 3 4\n")
    with pytest.raises(DataError, match="announces 3 vectors"):
        read_vectors(path)
    good = tmp_path / "v.npy"
    np.save(good, np.arange(6.0).reshape(3, 2))
    assert read_vectors(good).array.shape == (3, 2)
    bad = tmp_path / "b.npy"
    np.save(bad, np.arange(6.0))
    with pytest.raises(DataError, match=r"b\.npy: .*expected a 2-D"):
        read_vectors(bad)
    with pytest.raises(DataError, match="no such file"):
        read_vectors(tmp_path / "missing.txt")


def test_garbage_npy_is_described_not_unpickled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """numpy's allow_pickle advice would run code from the file: never passed on."""
    garbage = tmp_path / "g.npy"
    garbage.write_bytes(b"this is not an array at all\n" * 4)
    with pytest.raises(DataError) as raised:
        read_vectors(garbage)
    message = str(raised.value)
    assert "allow_pickle" not in message
    assert "magic string" in message
    assert "g.npy" in message
