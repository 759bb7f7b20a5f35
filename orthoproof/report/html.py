"""The HTML report: one self-contained page, rendered from the JSON alone.

The page needs nothing but a browser: the plots are inline SVG, the formulas
MathML, the style sheet inline, and there is no script and no web address, so
it opens the same offline, in a CI artefact viewer or years later. Like the
Markdown it is rendered from the JSON document only, and everything above
:data:`TIMINGS_MARKER` depends only on the seed, the input and the software
versions: two runs that agree give byte-identical pages up to that marker.

Reading order follows what a newcomer asks first: did everything come out as
expected (banner), which claim stands how under which group (the overview,
compact enough that the top of the page holds every verdict), how strong the
optimisers' evidence is (the slopes), the fuzzing and the studies, and only
then the evidence, claim by claim.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from orthoproof.report.cells import cell, group_name, short_group
from orthoproof.report.evidence_html import evidence_html, number, verdict_badge
from orthoproof.report.formulas import claim_formulas
from orthoproof.report.overview import overview_html
from orthoproof.report.plots import fuzz_ratio_svg
from orthoproof.report.schema import VERDICTS, require_valid
from orthoproof.report.studies import studies_html
from orthoproof.report.style import CSS

__all__ = ["TIMINGS_MARKER", "render_html"]

#: Everything after this line varies from run to run (wall-clock timings).
TIMINGS_MARKER = "<!-- timings: wall-clock seconds, the only part that varies -->"

_TRAJECTORY = re.compile(r"^trajectory-equivariance/([^/]+)/(.+)$")


def render_html(doc: Mapping[str, Any]) -> str:
    """Render a JSON report document as one self-contained HTML page.

    Parameters
    ----------
    doc
        A document as built by :func:`orthoproof.report.report_document` or read
        by :func:`orthoproof.report.load_document`.

    Returns
    -------
    str
        The page, ending with a newline.

    Raises
    ------
    OrthoproofError
        If ``doc`` breaks the report schema.
    """
    require_valid(doc)
    claims = doc["claims"]
    anchors = [f"claim-{i + 1}" for i in range(len(claims))]
    body = [
        _header(doc),
        overview_html(claims, anchors),
        _optimiser_table(claims, anchors),
        _fuzz_overview(claims),
        studies_html(doc["studies"]) if doc.get("studies") else "",
        _run_section(doc),
        '<h2 id="claims">Claims and their evidence</h2>',
        *(_claim_section(c, a) for c, a in zip(claims, anchors, strict=True)),
        '<hr class="timings">',
        TIMINGS_MARKER,
        _timings_section(doc["run"]["timings"]),
    ]
    return _page("\n".join(part for part in body if part))


def _page(body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>orthoproof report</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def _header(doc: Mapping[str, Any]) -> str:
    summary = doc["summary"]
    counts = " · ".join(f"{summary['by_verdict'][v]} {v}" for v in VERDICTS)
    total = summary["claims"]
    if summary["ok"]:
        banner = f"✓ All {total} claims came out as expected"
    else:
        missed = total - summary["as_expected"]
        banner = f"✗ {missed} of {total} claims did not come out as expected"
    state = "ok" if summary["ok"] else "bad"
    return "\n".join(
        [
            "<h1>orthoproof report: is the hidden basis arbitrary?</h1>",
            '<p class="lead">Each claim says that a factorisation model '
            "<code>X ≈ AᵀB</code>, or an optimiser training it, is unchanged (or "
            "moves in step) when the hidden space is rotated, "
            "<code>(A, B) → (PA, PB)</code>. The overview below gives every verdict, "
            "computed from evidence; ✓ marks the verdict the mathematics expects. "
            'Every cell links to <a href="#claims">the claim\'s evidence</a>.</p>',
            f'<div class="banner {state}" role="status">{banner}'
            f'<span class="counts">{escape(counts)}</span></div>',
        ]
    )


def _by_frequency(names: Iterable[str]) -> list[str]:
    """Distinct names, most frequent first, ties in order of appearance."""
    return [name for name, _ in Counter(names).most_common()]


def _optimiser_table(
    claims: Sequence[Mapping[str, Any]], anchors: Sequence[str]
) -> str:
    """Optimiser × group: where training itself keeps or breaks the symmetry."""
    found = [
        (match[1], match[2], claim, anchor)
        for claim, anchor in zip(claims, anchors, strict=True)
        if (match := _TRAJECTORY.match(claim["id"]))
    ]
    if not found:
        return ""
    # Most-used groups and models first: the rare exceptions (GL(k), other
    # models) then sit at the edges instead of heading the table.
    groups = _by_frequency(claim["group"] for _, _, claim, _ in found)
    models = _by_frequency(model for _, model, _, _ in found)
    cells = {(opt, model, c["group"]): (c, a) for opt, model, c, a in found}
    pairs = dict.fromkeys((opt, model) for opt, model, _, _ in found)
    rows = []
    for opt, model in sorted(pairs, key=lambda pair: models.index(pair[1])):
        row = "".join(
            _slope_cell(*cells[opt, model, g])
            if (opt, model, g) in cells
            else '<td class="none">not checked</td>'
            for g in groups
        )
        label = f"{escape(opt)} on {escape(model)}"
        rows.append(f'<tr><th class="row">{label}</th>{row}</tr>')
    head = "".join(f"<th>{short_group(g)}</th>" for g in groups)
    return "\n".join(
        [
            '<h2 id="optimisers">Optimisers: how clearly each training run keeps or '
            "breaks the symmetry</h2>",
            '<p class="note">The slope is that of log₁₀ deviation against '
            "precision: about −1 means the deviation is rounding error only; "
            "about 0 means it is real.</p>",
            f'<table class="glance slopes"><tr><th>optimiser</th>{head}</tr>',
            *rows,
            "</table>",
        ]
    )


def _slope_cell(claim: Mapping[str, Any], anchor: str) -> str:
    slopes = [
        item["details"]["slope"]
        for item in claim["evidence"]
        if item["kind"] == "trajectory"
        and isinstance((item.get("details") or {}).get("slope"), int | float)
    ]
    # Adding 0.0 turns a rounded −0.00 into 0.00, which is what it means.
    shown = [round(slope, 2) + 0.0 for slope in slopes]
    extra = f'<span class="expected">slope {shown[0]:+.2f}</span>' if shown else ""
    return cell(claim, anchor, extra)


def _fuzz_overview(claims: Sequence[Mapping[str, Any]]) -> str:
    labels, ratios = [], []
    for claim in claims:
        for item in claim["evidence"]:
            ratio = _worst_ratio(item)
            if item["kind"] == "fuzz" and ratio is not None:
                labels.append(f"{claim['id']} [{group_name(claim['group'])}]")
                ratios.append(ratio)
    if not labels:
        return ""
    return "\n".join(
        [
            '<h2 id="fuzzing">Fuzzing: worst error against its rounding bound</h2>',
            '<p class="note">For each fuzzed claim, the float64 example whose error '
            "came closest to (or furthest past) the error that rounding alone can "
            "explain. Below 1: consistent with the claim; far above 1: a real "
            "difference, then confirmed in exact arithmetic.</p>",
            fuzz_ratio_svg(labels, ratios, prefix="fuzz", title="fuzzing ratios"),
        ]
    )


def _worst_ratio(item: Mapping[str, Any]) -> Any:
    worst = (item.get("details") or {}).get("worst")
    if isinstance(worst, dict) and "ratio" in worst:
        return worst["ratio"]
    errors = item.get("errors") or []
    return errors[0] if errors else None


def _run_section(doc: Mapping[str, Any]) -> str:
    run = doc["run"]
    m, n = run["input"]["shape"]
    facts = [
        ("seed", escape(str(run["seed"]))),
        ("input", f"{escape(run['input']['source'])}, shape {m} × {n}"),
        ("input SHA-256", f"<code>{escape(run['input']['sha256'])}</code>"),
        ("orthoproof", f"{escape(doc['orthoproof'])}, report schema {doc['schema']}"),
        *((f"version of {k}", escape(v)) for k, v in run["versions"].items()),
        *((f"setting {k}", _setting(v)) for k, v in run["config"].items()),
    ]
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in facts)
    return f'<h2 id="run">Run</h2>\n<table class="facts">{rows}</table>'


def _setting(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return f"<code>{escape(text)}</code>"


def _claim_section(claim: Mapping[str, Any], anchor: str) -> str:
    mismatch = "" if claim["as_expected"] else " mismatch"
    mark = "✓ as expected" if claim["as_expected"] else "✗ NOT as expected"
    formulas = claim_formulas(claim["id"], claim["group"])
    evidence = [
        evidence_html(item, f"{anchor}-e{j + 1}")
        for j, item in enumerate(claim["evidence"])
    ] or ['<p class="note">No evidence was recorded.</p>']
    return "\n".join(
        [
            f'<section class="claim{mismatch}" id="{anchor}">',
            f"<h3><code>{escape(claim['id'])}</code> under "
            f"{escape(group_name(claim['group']))}</h3>",
            f'<p class="verdict-line">Verdict {verdict_badge(claim["verdict"])}, '
            f"expected {escape(claim['expected'])}: <strong>{mark}</strong></p>",
            *formulas,
            f'<p class="statement">{escape(claim["statement"])}</p>',
            *evidence,
            "</section>",
        ]
    )


def _timings_section(timings: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(stage)}</td><td>{number(seconds)}</td></tr>"
        for stage, seconds in timings.items()
    )
    # Entries named "stage/part" break a stage down; only whole stages add up.
    total = sum(v for k, v in timings.items() if "/" not in k)
    return "\n".join(
        [
            '<section id="timings"><h2>Timings</h2>',
            '<p class="note">Wall-clock seconds per stage, in the order the stages '
            "ran. They vary from run to run, which is why they stand apart.</p>",
            f"<table><tr><th>stage</th><th>seconds</th></tr>{rows}"
            f"<tr><th>total</th><th>{total:.3f}</th></tr></table>",
            "</section>",
        ]
    )
