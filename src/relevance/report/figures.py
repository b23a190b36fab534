"""Pictures of a campaign's results, drawn from `Results` alone (any results.json can be redrawn).

Every chart takes a canvas :class:`~relevance.report.style.Size` (wide or narrow screen),
says its unit on its axis (per 1,000 recipients, with the currency for money) and colours each
version the same way everywhere; verdicts are written in words, not coded by colour.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from relevance.language import band, percent, version_label
from relevance.report.style import INK, MUTED, Size, rope_band, style_axes, version_colour
from relevance.results import PER, Results, Uplift


def metric_label(results: Results, name: str) -> str:
    """The metric's plain-language name."""
    return results.metric(name).display


def unit_label(results: Results, metric: str, what: str = "extra") -> str:
    """An axis label: 'extra purchases per 1,000 recipients' (with the currency for money)."""
    config = results.metric(metric)
    money = f" ({results.currency})" if config.kind == "revenue" and results.currency else ""
    return f"{what} {config.display}{money} per 1,000 recipients"


def _wrap(text: str, size: Size, wide: int = 68, narrow: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, wide if size.name == "wide" else narrow))


def _interval_rows(
    ax: Axes, rows: list[Uplift], positions: np.ndarray, colours: list[str], marker: float
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
            row.uplift_mean * PER, y, "o", color=colour, markersize=marker, markeredgecolor="white"
        )


def figure_uplift(results: Results, metric: str, size: Size) -> Figure:
    """Each version's uplift against sending nothing, per 1,000 recipients, with the ROPE band."""
    rows = [results.uplift(metric, v) for v in results.versions]
    fig = Figure(figsize=(size.width, size.height(len(rows), 0.6, 1.5)), layout="constrained")
    ax = fig.subplots()
    rope_band(ax, results.metric(metric).rope)
    positions = np.arange(len(rows))[::-1]
    colours = [version_colour(results.versions, r.version) for r in rows]
    _interval_rows(ax, rows, positions, colours, marker=9)
    ax.set_yticks(positions, [f"{version_label(r.version)}\n{r.verdict.value}" for r in rows])
    ax.set_xlabel(
        _wrap(
            f"{unit_label(results, metric)} vs sending nothing "
            f"(dot: best estimate, bar: {results.interval:.0%} range)",
            size,
        )
    )
    ax.set_ylim(-0.7, len(rows) - 0.3)
    style_axes(ax)
    if results.metric(metric).rope > 0:
        fig.legend(loc="outside lower center", frameon=False)
    return fig


def figure_probability(results: Results, size: Size) -> Figure:
    """The quantity the verdict decides on: the chance that each version beats sending nothing
    by more than the ROPE, against the chance the verdict needs."""
    primary = results.metric(results.primary_metric)
    rows = [results.uplift(results.primary_metric, v) for v in results.versions]
    fig = Figure(figsize=(size.width, size.height(len(rows), 0.5, 1.4)), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(rows))[::-1]
    colours = [version_colour(results.versions, r.version) for r in rows]
    values = [r.p_better_beyond_rope * 100 for r in rows]
    ax.barh(positions, values, color=colours, height=0.6)
    for y, value in zip(positions, values, strict=True):
        ax.text(min(value + 1.5, 82), y, percent(value / 100), va="center", color=INK)
    needed = results.probability * 100
    ax.axvline(needed, color="#444444", linestyle="--", linewidth=1)
    ax.text(needed - 1, len(rows) - 0.5, f"{needed:.0f}% needed ", ha="right", color=MUTED)
    ax.set_yticks(positions, [version_label(r.version) for r in rows])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.2)
    ax.set_xlabel(
        _wrap(
            f"chance it beats sending nothing by more than {band(primary, results.currency)} "
            "(what the verdict needs), %",
            size,
        )
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


def figure_segments(results: Results, metric: str, column: str, size: Size) -> Figure:
    """Uplift of every version in every level of one segment column (version x segment grid)."""
    levels = segment_levels(results, metric, column)
    versions = results.versions
    fig = Figure(
        figsize=(size.width, size.height(len(levels) * max(1, len(versions)), 0.32, 1.8)),
        layout="constrained",
    )
    ax = fig.subplots()
    rope_band(ax, results.metric(metric).rope)
    offsets = np.linspace(-0.22, 0.22, len(versions)) if len(versions) > 1 else np.zeros(1)
    for index, version in enumerate(versions):
        rows = [results.uplift(metric, version, column, level) for level in levels]
        positions = np.arange(len(levels))[::-1] + offsets[index]
        colour = version_colour(versions, version)
        _interval_rows(ax, rows, positions, [colour] * len(rows), marker=6)
        ax.plot([], [], "o-", color=colour, label=version_label(version))
    ax.set_yticks(np.arange(len(levels))[::-1], levels)
    ax.set_ylabel(results.segment_label(column))
    ax.set_xlabel(_wrap(f"{unit_label(results, metric)} vs sending nothing", size))
    style_axes(ax)
    fig.legend(loc="outside lower center", frameon=False, ncols=3 if size.name == "wide" else 2)
    return fig


def figure_net_value(results: Results, size: Size) -> Figure | None:
    """Net value per 1,000 recipients of sending each version, after costs and unsubscribes."""
    if not results.net_value:
        return None
    rows = results.net_value
    fig = Figure(figsize=(size.width, size.height(len(rows), 0.55, 1.3)), layout="constrained")
    ax = fig.subplots()
    ax.axvline(0, color="#444444", linewidth=1)
    positions = np.arange(len(rows))[::-1]
    for y, row in zip(positions, rows, strict=True):
        colour = version_colour(results.versions, row.version)
        ax.plot([row.low, row.high], [y, y], color=colour, linewidth=3, solid_capstyle="round")
        ax.plot(row.mean, y, "o", color=colour, markersize=9, markeredgecolor="white")
    ax.set_yticks(positions, [version_label(r.version) for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    money = f" ({results.currency})" if results.currency else ""
    ax.set_xlabel(
        _wrap(
            f"net value{money} per 1,000 recipients after sending costs and lost subscribers", size
        )
    )
    style_axes(ax)
    return fig


def figure_fatigue(results: Results, size: Size) -> Figure | None:
    """What sending earns per bucket of emails already received this week, per version."""
    if not results.fatigue:
        return None
    fig = Figure(figsize=(size.width, 3.6 if size.name == "wide" else 3.8), layout="constrained")
    ax = fig.subplots()
    ax.axhline(0, color="#444444", linewidth=1)
    for index, curve in enumerate(results.fatigue):
        colour = version_colour(results.versions, curve.version)
        x = np.arange(len(curve.points)) + (index - (len(results.fatigue) - 1) / 2) * 0.08
        ax.fill_between(
            x,
            [p.pays_low for p in curve.points],
            [p.pays_high for p in curve.points],
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
        means = [p.pays_mean for p in curve.points]
        ax.plot(x, means, "o-", color=colour, label=version_label(curve.version), linewidth=2)
    buckets = [p.bucket for p in results.fatigue[0].points]
    ax.set_xticks(np.arange(len(buckets)), buckets)
    ax.set_xlabel(_wrap("emails the customer already received in the previous 7 days", size))
    measure = results.fatigue[0].measure
    money = f" ({results.currency})" if measure == "net value" and results.currency else ""
    ax.set_ylabel(_wrap(f"{measure}{money} per 1,000 recipients", size, 40, 28))
    style_axes(ax, grid="y")
    ax.legend(frameon=False)
    return fig


def answer_colours(kind: str, count: int) -> list[str]:
    """Colours of a question's answers: an ordered purple-to-orange ramp for ratings (lowest
    orange, highest purple; colour-blind safe), distinct Okabe-Ito colours for choices."""
    if kind == "rating":
        from matplotlib import colormaps
        from matplotlib.colors import to_hex

        ramp = colormaps["PuOr"]
        colours = [to_hex(ramp(0.1 + 0.8 * i / max(count - 1, 1))) for i in range(count)]
        # The ramp's pale middle would vanish on the white page: a light grey instead.
        return [c if _lightness(c) < 0.85 else "#CFCFCF" for c in colours]
    palette = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#999999"]
    return [palette[i % len(palette)] for i in range(count)]


def _lightness(colour: str) -> float:
    """Perceived lightness of a '#rrggbb' colour, 0 (black) to 1 (white)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def _ink_on(colour: str) -> str:
    """Black or white text, whichever reads on `colour`."""
    return INK if _lightness(colour) > 0.55 else "white"


def figure_survey(results: Results, name: str, size: Size) -> Figure | None:
    """Stacked answer bars: each asked arm's estimated share of every answer to one question."""
    survey = next((s for s in results.surveys if s.name == name), None)
    if survey is None or not any(a.respondents for a in survey.arms):
        return None
    arms = [a for a in survey.arms if a.respondents]
    colours = answer_colours(survey.kind, len(survey.answers))
    fig = Figure(figsize=(size.width, size.height(len(arms), 0.55, 1.5)), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(arms))[::-1]
    smallest = 0.09 if size.name == "wide" else 0.16  # share wide enough for its label
    for k, (code, label) in enumerate(zip(survey.answers, survey.answer_labels, strict=True)):
        shares = np.array([a.shares[k].share for a in arms])
        starts = np.array([sum(s.share for s in a.shares[:k]) for a in arms])
        legend = label if label == code or survey.kind == "choice" else f"{code} {label}"
        ax.barh(positions, shares, left=starts, color=colours[k], height=0.62, label=legend)
        for y, start, share in zip(positions, starts, shares, strict=True):
            if share >= smallest:
                ax.text(
                    start + share / 2,
                    y,
                    f"{share:.0%}",
                    ha="center",
                    va="center",
                    color=_ink_on(colours[k]),
                )
    holdout = results.holdout
    ax.set_yticks(
        positions,
        ["holdout" if a.arm == holdout else version_label(a.arm) for a in arms],
    )
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.set_xlabel(_wrap(f"share of {survey.who}' answers, weighted to the campaign's mix", size))
    style_axes(ax)
    fig.legend(
        loc="outside lower center",
        frameon=False,
        ncols=min(len(survey.answers), 5 if size.name == "wide" else 2),
        reverse=False,
    )
    return fig
