"""A verdict that stays honest when an always-on campaign is looked at every day.

Re-reading a growing campaign every day and stopping at the first "beats sending nothing"
finds winners that are not there: with the plain rule (95% chance of beating sending nothing
by more than the ROPE) 6-27% of emails with no effect at all are called winners at some look
within 28 daily looks, 11-36% of campaigns with two such versions
(``benchmarks/repeated_looks.py``). A monitored campaign (one with
`data.date`) therefore also needs *evidence that holds however often it is read*: the
likelihood ratio of "the version helps" against "it does nothing", averaged over plausible
effects (a half-normal mixture; the mixture sequential probability ratio test of Johari et al.,
2017). Under "it does nothing" this ratio is a martingale with mean 1, so by Ville's
inequality the chance that it ever reaches 1 / alpha, at any of any number of looks, is at most
alpha. With alpha = (1 - decision.probability) / versions, at most 5% of campaigns in which no
version does anything are ever called "beats sending nothing", however often they are read.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from relevance.config import MetricConfig
from relevance.decide.uplift import direction
from relevance.language import likelihood_ratio
from relevance.results import Uplift

EFFECT_SCALE_SHARE = 0.2
"""Plausible effects of an email are a few tenths of the holdout's rate: the mixture's scale is
20% of the holdout mean (never less than the ROPE). Tuned in the benchmark for power at the
volumes of always-on flows; any fixed scale keeps the guarantee."""


def mixture_scale(rope: float, holdout_mean: float | np.ndarray) -> np.ndarray:
    """The scale of plausible effects per recipient: the ROPE or 20% of the holdout mean."""
    return np.maximum(rope, EFFECT_SCALE_SHARE * np.abs(holdout_mean))


def log_evidence(
    benefit: float | np.ndarray, sd: float | np.ndarray, scale: float | np.ndarray
) -> np.ndarray:
    """Log likelihood ratio of "the version helps" (a half-normal mixture of effects of scale
    `scale`) against "no effect", for an estimated benefit per recipient with standard error
    `sd` (normal approximation). 0 means no evidence either way."""
    variance = np.square(sd)
    spread = np.square(scale)
    total = variance + spread
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (
            math.log(2.0)
            + 0.5 * np.log(variance / total)
            + np.square(benefit) * spread / (2.0 * variance * total)
            + special.log_ndtr(benefit * np.sqrt(spread) / np.sqrt(variance * total))
        )
    return np.where(np.asarray(variance) > 0, value, -np.inf)


def evidence_needed(probability: float, versions: int) -> float:
    """The likelihood ratio a winner needs: versions / (1 - probability), e.g. 20 for one
    version at 95% (each version gets its share of the 5%)."""
    return round(versions / (1.0 - probability), 9)  # 2 / 0.05 is 40, not 39.999...


def enough_evidence(
    benefit: float | np.ndarray,
    sd: float | np.ndarray,
    scale: float | np.ndarray,
    probability: float,
    versions: int,
) -> np.ndarray:
    """True where the evidence for a benefit holds up under any number of looks."""
    return log_evidence(benefit, sd, scale) >= math.log(evidence_needed(probability, versions))


def verdict_reached(
    benefit: float,
    sd: float,
    rope: float,
    scale: float,
    probability: float,
    versions: int,
) -> bool:
    """Whether the look-safe rule gives a verdict (beats, harmful or irrelevant) for a benefit
    per recipient with posterior standard deviation `sd` (normal approximation)."""
    if sd <= 0:
        return True
    better = special.ndtr((benefit - rope) / sd)
    worse = special.ndtr((-rope - benefit) / sd)
    inside = 1.0 - better - worse
    beats = better >= probability and bool(
        enough_evidence(benefit, sd, scale, probability, versions)
    )
    return bool(beats or worse >= probability or inside >= probability)


MAX_FACTOR = 1e6


def information_to_verdict(
    benefit: float, sd: float, rope: float, scale: float, probability: float, versions: int
) -> float | None:
    """How many times the data so far a verdict needs, if the estimate stays where it is and
    its standard deviation shrinks as 1/sqrt(data); 1 when it has one, None when never."""
    if verdict_reached(benefit, sd, rope, scale, probability, versions):
        return 1.0

    def reached(factor: float) -> bool:
        return verdict_reached(benefit, sd / math.sqrt(factor), rope, scale, probability, versions)

    if not reached(MAX_FACTOR):
        return None
    low, high = 1.0, 2.0
    while not reached(high):
        low, high = high, high * 2
    while high - low > 1e-3 * low:  # bisection: reached at `high`, not at `low`
        middle = (low + high) / 2
        low, high = (low, middle) if reached(middle) else (middle, high)
    return high


def uplift_evidence(
    metric: MetricConfig, uplift: Uplift, probability: float, versions: int
) -> tuple[float, float]:
    """The evidence (likelihood ratio) for a version's overall uplift and the ratio needed."""
    benefit = direction(metric) * uplift.uplift_mean
    scale = float(mixture_scale(metric.rope, uplift.holdout_mean))
    ratio = float(np.exp(min(log_evidence(benefit, uplift.uplift_sd, scale), 700.0)))
    return ratio, evidence_needed(probability, versions)


def evidence_phrase(found: float, needed: float) -> str:
    """Why a winner on the plain rule is not yet called one in a campaign read every day."""
    return (
        "Because this campaign is read every day, a winner also needs evidence that holds "
        f"however often it is read: the data are {likelihood_ratio(found)} times likelier if it helps "
        f"than if it does nothing, and {likelihood_ratio(needed)} times are needed."
    )


def recipients_to_verdict(
    metric: MetricConfig, uplift: Uplift, current: int, probability: float, versions: int
) -> int | None:
    """More recipients (same split) the look-safe rule likely needs for a verdict; None when
    not even a million times the data would do, if the estimate stays put."""
    factor = information_to_verdict(
        direction(metric) * uplift.uplift_mean,
        uplift.uplift_sd,
        metric.rope,
        float(mixture_scale(metric.rope, uplift.holdout_mean)),
        probability,
        versions,
    )
    return None if factor is None else math.ceil(current * (factor - 1.0))
