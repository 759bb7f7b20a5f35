"""The word kernel: replays a dimension-free certificate step by step.

A :class:`WordCertificate` states ``lhs = rhs`` (matrix or trace expressions
whose symbols carry their facts) and lists rewrite :class:`Step` s. The kernel
trusts none of the prover's work:

1. it reads the facts from the statement's own symbols, so a step may use
   ``QᵀQ = I`` only if ``Q`` was declared orthogonal in the statement;
2. it expands ``lhs − rhs`` itself (transposes onto letters, products over
   sums, like terms collected), with code separate from the prover's;
3. for each step it checks that ``before`` is present in the current
   polynomial and that ``sign · after`` is what the named rule gives when
   applied to ``before`` at the stated position; the step then replaces the
   whole coefficient of ``before``;
4. it accepts only if the polynomial left at the end is zero.

The rules, each an identity valid for all shapes:

``cancel``      ``…XY… → ……`` for an inverse pair: ``PᵀP``, ``PPᵀ`` (P
                orthogonal); ``MM⁻¹``, ``M⁻¹M``, ``MᵀM⁻ᵀ``, ``M⁻ᵀMᵀ``
                (M invertible)
``skew``        ``Sᵀ → −S`` for S skew
``symmetric``   ``Sᵀ → S`` for S symmetric
``cyclic``      ``tr(UV) → tr(VU)`` (rotation by ``at`` letters)
``reverse``     ``tr(W) → tr(Wᵀ)``
``zero-trace``  ``tr(W) → 0`` when ``Wᵀ``, with its skew letters rewritten,
                is ``−`` (rotation ``at`` of ``W``): then ``tr W = −tr W``

No simplifier is called; coefficients are :class:`~fractions.Fraction`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from orthoproof.errors import InvalidArgument
from orthoproof.prove.words import (
    Add,
    Expr,
    Identity,
    Inverse,
    Letter,
    Mul,
    Poly,
    Scalar,
    Scale,
    Sym,
    Term,
    Trace,
    Transpose,
    facts_of,
)

__all__ = ["RULES", "Step", "WordCertificate", "WordReport", "check_words"]

RULES = ("cancel", "skew", "symmetric", "cyclic", "reverse", "zero-trace")


@dataclass(frozen=True)
class Step:
    """One rewrite: the coefficient of ``before`` moves, times ``sign``, to ``after``.

    ``at`` is the letter position (``cancel``, ``skew``, ``symmetric``) or the
    rotation (``cyclic``, ``zero-trace``); ``after`` is ``None`` only for
    ``zero-trace``.
    """

    rule: str
    before: Term
    after: Term | None
    sign: int = 1
    at: int = 0


@dataclass(frozen=True)
class WordCertificate:
    """A dimension-free proof of ``lhs = rhs`` as a list of rewrite steps.

    ``congruence`` names a function ``f`` when the claim is ``f(lhs) = f(rhs)``
    for an arbitrary ``f`` (a loss that depends on the parameters only through
    ``lhs``): equal arguments give equal values, so proving ``lhs = rhs``
    proves the claim.
    """

    claim: str
    lhs: Expr
    rhs: Expr
    steps: tuple[Step, ...]
    congruence: str | None = None


@dataclass(frozen=True)
class WordReport:
    """The kernel's verdict: accepted, or the first reason for rejecting."""

    accepted: bool
    reason: str
    terms: int = 0
    steps: int = 0


# --- the kernel's own expansion (deliberately not shared with the prover) -------


def _merge(poly: Poly, term: Term, coef: Fraction) -> None:
    value = poly.get(term, Fraction(0)) + coef
    if value:
        poly[term] = value
    else:
        poly.pop(term, None)


def _flip(word: tuple[Letter, ...]) -> tuple[Letter, ...]:
    return tuple(Letter(x.name, not x.transposed, x.inverse) for x in word[::-1])


def _expand(e: Expr) -> Poly:
    one = Fraction(1)
    if isinstance(e, Sym):
        return {Term((), (Letter(e.name),), False): one}
    if isinstance(e, Inverse):
        return {Term((), (Letter(e.of.name, False, True),), False): one}
    if isinstance(e, Scalar):
        return {Term((e.name,), (), False): one}
    if isinstance(e, Identity):
        return {Term((), (), False): one}
    out: Poly = {}
    if isinstance(e, Transpose):
        scalar_arg = not e.arg.shape
        for t, c in _expand(e.arg).items():
            _merge(out, t if scalar_arg else Term(t.scalars, _flip(t.word), t.trace), c)
    elif isinstance(e, Scale):
        for t, c in _expand(e.arg).items():
            _merge(out, t, e.coef * c)
    elif isinstance(e, Trace):
        for t, c in _expand(e.arg).items():
            _merge(out, Term(t.scalars, t.word, True), c)
    elif isinstance(e, Add):
        for arg in e.args:
            for t, c in _expand(arg).items():
                _merge(out, t, c)
    elif isinstance(e, Mul):
        out = {Term((), (), False): one}
        for arg in e.args:
            nxt: Poly = {}
            for a, x in out.items():
                for b, y in _expand(arg).items():
                    s = tuple(sorted(a.scalars + b.scalars))
                    _merge(nxt, Term(s, a.word + b.word, a.trace or b.trace), x * y)
            out = nxt
    else:
        raise InvalidArgument.of("expr", e, "a words expression")
    return out


# --- the rules -------------------------------------------------------------------


def _cancels(x: Letter, y: Letter, facts: Mapping[str, str | None]) -> bool:
    if x.name != y.name:
        return False
    fact = facts.get(x.name)
    if fact == "orthogonal":
        # PᵀP and PPᵀ: one of the two transposed, neither inverted.
        return not x.inverse and not y.inverse and x.transposed != y.transposed
    if fact == "invertible":
        # M·M⁻¹ in either order, both plain or both transposed.
        return x.transposed == y.transposed and x.inverse != y.inverse
    return False


def _unskew(
    word: tuple[Letter, ...], facts: Mapping[str, str | None]
) -> tuple[tuple[Letter, ...], int]:
    """Rewrite every transposed skew or symmetric letter; return the sign."""
    sign, out = 1, []
    for x in word:
        fact = facts.get(x.name)
        if x.transposed and fact in ("skew", "symmetric"):
            sign *= -1 if fact == "skew" else 1
            x = Letter(x.name, False, x.inverse)
        out.append(x)
    return tuple(out), sign


def _apply(step: Step, facts: Mapping[str, str | None]) -> tuple[Term | None, int]:
    """What the rule gives for ``step.before`` (raises ``ValueError`` if nothing)."""
    t, i = step.before, step.at
    word = t.word
    if step.rule == "cancel":
        if not (0 <= i < len(word) - 1 and _cancels(word[i], word[i + 1], facts)):
            raise ValueError(f"no inverse pair at letter {i}")
        return Term(t.scalars, word[:i] + word[i + 2 :], t.trace), 1
    if step.rule in ("skew", "symmetric"):
        if not (0 <= i < len(word)) or not word[i].transposed:
            raise ValueError(f"no transposed letter at {i}")
        if facts.get(word[i].name) != step.rule:
            raise ValueError(f"{word[i].name} is not declared {step.rule}")
        plain = Letter(word[i].name, False, word[i].inverse)
        sign = -1 if step.rule == "skew" else 1
        return Term(t.scalars, (*word[:i], plain, *word[i + 1 :]), t.trace), sign
    if not t.trace:
        raise ValueError(f"{step.rule} applies to traces only")
    if step.rule == "cyclic":
        if not (0 <= i < max(len(word), 1)):
            raise ValueError(f"rotation {i} out of range")
        return Term(t.scalars, word[i:] + word[:i], True), 1
    if step.rule == "reverse":
        return Term(t.scalars, _flip(word), True), 1
    if step.rule == "zero-trace":
        mirrored, sign = _unskew(_flip(word), facts)
        if not (0 <= i < max(len(word), 1)) or mirrored != word[i:] + word[:i]:
            raise ValueError("the transpose is not a rotation of the word")
        if sign != -1:
            raise ValueError("the transpose equals the word with sign +, not −")
        return None, 1
    raise ValueError(f"unknown rule {step.rule!r}")


def check_words(cert: WordCertificate) -> WordReport:
    """Replay ``cert`` and accept only if every step is sound and the end is 0."""
    try:
        facts = facts_of(cert.lhs, cert.rhs)
        if cert.lhs.shape != cert.rhs.shape:
            return WordReport(False, f"shapes {cert.lhs.shape} ≠ {cert.rhs.shape}")
        state = _expand(Add((cert.lhs, Scale(Fraction(-1), cert.rhs))))
    except InvalidArgument as exc:
        return WordReport(False, f"ill-formed statement: {exc}")
    terms = len(state)
    for n, step in enumerate(cert.steps, start=1):
        coef = state.get(step.before)
        if not coef:
            return WordReport(False, f"step {n}: its term is not present", terms, n)
        try:
            after, sign = _apply(step, facts)
        except ValueError as exc:
            return WordReport(False, f"step {n} ({step.rule}): {exc}", terms, n)
        if after != step.after or sign != step.sign:
            return WordReport(
                False, f"step {n} ({step.rule}): not what the rule gives", terms, n
            )
        del state[step.before]
        if after is not None:
            _merge(state, after, sign * coef)
    if state:
        left = f"{len(state)} terms remain after the last step"
        return WordReport(False, left, terms, len(cert.steps))
    return WordReport(True, "", terms, len(cert.steps))
