"""Run metadata: what a report needs so that a reader can reproduce it.

A :class:`RunInfo` records the seed, the input (where it came from, its SHA-256
and its shape), the resolved configuration, the software versions and the time
each stage took. Everything except the timings is meant to pin the result: two
runs with equal run metadata should produce byte-identical reports apart from
their timings.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import math
import numbers
import operator
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orthoproof.errors import InvalidArgument

__all__ = ["RunInfo", "collect_versions", "package_version"]

#: Distributions whose versions can change a result, with their import names. The
#: import name is only used when no installed metadata is found, e.g. when a
#: package is imported straight from a source checkout.
_PACKAGES: tuple[tuple[str, str], ...] = (
    ("numpy", "numpy"),
    ("sympy", "sympy"),
    ("mpmath", "mpmath"),
    ("gmpy2", "gmpy2"),
    ("python-flint", "flint"),
    ("hypothesis", "hypothesis"),
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHAPE = "a pair (m, n) of non-negative integers"


def package_version() -> str:
    """The version of orthoproof itself.

    Returns
    -------
    str
        The installed distribution's version, else ``orthoproof.__version__``,
        else ``"unknown"`` (a source checkout that was never installed).
    """
    version = _distribution_version("orthoproof")
    if version is not None:
        return version
    return _module_version("orthoproof") or "unknown"


def collect_versions() -> dict[str, str]:
    """Versions of Python, orthoproof and every library that shapes a result.

    Returns
    -------
    dict of str to str
        Keys ``python``, ``orthoproof``, ``numpy``, ``sympy``, ``mpmath``,
        ``gmpy2``, ``python-flint`` and ``hypothesis``, in that order. A library
        that is not installed is reported as ``"absent"`` rather than omitted, so
        that every report has the same keys.
    """
    versions = {"python": platform.python_version(), "orthoproof": package_version()}
    for distribution, module in _PACKAGES:
        versions[distribution] = _version_of(distribution, module)
    return versions


def _version_of(distribution: str, module: str) -> str:
    """Version from installed metadata, then from the module, else ``absent``."""
    return _distribution_version(distribution) or _module_version(module) or "absent"


def _distribution_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _module_version(module: str) -> str | None:
    try:
        imported = importlib.import_module(module)
    except ImportError:
        return None
    version = getattr(imported, "__version__", None)
    return version if isinstance(version, str) else None


@dataclass(frozen=True)
class RunInfo:
    """Metadata of one orthoproof run.

    Parameters
    ----------
    seed
        The seed every random choice of the run derives from.
    input_source
        Where the input matrix came from (a path, or a description such as
        ``stdlib-docstrings``).
    input_sha256
        SHA-256 of the input, 64 hexadecimal digits (stored in lower case).
    input_shape
        ``(m, n)``, the shape of the input matrix ``X``.
    config
        Resolved settings: hidden dimension ``k``, vocabulary size, steps,
        precisions, learning rates and so on. Values must be JSON-ready.
    timings
        Wall-clock seconds per stage, in the order the stages ran.
    versions
        Software versions; :func:`collect_versions` by default.

    Raises
    ------
    InvalidArgument
        If the seed is not an integer, the hash is not a SHA-256 hex digest, the
        shape is not two non-negative integers, or a timing is not a finite
        non-negative number.
    """

    seed: int
    input_source: str
    input_sha256: str
    input_shape: tuple[int, int]
    config: Mapping[str, Any]
    timings: Mapping[str, float]
    versions: Mapping[str, str] = field(default_factory=collect_versions)

    def __post_init__(self) -> None:
        # Normalise in place (the dataclass is frozen, hence object.__setattr__)
        # so that numpy integers and caller-owned dictionaries cannot leak into a
        # report or change it after the fact.
        object.__setattr__(self, "seed", _check_seed(self.seed))
        object.__setattr__(self, "input_sha256", _check_sha256(self.input_sha256))
        object.__setattr__(self, "input_shape", _check_shape(self.input_shape))
        object.__setattr__(self, "config", dict(self.config))
        object.__setattr__(self, "timings", _check_timings(self.timings))
        object.__setattr__(self, "versions", _check_versions(self.versions))


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidArgument.of("seed", seed, "an integer")
    return int(seed)


def _check_sha256(digest: object) -> str:
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest.lower()):
        raise InvalidArgument.of(
            "input_sha256", digest, "a SHA-256 digest of 64 hexadecimal digits"
        )
    return digest.lower()


def _check_shape(shape: object) -> tuple[int, int]:
    try:
        m, n = (operator.index(side) for side in shape)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise InvalidArgument.of("input_shape", shape, _SHAPE) from exc
    if m < 0 or n < 0:
        raise InvalidArgument.of("input_shape", shape, _SHAPE)
    return (m, n)


def _check_timings(timings: Mapping[str, float]) -> dict[str, float]:
    checked: dict[str, float] = {}
    for stage, seconds in timings.items():
        if not (isinstance(stage, str) and _is_duration(seconds)):
            raise InvalidArgument.of(
                f"timings[{stage!r}]", seconds, "finite non-negative seconds"
            )
        checked[stage] = float(seconds)
    return checked


def _is_duration(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    seconds = float(value)
    return math.isfinite(seconds) and seconds >= 0


def _check_versions(versions: Mapping[str, str]) -> dict[str, str]:
    for name, version in versions.items():
        if not (isinstance(name, str) and isinstance(version, str)):
            raise InvalidArgument.of(f"versions[{name!r}]", version, "a string")
    return dict(versions)
