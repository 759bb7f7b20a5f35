"""A small term language of matrix expressions, for dimension-free proofs.

Matrix symbols have symbolic shapes (``("k", "m")``) and at most one declared
fact: ``orthogonal`` (``PᵀP = PPᵀ = I``), ``skew`` (``Sᵀ = −S``),
``symmetric`` (``Sᵀ = S``) or ``invertible`` (``M⁻¹`` exists). Expressions are
built with ``@`` (product), ``+``, ``-``, rational or scalar-symbol multiples,
``.T`` and :func:`tr`, and are shape-checked as they are built, so an
ill-typed statement cannot even be posed.

:func:`expand` turns an expression into a *polynomial*: a map from
:class:`Term` (commuting scalar symbols, a word of letters, and whether the
word sits inside a trace) to a rational coefficient. Expansion only pushes
transposes onto letters (reversing words) and distributes products over sums;
it uses no declared fact, so every use of a fact is a separate, checkable step.

>>> A, B = matrix("A", "k", "m"), matrix("B", "k", "n")
>>> P = orthogonal("P", "k")
>>> show(expand((P @ A).T @ (P @ B) - A.T @ B))
'AᵀPᵀPB − AᵀB'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from orthoproof.errors import InvalidArgument

__all__ = [
    "FACTS",
    "Expr",
    "Letter",
    "Poly",
    "Term",
    "expand",
    "facts_of",
    "identity",
    "inverse",
    "invertible",
    "matrix",
    "orthogonal",
    "scalar",
    "show",
    "show_term",
    "skew",
    "symmetric",
    "tr",
    "transpose_word",
]

#: The facts a matrix symbol may carry (at most one each).
FACTS = ("orthogonal", "skew", "symmetric", "invertible")

Shape = tuple[str, str] | tuple[()]


class Letter(NamedTuple):
    """One letter of a word: a symbol, possibly transposed and/or inverted.

    Letters are ordered as tuples, which fixes the canonical (least) word.
    """

    name: str
    transposed: bool = False
    inverse: bool = False

    def __str__(self) -> str:
        mark = {
            (False, False): "",
            (True, False): "ᵀ",
            (False, True): "⁻¹",
            (True, True): "⁻ᵀ",
        }
        return self.name + mark[(self.transposed, self.inverse)]


class Term(NamedTuple):
    """A monomial: sorted scalar symbols × a word (inside ``tr`` if ``trace``)."""

    scalars: tuple[str, ...]
    word: tuple[Letter, ...]
    trace: bool


#: A linear combination of terms with rational coefficients (no zero values).
Poly = dict[Term, Fraction]


# --- expressions ---------------------------------------------------------------


class Expr:
    """A matrix (or scalar, ``shape == ()``) expression of the term language."""

    shape: Shape

    def __matmul__(self, other: Expr) -> Expr:
        return Mul((self, other))

    def __add__(self, other: Expr) -> Expr:
        return Add((self, other))

    def __sub__(self, other: Expr) -> Expr:
        return Add((self, Scale(Fraction(-1), other)))

    def __neg__(self) -> Expr:
        return Scale(Fraction(-1), self)

    def __mul__(self, other: Expr | int | Fraction) -> Expr:
        if isinstance(other, Expr):
            if other.shape and self.shape:
                raise InvalidArgument.of("factor", other, "a scalar (use @)")
            return Mul((self, other))
        return Scale(Fraction(other), self)

    def __rmul__(self, other: int | Fraction) -> Expr:
        return Scale(Fraction(other), self)

    @property
    def T(self) -> Expr:
        return Transpose(self)

    def __str__(self) -> str:
        return show(expand(self))


@dataclass(frozen=True, eq=False)
class Sym(Expr):
    """A matrix symbol with a shape and at most one fact."""

    name: str
    shape: tuple[str, str]
    fact: str | None = None


@dataclass(frozen=True, eq=False)
class Inverse(Expr):
    """``M⁻¹`` of a symbol declared invertible."""

    of: Sym

    @property
    def shape(self) -> Shape:  # type: ignore[override]
        return self.of.shape


@dataclass(frozen=True, eq=False)
class Scalar(Expr):
    """A commuting scalar symbol such as a learning rate ``η``."""

    name: str
    shape: Shape = ()


@dataclass(frozen=True, eq=False)
class Identity(Expr):
    """The identity of dimension ``dim``."""

    dim: str

    @property
    def shape(self) -> Shape:  # type: ignore[override]
        return (self.dim, self.dim)


@dataclass(frozen=True, eq=False)
class Transpose(Expr):
    arg: Expr

    @property
    def shape(self) -> Shape:  # type: ignore[override]
        return tuple(reversed(self.arg.shape))  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class Scale(Expr):
    coef: Fraction
    arg: Expr

    @property
    def shape(self) -> Shape:  # type: ignore[override]
        return self.arg.shape


@dataclass(frozen=True, eq=False)
class Trace(Expr):
    arg: Expr
    shape: Shape = ()

    def __post_init__(self) -> None:
        s = self.arg.shape
        if len(s) != 2 or s[0] != s[1]:
            raise InvalidArgument.of("tr", s, "a square matrix")
        if _has_trace(self.arg):
            raise InvalidArgument.of("tr", str(self.arg), "no trace inside a trace")


@dataclass(frozen=True, eq=False)
class Add(Expr):
    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        shapes = {a.shape for a in self.args}
        if len(shapes) != 1:
            raise InvalidArgument.of("sum", sorted(map(str, shapes)), "equal shapes")

    @property
    def shape(self) -> Shape:  # type: ignore[override]
        return self.args[0].shape


@dataclass(frozen=True, eq=False)
class Mul(Expr):
    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        chain = [a.shape for a in self.args if a.shape]
        for left, right in itertools.pairwise(chain):
            if left[1] != right[0]:  # type: ignore[misc]
                raise InvalidArgument.of(
                    "product", (left, right), "matching inner dims"
                )
        # A trace times a matrix (or a trace) is outside the language: terms
        # carry at most one trace, and a traced term has no free word.
        traced = sum(_has_trace(a) for a in self.args)
        if traced > 1 or (traced and chain):
            raise InvalidArgument.of(
                "product", str(self.args), "a trace times scalars only"
            )

    @property
    def shape(self) -> Shape:  # type: ignore[override]
        chain = [a.shape for a in self.args if a.shape]
        if not chain:
            return ()
        return (chain[0][0], chain[-1][1])  # type: ignore[misc]


def _has_trace(expr: Expr) -> bool:
    if isinstance(expr, Trace):
        return True
    children: Iterable[Expr] = ()
    if isinstance(expr, Add | Mul):
        children = expr.args
    elif isinstance(expr, Transpose | Scale):
        children = (expr.arg,)
    return any(_has_trace(c) for c in children)


# --- constructors ---------------------------------------------------------------


def matrix(name: str, rows: str, cols: str) -> Sym:
    """An arbitrary matrix symbol of shape ``rows × cols``, with no fact."""
    return Sym(name, (rows, cols))


def orthogonal(name: str, dim: str) -> Sym:
    """A square symbol with ``PᵀP = PPᵀ = I``."""
    return Sym(name, (dim, dim), "orthogonal")


def skew(name: str, dim: str) -> Sym:
    """A square symbol with ``Sᵀ = −S``."""
    return Sym(name, (dim, dim), "skew")


def symmetric(name: str, dim: str) -> Sym:
    """A square symbol with ``Sᵀ = S``."""
    return Sym(name, (dim, dim), "symmetric")


def invertible(name: str, dim: str) -> Sym:
    """A square symbol with an inverse ``M⁻¹`` (so ``MᵀM⁻ᵀ = I`` too)."""
    return Sym(name, (dim, dim), "invertible")


def inverse(sym: Sym) -> Expr:
    """``M⁻¹`` for a symbol declared invertible."""
    if sym.fact != "invertible":
        raise InvalidArgument.of("sym", sym.name, "a symbol declared invertible")
    return Inverse(sym)


def scalar(name: str) -> Scalar:
    """A commuting scalar symbol."""
    return Scalar(name)


def identity(dim: str) -> Identity:
    return Identity(dim)


def tr(expr: Expr) -> Expr:
    """The trace of a square matrix expression."""
    return Trace(expr)


# --- expansion ------------------------------------------------------------------


def transpose_word(word: tuple[Letter, ...]) -> tuple[Letter, ...]:
    """``(L₁…Lₙ)ᵀ = Lₙᵀ…L₁ᵀ`` (inverse marks are kept: ``(M⁻¹)ᵀ = M⁻ᵀ``).

    >>> show_term(Term((), transpose_word((Letter("A", True), Letter("B"))), False))
    'BᵀA'
    """
    return tuple(Letter(x.name, not x.transposed, x.inverse) for x in reversed(word))


def _add(poly: Poly, term: Term, coef: Fraction) -> None:
    total = poly.get(term, Fraction(0)) + coef
    if total:
        poly[term] = total
    else:
        poly.pop(term, None)


def _times(left: Poly, right: Poly) -> Poly:
    out: Poly = {}
    for a, x in left.items():
        for b, y in right.items():
            scalars = tuple(sorted(a.scalars + b.scalars))
            _add(out, Term(scalars, a.word + b.word, a.trace or b.trace), x * y)
    return out


def expand(expr: Expr) -> Poly:
    """Expand into a polynomial of words, using no declared fact.

    >>> A = matrix("A", "k", "m")
    >>> show(expand(2 * (A + A).T @ A))
    '4·AᵀA'
    """
    if isinstance(expr, Sym):
        return {Term((), (Letter(expr.name),), False): Fraction(1)}
    if isinstance(expr, Inverse):
        return {Term((), (Letter(expr.of.name, inverse=True),), False): Fraction(1)}
    if isinstance(expr, Scalar):
        return {Term((expr.name,), (), False): Fraction(1)}
    if isinstance(expr, Identity):
        return {Term((), (), False): Fraction(1)}
    if isinstance(expr, Transpose):
        inner = expand(expr.arg)
        if not expr.arg.shape:  # a scalar is its own transpose
            return inner
        return {
            Term(t.scalars, transpose_word(t.word), t.trace): c
            for t, c in inner.items()
        }
    if isinstance(expr, Scale):
        return {t: expr.coef * c for t, c in expand(expr.arg).items() if expr.coef}
    if isinstance(expr, Trace):
        return {Term(t.scalars, t.word, True): c for t, c in expand(expr.arg).items()}
    if isinstance(expr, Add):
        out: Poly = {}
        for arg in expr.args:
            for t, c in expand(arg).items():
                _add(out, t, c)
        return out
    if isinstance(expr, Mul):
        acc: Poly = {Term((), (), False): Fraction(1)}
        for arg in expr.args:
            acc = _times(acc, expand(arg))
        return acc
    raise InvalidArgument.of("expr", expr, "an expression of orthoproof.prove.words")


def facts_of(*exprs: Expr) -> dict[str, str | None]:
    """Every matrix symbol's fact, by name; one name must mean one symbol.

    >>> facts_of(orthogonal("P", "k") @ matrix("A", "k", "m"))
    {'P': 'orthogonal', 'A': None}
    """
    seen: dict[str, Sym] = {}
    stack = list(exprs)
    while stack:
        e = stack.pop(0)
        if isinstance(e, Sym):
            old = seen.setdefault(e.name, e)
            if (old.shape, old.fact) != (e.shape, e.fact):
                raise InvalidArgument.of(
                    "symbol", e.name, "one shape and fact per name"
                )
            if e.fact not in (None, *FACTS):
                raise InvalidArgument.of("fact", e.fact, f"one of {FACTS}")
            # Every fact speaks of a square matrix (PᵀP = PPᵀ = I needs it).
            if e.fact is not None and e.shape[0] != e.shape[1]:
                raise InvalidArgument.of("symbol", e.name, f"square to be {e.fact}")
        elif isinstance(e, Inverse):
            stack.append(e.of)
        elif isinstance(e, Add | Mul):
            stack.extend(e.args)
        elif isinstance(e, Transpose | Scale | Trace):
            stack.append(e.arg)
    return {name: sym.fact for name, sym in seen.items()}


# --- printing -------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def show_term(term: Term) -> str:
    """Readable form of a term without its coefficient."""
    letters = [str(x) for x in term.word]
    glue = "" if all(len(x.name) == 1 for x in term.word) else "·"
    word = glue.join(letters) or "I"
    if term.trace:
        word = f"tr({word})"
    powers: dict[str, int] = {}
    for s in term.scalars:
        powers[s] = powers.get(s, 0) + 1
    prefix = "".join(
        s + (str(p).translate(_SUPERSCRIPT) if p > 1 else "") for s, p in powers.items()
    )
    if prefix and word == "I" and not term.trace:
        return prefix
    return f"{prefix}·{word}" if prefix else word


def show(poly: Mapping[Term, Fraction]) -> str:
    """Readable form of a polynomial, ``0`` when empty."""
    out = ""
    for term, coef in poly.items():
        sign = "−" if coef < 0 else "+"
        size = abs(coef)
        body = show_term(term) if size == 1 else f"{size}·{show_term(term)}"
        out += (f" {sign} " if out else ("−" if coef < 0 else "")) + body
    return out or "0"
