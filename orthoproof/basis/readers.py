"""Reading trained vectors: word2vec/GloVe text format and ``.npy``.

Text format: one vector per line, ``word x1 x2 … xk``, separated by
whitespace, optionally preceded by a header line ``N k`` (word2vec writes one,
GloVe does not). ``.npy``: a 2-D real array, one vector per row.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orthoproof.data.files import read_input
from orthoproof.data.readers import npy_problem
from orthoproof.errors import DataError

__all__ = ["Vectors", "read_text_vectors", "read_vectors", "read_vectors_npy"]


@dataclass(frozen=True)
class Vectors:
    """Vectors read from a file.

    Attributes
    ----------
    words
        One label per vector (``"0"``, ``"1"``, … for ``.npy``).
    array
        Shape ``(N, k)``, float64, finite.
    source
        The path read.
    sha256
        Digest of the file's bytes.
    """

    words: tuple[str, ...]
    array: np.ndarray
    source: str
    sha256: str


def _header(fields: list[str]) -> tuple[int, int] | None:
    """``(N, k)`` when a first line is a word2vec header, else None."""
    if len(fields) != 2:
        return None
    try:
        n, k = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return (n, k) if n >= 0 and k >= 1 else None


def read_text_vectors(path: str | os.PathLike[str]) -> Vectors:
    """Read word2vec/GloVe text vectors.

    Raises
    ------
    DataError
        Naming the file and the 1-based line: undecodable text, a line with no
        numbers, a number that does not parse or is not finite, a line whose
        length differs from the first vector's (or the header's ``k``), a count
        that differs from the header's ``N``, or fewer than two vectors.
    """
    data, digest = read_input(path)
    where = str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        number = data[: error.start].count(b"\n") + 1
        raise DataError(
            f"{where}:{number}: not UTF-8 text ({error.reason}); expected text vectors"
        ) from None
    words: list[str] = []
    rows: list[np.ndarray] = []
    header: tuple[int, int] | None = None
    k: int | None = None
    for number, line in enumerate(io.StringIO(text), start=1):
        fields = line.split()
        if not fields:
            continue  # blank lines, e.g. a trailing newline pair, carry nothing
        if number == 1 and (header := _header(fields)) is not None:
            k = header[1]
            continue
        if len(fields) < 2:
            raise DataError(
                f"{where}:{number}: a word with no numbers; expected 'word x1 … xk'"
            )
        try:
            row = np.array([float(x) for x in fields[1:]])
        except ValueError:
            bad = next(x for x in fields[1:] if not _is_float(x))
            raise DataError(
                f"{where}:{number}: {bad!r} is not a number; expected 'word x1 … xk'"
            ) from None
        if not np.all(np.isfinite(row)):
            raise DataError(f"{where}:{number}: NaN or infinite value; expected finite")
        if k is None:
            k = row.size
        elif row.size != k:
            origin = "the header" if header else "the first vector"
            raise DataError(
                f"{where}:{number}: {row.size} numbers, but {origin} has {k}; "
                "expected the same length on every line"
            )
        words.append(fields[0])
        rows.append(row)
    if header is not None and header[0] != len(rows):
        raise DataError(
            f"{where}: the header announces {header[0]} vectors but "
            f"{len(rows)} were read"
        )
    if len(rows) < 2:
        raise DataError(f"{where}: {len(rows)} vectors; expected at least 2")
    return Vectors(tuple(words), np.vstack(rows), where, digest)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_vectors_npy(path: str | os.PathLike[str]) -> Vectors:
    """Read a 2-D real ``.npy`` array, one vector per row (no pickles)."""
    data, digest = read_input(path)
    where = str(path)
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DataError(
            f"{where}: not a readable .npy array ({npy_problem(data, error)}); "
            "expected a 2-D real array written by numpy.save"
        ) from None
    if array.ndim != 2 or array.dtype.kind not in "fiu":
        raise DataError(
            f"{where}: array of shape {array.shape} and dtype {array.dtype}; "
            "expected a 2-D real array N×k"
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        row = int(np.argmax(~np.all(np.isfinite(array), axis=1)))
        raise DataError(f"{where}: row {row} (0-based) has NaN or infinite values")
    if array.shape[0] < 2:
        raise DataError(f"{where}: {array.shape[0]} vectors; expected at least 2")
    words = tuple(str(i) for i in range(array.shape[0]))
    return Vectors(words, array, where, digest)


def read_vectors(path: str | os.PathLike[str]) -> Vectors:
    """Read vectors from ``.npy`` or text, chosen by the file's suffix."""
    if Path(path).suffix.lower() == ".npy":
        return read_vectors_npy(path)
    return read_text_vectors(path)
