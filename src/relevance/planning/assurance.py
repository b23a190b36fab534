"""Assurance: the chance that a holdout of a given size ends with a clear verdict.

Simulated with the exact conjugate posterior Beta(1 + s, 1 + n - s) per arm and the same ROPE
rule as the report; :func:`assurance_normal` is the analytic normal approximation, an
independent check. Rates and uplifts are absolute per recipient.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from relevance.config import DEFAULT_SEED

if TYPE_CHECKING:
    pass


NORMAL = NormalDist()  # standard normal (stdlib: keeps the import light, no scipy.stats)


# Posterior draws held in memory at once per arm (float64: 16 MB), bounding memory for any size.
CHUNK_DRAWS = 2_000_000


# Two-stage posterior sampling: experiments within SCREEN_Z Monte Carlo standard errors of the
# threshold after the first quarter of the draws get the rest (needs >= 4 x SCREEN_MIN_DRAWS).
SCREEN_Z = 5.0
SCREEN_MIN_DRAWS = 100


class Assurance(BaseModel):
    """Chances of each verdict for one holdout size, when the true uplift is the expected one."""

    model_config = ConfigDict(frozen=True)

    assurance: float = Field(description="P(conclusive verdict) = P(beats + irrelevant + harmful)")
    p_beats: float
    p_irrelevant: float
    p_harmful: float
    p_inconclusive: float
    posterior_sd: float = Field(description="expected posterior sd of the uplift, per recipient")
    mc_error: float = Field(0.0, description="Monte Carlo standard error of the assurance")


def _verdict_shares(
    p_better: np.ndarray, p_worse: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean (harmful, beats, irrelevant) per experiment: decision.rope_verdict, vectorised."""
    p_inside = 1.0 - p_better - p_worse  # exactly as relevance.decision.summarise_uplift
    harmful = p_worse >= threshold
    beats = ~harmful & (p_better >= threshold)
    irrelevant = ~harmful & ~beats & (p_inside >= threshold)
    return harmful, beats, irrelevant


def _rope_counts(
    rng: np.random.Generator, alpha: np.ndarray, beta: np.ndarray, rope: float, draws: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per experiment, how many of `draws` exact Beta posterior draws of the uplift fall above
    +rope and below -rope; alpha and beta are (experiment, arm) with the holdout first."""
    better = np.empty(len(alpha), dtype=np.int64)
    worse = np.empty(len(alpha), dtype=np.int64)
    chunk = max(1, CHUNK_DRAWS // draws)
    for start in range(0, len(alpha), chunk):
        part = slice(start, min(start + chunk, len(alpha)))
        shape = (part.stop - part.start, draws)
        control = rng.beta(alpha[part, :1], beta[part, :1], size=shape)
        treated = rng.beta(alpha[part, 1:], beta[part, 1:], size=shape)
        delta = treated - control
        better[part] = np.count_nonzero(delta > rope, axis=1)
        worse[part] = np.count_nonzero(delta < -rope, axis=1)
    return better, worse


def _undecided(
    p_better: np.ndarray, p_worse: np.ndarray, threshold: float, draws: int
) -> np.ndarray:
    """Experiments whose ROPE probabilities, estimated from `draws` draws, are within
    SCREEN_Z Monte Carlo standard errors of the threshold: only these need more draws."""
    near = np.zeros(len(p_better), dtype=bool)
    for p in (p_better, p_worse, 1.0 - p_better - p_worse):
        se = np.sqrt((p * (1 - p) + 1 / draws) / draws)
        near |= np.abs(p - threshold) <= SCREEN_Z * se
    return near


def assurance(
    *,
    baseline_rate: float,
    expected_uplift: float,
    rope: float,
    holdout: int,
    version: int,
    probability: float = 0.95,
    simulations: int = 2000,
    posterior_draws: int = 1000,
    seed: int = DEFAULT_SEED,
) -> Assurance:
    """Simulated chances of each verdict for a holdout of `holdout` and a version of `version`.

    Each simulated experiment draws binomial conversions per arm at the true rates (baseline and
    baseline + expected_uplift), then `posterior_draws` exact Beta(1 + s, 1 + n - s) draws per
    arm; the verdict follows the ROPE rule of :func:`relevance.decision.rope_verdict`.
    For speed the draws come in two stages: a quarter first, and the rest only for experiments
    whose ROPE probabilities are then within 5 Monte Carlo standard errors of the threshold
    (the others' verdicts cannot realistically change).
    """
    rng = np.random.default_rng(seed)
    rates = np.array([baseline_rate, baseline_rate + expected_uplift])
    sizes = np.array([holdout, version])
    successes = rng.binomial(sizes, rates, size=(simulations, 2))
    alpha = 1.0 + successes
    beta = 1.0 + sizes - successes
    first = posterior_draws // 4 if posterior_draws >= 4 * SCREEN_MIN_DRAWS else posterior_draws
    better, worse = _rope_counts(rng, alpha, beta, rope, first)
    p_better, p_worse = better / first, worse / first
    more = _undecided(p_better, p_worse, probability, first)
    if first < posterior_draws and more.any():
        extra_better, extra_worse = _rope_counts(
            rng, alpha[more], beta[more], rope, posterior_draws - first
        )
        p_better[more] = (better[more] + extra_better) / posterior_draws
        p_worse[more] = (worse[more] + extra_worse) / posterior_draws
    harmful, beats, irrelevant = _verdict_shares(p_better, p_worse, probability)
    total = alpha + beta
    variance = alpha * beta / (total**2 * (total + 1))  # exact Beta posterior variance per arm
    conclusive = float(np.mean(harmful | beats | irrelevant))
    return Assurance(
        assurance=conclusive,
        p_beats=float(beats.mean()),
        p_irrelevant=float(irrelevant.mean()),
        p_harmful=float(harmful.mean()),
        p_inconclusive=1.0 - conclusive,
        posterior_sd=float(np.sqrt(variance.sum(axis=1)).mean()),
        mc_error=math.sqrt(conclusive * (1 - conclusive) / simulations),
    )


def _irrelevant_half_width(rope: float, sd: float, probability: float) -> float | None:
    """Largest |estimate| whose normal posterior N(estimate, sd²) puts `probability` in the ROPE."""
    if rope <= 0 or sd <= 0:
        return None

    def inside(estimate: float) -> float:
        return NORMAL.cdf((rope - estimate) / sd) - NORMAL.cdf((-rope - estimate) / sd)

    if inside(0.0) < probability:
        return None
    low, high = 0.0, rope  # inside() falls from >= probability at 0 to < 0.5 at rope: bisect
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if inside(middle) >= probability else (low, middle)
    return low


def assurance_normal(
    *,
    baseline_rate: float,
    expected_uplift: float,
    rope: float,
    holdout: int,
    version: int,
    probability: float = 0.95,
) -> Assurance:
    """Analytic assurance under the normal approximation (independent check of :func:`assurance`).

    The estimate of the uplift is N(expected_uplift, sd²) with
    sd = sqrt(p0(1-p0)/n0 + p1(1-p1)/n1), and the posterior is N(estimate, sd²) (flat prior).
    Beats when estimate >= rope + z sd, harmful when estimate <= -rope - z sd
    (z = Phi^-1(probability)), irrelevant when |estimate| <= c with P(|delta| <= rope) = probability.
    """
    p0, p1 = baseline_rate, baseline_rate + expected_uplift
    sd = math.sqrt(p0 * (1 - p0) / holdout + p1 * (1 - p1) / version)
    z = NORMAL.inv_cdf(probability)
    p_beats = float(NORMAL.cdf((expected_uplift - rope) / sd - z))
    p_harmful = float(NORMAL.cdf((-rope - expected_uplift) / sd - z))
    half = _irrelevant_half_width(rope, sd, probability)
    p_irrelevant = (
        0.0
        if half is None
        else float(
            NORMAL.cdf((half - expected_uplift) / sd) - NORMAL.cdf((-half - expected_uplift) / sd)
        )
    )
    conclusive = p_beats + p_harmful + p_irrelevant
    return Assurance(
        assurance=conclusive,
        p_beats=p_beats,
        p_irrelevant=p_irrelevant,
        p_harmful=p_harmful,
        p_inconclusive=1.0 - conclusive,
        posterior_sd=sd,
    )
