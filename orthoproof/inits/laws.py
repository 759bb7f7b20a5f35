"""Initialisers as objects: a name, a sampler and a statement of the law.

Parameters are hidden-first, shape ``(k, m)``: ``k`` hidden coordinates by
``m`` vectors, and a group element ``P`` acts by ``W → PW``. Fan-in and fan-out
follow torch's convention for a 2-D weight of shape ``(rows, cols)``: fan-in is
``cols`` and fan-out is ``rows``; word2vec's and GloVe's ``d`` is ``rows = k``.

Each initialiser belongs to a *family* that decides which exact argument about
its law applies (see :mod:`orthoproof.inits.exact`):

``gaussian``
    i.i.d. N(0, σ²) entries: the density of each column depends on it only
    through its norm.
``zero``
    the point mass at 0.
``haar``
    orthogonal rows or columns drawn by sign-fixed QR of a Gaussian matrix.
``uniform``
    i.i.d. uniform on ``[−a, a]`` (continuous model).
``grid``
    i.i.d. uniform on a finite grid, symmetric or not about 0.
``lcg``
    a deterministic sequence (word2vec's C code).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from orthoproof.errors import InvalidArgument
from orthoproof.groups import haar_orthogonal

__all__ = ["Initialiser", "check_shape", "fans"]


def check_shape(shape: Any) -> tuple[int, int]:
    """Validate a hidden-first 2-D shape ``(k, m)`` and return it as ints."""
    if (
        not isinstance(shape, tuple | list)
        or len(shape) != 2
        or any(
            isinstance(s, bool) or not isinstance(s, int | np.integer) for s in shape
        )
        or any(s < 1 for s in shape)
    ):
        raise InvalidArgument.of("shape", shape, "a pair (k, m) of positive ints")
    return int(shape[0]), int(shape[1])


def fans(shape: tuple[int, int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a 2-D weight, torch's convention: (cols, rows)."""
    rows, cols = shape
    return cols, rows


class Initialiser(ABC):
    """A named law for a k×m parameter, with a float64 sampler.

    Subclasses set :attr:`name` and :attr:`family` and define :meth:`sample`
    and :meth:`law`.
    """

    name: ClassVar[str] = "abstract"
    family: ClassVar[str] = "abstract"
    #: True when the entries are independent and identically distributed.
    iid: ClassVar[bool] = True

    @abstractmethod
    def sample(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """Draw one parameter.

        Parameters
        ----------
        shape
            ``(k, m)``, hidden dimension first.
        rng
            Source of randomness (ignored by deterministic initialisers).

        Returns
        -------
        numpy.ndarray
            Shape ``(k, m)``, float64.
        """

    @abstractmethod
    def law(self, shape: tuple[int, int]) -> str:
        """The law of a draw of ``shape``, as a density or a support, in words."""

    def to_json(self, shape: tuple[int, int]) -> dict[str, Any]:
        return {"name": self.name, "family": self.family, "law": self.law(shape)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class GaussianFamily(Initialiser):
    """i.i.d. N(0, σ²) entries, σ depending on the shape only."""

    family = "gaussian"

    @abstractmethod
    def std(self, shape: tuple[int, int]) -> float:
        """σ for a parameter of this shape."""

    def sample(self, shape, rng):  # type: ignore[no-untyped-def]
        shape = check_shape(shape)
        return rng.standard_normal(shape) * self.std(shape)

    def law(self, shape):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        return (
            f"density Π_columns (2πσ²)^(-k/2)·exp(−‖θ‖²/(2σ²)) with k = {k}, "
            f"σ = {self.std((k, m)):.6g}"
        )


class UniformFamily(Initialiser):
    """i.i.d. uniform entries on ``[−a, a]``, modelled as a continuous law.

    A float64 sampler only reaches a fine grid of values; the model ignores
    that, which is harmless for these laws because the grid's distance from
    symmetry is at the level of one unit in the last place.
    """

    family = "uniform"

    @abstractmethod
    def half_width(self, shape: tuple[int, int]) -> float:
        """``a`` for a parameter of this shape."""

    def sample(self, shape, rng):  # type: ignore[no-untyped-def]
        shape = check_shape(shape)
        a = self.half_width(shape)
        return rng.uniform(-a, a, size=shape)

    def law(self, shape):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        a = self.half_width((k, m))
        return f"density (2a)^(-k·m) on the cube [−a, a]^(k×m), 0 outside, a = {a:.6g}"


class GridFamily(Initialiser):
    """i.i.d. uniform entries on a finite grid ``{(j/R − c)/d : j = 0 … J}``.

    The grid is symmetric about 0 exactly when ``j → J − j`` maps it onto its
    negative, i.e. when ``J/R = 2c``.
    """

    family = "grid"
    #: the grid's numbers R (divisor), J (last level), c (offset)
    divisor: ClassVar[int]
    last_level: ClassVar[int]
    offset: ClassVar[Fraction] = Fraction(1, 2)

    def level_value(self, level: int, d: int) -> Fraction:
        """The exact real value of grid level ``level`` when the divisor is ``d``."""
        return (Fraction(level, self.divisor) - self.offset) / d

    @property
    def symmetric(self) -> bool:
        return Fraction(self.last_level, self.divisor) == 2 * self.offset

    def sample(self, shape, rng):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        levels = rng.integers(0, self.last_level, size=(k, m), endpoint=True)
        return (levels / self.divisor - float(self.offset)) / k

    def law(self, shape):  # type: ignore[no-untyped-def]
        k, _ = check_shape(shape)
        return (
            f"each entry i.i.d. uniform on {{(j/{self.divisor} − {self.offset})/{k} "
            f": j = 0, …, {self.last_level}}}"
        )


def _gaussian(name: str, doc: str, std: Any) -> type[GaussianFamily]:
    return type(
        name.title().replace("-", ""),
        (GaussianFamily,),
        {"name": name, "__doc__": doc, "std": lambda self, shape: std(shape)},
    )


IsotropicGaussian = _gaussian(
    "gaussian", "Standard isotropic Gaussian, σ = 1.", lambda shape: 1.0
)
XavierNormal = _gaussian(
    "xavier-normal",
    "Glorot & Bengio (2010) normal: σ = √(2/(fan_in + fan_out)).",
    lambda shape: math.sqrt(2.0 / sum(fans(shape))),
)
HeNormal = _gaussian(
    "he-normal",
    "He et al. (2015) normal: σ = √(2/fan_in).",
    lambda shape: math.sqrt(2.0 / fans(shape)[0]),
)


class Zero(Initialiser):
    """Every entry 0 (word2vec's and gensim's output vectors ``syn1neg``)."""

    name = "zero"
    family = "zero"

    def sample(self, shape, rng):  # type: ignore[no-untyped-def]
        return np.zeros(check_shape(shape))

    def law(self, shape):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        return f"point mass at the {k}×{m} zero matrix"


class HaarOrthogonal(Initialiser):
    """Orthogonal initialisation (Saxe et al. 2014), as torch's ``orthogonal_``.

    A k×m draw has orthonormal rows when ``k ≤ m`` and orthonormal columns when
    ``k > m``: a slice of a Haar-distributed orthogonal matrix. Entries are not
    independent.
    """

    name = "haar-orthogonal"
    family = "haar"
    iid = False

    def sample(self, shape, rng):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        n = max(k, m)
        # A Haar element of O(n), sliced: its first k rows (k ≤ m) or first m
        # columns (k > m) are uniform on the matching Stiefel manifold.
        q = haar_orthogonal(n, rng)
        return q[:k, :m].copy()

    def law(self, shape):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        n = max(k, m)
        return f"the top-left {k}×{m} block of a Haar-distributed element of O({n})"


class XavierUniform(UniformFamily):
    """Glorot & Bengio (2010) uniform: a = √(6/(fan_in + fan_out))."""

    name = "xavier-uniform"

    def half_width(self, shape):  # type: ignore[no-untyped-def]
        return math.sqrt(6.0 / sum(fans(shape)))


class GensimUniform(UniformFamily):
    """gensim 4's word vectors: ``(2·random() − 1)/d``, uniform on [−1/d, 1/d)."""

    name = "gensim-uniform"

    def half_width(self, shape):  # type: ignore[no-untyped-def]
        return 1.0 / check_shape(shape)[0]


class GloveUniform(GridFamily):
    """GloVe's ``(rand()/RAND_MAX − 0.5)/d`` with glibc's RAND_MAX = 2³¹ − 1.

    ``rand()`` returns an integer in ``0 … RAND_MAX``, so the law is uniform on
    a grid of RAND_MAX + 1 levels that is symmetric about 0 (level j and level
    RAND_MAX − j are negatives). The sampler draws the levels i.i.d. with
    numpy, which models ``rand()`` as an ideal source; float64 rounding of
    ``j/RAND_MAX`` is not modelled.
    """

    name = "glove-uniform"
    divisor = 2**31 - 1
    last_level = 2**31 - 1


class Word2vecGrid(GridFamily):
    """The idealisation of word2vec's initialiser: i.i.d. on its 65 536-level grid.

    This is what word2vec's entries look like one at a time; the real C code
    (:class:`Word2vecC`) is a deterministic LCG sequence whose entries are far
    from independent.
    """

    name = "word2vec-grid"
    divisor = 65536
    last_level = 65535


class Word2vecC(Initialiser):
    """word2vec.c's exact initialiser: LCG from r = 1, float32, deterministic.

    The law is the point mass at one fixed matrix; ``rng`` is ignored. With a
    random seed the law would be uniform over 65 536 matrices (one per start
    of the 16-bit cycle), still not i.i.d.
    """

    name = "word2vec-c"
    family = "lcg"
    iid = False

    def sample(self, shape, rng):  # type: ignore[no-untyped-def]
        from orthoproof.inits.word2vec import word2vec_matrix

        return word2vec_matrix(check_shape(shape))

    def law(self, shape):  # type: ignore[no-untyped-def]
        k, m = check_shape(shape)
        return (
            f"point mass at the {k}×{m} matrix whose entry (b, a) is "
            f"((r_(a·{k}+b+1) & 0xFFFF)/65536 − 1/2)/{k}, r_0 = 1, "
            "r_(t+1) = 25214903917·r_t + 11 mod 2^64"
        )
