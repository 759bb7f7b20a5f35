"""The suite's default real input: co-occurrences of the stdlib corpus."""

from __future__ import annotations

import hashlib
import platform

from orthoproof.data.cooccurrence import Cooccurrence
from orthoproof.data.corpus import stdlib_corpus, tokenise
from orthoproof.data.counting import count_cooccurrence

__all__ = ["builtin_cooccurrence"]


def builtin_cooccurrence(vocab_size: int = 40, window: int = 10) -> Cooccurrence:
    """Count co-occurrences in the docstrings of the running interpreter's stdlib.

    The pipeline is :func:`stdlib_corpus`, then :func:`tokenise`, then
    :func:`count_cooccurrence`.  It needs no files or network, and is the same on
    every run of the same Python release.

    Parameters
    ----------
    vocab_size
        Number of most frequent words kept, ``>= 1``.
    window
        Largest distance counted, ``>= 1``.

    Returns
    -------
    Cooccurrence
        Symmetric, shape ``(vocab_size, vocab_size)``, rows and columns labelled
        by word; ``sha256`` is the digest of the corpus text in UTF-8 and
        ``source`` names the Python implementation and version.

    Raises
    ------
    InvalidArgument
        If ``vocab_size`` or ``window`` is not an integer ``>= 1``.
    DataError
        If ``vocab_size`` exceeds the number of distinct words in the corpus.
    """
    text = stdlib_corpus()
    # "surrogatepass" only matters if a docstring ever holds a lone surrogate
    # escape; for ordinary text it is plain UTF-8.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    source = (
        f"stdlib docstrings ({platform.python_implementation()} "
        f"{platform.python_version()})"
    )
    return count_cooccurrence(
        tokenise(text), vocab_size, window, source=source, sha256=digest
    )
