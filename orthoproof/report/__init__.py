"""Reports of a run: the JSON contract for CI and Markdown for people.

Typical use::

    from orthoproof.report import RunInfo, write_reports

    run = RunInfo(seed=0, input_source="stdlib-docstrings", input_sha256=digest,
                  input_shape=(m, n), config={"k": 4}, timings={"prove": 1.2})
    paths = write_reports(results, run, "reports/latest")

A stored ``report.json`` can be re-rendered with
``render_markdown(load_document(path))``.
"""

from __future__ import annotations

from orthoproof.report.atomic import write_text_atomic
from orthoproof.report.jsonreport import (
    dumps_document,
    load_document,
    report_document,
    sanitise,
)
from orthoproof.report.markdown import render_markdown
from orthoproof.report.output import write_reports
from orthoproof.report.run import RunInfo, collect_versions, package_version
from orthoproof.report.schema import SCHEMA_VERSION, validate

__all__ = [
    "SCHEMA_VERSION",
    "RunInfo",
    "collect_versions",
    "dumps_document",
    "load_document",
    "package_version",
    "render_markdown",
    "report_document",
    "sanitise",
    "validate",
    "write_reports",
    "write_text_atomic",
]
