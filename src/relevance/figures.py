"""Pictures of the results, drawn from `Results` alone (so any results.json can be redrawn).

Colour-blind-safe Okabe-Ito palette; every axis says its unit (per 1,000 recipients).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from relevance.language import percent, version_label
from relevance.results import Results, Uplift, Verdict

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
VERDICT_COLOURS = {
    Verdict.BEATS: "#009E73",
    Verdict.IRRELEVANT: "#7F7F7F",
    Verdict.HARMFUL: "#D55E00",
    Verdict.INCONCLUSIVE: "#E69F00",
}
ROPE_COLOUR = "#DDDDDD"
PER = 1000


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.8)
    ax.set_axisbelow(True)


def _metric(results: Results, name: str) -> dict[str, object]:
    return next(m for m in results.metrics if m["name"] == name)


def metric_label(results: Results, name: str) -> str:
    """The metric's plain-language name."""
    metric = _metric(results, name)
    return str(metric.get("label") or name.replace("_", " "))


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


def rope_band(ax: Axes, rope: float, vertical: bool = True) -> None:
    """Shade the ROPE (per 1,000 recipients) and draw the zero line, across x or along y."""
    span, line = (ax.axvspan, ax.axvline) if vertical else (ax.axhspan, ax.axhline)
    if rope > 0:
        span(
            -rope * PER, rope * PER, color=ROPE_COLOUR, zorder=0, label="practically nothing (ROPE)"
        )
    line(0, color="#444444", linewidth=1, zorder=1)


def figure_uplift(results: Results, metric: str) -> Figure:
    """Each version's uplift against sending nothing, per 1,000 recipients, with the ROPE band."""
    rows = [results.uplift(metric, v) for v in results.versions]
    rope = float(_metric(results, metric)["rope"])  # type: ignore[arg-type]
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
    _style(ax)
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
    _style(ax)
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
    rope = float(_metric(results, metric)["rope"])  # type: ignore[arg-type]
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
    _style(ax)
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
    _style(ax)
    return fig


def png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (no GUI backend needed: figures are built without pyplot)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


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
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#EEEEEE", linewidth=0.8)
    ax.legend(frameon=False, fontsize=8)
    return fig


def figure_segment_grid(results: Results, metric: str, column: str) -> Figure:
    """Version x segment grid: each square coloured by its verdict, with the uplift written in."""
    levels = segment_levels(results, metric, column)
    versions = results.versions
    fig = Figure(
        figsize=(1.6 + 1.7 * len(versions), 0.55 * len(levels) + 1.2), layout="constrained"
    )
    ax = fig.subplots()
    for x, version in enumerate(versions):
        for y, level in enumerate(levels):
            u = results.uplift(metric, version, column, level)
            ax.add_patch(
                Rectangle((x, y), 0.96, 0.92, color=VERDICT_COLOURS[u.verdict], alpha=0.85)
            )
            ax.text(
                x + 0.48,
                y + 0.46,
                f"{u.uplift_mean * PER:+.1f}\n{u.verdict.value}",
                ha="center",
                va="center",
                fontsize=8,
                color="white",
                fontweight="bold",
            )
    ax.set_xlim(0, len(versions))
    ax.set_ylim(len(levels), 0)
    ax.set_xticks(np.arange(len(versions)) + 0.48, [version_label(v) for v in versions])
    ax.set_yticks(np.arange(len(levels)) + 0.46, levels)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_ylabel(column.replace("_", " "))
    ax.set_xlabel(f"extra {metric_label(results, metric)} per 1,000 recipients vs sending nothing")
    return fig
