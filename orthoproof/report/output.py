"""Writing the report pair, ``report.json`` and ``report.md``, to a directory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from orthoproof.errors import InvalidArgument
from orthoproof.report.atomic import write_text_atomic
from orthoproof.report.jsonreport import dumps_document, report_document
from orthoproof.report.markdown import render_markdown
from orthoproof.report.run import RunInfo
from orthoproof.verdicts import ClaimResult

__all__ = ["JSON_NAME", "MARKDOWN_NAME", "write_reports"]

JSON_NAME = "report.json"
MARKDOWN_NAME = "report.md"


def write_reports(
    results: Sequence[ClaimResult], run: RunInfo, out_dir: Path | str
) -> dict[str, Path]:
    """Render the JSON and Markdown reports of a run and write both.

    Both documents are rendered in memory before anything touches the disk, so a
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
        ``{"json": out_dir / "report.json", "markdown": out_dir / "report.md"}``.

    Raises
    ------
    InvalidArgument
        If ``out_dir`` exists and is not a directory, cannot be created, or a
        value in ``results`` or ``run`` cannot be encoded as JSON.
    """
    out = Path(out_dir)
    _check_not_a_file(out)
    json_text = dumps_document(report_document(results, run))
    # Render from the decoded text, exactly as a later re-render from the stored
    # report.json would, so that the two can never disagree.
    markdown_text = render_markdown(json.loads(json_text))
    _make_directory(out)
    paths = {"json": out / JSON_NAME, "markdown": out / MARKDOWN_NAME}
    write_text_atomic(paths["json"], json_text)
    write_text_atomic(paths["markdown"], markdown_text)
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
