"""Pictures of a campaign's results, drawn from `Results` alone (any results.json can be redrawn).

Every axis says its unit (per 1,000 recipients).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from relevance.language import percent, version_label
from relevance.report.style import OKABE_ITO, VERDICT_COLOURS, rope_band, style_axes
from relevance.results import PER, Results, Uplift, Verdict


def metric_label(results: Results, name: str) -> str:
    """The metric's plain-language name."""
    return results.metric(name).display


def _interval_rows(
    ax: Axes, rows: list[Uplift], positions: np.ndarray, colours: list[str], size: float = 7
) -> None:
    for y, row, colour in zip(positions, rows, colours, strict=True):
        ax.plot(
            [row.uplift_low * PER, row.uplift_high * PER],
            [y, y],
            color=colour,
            linewidth=3,
            solid_capstyle="round",
        )
        ax.plot(
            row.uplift_mean * PER, y, "o", color=colour, markersize=size, markeredgecolor="white"
        )


def figure_uplift(results: Results, metric: str) -> Figure:
    """Each version's uplift against sending nothing, per 1,000 recipients, with the ROPE band."""
    rows = [results.uplift(metric, v) for v in results.versions]
    rope = results.metric(metric).rope
    fig = Figure(figsize=(7.5, 0.7 * len(rows) + 1.4), layout="constrained")
    ax = fig.subplots()
    rope_band(ax, rope)
    positions = np.arange(len(rows))[::-1]
    _interval_rows(ax, rows, positions, [VERDICT_COLOURS[r.verdict] for r in rows], size=9)
    ax.set_yticks(positions, [f"{version_label(r.version)}\n{r.verdict.value}" for r in rows])
    ax.set_xlabel(
        f"extra {metric_label(results, metric)} per 1,000 recipients vs sending nothing\n(dot: best estimate, bar: {results.interval:.0%} range)"
    )
    ax.set_ylim(-0.7, len(rows) - 0.3)
    style_axes(ax)
    if rope > 0:
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig


def figure_probability(results: Results) -> Figure:
    """The probability that each version beats sending nothing on the primary metric."""
    rows = [results.uplift(results.primary_metric, v) for v in results.versions]
    fig = Figure(figsize=(7.5, 0.55 * len(rows) + 1.3), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(rows))[::-1]
    colours = [VERDICT_COLOURS[r.verdict] for r in rows]
    ax.barh(positions, [r.p_beats_holdout * 100 for r in rows], color=colours, height=0.6)
    for y, row in zip(positions, rows, strict=True):
        ax.text(
            min(row.p_beats_holdout * 100 + 1.5, 93),
            y,
            percent(row.p_beats_holdout),
            va="center",
            fontsize=10,
        )
    ax.axvline(results.probability * 100, color="#444444", linestyle="--", linewidth=1)
    ax.text(
        results.probability * 100,
        len(rows) - 0.45,
        f" {results.probability:.0%} needed",
        fontsize=8,
        color="#444444",
    )
    ax.set_yticks(positions, [version_label(r.version) for r in rows])
    ax.set_xlim(0, 100)
    ax.set_xlabel(
        f"chance that sending beats sending nothing on {metric_label(results, results.primary_metric)} (%)"
    )
    style_axes(ax)
    return fig


def segment_levels(results: Results, metric: str, column: str) -> list[str]:
    """The levels of one segment column in report order."""
    return list(
        dict.fromkeys(
            u.segment_level
            for u in results.uplifts
            if u.metric == metric and u.segment_column == column
        )
    )


def figure_segments(results: Results, metric: str, column: str) -> Figure:
    """Uplift of every version in every level of one segment column (version x segment grid)."""
    levels = segment_levels(results, metric, column)
    versions = results.versions
    rope = results.metric(metric).rope
    fig = Figure(
        figsize=(7.5, 0.5 * len(levels) * max(1, len(versions)) * 0.6 + 1.6), layout="constrained"
    )
    ax = fig.subplots()
    rope_band(ax, rope)
    offsets = np.linspace(-0.22, 0.22, len(versions)) if len(versions) > 1 else np.zeros(1)
    for index, version in enumerate(versions):
        rows = [results.uplift(metric, version, column, level) for level in levels]
        positions = np.arange(len(levels))[::-1] + offsets[index]
        _interval_rows(ax, rows, positions, [OKABE_ITO[index % len(OKABE_ITO)]] * len(rows), size=6)
        ax.plot([], [], "o-", color=OKABE_ITO[index % len(OKABE_ITO)], label=version_label(version))
    ax.set_yticks(np.arange(len(levels))[::-1], levels)
    ax.set_ylabel(column.replace("_", " "))
    ax.set_xlabel(f"extra {metric_label(results, metric)} per 1,000 recipients vs sending nothing")
    style_axes(ax)
    ax.legend(loc="best", frameon=False, fontsize=8)
    return fig


def figure_net_value(results: Results) -> Figure | None:
    """Net value per 1,000 recipients of sending each version, after costs and unsubscribes."""
    if not results.net_value:
        return None
    rows = results.net_value
    fig = Figure(figsize=(7.5, 0.6 * len(rows) + 1.3), layout="constrained")
    ax = fig.subplots()
    ax.axvline(0, color="#444444", linewidth=1)
    positions = np.arange(len(rows))[::-1]
    for y, row in zip(positions, rows, strict=True):
        colour = (
            VERDICT_COLOURS[Verdict.BEATS]
            if row.low > 0
            else VERDICT_COLOURS[Verdict.HARMFUL]
            if row.high < 0
            else VERDICT_COLOURS[Verdict.INCONCLUSIVE]
        )
        ax.plot([row.low, row.high], [y, y], color=colour, linewidth=3, solid_capstyle="round")
        ax.plot(row.mean, y, "o", color=colour, markersize=9, markeredgecolor="white")
    ax.set_yticks(positions, [version_label(r.version) for r in rows])
    ax.set_xlabel("net value per 1,000 recipients after sending costs and lost subscribers")
    style_axes(ax)
    return fig


def figure_fatigue(results: Results) -> Figure | None:
    """What sending earns per bucket of emails already received this week, per version."""
    if not results.fatigue:
        return None
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    ax = fig.subplots()
    ax.axhline(0, color="#444444", linewidth=1)
    for index, curve in enumerate(results.fatigue):
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        x = np.arange(len(curve.points)) + (index - (len(results.fatigue) - 1) / 2) * 0.08
        means = [p.pays_mean for p in curve.points]
        ax.fill_between(
            x,
            [p.pays_low for p in curve.points],
            [p.pays_high for p in curve.points],
            color=colour,
            alpha=0.18,
            linewidth=0,
        )
        ax.plot(x, means, "o-", color=colour, label=version_label(curve.version), linewidth=2)
    buckets = [p.bucket for p in results.fatigue[0].points]
    ax.set_xticks(np.arange(len(buckets)), buckets)
    ax.set_xlabel("emails the customer already received in the previous 7 days")
    measure = results.fatigue[0].measure
    ax.set_ylabel(
        f"{measure} per 1,000 recipients"
        if measure == "net value"
        else f"{measure}\nper 1,000 recipients"
    )
    style_axes(ax, grid="y")
    ax.legend(frameon=False, fontsize=8)
    return fig
