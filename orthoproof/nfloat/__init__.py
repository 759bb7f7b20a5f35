"""High-precision arrays on FLINT's ``nfloat`` numbers (see :mod:`.backend`).

:mod:`.library` finds FLINT and declares its routines; :mod:`.scalars`
moves single numbers between mpfr and nfloat words; :mod:`.array` holds the
arrays and their arithmetic, :mod:`.functions` their entrywise functions;
:mod:`.backend` is the :class:`Backend` the models and optimisers run on.
"""

from orthoproof.nfloat.array import NfloatArray
from orthoproof.nfloat.backend import NfloatBackend

__all__ = ["NfloatArray", "NfloatBackend"]
