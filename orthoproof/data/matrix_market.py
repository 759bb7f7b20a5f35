"""A small, strict reader for Matrix Market text files.

Supported: ``coordinate`` with ``real``, ``integer`` or ``pattern`` values and
``array`` with ``real`` or ``integer`` values, each either ``general`` or
``symmetric``.  Complex, Hermitian and skew-symmetric files cannot hold
co-occurrence counts and are refused.  Blank lines and ``%`` comment lines are
skipped wherever they appear.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from orthoproof.data.cooccurrence import Cooccurrence
from orthoproof.data.files import read_input
from orthoproof.data.readers import id_labels
from orthoproof.data.validation import check_dense_size, check_entries
from orthoproof.errors import DataError

__all__ = ["read_matrix_market"]

_BANNER = "%%matrixmarket"
_FIELDS = {"coordinate": ("real", "integer", "pattern"), "array": ("real", "integer")}
_SYMMETRIES = ("general", "symmetric")


@dataclass(frozen=True)
class _Header:
    """The banner's three choices, lowercased."""

    layout: str  # "coordinate" or "array"
    field: str  # "real", "integer" or "pattern"
    symmetry: str  # "general" or "symmetric"


@dataclass(frozen=True)
class _Lines:
    """The meaningful lines of the body, with their 1-based line numbers."""

    numbers: list[int]
    fields: list[list[str]]


def _parse_header(first_line: str, where: str) -> _Header:
    """Parse and check the ``%%MatrixMarket matrix ...`` banner."""
    expected = (
        "expected '%%MatrixMarket matrix coordinate real|integer|pattern "
        "general|symmetric' or '%%MatrixMarket matrix array real|integer "
        "general|symmetric'"
    )
    words = first_line.lower().split()
    if len(words) != 5 or words[0] != _BANNER or words[1] != "matrix":
        # Cut the echo short: a binary file misnamed .mtx has no line breaks.
        shown = first_line.strip()[:80]
        raise DataError(f"{where}: line 1 is {shown!r}; {expected}")
    layout, field, symmetry = words[2:]
    if layout not in _FIELDS or field not in _FIELDS[layout]:
        raise DataError(
            f"{where}: unsupported format {layout!r} with field {field!r}; {expected}"
        )
    if symmetry not in _SYMMETRIES:
        raise DataError(f"{where}: unsupported symmetry {symmetry!r}; {expected}")
    return _Header(layout, field, symmetry)


def _body(text_lines: list[str]) -> _Lines:
    """Split every non-blank, non-comment line after the banner into fields."""
    numbers, fields = [], []
    for number, line in enumerate(text_lines[1:], start=2):
        words = line.split()
        if words and not words[0].startswith("%"):
            numbers.append(number)
            fields.append(words)
    return _Lines(numbers, fields)


def _parse_size(body: _Lines, header: _Header, where: str) -> tuple[int, int, int]:
    """Read the size line: ``m n nnz`` (coordinate) or ``m n`` (array).

    Returns
    -------
    m, n, entries : int
        The shape and the number of entry lines that must follow.
    """
    wanted = "m n nnz" if header.layout == "coordinate" else "m n"
    if not body.fields:
        raise DataError(f"{where}: no size line; expected a line '{wanted}'")
    words, number = body.fields[0], body.numbers[0]
    try:
        sizes = [int(word) for word in words]
    except ValueError:
        sizes = []
    if len(sizes) != len(wanted.split()) or min(sizes) < 0 or 0 in sizes[:2]:
        raise DataError(
            f"{where}: line {number} is {' '.join(words)!r}; expected the size "
            f"line '{wanted}' with positive integers m and n"
        )
    m, n = sizes[:2]
    if header.symmetry == "symmetric" and m != n:
        raise DataError(
            f"{where}: line {number} declares a {m} x {n} symmetric matrix; "
            "expected a square one"
        )
    check_dense_size((m, n), where)
    if header.layout == "coordinate":
        return m, n, sizes[2]
    return m, n, m * n if header.symmetry == "general" else n * (n + 1) // 2


def _entry_lines(body: _Lines, entries: int, width: int, where: str) -> _Lines:
    """Check the entry lines' count and width.

    Parameters
    ----------
    body
        All meaningful lines, the size line first.
    entries
        How many entry lines the size line declared.
    width
        Fields per entry line.

    Returns
    -------
    _Lines
        Exactly ``entries`` lines of ``width`` fields each.
    """
    numbers, fields = body.numbers[1:], body.fields[1:]
    if len(fields) < entries:
        raise DataError(
            f"{where}: truncated: the size line declares {entries} entries but "
            f"only {len(fields)} follow; expected {entries} entry lines"
        )
    if len(fields) > entries:
        raise DataError(
            f"{where}: line {numbers[entries]} is entry {entries + 1}, but the "
            f"size line declares only {entries}; expected exactly {entries}"
        )
    for number, words in zip(numbers, fields, strict=True):
        if len(words) != width:
            raise DataError(
                f"{where}: line {number} is {' '.join(words)!r}; expected "
                f"{width} whitespace-separated fields"
            )
    return _Lines(numbers, fields)


def _convert(
    words: list[str],
    numbers: list[int],
    parse: Callable[[str], float],
    dtype: type,
    where: str,
) -> np.ndarray:
    """Convert a column of fields to numbers, naming the line of a bad one.

    Parameters
    ----------
    words
        Shape ``(k,)`` list of field texts.
    numbers
        The line number of each field.
    parse
        Python's ``int`` or ``float``, used to pinpoint a failure.
    dtype
        ``np.int64`` or ``np.float64``.

    Returns
    -------
    numpy.ndarray
        Shape ``(k,)`` of ``dtype``.
    """
    try:
        # NumPy converts the whole column in C; Python is only used to find the
        # culprit when that fails.
        return np.array(words, dtype=str).astype(dtype)
    except (ValueError, OverflowError) as error:
        k = _first_unparsable(words, parse, dtype)
        kind = "an integer within int64" if dtype is np.int64 else "a number"
        raise DataError(
            f"{where}: line {numbers[k]} holds {words[k]!r}; expected {kind}"
        ) from error


def _first_unparsable(
    words: list[str], parse: Callable[[str], float], dtype: type
) -> int:
    """Index of the first field that ``parse`` then ``dtype`` reject (else 0)."""
    for k, word in enumerate(words):
        try:
            dtype(parse(word))
        except (ValueError, OverflowError):
            return k
    # Only reached if NumPy rejects a spelling Python accepts; pointing at the
    # first field is then the best available guess.
    return 0


def _values(
    words: list[str], numbers: list[int], header: _Header, where: str
) -> np.ndarray:
    """Convert value fields as the banner's field type says, to float64.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(words),)``, float64.
    """
    if header.field == "integer":
        # Parsed as integers first so that "2.5" in an integer file is an error.
        return _convert(words, numbers, int, np.int64, where).astype(np.float64)
    return _convert(words, numbers, float, np.float64, where)


def _coordinate_matrix(
    lines: _Lines, header: _Header, shape: tuple[int, int], where: str
) -> np.ndarray:
    """Assemble a dense matrix from ``i j [value]`` lines (1-based indices)."""
    rows = _convert([w[0] for w in lines.fields], lines.numbers, int, np.int64, where)
    cols = _convert([w[1] for w in lines.fields], lines.numbers, int, np.int64, where)
    if header.field == "pattern":
        values = np.ones(len(rows), dtype=np.float64)
    else:
        values = _values([w[2] for w in lines.fields], lines.numbers, header, where)
    _check_indices(rows, cols, lines.numbers, header, shape, where)
    check_entries(values, where, lambda k: f"line {lines.numbers[k]}")
    counts = np.zeros(shape, dtype=np.float64)
    # Repeated coordinates are summed, as for any sparse COO data.
    np.add.at(counts, (rows - 1, cols - 1), values)
    if header.symmetry == "symmetric":
        # Only the lower triangle is stored; mirror everything off the diagonal.
        off = rows != cols
        np.add.at(counts, (cols[off] - 1, rows[off] - 1), values[off])
    return counts


def _check_indices(
    rows: np.ndarray,
    cols: np.ndarray,
    numbers: list[int],
    header: _Header,
    shape: tuple[int, int],
    where: str,
) -> None:
    """Raise at the first entry outside the matrix or above a symmetric diagonal."""
    m, n = shape
    outside = (rows < 1) | (rows > m) | (cols < 1) | (cols > n)
    if outside.any():
        k = int(np.argmax(outside))
        raise DataError(
            f"{where}: line {numbers[k]} has index ({rows[k]}, {cols[k]}); "
            f"expected 1 <= row <= {m} and 1 <= column <= {n}"
        )
    if header.symmetry == "symmetric":
        upper = rows < cols
        if upper.any():
            k = int(np.argmax(upper))
            raise DataError(
                f"{where}: line {numbers[k]} has index ({rows[k]}, {cols[k]}) "
                "above the diagonal; a symmetric file stores only entries with "
                "row >= column"
            )


def _array_matrix(
    lines: _Lines, header: _Header, shape: tuple[int, int], where: str
) -> np.ndarray:
    """Assemble a dense matrix from values listed column by column."""
    values = _values([w[0] for w in lines.fields], lines.numbers, header, where)
    check_entries(values, where, lambda k: f"line {lines.numbers[k]}")
    m, n = shape
    if header.symmetry == "general":
        # Column-major order: reshape by columns, then transpose.
        return values.reshape(n, m).T.copy()
    counts = np.zeros(shape, dtype=np.float64)
    # The lower triangle column by column is the upper triangle row by row of
    # the transpose, which is the order np.triu_indices produces.
    cols, rows = np.triu_indices(n)
    counts[rows, cols] = values
    counts[cols, rows] = values
    return counts


def read_matrix_market(path: str | os.PathLike[str]) -> Cooccurrence:
    """Read a Matrix Market file into a dense co-occurrence matrix.

    Parameters
    ----------
    path
        The ``.mtx`` or ``.mm`` file.

    Returns
    -------
    Cooccurrence
        Shape ``(m, n)`` as declared, labels ``"1"``, ``"2"``, ..., ``source``
        the path and ``sha256`` the digest of the file's bytes.  Symmetric files
        are expanded to the full matrix; repeated coordinates are summed.

    Raises
    ------
    DataError
        If the file is missing or empty, the banner or size line is malformed
        or unsupported, there are fewer or more entries than declared, an index
        is out of range, or a value is not a number, NaN, infinite or negative.
    """
    where = os.fspath(path)
    data, digest = read_input(path)
    # The format is ASCII; replacing undecodable bytes keeps odd comments
    # harmless while any such byte in a number still fails to parse.
    text_lines = data.decode("utf-8", errors="replace").splitlines()
    header = _parse_header(text_lines[0], where)
    body = _body(text_lines)
    m, n, entries = _parse_size(body, header, where)
    if header.layout == "coordinate":
        width = 2 if header.field == "pattern" else 3
        lines = _entry_lines(body, entries, width, where)
        counts = _coordinate_matrix(lines, header, (m, n), where)
    else:
        lines = _entry_lines(body, entries, 1, where)
        counts = _array_matrix(lines, header, (m, n), where)
    return Cooccurrence(
        counts=counts,
        rows=id_labels(m),
        columns=id_labels(n),
        source=where,
        sha256=digest,
    )
