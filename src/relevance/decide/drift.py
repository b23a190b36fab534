"""Is the effect fading? Each version's effect week by week (or month by month).

The periods are an ordered segment of the primary metric's model: a version's deviation from
its overall effect follows a random walk over periods with a learned step size, so a period
with few recipients borrows strength from its neighbours and a real trend still shows. The
sentence compares the latest period with the first, with the chance that it is lower.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from relevance.config import Experiment, MetricConfig
from relevance.decide.uplift import uplift_draws
from relevance.decide.value import summary
from relevance.io.periods import DAY, Period
from relevance.language import MONTHS, money, percent, version_label
from relevance.language import day as written_day
from relevance.model.layout import Layout
from relevance.results import PER, DriftCurve, DriftPeriod


def effect_words(metric: MetricConfig) -> str:
    """'extra purchases' (more is better), 'the change in unsubscribes' (fewer is better)."""
    if metric.direction == "increase":
        return f"extra {metric.display}"
    return f"the change in {metric.display}"


def since(start: date, period: Period) -> str:
    """'since March 2026' or 'since the week of 2 March 2026'."""
    if period == "month":
        return f"since {MONTHS[start.month - 1]} {start.year}"
    return f"since the week of {written_day(start.isoformat())}"


def latest_words(period: Period) -> str:
    """'the latest week' or 'the latest month'."""
    return f"the latest {period}"


def drift_sentence(
    experiment: Experiment,
    version: str,
    periods: list[DriftPeriod],
    p_below: float,
    period: Period,
) -> str:
    """The drift sentence: fell or rose when credible, else no credible change."""
    metric = experiment.primary
    currency = metric.symbol(experiment.decision.currency)
    first, latest = periods[0], periods[-1]
    words = effect_words(metric)
    owner = f"{version_label(version)}’s {words}"
    then = money(first.uplift_mean * PER, currency, signed=True)
    now = money(latest.uplift_mean * PER, currency, signed=True)
    when = since(first.start, period)
    threshold = experiment.decision.probability
    if p_below >= threshold:
        return (
            f"{owner[:1].upper()}{owner[1:]} fell from {then} to {now} per 1,000 recipients "
            f"{when} (chance {latest_words(period)} is lower than the first: {percent(p_below)})."
        )
    if 1 - p_below >= threshold:
        return (
            f"{owner[:1].upper()}{owner[1:]} rose from {then} to {now} per 1,000 recipients "
            f"{when} (chance {latest_words(period)} is higher than the first: "
            f"{percent(1 - p_below)})."
        )
    return (
        f"No credible change in {owner} {when}: {then} per 1,000 recipients in the first "
        f"{period}, {now} in {latest_words(period)} (chance it is lower now: {percent(p_below)})."
    )


def drift_curves(
    experiment: Experiment, lay: Layout, draws: np.ndarray, period: Period
) -> list[DriftCurve]:
    """Per version: the primary metric's uplift in every period with recipients, and the chance
    that the latest period's is below the first's. `draws` are the primary metric's expected
    outcomes per recipient, (sample, arm, period) on the drift model's layout."""
    share = experiment.decision.interval
    levels = lay.levels[DAY]
    population = lay.n.sum(axis=0)
    curves = []
    for index, version in enumerate(lay.versions, start=1):
        periods, samples = [], []
        for level_index, level in enumerate(levels):
            selected = np.where(lay.level_index[DAY] == level_index, lay.weights, 0.0)
            if selected.sum() <= 0:
                continue  # a period without recipients
            uplift = uplift_draws(draws, index, selected / selected.sum())
            summarised = summary(uplift, share)
            periods.append(
                DriftPeriod(
                    start=date.fromisoformat(level),
                    recipients=int(population[selected > 0].sum()),
                    uplift_mean=summarised.mean,
                    uplift_low=summarised.low,
                    uplift_high=summarised.high,
                )
            )
            samples.append(uplift)
        p_below = float(np.mean(samples[-1] < samples[0])) if len(samples) > 1 else 0.5
        curves.append(
            DriftCurve(
                version=version,
                periods=periods,
                p_latest_below_first=p_below,
                sentence=drift_sentence(experiment, version, periods, p_below, period),
            )
        )
    return curves


def too_short(experiment: Experiment, version: str, period: Period) -> DriftCurve:
    """A version's curve while all sends fall in one period: no trend to tell yet."""
    owner = f"{version_label(version)}’s {effect_words(experiment.primary)}"
    return DriftCurve(
        version=version,
        periods=[],
        p_latest_below_first=0.5,
        sentence=f"{owner[:1].upper()}{owner[1:]}: all sends so far fall in one {period}, so "
        "there is no trend to tell yet.",
    )
