"""The nfloat backend: fixed-word floating point in FLINT, for speed.

At 50 digits an ``arb`` or ``mpfr`` number is three words held through a
pointer, and every operation pays for an allocation and, for ``arb``, a
radius. FLINT's ``nfloat`` keeps the words inline and its vector and matrix
routines are written for such precisions; a gradient step on a 10×10 factor
pair is then a dozen C calls, not hundreds of Python ones.

The price is that precision comes in whole words: ``prec`` is rounded up to a
multiple of 64 bits, and the backend reports the precision it really carries
(``from_dps(50)`` works at 192 bits, 57 digits). Atomic operations are within
a unit or two in the last place (FLINT documents this), not always correctly
rounded as mpfr's are; for a trajectory whose deviation is read against
precision, that is the same number system. Scalars (sums, norms, bias
corrections) are gmpy2 ``mpfr`` at the same precision.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from typing import Any, Self

import flint
import gmpy2
import numpy as np

from orthoproof.backends import PrecisionBackend, check_threads
from orthoproof.errors import InvalidArgument
from orthoproof.nfloat import array, functions, scalars
from orthoproof.nfloat.array import NfloatArray
from orthoproof.nfloat.library import MAX_LIMBS, context

__all__ = ["NfloatBackend"]


class NfloatBackend(PrecisionBackend):
    """Floating point of ``ceil(prec / 64)`` words on FLINT's nfloat matrices.

    ``threads`` is how many threads FLINT may use inside a matrix product
    (FLINT's setting is global: it is set inside :meth:`context` and restored).
    """

    name = "nfloat"

    def __init__(self, prec: int, threads: int | None = None) -> None:
        super().__init__(prec)
        limbs = math.ceil(prec / 64)
        if limbs > MAX_LIMBS:
            raise InvalidArgument.of(
                "prec", prec, f"at most {64 * MAX_LIMBS} bits (FLINT's nfloat limit)"
            )
        threads = check_threads(threads)
        self.requested = prec
        self.prec = 64 * limbs  # what is carried, and so what is reported
        self.threads = threads
        self.ctx = context(limbs)
        self._strings: dict[str, Any] = {}

    @classmethod
    def from_dps(cls, dps: int, threads: int | None = None) -> Self:
        return cls(super().from_dps(dps).requested, threads)

    @contextlib.contextmanager
    def context(self) -> Iterator[None]:  # type: ignore[override]
        # Scalars are mpfr: their precision is gmpy2's context. FLINT's thread
        # count is global: set, then restored.
        saved = flint.ctx.threads
        flint.ctx.threads = self.threads
        try:
            with gmpy2.context(gmpy2.get_context(), precision=self.prec):
                yield
        finally:
            flint.ctx.threads = saved

    def number(self, value: Any) -> Any:
        if isinstance(value, str):
            # Hyperparameters arrive as decimal strings on every step.
            cached = self._strings.get(value)
            if cached is None:
                cached = self._strings[value] = scalars.scalar_of(self.ctx, value)
            return cached
        return scalars.scalar_of(self.ctx, value)

    def asarray(self, values: Any) -> Any:  # an NfloatArray, not an ndarray
        if isinstance(values, NfloatArray):
            return values
        source = np.asarray(values)
        shape = tuple(int(s) for s in source.shape)
        if len(shape) not in (1, 2):
            raise InvalidArgument.of("values", f"array of shape {shape}", "1-D or 2-D")
        if source.dtype.kind in "fiub" and (
            source.dtype.kind == "f" or np.all(np.abs(source) < 2**53)
        ):
            return array.from_floats(self.ctx, source.astype(float), shape)
        flat = np.asarray(values, dtype=object).reshape(-1).tolist()
        return array.from_values(self.ctx, flat, shape)

    def full(self, shape: Sequence[int], value: Any) -> Any:
        return array.full(self.ctx, array.check_shape(shape), self.number(value))

    def zeros(self, shape: Sequence[int]) -> Any:
        return self.full(shape, 0)

    def sqrt(self, x: Any) -> Any:
        return functions.sqrt(x) if isinstance(x, NfloatArray) else gmpy2.sqrt(x)

    def abs(self, x: Any) -> Any:
        return functions.absolute(x) if isinstance(x, NfloatArray) else abs(x)

    def sign(self, x: Any) -> Any:
        if isinstance(x, NfloatArray):
            return functions.sign(x)
        return self.number((x > 0) - (x < 0))

    def clip(self, x: Any, bound: Any) -> Any:
        b = self._bound(bound)
        if isinstance(x, NfloatArray):
            return functions.clip(x, b)
        return self._clip(x, b)

    def to_float(self, x: Any) -> Any:
        if isinstance(x, NfloatArray):
            return x.to_float()
        if isinstance(x, np.ndarray):
            return np.vectorize(float, otypes=[float])(x)
        return float(x)
