"""Writing the reports of a run to a directory: JSON, Markdown, HTML and JUnit.

Every format is rendered and encoded in memory before anything touches the
disk, and the files are then replaced as one set (:mod:`.atomic`): a failure at
any point leaves the earlier reports as they were, never a mix of old and new.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from orthoproof.errors import DataError, InvalidArgument
from orthoproof.report.atomic import replace_files_atomic
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
    "check_out_dir",
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

    All formats are rendered in memory before anything touches the disk, and
    the files are replaced as one set: if anything fails, the earlier reports in
    ``out_dir`` are left as they were, all of them.

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
        If ``out_dir`` exists and is not a directory, cannot be created or
        written, holds a directory under a report's name, or a value in
        ``results`` or ``run`` cannot be encoded as JSON.
    DataError
        If some text is not valid Unicode (a lone surrogate).
    """
    out = Path(out_dir)
    check_out_dir(out)
    json_text = dumps_document(report_document(results, run, studies))
    # Render from the decoded text, exactly as a later re-render from the stored
    # report.json would, so that the two can never disagree.
    texts = render_formats(json.loads(json_text))
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
        If ``out_dir`` is an existing file, cannot be created or written, or
        holds a directory under a report's name; the old reports stay as they
        were.
    DataError
        If some text of the report is not valid Unicode (a lone surrogate, which
        JSON can carry as ``\\ud800`` but UTF-8 cannot).
    """
    out = Path(out_dir)
    check_out_dir(out)
    texts = render_formats(load_document(json_path))
    return _write_all(texts, out)


def check_out_dir(out_dir: Path | str) -> None:
    """Refuse an output directory the reports could not be written into.

    Cheap enough to call before a long run, so that a bad ``--out`` fails at
    once instead of after the work; the writers check again in any case.

    Parameters
    ----------
    out_dir
        The intended report directory; it need not exist yet.

    Raises
    ------
    InvalidArgument
        If ``out_dir`` exists and is not a directory, or a report's file name
        in it is taken by a directory (a rename cannot replace one).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidArgument.of("out", str(out), "a directory, not an existing file")
    for name in FILE_NAMES.values():
        if (out / name).is_dir() and not (out / name).is_symlink():
            raise InvalidArgument.of(
                "out",
                str(out),
                f"a directory whose {name} is a file or absent; "
                f"{str(out / name)!r} is a directory",
            )


def _write_all(texts: dict[str, str], out: Path) -> dict[str, Path]:
    _check_encodable(texts)
    _make_directory(out)
    paths = {fmt: out / name for fmt, name in FILE_NAMES.items()}
    try:
        replace_files_atomic({paths[fmt]: texts[fmt] for fmt in paths})
    except OSError as exc:
        # The notes say which old file could not be put back, in the rare case
        # that undoing the replacements failed too.
        notes = getattr(exc, "__notes__", [])
        kept = (
            "; ".join(notes) if notes else "the earlier reports were left as they were"
        )
        raise InvalidArgument.of(
            "out",
            str(out),
            f"a directory where every report can be replaced ({exc}); {kept}",
        ) from exc
    return paths


def _check_encodable(texts: dict[str, str]) -> None:
    # JSON can carry a lone surrogate as an escape, but no UTF-8 file can hold
    # it; finding out before the directory is made keeps a failure harmless.
    for fmt, text in texts.items():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            near = text[max(exc.start - 40, 0) : exc.end + 40]
            raise DataError(
                f"cannot write {FILE_NAMES[fmt]}: {exc.reason} "
                f"({text[exc.start]!r} at character {exc.start}, in {near!r})"
            ) from exc


def _make_directory(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidArgument.of(
            "out", str(out), f"a creatable directory ({exc})"
        ) from exc
