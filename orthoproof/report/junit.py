"""The JUnit XML report: one test case per claim and group, for CI dashboards.

Most CI systems show JUnit results natively, so a claim whose verdict differs
from the expected one appears there as a failed test, with the evidence
summaries as its output. A claim that is refuted *as expected* (a negative
control) passes: the test is the agreement with the catalogue, not the truth
of the claim. Like the other formats it is rendered from the JSON alone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from orthoproof.report.schema import require_valid

__all__ = ["to_junit"]

_SUITE = "orthoproof"
#: Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def to_junit(doc: Mapping[str, Any]) -> str:
    """Render a JSON report document as JUnit XML.

    Parameters
    ----------
    doc
        A report document (see :mod:`orthoproof.report.schema`).

    Returns
    -------
    str
        A ``<testsuites>`` document with one ``<testsuite>``; each claim is a
        ``<testcase>`` named ``"<id> [<group>]"`` whose class name is the claim
        family, with a ``<failure>`` exactly when its verdict is not the
        expected one and a ``<system-out>`` listing its evidence.

    Raises
    ------
    OrthoproofError
        If ``doc`` breaks the report schema.
    """
    require_valid(doc)
    claims = doc["claims"]
    failures = sum(not claim["as_expected"] for claim in claims)
    counts = {"tests": str(len(claims)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": _SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": _SUITE, **counts})
    suite.set("skipped", "0")
    suite.append(_properties(doc))
    for claim in claims:
        suite.append(_testcase(claim))
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _properties(doc: Mapping[str, Any]) -> ET.Element:
    run = doc["run"]
    properties = ET.Element("properties")
    values = {
        "orthoproof": doc["orthoproof"],
        "schema": str(doc["schema"]),
        "seed": str(run["seed"]),
        "input.source": run["input"]["source"],
        "input.sha256": run["input"]["sha256"],
        **{f"version.{k}": v for k, v in run["versions"].items()},
    }
    for name, value in values.items():
        ET.SubElement(properties, "property", {"name": name, "value": _text(value)})
    return properties


def _testcase(claim: Mapping[str, Any]) -> ET.Element:
    family = claim["id"].split("/", 1)[0]
    case = ET.Element(
        "testcase",
        {
            "classname": _text(f"{_SUITE}.{family}"),
            "name": _text(f"{claim['id']} [{claim['group']}]"),
        },
    )
    if not claim["as_expected"]:
        message = f"verdict {claim['verdict']}, expected {claim['expected']}"
        failure = ET.SubElement(
            case, "failure", {"message": message, "type": "UnexpectedVerdict"}
        )
        failure.text = _text(f"{claim['statement']}\n{message}")
    output = ET.SubElement(case, "system-out")
    output.text = _text(_evidence_summary(claim))
    return case


def _evidence_summary(claim: Mapping[str, Any]) -> str:
    lines = [
        claim["statement"],
        f"verdict: {claim['verdict']} (expected {claim['expected']})",
    ]
    lines += [
        f"- {item['kind']}: {item['verdict']}: {item['summary']}"
        for item in claim["evidence"]
    ]
    return "\n".join(lines)


def _text(value: str) -> str:
    # ElementTree escapes markup but would write a control character as is,
    # and no XML parser accepts the result.
    return _NOT_XML.sub("\ufffd", value)
