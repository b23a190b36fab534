"""Convergence on synthetic chains: r_hat, ESS and divergences against the thresholds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from relevance.config import DiagnosticsConfig, SamplerConfig
from relevance.model.diagnostics import Diagnostics, convergence

THRESHOLDS = DiagnosticsConfig(max_r_hat=1.01, min_ess=400, max_divergences=0)
LABELS = {
    "purchase": ("purchase: holdout / all", "purchase: A / all", "purchase: B / all"),
    "rate_holdout": ("purchase: holdout level",),
}


def sampler(chains: int = 2, draws: int = 1000) -> SamplerConfig:
    return SamplerConfig(chains=chains, draws=draws, tune=500, seed=3)


def chains(
    rng: np.random.Generator,
    n_chains: int = 2,
    draws: int = 1000,
    shift: dict[tuple[str, int], float] | None = None,
) -> xr.Dataset:
    """Independent normal draws (well mixed); `shift` moves one element's last chain."""
    purchase = rng.normal(0.05, 0.01, (n_chains, draws, 3))
    level = rng.normal(-3.0, 0.2, (n_chains, draws, 1))
    values = {"purchase": purchase, "rate_holdout": level}
    for (name, element), amount in (shift or {}).items():
        values[name][-1, :, element] += amount
    return xr.Dataset(
        {
            "purchase": xr.DataArray(purchase, dims=("chain", "draw", "purchase_cell")),
            "rate_holdout": xr.DataArray(level, dims=("chain", "draw", "rate_holdout_dim")),
        }
    )


def split_r_hat(x: np.ndarray) -> float:
    """Classic split r_hat (Gelman et al.) of (chain, draw) draws, by hand."""
    half = x.shape[1] // 2
    split = np.concatenate([x[:, :half], x[:, half : 2 * half]])
    within = split.var(axis=1, ddof=1).mean()
    between = half * split.mean(axis=1).var(ddof=1)
    pooled = (half - 1) / half * within + between / half
    return float(np.sqrt(pooled / within))


def test_well_mixed_chains_are_reliable(rng: np.random.Generator) -> None:
    result = convergence(chains(rng), LABELS, 0, sampler(), THRESHOLDS)
    assert result.reliable
    assert result.problems == []
    assert result.max_r_hat <= 1.01
    # 2 x 1000 independent draws: about 2000 effective draws, bulk and tail.
    assert 1500 < result.min_ess_bulk <= 2600
    assert 1200 < result.min_ess_tail <= 2600
    assert (result.draws, result.chains, result.divergences) == (1000, 2, 0)
    assert result.thresholds == THRESHOLDS


def test_shifted_chain_is_flagged_with_r_hat_and_the_worst_label(
    rng: np.random.Generator,
) -> None:
    quantities = chains(rng, shift={("purchase", 1): 0.01, ("rate_holdout", 0): 0.05})
    result = convergence(quantities, LABELS, 0, sampler(), THRESHOLDS)
    assert not result.reliable
    # A shift of one posterior sd in one of two chains: the worst of every quantity.
    expected = split_r_hat(quantities["purchase"].values[:, :, 1])
    assert expected > 1.05
    assert result.max_r_hat == pytest.approx(expected, rel=0.01)
    assert result.worst_parameter == "purchase: A / all"
    # Chains that disagree also give few effective draws of that quantity.
    ess = min(result.min_ess_bulk, result.min_ess_tail)
    assert ess < 400
    assert result.problems == [
        f"chains disagree (r_hat {result.max_r_hat:.3f} > 1.01 for purchase: A / all)",
        f"too few effective draws (ESS {ess:.0f} < 400)",
    ]


def test_worst_parameter_without_a_label_is_named_by_position(
    rng: np.random.Generator,
) -> None:
    quantities = chains(rng, shift={("rate_holdout", 0): 0.5})
    result = convergence(quantities, {"purchase": LABELS["purchase"]}, 0, sampler(), THRESHOLDS)
    assert result.worst_parameter == "rate_holdout[0]"
    # Two and a half posterior sds apart: far beyond the threshold (rank-normalised r_hat
    # is below the classic one when chains barely overlap).
    assert 1.3 < result.max_r_hat <= split_r_hat(quantities["rate_holdout"].values[:, :, 0])


def test_few_draws_are_flagged_for_ess(rng: np.random.Generator) -> None:
    thresholds = DiagnosticsConfig(max_r_hat=1.5, min_ess=400, max_divergences=0)
    result = convergence(chains(rng, draws=60), LABELS, 0, sampler(draws=60), thresholds)
    ess = min(result.min_ess_bulk, result.min_ess_tail)
    assert ess < 200  # 120 independent draws in all
    assert not result.reliable
    assert result.problems == [f"too few effective draws (ESS {int(ess)} < 400)"]  # rounded down


def test_divergences_give_their_own_sentence(rng: np.random.Generator) -> None:
    result = convergence(chains(rng), LABELS, 3, sampler(), THRESHOLDS)
    assert result.divergences == 3
    assert result.problems == ["3 divergent transitions"]
    assert not result.reliable
    tolerant = DiagnosticsConfig(max_r_hat=1.01, min_ess=400, max_divergences=3)
    assert convergence(chains(rng), LABELS, 3, sampler(), tolerant).reliable


@pytest.mark.filterwarnings("ignore:All-NaN slice encountered:RuntimeWarning")
def test_single_chain_has_no_r_hat_and_no_r_hat_problem(rng: np.random.Generator) -> None:
    quantities = chains(rng, n_chains=1, shift={("purchase", 1): 0.05})
    result = convergence(quantities, LABELS, 0, sampler(chains=1), THRESHOLDS)
    assert math.isnan(result.max_r_hat)
    assert result.chains == 1
    assert not any("r_hat" in problem for problem in result.problems)
    assert result.reliable  # 1000 independent draws: ESS about 1000


def diagnostics(r_hat: float, ess: float, divergences: int = 0, chains: int = 2) -> Diagnostics:
    return Diagnostics(
        max_r_hat=r_hat,
        min_ess_bulk=ess,
        min_ess_tail=ess,
        divergences=divergences,
        draws=1000,
        chains=chains,
        thresholds=THRESHOLDS,
        worst_parameter="x",
    )


def test_thresholds_are_inclusive_and_nan_r_hat_of_several_chains_is_a_problem() -> None:
    assert diagnostics(r_hat=1.01, ess=400).reliable
    assert diagnostics(r_hat=1.0101, ess=400).problems == [
        "chains disagree (r_hat 1.010 > 1.01 for x)"
    ]
    assert diagnostics(r_hat=1.0, ess=399.0).problems == ["too few effective draws (ESS 399 < 400)"]
    assert not diagnostics(r_hat=float("nan"), ess=1000).reliable
    assert diagnostics(r_hat=float("nan"), ess=1000, chains=1).reliable
    assert len(diagnostics(r_hat=1.5, ess=10, divergences=1).problems) == 3
