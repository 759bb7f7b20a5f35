"""The Markdown report, rendered from the JSON document alone.

Rendering only from the document means any stored ``report.json`` can be turned
into Markdown again later, by a newer orthoproof if need be. Wall-clock timings
are the one part of a run that differs between otherwise identical runs, so
they go last, under their own heading: everything before the ``Timings``
heading is reproducible byte for byte from the same seed, input and versions.

The document may have been edited by hand, so its free text is escaped
(:mod:`.markdown_text`) and shows as typed, never as HTML or links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from orthoproof.report.markdown_text import code as _code
from orthoproof.report.markdown_text import paragraph, table
from orthoproof.report.markdown_text import text as _text
from orthoproof.report.schema import VERDICTS, require_valid
from orthoproof.report.studies import studies_markdown

__all__ = ["MAX_BLOCK_LINES", "TIMINGS_HEADING", "render_markdown"]

#: Longest JSON block shown in full; longer ones are cut, since report.json keeps
#: the whole value and a reader scrolling past a page of numbers learns nothing.
MAX_BLOCK_LINES = 60
#: Longest line kept whole inside a JSON block (long strings, e.g. polynomials).
MAX_LINE_CHARS = 200
TIMINGS_HEADING = "## Timings"

_INTRO = (
    "This report records what orthoproof established about the rotation symmetry "
    "of a matrix-factorisation model `X ≈ AᵀB` and of the optimisers and "
    "initialisations that train it. Each claim states that something is unchanged, "
    "or moves in step, when the hidden space is rotated, `(A, B) → (PA, PB)`. A "
    "claim is *proved* when a symbolic proof passed an independent check, *holds* "
    "when strong numerical evidence supports it, *refuted* when a certified "
    "counterexample exists, and *undecided* otherwise. Every verdict is compared "
    "with the one the catalogue expects; the run passes only if all of them agree. "
    "Everything above the Timings section depends only on the seed, the input "
    "and the software versions."
)


def render_markdown(doc: Mapping[str, Any]) -> str:
    """Render a JSON report document as Markdown.

    Parameters
    ----------
    doc
        A document as built by :func:`orthoproof.report.report_document` or read
        by :func:`orthoproof.report.load_document`.

    Returns
    -------
    str
        The Markdown text, ending with a newline.

    Raises
    ------
    OrthoproofError
        If ``doc`` breaks the report schema.
    """
    require_valid(doc)
    sections = [
        f"# orthoproof report\n\n{_INTRO}",
        _run_section(doc),
        _summary_section(doc["summary"], doc["claims"]),
        "## Claims",
        *(_claim_section(claim) for claim in doc["claims"]),
        *([studies_markdown(doc["studies"])] if doc.get("studies") else []),
        _timings_section(doc["run"]["timings"]),
    ]
    return "\n\n".join(sections) + "\n"


def _run_section(doc: Mapping[str, Any]) -> str:
    run = doc["run"]
    m, n = run["input"]["shape"]
    lines = [
        "## Run",
        "",
        f"- Seed: {_code(str(run['seed']))}",
        f"- Input: {_code(run['input']['source'])}, shape {m} × {n}",
        f"- Input SHA-256: {_code(run['input']['sha256'])}",
        f"- orthoproof {_text(doc['orthoproof'])}, report schema {doc['schema']}",
        "",
        "### Versions",
        "",
        *table(("package", "version"), _texts(run["versions"].items())),
        "",
        "### Configuration",
        "",
    ]
    config = [(_code(k), _code(_compact(v))) for k, v in run["config"].items()]
    lines += table(("setting", "value"), config) if config else ["(none)"]
    return "\n".join(lines)


def _summary_section(summary: Mapping[str, Any], claims: list[Any]) -> str:
    counts = ", ".join(f"{v} {summary['by_verdict'][v]}" for v in VERDICTS)
    outcome = "✓ all as expected" if summary["ok"] else "✗ not all as expected"
    rows = [
        (
            _code(c["id"]),
            _text(c["group"]),
            c["expected"],
            c["verdict"],
            _mark(c["as_expected"]),
        )
        for c in claims
    ]
    header = ("claim", "group", "expected", "verdict", "as expected")
    return "\n".join(
        [
            "## Summary",
            "",
            f"**{outcome}**: {summary['as_expected']} of {summary['claims']} claims "
            f"as expected ({counts}).",
            "",
            *table(header, rows),
        ]
    )


def _claim_section(claim: Mapping[str, Any]) -> str:
    lines = [
        # The same claim id can be checked under several groups, hence both.
        f"### {_code(claim['id'])} under {_text(claim['group'])}",
        "",
        paragraph(claim["statement"]),
        "",
        f"- Expected: {claim['expected']}",
        f"- Verdict: **{claim['verdict']}** {_mark(claim['as_expected'])}",
        "",
        "Evidence:",
        "",
    ]
    evidence = claim["evidence"]
    lines += [line for item in evidence for line in _evidence(item)] or ["- (none)"]
    return "\n".join(lines)


def _evidence(item: Mapping[str, Any]) -> list[str]:
    lines = [f"- **{_text(item['kind'])}**: {item['verdict']}"]
    lines.append(f"  - Summary: {_text(item['summary'])}")
    if item.get("dimensions"):
        dims = ", ".join(f"{_text(k)}={v}" for k, v in item["dimensions"].items())
        lines.append(f"  - Dimensions: {dims}")
    if item.get("precision"):
        lines.append(f"  - Precision (dps): {', '.join(map(str, item['precision']))}")
    if item.get("errors"):
        lines.append(f"  - Errors: {', '.join(map(_scientific, item['errors']))}")
    for key, label in (
        ("counterexample", "Counterexample"),
        ("certificate", "Certificate"),
        ("details", "Details"),
    ):
        if item.get(key):
            lines += [f"  - {label}:", "", *_json_block(item[key], indent="    ")]
    return lines


def _timings_section(timings: Mapping[str, float]) -> str:
    rows = [(_text(stage), f"{seconds:.3f}") for stage, seconds in timings.items()]
    # Entries named "stage/part" break a stage down; only whole stages add up.
    total = sum(v for k, v in timings.items() if "/" not in k)
    rows.append(("**total**", f"**{total:.3f}**"))
    return "\n".join(
        [
            "---",
            "",
            TIMINGS_HEADING,
            "",
            "Wall-clock seconds per stage, in the order the stages ran. They vary "
            "from run to run, which is why they are kept apart from the rest.",
            "",
            *table(("stage", "seconds"), rows, align=("---", "---:")),
        ]
    )


def _texts(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_text(key), _text(value)) for key, value in pairs]


def _json_block(value: Any, indent: str) -> list[str]:
    """A fenced JSON block, cut to :data:`MAX_BLOCK_LINES` lines."""
    body = _pretty(value).splitlines()
    shown = [_clip(line) for line in body[:MAX_BLOCK_LINES]]
    longest = max((len(run) for run in re.findall(r"`+", "\n".join(shown))), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence + "json", *shown, fence]
    if len(body) > MAX_BLOCK_LINES:
        hidden = len(body) - MAX_BLOCK_LINES
        lines += ["", f"({hidden} more lines not shown; report.json has them all.)"]
    return [indent + line if line else "" for line in lines]


def _pretty(value: Any, pad: str = "") -> str:
    """Indented JSON that keeps each list of numbers on one line.

    ``json.dumps(indent=2)`` gives every matrix entry a line of its own, so a
    4 × 4 group element alone would fill a third of a block; one row a line
    keeps matrices readable as matrices. The result is still valid JSON.
    """
    inner = pad + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{_compact(k)}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(v, dict | list) and v for v in value):
        items = [inner + _pretty(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return _compact(value)


def _clip(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    return f"{line[:MAX_LINE_CHARS]}… ({len(line) - MAX_LINE_CHARS} characters cut)"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _scientific(error: float | str) -> str:
    """Short scientific notation; non-finite errors arrive as strings already."""
    if isinstance(error, str):
        return error
    try:
        return f"{float(error):.2e}"
    except OverflowError:
        # An integer too large for a float is still a measurement worth showing.
        return str(error)


def _mark(as_expected: bool) -> str:
    return "✓" if as_expected else "✗"
