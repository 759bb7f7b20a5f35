"""Windowed co-occurrence counting, as GloVe's ``cooccur`` tool does it."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from orthoproof.data.cooccurrence import Cooccurrence
from orthoproof.data.validation import positive_int
from orthoproof.errors import DataError

__all__ = ["VocabularyTooLarge", "count_cooccurrence"]


class VocabularyTooLarge(DataError):
    """More words were asked for than the tokens hold (a setting, not a file fault)."""

    def __init__(self, requested: int, available: int) -> None:
        super().__init__(
            f"vocab_size={requested} exceeds the {available} distinct tokens "
            f"available; expected vocab_size <= {available}"
        )
        self.requested, self.available = requested, available


def _vocabulary(tokens: Sequence[str], vocab_size: int) -> list[str]:
    """Pick the ``vocab_size`` most frequent tokens.

    Parameters
    ----------
    tokens
        The token stream, length ``n_tokens``.
    vocab_size
        How many distinct tokens to keep.

    Returns
    -------
    list of str
        The vocabulary, most frequent first, equal counts in alphabetical order.

    Raises
    ------
    DataError
        If there are no tokens, or fewer distinct tokens than ``vocab_size``.
    """
    frequencies = Counter(tokens)
    if not frequencies:
        raise DataError(
            "tokens: the token sequence is empty, so the vocabulary would be "
            "empty; expected at least one token"
        )
    if vocab_size > len(frequencies):
        raise VocabularyTooLarge(vocab_size, len(frequencies))
    ranked = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ranked[:vocab_size]]


def _token_ids(tokens: Sequence[str], vocabulary: list[str]) -> np.ndarray:
    """Map each token to its vocabulary index, or -1 if out of vocabulary.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_tokens,)``, int64.
    """
    index = {word: i for i, word in enumerate(vocabulary)}
    return np.fromiter(
        (index.get(token, -1) for token in tokens), dtype=np.int64, count=len(tokens)
    )


def _forward_counts(ids: np.ndarray, size: int, window: int) -> np.ndarray:
    """Weighted counts of vocabulary pairs (earlier word, later word).

    Parameters
    ----------
    ids
        Shape ``(n_tokens,)``, vocabulary indices with -1 for unknown tokens.
    size
        Vocabulary size ``V``.
    window
        Largest distance counted.

    Returns
    -------
    numpy.ndarray
        Shape ``(V, V)``, float64; entry ``[a, b]`` sums ``1/d`` over the pairs
        of positions ``i < j = i + d <= i + window`` holding words ``a`` and
        ``b``.
    """
    forward = np.zeros(size * size, dtype=np.float64)
    # One vectorised pass per distance: the positions are shifted against
    # themselves, so unknown tokens still occupy their place and count towards
    # the distance, exactly as in a loop over the raw text.
    for distance in range(1, min(window, len(ids) - 1) + 1):
        left, right = ids[:-distance], ids[distance:]
        known = (left >= 0) & (right >= 0)
        pairs = left[known] * size + right[known]
        # Integer tallies first, one division per distance: fewer rounding
        # steps than adding 1/d once per pair.
        forward += np.bincount(pairs, minlength=size * size) / distance
    return forward.reshape(size, size)


def count_cooccurrence(
    tokens: Sequence[str],
    vocab_size: int,
    window: int = 10,
    source: str = "tokens",
    sha256: str | None = None,
) -> Cooccurrence:
    """Count symmetric, distance-weighted co-occurrences within a window.

    The vocabulary is the ``vocab_size`` most frequent tokens (equal counts in
    alphabetical order), and it labels both rows and columns in that order.  For
    every position ``i`` and every ``j`` in ``i+1 .. i+window`` where both tokens
    are in the vocabulary, ``1/(j-i)`` is added to ``X[w_i, w_j]`` and to
    ``X[w_j, w_i]``, as GloVe's ``cooccur`` does with a symmetric window.  So a
    word next to itself adds ``2/d`` to its diagonal entry, and distances count
    every token, including out-of-vocabulary ones.

    Parameters
    ----------
    tokens
        The token stream, length ``n_tokens``, e.g. from :func:`tokenise`.
    vocab_size
        Number of words kept, ``>= 1`` and at most the number of distinct tokens.
    window
        Largest distance counted, ``>= 1``.
    source
        Description recorded in the result.
    sha256
        Digest of the input recorded in the result; by default, the SHA-256 of
        the tokens joined by newlines and encoded as UTF-8 (lone surrogates
        passed through).

    Returns
    -------
    Cooccurrence
        Symmetric counts of shape ``(vocab_size, vocab_size)``.

    Raises
    ------
    InvalidArgument
        If ``vocab_size`` or ``window`` is not an integer ``>= 1``.
    DataError
        If ``tokens`` is empty or has fewer than ``vocab_size`` distinct tokens.
    """
    vocab_size = positive_int("vocab_size", vocab_size)
    window = positive_int("window", window)
    vocabulary = _vocabulary(tokens, vocab_size)
    forward = _forward_counts(_token_ids(tokens, vocabulary), vocab_size, window)
    if sha256 is None:
        text = "\n".join(tokens)
        sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Cooccurrence(
        counts=forward + forward.T,
        rows=tuple(vocabulary),
        columns=tuple(vocabulary),
        source=source,
        sha256=sha256,
    )
