"""Tests for :mod:`orthoproof.data`: corpus, counting, readers, loading, weights."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import inspect
import logging
import platform
import re
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orthoproof.data import (
    Cooccurrence,
    builtin_cooccurrence,
    count_cooccurrence,
    glove_weights,
    load,
    read_glove_bin,
    read_matrix_market,
    read_npy,
    stdlib_corpus,
    tokenise,
)
from orthoproof.errors import DataError, InvalidArgument

GLOVE = np.dtype([("word", "<i4"), ("context", "<i4"), ("value", "<f8")])


# --------------------------------------------------------------------- helpers


def write_glove(path: Path, records: list[tuple[int, int, float]]) -> Path:
    """Write GloVe ``cooccur.bin`` records with NumPy, as the C tool lays them out."""
    np.array(records, dtype=GLOVE).tofile(path)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write dedented text and return the path."""
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def naive_counts(tokens: list[str], vocab: tuple[str, ...], window: int) -> np.ndarray:
    """Reference counter: the loop from the specification, written plainly."""
    index = {word: i for i, word in enumerate(vocab)}
    counts = np.zeros((len(vocab), len(vocab)))
    for i, left in enumerate(tokens):
        for j in range(i + 1, min(i + window, len(tokens) - 1) + 1):
            right = tokens[j]
            if left in index and right in index:
                counts[index[left], index[right]] += 1 / (j - i)
                counts[index[right], index[left]] += 1 / (j - i)
    return counts


def file_error(path: Path, rest: str) -> str:
    """A ``match`` pattern: the escaped path, then ``rest`` (a regex)."""
    return re.escape(str(path)) + rest


# -------------------------------------------------------------------- tokenise


def test_tokenise_keeps_lowercase_ascii_words_of_two_or_more_letters() -> None:
    """Tokenising lowercases, splits on non-letters and drops one-letter words."""
    text = "Read_bytes() returns A Bytes-like x2 object; naïve IS ok."
    assert tokenise(text) == [
        "read",
        "bytes",
        "returns",
        "bytes",
        "like",
        "object",
        "na",
        "ve",
        "is",
        "ok",
    ]


# ------------------------------------------------------------------- counting

# Frequencies: aa 3, bb 2, zz 1, so vocab_size=2 keeps (aa, bb) and zz is OOV.
HAND_TOKENS = ["aa", "bb", "zz", "aa", "bb", "aa"]


def test_count_matches_hand_computed_matrix_with_oov_gap() -> None:
    """Window-2 counts equal a hand computation where OOV tokens still take space.

    Pairs within distance 2 with both words known: (0,1) aa-bb 1, (3,4) aa-bb 1,
    (4,5) bb-aa 1, (1,3) bb-aa 1/2 (across the OOV ``zz``), (3,5) aa-aa 1/2.
    Each is added to X[a, b] and X[b, a], so the diagonal gets 2 * 1/2.
    """
    result = count_cooccurrence(HAND_TOKENS, vocab_size=2, window=2)
    assert result.rows == ("aa", "bb")
    assert result.columns == ("aa", "bb")
    expected = np.array([[1.0, 3.5], [3.5, 0.0]])
    np.testing.assert_array_equal(result.counts, expected)


def test_count_window_one_ignores_distance_two_pairs() -> None:
    """With window 1, only adjacent known pairs count (no 1/2 contributions)."""
    result = count_cooccurrence(HAND_TOKENS, vocab_size=2, window=1)
    np.testing.assert_array_equal(result.counts, [[0.0, 3.0], [3.0, 0.0]])


def test_vocabulary_is_by_frequency_then_alphabetical() -> None:
    """Equal frequencies are ordered alphabetically, after higher frequencies."""
    # First appearance (pear, kiwi) differs from alphabetical order (apple, fig).
    tokens = ["pear", "apple", "kiwi", "apple", "pear", "fig"]
    result = count_cooccurrence(tokens, vocab_size=4, window=1)
    assert result.rows == ("apple", "pear", "fig", "kiwi")
    assert count_cooccurrence(tokens, vocab_size=3).rows == ("apple", "pear", "fig")


def test_count_default_sha256_hashes_newline_joined_tokens() -> None:
    """Without a digest, the tokens joined by newlines are hashed."""
    result = count_cooccurrence(HAND_TOKENS, vocab_size=2, source="hand")
    expected = hashlib.sha256("\n".join(HAND_TOKENS).encode()).hexdigest()
    assert result.sha256 == expected
    assert result.source == "hand"


@settings(max_examples=60, deadline=None)
@given(
    tokens=st.lists(st.sampled_from(["aa", "bb", "cc", "dd", "ee"]), min_size=1),
    window=st.integers(1, 5),
    data=st.data(),
)
def test_count_agrees_with_naive_loop(
    tokens: list[str], window: int, data: st.DataObject
) -> None:
    """The vectorised counter equals the plain double loop on random streams."""
    vocab_size = data.draw(st.integers(1, len(set(tokens))))
    result = count_cooccurrence(tokens, vocab_size, window)
    expected = naive_counts(tokens, result.rows, window)
    np.testing.assert_allclose(result.counts, expected, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(result.counts, result.counts.T)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"vocab_size": 0}, r"vocab_size=0 \(int\): expected an integer >= 1"),
        ({"vocab_size": 2, "window": 0}, r"window=0 \(int\): expected"),
        ({"vocab_size": True}, r"vocab_size=True \(bool\)"),
        ({"vocab_size": 2.0}, r"vocab_size=2.0 \(float\)"),
    ],
)
def test_count_rejects_bad_arguments(kwargs: dict, pattern: str) -> None:
    """Non-positive or non-integer sizes raise InvalidArgument naming the argument."""
    with pytest.raises(InvalidArgument, match=pattern):
        count_cooccurrence(HAND_TOKENS, **kwargs)


def test_count_rejects_empty_tokens() -> None:
    """An empty token stream is a DataError, since the vocabulary would be empty."""
    with pytest.raises(DataError, match=r"tokens: the token sequence is empty"):
        count_cooccurrence([], vocab_size=1)


def test_count_rejects_vocab_larger_than_distinct_tokens() -> None:
    """Asking for more words than exist says how many distinct tokens there are."""
    with pytest.raises(DataError, match=r"vocab_size=4 exceeds the 3 distinct"):
        count_cooccurrence(HAND_TOKENS, vocab_size=4)


# ---------------------------------------------------------------- Cooccurrence


def make(counts: list[list[float]]) -> Cooccurrence:
    """A labelled matrix for the restrict tests."""
    array = np.array(counts, dtype=float)
    m, n = array.shape
    return Cooccurrence(
        counts=array,
        rows=tuple(f"r{i}" for i in range(m)),
        columns=tuple(f"c{j}" for j in range(n)),
        source="test",
        sha256="0" * 64,
    )


def test_restrict_keeps_heaviest_rows_and_columns_independently() -> None:
    """Rows are ranked by row sums and columns by column sums, ties by index."""
    data = make([[1, 0, 5], [2, 2, 0], [9, 0, 0]])  # row sums 6, 4, 9
    small = data.restrict(2)  # column sums 12, 2, 5
    assert small.rows == ("r2", "r0")
    assert small.columns == ("c0", "c2")
    np.testing.assert_array_equal(small.counts, [[9, 0], [1, 5]])
    assert small.sha256 == data.sha256
    tied = make([[1, 1, 1], [1, 1, 1]]).restrict(2)
    assert tied.rows == ("r0", "r1")
    assert tied.columns == ("c0", "c1")


def test_restrict_orders_many_ties_by_index() -> None:
    """With many equal totals (where unstable sorts reorder), index order wins."""
    totals = np.random.default_rng(7).integers(1, 4, size=60).astype(float)
    data = make(np.diag(totals).tolist())
    expected = sorted(range(60), key=lambda i: (-totals[i], i))[:30]
    assert data.restrict(30).rows == tuple(f"r{i}" for i in expected)


@pytest.mark.parametrize("size", [0, -1, 3])
def test_restrict_rejects_sizes_outside_range(size: int) -> None:
    """Sizes below 1 or above the smaller dimension raise InvalidArgument."""
    with pytest.raises(InvalidArgument, match=rf"size={size} \(int\)"):
        make([[1, 2, 3], [4, 5, 6]]).restrict(size)


def test_cooccurrence_is_immutable_and_float64() -> None:
    """Counts are copied to read-only float64 and fields cannot be reassigned."""
    source = np.array([[1, 2], [3, 4]])
    data = Cooccurrence(source, ("a", "b"), ("c", "d"), "test", "0" * 64)
    source[0, 0] = 100
    assert data.counts.dtype == np.float64
    assert data.counts[0, 0] == 1.0
    assert data.shape == (2, 2)
    with pytest.raises(ValueError, match="read-only"):
        data.counts[0, 0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.source = "other"  # type: ignore[misc]


def test_cooccurrence_rejects_wrong_label_count_and_bad_values() -> None:
    """Label counts must match the shape, and values must be finite and >= 0."""
    with pytest.raises(InvalidArgument, match=r"rows=.*expected 2 labels"):
        Cooccurrence(np.ones((2, 2)), ("a",), ("c", "d"), "test", "")
    with pytest.raises(DataError, match=r"test: entry \[1, 0\].*-1\.0.*negative"):
        Cooccurrence(np.array([[1.0, 0.0], [-1.0, 2.0]]), "ab", "cd", "test", "")


# ----------------------------------------------------------------- GloVe .bin


def test_glove_bin_round_trip_sums_repeated_pairs(tmp_path: Path) -> None:
    """Records are read 1-based, repeats summed, shape from the largest ids."""
    path = write_glove(
        tmp_path / "cooccur.bin",
        [(1, 1, 2.0), (1, 4, 0.5), (3, 2, 1.25), (1, 4, 0.25), (2, 3, 7.0)],
    )
    data = read_glove_bin(path)
    expected = np.zeros((3, 4))
    expected[0, 0], expected[0, 3], expected[2, 1], expected[1, 2] = 2, 0.75, 1.25, 7
    np.testing.assert_array_equal(data.counts, expected)
    assert data.rows == ("1", "2", "3")
    assert data.columns == ("1", "2", "3", "4")
    assert data.source == str(path)
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("records", "pattern"),
    [
        ([(1, 1, 1.0), (2, 1, float("nan"))], r": record 1 .*value nan.*not finite"),
        ([(1, 1, -2.0)], r": record 0 .*value -2\.0, which is negative"),
        ([(1, 1, 1.0), (0, 2, 1.0)], r": record 1 .*word id 0 .*expected >= 1"),
        ([(1, 0, 1.0)], r": record 0 .*context id 0"),
    ],
)
def test_glove_bin_rejects_bad_records(
    tmp_path: Path, records: list[tuple[int, int, float]], pattern: str
) -> None:
    """NaN, negative values and ids below 1 are DataErrors locating the record."""
    path = write_glove(tmp_path / "bad.bin", records)
    with pytest.raises(DataError, match=file_error(path, pattern)):
        read_glove_bin(path)


def test_glove_bin_rejects_truncated_file(tmp_path: Path) -> None:
    """A size that is not a multiple of 16 bytes is reported as truncation."""
    path = tmp_path / "short.bin"
    path.write_bytes(bytes(20))
    pattern = r": truncated: 20 bytes is not a whole number of 16-byte records"
    with pytest.raises(DataError, match=file_error(path, pattern)):
        read_glove_bin(path)


def test_readers_reject_empty_and_missing_files(tmp_path: Path) -> None:
    """Every reader names the file when it is empty or does not exist."""
    for reader, suffix in [
        (read_glove_bin, ".bin"),
        (read_matrix_market, ".mtx"),
        (read_npy, ".npy"),
    ]:
        empty = tmp_path / f"empty{suffix}"
        empty.write_bytes(b"")
        with pytest.raises(DataError, match=file_error(empty, r": empty file")):
            reader(empty)
        missing = tmp_path / f"missing{suffix}"
        with pytest.raises(DataError, match=file_error(missing, r": no such file")):
            reader(missing)


# -------------------------------------------------------------- Matrix Market


def test_matrix_market_coordinate_general(tmp_path: Path) -> None:
    """Coordinate entries are 1-based, comments skipped and repeats summed."""
    path = write_text(
        tmp_path / "general.mtx",
        """
        %%MatrixMarket matrix coordinate real general
        % a comment
        2 3 4
        1 1 1.5
        2 3 4e0

        1 1 0.5
        2 1 3
        """,
    )
    data = read_matrix_market(path)
    np.testing.assert_array_equal(data.counts, [[2.0, 0, 0], [3.0, 0, 4.0]])
    assert (data.rows, data.columns) == (("1", "2"), ("1", "2", "3"))
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_matrix_market_coordinate_symmetric_integer(tmp_path: Path) -> None:
    """A symmetric file's lower triangle is mirrored, the diagonal kept once."""
    path = write_text(
        tmp_path / "sym.mm",
        """
        %%MatrixMarket matrix coordinate integer symmetric
        3 3 3
        1 1 4
        3 1 2
        3 2 5
        """,
    )
    expected = [[4.0, 0, 2], [0, 0, 5], [2, 5, 0]]
    np.testing.assert_array_equal(read_matrix_market(path).counts, expected)


def test_matrix_market_coordinate_pattern(tmp_path: Path) -> None:
    """Pattern entries count as 1."""
    path = write_text(
        tmp_path / "pattern.mtx",
        """
        %%MatrixMarket matrix coordinate pattern general
        2 2 2
        1 2
        2 2
        """,
    )
    np.testing.assert_array_equal(read_matrix_market(path).counts, [[0, 1], [0, 1]])


def test_matrix_market_array_is_column_major(tmp_path: Path) -> None:
    """Array values fill the matrix column by column."""
    path = write_text(
        tmp_path / "array.mtx",
        """
        %%MatrixMarket matrix array real general
        2 3
        1
        2
        3
        4
        5
        6
        """,
    )
    np.testing.assert_array_equal(
        read_matrix_market(path).counts, [[1, 3, 5], [2, 4, 6]]
    )


def test_matrix_market_array_symmetric(tmp_path: Path) -> None:
    """A symmetric array lists the lower triangle column by column."""
    path = write_text(
        tmp_path / "array_sym.mtx",
        """
        %%MatrixMarket matrix array real symmetric
        3 3
        1
        2
        3
        4
        5
        6
        """,
    )
    expected = [[1, 2, 3], [2, 4, 5], [3, 5, 6]]
    np.testing.assert_array_equal(read_matrix_market(path).counts, expected)


MM_GENERAL = "%%MatrixMarket matrix coordinate real general\n"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
            r": unsupported format 'coordinate' with field 'complex'",
        ),
        ("%MatrixMarket matrix coordinate real general\n1 1 0\n", r": line 1 is"),
        ("hello\n", r": line 1 is 'hello'; expected '%%MatrixMarket"),
        (MM_GENERAL + "2 2 3\n1 1 1\n2 2 1\n", r": truncated: .*declares 3 .*only 2"),
        (MM_GENERAL + "2 2 1\n1 1 1\n2 2 1\n", r": line 4 is entry 2, .*only 1"),
        (MM_GENERAL + "2 2 1\n3 1 1\n", r": line 3 has index \(3, 1\)"),
        (MM_GENERAL + "2 2 1\n1 1 nan\n", r": line 3 has value nan"),
        (MM_GENERAL + "2 2 1\n1 1 -4\n", r": line 3 has value -4\.0.*negative"),
        (MM_GENERAL + "2 2 1\n1 1 x\n", r": line 3 holds 'x'; expected a number"),
        (MM_GENERAL + "2 2 1\n1 1\n", r": line 3 is '1 1'; expected 3 "),
        (MM_GENERAL + "2 x 1\n", r": line 2 is '2 x 1'; expected the size line"),
        (MM_GENERAL, r": no size line"),
        (
            "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 2.5\n",
            r": line 3 holds '2\.5'; expected an integer",
        ),
        (
            "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n",
            r": line 3 has index \(1, 2\) above the diagonal",
        ),
        (
            "%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n",
            r"2 x 3 symmetric matrix; expected a square one",
        ),
    ],
)
def test_matrix_market_rejects_bad_files(
    tmp_path: Path, text: str, pattern: str
) -> None:
    """Malformed, truncated or invalid Matrix Market files raise DataError."""
    path = tmp_path / "bad.mtx"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=file_error(path, ".*" + pattern)):
        read_matrix_market(path)


# ----------------------------------------------------------------------- .npy


def test_npy_round_trip_converts_to_float(tmp_path: Path) -> None:
    """An integer array comes back as float64 with id labels and the file digest."""
    path = tmp_path / "counts.npy"
    np.save(path, np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32))
    data = read_npy(path)
    assert data.counts.dtype == np.float64
    np.testing.assert_array_equal(data.counts, [[1, 2, 3], [4, 5, 6]])
    assert data.rows == ("1", "2")
    assert data.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("array", "pattern"),
    [
        (np.ones((2, 2, 2)), r": array has shape \(2, 2, 2\); expected a 2-D"),
        (np.zeros((0, 3)), r": matrix has shape \(0, 3\)"),
        (np.array([[1.0, np.inf]]), r": entry \[0, 1\] .*inf.*not finite"),
        (np.array([[1.0, 2.0], [3.0, -1.0]]), r": entry \[1, 1\] .*negative"),
        (np.array([["a"]]), r": dtype <U1 is not usable"),
        (np.array([[{}]], dtype=object), r": not a readable \.npy array"),
    ],
)
def test_npy_rejects_bad_arrays(
    tmp_path: Path, array: np.ndarray, pattern: str
) -> None:
    """Arrays that are not 2-D, empty, non-real, pickled or invalid raise DataError."""
    path = tmp_path / "bad.npy"
    np.save(path, array, allow_pickle=True)
    with pytest.raises(DataError, match=file_error(path, pattern)):
        read_npy(path)


# ----------------------------------------------------------------------- load


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The same 3 x 3 matrix saved in every supported format."""
    matrix = np.array([[5.0, 1.0, 0.0], [1.0, 3.0, 2.0], [0.0, 2.0, 9.0]])
    npy = tmp_path / "m.NPY"
    np.save(tmp_path / "m.npy", matrix)
    (tmp_path / "m.npy").rename(npy)
    records = [(i + 1, j + 1, matrix[i, j]) for i, j in np.argwhere(matrix)]
    mm_lines = [f"{i} {j} {v}" for i, j, v in records]
    mm = "%%MatrixMarket matrix coordinate real general\n3 3 7\n"
    mm += "\n".join(mm_lines) + "\n"
    (tmp_path / "m.mtx").write_text(mm, encoding="utf-8")
    (tmp_path / "m.mm").write_text(mm, encoding="utf-8")
    return {
        "npy": npy,
        "bin": write_glove(tmp_path / "m.bin", records),
        "mtx": tmp_path / "m.mtx",
        "mm": tmp_path / "m.mm",
    }


@pytest.mark.parametrize("kind", ["npy", "bin", "mtx", "mm"])
def test_load_dispatches_on_suffix(files: dict[str, Path], kind: str) -> None:
    """Each suffix (in any case) reaches its reader and restricts when asked."""
    data = load(files[kind])
    assert data.shape == (3, 3)
    assert data.counts[2, 2] == 9.0
    small = load(str(files[kind]), vocab_size=2)
    # Row (and column) sums are 6, 6 and 11: the tie between 1 and 2 keeps 1.
    assert small.rows == ("3", "1")
    assert small.columns == ("3", "1")
    np.testing.assert_array_equal(small.counts, [[9.0, 0.0], [0.0, 5.0]])


def test_load_rejects_unknown_suffix(tmp_path: Path) -> None:
    """An unknown suffix is an InvalidArgument naming `data` and the valid ones."""
    path = tmp_path / "counts.csv"
    path.write_text("1,2\n", encoding="utf-8")
    with pytest.raises(InvalidArgument, match=r"data='.*counts\.csv'.*\.bin.*\.npy"):
        load(path)


@pytest.mark.parametrize("vocab_size", [0, 4])
def test_load_rejects_bad_vocab_size_for_files(
    files: dict[str, Path], vocab_size: int
) -> None:
    """vocab_size must be in [1, min(m, n)] for a file."""
    with pytest.raises(InvalidArgument, match=rf"vocab_size={vocab_size} \(int\)"):
        load(files["npy"], vocab_size=vocab_size)


def test_load_rejects_all_zero_row(tmp_path: Path) -> None:
    """A row with no positive entry is a DataError naming the row label."""
    path = tmp_path / "zero.npy"
    np.save(path, np.array([[1.0, 2.0], [0.0, 0.0]]))
    with pytest.raises(DataError, match=file_error(path, r": row '2' has no positive")):
        load(path)


def test_load_none_uses_builtin_corpus() -> None:
    """With no path, load counts the stdlib corpus at the requested size."""
    data = load(None, vocab_size=12, window=5)
    assert data.shape == (12, 12)
    assert data.rows[0] == "the"
    with pytest.raises(InvalidArgument, match=r"vocab_size=0"):
        load(None, vocab_size=0)
    with pytest.raises(DataError, match=r"vocab_size=10000000 exceeds the \d+"):
        load(None, vocab_size=10_000_000)


# -------------------------------------------------------------------- weights


def test_glove_weights_values() -> None:
    """f is 0 at 0, (1/2)**0.75 at x_max/2 and 1 at and beyond x_max."""
    weights = glove_weights(np.array([[0.0, 50.0], [100.0, 200.0]]))
    assert weights.shape == (2, 2)
    assert weights[0, 0] == 0.0
    assert weights[0, 1] == pytest.approx(0.5**0.75, rel=1e-15)
    assert weights[1, 0] == 1.0
    assert weights[1, 1] == 1.0
    assert glove_weights(np.array([2.0]), x_max=4.0, alpha=1.0)[0] == 0.5


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"x_max": 0.0}, r"x_max=0\.0 \(float\): expected a finite number > 0"),
        ({"x_max": -1}, r"x_max=-1"),
        ({"alpha": 0}, r"alpha=0 \(int\)"),
        ({"alpha": float("nan")}, r"alpha=nan"),
    ],
)
def test_glove_weights_rejects_bad_parameters(kwargs: dict, pattern: str) -> None:
    """x_max and alpha must be finite and positive."""
    with pytest.raises(InvalidArgument, match=pattern):
        glove_weights(np.ones((2, 2)), **kwargs)


def test_glove_weights_rejects_negative_counts() -> None:
    """Negative counts would give NaN weights, so they are refused."""
    with pytest.raises(DataError, match=r"counts: flat entry 1 has value -1\.0"):
        glove_weights(np.array([1.0, -1.0]))


# ------------------------------------------------------------ stdlib corpus


def test_builtin_cooccurrence_is_symmetric_english_and_deterministic() -> None:
    """The default input is a symmetric 40 x 40 count matrix of English words."""
    first = builtin_cooccurrence(40)
    second = builtin_cooccurrence(40)
    assert first.shape == (40, 40)
    np.testing.assert_array_equal(first.counts, first.counts.T)
    assert (first.counts >= 0).all()
    assert (first.counts.sum(axis=1) > 0).all()
    assert first.sha256 == second.sha256
    np.testing.assert_array_equal(first.counts, second.counts)
    corpus_digest = hashlib.sha256(stdlib_corpus().encode()).hexdigest()
    assert first.sha256 == corpus_digest
    assert {"the", "of", "to", "and"} <= set(first.rows)
    assert platform.python_version() in first.source


def test_stdlib_corpus_holds_docstrings_in_file_order_without_importing() -> None:
    """The corpus holds stdlib docstrings, files in name order, and imports nothing."""
    corpus = stdlib_corpus()
    assert stdlib_corpus() is corpus  # cached
    assert inspect.getdoc(textwrap.dedent) in corpus
    abc_doc = corpus.index("Abstract Base Classes (ABCs) according to PEP 3119.")
    assert abc_doc < corpus.index(inspect.getdoc(textwrap))
    # Importing antigravity opens a web browser: a sure sign of importing.
    assert "antigravity" not in sys.modules


def test_stdlib_corpus_walks_definitions_and_skips_broken_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Docstrings follow file-name then source order; broken files and test.py drop."""
    # Smaller than good.py and written first, yet last in name order.
    (tmp_path / "zeta.py").write_text('"""Zeta."""\n', encoding="utf-8")
    write_text(
        tmp_path / "good.py",
        '''
        """Module."""


        class Outer:
            """Class."""

            def method(self):
                """Method."""

                def inner():
                    """Inner."""


        if True:

            async def later():
                """Later."""
        ''',
    )
    (tmp_path / "broken.py").write_text("def (:\n", encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b'"""caf\xe9"""\n')
    (tmp_path / "test.py").write_text('"""Skipped."""\n', encoding="utf-8")
    monkeypatch.setattr("sysconfig.get_paths", lambda: {"stdlib": str(tmp_path)})
    with caplog.at_level(logging.DEBUG, logger="orthoproof.data.corpus"):
        text = stdlib_corpus.__wrapped__()
    assert text == "Module.\n\nClass.\n\nMethod.\n\nInner.\n\nLater.\n\nZeta."
    skipped = " ".join(record.getMessage() for record in caplog.records)
    assert "broken.py" in skipped
    assert "latin.py" in skipped
    assert gc.isenabled()  # the collector paused during parsing is running again


def test_a_name_the_system_cannot_look_up_is_a_data_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'File name too long' comes back as DataError naming the file, not OSError."""
    from orthoproof.data.files import read_input

    too_long = tmp_path / ("x" * 5000 + ".npy")
    with pytest.raises(DataError, match="cannot be looked up"):
        read_input(too_long)
