"""Free text in Markdown, shown as typed: never as HTML, a link or a new block.

Claim statements, evidence summaries, group names and study text all come from
the JSON report, which a person may have edited, and many Markdown viewers pass
raw HTML through. So every such text goes through :func:`text` (within a line)
or :func:`paragraph` (a line of its own), and tables are built by :func:`table`.

What is escaped, and why:

- ``\\`` first, so that a backslash in the text cannot undo the escapes below;
- ``&`` and ``<``, which open entities, HTML and autolinks (``>`` opens nothing,
  so it stays readable);
- ``#``, which a heading would drop from its end;
- ``](``, the only way into an inline link or image (a reference link needs a
  definition, and one can only open a paragraph: see :func:`paragraph`);
- ``|`` in a table cell, where it would end the cell even inside a code span.

Emphasis, code and strike-through markers (``*``, ``_``, backticks, ``~``) are
left alone: the catalogue writes subscripts such as ``∇_A``, escaping them would
clutter every statement, and the worst they do is style a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["code", "one_line", "paragraph", "table", "text"]

_ESCAPES = {"\\": "\\\\", "&": "&amp;", "<": "&lt;", "#": "\\#"}
_SPECIAL = re.compile(r"[\\&<#]|\](?=\()")
#: What would turn a paragraph into a quote, list, rule, code fence or link
#: definition (a heading's "#" is escaped anyway); an ordered list is a number
#: followed by "." or ")".
_BLOCK_START = re.compile(r"[>+\-*_`~\[]|\d{1,9}[.)]")


def one_line(value: str) -> str:
    """``value`` with every run of white space, newlines included, one space."""
    return " ".join(value.split())


def text(value: str) -> str:
    """``value`` as Markdown that reads as ``value``, on one line.

    Runs of white space become one space, and emphasis markers keep their
    meaning (see the module notes); everything else shows as typed.

    Examples
    --------
    >>> text("<img src=x> & [a](b)")
    '&lt;img src=x> &amp; [a]\\\\(b)'
    """
    return _SPECIAL.sub(_escape, one_line(value))


def paragraph(value: str) -> str:
    """:func:`text` for a line that starts a paragraph of its own.

    Examples
    --------
    >>> paragraph("1. not a list")
    '1\\\\. not a list'
    """
    escaped = text(value)
    start = _BLOCK_START.match(escaped)
    if start is None:
        return escaped
    # A backslash before the marker (a list number's "." or ")") makes it text.
    cut = start.end() - 1
    return escaped[:cut] + "\\" + escaped[cut:]


def code(value: str) -> str:
    """Inline code that survives backticks inside ``value``."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def table(
    header: tuple[str, ...],
    rows: Iterable[tuple[str, ...]],
    align: tuple[str, ...] | None = None,
) -> list[str]:
    """A GitHub-flavoured Markdown table of cells already made Markdown.

    Cells hold Markdown (:func:`text`, :func:`code`, ``**bold**``); only what a
    table adds is escaped here.
    """
    lines = [_row(header), _row(align or tuple("---" for _ in header))]
    return lines + [_row(row) for row in rows]


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    return _ESCAPES.get(found, "]\\")


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(markdown: str) -> str:
    # A table cell ends at a bare pipe even inside a code span (GFM), and a
    # newline would end the whole row. The table drops the backslash before a
    # pipe and then reads the rest as usual, so this stays right after text().
    return one_line(markdown).replace("|", "\\|")
