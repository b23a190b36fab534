"""The timeline of an always-on campaign: what the verdict rule would have said at every look.

A look is the campaign as it stood at the end of a day (or week): every recipient sent so far.
Fitting the full model at each of dozens of looks would cost a minute per report, so earlier
looks use a normal approximation of each arm's mean on the look's cells (segments pooled):
binary metrics a Jeffreys Beta posterior, revenue the same log-normal hurdle the model uses
(buyers' share times exp(mu + sigma^2 / 2), by the delta method). The verdict rule is the
report's own: harm first (a guardrail harmed included), then "beats sending nothing" with the
evidence that holds under repeated looks (:mod:`relevance.decide.evidence`), then irrelevant.
The last look is the report itself (the full model on every recipient); a test compares the
approximation with it. The same approximation drives the repeated-looks benchmark.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
from scipy import special

from relevance.config import Experiment, MetricConfig
from relevance.decide.evidence import (
    enough_evidence,
    log_evidence,
    mixture_scale,
    uplift_evidence,
)
from relevance.decide.uplift import OVERALL, direction
from relevance.io.cells import Amounts, Cells, MetricStatistic
from relevance.io.periods import DAY, Period, dated_only, period_start
from relevance.language import day as written_day
from relevance.language import version_label
from relevance.results import Look, Uplift, Verdict, VersionVerdict


@dataclass(frozen=True)
class Estimate:
    """Normal approximation of the mean per recipient: mean and variance (same shapes);
    NaN where the data cannot measure it."""

    mean: np.ndarray
    variance: np.ndarray


def proportion_estimate(ones: np.ndarray, n: np.ndarray) -> Estimate:
    """A rate's posterior mean and variance under a Jeffreys Beta(1/2, 1/2) prior (NaN
    without recipients)."""
    a = np.asarray(ones, dtype=float) + 0.5
    b = np.asarray(n, dtype=float) - np.asarray(ones, dtype=float) + 0.5
    total = a + b
    empty = np.asarray(n) == 0  # nobody yet: nothing measured (not the prior's 50%)
    mean, variance = a / total, a * b / (total**2 * (total + 1.0))
    return Estimate(np.where(empty, np.nan, mean), np.where(empty, np.nan, variance))


def amounts_estimate(stat: Amounts) -> Estimate:
    """Revenue per recipient, p * exp(mu + sigma^2 / 2), with its delta-method variance.

    NaN where fewer than two buyers leave the spread of log amounts unknown.
    """
    rate = proportion_estimate(stat.buyers, stat.n)
    buyers = np.asarray(stat.buyers, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = stat.sum_log / buyers
        spread = np.maximum((stat.sum_log_sq - buyers * mu**2) / (buyers - 1.0), 0.0)
        amount = np.exp(mu + spread / 2.0)
        log_amount_variance = spread / buyers + spread**2 / (2.0 * (buyers - 1.0))
        mean = rate.mean * amount
        variance = amount**2 * rate.variance + mean**2 * log_amount_variance
    unknown = buyers < 2
    return Estimate(np.where(unknown, np.nan, mean), np.where(unknown, np.nan, variance))


def estimate(stat: MetricStatistic) -> Estimate:
    """The normal approximation of a metric's mean per recipient, cell by cell."""
    if isinstance(stat, Amounts):
        return amounts_estimate(stat)
    return proportion_estimate(stat.ones, stat.n)


@dataclass(frozen=True)
class Benefit:
    """A version's benefit over the holdout per recipient (the metric's better direction)."""

    mean: np.ndarray
    sd: np.ndarray
    holdout_mean: np.ndarray

    def probabilities(self, rope: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(better beyond the ROPE), P(inside it), P(worse beyond it)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            better = special.ndtr((self.mean - rope) / self.sd)
            worse = special.ndtr((-rope - self.mean) / self.sd)
        return better, 1.0 - better - worse, worse


def benefit(metric: MetricConfig, arms: Estimate, index: int) -> Benefit:
    """Version `index`'s benefit over the holdout (arm 0); arms are the last axis."""
    delta = arms.mean[..., index] - arms.mean[..., 0]
    sd = np.sqrt(arms.variance[..., index] + arms.variance[..., 0])
    return Benefit(direction(metric) * delta, sd, arms.mean[..., 0])


def rule_verdicts(
    experiment: Experiment,
    estimates: dict[str, Estimate],
    index: int,
    versions: int,
    look_safe: bool = True,
) -> np.ndarray:
    """The look-safe verdict of version `index` wherever the estimates are (object array).

    Harm on the primary metric or a harmed guardrail first, then beats (95% beyond the ROPE
    and enough evidence), then irrelevant; inconclusive where the primary cannot be measured.
    Without `look_safe`, the rule before repeated looks were accounted for (no evidence
    needed): the benchmark's "before".
    """
    probability = experiment.decision.probability
    primary = experiment.primary
    main = benefit(primary, estimates[primary.name], index)
    better, inside, worse = main.probabilities(primary.rope)
    scale = mixture_scale(primary.rope, main.holdout_mean)
    beats = better >= probability
    if look_safe:
        beats = beats & enough_evidence(main.mean, main.sd, scale, probability, versions)
    harmed = worse >= probability
    for guard in experiment.guardrails:
        _, _, guard_worse = benefit(guard, estimates[guard.name], index).probabilities(guard.rope)
        harmed = harmed | (np.nan_to_num(guard_worse) >= probability)
    verdicts = np.full(np.shape(better), Verdict.INCONCLUSIVE, dtype=object)
    verdicts[inside >= probability] = Verdict.IRRELEVANT
    verdicts[beats] = Verdict.BEATS
    verdicts[harmed] = Verdict.HARMFUL
    verdicts[~np.isfinite(main.mean) | ~np.isfinite(main.sd)] = Verdict.INCONCLUSIVE
    return verdicts


def cumulative(stat: MetricStatistic) -> MetricStatistic:
    """Running totals along the first axis (looks): every recipient up to each look."""
    return type(stat)(*(np.cumsum(getattr(stat, name), axis=0) for name in stat.names()))


@dataclass(frozen=True)
class LookGrid:
    """The cells at every look: its last day, recipients per arm and each metric's
    statistics, all cumulative and shaped (look, arm)."""

    days: list[date]
    recipients: np.ndarray
    stats: dict[str, MetricStatistic]


def look_grid(day_cells: Cells, every: Period) -> LookGrid:
    """Day cells summed into looks (every day or week with data), then accumulated."""
    cells = dated_only(day_cells)
    days = [date.fromisoformat(text) for text in cells.keys[DAY]]
    starts = sorted({period_start(d, every) for d in days})
    look_of = {start: i for i, start in enumerate(starts)}
    arm_of = {arm: i for i, arm in enumerate(cells.arms)}
    known = cells.keys["arm"].isin(cells.arms).to_numpy()
    arms = cells.keys["arm"].map(arm_of).fillna(0).to_numpy(dtype=int)
    looks = np.array([look_of[period_start(d, every)] for d in days], dtype=int)
    shape = (len(starts), len(cells.arms))
    index = (looks * shape[1] + arms)[known]
    size = shape[0] * shape[1]
    n = np.zeros(size, dtype=np.int64)
    np.add.at(n, index, cells.n[known])
    last = [date.min] * len(starts)
    for d, look in zip(days, looks, strict=True):
        last[look] = max(last[look], d)
    return LookGrid(
        days=last,
        recipients=n.reshape(shape).cumsum(axis=0),
        stats={
            name: cumulative(stat[known].group(index, size).reshape(*shape))
            for name, stat in cells.stats.items()
        },
    )


def approximate_looks(experiment: Experiment, day_cells: Cells, every: Period) -> list[Look]:
    """Every look from the normal approximation, one record per look and version."""
    grid = look_grid(day_cells, every)
    recipients = grid.recipients.sum(axis=1)
    estimates = {name: estimate(stat) for name, stat in grid.stats.items()}
    primary = experiment.primary
    versions = experiment.arms.versions
    holdout_events = grid.stats[primary.name].events[:, 0]
    z = NormalDist().inv_cdf(1 - (1 - experiment.decision.interval) / 2)
    sign = direction(primary)
    looks = []
    for index, version in enumerate(versions, start=1):
        verdicts = rule_verdicts(experiment, estimates, index, len(versions))
        main = benefit(primary, estimates[primary.name], index)
        better, _, _ = main.probabilities(primary.rope)
        evidence = log_evidence(main.mean, main.sd, mixture_scale(primary.rope, main.holdout_mean))
        for i, day in enumerate(grid.days):
            measured = bool(holdout_events[i] > 0 and np.isfinite(main.mean[i]))
            mean, sd = sign * main.mean[i], main.sd[i]
            looks.append(
                Look(
                    day=day,
                    version=version,
                    recipients=int(recipients[i]),
                    uplift_mean=float(mean) if measured else None,
                    uplift_low=float(mean - z * sd) if measured else None,
                    uplift_high=float(mean + z * sd) if measured else None,
                    p_better_beyond_rope=float(better[i]) if measured else None,
                    evidence=float(np.exp(min(evidence[i], 700.0))) if measured else None,
                    verdict=verdicts[i] if measured else Verdict.INCONCLUSIVE,
                )
            )
    return looks


def final_looks(
    experiment: Experiment,
    last_day: date,
    recipients: int,
    uplifts: list[Uplift],
    verdicts: list[VersionVerdict],
) -> list[Look]:
    """The report's own analysis as the last look: the full model on every recipient."""
    primary = experiment.primary
    by_version = {
        u.version: u
        for u in uplifts
        if u.metric == primary.name and (u.segment_column, u.segment_level) == OVERALL
    }
    verdict_of = {v.version: v.verdict for v in verdicts}
    count = len(experiment.arms.versions)
    looks = []
    for version in experiment.arms.versions:
        u = by_version.get(version)
        ratio = (
            uplift_evidence(primary, u, experiment.decision.probability, count)[0]
            if u is not None
            else None
        )
        looks.append(
            Look(
                day=last_day,
                version=version,
                recipients=recipients,
                uplift_mean=u.uplift_mean if u else None,
                uplift_low=u.uplift_low if u else None,
                uplift_high=u.uplift_high if u else None,
                p_better_beyond_rope=u.p_better_beyond_rope if u else None,
                evidence=ratio,
                verdict=verdict_of.get(version, Verdict.INCONCLUSIVE),
                full_model=True,
            )
        )
    return looks


def timeline_looks(
    experiment: Experiment,
    cells: Cells,
    every: Period,
    uplifts: list[Uplift],
    verdicts: list[VersionVerdict],
) -> list[Look]:
    """Every look, oldest first: the approximation up to the last, then the report itself.

    The last look counts every recipient the report counts (rows without a date included).
    """
    assert cells.by_day is not None
    looks = approximate_looks(experiment, cells.by_day, every)
    if not looks:
        return final_looks(experiment, date.today(), cells.recipients, uplifts, verdicts)
    last_day = max(look.day for look in looks)
    earlier = [look for look in looks if look.day != last_day]
    final = final_looks(experiment, last_day, cells.recipients, uplifts, verdicts)
    order = {version: i for i, version in enumerate(experiment.arms.versions)}
    return sorted(earlier + final, key=lambda look: (order[look.version], look.day))


def ordinal_look(every: Period) -> str:
    """'daily' or 'weekly'."""
    return {"day": "daily", "week": "weekly", "month": "monthly"}[every]


def timeline_sentences(looks: list[Look], every: Period) -> list[str]:
    """Per version: its verdict now, since which look it has held, and how often it changed."""
    sentences = []
    for version in dict.fromkeys(look.version for look in looks):
        own = [look for look in looks if look.version == version]
        current = own[-1].verdict
        since = len(own) - 1
        while since > 0 and own[since - 1].verdict is current:
            since -= 1
        changes = sum(1 for a, b in itertools.pairwise(own) if a.verdict is not b.verdict)
        who = version_label(version)
        count = f"{len(own)} {ordinal_look(every)} look{'s' if len(own) != 1 else ''}"
        if since == 0:
            text = (
                f"{who} has been “{current.value}” at every one of {count} since "
                f"{written_day(own[0].day.isoformat())}."
                if len(own) > 1
                else f"{who} is “{current.value}” at its first look, "
                f"{written_day(own[0].day.isoformat())}."
            )
        else:
            text = (
                f"{who} has been “{current.value}” since {written_day(own[since].day.isoformat())} "
                f"(look {since + 1} of {len(own)}); before that it was "
                f"“{own[since - 1].verdict.value}”"
                + (f", and its verdict changed {changes} times in all." if changes > 1 else ".")
            )
        sentences.append(text)
    return sentences
