"""The optional ``studies`` section: measurements that are not claims.

A study (for now the basis-alignment study of issue 7) has no expected
verdict; it reports numbers and a conclusion computed from them. Its layout:
``{"<name>": {"title": str, "conclusion": str, "table": {"columns": [...],
"rows": [[...], ...]}, "data": {...}}}``; ``data`` holds everything else. The
Markdown shows the table; the HTML adds a plot drawn from ``data`` where its
layout is that of the basis-alignment study, and nothing where it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from orthoproof.report.markdown_text import paragraph, table, text
from orthoproof.report.study_plot import basis_study_svg

__all__ = ["check_studies", "studies_html", "studies_markdown"]


_PLOT_NOTE = (
    '<p class="note">Left: each seed\'s basis statistic in standard deviations of '
    "its rotation null (0 is what randomly rotated copies of the same vectors "
    "give; the grey band is ±2 null sd), for the initial vectors (hollow squares) "
    "and the trained ones. Right: the seeds' p-values combined by Fisher's "
    "method; left of the dashed lines is evidence of privileged axes.</p>"
)


def check_studies(studies: object, problems: list[str]) -> None:
    """Append a message for every way ``studies`` departs from the layout."""
    if not isinstance(studies, dict):
        problems.append("studies: expected an object")
        return
    for name, study in studies.items():
        where = f"studies.{name}"
        if not isinstance(study, dict):
            problems.append(f"{where}: expected an object")
            continue
        for key in ("title", "conclusion"):
            if not isinstance(study.get(key), str):
                problems.append(f"{where}.{key}: expected a string")
        table = study.get("table")
        if not isinstance(table, dict) or not isinstance(table.get("rows"), list):
            problems.append(f"{where}.table: expected an object with rows")
        elif any(len(r) != len(table.get("columns", [])) for r in table["rows"]):
            problems.append(f"{where}.table: a row does not match the columns")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def studies_markdown(studies: Mapping[str, Any]) -> str:
    """One Markdown section per study: its conclusion, then its table."""
    parts = ["## Studies"]
    for study in studies.values():
        title, conclusion = text(study["title"]), paragraph(study["conclusion"])
        parts.append(f"### {title}\n\n{conclusion}")
        columns = tuple(text(str(c)) for c in study["table"]["columns"])
        rows = (tuple(text(_cell(v)) for v in row) for row in study["table"]["rows"])
        parts.append("\n".join(table(columns, rows)))
    return "\n\n".join(parts)


def studies_html(studies: Mapping[str, Any]) -> str:
    """One HTML section per study, readable without JavaScript."""
    parts = ['<h2 id="studies">Studies</h2>']
    for index, study in enumerate(studies.values()):
        table = study["table"]
        data = study.get("data")
        plot = (
            basis_study_svg(
                data, prefix=f"study{index + 1}", title=f"plot: {study['title']}"
            )
            if isinstance(data, Mapping)
            else ""
        )
        head = "".join(f"<th>{escape(c)}</th>" for c in table["columns"])
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
            for row in table["rows"]
        )
        parts.append(
            f"<section><h3>{escape(study['title'])}</h3>"
            f"<p>{escape(study['conclusion'])}</p>"
            f"{plot}{_PLOT_NOTE if plot else ''}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            "</section>"
        )
    return "\n".join(parts)
