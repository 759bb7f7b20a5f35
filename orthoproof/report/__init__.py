"""Reports of a run: the JSON contract for CI and Markdown for people.

Typical use::

    from orthoproof.report import RunInfo, write_reports

    run = RunInfo(seed=0, input_source="stdlib-docstrings", input_sha256=digest,
                  input_shape=(m, n), config={"k": 4}, timings={"prove": 1.2})
    paths = write_reports(results, run, "reports/latest")

``write_reports`` writes ``report.json``, ``report.md``, ``report.html`` (one
self-contained page with inline SVG plots and MathML) and ``report.junit.xml``.
A stored ``report.json`` can be re-rendered in every format with
``rerender_reports(path, out_dir)``, or one format at a time, e.g.
``render_html(load_document(path))``.
"""

from __future__ import annotations

from orthoproof.report.atomic import write_text_atomic
from orthoproof.report.html import render_html
from orthoproof.report.jsonreport import (
    dumps_document,
    load_document,
    report_document,
    sanitise,
)
from orthoproof.report.junit import to_junit
from orthoproof.report.markdown import render_markdown
from orthoproof.report.output import render_formats, rerender_reports, write_reports
from orthoproof.report.run import RunInfo, collect_versions, package_version
from orthoproof.report.schema import SCHEMA_VERSION, validate

__all__ = [
    "SCHEMA_VERSION",
    "RunInfo",
    "collect_versions",
    "dumps_document",
    "load_document",
    "package_version",
    "render_formats",
    "render_html",
    "render_markdown",
    "report_document",
    "rerender_reports",
    "sanitise",
    "to_junit",
    "validate",
    "write_reports",
    "write_text_atomic",
]
