"""The three faces of a check: a terminal table, a JSON report, JUnit XML.

The JSON document uses the report schema of :mod:`orthoproof.report.schema`,
one claim per group: ``equivariant`` becomes ``holds`` and ``undecided`` stays.
``broken`` becomes ``undecided``: the deviation persisted unchanged across
precisions, which is strong evidence, but ``refuted`` is reserved for certified
counterexamples and user code cannot be run on balls in general. The evidence
summary says "broken (measured, not certified)", and the terminal, the exit
status and JUnit still treat it as broken.
A group with no ``--expect`` is expected to have the verdict it got, so it
never fails the document's ``summary.ok``.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from orthoproof.gate.results import CheckReport, GroupCheck
from orthoproof.report import RunInfo, dumps_document, report_document
from orthoproof.report.atomic import write_text_atomic
from orthoproof.verdicts import ClaimResult, Evidence, Verdict

__all__ = ["json_document", "junit_xml", "summary_table", "write_json", "write_junit"]

_TO_VERDICT = {
    "equivariant": Verdict.HOLDS,
    "broken": Verdict.UNDECIDED,
    "undecided": Verdict.UNDECIDED,
}
_WORD = {
    "persists": "broken",
    "shrinks": "equivariant",
    "exact-zero": "equivariant",
    "unclear": "undecided",
}
_STYLE = {"equivariant": "green", "broken": "bold red", "undecided": "yellow"}


def summary_table(report: CheckReport) -> Table:
    """One row per group: verdict, expectation, deviations, first step."""
    # Text, not str: the target is the user's, and a str title would be read
    # for markup ("[x]") and emoji codes (":fire:").
    table = Table(title=Text(f"orthoproof check: {report.kind} {report.target}"))
    for column in (
        "group",
        "verdict",
        "expected",
        "deviation by precision",
        "step",
        "",
    ):
        table.add_column(column)
    for g in report.groups:
        devs = " / ".join(
            f"{max(s.deviations[i] for s in g.measurements.values()):.1e}"
            for i in range(len(g.precisions))
        )
        mark = "[green]✓[/]" if g.as_expected else "[bold red]✗ differs[/]"
        table.add_row(
            g.group,
            f"[{_STYLE[g.verdict]}]{g.verdict}[/]",
            g.expected or "-",
            devs,
            "-" if g.first_step is None else str(g.first_step),
            mark,
        )
    table.caption = (
        "precisions: " + ", ".join(report.groups[0].precisions)
        if (report.groups)
        else None
    )
    return table


def _claim_id(report: CheckReport) -> str:
    prefix = "loss-invariance" if report.kind == "loss" else "trajectory-equivariance"
    return f"{prefix}/{report.target}"


def _reading(g: GroupCheck, quantity: str, kind: str) -> str:
    """The gate's word for one measurement, after the near-identity control.

    A trajectory deviation that persisted but did not pass the control is not
    evidence of a break, so its evidence must not say "broken".
    """
    if quantity == "trajectory" and g.control is not None and not g.control.scales:
        return "undecided"
    return _WORD[kind]


def _claim(report: CheckReport, g: GroupCheck) -> ClaimResult:
    verdict = _TO_VERDICT[g.verdict]
    expected = _TO_VERDICT[g.expected] if g.expected else verdict
    evidence = tuple(
        Evidence(
            kind="precision-scaling",
            verdict=_TO_VERDICT[_reading(g, quantity, s.kind)],
            summary=(
                f"{quantity}: {_reading(g, quantity, s.kind)} — {s.reason}"
                + (
                    f"; near-identity control: {g.control.reason}"
                    if quantity == "trajectory" and g.control is not None
                    else ""
                )
                + (
                    f"; {g.lift.reason}"
                    if quantity == "lifted trajectory" and g.lift is not None
                    else ""
                )
                + " (measured, not certified)"
            ),
            dimensions={
                "k": report.shapes["A"][0],
                "m": report.shapes["A"][1],
                "n": report.shapes["B"][1],
            },
            precision=s.dps,
            errors=s.deviations,
            counterexample={
                "element": g.element,
                "seed": report.seed,
                "shapes": dict(report.shapes),
                "dtypes": list(g.precisions),
                "steps": report.steps,
                "first_step": g.first_step,
                "replay": g.replay,
            }
            if g.verdict == "broken"
            else None,
            details={
                "quantity": quantity,
                "scaling": s.kind,
                "slope": s.slope,
                "gate_verdict": g.verdict,
                "expectation": g.expected,
                "worst": dict(g.worst),
                **(
                    {"near_identity_control": g.control.as_dict()}
                    if quantity == "trajectory" and g.control is not None
                    else {}
                ),
                **(
                    {"lift": g.lift.as_dict()}
                    if quantity == "lifted trajectory" and g.lift is not None
                    else {}
                ),
            },
        )
        for quantity, s in g.measurements.items()
    )
    statement = (
        f"{report.kind} {report.target} commutes with {g.group} acting on the "
        "hidden dimension"
    )
    return ClaimResult(
        _claim_id(report), statement, g.group, expected, verdict, evidence
    )


def json_document(report: CheckReport) -> dict[str, Any]:
    """The report-schema document of a check."""
    config = {
        "kind": report.kind,
        "target": report.target,
        "steps": report.steps,
        "groups": [g.group for g in report.groups],
        "precisions": list(report.dtypes),
        "notes": list(report.notes),
    }
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    shape_x = report.shapes.get("X", [report.shapes["A"][1], report.shapes["B"][1]])
    run = RunInfo(
        seed=report.seed,
        input_source=f"orthoproof-check:{report.target}",
        input_sha256=digest,
        input_shape=(int(shape_x[0]), int(shape_x[1])),
        config=config,
        timings=dict(report.timings),
    )
    return report_document([_claim(report, g) for g in report.groups], run)


def write_json(report: CheckReport, path: Path | str) -> None:
    """Write the JSON document atomically."""
    write_text_atomic(path, dumps_document(json_document(report)))


def junit_xml(report: CheckReport) -> str:
    """JUnit XML: one test case per group; a failed expectation is a failure."""
    suite = ET.Element(
        "testsuite",
        name="orthoproof.check",
        tests=str(len(report.groups)),
        failures=str(sum(not g.as_expected for g in report.groups)),
        errors="0",
        skipped="0",
        time=f"{sum(report.timings.values()):.3f}",
    )
    for g in report.groups:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{report.kind}.{report.target}",
            name=f"{g.group}",
            time="0",
        )
        properties = ET.SubElement(case, "properties")
        for key, value in (("verdict", g.verdict), ("expected", g.expected or "")):
            ET.SubElement(properties, "property", name=key, value=value)
        message = report.failure_message(g)
        if not g.as_expected:
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{g.group}: {g.verdict}, expected {g.expected}",
                type="SymmetryExpectation",
            )
            failure.text = message
        else:
            ET.SubElement(case, "system-out").text = message
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(report: CheckReport, path: Path | str) -> None:
    """Write the JUnit XML atomically."""
    write_text_atomic(path, junit_xml(report))
