"""Entrywise functions of nfloat arrays: square root, absolute value, sign, clip.

FLINT has no vector square root, so that one goes entry by entry; the others
read and write the entries' words with numpy (sign word, exponent word), which
is exact and needs no call into FLINT at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orthoproof.nfloat.array import NfloatArray, _new
from orthoproof.nfloat.library import EXP_NAN, EXP_ZERO, Context, check
from orthoproof.nfloat.scalars import encode_scalar, scalar_of

__all__ = ["absolute", "clip", "sign", "sqrt"]

_Shape = tuple[int, ...]


def sqrt(x: NfloatArray) -> NfloatArray:
    """Entrywise square root (FLINT has no vector form: one call an entry)."""
    ctx, size = x.ctx, x.ctx.size
    words = x.mat.words()
    negative = (words[:, 1] != 0) & (words[:, 0] != EXP_ZERO)
    if np.any(negative):
        raise FloatingPointError(
            f"nfloat sqrt: {int(negative.sum())} negative entr"
            f"{'y' if negative.sum() == 1 else 'ies'} (no real square root)"
        )
    out = _new(ctx, x.shape)
    fn, src, dst = ctx.lib.gr_sqrt, x.mat.entries, out.mat.entries
    for offset in range(0, x.size * size, size):
        check(fn(dst + offset, src + offset, ctx.ptr), "sqrt")
    return out


def _from_words(ctx: Context, words: np.ndarray, shape: _Shape) -> NfloatArray:
    out = _new(ctx, shape)
    out.mat.write(np.ascontiguousarray(words, dtype="<i8").tobytes())
    return out


def absolute(x: NfloatArray) -> NfloatArray:
    """``|x|``: the sign words cleared."""
    words = x.mat.words().copy()
    words[:, 1] = 0
    return _from_words(x.ctx, words, x.shape)


def sign(x: NfloatArray) -> NfloatArray:
    """−1, 0 or 1 entry by entry (NaN stays NaN)."""
    words = x.mat.words()
    out = np.zeros_like(words)
    out[:, 0] = 1  # ±1 = ±(2^63 / 2^64) · 2^1
    out[:, 1] = words[:, 1]
    out[:, -1] = np.array([1 << 63], dtype="<u8").view("<i8")[0]
    special = words[:, 0] < EXP_ZERO + 4
    out[special] = 0
    out[special, 0] = np.where(words[special, 0] == EXP_ZERO, EXP_ZERO, EXP_NAN)
    return _from_words(x.ctx, out, x.shape)


def clip(x: NfloatArray, bound: Any) -> NfloatArray:
    """Every entry clamped to ``[-bound, bound]`` (``bound`` ≥ 0)."""
    ctx = x.ctx
    b = scalar_of(ctx, bound)
    over = absolute(x) - b  # positive exactly where |x| > b
    over_words = over.mat.words()
    outside = (over_words[:, 0] >= EXP_ZERO + 4) & (over_words[:, 1] == 0)
    words = x.mat.words().copy()
    bound_words = np.frombuffer(encode_scalar(ctx, b), dtype="<i8")
    signs = words[outside, 1]
    words[outside] = bound_words
    words[outside, 1] = signs
    return _from_words(ctx, words, x.shape)
