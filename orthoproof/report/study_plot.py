"""The plot of the basis-alignment study, drawn from its ``data`` block alone.

Per regime, the left panel shows each seed's basis statistic as an effect size
against the rotation null: ``(statistic − null mean) / null sd``, so 0 is what
random rotations of the same vectors give and the grey band is within two null
standard deviations of it. The initial vectors are drawn beside the trained
ones, which shows at a glance whether training kept, created or erased an
alignment with the coordinate axes. The right panel shows the seeds' combined
p-values before and after training on a log scale, against the study's levels
of evidence.

The figure is drawn like every other plot of the report (see
:mod:`orthoproof.report.plots`): fixed SVG hash salt, no date, prefixed ids.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from orthoproof.report.plots import log_axis, plot_settings, to_svg

__all__ = ["basis_study_svg"]

#: (key in a run, legend label, colour, marker, vertical offset in the row).
#: Offsets keep the three measurements of one regime apart; hollow and filled
#: markers of different shapes tell them apart in grey too.
_PARTS = (
    ("initial_A", "A before training", "#6e7781", "s", -0.22),
    ("A", "A after training", "#0b5cad", "o", 0.0),
    ("A+B", "A + B after training", "#c1440e", "^", 0.22),
)
#: The study's levels of evidence (``orthoproof.study.STRONG`` and ``WEAK``);
#: repeated here because a report renders from its JSON without the study code.
_LEVELS = ((0.01, "p = 0.01"), (0.05, "p = 0.05"))
_NULL_BAND = 2.0


def basis_study_svg(data: Mapping[str, Any], *, prefix: str, title: str) -> str:
    """Effect sizes and combined p-values per regime, before and after training.

    Parameters
    ----------
    data
        The ``data`` block of the basis-alignment study: ``{"regimes": {name:
        {"runs": [{"initial_A": {"effect_size": ...}, "A": {...}, "A+B":
        {...}}, ...], "combined_p": {"initial_A": ..., "A": ..., "A+B": ...}}}}``.
    prefix
        Prefix for the ids inside the SVG, unique on the page.
    title
        Accessible name of the plot.

    Returns
    -------
    str
        An ``<svg>`` element, or ``""`` if ``data`` has no regimes in that
        layout (a study of another kind draws nothing rather than failing).
        Missing or non-finite values are left out of the plot.
    """
    regimes = data.get("regimes")
    if not isinstance(regimes, Mapping) or not regimes:
        return ""
    names = [str(name) for name in regimes]
    from matplotlib.figure import Figure

    with plot_settings():
        figure = Figure(figsize=(8.0, 1.3 + 0.42 * len(names)), layout="constrained")
        left, right = figure.subplots(1, 2, sharey=True, width_ratios=(3, 2))
        for row, regime in enumerate(regimes.values()):
            _draw_regime(
                left, right, row, regime if isinstance(regime, Mapping) else {}
            )
        _finish_effects(left, names)
        _finish_p_values(right)
        handles, labels = left.get_legend_handles_labels()
        figure.legend(
            handles, labels, loc="outside lower center", ncols=3, fontsize=7.5,
            frameon=False,
        )  # fmt: skip
        return to_svg(figure, prefix, title)


def _draw_regime(left: Any, right: Any, row: int, regime: Mapping[str, Any]) -> None:
    runs = [r for r in regime.get("runs") or [] if isinstance(r, Mapping)]
    combined = regime.get("combined_p")
    combined = combined if isinstance(combined, Mapping) else {}
    for key, label, colour, marker, offset in _PARTS:
        effects = [
            value
            for run in runs
            if (value := _finite((run.get(key) or {}).get("effect_size"))) is not None
        ]
        # Label only the first row's points, so the legend lists each part once.
        shown = label if row == 0 else None
        face = "none" if key == "initial_A" else colour
        left.plot(
            effects, [row + offset] * len(effects), linestyle="none", marker=marker,
            markersize=5, color=colour, markerfacecolor=face, label=shown,
        )  # fmt: skip
        p_value = _finite(combined.get(key))
        if p_value is not None and p_value > 0:
            right.plot(
                [p_value], [row + offset], linestyle="none", marker=marker,
                markersize=6, color=colour, markerfacecolor=face,
            )  # fmt: skip


def _finish_effects(axes: Any, names: list[str]) -> None:
    axes.axvspan(-_NULL_BAND, _NULL_BAND, color="#d0d7de", alpha=0.6, linewidth=0)
    axes.axvline(0.0, color="black", linewidth=1.0)
    axes.set_yticks(range(len(names)), labels=names)
    axes.set_ylim(len(names) - 0.5, -0.5)
    axes.grid(axis="y", visible=False)
    axes.set_xlabel("effect size (statistic − null mean) / null sd, one per seed")
    axes.set_title("basis statistic against random rotations", fontsize=9)


def _finish_p_values(axes: Any) -> None:
    log_axis(axes, "x")
    for level, label in _LEVELS:
        axes.axvline(level, color="#b42318", linestyle="--", linewidth=0.9)
        axes.text(
            level, -0.5, f" {label}", rotation=90, va="top", ha="right", fontsize=7
        )
    low, high = axes.get_xlim()
    # Always show the levels and p = 1, however strong or weak the evidence,
    # with room on the left for the marker of the smallest p-value.
    axes.set_xlim(min(low, 1e-3) / 3, max(high, 2.0))
    axes.grid(axis="y", visible=False)
    axes.set_xlabel("Fisher's combined p (log scale)")
    axes.set_title("combined p-value over seeds", fontsize=9)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
