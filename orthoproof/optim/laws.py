"""State laws beyond ``vector`` and ``square``, and the action that knows them.

:func:`orthoproof.optimisers.act_state` moves per-coordinate state only. The
extended catalogue also keeps structured state:

``conjugate``
    a k×k matrix on the hidden space (Shampoo's and full-matrix Adagrad's
    ``L = Σ GGᵀ``) moves by ``L → P L Pᵀ``;
``invariant``
    a quantity the group does not touch: one accumulator per embedding
    vector (row-wise Adagrad, from a column norm), a right preconditioner on
    the m-side, a scalar.

:class:`ExtOptimiser` keeps the two law families apart: ``laws`` lists only the
fields the original ``act_state`` understands, ``ext_laws`` the others. The
structured fields are created on the first step rather than by ``init``,
because their initial values (``εI``, constants) are fixed points of every
law; so the original ``run_pair``, which moves only ``laws`` and drops other
fields, still starts both runs from states related by ``P``. Moving a
non-trivial structured state (a warm start, a step claim) needs
:func:`act_state_ext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orthoproof.backends import Backend
from orthoproof.errors import InvalidArgument
from orthoproof.groups import squared
from orthoproof.models import HIDDEN
from orthoproof.optimisers import Optimiser, State

__all__ = ["LAWS", "ExtOptimiser", "act_state_ext", "all_laws"]

#: Every law a state field may declare.
LAWS = ("vector", "square", "conjugate", "invariant")


class ExtOptimiser(Optimiser):
    """An optimiser whose state may include structured (non-elementwise) fields.

    ``ext_laws`` maps each structured field to ``conjugate`` or ``invariant``;
    :meth:`field` fetches such a field for one parameter, creating it with
    :meth:`initial_ext` when the state does not hold it yet.
    """

    # Not a ClassVar: L-BFGS sets its own per instance (its pair fields depend
    # on history_size); every other optimiser shares the class's mapping.
    ext_laws: Mapping[str, str] = {}

    def initial_ext(self, xp: Backend, field: str, value: Any) -> Any:
        raise NotImplementedError

    def field(
        self, xp: Backend, state: State, field: str, name: str, value: Any
    ) -> Any:
        """State field ``field`` of parameter ``name``, created if absent."""
        held = state.get(field)
        if held is not None and name in held:
            return held[name]
        return self.initial_ext(xp, field, value)

    def resolved(self) -> dict[str, Any]:
        """Name, hyperparameters and state laws, as recorded in reports."""
        return {"name": self.name, "hyper": dict(self.hyper), "laws": all_laws(self)}


def all_laws(optimiser: Optimiser) -> dict[str, str]:
    """Every state field of ``optimiser`` with its law."""
    return {**optimiser.laws, **getattr(optimiser, "ext_laws", {})}


def act_state_ext(xp: Backend, optimiser: Optimiser, p: Any, state: State) -> State:
    """Move ``state`` by the group element ``p`` under every declared law.

    For ``vector`` and ``square`` fields it does what
    :func:`orthoproof.optimisers.act_state` does; ``conjugate`` fields of the
    hidden parameters become ``P L Pᵀ``; ``invariant`` fields, biases' fields
    and the step counter are kept. Fields absent from ``state`` stay absent.
    """
    linear, quadratic = xp.asarray(p), xp.asarray(squared(p))
    moved: State = {"t": state["t"]}
    for field, law in all_laws(optimiser).items():
        if field not in state:
            continue
        if law not in LAWS:
            raise InvalidArgument.of("law", law, f"one of {LAWS}")
        moved[field] = {
            n: (_move(law, linear, quadratic, v) if n in HIDDEN else v)
            for n, v in state[field].items()
        }
    return moved


def _move(law: str, linear: Any, quadratic: Any, value: Any) -> Any:
    if law == "vector":
        return linear @ value
    if law == "square":
        return quadratic @ value
    if law == "conjugate":
        return linear @ value @ linear.T
    return value
