"""HTML for one piece of evidence: proof steps, statistics, plots, replays.

Each kind of evidence has its own layout (a symbolic proof is a list of steps,
a trajectory a plot and a table); any field that no layout knows is still shown
in a collapsed JSON block, so a newer report never loses information in an
older renderer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from orthoproof.report.formulas import matrix_mathml
from orthoproof.report.plots import trajectory_svg

__all__ = ["evidence_html", "number", "verdict_badge"]

#: Exact matrices larger than this are shown as text, not typeset.
_MAX_TYPESET_ENTRIES = 64
_MAX_JSON_CHARS = 4000
_STEP_NUMBER = re.compile(r"^\s*(\[[^\]]*\]\s*)?\d+\.\s*")


def evidence_html(item: Mapping[str, Any], prefix: str) -> str:
    """One evidence record as an HTML block.

    Parameters
    ----------
    item
        An evidence record of a JSON report.
    prefix
        A name unique on the page, for the ids inside plots.
    """
    kind = str(item["kind"])
    parts = [
        f'<div class="evidence"><h4>{escape(kind)} evidence: '
        f"{verdict_badge(item['verdict'])}</h4>",
        f'<p class="summary">{escape(str(item["summary"]))}</p>',
        _coverage(item),
    ]
    layout = _LAYOUTS.get(kind, _generic)
    parts.append(layout(item, prefix))
    if item.get("counterexample"):
        parts.append(_counterexample(item["counterexample"]))
    parts.append("</div>")
    return "\n".join(part for part in parts if part)


def verdict_badge(verdict: str) -> str:
    """A verdict in words on its colour."""
    name = escape(str(verdict))
    return f'<span class="badge v-{name}">{name}</span>'


def number(value: Any) -> str:
    """A measurement in a short form; strings (``"nan"``, ``"3/5"``) as they are."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return escape(str(value))
    if isinstance(value, int):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return f"{value:.3e}"


def _coverage(item: Mapping[str, Any]) -> str:
    facts: list[tuple[str, str]] = []
    if item.get("dimensions"):
        dims = ", ".join(f"{k} = {v}" for k, v in item["dimensions"].items())
        facts.append(("dimensions", escape(dims)))
    if item.get("precision"):
        facts.append(("precision (dps)", ", ".join(map(str, item["precision"]))))
    if item.get("errors"):
        facts.append(("errors", ", ".join(number(e) for e in item["errors"])))
    return _facts_table(facts)


def _symbolic(item: Mapping[str, Any], prefix: str) -> str:
    certificate = item.get("certificate") or {}
    parts = certificate.get("parts")
    blocks: list[str] = []
    if isinstance(parts, list) and parts:
        blocks += [_certificate_part(part) for part in parts if isinstance(part, dict)]
    elif certificate.get("steps"):
        blocks.append(_steps(certificate["steps"]))
    details = _without(item.get("details") or {}, ("reason",))
    if details:
        blocks.append(_facts_table([(k, _value(v)) for k, v in details.items()]))
    return "\n".join(blocks)


def _certificate_part(part: Mapping[str, Any]) -> str:
    dims = ", ".join(f"{k} = {v}" for k, v in (part.get("dimensions") or {}).items())
    kernel = part.get("kernel") or {}
    checked = "accepted" if kernel.get("accepted") else "NOT accepted"
    facts = [
        ("ideal", escape(str(part.get("ideal") or "none (a plain identity)"))),
        ("generators", _value(part.get("generators"))),
        ("non-zero cofactors", _value(part.get("nonzero_cofactors"))),
        ("kernel", f"{checked}, {_value(kernel.get('monomials'))} monomials"),
    ]
    return "\n".join(
        [
            f"<h5>Proof steps: <code>{escape(str(part.get('claim', '')))}</code>"
            f" ({escape(dims)})</h5>",
            _steps(part.get("steps") or []),
            _facts_table(facts),
        ]
    )


def _steps(steps: Sequence[Any]) -> str:
    # The list numbers the steps itself; the stored "1. " (and the "[claim] "
    # of the flattened list) would only repeat it.
    items = [f"<li>{escape(_STEP_NUMBER.sub('', str(step)))}</li>" for step in steps]
    return '<ol class="steps">' + "".join(items) + "</ol>" if items else ""


def _fuzz(item: Mapping[str, Any], prefix: str) -> str:
    details = dict(item.get("details") or {})
    worst = details.pop("worst", None) or {}
    facts = [(k, _value(v)) for k, v in details.items()]
    if worst:
        shape = ", ".join(f"{k} = {worst[k]}" for k in ("k", "m", "n") if k in worst)
        ratio = worst.get("ratio")
        within = (
            "within the bound"
            if isinstance(ratio, int | float) and ratio <= 1
            else "beyond the bound"
        )
        facts += [
            ("worst case", escape(shape)),
            ("its error", number(worst.get("error"))),
            ("its rounding bound", number(worst.get("bound"))),
            ("error / bound", f"<strong>{number(ratio)}</strong> ({within})"),
        ]
    return _facts_table(facts)


def _trajectory(item: Mapping[str, Any], prefix: str) -> str:
    details = dict(item.get("details") or {})
    curves = details.pop("curves", None)
    slope = details.get("slope")
    optimiser = details.pop("optimiser", None)
    facts = [(k, _value(v)) for k, v in details.items()]
    if isinstance(optimiser, dict):
        settings = ", ".join(f"{k} = {v}" for k, v in optimiser.items() if k != "name")
        facts.insert(0, ("optimiser", escape(f"{optimiser.get('name')} ({settings})")))
    blocks = [f'<div class="columns"><div>{_facts_table(facts)}</div>']
    blocks.append(f"<div>{_final_deviations(item)}</div></div>")
    # Runs that recorded no curve (the symmetry table's cells) keep their numbers
    # in the tables; drawing a plot for each would dominate the render time.
    recorded = isinstance(curves, dict) and any(len(c) > 1 for c in curves.values())
    if recorded:
        title = f"deviation against step and against precision ({prefix})"
        blocks.append(
            trajectory_svg(
                curves,
                item.get("precision") or [],
                item.get("errors") or [],
                slope if isinstance(slope, int | float) else None,
                prefix=prefix,
                title=title,
            )
        )
    return "\n".join(blocks)


def _final_deviations(item: Mapping[str, Any]) -> str:
    rows = zip(item.get("precision") or [], item.get("errors") or [], strict=False)
    body = "".join(f"<tr><td>{d}</td><td>{number(e)}</td></tr>" for d, e in rows)
    if not body:
        return ""
    head = "<tr><th>precision (dps)</th><th>final deviation</th></tr>"
    return f"<table>{head}{body}</table>"


def _ball(item: Mapping[str, Any], prefix: str) -> str:
    certificate = item.get("certificate") or {}
    blocks = [_facts_table([(k, _value(v)) for k, v in certificate.items()])]
    if item.get("details"):
        blocks.append(_generic({"details": item["details"]}, prefix))
    return "\n".join(blocks)


def _generic(item: Mapping[str, Any], prefix: str) -> str:
    blocks = []
    details = item.get("details") or {}
    if details:
        blocks.append(_facts_table([(k, _value(v)) for k, v in details.items()]))
    if item.get("certificate"):
        blocks.append(_json_block("certificate", item["certificate"]))
    return "\n".join(blocks)


def _counterexample(example: Mapping[str, Any]) -> str:
    """Everything needed to replay a refutation, command first."""
    blocks = ['<div class="replay"><h5>Counterexample: how to replay it</h5>']
    if example.get("command"):
        blocks.append(f"<pre><code>{escape(str(example['command']))}</code></pre>")
    facts = []
    for key, value in example.items():
        if key == "command":
            continue
        typeset = _matrix(value)
        facts.append((key, typeset if typeset is not None else _value(value)))
    blocks += [_facts_table(facts), "</div>"]
    return "\n".join(blocks)


def _matrix(value: Any) -> str | None:
    if not (isinstance(value, list) and value and isinstance(value[0], list)):
        return None
    width = len(value[0])
    if any(not isinstance(row, list) or len(row) != width for row in value):
        return None
    if not width or len(value) * width > _MAX_TYPESET_ENTRIES:
        return None
    return matrix_mathml(value)


def _value(value: Any) -> str:
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        if len(text) > _MAX_JSON_CHARS:
            text = f"{text[:_MAX_JSON_CHARS]}… (cut; report.json has it all)"
        return f"<code>{escape(text)}</code>"
    if value is None:
        return "—"
    return number(value)


def _json_block(label: str, value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=1)
    if len(text) > _MAX_JSON_CHARS:
        text = f"{text[:_MAX_JSON_CHARS]}\n… (cut; report.json has it all)"
    return (
        f"<details><summary>{escape(label)} (JSON)</summary>"
        f"<pre>{escape(text)}</pre></details>"
    )


def _facts_table(facts: Sequence[tuple[str, str]]) -> str:
    """Key–value rows; the values are HTML already, the keys plain text."""
    if not facts:
        return ""
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in facts)
    return f'<table class="facts">{rows}</table>'


def _without(mapping: Mapping[str, Any], empty_keys: Sequence[str]) -> dict[str, Any]:
    """``mapping`` less the listed keys where they hold nothing."""
    return {k: v for k, v in mapping.items() if not (k in empty_keys and not v)}


_LAYOUTS: dict[str, Callable[[Mapping[str, Any], str], str]] = {
    "symbolic": _symbolic,
    "fuzz": _fuzz,
    "trajectory": _trajectory,
    "certificate": _ball,
}
