"""The verdict overview at the top of the HTML page: every verdict at a glance.

A single claim × group grid grows a row per claim and, with a few hundred
claims, runs over several screens while most of its cells say "not checked".
The overview therefore groups the claims by family, each in the shape its
family has:

* optimisers — one row per optimiser, its one-step claim beside its training
  run under each group (the optimiser × group symmetry table);
* initialisations — one row per initialiser, one column per group;
* models — one row per model, one column per property of its loss;
* everything else (theory, odd trajectories) — a dense list of id, group and
  verdict.

Cells are small but always say their verdict in words beside the colour, and
any claim that missed its expected verdict carries ✗ and a red frame.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from orthoproof.report.cells import cell, group_name, legend, short_group

__all__ = ["overview_html"]

_TRAJECTORY = re.compile(r"^trajectory-equivariance/([^/]+)/(.+)$")
_STEP = re.compile(r"^step-equivariance/([^/]+)$")
_INIT = re.compile(r"^init-invariance/([^/]+)$")
_MEMBER = re.compile(r"^([^/]+)/([^/]+)$")
_SHORT_FAMILY = (
    ("gl-", "GL "),
    ("-invariance", " inv."),
    ("-equivariance", " equiv."),
    ("-orthogonality", " orth."),
)
_NONE = '<td class="none" title="not checked">–</td>'

Entry = tuple[Mapping[str, Any], str]


@dataclass
class _Families:
    """The claims of a report sorted into the overview's tables."""

    trained: str = ""
    #: (row name, group) → (claim, anchor), one mapping per table
    trajectory: dict[tuple[str, str], Entry] = field(default_factory=dict)
    step: dict[tuple[str, str], Entry] = field(default_factory=dict)
    init: dict[tuple[str, str], Entry] = field(default_factory=dict)
    #: (model, "family group") → claim: properties of the models themselves
    model: dict[tuple[str, str], Entry] = field(default_factory=dict)
    rest: list[Entry] = field(default_factory=list)


def overview_html(claims: Sequence[Mapping[str, Any]], anchors: Sequence[str]) -> str:
    """The overview section: legend, then one compact table or list per family.

    Parameters
    ----------
    claims
        The claims of a JSON report, in report order.
    anchors
        The id of each claim's section on the page, in the same order.
    """
    families = _sort(claims, anchors)
    optimisers = _optimiser_table(families)
    side = [
        _table_section(
            "Initialisations",
            "is the law of the initial (A, B) invariant under each group?",
            "initialiser",
            families.init,
        ),
        _table_section(
            "Models",
            "loss invariance, gradient equivariance, orbit orthogonality",
            "model",
            families.model,
            heading=_family_heading,
        ),
        _rest_section(families.rest),
    ]
    panes = [part for part in (optimisers, "\n".join(p for p in side if p)) if part]
    return "\n".join(
        [
            '<h2 id="overview">Every verdict at a glance</h2>',
            legend(),
            '<div class="glance">',
            *(f'<div class="pane">{pane}</div>' for pane in panes),
            "</div>",
        ]
    )


def _sort(claims: Sequence[Mapping[str, Any]], anchors: Sequence[str]) -> _Families:
    # The optimiser table shows the model most trajectories were run on; runs
    # on other models are exceptions to it and join the list.
    models = Counter(
        match[2] for claim in claims if (match := _TRAJECTORY.match(claim["id"]))
    )
    families = _Families(trained=models.most_common(1)[0][0] if models else "")
    for claim, anchor in zip(claims, anchors, strict=True):
        entry = (claim, anchor)
        group = claim["group"]
        if (match := _TRAJECTORY.match(claim["id"])) and match[2] == families.trained:
            families.trajectory[match[1], group] = entry
        elif match := _STEP.match(claim["id"]):
            families.step[match[1], group] = entry
        elif match := _INIT.match(claim["id"]):
            families.init[match[1], group] = entry
        else:
            families.rest.append(entry)
    _split_models(families)
    return families


def _split_models(families: _Families) -> None:
    """Move ``family/model`` claims of models with several properties to a table.

    A model checked for, say, loss invariance, gradient equivariance and orbit
    orthogonality reads best as one row; a lone claim stays in the list.
    """
    parts = [(_MEMBER.match(claim["id"]), (claim, a)) for claim, a in families.rest]
    counts = Counter(match[2] for match, _ in parts if match)
    families.rest = []
    for match, entry in parts:
        if match and counts[match[2]] > 1:
            families.model[match[2], f"{match[1]} {entry[0]['group']}"] = entry
        else:
            families.rest.append(entry)


def _optimiser_table(families: _Families) -> str:
    """Optimiser × group: one update step, then a whole training run."""
    if not (families.trajectory or families.step):
        return ""
    blocks = [
        ("one update step", families.step),
        (f"training run on {families.trained}", families.trajectory),
    ]
    blocks = [(title, cells) for title, cells in blocks if cells]
    columns = [(cells, _columns(cells)) for _, cells in blocks]
    top = "".join(
        f'<th colspan="{len(groups)}" class="block">{escape(title)}</th>'
        for (title, _), (_, groups) in zip(blocks, columns, strict=True)
    )
    heads = "".join(f"<th>{short_group(g)}</th>" for _, gs in columns for g in gs)
    # Column groups draw the heavier rule that parts one block from the next.
    spans = "".join(
        f'<colgroup class="block" span="{len(groups)}"></colgroup>'
        for _, groups in columns
    )
    rows = []
    names = _rows(*(cells for _, cells in blocks))
    for name in names:
        row = "".join(
            _compact(cells.get((name, g))) for cells, groups in columns for g in groups
        )
        rows.append(f'<tr><th class="row">{escape(name)}</th>{row}</tr>')
    return "\n".join(
        [
            f"<h3>Optimisers ({len(names)})</h3>",
            '<p class="note">Does an update step, and a whole training run, move '
            "in step with the rotation of the hidden space?</p>",
            f'<table class="glance"><colgroup></colgroup>{spans}',
            f'<tr><th rowspan="2">optimiser</th>{top}</tr>',
            f"<tr>{heads}</tr>",
            *rows,
            "</table>",
        ]
    )


def _table_section(
    title: str,
    note: str,
    corner: str,
    cells: Mapping[tuple[str, str], Entry],
    heading: Callable[[str], str] = short_group,
) -> str:
    if not cells:
        return ""
    groups = _columns(cells)
    heads = "".join(f"<th>{heading(g)}</th>" for g in groups)
    rows = [
        f'<tr><th class="row">{escape(name)}</th>'
        + "".join(_compact(cells.get((name, g))) for g in groups)
        + "</tr>"
        for name in _rows(cells)
    ]
    return "\n".join(
        [
            f"<h3>{escape(title)} ({len(rows)})</h3>",
            f'<p class="note">{escape(note)}</p>',
            f'<table class="glance"><tr><th>{escape(corner)}</th>{heads}</tr>',
            *rows,
            "</table>",
        ]
    )


def _family_heading(column: str) -> str:
    """``loss-invariance O`` as a short heading over its group's name."""
    family, _, group = column.rpartition(" ")
    short = family
    for long, abbreviation in _SHORT_FAMILY:
        short = short.replace(long, abbreviation)
    return (
        f'<abbr title="{escape(family)}">{escape(short)}</abbr>'
        f'<span class="under">{short_group(group)}</span>'
    )


def _rest_section(entries: Sequence[Entry]) -> str:
    if not entries:
        return ""
    items = [_item(claim, anchor) for claim, anchor in entries]
    return "\n".join(
        [
            f"<h3>Other claims ({len(items)})</h3>",
            '<ul class="glance">',
            *items,
            "</ul>",
        ]
    )


def _item(claim: Mapping[str, Any], anchor: str) -> str:
    verdict = escape(claim["verdict"])
    if claim["as_expected"]:
        chip = f'<span class="chip v-{verdict}">{verdict} <span class="mark">✓'
        chip += "</span></span>"
    else:
        chip = (
            f'<span class="chip v-{verdict} mismatch">{verdict} '
            f'<span class="mark">✗</span> expected {escape(claim["expected"])}</span>'
        )
    return (
        f'<li><a href="#{anchor}">{chip}<code>{escape(claim["id"])}</code> '
        f'<span class="group">{escape(group_name(claim["group"]))}</span></a></li>'
    )


def _compact(entry: Entry | None) -> str:
    """A verdict cell, or a dash where the pair was not checked."""
    return _NONE if entry is None else cell(*entry)


def _columns(cells: Mapping[tuple[str, str], Entry]) -> list[str]:
    return list(dict.fromkeys(group for _, group in cells))


def _rows(*tables: Mapping[tuple[str, str], Entry]) -> list[str]:
    return list(dict.fromkeys(name for table in tables for name, _ in table))
