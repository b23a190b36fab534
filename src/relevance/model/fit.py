"""Sampling with nutpie's NUTS: one retry with smaller steps after divergences, longer chains
when only the chains' length falls short.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import xarray as xr

from relevance.config import DiagnosticsConfig, SamplerConfig
from relevance.model.design import Design
from relevance.model.diagnostics import Diagnostics, diagnose
from relevance.model.means import cell_means
from relevance.model.quick_import import without_stack_walks
from relevance.model.stored import compiled_model

with without_stack_walks():  # ArviZ's import walks the call stack: a second per report
    import nutpie


@dataclass
class Fit:
    """A fitted model: the ArviZ posterior, its diagnostics and where the time went."""

    design: Design
    posterior: xr.DataTree
    diagnostics: Diagnostics
    seconds: dict[str, float] = field(default_factory=dict)

    def parameter_draws(self) -> dict[str, np.ndarray]:
        """Every sampled vector as (sample, dim), chains concatenated."""
        return flat_draws(self.posterior)

    def mean_draws(self) -> dict[str, np.ndarray]:
        """Expected outcome per recipient per metric: (sample, arm, combination)."""
        return cell_means(self.design, self.parameter_draws())


def flat_draws(posterior: xr.DataTree) -> dict[str, np.ndarray]:
    """Every sampled vector of a posterior as (sample, dim), chains concatenated."""
    result = {}
    for name, values in posterior.posterior.data_vars.items():
        array = np.asarray(values.values)
        result[str(name)] = array.reshape(array.shape[0] * array.shape[1], -1)
    return result


RETRY_TARGET_ACCEPT = 0.99


def sample(compiled: object, sampler: SamplerConfig, target_accept: float) -> xr.DataTree:
    """Draw from a compiled nutpie model (two chains run on two cores, no progress bar)."""
    logging.getLogger("nutpie").setLevel(logging.WARNING)
    posterior = nutpie.sample(
        compiled,
        draws=sampler.draws,
        tune=sampler.tune,
        chains=sampler.chains,
        seed=sampler.seed,
        progress_bar=False,
        cores=min(sampler.chains, 2),
        target_accept=target_accept,
    )
    # nutpie answers Ctrl-C by returning the draws made so far: never a result, stop here.
    if posterior.posterior.sizes.get("draw", 0) < sampler.draws:
        raise KeyboardInterrupt
    return posterior


MAX_DRAWS_FACTOR = 4


def fit(d: Design, sampler: SamplerConfig, thresholds: DiagnosticsConfig) -> Fit:
    """Sample the joint model of all metrics and check convergence.

    Divergent transitions (the sampler's step was too coarse for the posterior's curvature,
    typically where a segment scale meets strong data) trigger one refit with smaller steps
    (target_accept 0.99) before the numbers are judged. Chains that merely are too short for
    the thresholds (too few effective draws, or r_hat just above its limit, without
    divergences) are sampled once more with enough draws for the ESS seen (at most four times
    the configured draws, same seed). The diagnostics say what was done.
    """
    compiled, compile_seconds, _ = compiled_model(d)
    started = time.perf_counter()
    posterior, diagnostics = sample_until_judged(
        compiled,
        sampler,
        thresholds,
        lambda posterior, settings: diagnose(posterior, d, settings, thresholds),
    )
    sample_seconds = time.perf_counter() - started
    return Fit(d, posterior, diagnostics, {"compile": compile_seconds, "sample": sample_seconds})


def sample_until_judged(
    compiled: object,
    sampler: SamplerConfig,
    thresholds: DiagnosticsConfig,
    judge: Callable[[xr.DataTree, SamplerConfig], Diagnostics],
) -> tuple[xr.DataTree, Diagnostics]:
    """Sample, judge convergence with `judge`, retry once with smaller steps after
    divergences, and once longer when only the chains' length falls short (see :func:`fit`).
    Any compiled nutpie model can be sampled this way (the campaign's and the surveys')."""

    def attempt(settings: SamplerConfig, target_accept: float) -> tuple[xr.DataTree, Diagnostics]:
        """Sample and judge; divergences get one refit with smaller steps."""
        posterior = sample(compiled, settings, target_accept)
        diagnostics = judge(posterior, settings)
        if (
            diagnostics.divergences > thresholds.max_divergences
            and target_accept < RETRY_TARGET_ACCEPT
        ):
            return attempt(settings, RETRY_TARGET_ACCEPT)
        return posterior, replace(diagnostics, target_accept=target_accept)

    posterior, diagnostics = attempt(sampler, sampler.target_accept)
    longer = longer_sampler(diagnostics, sampler, thresholds)
    if longer is not None:
        posterior, diagnostics = attempt(longer, diagnostics.target_accept)
    return posterior, diagnostics


def longer_sampler(
    diagnostics: Diagnostics, sampler: SamplerConfig, thresholds: DiagnosticsConfig
) -> SamplerConfig | None:
    """Settings with more draws when only the chains' length falls short, else None.

    ESS grows about linearly with draws, so the draws are scaled by the shortfall with a 30%
    margin (at least 1.5 times), rounded up to a hundred and capped at ``MAX_DRAWS_FACTOR`` times the configured
    number. Divergences are not cured by longer chains, so they never extend.
    """
    if diagnostics.reliable or diagnostics.divergences > thresholds.max_divergences:
        return None
    ess = min(diagnostics.min_ess_bulk, diagnostics.min_ess_tail)
    factor = 1.3 * thresholds.min_ess / ess if ess > 0 else MAX_DRAWS_FACTOR
    factor = min(max(factor, 1.5), MAX_DRAWS_FACTOR)  # at least half as many again
    draws = min(int(np.ceil(sampler.draws * factor / 100) * 100), MAX_DRAWS_FACTOR * sampler.draws)
    return sampler.model_copy(update={"draws": draws})
