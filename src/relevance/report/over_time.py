"""An always-on campaign over time: how the answer firmed up, whether the effect is fading,
and whether the holdout can stop. Drawn from `Results.timeline` alone."""

from __future__ import annotations

import textwrap
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from relevance.language import day, likelihood_ratio, money, number, percent, span, version_label
from relevance.report.style import (
    Html,
    Size,
    chart,
    esc,
    rope_band,
    style_axes,
    table,
    version_colour,
)
from relevance.results import PER, Look, Results, Timeline

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def glossary(results: Results) -> dict[str, str]:
    """The terms of the sections over time, with this campaign's probability and evidence."""
    timeline = results.timeline
    if timeline is None:
        return {}
    error = f"{1 - results.probability:.0%}".replace(".0%", "%")
    chance = f"{results.probability:.0%}"
    return {
        "Look": "The campaign as it stood at the end of one day (or week): every recipient sent "
        "so far. The last look is this report's full analysis; earlier looks use a quick "
        "approximation of the same model.",
        "Read every day (the guarantee)": "An always-on campaign is read again and again, and "
        "every reading is another chance to crown a winner by luck. So “beats sending nothing” "
        "also needs evidence that holds however often the report is read: of campaigns whose "
        f"emails truly change nothing, at most {error} are ever called “beats sending nothing”, "
        f"at any look, however many looks there are. (With the {chance} chance alone, 6-36% "
        "were, within 28 daily looks: see the benchmark in relevance's repository.)",
        "Evidence": "How many times likelier the data are if the version helps than if it does "
        "nothing, averaged over plausible sizes of effect. A winner needs "
        f"{likelihood_ratio(timeline.evidence_needed)} (the versions share the {error}).",
        "Effect over time": "Each week's (or month's) effect, estimated together: neighbouring "
        "periods share strength, so a thin week is not over-read and a real trend still shows.",
        "Expected loss of deciding now": "What choosing today's best option costs on average in "
        "the cases where another option is better, per 1,000 recipients. Below the threshold "
        "you set, holding customers out no longer pays for itself.",
    }


def _measure(results: Results) -> str:
    """'extra purchases' or 'change in unsubscribes' per 1,000 recipients."""
    primary = results.primary
    word = "extra" if primary.direction == "increase" else "change in"
    return f"{word} {primary.display}"


def _currency(results: Results) -> str:
    return results.primary.symbol(results.currency)


def verdict_changes(timeline: Timeline) -> list[Look]:
    """The first look of every version, each look where its verdict changed, and the last."""
    shown: list[Look] = []
    for version in dict.fromkeys(look.version for look in timeline.looks):
        own = [look for look in timeline.looks if look.version == version]
        shown.append(own[0])
        shown += [b for a, b in pairwise(own) if a.verdict is not b.verdict and b is not own[-1]]
        if len(own) > 1:
            shown.append(own[-1])
    return shown


def figure_timeline(results: Results, size: Size) -> Figure | None:
    """Each version's uplift of the primary metric at every look, with its range and the ROPE:
    how the answer firmed up as recipients were added."""
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    timeline = results.timeline
    if timeline is None or not timeline.looks:
        return None
    fig = Figure(figsize=(size.width, 3.8 if size.name == "wide" else 4.4), layout="constrained")
    ax = fig.subplots()
    rope_band(ax, results.primary.rope, vertical=False)
    for version in results.versions:
        own = [
            look
            for look in timeline.looks
            if look.version == version and look.uplift_mean is not None
        ]
        if not own:
            continue
        colour = version_colour(results.versions, version)
        days = np.array([np.datetime64(look.day, "D") for look in own])
        ax.fill_between(
            days,
            [look.uplift_low * PER for look in own],  # type: ignore[operator]
            [look.uplift_high * PER for look in own],  # type: ignore[operator]
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
        ax.plot(
            days,
            [look.uplift_mean * PER for look in own],
            color=colour,
            linewidth=2,  # type: ignore[operator]
            label=f"{version_label(version)}: {own[-1].verdict.value}",
        )
        last = own[-1]
        ax.plot(
            days[-1:],
            [last.uplift_mean * PER],
            "D",
            color=colour,
            markersize=7,  # type: ignore[operator]
            markeredgecolor="white",
        )
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6 if size.name == "wide" else 4))
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(ax.xaxis.get_major_locator(), show_offset=False)
    )
    money_word = f" ({results.currency})" if _currency(results) else ""
    ax.set_ylabel(f"{_measure(results)}{money_word}\nper 1,000 recipients")
    ax.set_xlabel(wrapped("day of the look (every recipient sent up to then; ◆ this report)", size))
    style_axes(ax, grid="y")
    fig.legend(loc="outside lower center", frameon=False, ncols=1)
    return fig


def figure_drift(results: Results, size: Size) -> Figure | None:
    """Each version's effect per week (or month), partially pooled over time."""
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    timeline = results.timeline
    if timeline is None or not any(len(c.periods) > 1 for c in timeline.drift):
        return None
    fig = Figure(figsize=(size.width, 3.6 if size.name == "wide" else 4.2), layout="constrained")
    ax = fig.subplots()
    rope_band(ax, results.primary.rope, vertical=False)
    curves = timeline.drift
    offset = np.timedelta64(1, "D")
    for i, curve in enumerate(curves):
        colour = version_colour(results.versions, curve.version)
        starts = np.array([np.datetime64(p.start, "D") for p in curve.periods]) + offset * (
            i - (len(curves) - 1) / 2
        )
        for start, p in zip(starts, curve.periods, strict=True):
            ax.plot(
                [start, start],
                [p.uplift_low * PER, p.uplift_high * PER],
                color=colour,
                linewidth=3,
                solid_capstyle="round",
                alpha=0.6,
            )
        ax.plot(
            starts,
            [p.uplift_mean * PER for p in curve.periods],
            "o-",
            color=colour,
            linewidth=1.5,
            markersize=6,
            markeredgecolor="white",
            label=version_label(curve.version),
        )
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6 if size.name == "wide" else 4))
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(ax.xaxis.get_major_locator(), show_offset=False)
    )
    money_word = f" ({results.currency})" if _currency(results) else ""
    ax.set_ylabel(f"{_measure(results)}{money_word}\nper 1,000 recipients")
    ax.set_xlabel(
        wrapped(
            f"{timeline.period} of sending (dot: estimate, bar: {results.interval:.0%} range)",
            size,
        )
    )
    style_axes(ax, grid="y")
    if len(curves) > 1:
        fig.legend(loc="outside lower center", frameon=False, ncols=3)
    return fig


def wrapped(text: str, size: Size) -> str:
    """An axis label in lines that fit the canvas (narrow screens get short lines)."""
    return "\n".join(textwrap.wrap(text, 70 if size.name == "wide" else 34))


def _per_thousand(value: float | None, currency: str, signed: bool = True) -> str:
    return "–" if value is None else money(value * PER, currency, signed=signed)


def timeline_section(results: Results) -> Html:
    """How the answer firmed up: sentences, the chart, and the looks where a verdict changed."""
    timeline = results.timeline
    if timeline is None:
        return Html(
            "<p>No send dates are configured (`data.date` in the experiment file), so there is "
            "no timeline: this is a single look at the campaign.</p>"
        )
    currency = _currency(results)
    every = "day" if timeline.every == "day" else "week"
    rows = [
        {
            "look": day(look.day.isoformat()),
            "version": version_label(look.version),
            "recipients so far": f"{look.recipients:,}",
            f"{_measure(results)} per 1,000": _per_thousand(look.uplift_mean, currency),
            f"{results.interval:.0%} range": "–"
            if look.uplift_low is None or look.uplift_high is None
            else span(look.uplift_low, look.uplift_high, currency),
            "chance better by more than practically nothing": "–"
            if look.p_better_beyond_rope is None
            else percent(look.p_better_beyond_rope),
            f"evidence (a winner needs {likelihood_ratio(timeline.evidence_needed)})": "–"
            if look.evidence is None
            else likelihood_ratio(look.evidence),
            "verdict": look.verdict.value + (" (this report)" if look.full_model else ""),
        }
        for look in verdict_changes(timeline)
    ]
    undated = (
        f'<p class="warning">{timeline.undated:,} recipients have no send date: they count only '
        "in the last look (this report).</p>"
        if timeline.undated
        else ""
    )
    return Html(
        "<h3>How the answer firmed up</h3>"
        + "".join(f'<p class="sentence">{esc(s)}</p>' for s in timeline.sentences)
        + str(
            chart(
                lambda size: figure_timeline(results, size),
                "how the answer firmed up, look by look",
            )
        )
        + f"<p>Looks every {esc(every)}: the first look, each look where a verdict changed, and "
        "the last (this report's full analysis; earlier looks use a quick approximation of "
        "the same model).</p>" + table(rows) + undated
    )


def drift_section(results: Results) -> Html:
    """Is the effect fading? The sentence per version, the chart and the periods' table."""
    timeline = results.timeline
    if timeline is None:
        return Html("")
    if not timeline.drift:
        return Html(
            "<h3>Is the effect fading?</h3><p>The primary metric cannot be measured yet, so "
            "there is no trend.</p>"
        )
    currency = _currency(results)
    rows = [
        {
            f"{timeline.period} from": day(p.start.isoformat()),
            "version": version_label(c.version),
            "recipients": f"{p.recipients:,}",
            f"{_measure(results)} per 1,000": money(p.uplift_mean * PER, currency, signed=True),
            f"{results.interval:.0%} range": span(p.uplift_low, p.uplift_high, currency),
        }
        for c in timeline.drift
        for p in c.periods
    ]
    warning = (
        ""
        if timeline.drift_reliable
        else '<p class="warning">The sampler did not converge for the effects over time: do not '
        "rely on them yet.</p>"
    )
    return Html(
        "<h3>Is the effect fading?</h3>"
        + "".join(f'<p class="sentence">{esc(c.sentence)}</p>' for c in timeline.drift)
        + warning
        + str(chart(lambda size: figure_drift(results, size), f"effect per {timeline.period}"))
        + table(rows)
    )


def stop_section(results: Results) -> Html:
    """Can the holdout stop? The expected loss of deciding now and the days to a verdict."""
    timeline = results.timeline
    if timeline is None:
        return Html("")
    stop = timeline.stop
    if stop is None:
        return Html(
            "<h3>Can the holdout stop?</h3><p>The primary metric cannot be measured yet: keep "
            "the holdout.</p>"
        )
    primary = results.primary
    symbol = _currency(results)
    rows = [
        {
            "deciding now": f"send {version_label(stop.choice)}" if stop.choice else "send nothing",
            f"expected loss, {primary.display} per 1,000": money(stop.expected_loss, symbol),
            "expected loss, money per 1,000": "–"
            if stop.expected_loss_money is None
            else money(stop.expected_loss_money, results.currency),
            "small enough below": money(
                stop.threshold, results.currency if stop.in_money else symbol
            ),
            "recipients a day (last 7 days)": number(stop.recipients_per_day),
            "verdict": "you can stop the holdout" if stop.can_stop else "keep the holdout",
        }
    ]
    return Html(
        f'<h3>Can the holdout stop?</h3><p class="sentence">{esc(stop.sentence)}</p>' + table(rows)
    )
