"""Portfolio meta-analysis: across campaigns, does the email programme beat sending nothing?

Each campaign's report gives, for every version, the posterior mean and sd of the primary
metric's overall uplift against its own no-send holdout. Each campaign contributes one of
them (the version it sends, else its best version), and those become one "study" each in a
normal-normal random-effects model:

    observed_k ~ Normal(theta_k, sd_k)         sd_k: the campaign's own posterior sd
    theta_k     = mu + tau * z_k,  z_k ~ Normal(0, 1)      (non-centred)
    mu          ~ Normal(0, 10 units),  tau ~ HalfNormal(5 units)

where a unit is the median ROPE of the pooled campaigns (the size of effect the business
calls "practically nothing"), so the priors are weak on the scale that matters. `mu` is the
programme's average uplift against sending nothing, `tau` how much campaigns truly differ, and
`theta_k` each campaign's shrunken estimate. Everything is in the metric's
better-is-positive direction, per recipient; reports show it per 1,000 recipients.

One estimate per campaign keeps the studies independent (versions of one campaign would share
its holdout). A campaign that sends nothing counts with its best version, which flatters it a
little (the best of several noisy estimates is more likely too high than too low). Only
campaigns whose primary metric is the same (name and kind) are pooled: purchases and revenue
are not on one scale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pymc as pm
import xarray as xr

from relevance.config import DEFAULT_SEED, DiagnosticsConfig, SamplerConfig
from relevance.model.diagnostics import Diagnostics, convergence, divergence_count
from relevance.model.fit import RETRY_TARGET_ACCEPT, sample
from relevance.model.stored import compiled_once
from relevance.portfolio.estimates import CampaignEstimate

PRIOR_MU_UNITS = 10.0
PRIOR_TAU_UNITS = 5.0
TARGET_ACCEPT = 0.95


def random_effects_model(observed: np.ndarray, sd: np.ndarray) -> pm.Model:
    """The non-centred normal-normal model in PyMC (data in units, see the module docstring)."""
    with pm.Model() as model:
        y = pm.Data("observed", observed)
        s = pm.Data("sd", sd)
        mu = pm.Normal("mu", 0.0, PRIOR_MU_UNITS)
        tau = pm.HalfNormal("tau", PRIOR_TAU_UNITS)
        z = pm.Normal("z", 0.0, 1.0, shape=len(observed))
        pm.Normal("estimate", mu + tau * z, s, observed=y)
    return model


@dataclass(frozen=True)
class Interval:
    """A posterior summary: mean and central interval."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, draws: np.ndarray, share: float = 0.95, axis: int | None = None) -> Interval:
        """Mean and equal-tailed interval of posterior draws."""
        tail = (1 - share) / 2 * 100
        return cls(
            float(np.mean(draws, axis=axis)),
            float(np.percentile(draws, tail, axis=axis)),
            float(np.percentile(draws, 100 - tail, axis=axis)),
        )


@dataclass
class MetaAnalysis:
    """The fitted random-effects model: posterior draws per recipient, better is positive."""

    estimates: list[CampaignEstimate]
    mu: np.ndarray  # (draws,) programme mean
    tau: np.ndarray  # (draws,) between-campaign sd
    theta: np.ndarray  # (draws, K) each pooled estimate's true uplift
    unit: float  # per recipient: the scale of the priors (median ROPE)
    diagnostics: Diagnostics
    seed: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rope(self) -> float:
        """The programme's region of practical equivalence: the median campaign ROPE."""
        return float(np.median([e.rope for e in self.estimates]))

    def programme(self) -> Interval:
        """The programme's average uplift against sending nothing, per recipient."""
        return Interval.of(self.mu)

    def between(self) -> Interval:
        """How much campaigns truly differ (tau), per recipient."""
        return Interval.of(self.tau)

    def prediction(self) -> np.ndarray:
        """Draws of a new campaign's true uplift: mu + tau * Normal(0, 1)."""
        rng = np.random.default_rng(self.seed)
        return self.mu + self.tau * rng.standard_normal(self.mu.shape)

    def p_programme_beats(self) -> float:
        """Probability that the programme on average beats sending nothing (mu > 0)."""
        return float(np.mean(self.mu > 0))

    def p_programme_beyond_rope(self) -> float:
        """Probability that the programme on average beats sending nothing by more than the ROPE."""
        return float(np.mean(self.mu > self.rope))

    def share_beyond_rope(self) -> Interval:
        """Posterior share of campaigns (one estimate each) truly beyond their own ROPE."""
        ropes = np.array([e.rope for e in self.estimates])
        return Interval.of(np.mean(self.theta > ropes, axis=1))

    def shrunken(self) -> list[tuple[CampaignEstimate, Interval]]:
        """Each pooled estimate with its shrunken (partially pooled) estimate."""
        return [(e, Interval.of(self.theta[:, k])) for k, e in enumerate(self.estimates)]

    def trend(self) -> dict[str, float] | None:
        """Linear trend of the true uplift over the campaigns' dates (sent, else analysed):
        change per 30 days.

        Fitted per posterior draw (least squares of theta on date), so its interval carries
        the uncertainty of every campaign's estimate. None when the dates span under a day
        or fewer than three estimates exist.
        """
        days = self.days()
        if len(days) < 3 or np.ptp(days) < 1:
            return None
        centred = days - days.mean()
        slope = (self.theta * centred).sum(axis=1) / (centred**2).sum() * 30
        summary = Interval.of(slope)
        return {
            "per_30_days_mean": summary.mean,
            "per_30_days_low": summary.low,
            "per_30_days_high": summary.high,
            "p_increasing": float(np.mean(slope > 0)),
            "span_days": float(np.ptp(days)),
        }

    def days(self) -> np.ndarray:
        """Days from the earliest campaign date (sent, else analysed), per estimate."""
        dates = [e.date for e in self.estimates]
        first = min(dates)
        return np.array([(d - first).total_seconds() / 86400 for d in dates])


def fit_meta(
    estimates: list[CampaignEstimate],
    seed: int = DEFAULT_SEED,
    draws: int = 2000,
    tune: int | None = None,
    chains: int = 4,
    thresholds: DiagnosticsConfig | None = None,
) -> MetaAnalysis:
    """Sample the random-effects model over the estimates and judge its convergence.

    Compiled, sampled and diagnosed with the campaign model's own stack
    (:mod:`relevance.model`): compiled once per number of estimates (the data are arguments
    of the compiled code), with the configured diagnostics thresholds. After divergences (a
    few campaigns leave the between-campaign sd poorly known) it samples once more with
    smaller steps, as the campaign model does.
    """
    if len(estimates) < 2:
        raise ValueError("a meta-analysis needs at least two estimates")
    observed = np.array([e.benefit_mean for e in estimates])
    sd = np.array([e.benefit_sd for e in estimates])
    if not np.all(sd > 0):
        raise ValueError("every estimate needs a positive standard deviation")
    ropes = [e.rope for e in estimates if e.rope > 0]
    unit = float(np.median(ropes)) if ropes else float(np.median(sd))
    sampler = SamplerConfig(draws=draws, tune=tune or draws, chains=chains, seed=seed)
    started = time.perf_counter()
    compiled, _ = compiled_once(
        f"portfolio-{len(estimates)}",
        lambda: random_effects_model(np.zeros(len(estimates)), np.ones(len(estimates))),
    )
    model = compiled.nutpie_model({"observed": observed / unit, "sd": sd / unit})
    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    target_accept = TARGET_ACCEPT
    posterior = sample(model, sampler, target_accept)
    if divergence_count(posterior) > 0:  # few campaigns make a funnel: retry with smaller steps
        target_accept = RETRY_TARGET_ACCEPT
        posterior = sample(model, sampler, target_accept)
    sample_seconds = time.perf_counter() - started
    data = posterior.posterior.to_dataset()
    diagnostics = convergence(
        data, {}, divergence_count(posterior), sampler, thresholds or DiagnosticsConfig()
    )
    diagnostics = replace(diagnostics, target_accept=target_accept)
    mu, tau, z = _flat(data, "mu") * unit, _flat(data, "tau") * unit, _flat(data, "z")
    return MetaAnalysis(
        estimates=list(estimates),
        mu=mu,
        tau=tau,
        theta=mu[:, None] + tau[:, None] * z,
        unit=unit,
        diagnostics=diagnostics,
        seed=seed,
        seconds={"compile": round(compile_seconds, 3), "sample": round(sample_seconds, 3)},
    )


def _flat(data: xr.Dataset, name: str) -> np.ndarray:
    """A variable's draws with chains concatenated: (sample, ...)."""
    values = np.asarray(data[name].values, dtype=float)
    return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])
