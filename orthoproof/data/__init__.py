"""Real co-occurrence inputs, available offline.

The default input is :func:`builtin_cooccurrence`: windowed co-occurrence counts
of the words in the docstrings of the running interpreter's standard library.
Files can be read instead: GloVe's binary ``cooccur.bin`` records, Matrix Market
text, or NumPy ``.npy`` arrays; :func:`load` picks the right one.  Every path
produces a checked, immutable :class:`Cooccurrence`.
"""

from __future__ import annotations

from orthoproof.data.builtin import builtin_cooccurrence
from orthoproof.data.cooccurrence import Cooccurrence
from orthoproof.data.corpus import stdlib_corpus, tokenise
from orthoproof.data.counting import count_cooccurrence
from orthoproof.data.loading import load
from orthoproof.data.matrix_market import read_matrix_market
from orthoproof.data.readers import read_glove_bin, read_npy
from orthoproof.data.weights import glove_weights

__all__ = [
    "Cooccurrence",
    "builtin_cooccurrence",
    "count_cooccurrence",
    "glove_weights",
    "load",
    "read_glove_bin",
    "read_matrix_market",
    "read_npy",
    "stdlib_corpus",
    "tokenise",
]
