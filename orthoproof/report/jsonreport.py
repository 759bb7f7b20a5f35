"""The JSON report: building, encoding and loading the CI contract.

The layout is described in :mod:`orthoproof.report.schema`. A document is built
from plain data only, so every value is first passed through :func:`sanitise`:
JSON has no NaN or infinity and knows nothing of numpy, and a report that cannot
be read back is worse than no report.
"""

from __future__ import annotations

import json
import math
import numbers
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from orthoproof.errors import InvalidArgument, OrthoproofError
from orthoproof.report.run import RunInfo, package_version
from orthoproof.report.schema import SCHEMA_VERSION, VERDICTS, validate
from orthoproof.verdicts import ClaimResult

__all__ = ["dumps_document", "load_document", "report_document", "sanitise"]

_JSON_READY = (
    "JSON-ready data: dict with str keys, list, tuple, str, int, float, bool, "
    "None, numpy scalar or array, or an exact rational"
)


def report_document(
    results: Sequence[ClaimResult],
    run: RunInfo,
    studies: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON report of a run, as plain Python data.

    Parameters
    ----------
    results
        The claims of the run, with their verdicts and evidence, in report order.
    run
        Seed, input, configuration, versions and timings of the run.
    studies
        Optional measurements that are not claims (:mod:`.studies`).

    Returns
    -------
    dict
        A document in the layout of :mod:`orthoproof.report.schema`, containing
        only JSON types (non-finite floats already turned into strings).

    Raises
    ------
    InvalidArgument
        If a value cannot be represented in JSON; the message gives its path.
    OrthoproofError
        If the document breaks the schema (for example two claims share an id).
    """
    claims = sanitise([result.to_json() for result in results], "claims")
    doc = {
        "orthoproof": package_version(),
        "schema": SCHEMA_VERSION,
        "run": sanitise(_run_section(run), "run"),
        "summary": _summary(claims),
        "claims": claims,
    }
    if studies:
        doc["studies"] = sanitise(dict(studies), "studies")
    problems = validate(doc)
    if problems:
        raise OrthoproofError(f"report document is invalid: {problems[0]}")
    return doc


def dumps_document(doc: Mapping[str, Any]) -> str:
    """Encode a document as strict JSON text, ending with a newline.

    Keys keep their order, so that equal runs give byte-identical files, and
    non-ASCII text (``AᵀB``) stays readable.
    """
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def load_document(path: Path | str) -> dict[str, Any]:
    """Read and validate a JSON report written by :func:`dumps_document`.

    Parameters
    ----------
    path
        The ``report.json`` file.

    Returns
    -------
    dict
        The document, ready for :func:`orthoproof.report.render_markdown`.

    Raises
    ------
    OrthoproofError
        If the file cannot be read, is not strict JSON, or breaks the schema; the
        message names the file and the first problem found.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        doc = json.loads(text, parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise OrthoproofError(f"{path}: cannot read report: {exc}") from exc
    if not isinstance(doc, dict):
        raise OrthoproofError(f"{path}: invalid report: not a JSON object")
    problems = validate(doc)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise OrthoproofError(f"{path}: invalid report: {problems[0]}{more}")
    return doc


def sanitise(value: Any, path: str = "value") -> Any:
    """A copy of ``value`` made only of JSON types.

    Tuples become lists, numpy scalars and arrays become Python numbers and
    lists, exact rationals become ``"p/q"`` strings (a float would lose the
    exactness a certificate relies on), integer keys become strings as
    :func:`json.dumps` would make them, and non-finite floats become ``"nan"``,
    ``"inf"`` or ``"-inf"``.

    Parameters
    ----------
    value
        Data to encode.
    path
        Name of ``value`` in error messages.

    Raises
    ------
    InvalidArgument
        If some part of ``value`` has no faithful JSON form (a set, whose order is
        arbitrary, a complex number, an arbitrary object); the message gives the
        path of that part.

    Examples
    --------
    >>> sanitise({"errors": (1e-30, float("nan")), "n": np.int64(3)})
    {'errors': [1e-30, 'nan'], 'n': 3}
    """
    if value is None or isinstance(value, bool | str):
        # str() drops subclasses such as Verdict, which json would accept anyway
        # but which would make the document compare unequal to its decoded self.
        return str(value) if isinstance(value, str) else value
    if isinstance(value, np.ndarray | np.generic):
        return sanitise(value.tolist(), path)
    if isinstance(value, numbers.Number):
        return _number(value, path)
    if isinstance(value, Mapping):
        return {_key(k, path): sanitise(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sanitise(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise InvalidArgument.of(path, value, _JSON_READY)


def _number(value: numbers.Number, path: str) -> int | float | str:
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Rational):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _non_finite(value)
    raise InvalidArgument.of(path, value, _JSON_READY)


def _non_finite(value: float) -> str:
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def _key(key: object, path: str) -> str:
    if isinstance(key, str):
        return str(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise InvalidArgument.of(f"{path} key", key, "a string or an integer")


def _run_section(run: RunInfo) -> dict[str, Any]:
    return {
        "seed": run.seed,
        "versions": dict(run.versions),
        "input": {
            "source": run.input_source,
            "sha256": run.input_sha256,
            "shape": list(run.input_shape),
        },
        "config": dict(run.config),
        "timings": dict(run.timings),
    }


def _summary(claims: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts over the claims; ``ok`` needs at least one claim to be true.

    An empty run passing CI would hide a broken pipeline, so zero claims is not ok.
    """
    counts = Counter(claim["verdict"] for claim in claims)
    as_expected = sum(bool(claim["as_expected"]) for claim in claims)
    return {
        "claims": len(claims),
        "as_expected": as_expected,
        "by_verdict": {verdict: counts[verdict] for verdict in VERDICTS},
        "ok": bool(claims) and as_expected == len(claims),
    }


def _reject_constant(name: str) -> float:
    # Python's json accepts NaN and Infinity, but they are not JSON: a report
    # holding them was not written by orthoproof and other readers would choke.
    raise ValueError(f"non-standard JSON constant {name}")
