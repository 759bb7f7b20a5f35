"""The co-occurrence matrix every layer of the suite factorises."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orthoproof.data.validation import as_count_matrix, positive_int
from orthoproof.errors import InvalidArgument

__all__ = ["Cooccurrence"]


# ``eq=False``: the generated ``__eq__`` and ``__hash__`` would compare and hash
# the array, which NumPy refuses to do; identity semantics are the honest choice.
@dataclass(frozen=True, eq=False)
class Cooccurrence:
    """A word-by-context co-occurrence matrix with its labels and provenance.

    Construction copies ``counts`` to float64, checks it, and makes the copy
    read-only, so an instance really is immutable.

    Parameters
    ----------
    counts
        Shape ``(m, n)``, float64, finite and ``>= 0``; ``counts[i, j]`` is the
        (weighted) number of times context ``j`` occurred near word ``i``.
    rows
        ``m`` labels: the words, or ``"1"``, ``"2"``, ... for file inputs.
    columns
        ``n`` labels.
    source
        Human description of the input, e.g. a file path or
        ``"stdlib docstrings (Python 3.11.7)"``.
    sha256
        Hex digest of the input itself (corpus text or file bytes), not of
        ``counts``; :meth:`restrict` keeps it.

    Raises
    ------
    DataError
        If ``counts`` is empty, not 2-D, or holds NaN, infinite or negative
        values.
    InvalidArgument
        If the number of labels does not match the shape.
    """

    counts: np.ndarray
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    source: str
    sha256: str

    def __post_init__(self) -> None:
        counts = as_count_matrix(self.counts, self.source)
        counts.setflags(write=False)
        # A frozen dataclass may only be changed through object.__setattr__.
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "columns", tuple(self.columns))
        m, n = counts.shape
        if len(self.rows) != m:
            raise InvalidArgument.of(
                "rows", f"<{len(self.rows)} labels>", f"{m} labels, one per row"
            )
        if len(self.columns) != n:
            raise InvalidArgument.of(
                "columns",
                f"<{len(self.columns)} labels>",
                f"{n} labels, one per column",
            )

    @property
    def shape(self) -> tuple[int, int]:
        """The matrix shape ``(m, n)``."""
        m, n = self.counts.shape
        return m, n

    def restrict(self, size: int) -> Cooccurrence:
        """Keep the ``size`` heaviest rows and the ``size`` heaviest columns.

        Rows are ranked by their sums and columns by theirs, each independently;
        the kept ones are ordered by decreasing total, ties by original index.

        Parameters
        ----------
        size
            How many rows and columns to keep, ``1 <= size <= min(m, n)``.

        Returns
        -------
        Cooccurrence
            Shape ``(size, size)``, with the matching labels and the same
            ``source`` and ``sha256``.

        Raises
        ------
        InvalidArgument
            If ``size`` is not an integer in ``[1, min(m, n)]``.
        """
        size = positive_int("size", size)
        if size > min(self.shape):
            raise InvalidArgument.of(
                "size",
                size,
                f"an integer in [1, {min(self.shape)}] for a {self.shape} matrix",
            )
        row_order = _heaviest(self.counts.sum(axis=1), size)
        column_order = _heaviest(self.counts.sum(axis=0), size)
        return Cooccurrence(
            counts=self.counts[np.ix_(row_order, column_order)],
            rows=tuple(self.rows[i] for i in row_order),
            columns=tuple(self.columns[j] for j in column_order),
            source=self.source,
            sha256=self.sha256,
        )


def _heaviest(totals: np.ndarray, size: int) -> np.ndarray:
    """Indices of the ``size`` largest totals, by decreasing total then index.

    Parameters
    ----------
    totals
        Shape ``(k,)``, non-negative.
    size
        How many indices to return, ``<= k``.

    Returns
    -------
    numpy.ndarray
        Shape ``(size,)``, int64.
    """
    # A stable sort of the negated totals keeps equal totals in index order.
    return np.argsort(-totals, kind="stable")[:size]
