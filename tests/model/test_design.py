"""Design matrices: bases, block structure, shapes, signatures and data types."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from relevance.config import MetricConfig, PriorConfig
from relevance.io.cells import Cells
from relevance.model.design import (
    GRAPH_PRIORS,
    Block,
    Design,
    design,
    random_walk_basis,
    sum_to_zero_basis,
)
from relevance.model.layout import Layout, layout

PURCHASE = MetricConfig(name="purchase", kind="binary", column="purchased", rope=0.001)
VISIT = MetricConfig(name="visit", kind="binary", column="visited", rope=0.001)
REVENUE = MetricConfig(name="revenue", kind="revenue", column="spend", rope=0.01)
ARMS = ("holdout", "A", "B")
STAGES = ("acquisition", "retention", "reactivation")
EMAILS = ("0", "1")
PRIORS = PriorConfig()


def make_layout(
    rng: np.random.Generator,
    metrics: tuple[MetricConfig, ...],
    arms: tuple[str, ...] = ARMS,
    stages: tuple[str, ...] = STAGES,
    ordered: tuple[str, ...] = (),
) -> Layout:
    """Every arm x stage x emails cell observed, with random counts and sums."""
    rows = list(itertools.product(arms, stages, EMAILS))
    size = len(rows)
    n = rng.integers(200, 400, size)
    frame = pd.DataFrame(rows, columns=["arm", "stage", "emails"]).assign(n=n)
    for metric in metrics:
        frame[f"{metric.name}__n"] = n
        if metric.kind == "binary":
            frame[f"{metric.name}__ones"] = rng.binomial(n, 0.1)
        else:
            buyers = rng.binomial(n, 0.05) + 1
            frame[f"{metric.name}__buyers"] = buyers
            frame[f"{metric.name}__sum"] = buyers * rng.uniform(20, 40, size)
            frame[f"{metric.name}__sum_log"] = buyers * rng.uniform(3.0, 3.5, size)
            frame[f"{metric.name}__sum_log_sq"] = buyers * rng.uniform(10.0, 12.0, size)
            frame[f"{metric.name}__sum_sq"] = frame[f"{metric.name}__sum"] ** 2 / buyers * 1.5
    cells = Cells.from_frame(frame, arms, ("stage", "emails"), metrics)
    return layout(cells, ordered=ordered)


@pytest.mark.parametrize("levels", [2, 3, 4, 7])
def test_sum_to_zero_basis_is_orthonormal_and_sums_to_zero(levels: int) -> None:
    basis = sum_to_zero_basis(levels)
    assert basis.shape == (levels, levels - 1)
    np.testing.assert_allclose(basis.T @ basis, np.eye(levels - 1), atol=1e-12)
    np.testing.assert_allclose(basis.sum(axis=0), 0.0, atol=1e-12)
    # It spans every zero-sum vector: its projection is the centring matrix.
    np.testing.assert_allclose(basis @ basis.T, np.eye(levels) - 1.0 / levels, atol=1e-12)


def test_bases_of_a_single_level_are_empty() -> None:
    assert sum_to_zero_basis(1).shape == (1, 0)
    assert random_walk_basis(1).shape == (1, 0)


def test_random_walk_basis_is_centred_cumulative_steps() -> None:
    expected = np.array([[-2, -1], [1, -1], [1, 2]]) / 3.0
    np.testing.assert_allclose(random_walk_basis(3), expected)
    basis = random_walk_basis(5)
    assert basis.shape == (5, 4)
    np.testing.assert_allclose(np.diff(basis, axis=0), np.eye(4), atol=1e-12)
    np.testing.assert_allclose(basis.sum(axis=0), 0.0, atol=1e-12)


def test_binary_design_shapes_and_blocks(rng: np.random.Generator) -> None:
    lay = make_layout(rng, (PURCHASE, VISIT))
    d = design(lay, (PURCHASE, VISIT), PRIORS)
    rows = 3 * 6  # arms x (3 stages x 2 emails)
    # per block: stage 2 holdout + 2 x 2 version columns; emails 1 + 2 x 1.
    columns = (2 + 2 * 2) + (1 + 2 * 1)
    assert d.rate_x.shape == (2 * rows, 2 * columns)
    assert d.blocks == (
        Block("purchase", "rate", slice(0, rows), slice(0, columns)),
        Block("visit", "rate", slice(rows, 2 * rows), slice(columns, 2 * columns)),
    )
    # Block-diagonal: nothing outside each metric's own block.
    assert not d.rate_x[:rows, columns:].any()
    assert not d.rate_x[rows:, :columns].any()
    np.testing.assert_array_equal(d.rate_x[:rows, :columns], d.rate_x[rows:, columns:])
    assert d.rate_trials.shape == d.rate_events.shape == (2 * rows,)
    assert d.rate_fixed_sd.shape == (2 * columns,)
    assert d.rate_scale_map.shape == (2 * columns, 2 * 2)
    assert len(d.rate_labels) == 2 * columns
    assert d.scale_labels == (
        "purchase: segment scale stage",
        "purchase: segment scale emails",
        "visit: segment scale stage",
        "visit: segment scale emails",
    )
    np.testing.assert_array_equal(
        d.rate_arm_index, np.concatenate([np.repeat([0, 1, 2], 6), np.repeat([3, 4, 5], 6)])
    )
    # No revenue metric: no amount part at all.
    assert d.amount_x.shape == (0, 0)
    assert d.amount_centre.shape == d.amount_buyers.shape == (0,)
    assert d.amount_labels == ()
    assert d.n_arms == 3


def test_rate_columns_fixed_sd_and_scales(rng: np.random.Generator) -> None:
    priors = PriorConfig(baseline_segment_sd=0.7)
    lay = make_layout(rng, (PURCHASE,))
    d = design(lay, (PURCHASE,), priors)
    assert d.rate_labels == (
        "purchase: holdout by stage [0]",
        "purchase: holdout by stage [1]",
        "purchase: A by stage [0]",
        "purchase: A by stage [1]",
        "purchase: B by stage [0]",
        "purchase: B by stage [1]",
        "purchase: holdout by emails [0]",
        "purchase: A by emails [0]",
        "purchase: B by emails [0]",
    )
    np.testing.assert_allclose(d.rate_fixed_sd, [0.7, 0.7, 0, 0, 0, 0, 0.7, 0, 0])
    expected_map = np.zeros((9, 2))
    expected_map[2:6, 0] = 1.0  # version deviations by stage share the stage scale
    expected_map[7:9, 1] = 1.0
    np.testing.assert_array_equal(d.rate_scale_map, expected_map)
    # Holdout contrasts are the same in every arm; a version's columns only in its own rows.
    arm_of_row = np.repeat(np.arange(3), 6)
    stage = sum_to_zero_basis(3)[lay.level_index["stage"]]
    emails = sum_to_zero_basis(2)[lay.level_index["emails"]]
    for arm in range(3):
        rows = arm_of_row == arm
        np.testing.assert_allclose(d.rate_x[rows][:, 0:2], stage)
        np.testing.assert_allclose(d.rate_x[rows][:, 6], emails[:, 0])
        for k in (1, 2):
            own = np.column_stack([stage, emails]) * (arm == k)
            np.testing.assert_allclose(d.rate_x[rows][:, [2 * k, 2 * k + 1, 6 + k]], own)


def test_ordered_segment_uses_random_walk_for_versions(rng: np.random.Generator) -> None:
    lay = make_layout(rng, (PURCHASE,), ordered=("emails",))
    d = design(lay, (PURCHASE,), PRIORS)
    walk = random_walk_basis(2)[lay.level_index["emails"], 0]  # -0.5 at "0", +0.5 at "1"
    np.testing.assert_allclose(np.abs(walk), 0.5)
    a_rows = np.repeat(np.arange(3), 6) == 1
    np.testing.assert_allclose(d.rate_x[a_rows, 7], walk)
    # The holdout keeps the orthonormal contrast.
    zero_sum = sum_to_zero_basis(2)[lay.level_index["emails"], 0]
    np.testing.assert_allclose(d.rate_x[a_rows, 6], zero_sum)


def test_binary_and_revenue_design(rng: np.random.Generator) -> None:
    priors = PriorConfig(baseline_segment_sd=0.8)
    lay = make_layout(rng, (PURCHASE, REVENUE))
    d = design(lay, (PURCHASE, REVENUE), priors)
    rows, rate_columns, amount_columns = 18, 9, 3
    assert d.blocks == (
        Block("purchase", "rate", slice(0, rows), slice(0, rate_columns)),
        Block("revenue", "rate", slice(rows, 2 * rows), slice(rate_columns, 2 * rate_columns)),
        Block("revenue", "amount", slice(0, rows), slice(0, amount_columns)),
    )
    assert d.rate_x.shape == (2 * rows, 2 * rate_columns)
    assert d.amount_x.shape == (rows, amount_columns)
    revenue = lay.stats["revenue"]
    # The revenue rate block counts buyers out of recipients.
    np.testing.assert_array_equal(d.rate_events[rows:], revenue.buyers.ravel())
    np.testing.assert_array_equal(d.rate_trials[rows:], revenue.n.ravel())
    np.testing.assert_array_equal(d.rate_events[:rows], lay.stats["purchase"].ones.ravel())
    np.testing.assert_allclose(d.amount_buyers, revenue.buyers.ravel())
    # Amounts in units of the metric's mean amount M among all buyers.
    scale = revenue.sum.sum() / revenue.buyers.sum()
    np.testing.assert_allclose(d.amount_sum, revenue.sum.ravel() / scale)
    np.testing.assert_allclose(d.amount_centre, np.full(rows, np.log(scale)))
    # Each arm's dispersion: pooled within-cell variance over its mean amount (sum_sq was made
    # 1.5 x sum^2 / buyers, so each cell's sum of squared deviations is 0.5 x sum^2 / buyers).
    for arm in range(3):
        b, total = revenue.buyers[arm], revenue.sum[arm]
        variance = (0.5 * total**2 / b).sum() / (b.sum() - b.size)
        expected = variance / (total.sum() / b.sum()) / scale
        np.testing.assert_allclose(d.amount_dispersion[6 * arm : 6 * arm + 6], expected)
    np.testing.assert_allclose(d.amount_sd, [0.8, 0.8, 0.8])
    np.testing.assert_array_equal(d.amount_arm_index, np.repeat([0, 1, 2], 6))
    assert d.amount_labels == (
        "revenue: amount by stage [0]",
        "revenue: amount by stage [1]",
        "revenue: amount by emails [0]",
    )
    stage = sum_to_zero_basis(3)[lay.level_index["stage"]]
    np.testing.assert_allclose(d.amount_x[6:12, 0:2], stage)


def signature_of(
    rng: np.random.Generator,
    metrics: tuple[MetricConfig, ...],
    arms: tuple[str, ...] = ARMS,
    stages: tuple[str, ...] = STAGES,
    priors: PriorConfig = PRIORS,
) -> str:
    return design(make_layout(rng, metrics, arms, stages), metrics, priors).signature()


def test_signature_is_shared_by_same_shapes_with_different_data(
    rng: np.random.Generator,
) -> None:
    first = design(make_layout(rng, (PURCHASE, REVENUE)), (PURCHASE, REVENUE), PRIORS)
    second = design(make_layout(rng, (PURCHASE, REVENUE)), (PURCHASE, REVENUE), PRIORS)
    assert not np.array_equal(first.rate_events, second.rate_events)
    assert first.signature() == second.signature()
    assert len(first.signature()) == 16


def test_every_structure_and_every_prior_shares_one_signature(
    rng: np.random.Generator,
) -> None:
    """The graph holds no size and no prior: metrics, arms, segment levels and priors are
    all data."""
    base = signature_of(rng, (PURCHASE, REVENUE))
    same = {
        "binary only": signature_of(rng, (PURCHASE, VISIT)),
        "one metric": signature_of(rng, (PURCHASE,)),
        "fewer arms": signature_of(rng, (PURCHASE, REVENUE), arms=("holdout", "A")),
        "fewer levels": signature_of(rng, (PURCHASE, REVENUE), stages=STAGES[:2]),
        "other priors": signature_of(rng, (PURCHASE, REVENUE), priors=PriorConfig(effect_sd=1)),
    }
    assert set(same.values()) == {base}, same


@pytest.mark.parametrize("metrics", [(PURCHASE,), (PURCHASE, REVENUE)])
def test_data_types(rng: np.random.Generator, metrics: tuple[MetricConfig, ...]) -> None:
    d: Design = design(make_layout(rng, metrics), metrics, PRIORS)
    data = d.data()
    assert set(data) == {
        "n_arms",
        "n_rate_blocks",
        "n_amount_blocks",
        *[f"prior_{name}" for name in GRAPH_PRIORS],
        "rate_x",
        "rate_trials",
        "rate_events",
        "rate_fixed_sd",
        "rate_scale_map",
        "amount_x",
        "amount_buyers",
        "amount_sum",
        "amount_dispersion",
        "amount_sd",
        "rate_arm_index",
        "amount_arm_index",
    }
    integers = {"rate_trials", "rate_events", "rate_arm_index"}
    integers |= {"amount_arm_index", "n_arms", "n_rate_blocks", "n_amount_blocks"}
    for name, value in data.items():
        expected = np.int64 if name in integers else np.float64
        assert value.dtype == expected, name
