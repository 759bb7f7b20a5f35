"""Verdict cells and group names shared by the overview and the detail tables.

A verdict is always shown on its colour *and* in words, with ✓ or ✗ against
the expected verdict, so that a page printed in grey, or read without colour
vision, loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from orthoproof.report.schema import VERDICTS

__all__ = ["GROUP_NAMES", "cell", "group_name", "legend", "short_group"]

GROUP_NAMES = {
    "O": "O(k)",
    "SO": "SO(k)",
    "GL": "GL(k)",
    "signed-perm": "signed permutations",
    "perm": "permutations",
    "sign": "sign flips",
}
#: Column headings of the compact overview tables, where width is scarce.
_SHORT_GROUPS = {
    "signed-perm": "signed perm.",
    "perm": "perm.",
    "sign": "signs",
}
_MEANINGS = {
    "proved": "symbolic proof, kernel-checked",
    "holds": "strong numerical evidence, no proof",
    "refuted": "certified counterexample",
    "undecided": "nothing conclusive",
}


def group_name(group: str) -> str:
    """The reader's name of a group, e.g. ``O(k)``; unknown names as they are."""
    return GROUP_NAMES.get(group, group)


def short_group(group: str) -> str:
    """A group heading for a narrow column, its full name as a tooltip."""
    short = _SHORT_GROUPS.get(group)
    if short is None:
        return escape(group_name(group))
    return f'<abbr title="{escape(group_name(group))}">{escape(short)}</abbr>'


def cell(claim: Mapping[str, Any], anchor: str, extra: str = "") -> str:
    """A table cell: colour, the verdict in words, and ✓/✗ against expected.

    Parameters
    ----------
    claim
        A claim of a JSON report.
    anchor
        Id of the claim's section on the page; the cell links to it.
    extra
        Further HTML inside the link, e.g. a slope.
    """
    verdict = escape(claim["verdict"])
    title = escape(f"{claim['id']} under {group_name(claim['group'])}", quote=True)
    if claim["as_expected"]:
        mark, classes, expected = '<span class="mark">✓</span>', "", ""
    else:
        mark, classes = '<span class="mark">✗</span>', " mismatch"
        expected = f'<span class="expected">expected {escape(claim["expected"])}</span>'
    return (
        f'<td class="cell v-{verdict}{classes}"><a href="#{anchor}" title="{title}">'
        f"{verdict} {mark}{expected}{extra}</a></td>"
    )


def legend() -> str:
    """What each colour, ✓ and ✗ mean, on one line."""
    swatches = "".join(
        f'<span><span class="swatch v-{v}">{v}</span> {escape(_MEANINGS[v])}</span>'
        for v in VERDICTS
    )
    marks = (
        "<span><strong>✓</strong> as expected</span>"
        '<span><strong class="mark bad">✗</strong> not as expected '
        "(red frame)</span>"
    )
    return f'<div class="legend">{swatches}{marks}</div>'
