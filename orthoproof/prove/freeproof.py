"""Dimension-free proofs: a normal form for matrix words and traces of words.

The prover expands ``lhs − rhs`` (:func:`~orthoproof.prove.words.expand`) and
rewrites every term to its normal form, recording each rewrite as a
:class:`~orthoproof.prove.wordkernel.Step`:

* letters: ``Sᵀ → −S`` (skew), ``Sᵀ → S`` (symmetric), then adjacent inverse
  pairs ``PᵀP``, ``PPᵀ``, ``MM⁻¹``, … are removed, leftmost first (the
  system is confluent, so the order does not matter);
* traces: inverse pairs across the ends are brought together by a rotation
  and removed; then, among all rotations of ``W`` and of ``Wᵀ`` (with its skew
  letters rewritten), the least word is chosen. If it is reached both with
  sign ``+`` and ``−``, the trace is zero.

Like terms collect as they meet. The claim is proved when nothing is left and
the kernel (:func:`~orthoproof.prove.wordkernel.check_words`) accepts the
steps; otherwise it is ``undecided``, never ``refuted``: a non-zero normal
form of a true identity only means the facts given were not enough.

>>> from orthoproof.prove.words import matrix, orthogonal
>>> A, B, P = matrix("A", "k", "m"), matrix("B", "k", "n"), orthogonal("P", "k")
>>> str(prove_words("demo", (P @ A).T @ (P @ B), A.T @ B).verdict)
'proved'
>>> str(prove_words("demo", (P @ A).T @ B, A.T @ B).verdict)
'undecided'
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from orthoproof.prove.wordkernel import Step, WordCertificate, WordReport, check_words
from orthoproof.prove.words import (
    Expr,
    Letter,
    Poly,
    Term,
    expand,
    facts_of,
    show,
    show_term,
    transpose_word,
)
from orthoproof.verdicts import Evidence, Verdict

__all__ = ["certify_words", "describe", "normal_form", "prove_words", "reduce"]

Facts = Mapping[str, str | None]


def _inverse_pair(x: Letter, y: Letter, facts: Facts) -> bool:
    if x.name != y.name:
        return False
    if facts.get(x.name) == "orthogonal":
        return not (x.inverse or y.inverse) and x.transposed != y.transposed
    if facts.get(x.name) == "invertible":
        return x.transposed == y.transposed and x.inverse != y.inverse
    return False


def _letter_step(term: Term, facts: Facts) -> Step | None:
    """The first letter rewrite that applies to ``term``, if any."""
    word = term.word
    for i, x in enumerate(word):
        fact = facts.get(x.name)
        if x.transposed and fact in ("skew", "symmetric"):
            plain = Letter(x.name, False, x.inverse)
            after = Term(term.scalars, (*word[:i], plain, *word[i + 1 :]), term.trace)
            return Step(fact, term, after, -1 if fact == "skew" else 1, i)
    for i in range(len(word) - 1):
        if _inverse_pair(word[i], word[i + 1], facts):
            after = Term(term.scalars, word[:i] + word[i + 2 :], term.trace)
            return Step("cancel", term, after, 1, i)
    # Around the ends of a trace: rotate the last letter to the front.
    if term.trace and len(word) > 2 and _inverse_pair(word[-1], word[0], facts):
        after = Term(term.scalars, word[-1:] + word[:-1], True)
        return Step("cyclic", term, after, 1, len(word) - 1)
    if term.trace and len(word) == 2 and _inverse_pair(word[1], word[0], facts):
        return Step("cyclic", term, Term(term.scalars, word[::-1], True), 1, 1)
    return None


def _unskewed(word: tuple[Letter, ...], facts: Facts) -> tuple[tuple[Letter, ...], int]:
    sign, out = 1, []
    for x in word:
        fact = facts.get(x.name)
        if x.transposed and fact in ("skew", "symmetric"):
            sign = -sign if fact == "skew" else sign
            x = Letter(x.name, False, x.inverse)
        out.append(x)
    return tuple(out), sign


def _trace_steps(term: Term, facts: Facts) -> list[Step]:
    """Steps taking a reduced trace to its canonical representative (or to 0)."""
    word, n = term.word, len(term.word)
    if n == 0:
        return []
    mirrored, sign = _unskewed(transpose_word(word), facts)
    rotations = [(word[r:] + word[:r], 1, r, False) for r in range(n)]
    rotations += [(mirrored[r:] + mirrored[:r], sign, r, True) for r in range(n)]
    least = min(w for w, *_ in rotations)
    signs = {s for w, s, *_ in rotations if w == least}
    if signs == {1, -1}:
        # Wᵀ (skew letters rewritten) is −(a rotation of W): tr W = −tr W.
        r = next(r for r in range(n) if mirrored == word[r:] + word[:r])
        return [Step("zero-trace", term, None, 1, r)]
    _, _s, r, via_mirror = next(x for x in rotations if x[0] == least)
    steps: list[Step] = []
    current = term
    if via_mirror:
        current_word = transpose_word(word)
        after = Term(term.scalars, current_word, True)
        steps.append(Step("reverse", current, after, 1, 0))
        current = after
        while (step := _letter_step(current, facts)) is not None and step.rule in (
            "skew",
            "symmetric",
        ):
            steps.append(step)
            current = step.after  # type: ignore[assignment]
    if r:
        w = current.word
        after = Term(term.scalars, w[r:] + w[:r], True)
        steps.append(Step("cyclic", current, after, 1, r))
    return steps


def reduce(poly: Poly, facts: Facts) -> tuple[Poly, list[Step]]:
    """Rewrite ``poly`` to normal form; return it with the steps taken."""
    state: Poly = dict(poly)
    steps: list[Step] = []

    def apply(step: Step) -> bool:
        coef = state.pop(step.before)
        if step.after is not None:
            total = state.get(step.after, Fraction(0)) + step.sign * coef
            if total:
                state[step.after] = total
            else:
                del state[step.after]
        steps.append(step)
        # Continue with the result only while it still has a coefficient.
        return step.after is not None and step.after in state

    for term in list(state):
        current: Term | None = term if term in state else None
        while current is not None:
            step = _letter_step(current, facts)
            if step is None:
                break
            current = step.after if apply(step) else None
        if current is not None and current.trace:
            for step in _trace_steps(current, facts):
                if not apply(step):
                    break
    return state, steps


def normal_form(expr: Expr) -> Poly:
    """The normal form of an expression under its symbols' facts.

    >>> from orthoproof.prove.words import matrix, skew, tr
    >>> A, S = matrix("A", "k", "m"), skew("S", "k")
    >>> show(normal_form(tr(A.T @ S @ A)))
    '0'
    """
    return reduce(expand(expr), facts_of(expr))[0]


def certify_words(
    claim: str, lhs: Expr, rhs: Expr, congruence: str | None = None
) -> tuple[WordCertificate, Poly]:
    """The certificate for ``lhs = rhs`` and the normal form left over (unchecked)."""
    facts = facts_of(lhs, rhs)
    residual, steps = reduce(expand(lhs - rhs), facts)
    return WordCertificate(claim, lhs, rhs, tuple(steps), congruence), residual


_RULE_TEXT = {
    "cancel": "cancel an inverse pair",
    "skew": "Sᵀ = −S",
    "symmetric": "Sᵀ = S",
    "cyclic": "rotate the trace",
    "reverse": "tr(W) = tr(Wᵀ)",
    "zero-trace": "tr(W) = tr(Wᵀ) = −tr(W), so 0",
}


def describe(cert: WordCertificate, report: WordReport | None = None) -> list[str]:
    """Readable, numbered steps of a certificate (and the kernel's verdict)."""
    lines = [f"statement: {cert.lhs} = {cert.rhs}"]
    if cert.congruence:
        lines.append(
            f"{cert.congruence} depends on the parameters only through this "
            "expression, so equal arguments give equal values"
        )
    lines.append(f"expand lhs − rhs: {show(expand(cert.lhs - cert.rhs))}")
    for step in cert.steps:
        before = show_term(step.before)
        after = "0" if step.after is None else show_term(step.after)
        sign = "−" if step.sign < 0 else ""
        lines.append(f"{_RULE_TEXT[step.rule]}: {before} → {sign}{after}")
    if report is not None:
        outcome = "0, accepted" if report.accepted else f"rejected: {report.reason}"
        lines.append(f"kernel replayed {report.steps} steps: {outcome}")
    return [f"{i}. {text}" for i, text in enumerate(lines, start=1)]


def prove_words(
    claim: str, lhs: Expr, rhs: Expr, *, congruence: str | None = None
) -> Evidence:
    """Prove ``lhs = rhs`` for all shapes, or report ``undecided``.

    Returns
    -------
    Evidence
        ``kind="symbolic"``, ``dimensions=None`` (all shapes); ``proved`` only
        when the normal form of ``lhs − rhs`` is 0 *and* the kernel accepted
        the certificate. The certificate's ``steps`` are readable.
    """
    return prove_parts(claim, [(claim, lhs, rhs, congruence)])


def prove_parts(
    claim: str, parts: list[tuple[str, Expr, Expr, str | None]], statement: str = ""
) -> Evidence:
    """Prove every part of a claim; ``proved`` only if all are kernel-accepted."""
    started = time.perf_counter()
    summaries: list[dict[str, Any]] = []
    reasons: list[str] = []
    for name, lhs, rhs, congruence in parts:
        cert, residual = certify_words(name, lhs, rhs, congruence)
        report = check_words(cert)
        if residual:
            reasons.append(f"{name}: normal form of lhs − rhs is {show(residual)}")
        elif not report.accepted:
            reasons.append(f"{name}: kernel rejected the certificate: {report.reason}")
        summaries.append(
            {
                "claim": name,
                "lhs": str(lhs),
                "rhs": str(rhs),
                "congruence": congruence,
                "residual": show(residual),
                "kernel": {"accepted": report.accepted, "reason": report.reason},
                "steps": describe(cert, report),
            }
        )
    elapsed = round(time.perf_counter() - started, 6)
    proved = bool(parts) and not reasons
    what = statement or claim
    summary = (
        f"{what} proved for all shapes; the word kernel replayed every step"
        if proved
        else f"{what} not proved: {'; '.join(reasons)}"
    )
    steps = [f"[{s['claim']}] {line}" for s in summaries for line in s["steps"]]
    return Evidence(
        kind="symbolic",
        verdict=Verdict.PROVED if proved else Verdict.UNDECIDED,
        summary=summary,
        dimensions=None,
        certificate={"claim": claim, "parts": summaries, "steps": steps},
        details={
            "method": "dimension-free",
            "reason": "; ".join(reasons),
            "timings_s": {"total": elapsed},
        },
    )
