"""Pictures of the portfolio: raw against pooled estimates, verdict counts, trend over time."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from relevance.portfolio.meta import Interval, MetaAnalysis
from relevance.report.style import OKABE_ITO, VERDICT_COLOURS, rope_band, style_axes
from relevance.results import PER, Verdict

RAW_COLOUR = OKABE_ITO[4]  # sky blue: each campaign on its own
SHRUNK_COLOUR = OKABE_ITO[0]  # blue: after borrowing strength from the others


PROGRAMME_COLOUR = OKABE_ITO[7]  # black: the programme as a whole
TREND_COLOUR = OKABE_ITO[5]  # vermillion


def _effect_label(meta: MetaAnalysis) -> str:
    first = meta.estimates[0]
    word = "fewer" if first.direction == "decrease" else "extra"
    return f"{word} {first.metric_label} per 1,000 recipients vs sending nothing"


def figure_forest(meta: MetaAnalysis) -> Figure:
    """Each campaign version on its own (raw) and after partial pooling (shrunken).

    The bottom rows are the programme's average and the range a new campaign would likely
    fall in. Per 1,000 recipients, with the ROPE band.
    """
    rows = sorted(meta.shrunken(), key=lambda item: item[1].mean)
    count = len(rows)
    fig = Figure(figsize=(7.5, 0.42 * (count + 2) + 1.6), layout="constrained")
    ax = fig.subplots()
    rope = meta.rope
    rope_band(ax, rope)
    programme = meta.programme()
    ax.axvline(programme.mean * PER, color=PROGRAMME_COLOUR, linestyle=":", linewidth=1)
    offset = 0.16
    for position, (estimate, shrunk) in enumerate(rows, start=2):
        raw_low = estimate.benefit_mean - 1.96 * estimate.benefit_sd
        raw_high = estimate.benefit_mean + 1.96 * estimate.benefit_sd
        ax.plot(
            [raw_low * PER, raw_high * PER],
            [position + offset] * 2,
            color=RAW_COLOUR,
            linewidth=1.5,
        )
        ax.plot(
            estimate.benefit_mean * PER,
            position + offset,
            "o",
            markerfacecolor="white",
            markeredgecolor=RAW_COLOUR,
            markersize=6,
        )
        ax.plot(
            [shrunk.low * PER, shrunk.high * PER],
            [position - offset] * 2,
            color=SHRUNK_COLOUR,
            linewidth=3,
        )
        ax.plot(shrunk.mean * PER, position - offset, "o", color=SHRUNK_COLOUR, markersize=7)
    prediction = Interval.of(meta.prediction())
    for position, summary, marker in ((1, programme, "D"), (0, prediction, "s")):
        ax.plot(
            [summary.low * PER, summary.high * PER],
            [position] * 2,
            color=PROGRAMME_COLOUR,
            linewidth=3,
        )
        ax.plot(summary.mean * PER, position, marker, color=PROGRAMME_COLOUR, markersize=8)
    labels = ["a new campaign (likely range)", "programme average"] + [e.label for e, _ in rows]
    ax.set_yticks(np.arange(count + 2), labels)
    ax.set_ylim(-0.7, count + 1.7)
    ax.plot([], [], "o-", color=RAW_COLOUR, markerfacecolor="white", label="campaign on its own")
    ax.plot([], [], "o-", color=SHRUNK_COLOUR, label="after borrowing from the others")
    ax.set_xlabel(f"{_effect_label(meta)}\n(dot: best estimate, bar: 95% range)")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18 - 0.6 / (count + 2)),
        ncol=2,
        frameon=False,
        fontsize=8,
    )
    style_axes(ax)
    return fig


def figure_trend(meta: MetaAnalysis) -> Figure:
    """Shrunken uplift per campaign version against its analysis date, with a linear trend."""
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.subplots()
    rope = meta.rope
    rope_band(ax, rope, vertical=False)
    trend = meta.trend()
    if trend is None:  # no spread in dates: the campaigns in date order instead
        order = sorted(range(len(meta.estimates)), key=lambda k: meta.estimates[k].date)
        dates = [0] * len(order)
        for position, k in enumerate(order):
            dates[k] = position
        ax.set_xticks(
            range(len(order)),
            [meta.estimates[k].label for k in order],
            rotation=30,
            ha="right",
            fontsize=8,
        )
    else:
        dates = [e.date for e in meta.estimates]
    for date, (estimate, shrunk) in zip(dates, meta.shrunken(), strict=True):
        ax.plot(
            [date, date], [shrunk.low * PER, shrunk.high * PER], color=SHRUNK_COLOUR, linewidth=2
        )
        ax.plot(date, shrunk.mean * PER, "o", color=SHRUNK_COLOUR, markersize=6)
        ax.plot(
            date,
            estimate.benefit_mean * PER,
            "o",
            markerfacecolor="white",
            markeredgecolor=RAW_COLOUR,
            markersize=5,
        )
    if trend is not None:
        days = meta.days()
        grid = np.linspace(days.min(), days.max(), 50)
        centred = days - days.mean()
        slope = (meta.theta * centred).sum(axis=1) / (centred**2).sum()
        intercept = meta.theta.mean(axis=1)
        lines = intercept[:, None] + slope[:, None] * (grid - days.mean())[None, :]
        first = min(e.date for e in meta.estimates)
        moments = [first + pd.Timedelta(days=float(d)) for d in grid]
        ax.fill_between(
            moments,
            *np.percentile(lines * PER, [2.5, 97.5], axis=0),
            color=TREND_COLOUR,
            alpha=0.15,
            linewidth=0,
        )
        ax.plot(
            moments,
            lines.mean(axis=0) * PER,
            color=TREND_COLOUR,
            linewidth=2,
            label="linear trend (95% band)",
        )
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel(_effect_label(meta).replace(" vs sending nothing", ""), fontsize=9)
    ax.set_xlabel(
        "date the campaign was analysed" if trend else "campaigns, in the order they were analysed"
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#EEEEEE", linewidth=0.8)
    ax.legend(loc="best", frameon=False, fontsize=8)
    return fig


def figure_verdicts(meta: MetaAnalysis) -> Figure:
    """How many campaign versions got each verdict, as one labelled stacked bar."""
    counts = Counter(e.verdict for e in meta.estimates)
    fig = Figure(figsize=(7.5, 1.1), layout="constrained")
    ax = fig.subplots()
    left = 0
    for verdict in (Verdict.BEATS, Verdict.INCONCLUSIVE, Verdict.IRRELEVANT, Verdict.HARMFUL):
        count = counts.get(verdict, 0)
        if not count:
            continue
        ax.barh(0, count, left=left, color=VERDICT_COLOURS[verdict], height=0.8)
        ax.text(
            left + count / 2,
            0,
            f"{count} {verdict.value}",
            ha="center",
            va="center",
            color="white",
            fontsize=9,
            fontweight="bold",
            clip_on=True,
        )
        left += count
    ax.set_xlim(0, max(left, 1))
    ax.set_yticks([])
    ax.set_xlabel("campaign versions, by verdict")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    return fig
