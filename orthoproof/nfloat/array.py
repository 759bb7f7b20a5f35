"""Arrays of nfloat numbers: one block of words each, operated on by FLINT.

:class:`NfloatArray` offers the small array language the models and
optimisers are written in (``+ - * /`` with scalars and broadcast biases,
``@``, ``.T``, axis sums, integer powers). Sums, products, quotients and
matrix products are single calls into FLINT over every entry at once.
Anything else raises :class:`TypeError` rather than falling back to float64
behind the caller's back. Scalars are :mod:`.scalars`'; square roots and the
other entrywise functions are in :mod:`.functions`. An array never changes
after it is made, so views (``v[:, None]``) share their parent's storage.
"""

from __future__ import annotations

import ctypes
import numbers
from typing import Any

import numpy as np

from orthoproof.backends import numpy_function_guard
from orthoproof.errors import InvalidArgument
from orthoproof.matrix_shapes import broadcast_shape, storage_shape
from orthoproof.nfloat.library import (
    EXP_NAN,
    EXP_ZERO,
    Context,
    MatrixHeader,
    check,
)
from orthoproof.nfloat.scalars import (
    decode_scalar,
    element,
    encode_scalar,
    exact_float,
    is_scalar,
    scalar_of,
)

__all__ = ["NfloatArray", "check_shape", "from_floats", "from_values", "full"]

_Shape = tuple[int, ...]


class _Matrix:
    """The entries of one array: a row-major block of nfloats Python owns.

    FLINT reads a matrix through a ``gr_mat`` header (entries pointer, rows,
    columns, stride: checked against FLINT's own when the context is made);
    only products and transposes need one, so it is packed on first use.
    Vector operations take the block's address directly.
    """

    __slots__ = ("_header", "cols", "ctx", "data", "entries", "rows")

    def __init__(self, ctx: Context, rows: int, cols: int) -> None:
        self.ctx, self.rows, self.cols = ctx, rows, cols
        # Every constructor writes every entry before anything reads it.
        self.data = (ctypes.c_char * max(1, rows * cols * ctx.size))()
        self.entries = ctypes.addressof(self.data)
        self._header: Any = None

    @property
    def ptr(self) -> Any:
        """A ``gr_mat`` header describing these entries (FLINT takes it by address)."""
        if self._header is None:
            self._header = MatrixHeader(self.entries, self.rows, self.cols, self.cols)
        return self._header

    @property
    def count(self) -> int:
        return self.rows * self.cols

    def raw(self) -> bytes:
        """A copy of every entry's words, row-major."""
        return ctypes.string_at(self.entries, self.count * self.ctx.size)

    def write(self, data: bytes) -> None:
        if len(data) != self.count * self.ctx.size:
            raise ValueError("entry data of the wrong length")
        if data:
            ctypes.memmove(self.entries, data, len(data))

    def words(self) -> np.ndarray:
        """The entries' words as a (count, limbs + 2) int64 copy."""
        return np.frombuffer(self.raw(), dtype="<i8").reshape(
            self.count, self.ctx.limbs + 2
        )


def check_shape(shape: Any) -> _Shape:
    """A 1-D or 2-D shape of non-negative ints, or InvalidArgument naming it."""
    dims = tuple(shape) if isinstance(shape, tuple | list) else (shape,)
    whole = all(
        isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims
    )
    if not 1 <= len(dims) <= 2 or not whole or any(int(d) < 0 for d in dims):
        raise InvalidArgument.of("shape", shape, "one or two non-negative ints")
    return tuple(int(d) for d in dims)


def from_floats(ctx: Context, values: np.ndarray, shape: _Shape) -> NfloatArray:
    """A float64 array entered exactly, all entries at once with numpy.

    float64 ``m·2^e`` (``m`` in [0.5, 1), 53 bits) is an nfloat whose top
    mantissa word is ``m·2^64`` and whose other words are zero.
    """
    flat = np.ascontiguousarray(values, dtype=float).reshape(-1)
    if not np.all(np.isfinite(flat)):
        raise InvalidArgument.of("values", "array with NaN or inf", "finite numbers")
    fraction, exponent = np.frexp(flat)
    words = np.zeros((flat.size, ctx.limbs + 2), dtype="<u8")
    zero = flat == 0
    # frexp's exponents are int32, which cannot hold the zero code (-2^63).
    exponent = exponent.astype("<i8")
    words[:, 0] = np.where(zero, np.int64(EXP_ZERO), exponent).view("<u8")
    words[:, 1] = np.signbit(flat) & ~zero
    top = np.ldexp(np.abs(fraction), 53).astype("<u8") << np.uint64(11)
    words[:, -1] = np.where(zero, 0, top)
    out = _new(ctx, shape)
    out.mat.write(words.tobytes())
    if flat.size and np.all(flat == flat[0]):
        out.uniform = scalar_of(ctx, float(flat[0]))
    return out


def from_values(ctx: Context, values: list[Any], shape: _Shape) -> NfloatArray:
    """Any numbers (ints, Fractions, decimal strings, mpfr), each rounded once."""
    scalars = [scalar_of(ctx, v) for v in values]
    out = _new(ctx, shape)
    out.mat.write(b"".join(encode_scalar(ctx, v) for v in scalars))
    if scalars and all(v == scalars[0] for v in scalars):
        out.uniform = scalars[0]
    out._entries = scalars
    return out


def _new(ctx: Context, shape: _Shape) -> NfloatArray:
    rows, cols = storage_shape(shape)
    return NfloatArray(_Matrix(ctx, rows, cols), shape)


class NfloatArray:
    """A 1-D or 2-D array of nfloat numbers (see the module note)."""

    __slots__ = ("_entries", "_transpose", "ctx", "mat", "shape", "uniform")
    __array_ufunc__ = None  # numpy must defer to us, never coerce to float
    __hash__ = None  # type: ignore[assignment]  # no equality, so no hashing

    def __init__(self, mat: _Matrix, shape: _Shape, uniform: Any = None) -> None:
        self.mat = mat
        self.ctx = mat.ctx
        self.shape = shape
        #: the common value when every entry is equal (products become scalar)
        self.uniform = uniform
        self._entries: list[Any] | None = None
        self._transpose: NfloatArray | None = None

    __array_function__ = numpy_function_guard

    def __bool__(self) -> bool:
        raise TypeError("the truth value of an NfloatArray is not defined")

    def __eq__(self, other: object) -> bool:
        raise TypeError(
            "NfloatArray does not compare; compare backend.to_float(x) or x.entries()"
        )

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # The words are the value: pickles and deep copies carry them exactly.
        return _rebuild, (self.ctx.limbs, self.shape, self.mat.raw(), self.uniform)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return self.mat.count

    @property
    def T(self) -> NfloatArray:
        if self.ndim == 1:
            return self
        if self._transpose is None:
            out = _new(self.ctx, (self.shape[1], self.shape[0]))
            check(
                self.ctx.lib.gr_mat_transpose(out.mat.ptr, self.mat.ptr, self.ctx.ptr),
                "transpose",
            )
            out.uniform = self.uniform
            self._transpose = out
        return self._transpose

    def __getitem__(self, key: Any) -> NfloatArray:
        # Only the two broadcasting views GloVe's biases use: v[:, None], v[None, :].
        full = slice(None)
        if self.ndim == 1 and key == (full, None):
            return NfloatArray(self.mat, (self.shape[0], 1), self.uniform)
        if self.ndim == 1 and key == (None, full):
            row = _new(self.ctx, (1, self.shape[0]))
            row.mat.write(self.mat.raw())  # a column and a row share a layout
            row.uniform = self.uniform
            return row
        raise TypeError(
            f"NfloatArray supports only v[:, None] and v[None, :], not {key}"
        )

    def entries(self) -> list[Any]:
        """Row-major entries as mpfr numbers (cached: arrays never change)."""
        if self._entries is None:
            raw, size = self.mat.raw(), self.ctx.size
            self._entries = [
                decode_scalar(self.ctx, raw[i : i + size])
                for i in range(0, len(raw), size)
            ]
        return self._entries

    def to_float(self) -> np.ndarray:
        """float64 values (for reporting), each the nearest to its entry."""
        words = self.mat.words()
        exponent = words[:, 0]
        special = exponent < EXP_ZERO + 4
        top = words[:, -1].view("<u8")
        # Round the 64-bit top word to 53 bits, to nearest and ties to even;
        # the lower words only break ties (they are below the top word's last bit).
        kept, dropped = top >> np.uint64(11), top & np.uint64(0x7FF)
        below = np.any(words[:, 2:-1] != 0, axis=1)
        half = np.uint64(0x400)
        up = (dropped > half) | (
            (dropped == half) & (below | ((kept & np.uint64(1)) == 1))
        )
        mantissa = kept.astype(float) + up  # 2^53 after a carry is still exact
        scale = np.where(special, 0, exponent - 53).clip(-2000, 2000)
        # Outside float64's normal range the bits kept are fewer (subnormals)
        # or none (overflow): those entries are rounded once, exactly, below.
        rare = ~special & ((exponent < -1021) | (exponent > 1024))
        with np.errstate(over="ignore", under="ignore"):
            value = np.ldexp(mantissa, np.where(rare, 0, scale))
        value = np.where(words[:, 1] != 0, -value, value)
        for code, fill in (
            (EXP_ZERO, 0.0),
            (EXP_ZERO + 1, np.inf),
            (EXP_ZERO + 2, -np.inf),
            (EXP_NAN, np.nan),
        ):
            value = np.where(exponent == code, fill, value)
        for i in np.flatnonzero(rare):
            value[i] = exact_float(self.ctx, words[i].tobytes())
        return value.reshape(self.shape)

    def __repr__(self) -> str:
        return f"NfloatArray(shape={self.shape}, prec={self.ctx.prec})"

    # --- arithmetic --------------------------------------------------------------
    def __neg__(self) -> NfloatArray:
        out = _new(self.ctx, self.shape)
        lib, ctx = self.ctx.lib, self.ctx.ptr
        check(lib._gr_vec_neg(out.mat.entries, self.mat.entries, self.size, ctx), "neg")
        out.uniform = None if self.uniform is None else -self.uniform
        return out

    def __add__(self, other: Any) -> NfloatArray:
        return _binary(self, other, "add", swap=False)

    def __radd__(self, other: Any) -> NfloatArray:
        return _binary(self, other, "add", swap=True)

    def __sub__(self, other: Any) -> NfloatArray:
        return _binary(self, other, "sub", swap=False)

    def __rsub__(self, other: Any) -> NfloatArray:
        return _binary(self, other, "sub", swap=True)

    def __mul__(self, other: Any) -> NfloatArray:
        return _product(self, other, swap=False)

    def __rmul__(self, other: Any) -> NfloatArray:
        return _product(self, other, swap=True)

    def __truediv__(self, other: Any) -> NfloatArray:
        return _binary(self, other, "div", swap=False)

    def __rtruediv__(self, other: Any) -> NfloatArray:
        return _binary(self, other, "div", swap=True)

    def __pow__(self, power: Any) -> NfloatArray:
        if isinstance(power, bool) or not isinstance(power, numbers.Integral):
            return NotImplemented
        power = int(power)
        if power < 0:
            return 1 / self**-power
        result: NfloatArray | None = None
        base = self
        while power:
            if power & 1:
                result = base if result is None else result * base
            power >>= 1
            if power:
                base = base * base
        return result if result is not None else _binary(self * 0, 1, "add", swap=False)

    def __matmul__(self, other: Any) -> NfloatArray:
        if not isinstance(other, NfloatArray) or self.ndim != 2:
            return NotImplemented
        _same_context(self, other)
        if self.shape[1] != other.shape[0]:
            raise ValueError(f"shapes {self.shape} and {other.shape} do not multiply")
        rows, cols = self.shape[0], other.mat.cols
        out = NfloatArray(
            _Matrix(self.ctx, rows, cols),
            (rows,) if len(other.shape) == 1 else (rows, cols),
        )
        ctx = self.ctx
        check(
            ctx.lib.gr_mat_mul(out.mat.ptr, self.mat.ptr, other.mat.ptr, ctx.ptr),
            "matmul",
        )
        return out

    def sum(self, axis: int | None = None) -> Any:
        ctx = self.ctx
        if axis is None:
            total = ctypes.create_string_buffer(ctx.size)
            check(
                ctx.lib._gr_vec_sum(total, self.mat.entries, self.size, ctx.ptr), "sum"
            )
            return decode_scalar(ctx, total.raw)
        if self.ndim != 2 or axis not in (0, 1, -1, -2):
            raise TypeError(f"NfloatArray.sum: axis {axis} of shape {self.shape}")
        rows, cols = self.shape
        if axis in (1, -1):
            return self @ _ones(ctx, cols)
        return self.T @ _ones(ctx, rows)


def _ones(ctx: Context, n: int) -> NfloatArray:
    return from_floats(ctx, np.ones(n), (n,))


def _broadcast(x: NfloatArray, shape: _Shape) -> NfloatArray:
    """``x`` with numpy's broadcasting to ``shape``, by copying entry words."""
    if x.shape == shape:
        return x
    rows, cols = storage_shape(shape)
    raw, size = x.mat.raw(), x.ctx.size
    if x.size == 1:
        data = raw * (rows * cols)
    elif x.shape == (rows, 1) and len(shape) == 2:
        data = b"".join(raw[i : i + size] * cols for i in range(0, len(raw), size))
    elif x.shape in ((1, cols), (cols,)) and len(shape) == 2:
        data = raw * rows
    else:
        raise ValueError(f"shapes {x.shape} and {shape} do not broadcast")
    out = _new(x.ctx, shape)
    out.mat.write(data)
    out.uniform = x.uniform
    return out


def _rebuild(limbs: int, shape: _Shape, raw: bytes, uniform: Any) -> NfloatArray:
    from orthoproof.nfloat.library import context

    out = _new(context(limbs), shape)
    out.mat.write(raw)
    out.uniform = uniform
    return out


def _same_context(x: NfloatArray, other: NfloatArray) -> None:
    # FLINT reads both operands with one context's element size: words of
    # another precision would be misread, or read past their end.
    if other.ctx is not x.ctx:
        raise ValueError(
            f"arrays of {x.ctx.prec} and {other.ctx.prec} bits do not combine"
        )


def _binary(x: NfloatArray, other: Any, op: str, *, swap: bool) -> NfloatArray:
    """``x op other`` (or ``other op x`` when ``swap``), entry by entry in C."""
    ctx = x.ctx
    if type(other) is not NfloatArray:
        if not is_scalar(other):
            return NotImplemented
        if not swap or op in ("add", "mul"):
            out = NfloatArray(_Matrix(ctx, x.mat.rows, x.mat.cols), x.shape)
            status = ctx.with_scalar[op](
                out.mat.entries,
                x.mat.entries,
                x.mat.count,
                element(ctx, other),
                ctx.ptr,
            )
            check(status, op)
            return out
        other = _full(ctx, x.shape, other)
    _same_context(x, other)
    if x.shape == other.shape:
        left, right, shape = x, other, x.shape
    else:
        shape = broadcast_shape(x.shape, other.shape)
        left, right = _broadcast(x, shape), _broadcast(other, shape)
    if swap:
        left, right = right, left
    out = NfloatArray(_Matrix(ctx, *storage_shape(shape)), shape)
    status = ctx.vector[op](
        out.mat.entries, left.mat.entries, right.mat.entries, out.mat.count, ctx.ptr
    )
    check(status, op)
    return out


def _product(x: NfloatArray, other: Any, *, swap: bool) -> NfloatArray:
    """Entrywise product; by a scalar, or by a uniform array, it is a scaling."""
    if type(other) is NfloatArray:
        _same_context(x, other)  # before the shortcut, which would mix them
        shape = (
            x.shape if x.shape == other.shape else broadcast_shape(x.shape, other.shape)
        )
        # A uniform factor (GloVe's weights saturate, a plain model's are all 1)
        # scales; a factor of exactly 1 is no work at all.
        for a, b in ((x, other), (other, x)):
            if b.uniform is not None and shape == a.shape:
                return a if b.uniform == 1 else _binary(a, b.uniform, "mul", swap=False)
    return _binary(x, other, "mul", swap=swap)


def _full(ctx: Context, shape: _Shape, value: Any) -> NfloatArray:
    rows, cols = storage_shape(shape)
    v = scalar_of(ctx, value)
    out = _new(ctx, shape)
    out.mat.write(encode_scalar(ctx, v) * (rows * cols))
    out.uniform = v
    return out


def full(ctx: Context, shape: _Shape, value: Any) -> NfloatArray:
    """Every entry ``value``, rounded once."""
    return _full(ctx, shape, value)
