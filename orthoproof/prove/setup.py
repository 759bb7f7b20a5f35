"""Symbolic inputs for fixed-dimension proofs: one symbol per matrix entry.

Every entry of every input is its own real sympy symbol, so the models run on
the symbolic backend exactly as they run on numbers and every quantity they
return is an ordinary polynomial (or, for a breaker, an expression with
``Abs``). Matrix symbols are avoided on purpose: sympy's derivative of a
matrix-symbol expression silently returns 0 for some trace sums.

The orthogonality of the group element ``P`` enters only as an ideal: the
generators ``γ_pq = (PᵀP − I)_pq`` for ``p ≤ q``. ``P`` itself stays a matrix
of k² free symbols.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from orthoproof.errors import InvalidArgument

__all__ = ["SymbolicSetup", "orthogonality_generators", "symbolic_setup"]


def _matrix(prefix: str, rows: int, cols: int) -> np.ndarray:
    """A rows×cols object array of real symbols ``prefix_i_j`` (1-based)."""
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = sympy.Symbol(f"{prefix}_{i + 1}_{j + 1}", real=True)
    return out


def _vector(prefix: str, size: int) -> np.ndarray:
    out = np.empty(size, dtype=object)
    for i in range(size):
        out[i] = sympy.Symbol(f"{prefix}_{i + 1}", real=True)
    return out


def _skew(k: int) -> np.ndarray:
    """Generic skew matrix: ``s_ij`` free above the diagonal, ``−s_ij`` below."""
    out = np.full((k, k), sympy.Integer(0), dtype=object)
    for i in range(k):
        for j in range(i + 1, k):
            s = sympy.Symbol(f"s_{i + 1}_{j + 1}", real=True)
            out[i, j], out[j, i] = s, -s
    return out


def orthogonality_generators(
    p: np.ndarray,
) -> tuple[tuple[tuple[int, int], ...], tuple[Any, ...]]:
    """Index pairs ``(p, q)`` with ``p ≤ q`` and the generators ``(PᵀP − I)_pq``.

    ``PᵀP − I`` is symmetric, so the pairs below the diagonal would repeat the
    same polynomials; keeping ``p ≤ q`` gives ``k(k+1)/2`` generators.
    """
    k = p.shape[0]
    pairs = tuple((a, b) for a in range(k) for b in range(a, k))
    gens = tuple(
        sympy.Add(*(p[r, a] * p[r, b] for r in range(k))) - int(a == b)
        for a, b in pairs
    )
    return pairs, gens


@dataclass(frozen=True, eq=False)
class SymbolicSetup:
    """Symbolic parameters, data and group elements for dimensions ``(k, m, n)``.

    Attributes
    ----------
    A, B
        Hidden factors, k×m and k×n, entries ``a_i_j`` and ``b_i_j``.
    bias_b, bias_c
        GloVe's word and context biases (``u_i`` and ``v_j``, so that their
        names cannot clash with the entries of ``B``).
    weights, target
        m×n data, entries ``w_i_j`` and ``t_i_j``.
    P
        Generic k×k matrix ``p_i_j``; orthogonality is the ideal of
        :attr:`generators`.
    S
        Generic skew k×k matrix with free entries ``s_i_j`` (i < j).
    pairs, generators
        ``(p, q)`` with ``p ≤ q`` and ``γ_pq = (PᵀP − I)_pq``.
    """

    k: int
    m: int
    n: int
    A: np.ndarray
    B: np.ndarray
    bias_b: np.ndarray
    bias_c: np.ndarray
    weights: np.ndarray
    target: np.ndarray
    P: np.ndarray
    S: np.ndarray
    pairs: tuple[tuple[int, int], ...]
    generators: tuple[Any, ...]

    @property
    def dims(self) -> dict[str, int]:
        return {"k": self.k, "m": self.m, "n": self.n}

    def params(self, extra: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
        """Parameters ``A``, ``B`` and whichever biases the model names."""
        biases = {"b": self.bias_b, "c": self.bias_c}
        unknown = [name for name in extra if name not in biases]
        if unknown:
            raise InvalidArgument.of("extra", extra, "bias names among ('b', 'c')")
        out = {"A": self.A, "B": self.B}
        out.update({name: biases[name] for name in extra})
        return out

    def acted(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``(PA, PB)`` with the biases untouched: the group action, symbolic P."""
        return {
            name: (self.P @ value if name in ("A", "B") else value)
            for name, value in params.items()
        }


def _check_dims(dims: Any) -> tuple[int, int, int]:
    ok = (
        isinstance(dims, tuple | list)
        and len(dims) == 3
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims)
    )
    if not ok:
        raise InvalidArgument.of("dims", dims, "a tuple (k, m, n) of positive ints")
    return int(dims[0]), int(dims[1]), int(dims[2])


@functools.lru_cache(maxsize=16)
def _cached(k: int, m: int, n: int) -> SymbolicSetup:
    p = _matrix("p", k, k)
    pairs, gens = orthogonality_generators(p)
    return SymbolicSetup(
        k=k,
        m=m,
        n=n,
        A=_matrix("a", k, m),
        B=_matrix("b", k, n),
        bias_b=_vector("u", m),
        bias_c=_vector("v", n),
        weights=_matrix("w", m, n),
        target=_matrix("t", m, n),
        P=p,
        S=_skew(k),
        pairs=pairs,
        generators=gens,
    )


def symbolic_setup(dims: tuple[int, int, int]) -> SymbolicSetup:
    """The (cached) symbolic setup for hidden dimension k and data shape m×n."""
    return _cached(*_check_dims(dims))
