"""Run an optimiser, whatever its kind, on the check's quadratic problem.

Three kinds are understood:

* **protocol** objects with ``init(params) -> state`` and
  ``step(params, grads, state) -> (params, state)``; or a factory (class or
  function) that returns one when called with the options;
* **torch** ``torch.optim.Optimizer`` subclasses, constructed with the options;
* **optax** ``GradientTransformation``s (``init``/``update``) or factories of
  one, when optax and jax are installed.

Every runner is started afresh from the parameters it is given: the state is
initialised from the (possibly moved) parameters, never transported by a law of
our choosing. A user optimiser's state law is not assumed, so the check tests
"start from Pθ₀ with a fresh state", which is what a user's training run does.

The loss is ``½‖AᵀB − X‖²`` with O(1) entries, so gradients are far above any
eps and stay so for the default number of steps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from orthoproof.errors import InvalidArgument
from orthoproof.gate.calling import call, finite_array
from orthoproof.gate.precisions import Precision

__all__ = ["PARAM_FORMS", "Runner", "make_runner", "quadratic_gradient"]

#: How the parameters are handed to a protocol optimiser.
PARAM_FORMS = ("dict", "sequence", "array")

Params = dict[str, np.ndarray]


def quadratic_gradient(params: Mapping[str, Any], x: Any) -> Params:
    """Gradient of ``½‖AᵀB − X‖²``: ``(B Gᵀ, A G)`` with ``G = AᵀB − X``."""
    a, b = params["A"], params["B"]
    g = a.T @ b - x
    return {"A": b @ g.T, "B": a @ g}


class Runner(Protocol):
    """Runs ``steps`` optimiser steps and returns the parameters after each."""

    kind: str

    def supports(self, precision: Precision) -> bool: ...

    def run(
        self, precision: Precision, params: Params, x: Any, steps: int
    ) -> list[Params]: ...


class ProtocolRunner:
    """An ``init``/``step`` object, fed numpy arrays of the rung's kind."""

    kind = "protocol"

    def __init__(self, make: Callable[[], Any], form: str) -> None:
        if form not in PARAM_FORMS:
            raise InvalidArgument.of("params", form, f"one of {PARAM_FORMS}")
        self.make, self.form = make, form

    def supports(self, precision: Precision) -> bool:
        return True

    def _pack(self, arrays: Params) -> Any:
        a, b = arrays["A"].copy(), arrays["B"].copy()
        if self.form == "dict":
            return {"A": a, "B": b}
        if self.form == "sequence":
            return [a, b]
        return np.concatenate([a, b], axis=1)

    def _unpack(self, value: Any, like: Params, precision: Precision) -> Params:
        shapes = {key: v.shape for key, v in like.items()}
        if self.form == "dict" and isinstance(value, Mapping):
            out = {key: value.get(key) for key in ("A", "B")}
        elif self.form == "sequence" and isinstance(value, Sequence):
            out = dict(zip(("A", "B"), list(value), strict=False))
        elif self.form == "array":
            array = np.asarray(value)
            m = shapes["A"][1]
            out = {"A": array[:, :m], "B": array[:, m:]} if array.ndim == 2 else {}
            if array.ndim == 2 and array.shape[1] != m + shapes["B"][1]:
                out = {}
        else:
            out = {}
        if set(out) != {"A", "B"} or any(v is None for v in out.values()):
            raise _shape_error(value, self.form)
        return {
            key: finite_array(f"step (params {key})", v, shapes[key], precision)
            for key, v in out.items()
        }

    def run(
        self, precision: Precision, params: Params, x: Any, steps: int
    ) -> list[Params]:
        optimiser = self.make()
        state = call("init", optimiser.init, self._pack(params))
        trajectory = []
        for _ in range(steps):
            grads = quadratic_gradient(params, x)
            out = call(
                "step", optimiser.step, self._pack(params), self._pack(grads), state
            )
            if not isinstance(out, tuple | list) or len(out) != 2:
                raise _shape_error(out, "(params, state)")
            params = self._unpack(out[0], params, precision)
            state = out[1]
            trajectory.append(params)
        return trajectory


def _shape_error(value: Any, form: str) -> Exception:
    from orthoproof.gate.errors import UserCodeError

    return UserCodeError(
        f"step returned {type(value).__name__}; expected params as {form} "
        "with A (k×m) and B (k×n)"
    )


class TorchRunner:
    """A ``torch.optim.Optimizer`` subclass, in float32 and float64 only.

    ``torch.optim.SparseAdam`` refuses dense gradients, so for it (and its
    subclasses) every gradient is handed over in sparse COO form. The dense
    gradient has no exact zeros on the check's problem, so the sparse form
    holds every entry and SparseAdam updates every coordinate, as Adam does.
    """

    kind = "torch"

    def __init__(self, cls: type, options: Mapping[str, Any]) -> None:
        self.cls, self.options = cls, dict(options)

    def supports(self, precision: Precision) -> bool:
        return precision.name in ("float32", "float64")

    def _wants_sparse(self) -> bool:
        import torch

        return issubclass(self.cls, torch.optim.SparseAdam)

    def run(
        self, precision: Precision, params: Params, x: Any, steps: int
    ) -> list[Params]:
        import torch

        dtype = {"float32": torch.float32, "float64": torch.float64}[precision.name]
        a = torch.tensor(np.asarray(params["A"]), dtype=dtype, requires_grad=True)
        b = torch.tensor(np.asarray(params["B"]), dtype=dtype, requires_grad=True)
        target = torch.tensor(np.asarray(x), dtype=dtype)
        optimiser = call(self.cls.__name__, self.cls, [a, b], **self.options)
        sparse = self._wants_sparse()

        def closure() -> Any:
            # Every optimiser accepts a closure; L-BFGS needs one.
            optimiser.zero_grad()
            loss = 0.5 * ((a.T @ b - target) ** 2).sum()
            loss.backward()
            if sparse:
                for tensor in (a, b):
                    # backward() has just filled it: both tensors enter the loss.
                    assert tensor.grad is not None
                    tensor.grad = tensor.grad.to_sparse()
            return loss

        trajectory = []
        for _ in range(steps):
            call(f"{self.cls.__name__}.step", optimiser.step, closure)
            trajectory.append(
                {"A": a.detach().numpy().copy(), "B": b.detach().numpy().copy()}
            )
        return trajectory


def _x64() -> contextlib.AbstractContextManager[Any]:
    """A scope in which jax keeps float64 arrays as float64.

    Without it jax silently computes in float32, leaving a single precision
    and nothing to read a scaling from. The switch is scoped, so the caller's
    own jax setting is left as it was.
    """
    import jax

    if hasattr(jax, "enable_x64"):  # jax ≥ 0.7
        return jax.enable_x64(True)
    from jax.experimental import enable_x64

    return enable_x64()


class OptaxRunner:
    """An optax ``GradientTransformation`` on jax arrays, in float32 and float64.

    float64 is switched on for the run only (see :func:`_x64`). The returned
    arrays are not converted, so a transformation that quietly drops to float32
    is caught by the check's dtype test rather than hidden.
    """

    kind = "optax"

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def supports(self, precision: Precision) -> bool:
        return precision.name in ("float32", "float64")

    def run(
        self, precision: Precision, params: Params, x: Any, steps: int
    ) -> list[Params]:
        import jax.numpy as jnp
        import optax

        with _x64():
            transform = self.make()
            current = {key: jnp.asarray(v) for key, v in params.items()}
            target = jnp.asarray(x)
            state = call("init", transform.init, current)
            trajectory = []
            for _ in range(steps):
                grads = quadratic_gradient(current, target)
                updates, state = call("update", transform.update, grads, state, current)
                current = optax.apply_updates(current, updates)
                trajectory.append({key: np.asarray(v) for key, v in current.items()})
        return trajectory


def _is_torch_optimiser(obj: Any) -> bool:
    torch = __import__("sys").modules.get("torch")
    return (
        torch is not None
        and isinstance(obj, type)
        and issubclass(obj, torch.optim.Optimizer)
    )


def make_runner(
    opt: Any,
    options: Mapping[str, Any] | None = None,
    *,
    params: str = "dict",
    target: str | None = None,
) -> Runner:
    """The runner for an optimiser given as an object, a factory or a class.

    ``target``, the import path ``opt`` was loaded from, is what an error shows
    when ``opt`` is no optimiser: the path the user wrote, not an object's repr.
    """
    options = dict(options or {})
    if _is_torch_optimiser(opt):
        return TorchRunner(opt, options)
    if hasattr(opt, "init") and hasattr(opt, "step") and not isinstance(opt, type):
        if options:
            raise InvalidArgument.of(
                "options", options, "none: the optimiser is already built"
            )
        return ProtocolRunner(lambda: opt, params)
    if hasattr(opt, "init") and hasattr(opt, "update") and not isinstance(opt, type):
        return OptaxRunner(lambda: opt)
    if callable(opt):
        built = call("optimiser factory", opt, **options)
        if hasattr(built, "init") and hasattr(built, "step"):
            return ProtocolRunner(
                lambda: call("optimiser factory", opt, **options), params
            )
        if hasattr(built, "init") and hasattr(built, "update"):
            return OptaxRunner(lambda: call("optimiser factory", opt, **options))
    shown = repr(target) if target is not None else repr(opt)
    raise InvalidArgument(
        f"optimiser={shown} ({type(opt).__name__}): expected an object with "
        "init/step, a factory of one, a torch.optim.Optimizer class, or an optax "
        "GradientTransformation"
    )
