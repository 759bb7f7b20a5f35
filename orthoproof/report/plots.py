"""Plots of the evidence as inline SVG, byte for byte reproducible.

Each function takes plain data from a JSON report and returns an ``<svg>``
element ready to paste into an HTML page. matplotlib draws it with its SVG
backend on a bare :class:`~matplotlib.figure.Figure` (pyplot and its global
backend state are never touched) under fixed settings: a fixed hash salt and
no date, so that the same data gives the same bytes; text kept as text rather
than glyph outlines, so that the page stays small and searchable.

Several plots share one page, and matplotlib names the elements of every plot
alike (``figure_1``, clip paths, markers); each plot's ids are therefore
prefixed with a name the caller chooses, or the second plot would draw with
the first one's clip paths.

matplotlib is imported inside the functions: ``import orthoproof`` must stay
fast and must not need matplotlib at all.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["fuzz_ratio_svg", "log_axis", "plot_settings", "to_svg", "trajectory_svg"]

# Typed with matplotlib's own key names so that mypy accepts it for rc_context
# and catches a misspelt setting, which matplotlib would only reject at run time.
_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "orthoproof",
    "svg.fonttype": "none",
    "font.size": 9.0,
    "axes.grid": True,
    "grid.alpha": 0.35,
}
#: Empty metadata: the default records the date and matplotlib's web address.
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None}
#: One style per precision, distinct in grey as well as in colour.
_STYLES = (
    ("#0b5cad", "-", "o"),
    ("#c1440e", "--", "s"),
    ("#2f7d32", ":", "^"),
    ("#6a3d9a", "-.", "D"),
)
_FIGSIZE_TRAJECTORY = (8.0, 2.9)
_MARGINS = {"left": 0.085, "right": 0.985, "bottom": 0.16, "top": 0.9, "wspace": 0.3}


def trajectory_svg(
    curves: Mapping[str, Sequence[Sequence[Any]]],
    precision: Sequence[int],
    deviations: Sequence[Any],
    slope: float | None,
    *,
    prefix: str,
    title: str,
) -> str:
    """Deviation against step per precision, and the precision-scaling fit.

    Parameters
    ----------
    curves
        ``{dps: [[step, deviation], ...]}`` as in a trajectory's details; the
        keys are decimal digits as strings (JSON object keys).
    precision, deviations
        The final deviation at each precision, in the same order.
    slope
        The classifier's fitted slope of log10(deviation) against dps, or
        ``None`` if it fitted none.
    prefix
        Prefix for the ids inside the SVG, unique on the page.
    title
        Accessible name of the plot.

    Returns
    -------
    str
        An ``<svg>`` element. Zero or non-finite deviations cannot appear on a
        log scale and are left out; the caller's table still lists them.
    """
    from matplotlib.figure import Figure

    with plot_settings():
        # Fixed margins: a constrained layout doubles the drawing time, and
        # every trajectory plot has the same labels to make room for.
        figure = Figure(figsize=_FIGSIZE_TRAJECTORY)
        figure.subplots_adjust(**_MARGINS)
        left, right = figure.subplots(1, 2, width_ratios=(3, 2))
        _draw_curves(left, curves)
        _draw_scaling(right, precision, deviations, slope)
        return to_svg(figure, prefix, title)


def fuzz_ratio_svg(
    labels: Sequence[str], ratios: Sequence[Any], *, prefix: str, title: str
) -> str:
    """Worst fuzzing error relative to its rounding bound, one bar per claim.

    A ratio below 1 means every float64 error stayed within the bound that
    rounding alone explains; far above 1 means a real difference.

    Parameters
    ----------
    labels
        One label per bar (claim id and group).
    ratios
        Worst error/bound ratio per bar; non-positive or non-finite ratios are
        drawn as empty bars.
    prefix, title
        As for :func:`trajectory_svg`.
    """
    from matplotlib.figure import Figure

    values = [_positive(r) for r in ratios]
    height = 0.8 + 0.28 * max(len(labels), 1)
    with plot_settings():
        figure = Figure(figsize=(8.0, height), layout="constrained")
        axes = figure.subplots()
        positions = list(range(len(labels)))
        colours = ["#c1440e" if v and v > 1 else "#0b5cad" for v in values]
        axes.barh(positions, [v or 0.0 for v in values], color=colours, height=0.6)
        axes.set_yticks(positions, labels=list(labels))
        axes.invert_yaxis()
        log_axis(axes, "x")
        axes.axvline(1.0, color="black", linewidth=1.2)
        axes.text(1.0, -0.7, " rounding bound", va="bottom", fontsize=8)
        axes.set_xlabel("worst error / rounding bound (log scale)")
        return to_svg(figure, prefix, title)


def _draw_curves(axes: Any, curves: Mapping[str, Sequence[Sequence[Any]]]) -> None:
    ordered = sorted(curves.items(), key=lambda item: _as_int(item[0]))
    for index, (dps, points) in enumerate(ordered):
        colour, line, marker = _STYLES[index % len(_STYLES)]
        shown = [(p[0], _positive(p[1])) for p in points]
        steps = [s for s, d in shown if d is not None]
        values = [d for _, d in shown if d is not None]
        axes.plot(
            steps, values, color=colour, linestyle=line, marker=marker,
            markersize=3, label=f"{dps} digits",
        )  # fmt: skip
    log_axis(axes, "y")
    axes.set_xlabel("step")
    axes.set_ylabel("deviation ‖θ′ − P·θ‖ / ‖θ‖")
    axes.set_title("deviation along the run", fontsize=9)
    if ordered:
        axes.legend(fontsize=7, title="precision", title_fontsize=7)


def _draw_scaling(
    axes: Any, precision: Sequence[int], deviations: Sequence[Any], slope: float | None
) -> None:
    points = [
        (dps, math.log10(value))
        for dps, value in zip(precision, map(_positive, deviations), strict=False)
        if value is not None
    ]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    axes.plot(xs, ys, "o", color="#0b5cad", label="final deviation")
    if slope is not None and points:
        # The classifier fits slope and intercept together; refitting only the
        # intercept for the reported slope gives the same line.
        intercept = sum(y - slope * x for x, y in points) / len(points)
        ends = [min(xs), max(xs)]
        fitted = [intercept + slope * x for x in ends]
        axes.plot(ends, fitted, "--", color="#c1440e", label=f"fit, slope {slope:+.2f}")
        axes.legend(fontsize=7)
    axes.set_xlabel("precision (dps)")
    axes.set_ylabel("log₁₀ deviation")
    axes.set_title("precision scaling (slope −1: rounding)", fontsize=9)


def log_axis(axes: Any, which: str) -> None:
    """A log scale labelled ``1e-30``, with a handful of ticks.

    matplotlib's default labels are typeset formulas, and typesetting the ticks
    of a 60-decade axis took most of the time of a whole report.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    if which == "x":
        axes.set_xscale("log")
    else:
        axes.set_yscale("log")
    axis = axes.xaxis if which == "x" else axes.yaxis
    axis.set_major_locator(LogLocator(numticks=7))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0e}"))


def to_svg(figure: Any, prefix: str, title: str) -> str:
    """A drawn figure as an inline ``<svg>`` element with prefixed ids.

    Parameters
    ----------
    figure
        A :class:`matplotlib.figure.Figure`, drawn inside :func:`plot_settings`.
    prefix, title
        As for :func:`trajectory_svg`.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA)
    return _inline(buffer.getvalue(), prefix, title)


def _inline(svg: str, prefix: str, title: str) -> str:
    """Make a stand-alone SVG document fit to sit inside an HTML page."""
    start = svg.index("<svg")
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg[start:], flags=re.S)
    # HTML puts inline svg in the SVG namespace by itself; the declarations
    # are the only web addresses left in the file.
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = _prefix_ids(svg, prefix)
    label = _escape_attribute(title)
    return svg.replace(
        "<svg", f'<svg class="plot" role="img" aria-label="{label}"', 1
    ).rstrip()


def _prefix_ids(svg: str, prefix: str) -> str:
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    svg = re.sub(r'(\sid=")([^"]+)"', lambda m: f'{m[1]}{prefix}-{m[2]}"', svg)

    def _reference(match: re.Match[str]) -> str:
        name = match[2]
        return f"{match[1]}{prefix}-{name}" if name in ids else match[0]

    return re.sub(r'(url\(#|href="#)([^)"]+)', _reference, svg)


def plot_settings() -> Any:
    """A context with the fixed settings that make every plot reproducible."""
    import matplotlib

    return matplotlib.rc_context(_RC)


def _positive(value: Any) -> float | None:
    """A value fit for a log scale, or ``None`` (zero, negative, "nan", ...)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _as_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _escape_attribute(text: str) -> str:
    import html

    return html.escape(text, quote=True)
