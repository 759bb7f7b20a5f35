"""Calling the user's code and holding its answers to account.

Whatever the user's code does wrong (raises, exits, returns NaN, the wrong shape
or a non-number) becomes a :class:`UserCodeError` that names the callable, the
precision and the cause, so the CLI can exit with status 2 and say why. The
warnings it emits are gathered by :func:`recorded_warnings` and summed up by
:func:`warnings_note`, so that they reach the user once, as one line.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from orthoproof.gate.errors import UserCodeError
from orthoproof.gate.precisions import Precision, to_float64

__all__ = [
    "HardExit",
    "call",
    "describe",
    "finite_array",
    "finite_scalar",
    "recorded_warnings",
    "safe_text",
    "trapped_os_exit",
    "warnings_note",
]

#: Distinct warnings listed in full by :func:`warnings_note`; the rest are counted.
_LISTED = 5


def call(what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, with any exception turned into UserCodeError.

    ``SystemExit`` is turned too: left alone, a ``sys.exit(0)`` in the user's
    code would end a CI gate with status 0 and no report, a silent pass. So is
    ``os._exit`` (see :func:`trapped_os_exit`). ``KeyboardInterrupt`` and the
    other non-``Exception`` signals (such as pytest's skip) pass through, since
    they are meant to stop the caller.
    """
    try:
        with trapped_os_exit():
            return fn(*args, **kwargs)
    except UserCodeError:
        raise
    except (Exception, SystemExit) as exc:  # the user's code may raise anything
        raise UserCodeError(f"{what} raised {describe(exc)}") from exc


class HardExit(SystemExit):
    """The user's code called ``os._exit``; raised in its place."""


@contextlib.contextmanager
def trapped_os_exit() -> Iterator[None]:
    """Within the scope, ``os._exit`` in this process raises :class:`HardExit`.

    ``os._exit`` ends the process at once, skipping every handler, with the
    status it is given: a user's ``os._exit(0)`` would pass a CI gate. A
    forked child (multiprocessing) still exits for real, as it must.
    """
    real, parent = os._exit, os.getpid()
    if getattr(real, "_orthoproof_trap", False):  # already trapped further up
        yield
        return

    def trap(status: int) -> None:
        if os.getpid() != parent:
            real(status)
        raise HardExit(status)

    trap._orthoproof_trap = True  # type: ignore[attr-defined]
    # os._exit is the platform module's: posix._exit names the same function.
    modules = [m for m in (os, sys.modules.get("posix")) if m is not None]
    saved = [(m, m._exit) for m in modules]
    for module in modules:
        setattr(module, "_exit", trap)  # noqa: B010 - mypy knows no posix._exit
    try:
        yield
    finally:
        for module, function in saved:
            setattr(module, "_exit", function)  # noqa: B010


def safe_text(value: Any, render: Callable[[Any], str] = str) -> str:
    """``render(value)``, or a placeholder when the user's ``__str__`` misbehaves.

    Turning a user's object into text runs the user's code: it may raise,
    even ``SystemExit``, where nothing else would catch it.
    """
    try:
        return render(value)
    except BaseException:  # anything at all, SystemExit included
        return f"<{type(value).__name__} that cannot be shown>"


def describe(exc: BaseException) -> str:
    """``ValueError: message``, or ``SystemExit(0)`` showing the exit status."""
    if isinstance(exc, HardExit):
        return f"os._exit({safe_text(exc.code, repr)})"
    if isinstance(exc, SystemExit):
        return f"SystemExit({safe_text(exc.code, repr)})"
    return f"{type(exc).__name__}: {safe_text(exc)}"


def _array(what: str, value: Any, precision: Precision) -> np.ndarray:
    """``value`` as an array, or a UserCodeError saying why it is not one."""
    try:
        return np.asarray(value)
    except (Exception, SystemExit) as exc:  # ragged lists, or the user's __array__
        raise UserCodeError(
            f"{what} returned {type(value).__name__} at {precision.name}, which "
            f"is not an array ({describe(exc)})"
        ) from exc


@contextlib.contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Within the scope, warnings are recorded instead of printed.

    The filters in force are kept: ``-W error`` still turns a warning into an
    exception (which :func:`call` then reports), ``ignore`` still hides it, and
    the default action still shows each warning once per place.
    """
    with warnings.catch_warnings(record=True) as caught:
        yield caught


def warnings_note(caught: list[warnings.WarningMessage]) -> str | None:
    """One line naming each distinct warning and where it was raised, or None."""
    distinct: dict[tuple[str, str, str], None] = {}
    for record in caught:
        place = f"{Path(record.filename).name}:{record.lineno}"
        # Whitespace folded: a multi-line warning must not break the one line.
        text = " ".join(safe_text(record.message).split())
        distinct[(record.category.__name__, place, text)] = None
    if not distinct:
        return None
    listed = [f"{kind} at {place}: {text}" for kind, place, text in distinct]
    more = len(listed) - _LISTED
    shown = "; ".join(listed[:_LISTED]) + (f"; and {more} more" if more > 0 else "")
    return f"warnings while checking (each shown once): {shown}"


def finite_scalar(what: str, value: Any, precision: Precision) -> float:
    """Check that ``value`` is one finite number; return it as float64."""
    array = _array(what, value, precision)
    if array.shape != ():
        raise UserCodeError(
            f"{what} returned shape {array.shape} at {precision.name}; "
            "expected a scalar"
        )
    try:
        number = float(array.item())
    except (TypeError, ValueError) as exc:
        raise UserCodeError(
            f"{what} returned {type(value).__name__} at {precision.name}; "
            "expected a number"
        ) from exc
    if not math.isfinite(number):
        raise UserCodeError(
            f"{what} returned {number} (not finite) at {precision.name}"
        )
    return number


def finite_array(
    what: str, value: Any, shape: tuple[int, ...], precision: Precision
) -> np.ndarray:
    """Check the shape and finiteness of a returned array."""
    array = _array(what, value, precision)
    if array.shape != shape:
        raise UserCodeError(
            f"{what} returned shape {array.shape} at {precision.name}; expected {shape}"
        )
    try:
        as_float = to_float64(array)
    except (TypeError, ValueError) as exc:
        raise UserCodeError(f"{what} returned non-numbers at {precision.name}") from exc
    if not np.all(np.isfinite(as_float)):
        raise UserCodeError(f"{what} returned NaN or inf at {precision.name}")
    return array
