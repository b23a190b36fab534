"""Net value per 1,000 recipients after costs, against hand computations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import write_experiment
from relevance.config import Experiment, load_experiment
from relevance.decide.value import has_value, net_value_draws, net_values
from relevance.io.cells import Cells
from relevance.model.layout import Layout, layout

METRICS: list[dict[str, Any]] = [
    {"name": "purchase", "kind": "binary", "column": "purchased", "primary": True, "rope": 0.001},
    {
        "name": "unsubscribe",
        "kind": "binary",
        "column": "unsubscribed",
        "direction": "decrease",
        "rope": 0.001,
    },
    {"name": "revenue", "kind": "revenue", "column": "spend", "rope": 0.01},
    {"name": "visit", "kind": "binary", "column": "visited", "rope": 0.001},
]


def experiment(
    folder: Path,
    values: dict[str, float] | None = None,
    cost: float = 0.0,
    interval: float = 0.95,
    currency: str = "",
    versions: tuple[str, ...] = ("A", "B"),
) -> Experiment:
    metrics = [
        {**m, "value": (values or {})[m["name"]]} if m["name"] in (values or {}) else m
        for m in METRICS
    ]
    path = write_experiment(
        folder,
        arms={"holdout": "holdout", "versions": list(versions)},
        metrics=metrics,
        segments=["tier"],
        decision={"cost_per_send": cost, "interval": interval, "currency": currency},
    )
    return load_experiment(path)


def tier_layout(exp: Experiment, sizes: tuple[int, int] = (10, 30)) -> Layout:
    """Every arm with `sizes` recipients in tiers gold and silver (weights 0.25 and 0.75)."""
    rows = [
        {"arm": arm, "tier": tier, "n": n}
        for arm in exp.arms.all
        for tier, n in zip(("gold", "silver"), sizes, strict=True)
    ]
    frame = pd.DataFrame(rows)
    for metric in exp.metrics:
        frame[f"{metric.name}__n"] = frame["n"]
    return layout(Cells.for_experiment(exp, frame))


def test_has_value(tmp_path: Path) -> None:
    assert not has_value(experiment(tmp_path))
    assert has_value(experiment(tmp_path, cost=0.001))
    assert has_value(experiment(tmp_path, values={"revenue": 0.3}))
    assert has_value(experiment(tmp_path, values={"unsubscribe": -20.0}))
    assert has_value(experiment(tmp_path, values={"purchase": 0.0}))  # stated, even if zero


def test_net_value_draws_by_hand(tmp_path: Path, rng: np.random.Generator) -> None:
    values = {"purchase": 40.0, "unsubscribe": -25.0, "revenue": 0.3}
    exp = experiment(tmp_path, values=values, cost=0.002)
    samples, weights = 7, np.array([0.25, 0.75])
    draws = {m.name: rng.uniform(0.0, 0.2, (samples, 3, 2)) for m in exp.metrics}
    for index in (1, 2):
        expected = []
        for s in range(samples):
            total = -0.002
            for name, worth in values.items():  # visit has no value: it never counts
                d = draws[name]
                uplift = sum(weights[c] * (d[s, index, c] - d[s, 0, c]) for c in range(2))
                total += worth * uplift
            expected.append(1000 * total)
        got = net_value_draws(exp, draws, index, weights)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_cost_alone_is_a_sure_loss(tmp_path: Path, rng: np.random.Generator) -> None:
    exp = experiment(tmp_path, cost=0.01, currency="$")
    draws = {m.name: rng.uniform(0.0, 0.2, (50, 3, 2)) for m in exp.metrics}
    np.testing.assert_allclose(net_value_draws(exp, draws, 1, np.array([0.5, 0.5])), -10.0)
    a, b = net_values(exp, tier_layout(exp), draws)
    assert (a.version, b.version) == ("A", "B")
    assert (a.mean, a.low, a.high, a.p_positive) == pytest.approx((-10.0, -10.0, -10.0, 0.0))
    assert a.sentence == (
        "Version A loses about $10.0 per 1,000 recipients after costs "
        "(95%: −$10.0 to −$10.0); chance it pays <1%."
    )


def test_net_values_sentences_and_intervals(tmp_path: Path) -> None:
    exp = experiment(tmp_path, values={"purchase": 1.0}, interval=0.8, currency="$")
    lay = tier_layout(exp)
    # The same uplift in both tiers, so the weights do not matter: per 1,000 recipients
    # A gains 10, 20, 30, 50 and B -10, -20, 10, -30.
    gains = {1: [0.01, 0.02, 0.03, 0.05], 2: [-0.01, -0.02, 0.01, -0.03]}
    purchase = np.full((4, 3, 2), 0.1)
    for index, per_sample in gains.items():
        purchase[:, index, :] += np.array(per_sample)[:, None]
    draws = {m.name: np.zeros((4, 3, 2)) for m in exp.metrics} | {"purchase": purchase}
    a, b = net_values(exp, lay, draws)
    # 80%: quantiles 0.1 and 0.9 of four draws, at positions 0.3 and 2.7 of the sorted draws.
    assert a.mean == pytest.approx(27.5)
    assert (a.low, a.high) == pytest.approx((10 + 0.3 * 10, 30 + 0.7 * 20))
    assert a.p_positive == 1.0
    assert a.sentence == (
        "Version A gains about $27.5 per 1,000 recipients after costs "
        "(80%: $13.0 to $44.0); chance it pays >99%."
    )
    assert b.mean == pytest.approx(-12.5)
    assert (b.low, b.high) == pytest.approx((-30 + 0.3 * 10, -10 + 0.7 * 20))
    assert b.p_positive == 0.25
    assert b.sentence == (
        "Version B loses about $12.5 per 1,000 recipients after costs "
        "(80%: −$27.0 to $4.00); chance it pays 25%."
    )


def test_net_values_use_the_population_weights(tmp_path: Path, rng: np.random.Generator) -> None:
    exp = experiment(tmp_path, values={"revenue": 0.3}, cost=0.001, versions=("A",))
    lay = tier_layout(exp, sizes=(30, 10))  # gold 0.75, silver 0.25
    draws = {m.name: rng.uniform(0.0, 5.0, (400, 2, 2)) for m in exp.metrics}
    revenue = draws["revenue"]
    uplift = 0.75 * (revenue[:, 1, 0] - revenue[:, 0, 0]) + 0.25 * (
        revenue[:, 1, 1] - revenue[:, 0, 1]
    )
    per_thousand = 1000 * (0.3 * uplift - 0.001)
    (a,) = net_values(exp, lay, draws)
    assert a.mean == pytest.approx(per_thousand.mean())
    assert a.p_positive == pytest.approx(np.mean(per_thousand > 0))
    assert a.low == pytest.approx(np.quantile(per_thousand, 0.025))
    assert a.high == pytest.approx(np.quantile(per_thousand, 0.975))


def test_net_values_empty_when_nothing_is_valued(tmp_path: Path, rng: np.random.Generator) -> None:
    exp = experiment(tmp_path)
    draws = {m.name: rng.uniform(0.0, 0.2, (10, 3, 2)) for m in exp.metrics}
    assert net_values(exp, tier_layout(exp), draws) == []
