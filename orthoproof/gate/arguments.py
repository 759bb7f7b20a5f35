"""The arguments of ``orthoproof check``, judged before any user code runs.

The gate's rule for bad input is exit status 2 and one line that names the flag
as the user typed it, shows the value and says what would be valid. Whatever can
be judged from the command line alone is judged here, before the user's module
is imported and before any time is spent checking: numbers numpy would refuse,
options the chosen kind of check would silently ignore, contradictory
expectations, and report paths that could not be written.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orthoproof.errors import InvalidArgument
from orthoproof.gate.problem import GROUPS
from orthoproof.gate.results import parse_expectations
from orthoproof.options import check_output_file

__all__ = ["DEFAULTS", "CheckArguments", "checked_arguments", "flag"]

#: Defaults of the options that belong to one kind of check. The parser leaves
#: them ``None``, so that one given to the other kind can be told from one left
#: alone, and refused rather than silently ignored.
DEFAULTS: dict[str, Any] = {
    "grad": None,
    "data_keys": "X",
    "steps": 20,
    "options": "{}",
    "params": "dict",
}
_ONLY = {"loss": ("grad", "data_keys"), "optimiser": ("steps", "options", "params")}
_DATA_KEYS = ("X", "W", "b", "c")


@dataclass(frozen=True)
class CheckArguments:
    """What ``orthoproof check`` was asked to do, every value already valid."""

    kind: str
    target: str
    grad: str | None
    groups: tuple[str, ...]
    expectations: dict[str, str]
    seed: int
    k: int
    m: int
    n: int
    steps: int
    options: dict[str, Any]
    params: str
    data_keys: tuple[str, ...]
    json: Path | None
    junit: Path | None


def flag(name: str) -> str:
    """The flag of a parsed argument: ``data_keys`` is ``--data-keys``."""
    return "--" + name.replace("_", "-")


def checked_arguments(args: argparse.Namespace) -> CheckArguments:
    """Validate parsed ``check`` arguments and fill in the kind-specific defaults.

    Raises
    ------
    InvalidArgument
        Naming the first bad flag as typed, its value, and what would be valid.
    """
    kind = "loss" if args.loss is not None else "optimiser"
    _refuse_misplaced(args, kind)
    given = {
        name: DEFAULTS[name] if getattr(args, name) is None else getattr(args, name)
        for name in DEFAULTS
    }
    _at_least("--seed", args.seed, 0, "a non-negative integer")
    _at_least("--steps", given["steps"], 1, "a positive integer")
    # k = 1 has only ±1: O, SO and the signed permutations would coincide.
    _at_least("--k", args.k, 2, "an integer of at least 2")
    _at_least("--m", args.m, 1, "a positive integer")
    _at_least("--n", args.n, 1, "a positive integer")
    # A group named twice would be checked, and reported, twice.
    groups = tuple(dict.fromkeys(args.group or GROUPS))
    json_path, junit_path = _outputs(args.json, args.junit)
    return CheckArguments(
        kind=kind,
        target=getattr(args, kind),
        grad=given["grad"],
        groups=groups,
        expectations=_expectations(args.expect, groups),
        seed=args.seed,
        k=args.k,
        m=args.m,
        n=args.n,
        steps=given["steps"],
        options=_options(given["options"]),
        params=given["params"],
        data_keys=_data_keys(given["data_keys"]),
        json=json_path,
        junit=junit_path,
    )


def _refuse_misplaced(args: argparse.Namespace, kind: str) -> None:
    """An option of the other kind of check would be ignored: refuse it."""
    other = "optimiser" if kind == "loss" else "loss"
    for name in _ONLY[other]:
        value = getattr(args, name)
        if value is not None:
            raise InvalidArgument(
                f"{flag(name)}={value!r}: {flag(name)} applies to --{other} only; "
                f"expected it left out when checking with --{kind}"
            )


def _at_least(name: str, value: int, least: int, valid: str) -> None:
    if value < least:
        raise InvalidArgument(f"{name}={value}: expected {valid}")


def _expectations(items: Sequence[str], groups: tuple[str, ...]) -> dict[str, str]:
    expectations = parse_expectations(items)
    for item in items:
        group = item.partition("=")[0]
        if group not in groups:
            raise InvalidArgument(
                f"--expect={item!r}: group {group} is not checked; expected a "
                f"group among those given with --group: {', '.join(groups)}"
            )
    return expectations


def _options(text: str) -> dict[str, Any]:
    """``--options`` as a JSON object whose numbers are all finite.

    Python's json module accepts ``NaN`` and ``Infinity``, and reads ``1e400``
    as infinity; none is valid JSON, and a NaN learning rate would be reported
    as the optimiser's fault rather than the option's.
    """
    valid = "a JSON object with finite numbers, such as '{\"lr\": 0.01}'"

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise InvalidArgument(
                f"--options={text!r}: {number} is not a finite number; expected {valid}"
            )
        return value

    def refuse(constant: str) -> Any:
        raise InvalidArgument(
            f"--options={text!r}: {constant} is not a finite number; expected {valid}"
        )

    try:
        value = json.loads(text, parse_constant=refuse, parse_float=finite)
    except InvalidArgument:
        raise
    except ValueError as exc:  # json.JSONDecodeError, or an int too long to read
        raise InvalidArgument(f"--options={text!r}: {exc}; expected {valid}") from None
    if not isinstance(value, dict):
        raise InvalidArgument(f"--options={text!r}: expected {valid}")
    return value


def _data_keys(text: str) -> tuple[str, ...]:
    keys = tuple(key for key in text.split(",") if key)
    if any(key not in _DATA_KEYS for key in keys):
        raise InvalidArgument(
            f"--data-keys={text!r}: expected names among "
            f"{', '.join(_DATA_KEYS)}, separated by commas"
        )
    return keys


def _outputs(
    json_text: str | None, junit_text: str | None
) -> tuple[Path | None, Path | None]:
    """The report paths, checked now rather than after the work is done."""
    json_path = _output("--json", json_text)
    junit_path = _output("--junit", junit_text)
    if json_path and junit_path and json_path.resolve() == junit_path.resolve():
        raise InvalidArgument(
            f"--junit={junit_text!r}: the same file as --json={json_text!r}, so one "
            "report would overwrite the other; expected two different paths"
        )
    return json_path, junit_path


def _output(name: str, text: str | None) -> Path | None:
    # The same rule as every other report path of the suite (``basis --json``).
    return None if text is None else check_output_file(name, text)
