"""One entry point for every input: the built-in corpus or a file."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from orthoproof.data.builtin import builtin_cooccurrence
from orthoproof.data.cooccurrence import Cooccurrence
from orthoproof.data.matrix_market import read_matrix_market
from orthoproof.data.readers import read_glove_bin, read_npy
from orthoproof.data.validation import positive_int
from orthoproof.errors import DataError, InvalidArgument

__all__ = ["DEFAULT_VOCAB_SIZE", "READERS", "load"]

logger = logging.getLogger(__name__)

DEFAULT_VOCAB_SIZE = 40

# Suffix (lowercase) -> reader.  The suffix alone decides, because GloVe's
# binary records carry no magic number to sniff.
READERS: dict[str, Callable[[str | os.PathLike[str]], Cooccurrence]] = {
    ".bin": read_glove_bin,
    ".mtx": read_matrix_market,
    ".mm": read_matrix_market,
    ".npy": read_npy,
}

_VALID_DATA = (
    "a path ending in .bin (GloVe cooccur records), .mtx or .mm (Matrix "
    "Market) or .npy (NumPy); with no path the built-in stdlib corpus is used"
)


def _read_file(path: str | os.PathLike[str]) -> Cooccurrence:
    """Dispatch on the file suffix; refuse unknown suffixes and non-paths."""
    try:
        suffix = Path(path).suffix.lower()
    except TypeError:
        raise InvalidArgument.of("data", path, _VALID_DATA) from None
    reader = READERS.get(suffix)
    if reader is None:
        raise InvalidArgument.of("data", os.fspath(path), _VALID_DATA)
    return reader(path)


def _check_support(data: Cooccurrence) -> None:
    """Require at least one positive entry in every row and every column.

    A row or column of zeros gives its embedding vector no gradient at all, so
    it can only be a sign of a wrong input or a too-large vocabulary.
    """
    if not (data.counts > 0).any():
        # No choice of words can help here, so none is suggested.
        raise DataError(
            f"{data.source}: every entry is zero; expected co-occurrence counts "
            "with positive entries"
        )
    for axis, labels, kind in ((1, data.rows, "row"), (0, data.columns, "column")):
        positive = (data.counts > 0).any(axis=axis)
        if not positive.all():
            label = labels[int((~positive).argmax())]
            raise DataError(
                f"{data.source}: {kind} {label!r} has no positive entry; expected "
                f"every {kind} to co-occur at least once (a smaller vocab_size, "
                "which keeps the heaviest words, may help)"
            )


def load(
    path: str | os.PathLike[str] | None,
    vocab_size: int | None = None,
    window: int = 10,
) -> Cooccurrence:
    """Load a co-occurrence matrix from the built-in corpus or a file.

    Parameters
    ----------
    path
        ``None`` for :func:`builtin_cooccurrence`; otherwise a file whose suffix
        picks the reader: ``.bin`` (GloVe), ``.mtx``/``.mm`` (Matrix Market) or
        ``.npy`` (NumPy).  Suffixes are case-insensitive.  Error messages call
        this argument ``data``, as the command line does.
    vocab_size
        For the corpus, the vocabulary size (default 40).  For a file, if given,
        keep only this many heaviest rows and columns (see
        :meth:`Cooccurrence.restrict`).
    window
        Co-occurrence window for the corpus, ``>= 1``; checked but unused for
        files, whose counts are already made.

    Returns
    -------
    Cooccurrence
        Shape ``(m, n)``, finite, non-negative, with a positive entry in every
        row and column.

    Raises
    ------
    InvalidArgument
        If the suffix is unknown, ``vocab_size`` or ``window`` is not an integer
        ``>= 1``, or ``vocab_size`` exceeds a file matrix's smaller dimension.
    DataError
        If the file is missing or unusable, or a kept row or column is all zero.
    """
    window = positive_int("window", window)
    if vocab_size is not None:
        vocab_size = positive_int("vocab_size", vocab_size)
    if path is None:
        size = DEFAULT_VOCAB_SIZE if vocab_size is None else vocab_size
        data = builtin_cooccurrence(size, window)
    else:
        data = _read_file(path)
        if vocab_size is not None:
            data = _restrict(data, vocab_size)
    _check_support(data)
    logger.debug("loaded %s: shape %s, sha256 %s", data.source, data.shape, data.sha256)
    return data


def _restrict(data: Cooccurrence, vocab_size: int) -> Cooccurrence:
    """Apply ``restrict`` with the error message phrased for ``vocab_size``."""
    limit = min(data.shape)
    if vocab_size > limit:
        raise InvalidArgument.of(
            "vocab_size",
            vocab_size,
            f"an integer in [1, {limit}], the smaller dimension of the "
            f"{data.shape[0]} x {data.shape[1]} matrix in {data.source}",
        )
    return data.restrict(vocab_size)
