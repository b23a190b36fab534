"""Simulated campaigns as cells, with known truth: the calibration suite's and tests' oracle.

Each campaign is drawn cell by cell (recipients per arm x stratum, buyers, the buyers'
amounts), so hundreds of campaigns cost seconds, and its true population-average uplift per
version (overall and per level of the first segment column) is computed from the generating
probabilities and the amount family's exact mean.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class AmountFamily:
    """Amounts among buyers: a draw at a scale (the version's effect multiplies amounts) and
    the exact mean at that scale."""

    name: str
    draw: Callable[[np.random.Generator, int, float], np.ndarray]
    mean: Callable[[float], float]


LOG_MEAN, LOG_SD = math.log(60.0), 1.0
GAMMA_SHAPE, GAMMA_SCALE = 0.7, 90.0
CAPPED_LOG_MEAN, CAPPED_LOG_SD, FLOOR, CAP = math.log(90.0), 0.8, 30.0, 499.0
PARETO_ALPHA, PARETO_MINIMUM = 2.5, 30.0


def _capped_mean(scale: float) -> float:
    """Mean of a log-normal clipped to [FLOOR, CAP] (Hillstrom-like spend)."""
    mu, s = CAPPED_LOG_MEAN + math.log(scale), CAPPED_LOG_SD
    low, high = (math.log(FLOOR) - mu) / s, (math.log(CAP) - mu) / s
    middle = math.exp(mu + s**2 / 2) * (stats.norm.cdf(high - s) - stats.norm.cdf(low - s))
    return FLOOR * stats.norm.cdf(low) + CAP * stats.norm.sf(high) + middle


AMOUNT_FAMILIES: dict[str, AmountFamily] = {
    "lognormal": AmountFamily(
        "lognormal",
        lambda rng, size, scale: scale * rng.lognormal(LOG_MEAN, LOG_SD, size),
        lambda scale: scale * math.exp(LOG_MEAN + LOG_SD**2 / 2),
    ),
    "gamma": AmountFamily(
        "gamma",
        lambda rng, size, scale: scale * rng.gamma(GAMMA_SHAPE, GAMMA_SCALE, size),
        lambda scale: scale * GAMMA_SHAPE * GAMMA_SCALE,
    ),
    "capped": AmountFamily(
        "capped",
        lambda rng, size, scale: np.clip(
            scale * rng.lognormal(CAPPED_LOG_MEAN, CAPPED_LOG_SD, size), FLOOR, CAP
        ),
        _capped_mean,
    ),
    "pareto": AmountFamily(
        "pareto",
        lambda rng, size, scale: scale * PARETO_MINIMUM * (1.0 + rng.pareto(PARETO_ALPHA, size)),
        lambda scale: scale * PARETO_ALPHA * PARETO_MINIMUM / (PARETO_ALPHA - 1.0),
    ),
}


@dataclass(frozen=True)
class Scenario:
    """One family of simulated campaigns: arms, strata, effects and the outcome's kind.

    Effects are per version on the logit of the outcome (binary) or of buying (revenue);
    `amount_effects` multiply the amounts of a version's buyers. Each campaign draws its own
    segment baselines and segment deviations of the effects (scale `effect_spread`); an
    ordered (fatigue) column lowers the effect by `fatigue_step` per level; an adjust column
    (deciles of a pre-period covariate) moves the baseline logit by up to ±`adjust_strength`
    and, for revenue, scales the amounts by up to ``exp(±adjust_amount_strength)``.
    """

    name: str
    kind: str = "binary"  # or "revenue"
    recipients: int = 60_000
    shares: tuple[float, ...] = (0.2, 0.4, 0.4)  # holdout first
    base_rate: float = 0.04
    effects: tuple[float, ...] = (0.0, 0.0)  # logit effect per version
    amounts: str = "lognormal"
    amount_effects: tuple[float, ...] = (1.0, 1.0)
    segment_levels: int = 4
    baseline_spread: float = 0.4
    effect_spread: float = 0.1
    fatigue_levels: int = 0
    fatigue_step: float = 0.1
    adjust_levels: int = 0
    adjust_strength: float = 1.2
    adjust_amount_strength: float = 0.0  # the covariate also scales amounts by up to e^±this
    rope: float = 0.001
    columns: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        columns = ["segment"]
        if self.fatigue_levels:
            columns.append("fatigue")
        if self.adjust_levels:
            columns.append("history")
        object.__setattr__(self, "columns", tuple(columns))

    @property
    def arms(self) -> tuple[str, ...]:
        """Holdout first, then versions A, B, ..."""
        return ("holdout", *"ABCDEFG"[: len(self.effects)])

    @property
    def metric(self) -> str:
        """The metric's name in the cells: purchase (binary) or revenue."""
        return "purchase" if self.kind == "binary" else "revenue"


@dataclass(frozen=True)
class Campaign:
    """A simulated campaign's cells and its true uplifts (per recipient)."""

    cells: pd.DataFrame
    truth: dict[str, float]  # per version, overall
    segment_truth: dict[tuple[str, str], float]  # (version, segment level)


def _levels(count: int) -> list[str]:
    return [str(i) for i in range(count)]


def simulate(scenario: Scenario, rng: np.random.Generator) -> Campaign:
    """One campaign of `scenario`: cells with sufficient statistics and the true uplifts."""
    strata_levels = [_levels(scenario.segment_levels)]
    if scenario.fatigue_levels:
        strata_levels.append(_levels(scenario.fatigue_levels))
    if scenario.adjust_levels:
        strata_levels.append([f"bucket {i + 1:02d}" for i in range(scenario.adjust_levels)])
    strata = list(itertools.product(*strata_levels))
    segment_mix = rng.dirichlet(np.full(scenario.segment_levels, 4.0))
    mix = np.array([segment_mix[int(s[0])] for s in strata])
    mix = mix / mix.sum()
    baseline = rng.normal(0.0, scenario.baseline_spread, scenario.segment_levels)
    deviation = rng.normal(
        0.0, scenario.effect_spread, (len(scenario.effects), scenario.segment_levels)
    )
    family = AMOUNT_FAMILIES[scenario.amounts]
    base_logit = math.log(scenario.base_rate / (1 - scenario.base_rate))

    def position(stratum: tuple[str, ...]) -> float:
        """Where the stratum's adjust bucket sits, from -1 (lowest) to +1 (highest)."""
        if not scenario.adjust_levels:
            return 0.0
        bucket = int(stratum[-1].split()[-1]) - 1
        return 2 * bucket / (scenario.adjust_levels - 1) - 1

    def logit(stratum: tuple[str, ...], arm: int) -> float:
        value = base_logit + baseline[int(stratum[0])]
        level = int(stratum[1]) if scenario.fatigue_levels else 0
        value -= 0.2 * level
        value += scenario.adjust_strength * position(stratum)
        if arm:
            effect = scenario.effects[arm - 1]
            if effect != 0.0:  # an exact null stays exactly null in every stratum
                effect += deviation[arm - 1, int(stratum[0])] - scenario.fatigue_step * level
            value += effect
        return value

    rows, expected = [], np.zeros((len(scenario.arms), len(strata)))
    for a, arm in enumerate(scenario.arms):
        sizes = rng.multinomial(round(scenario.recipients * scenario.shares[a]), mix)
        effect = 1.0 if a == 0 else scenario.amount_effects[a - 1]
        for j, stratum in enumerate(strata):
            scale = effect * math.exp(scenario.adjust_amount_strength * position(stratum))
            p = 1.0 / (1.0 + math.exp(-logit(stratum, a)))
            n = int(sizes[j])
            ones = int(rng.binomial(n, p))
            row = {"arm": arm, **dict(zip(scenario.columns, stratum, strict=True)), "n": n}
            if scenario.kind == "binary":
                row |= {"purchase__n": n, "purchase__ones": ones}
                expected[a, j] = p
            else:
                amounts = family.draw(rng, ones, scale)
                logs = np.log(amounts)
                row |= {
                    "revenue__n": n,
                    "revenue__buyers": ones,
                    "revenue__sum": float(amounts.sum()),
                    "revenue__sum_log": float(logs.sum()),
                    "revenue__sum_log_sq": float((logs**2).sum()),
                    "revenue__sum_sq": float((amounts**2).sum()),
                }
                expected[a, j] = p * family.mean(scale)
            rows.append(row)
    truth = {v: float((expected[k] - expected[0]) @ mix) for k, v in enumerate(scenario.arms) if k}
    segment_truth = {}
    for level in strata_levels[0]:
        inside = np.array([s[0] == level for s in strata])
        weights = np.where(inside, mix, 0.0) / mix[inside].sum()
        for k, version in enumerate(scenario.arms[1:], start=1):
            segment_truth[(version, level)] = float((expected[k] - expected[0]) @ weights)
    return Campaign(pd.DataFrame(rows), truth, segment_truth)
