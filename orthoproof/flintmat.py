"""High-precision floats held in python-flint matrices, for speed.

:class:`FlintBackend` runs the same model and optimiser code as every other
backend, but its arrays are :class:`FlintArray`: one ``arb_mat`` per array, so
sums, scalar products and above all matrix products run in FLINT's C code
instead of one Python call per entry, as numpy object arrays of ``mpfr`` do.

The numbers are used as points. FLINT carries a radius with every entry, but
only midpoints are ever read (entries, floats, comparisons), and the midpoint
of each operation is what floating point at ``prec`` bits gives; so this is a
floating-point system like :class:`~orthoproof.backends.MpfrBackend`, whose
results it matches to about 2^-prec. The radii are not enclosures (inputs and
comparisons are taken at midpoints), and dropping them after every operation
cost more than carrying them (``mid()`` of a 100×100 matrix takes about as
long as subtracting one). Certified enclosures stay with
:class:`~orthoproof.backends.ArbBackend`.

Entrywise products, quotients and functions have no C routine in python-flint;
they map over the entries in Python, and cost more than on object arrays. The
backend pays off where matrix products dominate: large factor pairs, plain
gradient methods. :mod:`orthoproof.nfloat` is faster in both respects (inline
words, no radii, entrywise work in C); this backend keeps to python-flint's
public API.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self

import flint
import numpy as np

from orthoproof.backends import (
    PrecisionBackend,
    _as_fraction,
    check_threads,
    numpy_function_guard,
)
from orthoproof.matrix_shapes import broadcast_shape, storage_shape

__all__ = ["FlintArray", "FlintBackend"]

_Shape = tuple[int, ...]


#: Entries up to which a result's radii are dropped at once. Small matrices
#: (parameters, k×k elements) feed many products, which run faster on exact
#: midpoints; for a large m×n residual the ``mid()`` itself costs as much as a
#: subtraction, so its radii are carried until someone reads a midpoint.
_DROP_RADII_BELOW = 4096


def _array(mat: Any, shape: _Shape, uniform: Any = None) -> FlintArray:
    """An operation's result: small matrices as points, large ones as returned."""
    if shape[0] * (shape[1] if len(shape) == 2 else 1) < _DROP_RADII_BELOW:
        mat = mat.mid()
    return FlintArray(mat, shape, uniform)


def _point(x: Any) -> Any:
    """The midpoint of a ball or a matrix of balls (radius exactly zero)."""
    return x.mid()


class FlintArray:
    """A 1-D or 2-D array of high-precision points in one ``arb_mat``.

    Supports what the models and optimisers use: ``+ - * /`` with scalars and
    with arrays of the same or a broadcastable shape (``b[:, None]``,
    ``c[None, :]``), ``@``, ``.T``, ``.sum(axis=...)`` and ``** int``.
    Anything else raises :class:`TypeError` rather than falling back to
    float64 behind the caller's back.
    """

    __slots__ = ("_entries", "mat", "shape", "uniform")
    __array_ufunc__ = None  # numpy must defer to us, never coerce to float
    __array_function__ = numpy_function_guard

    def __init__(self, mat: Any, shape: _Shape, uniform: Any = None) -> None:
        self.mat = mat
        self.shape = shape
        #: the common value when every entry is equal (products become scalar)
        self.uniform = uniform
        self._entries: list[Any] | None = None

    # --- views -----------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1] if len(self.shape) == 2 else self.shape[0]

    @property
    def T(self) -> FlintArray:
        if self.ndim == 1:
            return self
        return _PendingTranspose(self)

    def __getitem__(self, key: Any) -> FlintArray:
        # Only the two broadcasting views GloVe's biases use: v[:, None], v[None, :].
        full = slice(None)
        if self.ndim == 1 and key == (full, None):
            return FlintArray(self.mat, (self.shape[0], 1), self.uniform)
        if self.ndim == 1 and key == (None, full):
            return FlintArray(self.mat.transpose(), (1, self.shape[0]), self.uniform)
        raise TypeError(
            f"FlintArray supports only v[:, None] and v[None, :], not {key}"
        )

    def entries(self) -> list[Any]:
        """Row-major entries as ``arb`` points (cached: arrays never change)."""
        if self._entries is None:
            self._entries = self.mat.mid().entries()
        return self._entries

    def __repr__(self) -> str:
        return f"FlintArray(shape={self.shape}, prec={flint.ctx.prec})"

    # --- arithmetic --------------------------------------------------------------
    def __neg__(self) -> FlintArray:
        u = None if self.uniform is None else -self.uniform
        return FlintArray(-self.mat, self.shape, u)

    def __add__(self, other: Any) -> FlintArray:
        return _linear(self, other, 1)

    def __radd__(self, other: Any) -> FlintArray:
        return _linear(self, other, 1)

    def __sub__(self, other: Any) -> FlintArray:
        return _linear(self, other, -1)

    def __rsub__(self, other: Any) -> FlintArray:
        return -_linear(self, other, -1)

    def __mul__(self, other: Any) -> FlintArray:
        return _product(self, other, lambda a, b: a * b)

    def __rmul__(self, other: Any) -> FlintArray:
        return _product(self, other, lambda a, b: b * a)

    def __truediv__(self, other: Any) -> FlintArray:
        if _is_scalar(other):
            return _array(self.mat / other, self.shape, _div(self.uniform, other))
        return _entrywise(lambda a, b: a / b, self, other)

    def __rtruediv__(self, other: Any) -> FlintArray:
        return _entrywise(lambda a, b: b / a, self, other)

    def __pow__(self, power: Any) -> FlintArray:
        if not isinstance(power, int):
            return NotImplemented
        return _entrywise(lambda a: a**power, self)

    def __matmul__(self, other: Any) -> FlintArray:
        if not isinstance(other, FlintArray) or self.ndim != 2:
            return NotImplemented
        if type(other) is _PendingTranspose and other.pending(4 * self.size):
            # x @ yᵀ = (y @ xᵀ)ᵀ: y is never transposed, only x and the result.
            out = (other.source.mat * self.mat.transpose()).transpose()
            return _array(out, (self.shape[0], other.shape[1]))
        if other.ndim == 1:
            return _array(self.mat * other.mat, (self.shape[0],))
        return _array(self.mat * other.mat, (self.shape[0], other.shape[1]))

    def sum(self, axis: int | None = None) -> Any:
        rows, cols = storage_shape(self.shape)
        if axis is None:
            total = _ones(1, rows) * self.mat * _ones(cols, 1)
            return _point(total[0, 0])
        if self.ndim != 2 or axis not in (0, 1, -1, -2):
            raise TypeError(f"FlintArray.sum: axis {axis} of shape {self.shape}")
        if axis in (1, -1):
            return _array(self.mat * _ones(cols, 1), (rows,))
        return _array((_ones(1, rows) * self.mat).transpose(), (cols,))


#: The ``mat`` slot of FlintArray, for the pending transpose to fill in.
_MAT = FlintArray.__dict__["mat"]


class _PendingTranspose(FlintArray):
    """``source.T``, formed only when its entries are needed.

    The gradient ``B @ G.T`` of an m×n residual ``G`` then runs as
    ``(G @ B.T).T``, transposing two k×m factors instead of the m×n residual.
    Ordinary arrays keep ``mat`` as a plain slot, so only this view pays for
    the indirection.
    """

    __slots__ = ("source",)

    def __init__(self, source: FlintArray) -> None:
        rows, cols = source.shape
        super().__init__(None, (cols, rows), source.uniform)
        self.source = source

    def pending(self, at_least: int) -> bool:
        """Not yet formed, and large enough (``at_least`` entries) to avoid."""
        return _MAT.__get__(self) is None and self.size >= max(1000, at_least)

    @property  # type: ignore[override]
    def mat(self) -> Any:
        formed = _MAT.__get__(self)
        if formed is None:
            formed = self.source.mat.transpose()
            _MAT.__set__(self, formed)
        return formed

    @mat.setter
    def mat(self, value: Any) -> None:
        _MAT.__set__(self, value)


def _is_scalar(value: Any) -> bool:
    return type(value) is flint.arb or isinstance(value, flint.arb | numbers.Number)


def _div(u: Any, v: Any) -> Any:
    return None if u is None else u / v


def _ones(rows: int, cols: int) -> Any:
    return flint.arb_mat(rows, cols, [1] * (rows * cols))


def _broadcast(x: FlintArray, shape: _Shape) -> Any:
    """``x`` as an ``arb_mat`` of ``shape`` by numpy's broadcasting rules."""
    if x.shape == shape:
        return x.mat
    rows, cols = storage_shape(shape)
    if x.shape == (rows, 1) and len(shape) == 2:
        return x.mat * _ones(1, cols)  # an outer product with ones: exact
    if x.shape in ((1, cols), (cols,)) and len(shape) == 2:
        column = x.mat if x.ndim == 1 else x.mat.transpose()
        return _ones(rows, 1) * column.transpose()
    raise ValueError(f"shapes {x.shape} and {shape} do not broadcast")


def _linear(x: FlintArray, other: Any, sign: int) -> FlintArray:
    """``x + sign·other`` entry by entry, in C."""
    if _is_scalar(other):
        ones = _ones(*storage_shape(x.shape))
        mat = x.mat + ones * other if sign > 0 else x.mat - ones * other
        return _array(mat, x.shape)
    if not isinstance(other, FlintArray):
        return NotImplemented
    shape = broadcast_shape(x.shape, other.shape)
    left, right = _broadcast(x, shape), _broadcast(other, shape)
    mat = left + right if sign > 0 else left - right
    return _array(mat, shape)


def _product(x: FlintArray, other: Any, op: Callable[[Any, Any], Any]) -> FlintArray:
    """Entrywise product; by a scalar (or a uniform array) it runs in C."""
    if _is_scalar(other):
        return _array(x.mat * other, x.shape)
    if not isinstance(other, FlintArray):
        return NotImplemented
    shape = broadcast_shape(x.shape, other.shape)
    # A uniform factor (GloVe's weights saturate, a plain model's are all 1)
    # scales in C; a factor of exactly 1 is no work at all.
    for a, b in ((x, other), (other, x)):
        if b.uniform is not None and shape == a.shape:
            return a if b.uniform == 1 else _array(a.mat * b.uniform, shape)
    return _entrywise(op, x, other)


def _entrywise(fn: Callable[..., Any], *arrays: Any) -> FlintArray:
    """Apply a scalar function entry by entry (Python speed), with broadcasting."""
    first = arrays[0]
    shape = first.shape
    for other in arrays[1:]:
        if isinstance(other, FlintArray):
            shape = broadcast_shape(shape, other.shape)
        elif not _is_scalar(other):
            return NotImplemented  # type: ignore[return-value]
    columns = []
    for a in arrays:
        if isinstance(a, FlintArray):
            same = a.shape == shape
            columns.append(a.entries() if same else _broadcast(a, shape).entries())
        else:
            columns.append(None)
    count = int(np.prod(shape))
    scalars = [a if not isinstance(a, FlintArray) else None for a in arrays]
    values = [
        fn(
            *(
                col[i] if col is not None else s
                for col, s in zip(columns, scalars, strict=True)
            )
        )
        for i in range(count)
    ]
    rows, cols = storage_shape(shape)
    return _array(flint.arb_mat(rows, cols, values), shape)


class FlintBackend(PrecisionBackend):
    """Floating point at ``prec`` bits on python-flint matrices (C-level ``@``).

    ``threads`` is how many threads FLINT may use inside a matrix product. The
    default, every core, is what numpy's OpenBLAS does for float64; on a busy
    shared machine one thread can be faster, and the bench shows both.
    """

    name = "flint"

    def __init__(self, prec: int, threads: int | None = None) -> None:
        super().__init__(prec)
        self.threads = check_threads(threads)
        self._strings: dict[str, Any] = {}

    @classmethod
    def from_dps(cls, dps: int, threads: int | None = None) -> Self:
        backend = super().from_dps(dps)
        return cls(backend.prec, threads)

    @contextlib.contextmanager
    def context(self) -> Iterator[None]:  # type: ignore[override]
        # FLINT's precision and thread count are both global: set, then restore.
        saved = flint.ctx.threads
        flint.ctx.threads = self.threads
        try:
            with flint.ctx.workprec(self.prec):
                yield
        finally:
            flint.ctx.threads = saved

    def number(self, value: Any) -> Any:
        if isinstance(value, flint.arb):
            return _point(value)
        if isinstance(value, str):
            # Hyperparameters arrive as decimal strings on every step.
            cached = self._strings.get(value)
            if cached is None:
                cached = self._strings[value] = self._convert(value)
            return cached
        return self._convert(value)

    def _convert(self, value: Any) -> Any:
        q = _as_fraction(value)
        with self.context():
            return _point(flint.arb(flint.fmpq(q.numerator, q.denominator)))

    def asarray(self, values: Any) -> Any:  # a FlintArray, not an ndarray
        if isinstance(values, FlintArray):
            return values
        source = np.asarray(values, dtype=object)
        shape: _Shape = tuple(int(s) for s in source.shape)
        rows, cols = storage_shape(shape)
        flat = [self.number(v) for v in source.reshape(-1)]
        mat = flint.arb_mat(rows, cols, flat) if flat else flint.arb_mat(rows, cols)
        uniform = flat[0] if flat and all(v == flat[0] for v in flat) else None
        out = FlintArray(mat, shape, uniform)
        out._entries = flat
        return out

    def full(self, shape: Sequence[int], value: Any) -> Any:
        shape = tuple(int(s) for s in shape)
        rows, cols = storage_shape(shape)
        v = self.number(value)
        with self.context():
            mat = _point(_ones(rows, cols) * v)
        return FlintArray(mat, shape, v)

    def zeros(self, shape: Sequence[int]) -> Any:
        return self.full(shape, 0)

    def sqrt(self, x: Any) -> Any:
        return self._map(lambda v: v.sqrt(), x)

    def abs(self, x: Any) -> Any:
        return self._map(abs, x)

    def sign(self, x: Any) -> Any:
        return self._map(lambda v: flint.arb((v > 0) - (v < 0)), x)

    def clip(self, x: Any, bound: Any) -> Any:
        b = self._bound(bound)
        return self._map(lambda v: b if v > b else (-b if v < -b else v), x)

    def _map(self, fn: Callable[[Any], Any], x: Any) -> Any:
        # Entries are points (radius 0), so the comparisons above are decided.
        if isinstance(x, FlintArray):
            return _entrywise(fn, x)
        return _point(fn(x))

    def to_float(self, x: Any) -> Any:
        if isinstance(x, FlintArray):
            flat = np.array([float(v) for v in x.entries()], dtype=float)
            return flat.reshape(x.shape)
        if isinstance(x, np.ndarray):
            return np.vectorize(float, otypes=[float])(x)
        return float(x)
