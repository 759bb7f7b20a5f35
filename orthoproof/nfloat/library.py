"""FLINT's ``nfloat`` type, reached through the C library python-flint ships.

python-flint wraps ``arb`` balls but not FLINT's ``nfloat``: floating-point
numbers of a fixed number of 64-bit words, stored inline (no heap pointer per
number), with vector and matrix routines written for exactly the few-word
precisions a trajectory runs at. The same shared library that python-flint
loads holds those routines, so this module finds it and declares the handful
of functions the backend calls, with ``ctypes`` from the standard library.

Two things are checked when the library is first loaded, so that a FLINT
whose conventions differ fails loudly instead of computing garbage: that the
routines are there, and that an element's words are laid out as FLINT's
documentation describes (exponent, sign, mantissa from the least significant
word). The layout is what lets numbers enter and leave exactly, without a
decimal string in between.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import pathlib
import struct
from typing import Any

import flint

from orthoproof.errors import OrthoproofError

__all__ = [
    "EXP_NAN",
    "EXP_NEG_INF",
    "EXP_POS_INF",
    "EXP_ZERO",
    "MAX_LIMBS",
    "Context",
    "MatrixHeader",
    "NfloatUnavailable",
    "check",
    "context",
    "library",
]

#: Words of mantissa an nfloat may have (FLINT's NFLOAT_MAX_LIMBS, 64-bit).
MAX_LIMBS = 66
#: Special exponents (FLINT's NFLOAT_EXP_ZERO and friends): WORD_MIN + 0..3.
EXP_ZERO = -(2**63)
EXP_POS_INF = EXP_ZERO + 1
EXP_NEG_INF = EXP_ZERO + 2
EXP_NAN = EXP_ZERO + 3
#: Let results below the exponent range (about 2^-(2^61)) become zero. Not
#: infinities or NaNs: FLINT's nfloat matrix product refuses contexts that
#: allow them, so an overflow or a 0/0 is an error here, named by :func:`check`.
_FLAGS = 1
_STATUS = {
    1: "GR_DOMAIN: the result is not a real number (a square root of a negative?)",
    2: "GR_UNABLE: an overflow, a division by zero, or an infinity or NaN, which "
    "nfloat numbers do not carry",
}


class MatrixHeader(ctypes.Structure):
    """FLINT's ``gr_mat_struct`` (3.3 and newer), checked by :class:`Context`."""

    _fields_ = (
        ("entries", ctypes.c_void_p),
        ("rows", ctypes.c_long),
        ("cols", ctypes.c_long),
        ("stride", ctypes.c_long),
    )


_OPS = ("add", "sub", "mul", "div")
_P = ctypes.c_void_p
_L = ctypes.c_long
_M = ctypes.POINTER(MatrixHeader)
_SIGNATURES: dict[str, list[Any]] = {
    "nfloat_ctx_init": [_P, _L, ctypes.c_int],
    "gr_mat_init": [_M, _L, _L, _P],
    "gr_mat_clear": [_M, _P],
    "gr_mat_entry_ptr": [_M, _L, _L, _P],
    "gr_mat_mul": [_M, _M, _M, _P],
    "gr_mat_transpose": [_M, _M, _P],
    "_gr_vec_add": [_P, _P, _P, _L, _P],
    "_gr_vec_sub": [_P, _P, _P, _L, _P],
    "_gr_vec_mul": [_P, _P, _P, _L, _P],
    "_gr_vec_div": [_P, _P, _P, _L, _P],
    "_gr_vec_neg": [_P, _P, _L, _P],
    "_gr_vec_add_scalar": [_P, _P, _L, _P, _P],
    "_gr_vec_sub_scalar": [_P, _P, _L, _P, _P],
    "_gr_vec_mul_scalar": [_P, _P, _L, _P, _P],
    "_gr_vec_div_scalar": [_P, _P, _L, _P, _P],
    "_gr_vec_sum": [_P, _P, _L, _P],
    "gr_sqrt": [_P, _P, _P],
    "nfloat_set_d": [_P, ctypes.c_double, _P],
}


class NfloatUnavailable(OrthoproofError, RuntimeError):
    """The installed python-flint carries no FLINT with a usable ``nfloat``."""


def check(status: int, operation: str) -> None:
    """Raise if a FLINT routine did not succeed (``GR_SUCCESS`` is 0)."""
    if status:
        reason = _STATUS.get(status, f"status {status}")
        raise FloatingPointError(f"nfloat {operation}: FLINT returned {reason}")


def _candidates() -> list[pathlib.Path]:
    """Where wheels put the FLINT that python-flint links against."""
    package = pathlib.Path(flint.__file__).resolve().parent
    found: list[pathlib.Path] = []
    for folder in (
        package.parent / "python_flint.libs",  # manylinux (auditwheel), Windows
        package / ".dylibs",  # macOS (delocate)
        package,
    ):
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if _is_flint_library(p.name))
    system = ctypes.util.find_library("flint")
    if system:
        found.append(pathlib.Path(system))
    return found


def _is_flint_library(name: str) -> bool:
    """``libflint-<hash>.so.N``, ``libflint.N.dylib``, ``flint-<hash>.dll``, ..."""
    shared = ".so" in name or name.endswith((".dylib", ".dll"))
    return shared and (name.startswith("libflint") or name.endswith(".dll"))


@functools.cache
def library() -> ctypes.CDLL:
    """The FLINT shared library, with the routines the backend calls declared."""
    version = str(getattr(flint, "__FLINT_VERSION__", "0"))
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if numbers < (3, 3):
        raise NfloatUnavailable(
            f"python-flint {flint.__version__} carries FLINT {version}; the nfloat "
            "backend needs FLINT 3.3 or newer (python-flint 0.9 carries 3.6)"
        )
    tried = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as error:
            tried.append(f"{path}: {error}")
            continue
        missing = [name for name in _SIGNATURES if not hasattr(lib, name)]
        if missing:
            tried.append(f"{path}: no {', '.join(missing)}")
            continue
        for name, argtypes in _SIGNATURES.items():
            function = getattr(lib, name)
            function.argtypes = argtypes
            function.restype = ctypes.c_int
        lib.gr_mat_entry_ptr.restype = _P
        lib.gr_mat_clear.restype = None
        lib.gr_mat_init.restype = None
        return lib
    raise NfloatUnavailable(
        "no FLINT library with nfloat routines was found beside python-flint"
        + (": " + "; ".join(tried) if tried else "")
    )


class Context:
    """An nfloat context of ``limbs`` 64-bit words of mantissa.

    Contexts are few (one per precision) and live as long as the process, so
    they are cached and never cleared.
    """

    def __init__(self, limbs: int) -> None:
        self.lib = library()
        self.limbs = limbs
        self.prec = 64 * limbs
        #: bytes of one element: exponent word, sign word, mantissa words
        self.size = 8 * (limbs + 2)
        # gr_ctx_struct is 80 bytes in FLINT 3; room to spare costs nothing.
        self.buffer = ctypes.create_string_buffer(512)
        self.ptr = ctypes.addressof(self.buffer)
        check(self.lib.nfloat_ctx_init(self.ptr, self.prec, _FLAGS), "context")
        self._check_layout()
        self._check_header()
        #: encoded scalars by value (hyperparameters recur on every step)
        self.scalars: dict[Any, Any] = {}
        lib = self.lib
        #: entrywise ``res, x, y, len, ctx`` and ``res, x, len, scalar, ctx``
        self.vector = {op: getattr(lib, f"_gr_vec_{op}") for op in _OPS}
        self.with_scalar = {op: getattr(lib, f"_gr_vec_{op}_scalar") for op in _OPS}

    def _check_header(self) -> None:
        """FLINT's own ``gr_mat`` must be (entries, rows, columns, stride)."""
        made = MatrixHeader()
        self.lib.gr_mat_init(made, 3, 5, self.ptr)
        try:
            entries, rows, cols, stride = (
                made.entries,
                made.rows,
                made.cols,
                made.stride,
            )
            second_row = self.lib.gr_mat_entry_ptr(made, 1, 0, self.ptr)
        finally:
            self.lib.gr_mat_clear(made, self.ptr)
        if (rows, cols, stride) != (3, 5, 5) or second_row != entries + 5 * self.size:
            raise NfloatUnavailable(
                "FLINT's gr_mat is not (entries, rows, columns, stride) as in "
                "FLINT 3.3 and newer; this FLINT cannot be used"
            )

    def encode(self, sign: int, mantissa: int, exponent: int) -> bytes:
        """The element ``(-1)^sign · mantissa · 2^exponent``, rounded to nearest.

        ``mantissa`` is a non-negative integer of any size; zero gives FLINT's
        zero. Rounding is to nearest, ties to even, like mpfr's default.
        """
        if mantissa == 0:
            return struct.pack("<qQ", EXP_ZERO, 0) + bytes(8 * self.limbs)
        bits = 64 * self.limbs
        shift = mantissa.bit_length() - bits
        if shift > 0:
            kept, rest = mantissa >> shift, mantissa & ((1 << shift) - 1)
            half = 1 << (shift - 1)
            if rest > half or (rest == half and kept & 1):
                kept += 1
            if kept.bit_length() > bits:  # rounding carried into a new bit
                kept >>= 1
                shift += 1
            mantissa, exponent = kept, exponent + shift
        else:
            mantissa, exponent = mantissa << -shift, exponent + shift
        # |x| = (mantissa / 2^bits) · 2^e with the mantissa's top bit set.
        return struct.pack("<qQ", exponent + bits, sign) + mantissa.to_bytes(
            8 * self.limbs, "little"
        )

    def decode(self, raw: bytes) -> tuple[int, int, int] | float:
        """``(sign, mantissa, exponent)`` of one element, or a special float."""
        exponent, sign = struct.unpack_from("<qQ", raw)
        if exponent < EXP_ZERO + 4:
            return {
                EXP_ZERO: 0.0,
                EXP_POS_INF: math.inf,
                EXP_NEG_INF: -math.inf,
            }.get(exponent, math.nan)
        mantissa = int.from_bytes(raw[16 : self.size], "little")
        return int(sign), mantissa, exponent - 64 * self.limbs

    def _check_layout(self) -> None:
        """FLINT's own conversion of 0.75 and -2^-70 must match :meth:`encode`."""
        element = ctypes.create_string_buffer(self.size)
        for value, parts in ((0.75, (0, 3, -2)), (-(2.0**-70), (1, 1, -70))):
            check(self.lib.nfloat_set_d(element, value, self.ptr), "set_d")
            if element.raw != self.encode(*parts):
                raise NfloatUnavailable(
                    "FLINT's nfloat words are not laid out as its documentation "
                    f"says (checked with {value}); this FLINT cannot be used"
                )


@functools.cache
def context(limbs: int) -> Context:
    """The shared context of ``limbs`` words (1 ≤ limbs ≤ :data:`MAX_LIMBS`)."""
    return Context(limbs)
