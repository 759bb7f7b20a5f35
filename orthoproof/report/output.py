"""Writing the reports of a run to a directory: JSON, Markdown, HTML and JUnit.

Every format is rendered in memory before anything touches the disk, so a value
that cannot be encoded leaves the earlier reports as they were; each file is
then replaced atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from orthoproof.errors import InvalidArgument
from orthoproof.report.atomic import write_text_atomic
from orthoproof.report.html import render_html
from orthoproof.report.jsonreport import dumps_document, load_document, report_document
from orthoproof.report.junit import to_junit
from orthoproof.report.markdown import render_markdown
from orthoproof.report.run import RunInfo
from orthoproof.verdicts import ClaimResult

__all__ = [
    "HTML_NAME",
    "JSON_NAME",
    "JUNIT_NAME",
    "MARKDOWN_NAME",
    "render_formats",
    "rerender_reports",
    "write_reports",
]

JSON_NAME = "report.json"
MARKDOWN_NAME = "report.md"
HTML_NAME = "report.html"
JUNIT_NAME = "report.junit.xml"
#: File name of each format, in the order the files are written.
FILE_NAMES = {
    "json": JSON_NAME,
    "markdown": MARKDOWN_NAME,
    "html": HTML_NAME,
    "junit": JUNIT_NAME,
}


def write_reports(
    results: Sequence[ClaimResult],
    run: RunInfo,
    out_dir: Path | str,
    studies: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Render the reports of a run in every format and write them.

    All formats are rendered in memory before anything touches the disk, so a
    value that cannot be encoded leaves earlier reports in ``out_dir`` as they
    were. Each file is then replaced atomically.

    Parameters
    ----------
    results
        The claims of the run, in report order.
    run
        The run metadata.
    out_dir
        Directory for the reports; created, with its parents, if missing.

    Returns
    -------
    dict of str to Path
        ``{"json": out_dir / "report.json", "markdown": out_dir / "report.md",
        "html": out_dir / "report.html", "junit": out_dir / "report.junit.xml"}``.

    Raises
    ------
    InvalidArgument
        If ``out_dir`` exists and is not a directory, cannot be created, or a
        value in ``results`` or ``run`` cannot be encoded as JSON.
    """
    out = Path(out_dir)
    _check_not_a_file(out)
    json_text = dumps_document(report_document(results, run, studies))
    # Render from the decoded text, exactly as a later re-render from the stored
    # report.json would, so that the two can never disagree.
    texts = render_formats(json.loads(json_text))
    _make_directory(out)
    return _write_all(texts, out)


def render_formats(doc: dict[str, Any]) -> dict[str, str]:
    """Every format of a report document, as text, keyed like :data:`FILE_NAMES`.

    Parameters
    ----------
    doc
        A valid report document, e.g. from :func:`load_document`.

    Raises
    ------
    OrthoproofError
        If ``doc`` breaks the report schema.
    """
    return {
        "json": dumps_document(doc),
        "markdown": render_markdown(doc),
        "html": render_html(doc),
        "junit": to_junit(doc),
    }


def rerender_reports(json_path: Path | str, out_dir: Path | str) -> dict[str, Path]:
    """Re-render every format from a stored ``report.json`` into ``out_dir``.

    This is what ``orthoproof report PATH.json --out DIR`` does: the stored JSON
    alone is enough, so a report can be re-rendered by a newer orthoproof
    without running anything again. ``report.json`` itself is rewritten in
    ``out_dir`` too (identically, if orthoproof wrote it), so the directory
    holds a complete, consistent set.

    Parameters
    ----------
    json_path
        A ``report.json`` written by orthoproof.
    out_dir
        Directory for the reports; created, with its parents, if missing.

    Returns
    -------
    dict of str to Path
        The written files, keyed as by :func:`write_reports`.

    Raises
    ------
    OrthoproofError
        If the JSON cannot be read or breaks the schema; nothing is written.
    InvalidArgument
        If ``out_dir`` is an existing file or cannot be created.
    """
    out = Path(out_dir)
    _check_not_a_file(out)
    texts = render_formats(load_document(json_path))
    _make_directory(out)
    return _write_all(texts, out)


def _write_all(texts: dict[str, str], out: Path) -> dict[str, Path]:
    paths = {fmt: out / name for fmt, name in FILE_NAMES.items()}
    for fmt, path in paths.items():
        write_text_atomic(path, texts[fmt])
    return paths


def _check_not_a_file(out: Path) -> None:
    # Checked before rendering as well as at creation, so a mistyped --out fails
    # at once instead of after the whole report has been built.
    if out.exists() and not out.is_dir():
        raise InvalidArgument.of("out", str(out), "a directory, not an existing file")


def _make_directory(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidArgument.of(
            "out", str(out), f"a creatable directory ({exc})"
        ) from exc
