"""Run torch code with its casts to a lower float precision lifted.

Some optimisers round part of their update below the parameters' precision on
purpose: torch's Muon orthogonalises in bfloat16 whatever the parameters'
dtype. Its deviation then sits at bfloat16 rounding on every rung of the
precision ladder, and the near-identity control (:mod:`orthoproof.gate.control`)
can only say that it looks like rounding, not that the update is equivariant.

Lifting answers the remaining question. During a lifted run the casts
``Tensor.bfloat16()``, ``Tensor.half()`` and ``Tensor.to(<bfloat16 | float16>)``
keep the tensor's own dtype, so the optimiser's arithmetic runs at the
parameters' precision and the ladder can read the scaling again. The casts are
counted: a lift that met none changed nothing and proves nothing. What is
checked is then the optimiser's algorithm, not its bfloat16 rounding, and the
report says so.

The patch is on ``torch.Tensor`` and is undone when the run ends, also when the
user's code raises.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from orthoproof.gate.precisions import Precision
from orthoproof.trajectory.classify import Scaling

__all__ = ["Lift", "LiftedRunner", "lifted_casts"]

Params = dict[str, Any]


@contextlib.contextmanager
def lifted_casts(counts: Counter[str]) -> Iterator[None]:
    """Within the scope, casts to bfloat16 or float16 keep the tensor's dtype."""
    import torch

    low = (torch.bfloat16, torch.float16)
    saved = {name: getattr(torch.Tensor, name) for name in ("bfloat16", "half", "to")}

    def keep(name: str) -> Any:
        def cast(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
            counts[name] += 1
            return self.clone()

        return cast

    def to(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        # Only a dtype naming a low precision is replaced; devices, copies and
        # every other conversion go through unchanged.
        lifted = [
            self.dtype if isinstance(a, torch.dtype) and a in low else a for a in args
        ]
        hits = sum(1 for a, b in zip(args, lifted, strict=True) if a is not b)
        if kwargs.get("dtype") in low:
            kwargs["dtype"] = self.dtype
            hits += 1
        counts["to"] += hits
        return saved["to"](self, *lifted, **kwargs)

    try:
        torch.Tensor.bfloat16 = keep("bfloat16")  # type: ignore[method-assign]
        torch.Tensor.half = keep("half")  # type: ignore[method-assign]
        torch.Tensor.to = to  # type: ignore[method-assign, assignment]
        yield
    finally:
        for name, fn in saved.items():
            setattr(torch.Tensor, name, fn)


class LiftedRunner:
    """A torch runner whose runs happen inside :func:`lifted_casts`.

    ``casts`` counts the lifted casts over every run, by method name.
    """

    kind = "torch (lifted)"

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.casts: Counter[str] = Counter()

    def supports(self, precision: Precision) -> bool:
        return bool(self.runner.supports(precision))

    def run(
        self, precision: Precision, params: Params, x: Any, steps: int
    ) -> list[Params]:
        with lifted_casts(self.casts):
            return list(self.runner.run(precision, params, x, steps))


@dataclass(frozen=True)
class Lift:
    """The precision ladder re-run with low-precision casts lifted.

    ``casts`` counts the lifted casts by method name; ``scaling`` is the
    classifier's reading of the lifted deviations. ``equivariant`` is true only
    when casts were lifted and the lifted deviation shrinks with precision.
    """

    casts: dict[str, int]
    scaling: Scaling

    @property
    def equivariant(self) -> bool:
        return sum(self.casts.values()) > 0 and self.scaling.kind in (
            "shrinks",
            "exact-zero",
        )

    @property
    def reason(self) -> str:
        total = sum(self.casts.values())
        if total == 0:
            return "no cast to bfloat16 or float16 was met, so lifting changed nothing"
        what = ", ".join(f"{name} × {n}" for name, n in sorted(self.casts.items()))
        reading = (
            "the update is equivariant at the parameters' precision; the "
            "deviation seen without the lift is that rounding"
            if self.equivariant
            else "the lifted deviation does not shrink either"
        )
        return (
            f"with {total} casts to bfloat16/float16 ({what}) lifted to the "
            f"parameters' dtype, {self.scaling.kind}: {self.scaling.reason}; {reading}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "casts_lifted": dict(self.casts),
            "classification": self.scaling.kind,
            "deviations": list(self.scaling.deviations),
            "equivariant": self.equivariant,
            "reason": self.reason,
        }
