"""Readers for binary co-occurrence files: GloVe's ``cooccur.bin`` and ``.npy``.

Matrix Market text files have their own module, :mod:`.matrix_market`.
"""

from __future__ import annotations

import io
import os

import numpy as np

from orthoproof.data.cooccurrence import Cooccurrence
from orthoproof.data.files import read_input
from orthoproof.data.validation import check_dense_size, check_entries
from orthoproof.errors import DataError

__all__ = ["GLOVE_RECORD", "id_labels", "npy_problem", "read_glove_bin", "read_npy"]

# GloVe's ``CREC`` struct as ``cooccur`` writes it on little-endian machines:
# int word, int context, double value, with no padding (4 + 4 + 8 = 16 bytes).
GLOVE_RECORD = np.dtype([("word", "<i4"), ("context", "<i4"), ("value", "<f8")])


def id_labels(count: int) -> tuple[str, ...]:
    """Labels ``"1"`` to ``str(count)`` for rows or columns known only by id."""
    return tuple(str(i) for i in range(1, count + 1))


def _glove_records(data: bytes, where: str) -> np.ndarray:
    """Split raw bytes into GloVe records.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_records,)`` with dtype :data:`GLOVE_RECORD`.
    """
    size = GLOVE_RECORD.itemsize
    if len(data) % size:
        raise DataError(
            f"{where}: truncated: {len(data)} bytes is not a whole number of "
            f"{size}-byte records; expected a multiple of {size} bytes"
        )
    return np.frombuffer(data, dtype=GLOVE_RECORD)


def _check_glove_ids(records: np.ndarray, where: str) -> None:
    """Raise at the first record whose word or context id is below 1."""
    bad = (records["word"] < 1) | (records["context"] < 1)
    if bad.any():
        k = int(np.argmax(bad))
        raise DataError(
            f"{where}: record {k} (0-based) has word id {records['word'][k]} and "
            f"context id {records['context'][k]}; ids are 1-based, expected >= 1"
        )


def read_glove_bin(path: str | os.PathLike[str]) -> Cooccurrence:
    """Read GloVe's binary co-occurrence records (``cooccur.bin``).

    Each record is 16 little-endian bytes: int32 word id, int32 context id,
    float64 value.  Ids are 1-based; repeated (word, context) pairs are summed,
    as GloVe's own merge step would.

    Parameters
    ----------
    path
        The ``.bin`` file.

    Returns
    -------
    Cooccurrence
        Shape ``(max word id, max context id)``, labels ``"1"``, ``"2"``, ...,
        ``source`` the path and ``sha256`` the digest of the file's bytes.

    Raises
    ------
    DataError
        If the file is missing or empty, its size is not a multiple of 16 bytes,
        an id is below 1, a value is NaN, infinite or negative, or the dense
        matrix would be too large.
    """
    where = os.fspath(path)
    data, digest = read_input(path)
    records = _glove_records(data, where)
    _check_glove_ids(records, where)
    check_entries(
        records["value"],
        where,
        lambda k: (
            f"record {k} (0-based; word {records['word'][k]}, "
            f"context {records['context'][k]})"
        ),
    )
    shape = (int(records["word"].max()), int(records["context"].max()))
    check_dense_size(shape, where)
    counts = np.zeros(shape, dtype=np.float64)
    # ``np.add.at`` accumulates repeated index pairs, where plain fancy-index
    # assignment would keep only the last one.
    np.add.at(counts, (records["word"] - 1, records["context"] - 1), records["value"])
    return Cooccurrence(
        counts=counts,
        rows=id_labels(shape[0]),
        columns=id_labels(shape[1]),
        source=where,
        sha256=digest,
    )


def npy_problem(data: bytes, error: Exception) -> str:
    """What is wrong with a file np.load refused, in the user's terms.

    numpy falls back to unpickling whatever lacks its magic string and then
    advises allow_pickle, which would run code from the file: never repeated.
    """
    if not data.startswith(b"\x93NUMPY"):
        return "it does not begin with the .npy magic string"
    if "pickle" in str(error):
        return "it holds Python objects, which are never unpickled"
    return str(error)


def read_npy(path: str | os.PathLike[str]) -> Cooccurrence:
    """Read a 2-D array of counts saved with :func:`numpy.save`.

    Parameters
    ----------
    path
        The ``.npy`` file; pickled (object) arrays are refused.

    Returns
    -------
    Cooccurrence
        Shape as stored, converted to float64, labels ``"1"``, ``"2"``, ...

    Raises
    ------
    DataError
        If the file is missing, empty or not a valid ``.npy`` array, or the array
        is not 2-D, is empty, or holds NaN, infinite or negative values.
    """
    where = os.fspath(path)
    data, digest = read_input(path)
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, EOFError, OSError) as error:
        raise DataError(
            f"{where}: not a readable .npy array ({npy_problem(data, error)}); "
            "expected a numeric array written by numpy.save"
        ) from error
    if not isinstance(array, np.ndarray):
        # np.load returns an archive object for .npz data, whatever the name.
        array.close()
        raise DataError(
            f"{where}: holds an .npz archive, not a single array; expected a file "
            "written by numpy.save"
        )
    # A non-2-D array gets no labels; Cooccurrence rejects its shape before it
    # ever looks at them.
    rows, columns = array.shape if array.ndim == 2 else (0, 0)
    return Cooccurrence(
        counts=array,
        rows=id_labels(rows),
        columns=id_labels(columns),
        source=where,
        sha256=digest,
    )
