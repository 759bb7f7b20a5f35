"""The JSON report schema, version 1, and a validator for it.

The JSON report is the contract between orthoproof and continuous integration:
a CI job reads ``summary.ok`` and, if it is false, the claims whose
``as_expected`` is false. The layout below is versioned by the top-level
``"schema"`` number; a change that removes or retypes a key needs a new number,
while adding optional keys does not (readers must ignore keys they do not know).

Layout (``?`` marks a key that may be absent; ``|`` separates allowed types)::

    {
      "orthoproof": string,              # version of the suite that wrote it
      "schema": 1,
      "run": {
        "seed": integer,
        "versions": {string: string},    # python, orthoproof, numpy, ...
        "input": {"source": string,
                  "sha256": string,      # 64 lower-case hexadecimal digits
                  "shape": [m, n]},      # two non-negative integers
        "config": {string: any},         # resolved settings
        "timings": {string: number}      # seconds per stage, in run order
      },
      "summary": {
        "claims": integer,               # number of claims
        "as_expected": integer,          # claims whose verdict is the expected one
        "by_verdict": {"proved": integer, "holds": integer,
                       "refuted": integer, "undecided": integer},
        "ok": boolean                    # at least one claim, all as expected
      },
      "claims": [{
        "id": string,
        "statement": string,
        "group": string,                 # (id, group) is unique in the report
        "expected": verdict,
        "verdict": verdict,
        "as_expected": boolean,          # verdict == expected
        "evidence": [{
          "kind": string,                # symbolic, exact-check, fuzz, ...
          "verdict": verdict,
          "summary": string,
          "dimensions"?: null | {string: integer},
          "precision"?: null | [integer],           # decimal digits (dps)
          "errors"?: null | [number | "nan" | "inf" | "-inf"],
          "counterexample"?: null | object,
          "certificate"?: null | object,
          "details"?: object
        }]
      }]
    }

where ``verdict`` is one of ``"proved"``, ``"holds"``, ``"refuted"`` and
``"undecided"``. JSON has no NaN or infinity, so non-finite numbers anywhere in
the document are written as the strings ``"nan"``, ``"inf"`` and ``"-inf"``.
The summary must agree with the claims: the validator recounts it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeGuard

__all__ = [
    "SCHEMA_VERSION",
    "VERDICTS",
    "require_valid",
    "validate",
]

SCHEMA_VERSION = 1
VERDICTS: tuple[str, ...] = ("proved", "holds", "refuted", "undecided")
NON_FINITE: tuple[str, ...] = ("nan", "inf", "-inf")

_Problems = list[str]


def validate(doc: object) -> list[str]:
    """Every way in which ``doc`` departs from the report schema.

    Parameters
    ----------
    doc
        A decoded JSON report (dictionaries, lists, strings, numbers, ...).

    Returns
    -------
    list of str
        One message per problem, each starting with the path of the offending
        value (for example ``claims[2].evidence[0].kind``); empty if ``doc`` is a
        valid report.

    Examples
    --------
    >>> validate({"schema": 1})[0]
    'document: missing key "orthoproof"'
    """
    problems: _Problems = []
    if not _is_object(doc, "document", problems):
        return problems
    _field(doc, "orthoproof", "string", "", problems)
    if (
        _field(doc, "schema", "integer", "", problems)
        and doc["schema"] != SCHEMA_VERSION
    ):
        problems.append(f"schema: expected {SCHEMA_VERSION}, got {doc['schema']!r}")
    if _field(doc, "run", "object", "", problems):
        _check_run(doc["run"], problems)
    if "studies" in doc:
        from orthoproof.report.studies import check_studies

        check_studies(doc["studies"], problems)
    claims_ok = _field(doc, "claims", "array", "", problems)
    if claims_ok:
        _check_claims(doc["claims"], problems)
    if _field(doc, "summary", "object", "", problems):
        _check_summary(doc["summary"], problems)
        # Recounting needs well-formed claims and summary; until then the
        # problems already found are the ones worth reading.
        if claims_ok and not problems:
            _check_recount(doc["summary"], doc["claims"], problems)
    return problems


def _check_run(run: dict[str, Any], problems: _Problems) -> None:
    _field(run, "seed", "integer", "run", problems)
    if _field(run, "versions", "object", "run", problems):
        _each_value(run["versions"], "string", "run.versions", problems)
    if _field(run, "input", "object", "run", problems):
        _check_input(run["input"], problems)
    _field(run, "config", "object", "run", problems)
    if _field(run, "timings", "object", "run", problems):
        _each_value(run["timings"], "number", "run.timings", problems)


def _check_input(block: dict[str, Any], problems: _Problems) -> None:
    _field(block, "source", "string", "run.input", problems)
    if _field(block, "sha256", "string", "run.input", problems):
        digest = block["sha256"]
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            problems.append(
                f"run.input.sha256: expected 64 lower-case hex digits, got {digest!r}"
            )
    if _field(block, "shape", "array", "run.input", problems):
        shape = block["shape"]
        if len(shape) != 2:
            problems.append(f"run.input.shape: expected [m, n], got {shape!r}")
        for i, side in enumerate(shape):
            if _is(side, "integer", f"run.input.shape[{i}]", problems) and side < 0:
                problems.append(f"run.input.shape[{i}]: negative size {side}")


def _check_summary(summary: dict[str, Any], problems: _Problems) -> None:
    _field(summary, "claims", "integer", "summary", problems)
    _field(summary, "as_expected", "integer", "summary", problems)
    _field(summary, "ok", "boolean", "summary", problems)
    if not _field(summary, "by_verdict", "object", "summary", problems):
        return
    by_verdict = summary["by_verdict"]
    for verdict in VERDICTS:
        _field(by_verdict, verdict, "integer", "summary.by_verdict", problems)
    for key in by_verdict.keys() - set(VERDICTS):
        problems.append(f"summary.by_verdict: unknown verdict {key!r}")


def _check_recount(
    summary: dict[str, Any], claims: list[dict[str, Any]], problems: _Problems
) -> None:
    """The summary must be the count of the claims, or CI would trust a lie."""
    counts = Counter(claim["verdict"] for claim in claims)
    as_expected = sum(claim["as_expected"] for claim in claims)
    recount = {
        "claims": len(claims),
        "as_expected": as_expected,
        "ok": bool(claims) and as_expected == len(claims),
    }
    for key, value in recount.items():
        if summary[key] != value:
            problems.append(f"summary.{key}: is {summary[key]!r}, claims say {value!r}")
    for verdict in VERDICTS:
        if summary["by_verdict"][verdict] != counts[verdict]:
            problems.append(
                f"summary.by_verdict.{verdict}: is {summary['by_verdict'][verdict]!r},"
                f" claims say {counts[verdict]}"
            )


def _check_claims(claims: list[Any], problems: _Problems) -> None:
    # One claim id may be checked under several groups (rotations, signed
    # permutations, ...), so it is the pair that must be unique.
    seen: set[tuple[str, str]] = set()
    for i, claim in enumerate(claims):
        path = f"claims[{i}]"
        if not _is_object(claim, path, problems):
            continue
        named = _field(claim, "id", "string", path, problems)
        _field(claim, "statement", "string", path, problems)
        if _field(claim, "group", "string", path, problems) and named:
            _check_unique(claim, path, seen, problems)
        expected = _field(claim, "expected", "verdict", path, problems)
        verdict = _field(claim, "verdict", "verdict", path, problems)
        if _field(claim, "as_expected", "boolean", path, problems) and (
            expected and verdict
        ):
            _check_as_expected(claim, path, problems)
        if _field(claim, "evidence", "array", path, problems):
            for j, item in enumerate(claim["evidence"]):
                _check_evidence(item, f"{path}.evidence[{j}]", problems)


def _check_unique(
    claim: dict[str, Any], path: str, seen: set[tuple[str, str]], problems: _Problems
) -> None:
    key = (claim["id"], claim["group"])
    if key in seen:
        problems.append(f"{path}: claim {key[0]!r} appears twice for group {key[1]!r}")
    seen.add(key)


def _check_as_expected(claim: dict[str, Any], path: str, problems: _Problems) -> None:
    if claim["as_expected"] != (claim["verdict"] == claim["expected"]):
        problems.append(
            f"{path}.as_expected: is {claim['as_expected']!r} but verdict is "
            f"{claim['verdict']!r} and expected is {claim['expected']!r}"
        )


def _check_evidence(item: object, path: str, problems: _Problems) -> None:
    if not _is_object(item, path, problems):
        return
    _field(item, "kind", "string", path, problems)
    _field(item, "verdict", "verdict", path, problems)
    _field(item, "summary", "string", path, problems)
    if _optional(item, "dimensions", "object", path, problems):
        _each_value(item["dimensions"], "integer", f"{path}.dimensions", problems)
    if _optional(item, "precision", "array", path, problems):
        for k, dps in enumerate(item["precision"]):
            _is(dps, "integer", f"{path}.precision[{k}]", problems)
    if _optional(item, "errors", "array", path, problems):
        for k, error in enumerate(item["errors"]):
            _is(error, "measurement", f"{path}.errors[{k}]", problems)
    _optional(item, "counterexample", "object", path, problems)
    _optional(item, "certificate", "object", path, problems)
    if "details" in item:
        _is(item["details"], "object", f"{path}.details", problems)


def _field(
    parent: dict[str, Any], key: str, kind: str, path: str, problems: _Problems
) -> bool:
    """Check that ``parent[key]`` exists and has JSON type ``kind``."""
    where = f"{path}.{key}" if path else key
    if key not in parent:
        problems.append(f'{path or "document"}: missing key "{key}"')
        return False
    return _is(parent[key], kind, where, problems)


def _optional(
    parent: dict[str, Any], key: str, kind: str, path: str, problems: _Problems
) -> bool:
    """Like :func:`_field`, but absence and ``null`` are allowed (and skipped)."""
    if parent.get(key) is None:
        return False
    return _is(parent[key], kind, f"{path}.{key}", problems)


def _each_value(
    mapping: dict[str, Any], kind: str, path: str, problems: _Problems
) -> None:
    for key, value in mapping.items():
        _is(value, kind, f"{path}.{key}", problems)


def _is(value: object, kind: str, path: str, problems: _Problems) -> bool:
    """Check one value against a JSON type, recording a problem if it fails."""
    if _CHECKS[kind](value):
        return True
    problems.append(f"{path}: expected {_NAMES[kind]}, got {_short(value)}")
    return False


def _short(value: object, limit: int = 80) -> str:
    # A wrong value may be a whole matrix; the path already says where it is.
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _is_object(
    value: object, path: str, problems: _Problems
) -> TypeGuard[dict[str, Any]]:
    """:func:`_is` for objects, telling the type checker what was checked."""
    return _is(value, "object", path, problems)


def _is_number(value: object) -> bool:
    # bool is an int in Python but not a number in JSON; NaN would not survive
    # a round trip through strict JSON, so it must already be a string here.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


_CHECKS: dict[str, Callable[[object], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "verdict": lambda v: isinstance(v, str) and v in VERDICTS,
    "measurement": lambda v: _is_number(v) or (isinstance(v, str) and v in NON_FINITE),
}

_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a finite number",
    "verdict": f"one of {', '.join(VERDICTS)}",
    "measurement": 'a finite number or one of "nan", "inf", "-inf"',
}


def require_valid(doc: object) -> None:
    """Raise :class:`OrthoproofError` naming the first problem, if ``doc`` has one.

    Every renderer starts here, so an invalid document is refused the same way.
    """
    from orthoproof.errors import OrthoproofError

    problems = validate(doc)
    if problems:
        raise OrthoproofError(f"cannot render an invalid report: {problems[0]}")
