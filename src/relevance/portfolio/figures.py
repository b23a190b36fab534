"""Pictures of the portfolio: raw against pooled estimates, verdict counts, trend over time.

Every chart takes a canvas :class:`~relevance.report.style.Size` (wide or narrow screen), leaves
its fonts to the canvas's matplotlib settings and wraps long labels to fit it. Campaigns are
not versions: the raw (sky blue) and pooled (blue) colours, the programme (black) and the
trend (reddish purple) are never verdict colours; only the verdict chart uses those.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import timedelta

import numpy as np
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from relevance.language import version_label
from relevance.portfolio.estimates import CampaignEstimate
from relevance.portfolio.meta import Interval, MetaAnalysis
from relevance.report.style import (
    INK,
    OKABE_ITO,
    VERDICT_COLOURS,
    WIDE,
    Size,
    rope_band,
    style_axes,
)
from relevance.results import PER, Verdict

RAW_COLOUR = OKABE_ITO[4]  # sky blue: each campaign on its own
SHRUNK_COLOUR = OKABE_ITO[0]  # blue: after borrowing strength from the others
PROGRAMME_COLOUR = OKABE_ITO[7]  # black: the programme as a whole
TREND_COLOUR = OKABE_ITO[3]  # reddish purple (vermillion means "harmful" in verdicts)
VERDICT_ORDER = (Verdict.BEATS, Verdict.INCONCLUSIVE, Verdict.IRRELEVANT, Verdict.HARMFUL)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, max(8, width)))


def _fit(text: str, size: Size, wide: int = 70, narrow: int = 34) -> str:
    """An axis label broken into lines that fit the canvas."""
    return _wrap(text, wide if size.name == "wide" else narrow)


def estimate_label(estimate: CampaignEstimate) -> str:
    """'spring · Version B', with '(its best; sends nothing)' when the campaign sends none."""
    note = "" if estimate.sent else " (its best; sends nothing)"
    return f"{estimate.campaign} · {version_label(estimate.version)}{note}"


def dated_by(estimates: list[CampaignEstimate]) -> str:
    """What the campaigns' dates are: 'sent', 'analysed' or 'mixed'."""
    kinds = {e.dated_by for e in estimates}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def date_axis_label(estimates: list[CampaignEstimate], dated: bool) -> str:
    """The trend chart's x axis: the date sent when known, else the analysis date."""
    kind = dated_by(estimates)
    if not dated:
        return {
            "sent": "campaigns, in the order they were sent",
            "analysed": "campaigns, in the order they were analysed (no send dates given)",
        }.get(kind, "campaigns, in order of the date sent (date analysed where none is given)")
    return {
        "sent": "date the campaign was sent",
        "analysed": "date the campaign was analysed (no send dates given)",
    }.get(kind, "date sent (date analysed where no send date is given)")


def _effect_label(meta: MetaAnalysis) -> str:
    first = meta.estimates[0]
    word = "fewer" if first.direction == "decrease" else "extra"
    return f"{word} {first.metric_label} per 1,000 recipients vs sending nothing"


def _forest_rows(ax: Axes, rows: list[tuple[CampaignEstimate, Interval]]) -> None:
    offset = 0.16
    for position, (estimate, shrunk) in enumerate(rows, start=2):
        raw_low = estimate.benefit_mean - 1.96 * estimate.benefit_sd
        raw_high = estimate.benefit_mean + 1.96 * estimate.benefit_sd
        up, down = position + offset, position - offset
        ax.plot([raw_low * PER, raw_high * PER], [up, up], color=RAW_COLOUR, linewidth=1.5)
        ax.plot(
            estimate.benefit_mean * PER, up, "o", markerfacecolor="white",
            markeredgecolor=RAW_COLOUR, markersize=6,
        )  # fmt: skip
        ax.plot([shrunk.low * PER, shrunk.high * PER], [down, down], color=SHRUNK_COLOUR, lw=3)
        ax.plot(shrunk.mean * PER, down, "o", color=SHRUNK_COLOUR, markersize=7)


def figure_forest(meta: MetaAnalysis, size: Size = WIDE) -> Figure:
    """Each campaign on its own (raw) and after partial pooling (shrunken).

    The bottom rows are the programme's average and the range a new campaign would likely
    fall in. Per 1,000 recipients, with the ROPE band.
    """
    rows = sorted(meta.shrunken(), key=lambda item: item[1].mean)
    width = 44 if size.name == "wide" else 20
    labels = [
        _wrap(text, width)
        for text in (
            "a new campaign (likely range)",
            "programme average",
            *(estimate_label(e) for e, _ in rows),
        )
    ]
    lines = sum(max(1.0, label.count("\n") + 0.6) for label in labels)
    fig = Figure(figsize=(size.width, size.height(lines, 0.34, 2.0)), layout="constrained")
    ax = fig.subplots()
    rope_band(ax, meta.rope)
    programme = meta.programme()
    ax.axvline(programme.mean * PER, color=PROGRAMME_COLOUR, linestyle=":", linewidth=1)
    _forest_rows(ax, rows)
    prediction = Interval.of(meta.prediction())
    for position, summary, marker in ((1, programme, "D"), (0, prediction, "s")):
        ax.plot(
            [summary.low * PER, summary.high * PER], [position] * 2, color=PROGRAMME_COLOUR, lw=3
        )
        ax.plot(summary.mean * PER, position, marker, color=PROGRAMME_COLOUR, markersize=8)
    ax.set_yticks(np.arange(len(labels)), labels)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.plot([], [], "o-", color=RAW_COLOUR, markerfacecolor="white", label="campaign on its own")
    ax.plot([], [], "o-", color=SHRUNK_COLOUR, label="after borrowing from the others")
    ax.set_xlabel(_fit(f"{_effect_label(meta)} (dot: best estimate, bar: 95% range)", size, 52, 30))
    fig.legend(loc="outside lower center", frameon=False, ncols=2 if size.name == "wide" else 1)
    style_axes(ax)
    return fig


def _trend_band(ax: Axes, meta: MetaAnalysis) -> None:
    """The linear trend's mean line and 95% band, across the campaigns' dates."""
    days = meta.days()
    grid = np.linspace(days.min(), days.max(), 50)
    centred = days - days.mean()
    slope = (meta.theta * centred).sum(axis=1) / (centred**2).sum()
    intercept = meta.theta.mean(axis=1)
    lines = intercept[:, None] + slope[:, None] * (grid - days.mean())[None, :]
    first = min(e.date for e in meta.estimates)
    moments = [first + timedelta(days=float(d)) for d in grid]
    low, high = np.percentile(lines * PER, [2.5, 97.5], axis=0)
    ax.fill_between(moments, low, high, color=TREND_COLOUR, alpha=0.15, linewidth=0)
    ax.plot(
        moments, lines.mean(axis=0) * PER, color=TREND_COLOUR, linewidth=2,
        label="linear trend (95% band)",
    )  # fmt: skip


def figure_trend(meta: MetaAnalysis, size: Size = WIDE) -> Figure:
    """Shrunken uplift per campaign against the date it was sent (else analysed), with a
    linear trend; without a spread of dates, the campaigns in date order."""
    wide = size.name == "wide"
    fig = Figure(figsize=(size.width, 3.9 if wide else 4.6), layout="constrained")
    ax = fig.subplots()
    rope_band(ax, meta.rope, vertical=False)
    trend = meta.trend()
    order = sorted(range(len(meta.estimates)), key=lambda k: meta.estimates[k].date)
    if trend is None:  # no spread in dates: the campaigns in date order instead
        positions: list[object] = [0] * len(order)
        for position, k in enumerate(order):
            positions[k] = position
        width = int(size.width * 72 / max(1, len(order)) / (size.font * 0.62))
        ax.set_xticks(range(len(order)), [_wrap(meta.estimates[k].campaign, width) for k in order])
    else:
        positions = [e.date for e in meta.estimates]
    for x, (estimate, shrunk) in zip(positions, meta.shrunken(), strict=True):
        ax.plot([x, x], [shrunk.low * PER, shrunk.high * PER], color=SHRUNK_COLOUR, linewidth=2)
        ax.plot(x, shrunk.mean * PER, "o", color=SHRUNK_COLOUR, markersize=6)
        ax.plot(
            x, estimate.benefit_mean * PER, "o", markerfacecolor="white",
            markeredgecolor=RAW_COLOUR, markersize=5,
        )  # fmt: skip
    if trend is not None:
        _trend_band(ax, meta)
        locator = AutoDateLocator(maxticks=7 if wide else 4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.plot([], [], "o-", color=SHRUNK_COLOUR, label="after borrowing (95% range)")
    ax.plot([], [], "o", color=RAW_COLOUR, markerfacecolor="white", label="on its own")
    ax.set_ylabel(_fit(_effect_label(meta).replace(" vs sending nothing", ""), size, 40, 30))
    ax.set_xlabel(_fit(date_axis_label(meta.estimates, trend is not None), size))
    style_axes(ax, grid="y")
    fig.legend(loc="outside lower center", frameon=False, ncols=2 if wide else 1)
    return fig


def figure_verdicts(meta: MetaAnalysis, size: Size = WIDE) -> Figure:
    """How many campaigns got each verdict (on the version counted), one labelled bar each."""
    counts = Counter(e.verdict for e in meta.estimates)
    fig = Figure(figsize=(size.width, size.height(4, 0.38, 1.2)), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(VERDICT_ORDER))[::-1]
    values = [counts.get(v, 0) for v in VERDICT_ORDER]
    ax.barh(positions, values, color=[VERDICT_COLOURS[v] for v in VERDICT_ORDER], height=0.6)
    top = max(max(values), 1)
    for y, value in zip(positions, values, strict=True):
        ax.text(value + top * 0.02, y, f"{value}", va="center", color=INK)
    ax.set_yticks(positions, [v.value for v in VERDICT_ORDER])
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel(_fit("campaigns, by the verdict on the version counted", size))
    ax.xaxis.get_major_locator().set_params(integer=True)
    style_axes(ax)
    return fig
