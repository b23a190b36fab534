"""The PyMC graph and cell means: hand-made parameter values, no sampling."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytest
from scipy import special, stats

from relevance.config import MetricConfig, PriorConfig
from relevance.io.cells import Cells
from relevance.model.build import build_model
from relevance.model.design import Design, design, sum_to_zero_basis
from relevance.model.layout import layout
from relevance.model.means import cell_means

PURCHASE = MetricConfig(name="purchase", kind="binary", column="purchased", rope=0.001)
REVENUE = MetricConfig(name="revenue", kind="revenue", column="spend", rope=0.01)
PRIORS = PriorConfig(baseline_segment_sd=1.3)
SAMPLES = 5


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def binary_design(arms: tuple[str, ...]) -> Design:
    """One binary metric, no segments."""
    frame = pd.DataFrame(
        {"arm": list(arms), "n": 100, "purchase__n": 100, "purchase__ones": range(1, len(arms) + 1)}
    )
    cells = Cells.from_frame(frame, arms, (), (PURCHASE,))
    return design(layout(cells), (PURCHASE,), PRIORS)


def tier_campaign(rng: np.random.Generator) -> tuple[Design, dict[tuple[str, str], np.ndarray]]:
    """Two arms x two tiers, a purchase and a revenue metric; also each cell's amounts."""
    rows, logs = [], {}
    for arm, tier in itertools.product(("holdout", "A"), ("gold", "silver")):
        n = int(rng.integers(40, 60))
        buyers = int(rng.integers(3, 8))
        log_amounts = rng.normal(3.0, 0.6, buyers)
        logs[arm, tier] = np.exp(log_amounts)
        rows.append(
            {
                "arm": arm,
                "tier": tier,
                "n": n,
                "purchase__n": n,
                "purchase__ones": int(rng.integers(1, 10)),
                "revenue__n": n,
                "revenue__buyers": buyers,
                "revenue__sum": float(np.exp(log_amounts).sum()),
                "revenue__sum_log": float(log_amounts.sum()),
                "revenue__sum_log_sq": float((log_amounts**2).sum()),
                "revenue__sum_sq": float((np.exp(log_amounts) ** 2).sum()),
            }
        )
    cells = Cells.from_frame(pd.DataFrame(rows), ("holdout", "A"), ("tier",), (PURCHASE, REVENUE))
    return design(layout(cells), (PURCHASE, REVENUE), PRIORS), logs


def tier_draws(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Flattened draws (sample, dim) of every sampled vector of the tier campaign's model."""
    return {
        "rate_holdout": rng.normal(-2.0, 0.5, (SAMPLES, 2)),
        "rate_versions": rng.normal(-1.8, 0.5, (SAMPLES, 2)),
        "rate_raw": rng.normal(0.0, 1.0, (SAMPLES, 4)),
        "segment_scale": rng.uniform(0.1, 0.9, (SAMPLES, 2)),
        "amount_holdout": rng.normal(0.0, 0.3, (SAMPLES, 1)),
        "amount_versions": rng.normal(0.1, 0.3, (SAMPLES, 1)),
        "amount_raw": rng.normal(0.0, 1.0, (SAMPLES, 1)),
    }


def hand_cells(d: Design, draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Logits and logs of the buyers' mean amount per (sample, arm, tier), term by term."""
    b = sum_to_zero_basis(2)[d.layout.level_index["tier"], 0]  # contrast of each tier
    sd = PRIORS.baseline_segment_sd
    levels = {
        "purchase": np.column_stack([draws["rate_holdout"][:, 0], draws["rate_versions"][:, 0]]),
        "revenue": np.column_stack([draws["rate_holdout"][:, 1], draws["rate_versions"][:, 1]]),
    }
    out = {}
    for i, metric in enumerate(("purchase", "revenue")):
        raw, scale = draws["rate_raw"][:, 2 * i : 2 * i + 2], draws["segment_scale"][:, i]
        eta = np.empty((SAMPLES, 2, 2))
        for arm, tier in itertools.product(range(2), range(2)):
            eta[:, arm, tier] = (
                levels[metric][:, arm]
                + b[tier] * raw[:, 0] * sd
                + (arm == 1) * b[tier] * raw[:, 1] * scale
            )
        out[f"{metric}_eta"] = eta
    amount_levels = np.column_stack([draws["amount_holdout"][:, 0], draws["amount_versions"][:, 0]])
    mu = np.empty((SAMPLES, 2, 2))
    for arm, tier in itertools.product(range(2), range(2)):
        mu[:, arm, tier] = (
            d.amount_centre[0] + amount_levels[:, arm] + b[tier] * draws["amount_raw"][:, 0] * sd
        )
    out["mu"] = mu
    return out


def test_binary_cell_means_are_the_sigmoid_of_each_arms_level(rng: np.random.Generator) -> None:
    d = binary_design(("holdout", "A", "B"))
    holdout = rng.normal(-2.0, 1.0, (SAMPLES, 1))
    versions = rng.normal(-2.0, 1.0, (SAMPLES, 2))
    means = cell_means(d, {"rate_holdout": holdout, "rate_versions": versions})
    assert set(means) == {"purchase"}
    assert means["purchase"].shape == (SAMPLES, 3, 1)
    expected = sigmoid(np.column_stack([holdout, versions]))
    np.testing.assert_allclose(means["purchase"][:, :, 0], expected, rtol=1e-12)


def test_sigmoid_is_stable_at_extreme_levels() -> None:
    d = binary_design(("holdout", "A"))
    means = cell_means(
        d, {"rate_holdout": np.array([[-800.0]]), "rate_versions": np.array([[800.0]])}
    )
    np.testing.assert_array_equal(means["purchase"][0, :, 0], [0.0, 1.0])


def test_cell_means_with_segments_and_revenue(rng: np.random.Generator) -> None:
    d, _ = tier_campaign(rng)
    draws = tier_draws(rng)
    hand = hand_cells(d, draws)
    means = cell_means(d, draws)
    assert set(means) == {"purchase", "revenue"}
    np.testing.assert_allclose(means["purchase"], sigmoid(hand["purchase_eta"]), rtol=1e-10)
    # Revenue per recipient: P(buy) x the buyers' mean amount exp(mu).
    expected = sigmoid(hand["revenue_eta"]) * np.exp(hand["mu"])
    np.testing.assert_allclose(means["revenue"], expected, rtol=1e-10)


def test_amount_centre_is_the_log_mean_amount_of_all_buyers(rng: np.random.Generator) -> None:
    d, amounts = tier_campaign(rng)
    every = np.concatenate(list(amounts.values()))
    np.testing.assert_allclose(d.amount_centre, np.log(every.mean()))


def test_a_binary_model_without_segments_has_every_part_empty_but_its_levels() -> None:
    """One graph serves every campaign: the parts a design does not use are present with
    size zero (they add nothing to the log-density and are left out of the draws)."""
    model = build_model(binary_design(("holdout", "A", "B")))
    assert isinstance(model, pm.Model)
    assert [p.name for p in model.potentials] == ["rate_loglik", "amount_loglik"]
    shapes = {name: value.shape for name, value in model.initial_point().items()}
    assert shapes == {
        "rate_holdout": (1,),
        "rate_versions": (1, 2),
        "rate_raw": (0,),
        "segment_scale_log__": (0,),
        "amount_holdout": (0,),
        "amount_versions": (0, 2),
        "amount_raw": (0,),
    }


def test_free_variables_of_a_model_with_segments_and_revenue(rng: np.random.Generator) -> None:
    d, _ = tier_campaign(rng)
    model = build_model(d)
    assert [v.name for v in model.free_RVs] == [
        "rate_holdout",
        "rate_versions",
        "rate_raw",
        "segment_scale",
        "amount_holdout",
        "amount_versions",
        "amount_raw",
    ]
    assert [p.name for p in model.potentials] == ["rate_loglik", "amount_loglik"]
    shapes = {name: value.shape for name, value in model.initial_point().items()}
    assert shapes == {
        "rate_holdout": (2,),
        "rate_versions": (2, 1),
        "rate_raw": (4,),
        "segment_scale_log__": (2,),
        "amount_holdout": (1,),
        "amount_versions": (1, 1),
        "amount_raw": (1,),
    }
    assert set(d.data()) <= {v.name for v in model.data_vars}


def test_likelihoods_match_binomial_and_quasi_likelihood_on_the_raw_amounts(
    rng: np.random.Generator,
) -> None:
    """The sufficient-statistic potentials equal the log-likelihoods written on the raw data
    at the same parameter values: binomial without its constant (scipy), and each buyer's
    amount y in the quasi-likelihood (y log m - m) / dispersion, the dispersion being the
    arm's pooled within-cell variance over its mean amount (up to a constant in m)."""
    d, logs = tier_campaign(rng)
    draws = {name: values[:1] for name, values in tier_draws(rng).items()}
    hand = hand_cells(d, draws)
    model = build_model(d)
    outputs = model.replace_rvs_by_values([model["rate_loglik"], model["amount_loglik"]])
    evaluate = pytensor.function(
        model.value_vars, outputs, mode="FAST_COMPILE", on_unused_input="ignore"
    )
    point = {
        "rate_holdout": draws["rate_holdout"][0],
        "rate_versions": draws["rate_versions"][0].reshape(2, 1),
        "rate_raw": draws["rate_raw"][0],
        "segment_scale_log__": np.log(draws["segment_scale"][0]),
        "amount_holdout": draws["amount_holdout"][0],
        "amount_versions": draws["amount_versions"][0].reshape(1, 1),
        "amount_raw": draws["amount_raw"][0],
    }
    rate_loglik, amount_loglik = (float(v) for v in evaluate(**point))

    lay = d.layout
    expected_rate = 0.0
    for metric in ("purchase", "revenue"):
        statistic = lay.stats[metric]
        p = sigmoid(hand[f"{metric}_eta"][0])
        log_choose = np.log(special.comb(statistic.n, statistic.events))
        expected_rate += float(
            (stats.binom.logpmf(statistic.events, statistic.n, p) - log_choose).sum()
        )
    assert rate_loglik == pytest.approx(expected_rate, rel=1e-9)

    expected_amount = 0.0
    scale = np.exp(d.amount_centre[0])
    for arm in lay.arms:
        cells = [values for (a, _), values in logs.items() if a == arm]
        within = sum(((v - v.mean()) ** 2).sum() for v in cells)
        spare = sum(v.size - 1 for v in cells)
        dispersion = within / spare / np.concatenate(cells).mean()
        for (a, tier), values in logs.items():
            if a != arm:
                continue
            mu = hand["mu"][0, lay.arms.index(arm), list(lay.grid["tier"]).index(tier)]
            # In units of the metric's mean amount, as the model takes them.
            expected_amount += float(
                ((values / scale) * (mu - np.log(scale)) - np.exp(mu) / scale).sum()
                / (dispersion / scale)
            )
    assert amount_loglik == pytest.approx(expected_amount, rel=1e-9)
