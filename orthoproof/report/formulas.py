"""Claim statements and exact matrices as MathML, printed by sympy.

A report shows each claim twice: as the catalogue's sentence and as a formula
that a mathematician can read at a glance. The formula is built as a sympy
expression from the claim's family (the part of its id before the first
``/``) and printed with sympy's presentation MathML printer, which browsers
render natively without any script. A family without a formula here gets
none; the sentence is then the whole statement.

sympy is imported inside the functions: ``import orthoproof`` must stay fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

__all__ = ["claim_formulas", "matrix_mathml"]

#: Named character references sympy writes, as numeric ones: the report must
#: stay well-formed XML-ish text that any reader (and JUnit tooling) accepts.
_ENTITIES = {"&InvisibleTimes;": "&#x2062;", "&ApplyFunction;": "&#x2061;"}


def claim_formulas(claim_id: str, group: str) -> list[str]:
    """The MathML of a claim's statement and of its side conditions.

    Parameters
    ----------
    claim_id
        The claim's id, e.g. ``"loss-invariance/glove"``.
    group
        The group the claim was checked under (``"O"``, ``"signed-perm"``, ...).

    Returns
    -------
    list of str
        ``<math display="block">`` elements, the statement first; empty when
        the family has no formula.

    Examples
    --------
    >>> formulas = claim_formulas("product-invariance", "O")
    >>> len(formulas), formulas[0].startswith('<math display="block">')
    (2, True)
    """
    family = claim_id.split("/", 1)[0]
    return list(_family_formulas(family, group))


def matrix_mathml(rows: Sequence[Sequence[Any]]) -> str | None:
    """An exact matrix (entries such as ``"3/5"``) as MathML.

    Returns ``None`` when an entry is not a number that sympy reads exactly, so
    the caller can fall back to plain text rather than show a wrong value.
    """
    import sympy

    try:
        matrix = sympy.Matrix(
            [[sympy.Rational(str(entry)) for entry in row] for row in rows]
        )
    except (TypeError, ValueError, sympy.SympifyError):
        return None
    # Block display: inline MathML shrinks every fraction of a matrix to script size.
    return _wrap(_print(matrix), display="block")


@cache
def _family_formulas(family: str, group: str) -> tuple[str, ...]:
    # Printing is deterministic, so each (family, group) is printed only once
    # however many claims share it.
    builder = _BUILDERS.get(family)
    if builder is None:
        return ()
    expressions = [*builder(), *_group_condition(group)]
    return tuple(_wrap(_print(expr), display="block") for expr in expressions)


def _print(expr: Any) -> str:
    from sympy.printing.mathml import mathml

    text = str(mathml(expr, printer="presentation"))
    for named, numeric in _ENTITIES.items():
        text = text.replace(named, numeric)
    return text


def _wrap(body: str, display: str) -> str:
    return f'<math display="{display}">{body}</math>'


def _applied(name: str) -> Any:
    """An undefined function that prints under its own name.

    sympy's MathML printer lower-cases function names (``E`` would read as
    Euler's number ``e``), so the function prints itself instead.
    """
    import sympy

    def _mathml_presentation(self: Any, printer: Any) -> Any:
        row = printer.dom.createElement("mrow")
        # A symbol of that name, so that "Φ_T" gets its subscript.
        row.appendChild(printer._print(sympy.Symbol(name)))
        row.appendChild(printer._print(sympy.Tuple(*self.args)))
        return row

    ascii_name = re.sub(r"\W", "_", name.encode("ascii", "replace").decode()) or "f"
    namespace = {"_mathml_presentation": _mathml_presentation}
    return type(f"Applied_{ascii_name}", (sympy.Function,), namespace)


def _symbols() -> dict[str, Any]:
    """The matrices of DESIGN §1: A is k×m, B is k×n, P and S are k×k."""
    from sympy import MatrixSymbol, Symbol

    k, m, n = Symbol("k"), Symbol("m"), Symbol("n")
    square = ("P", "S", "M", "Q_t", "Q_t+1")
    matrices = {name: MatrixSymbol(name, k, k) for name in square}
    matrices |= {name: MatrixSymbol(name, k, m) for name in ("A", "A_0", "A_T")}
    matrices |= {name: MatrixSymbol(name, k, n) for name in ("B", "B_0", "B_T")}
    matrices |= {"∇_A": MatrixSymbol("∇_A", k, m), "∇_B": MatrixSymbol("∇_B", k, n)}
    return matrices


def _product_invariance() -> list[Any]:
    from sympy import Eq, MatMul, Transpose

    s = _symbols()
    P, A, B = s["P"], s["A"], s["B"]
    # Unevaluated, or sympy would rewrite (PA)ᵀ as AᵀPᵀ and hide the claim.
    lhs = MatMul(Transpose(MatMul(P, A)), MatMul(P, B), evaluate=False)
    return [Eq(lhs, MatMul(Transpose(A), B), evaluate=False)]


def _loss_invariance() -> list[Any]:
    from sympy import Eq

    s = _symbols()
    E = _applied("E")
    return [Eq(E(s["P"] * s["A"], s["P"] * s["B"]), E(s["A"], s["B"]))]


def _gradient_equivariance() -> list[Any]:
    from sympy import Eq, Mul, Symbol

    s = _symbols()
    grad = _applied("∇E")
    # P acts on the pair (∇_A E, ∇_B E); a non-commuting symbol keeps it on the left.
    acting = Symbol("P", commutative=False)
    rhs = Mul(acting, grad(s["A"], s["B"]), evaluate=False)
    return [Eq(grad(s["P"] * s["A"], s["P"] * s["B"]), rhs, evaluate=False)]


def _orbit_orthogonality() -> list[Any]:
    from sympy import Eq, Trace, Transpose

    s = _symbols()
    # ⟨∇E, (SA, SB)⟩ written out as the trace inner product it stands for.
    pairing = Trace(Transpose(s["∇_A"]) * s["S"] * s["A"]) + Trace(
        Transpose(s["∇_B"]) * s["S"] * s["B"]
    )
    return [Eq(pairing, 0), Eq(Transpose(s["S"]), -s["S"])]


def _step_equivariance() -> list[Any]:
    from sympy import Eq, Mul, Symbol

    # Parameters θ and optimiser state s are not matrices of one shape, so P
    # acts on them as an operator: non-commuting symbols keep the order.
    P, theta, state = (Symbol(name, commutative=False) for name in ("P", "θ", "s"))
    step = _applied("step")
    lhs = step(Mul(P, theta, evaluate=False), Mul(P, state, evaluate=False))
    return [Eq(lhs, Mul(P, step(theta, state), evaluate=False), evaluate=False)]


def _trajectory_equivariance() -> list[Any]:
    from sympy import Eq, Tuple

    s = _symbols()
    P = s["P"]
    run = _applied("Φ_T")
    lhs = run(P * s["A_0"], P * s["B_0"])
    return [Eq(lhs, Tuple(P * s["A_T"], P * s["B_T"]), evaluate=False)]


def _init_invariance() -> list[Any]:
    from sympy import Eq

    s = _symbols()
    density = _applied("π")
    lhs = density(s["P"] * s["A_0"], s["P"] * s["B_0"])
    return [Eq(lhs, density(s["A_0"], s["B_0"]), evaluate=False)]


def _gl_invariance() -> list[Any]:
    from sympy import Eq, Inverse, Transpose

    s = _symbols()
    M, E = s["M"], _applied("E")
    lhs = E(M * s["A"], Transpose(Inverse(M)) * s["B"])
    return [Eq(lhs, E(s["A"], s["B"]), evaluate=False)]


def _balance_drift() -> list[Any]:
    from sympy import Eq, Symbol, Transpose

    s = _symbols()
    grad_a, grad_b = s["∇_A"], s["∇_B"]
    drift = grad_a * Transpose(grad_a) - grad_b * Transpose(grad_b)
    lhs = s["Q_t+1"] - s["Q_t"]
    return [Eq(lhs, Symbol("η") ** 2 * drift, evaluate=False)]


def _group_condition(group: str) -> list[Any]:
    from sympy import Eq, Identity, Symbol, Transpose

    P = _symbols()["P"]
    if group in ("O", "SO"):
        return [Eq(Transpose(P) * P, Identity(Symbol("k")), evaluate=False)]
    return []


_BUILDERS: dict[str, Callable[[], list[Any]]] = {
    "product-invariance": _product_invariance,
    "loss-invariance": _loss_invariance,
    "gradient-equivariance": _gradient_equivariance,
    "orbit-orthogonality": _orbit_orthogonality,
    "step-equivariance": _step_equivariance,
    "trajectory-equivariance": _trajectory_equivariance,
    "init-invariance": _init_invariance,
    "gl-invariance": _gl_invariance,
    "balance-drift": _balance_drift,
}
